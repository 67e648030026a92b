"""Console pages beyond the needs board: 科普 articles (review workflow, index in step),
scientists (verify, availability, binding codes, region scope), and the question log the
dashboards and gap mining read."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings
from knowledge.importers import import_rows
from store.models import Article, AuditLog, QuestionLog, Scientist
from web.app import create_app
from web.staff import add_staff

from ..support import Harness, text, wait_until
from .test_console import PASSWORD, csrf_of, login, unmatched_need

QUESTION = "魔芋软腐病怎么防治？"
BODY = ("魔芋软腐病是由果胶杆菌引起的细菌性病害，高温多雨季节容易暴发。"
        "防治魔芋软腐病要选用无病种芋，播种前用农用链霉素浸种消毒。田间要深沟高厢、及时排水，发现病株立即挖除并用石灰消毒病穴。"
        "发病初期可用噻菌铜或春雷霉素灌根，每隔七天一次，连续两到三次。")


@pytest.fixture
def console(bot: Harness) -> Iterator[TestClient]:
    add_staff(bot.engine, "cuiping", PASSWORD, "county", "宜宾市翠屏区", "翠屏区科协")
    add_staff(bot.engine, "xichang", PASSWORD, "county", "凉山彝族自治州西昌市")
    add_staff(bot.engine, "admin", PASSWORD, "province", "四川省", "省科协审核员")
    app = create_app(Settings(), engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                     background=False)
    with TestClient(app) as client:
        yield client


def cited(bot: Harness, question: str) -> list[str]:
    return [c.article_id for c in bot.dialog.answerer.ask(question).citations]


def new_article(console: TestClient, **fields: str):  # type: ignore[no-untyped-def]
    form = console.get("/console/articles/new").text
    data = {"title": "魔芋软腐病的防治", "body": BODY, "source": "县农技站",
            "tags": "魔芋、软腐病", "audience": "种植户", "csrf": csrf_of(form), **fields}
    return console.post("/console/articles/new", data=data)


def move(console: TestClient, ext_id: str, to: str):  # type: ignore[no-untyped-def]
    page = console.get(f"/console/articles/{ext_id}").text
    return console.post(f"/console/articles/{ext_id}/status",
                        data={"to": to, "csrf": csrf_of(page)})


def test_article_review_workflow_keeps_answers_in_step(console: TestClient,
                                                        bot: Harness) -> None:
    assert bot.dialog.answerer.ask(QUESTION).abstained
    login(console, "admin")
    made = new_article(console)
    assert made.status_code == 200 and "草稿已保存" in made.text
    ext_id = re.search(r"/console/articles/(kp-[\w-]+)/status", made.text).group(1)  # type: ignore[union-attr]
    assert "提交审核" in made.text and "审核通过" not in made.text
    assert ext_id not in cited(bot, QUESTION)  # a draft never answers

    reviewed = move(console, ext_id, "review")
    assert "已提交审核" in reviewed.text and ext_id not in cited(bot, QUESTION)
    assert ext_id in console.get("/console/articles").text  # in the review queue

    vetted = move(console, ext_id, "vetted")
    assert "已审核通过" in vetted.text and "工作人员 省科协审核员" in vetted.text  # audit trail
    assert cited(bot, QUESTION)[0] == ext_id  # answerable at once, no reindex by hand
    with Session(bot.engine) as s:
        art = s.execute(select(Article).where(Article.external_id == ext_id)).scalar_one()
        assert art.reviewed_by == "省科协审核员" and art.author == "admin"

    # an edit of a vetted article takes effect at once too
    page = console.get(f"/console/articles/{ext_id}").text
    edited = console.post(f"/console/articles/{ext_id}/edit", data={
        "title": "魔芋软腐病的综合防治", "body": BODY + "收获后及时清园。", "source": "县农技站",
        "tags": "魔芋", "audience": "种植户", "csrf": csrf_of(page)})
    assert "已保存" in edited.text
    assert "收获后及时清园" in bot.dialog.matcher.index.doc(
        "articles", next(d for d, doc in bot.dialog.matcher.index.docs("articles").items()
                         if doc.parent == ext_id)).sparse_text

    retired = move(console, ext_id, "retired")
    assert "已下线" in retired.text
    assert ext_id not in cited(bot, QUESTION)  # never again
    assert bot.dialog.answerer.ask(QUESTION).abstained
    # a transition the workflow does not allow is refused with a clear message
    assert "不能从" in move(console, ext_id, "review").text
    with Session(bot.engine) as s:
        actions = list(s.execute(select(AuditLog.action).where(
            AuditLog.entity == "article", AuditLog.entity_id == ext_id)).scalars())
    assert actions == ["create", "set_review", "set_vetted", "edit", "set_retired"]


def test_article_changes_are_scoped_and_need_csrf(console: TestClient, bot: Harness) -> None:
    login(console, "cuiping")
    made = new_article(console)
    ext_id = re.search(r"/console/articles/(kp-[\w-]+)/status", made.text).group(1)  # type: ignore[union-attr]
    with Session(bot.engine) as s:  # a county's article belongs to the county
        assert s.execute(select(Article.region_code).where(
            Article.external_id == ext_id)).scalar_one() == "511502"
    no_csrf = console.post(f"/console/articles/{ext_id}/status", data={"to": "review"})
    assert no_csrf.status_code == 403
    # a province-wide article (the demo corpus has no region) is read-only for a county
    page = console.get("/console/articles/a-acid")
    assert page.status_code == 200 and "提交审核" not in page.text and "下线" not in page.text
    refused = console.post("/console/articles/a-acid/status",
                           data={"to": "retired", "csrf": csrf_of(page.text)})
    assert refused.status_code == 403 and "a-acid" in cited(bot, "李子园土壤酸化怎么改良")
    console.cookies.clear()
    login(console, "xichang")  # another county may read, not change
    page = console.get(f"/console/articles/{ext_id}")
    assert console.post(f"/console/articles/{ext_id}/status",
                        data={"to": "review", "csrf": csrf_of(page.text)}).status_code == 403


def test_bad_article_input_stores_nothing(console: TestClient, bot: Harness) -> None:
    login(console, "admin")
    with Session(bot.engine) as s:
        before = s.execute(select(Article.id)).all()
    bad = new_article(console, title="  ", body="太短")
    assert bad.status_code == 400 and "标题不能为空" in bad.text
    assert "太短" in bad.text  # what was typed is kept in the form
    with Session(bot.engine) as s:
        assert s.execute(select(Article.id)).all() == before


def test_scientists_page_is_scoped_and_changes_matching(console: TestClient,
                                                         bot: Harness) -> None:
    login(console, "cuiping")
    listing = console.get("/console/scientists").text
    assert "s-soil-cp" in listing and "s-soil-ls" not in listing  # 西昌 is another county
    assert console.get("/console/scientists/s-soil-ls").status_code == 403
    page = console.get("/console/scientists/s-soil-cp")
    assert page.status_code == 200 and "接单率" in page.text
    need = "宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导，预算五千，这周内"

    def matched() -> list[str]:  # who would be offered the need
        draft = bot.dialog.matcher.extract(need)
        return [c.scientist_id for c in
                bot.dialog.matcher.ranker.rank(draft, k=10, for_offers=True)]
    assert "s-soil-cp" in matched()

    gone = console.post("/console/scientists/s-soil-cp/unavailable",
                        data={"csrf": csrf_of(page.text)})
    assert "暂不接单" in gone.text
    assert "s-soil-cp" not in matched()
    preview = {c.scientist_id: c for c in bot.dialog.matcher.match(need)[1]}
    assert any("暂不接单" in r for r in preview["s-soil-cp"].reasons)  # listed, labelled
    back = console.post("/console/scientists/s-soil-cp/available",
                        data={"csrf": csrf_of(gone.text)})
    assert "已恢复接单" in back.text
    assert "s-soil-cp" in matched()

    verified = console.post("/console/scientists/s-soil-cp/verify",
                            data={"csrf": csrf_of(back.text)})
    assert "已认证" in verified.text
    coded = console.post("/console/scientists/s-soil-cp/bind-code",
                         data={"csrf": csrf_of(verified.text)})
    code = re.search(r'id="bind-code">(\w+)<', coded.text).group(1)  # type: ignore[union-attr]
    assert code not in str(coded.url)  # never in a URL
    assert "绑定成功" in text(bot.chat("sci-tg", f"绑定 {code}"))
    with Session(bot.engine) as s:
        sci = s.execute(select(Scientist).where(Scientist.external_id == "s-soil-cp")
                        ).scalar_one()
        assert sci.verified and sci.available and sci.person_id is not None
        audit = list(s.execute(select(AuditLog.action).where(
            AuditLog.entity == "scientist", AuditLog.entity_id == "s-soil-cp")).scalars())
        assert audit[:4] == ["unavailable", "available", "verify", "bind_code"]
        assert all(code not in str(a.after) for a in s.execute(select(AuditLog)).scalars())
    assert console.post("/console/scientists/s-soil-cp/verify",
                        data={}).status_code == 403  # no CSRF token


def test_questions_are_logged_masked_and_erased_with_the_user(bot: Harness) -> None:
    bot.chat("farmer-q", "李子园土壤酸化怎么改良")
    bot.chat("farmer-q", "魔芋软腐病怎么防治？我在宜宾市翠屏区，电话13912345678")
    with Session(bot.engine) as s:
        rows = list(s.execute(select(QuestionLog).order_by(QuestionLog.id)).scalars())
    assert [r.abstained for r in rows] == [False, True]
    assert rows[0].citations and rows[0].citations[0] == "a-acid"
    assert rows[1].region_code == "511502" and rows[1].channel == "telegram"
    assert "13912345678" not in rows[1].text and "魔芋软腐病" in rows[1].text
    bot.chat("farmer-q", "删除我的数据")
    bot.press("farmer-q", "delete:yes")
    with Session(bot.engine) as s:
        rows = list(s.execute(select(QuestionLog).order_by(QuestionLog.id)).scalars())
    assert len(rows) == 2 and all(r.text == "" and r.person_id is None for r in rows)


def test_dashboard_weekly_report_and_gaps(console: TestClient, bot: Harness) -> None:
    import io
    import zipfile
    from html import unescape

    for q in ("魔芋软腐病怎么防治？我在宜宾市翠屏区", "宜宾翠屏区魔芋得了软腐病怎么办",
              "魔芋软腐病用什么药，翠屏区", "鸭子脚杆软了站不起来咋个整"):
        bot.chat("farmer-g", q)
    login(console, "cuiping")
    board = console.get("/console/dashboard")
    assert board.status_code == 200 and board.text.count("<svg") >= 3
    assert "科技服务供给率" in board.text and "科技服务获取率" in board.text
    assert console.get("/console/dashboard?region=511502").status_code == 200
    # another county, or the city above, is not this county's to read
    assert console.get("/console/dashboard?region=513401").status_code == 403
    assert console.get("/console/dashboard?region=宜宾市").status_code == 403
    assert console.get("/console/reports/weekly?week=2026-W60").status_code == 400

    gaps = console.get("/console/gaps").text
    assert "魔芋" in gaps and "约稿" in gaps
    link = unescape(re.search(r'href="(/console/articles/new\?[^"]+)"', gaps).group(1))  # type: ignore[union-attr]
    draft = console.get(link).text
    assert "魔芋" in draft and "群众最近问到" in draft and "gap:" in draft

    week = console.get("/console/reports/weekly")
    assert week.status_code == 200 and "周报" in week.text
    csv_text = console.get("/console/reports/weekly.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("key,label,this_week,last_week")
    zipped = zipfile.ZipFile(io.BytesIO(console.get("/console/reports/weekly.zip").content))
    names = set(zipped.namelist())
    assert {"report.html", "figures.csv"} <= names and any(n.endswith(".png") for n in names)
    assert all(zipped.read(n)[:8] == b"\x89PNG\r\n\x1a\n" for n in names if n.endswith(".png"))


def test_a_running_server_picks_up_changes_made_elsewhere(bot: Harness) -> None:
    """Another worker or `kejiyun import` changes the store; this process's ticker syncs."""
    from knowledge.vetting import set_status

    app = create_app(Settings(), engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                     background=True)
    with TestClient(app):
        assert "a-draft" not in cited(bot, "猕猴桃溃疡病怎么防治")
        set_status(bot.engine, "a-draft", "vetted", actor="elsewhere", reviewer="审核员")
        wait_until(lambda: "a-draft" in cited(bot, "猕猴桃溃疡病怎么防治"), timeout=20,
                   interval=0.2, message="the ticker never synced the index")


def test_need_page_shows_the_requesters_own_words(console: TestClient, bot: Harness) -> None:
    need = "宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导"
    bot.chat("boss-x", need)
    bot.press("boss-x", "slot:urgency:urgent")
    bot.chat("boss-x", "五千左右")
    bot.chat("boss-x", "同意，电话13800001111")
    bot.press("boss-x", "need:confirm")
    with Session(bot.engine) as s:
        from store.models import Need

        need_id = s.execute(select(Need.id).order_by(Need.id.desc())).scalars().first()
    login(console, "cuiping")
    page = console.get(f"/console/needs/{need_id}").text
    excerpt = page[page.index('id="transcript"'):]
    assert need in excerpt and "五千左右" in excerpt
    assert "13800001111" not in page and "联系方式已隐藏" in excerpt


ODD_ID = "a/../b?c#d"  # imported ids are free text


def test_ids_with_slashes_and_url_characters_work_everywhere(console: TestClient,
                                                              bot: Harness) -> None:
    from html import unescape

    report = import_rows(bot.engine, "scientists", [{
        "id": ODD_ID, "name": "路径测试专家", "discipline": "土壤学",
        "region": "宜宾市翠屏区"}], source="test")
    assert report.imported == 1, report
    report = import_rows(bot.engine, "articles", [{
        "id": ODD_ID, "title": "路径测试文章", "body": BODY, "source": "县农技站",
        "status": "draft"}], source="test")
    assert report.imported == 1, report
    encoded = "a%2F..%2Fb%3Fc%23d"
    login(console, "admin")

    listing = console.get("/console/scientists", params={"q": "路径测试"}).text
    assert f'href="/console/scientists/{encoded}"' in listing
    page = console.get(f"/console/scientists/{encoded}")
    assert page.status_code == 200 and "路径测试专家" in page.text
    action = unescape(re.search(r'action="([^"]+/verify)"', page.text).group(1))  # type: ignore[union-attr]
    assert action == f"/console/scientists/{encoded}/verify"
    done = console.post(action, data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert done.headers["location"] == f"/console/scientists/{encoded}"
    assert "已认证" in console.get(done.headers["location"]).text
    with Session(bot.engine) as s:
        assert s.execute(select(Scientist.verified).where(
            Scientist.external_id == ODD_ID)).scalar_one()

    listing = console.get("/console/articles", params={"q": "路径测试"}).text
    assert f'href="/console/articles/{encoded}"' in listing
    page = console.get(f"/console/articles/{encoded}")
    assert page.status_code == 200 and "路径测试文章" in page.text
    assert f'action="/console/articles/{encoded}/edit"' in page.text
    edited = console.post(f"/console/articles/{encoded}/edit", data={
        "title": "路径测试文章（修订）", "body": BODY, "source": "县农技站", "tags": "魔芋",
        "audience": "种植户", "csrf": csrf_of(page.text)})
    assert edited.status_code == 200 and "已保存" in edited.text and "（修订）" in edited.text
    moved = console.post(f"/console/articles/{encoded}/status",
                         data={"to": "review", "csrf": csrf_of(edited.text)})
    assert "已提交审核" in moved.text
    with Session(bot.engine) as s:
        art = s.execute(select(Article).where(Article.external_id == ODD_ID)).scalar_one()
        assert art.title == "路径测试文章（修订）" and art.status == "review"
        # "b?c#d" was never touched: the .. stayed inside the id
        assert s.execute(select(Article).where(Article.external_id == "b?c#d")
                         ).scalar_one_or_none() is None


def test_a_profile_shows_only_this_regions_need_titles(console: TestClient,
                                                        bot: Harness) -> None:
    mine = unmatched_need(bot, "宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导")
    theirs = unmatched_need(bot, "西昌的石榴园土壤酸化板结，想请专家指导")
    for need_id in (mine, theirs):  # the same 翠屏区 scientist, offered both
        assert bot.dialog.offers.assign(need_id, "s-soil-cp", actor="staff:0").ok
    with Session(bot.engine) as s:
        from store.models import Need

        titles = {n.id: n.title for n in s.execute(select(Need)).scalars()}
    login(console, "cuiping")
    page = console.get("/console/scientists/s-soil-cp").text
    assert f"/console/needs/{mine}" in page and titles[mine] in page
    assert f"/console/needs/{theirs}" not in page and titles[theirs] not in page
    assert page.count("其他地区的需求") == 1
    console.cookies.clear()
    login(console, "admin")  # the province sees both
    page = console.get("/console/scientists/s-soil-cp").text
    assert titles[theirs] in page and "其他地区的需求" not in page
