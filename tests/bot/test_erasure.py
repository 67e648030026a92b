"""Erasure on request (PIPL, "删除我的数据"): after a whole journey — a requester on two
channels publishes a need with contacts, a scientist accepts, introductions are delivered —
nothing in the store still names the requester, reaches them or identifies their platform
accounts, while the anonymous statistics (need rows, kinds, regions, statuses) stay.

The check reads every column of every row of every table: a new table or column that keeps
personal data fails it without anyone having to remember to extend the test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from core.settings import Settings
from delivery.dedup import Dedup, make_dedup, stored_key
from delivery.messages import Inbound
from store.models import DedupKey, Need, Offer, Outbox, Person, Scientist
from web.app import create_app

from ..fake_wechat import running
from ..support import Harness, actions, text
from .test_wechat import APP_ID, KEY_NEW, KEY_OLD, TOKEN, WX

NAME = "欧阳春燕"  # the Telegram display name, also typed into the need
PHONE, WECHAT_ID, EMAIL = "13912345678", "oycy_farm2024", "oycy.farm@example.com"
OPENID = "oKjY7_eRaSe_0uyangChunyan01"  # WeChat FromUserName
TG_USER = "6120987345"  # Telegram user id
SECRETS = {"name": NAME, "phone": PHONE, "wechat id": WECHAT_ID, "email": EMAIL,
           "openid": OPENID, "telegram id": TG_USER}
WHEN = datetime(2026, 11, 2, 9, tzinfo=UTC)
NEED = (f"我是{NAME}，宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导改良，很急，预算五千，"
        f"同意留联系方式：电话{PHONE}，微信号{WECHAT_ID}，邮箱：{EMAIL}")


def dump(engine: Engine) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every column of every row of every table; JSON is
    decoded first, so Chinese is compared as written, not as \\u escapes."""
    cells: list[tuple[str, str, str]] = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    shown = json.dumps(value, ensure_ascii=False, default=str) \
                        if isinstance(value, dict | list) else str(value)
                    cells.append((table.name, column, shown))
    return cells


def leaks(engine: Engine) -> dict[str, list[str]]:
    """Which secrets are still stored, and where (table.column)."""
    found: dict[str, list[str]] = {}
    for table, column, value in dump(engine):
        for what, secret in SECRETS.items():
            if secret in value:
                found.setdefault(what, []).append(f"{table}.{column}")
    return found


@pytest.fixture
def wx(bot: Harness) -> Iterator[WX]:
    with running() as api:
        settings = Settings(WECHAT_TOKEN=TOKEN, WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET="s",
                            WECHAT_AES_KEY=f"{KEY_NEW},{KEY_OLD}", WECHAT_API_BASE_URL=api.url,
                            WECHAT_REPLY_TIMEOUT="4.5")
        app = create_app(settings, engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                         background=False)
        with TestClient(app) as client:
            yield WX(client, api, bot, app)


def on_telegram(bot: Harness, message: str) -> str:
    """The requester's Telegram messages, as the Telegram handler hands them to the dialog
    (Telegram keys carry the update id, not the user)."""
    return text(bot.dialog.handle(Inbound("telegram", TG_USER, text=message,
                                          display_name=NAME)))


def on_wechat(wx: WX, message: str) -> str:
    """The requester's WeChat messages, through the real webhook (dedup, kept turns)."""
    return wx.reply_text(wx.post(wx.xml(OPENID, message)))


def test_erasure_leaves_nothing_that_identifies_the_person(wx: WX, bot: Harness) -> None:
    from sqlalchemy import update

    bot.bind("sci-a", "s-soil-cp")
    bot.bind("sci-b", "s-soil-xz")
    with Session(bot.engine) as s, s.begin():  # verified: the consented contacts go at once
        s.execute(update(Scientist).values(verified=True))
    # one person on two channels: Telegram (display name) linked with WeChat (openid)
    assert "石灰" in on_telegram(bot, f"我是{NAME}，李子园土壤酸化了怎么改良")
    code = on_telegram(bot, "关联").split("关联码是 ")[1].split("（")[0]
    assert "关联成功" in on_wechat(wx, f"关联 {code}")
    card = on_wechat(wx, NEED)
    assert "请确认" in card and PHONE not in card
    assert "已推送给" in on_wechat(wx, "确认发布")
    offer = bot.notes("sci-a")
    assert PHONE not in text(offer)
    assert "接单成功" in text(bot.press("sci-a", next(
        a for a in actions(offer) if a.startswith("accept:"))))
    intro = text(bot.notes("sci-a"))  # delivered: the outbox rows are now `sent`
    assert all(s in intro for s in (NAME, PHONE, WECHAT_ID, EMAIL)), intro
    with Session(bot.engine) as s:
        assert s.execute(select(func.count()).select_from(Outbox).where(
            Outbox.status == "sent", Outbox.kind == "intro")).scalar_one() == 2
    # the check can see them: every secret is stored somewhere before the erasure …
    before = leaks(bot.engine)
    assert set(before) == set(SECRETS)
    # … but the delivery ids that name the WeChat user are hashed from the start
    assert {"dedup_key.key", "need.source_key"}.isdisjoint(before["openid"]), before

    assert "确定要删除" in on_wechat(wx, "删除我的数据")
    assert "已删除" in on_wechat(wx, "确认删除")

    found = leaks(bot.engine)
    assert not found, found
    with Session(bot.engine) as s:  # the anonymous statistics stay
        need = s.execute(select(Need)).scalar_one()
        assert (need.status, need.kind, need.region_code) == ("matched", "service", "511502")
        assert need.budget == 5000 and need.urgency == "urgent"
        assert s.execute(select(func.count()).select_from(Offer)).scalar_one() == 3
        person = s.get(Person, need.requester_id)
        assert person is not None and person.erased_at is not None
        assert need.data["transcript"] == []
    # the other side keeps its own record of the match, without the requester in it
    with Session(bot.engine) as s:
        kept = [m.payload["text"] for m in s.execute(select(Outbox).where(
            Outbox.recipient == "scientist:s-soil-cp", Outbox.kind == "intro")).scalars()]
    assert len(kept) == 1 and "您已成功接单" in kept[0] and "［已删除］" in kept[0]
    # the same accounts start afresh, as strangers
    assert "科技云助手" in on_telegram(bot, "/start")


def test_an_erased_scientist_is_redacted_from_the_requesters_messages(bot: Harness) -> None:
    """The other way round: a self-registered scientist asks to be erased after an accept.
    The requester keeps the news that someone took the need, without their name or phone."""
    name, phone = "欧阳建军", "13700007777"
    for message in ("注册", name, "宜宾学院", "土壤肥料", "果园酸性土壤改良，李子园土壤板结治理",
                    "宜宾市翠屏区", phone):  # the phone: told to the requester after the accept
        bot.chat("sci-self", message)
    bot.chat("boss", "宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导改良，很急，预算五千，"
                     "同意，电话13800001111")
    assert "已推送给" in text(bot.press("boss", "need:confirm"))
    tok = next((a for a in actions(bot.notes("sci-self")) if a.startswith("accept:")), None)
    assert tok is not None, "the self-registered scientist was not offered the need"
    assert "接单成功" in text(bot.press("sci-self", tok))
    told = text(bot.notes("boss"))
    assert name in told and phone in told
    bot.chat("sci-self", "删除我的数据")
    assert "已删除" in text(bot.press("sci-self", "delete:yes"))
    cells = dump(bot.engine)
    for secret in (name, phone, "sci-self"):
        assert not [f"{t}.{c}" for t, c, v in cells if secret in v], secret
    with Session(bot.engine) as s:
        intro = s.execute(select(Outbox.payload).where(
            Outbox.kind == "intro", Outbox.recipient.like("person:%"))).scalar_one()
        assert "已由" in intro["text"] and "［已删除］" in intro["text"]
        assert s.execute(select(Need.status)).scalar_one() == "matched"


def test_a_published_need_is_found_again_by_a_digest_of_its_message(bot: Harness) -> None:
    """The message id that published a need (a WeChat key carries the openid) is stored only
    as a digest; a turn run again after a crash still finds the need by it."""
    from matching.offers import source_key_digest

    bot.reachable()
    assert "请确认" in text(bot.chat(OPENID, NEED, channel="wechat"))
    raw = f"wx:{OPENID}:4711"
    press = Inbound("wechat", OPENID, text="确认发布", key=raw)
    assert "已推送给" in text(bot.dialog.handle(press))
    with Session(bot.engine) as s:
        need_id, key = s.execute(select(Need.id, Need.source_key)).one()
    assert key == source_key_digest(f"wechat:{raw}") and OPENID not in key
    again = bot.dialog.offers.create_need(bot.dialog.matcher.extract(NEED),
                                          source_key=f"wechat:{raw}")
    assert again == need_id


@pytest.mark.parametrize("backend", ["store", "redis"])
def test_dedup_keys_are_stored_hashed(backend: str, bot: Harness,
                                      request: pytest.FixtureRequest) -> None:
    if backend == "redis":
        request.getfixturevalue("redis_url")
    dedup = make_dedup(bot.engine, Settings(), bot.clock)
    key = f"wx:{OPENID}:4711"
    assert dedup.claim(key) and not dedup.claim(key)
    lease = timedelta(seconds=30)
    assert dedup.begin(f"wx:{OPENID}:4712", lease) == "new"
    assert dedup.begin(f"wx:{OPENID}:4712", lease) == "busy"
    dedup.finish(f"wx:{OPENID}:4712")
    assert dedup.begin(f"wx:{OPENID}:4712", lease) == "done"
    dedup.release(key)
    assert dedup.claim(key)
    if isinstance(dedup, Dedup):
        with Session(bot.engine) as s:
            stored = list(s.execute(select(DedupKey.key)).scalars())
    else:
        stored = [k.decode() for k in dedup.redis.scan_iter(dedup.prefix + "*")]
    assert len(stored) == 2 and all(OPENID not in k for k in stored), stored
    assert all(k.split(":")[-2] == "wx" for k in stored)  # the kind stays readable


def test_the_upgrade_hashes_old_keys_and_finishes_earlier_erasures(engine: Engine) -> None:
    """Rows written before this release: raw keys are hashed in place (a re-run still finds
    its need, a re-delivery is still a duplicate), and for a person erased back then the
    messages to them, their needs' transcripts and the introductions quoting them go."""
    from core.settings import get_settings
    from matching.need import NeedDraft
    from matching.offers import OfferService, source_key_digest
    from store import db

    db.upgrade(engine, "0009")
    raw, other = f"wechat:wx:{OPENID}:1", "wechat:wx:oSomeoneElse:2"
    with Session(engine) as s, s.begin():
        gone = Person(display_name="", erased_at=WHEN)
        kept = Person(display_name="李大姐")
        s.add_all([gone, kept])
        s.flush()
        old = Need(requester_id=gone.id, source_key=raw, status="matched",
                   data={"transcript": [f"我是{NAME}"]})
        live = Need(requester_id=kept.id, source_key=other, status="matched",
                    data={"transcript": ["李子园"]})
        s.add_all([old, live])
        s.flush()
        s.add_all([Outbox(kind="reply", recipient=f"person:{gone.id}", status="sent",
                          payload={"text": "答复"}),
                   Outbox(kind="intro", recipient="scientist:s1", status="sent", need_id=old.id,
                          payload={"text": f"{NAME}的联系方式：电话：{PHONE}"}),
                   Outbox(kind="intro", recipient="scientist:s1", status="sent",
                          need_id=live.id, payload={"text": "李大姐的联系方式：电话：13800000000"}),
                   DedupKey(key=f"wx:{OPENID}:5", expires_at=WHEN),
                   DedupKey(key="tg:42", expires_at=WHEN)])
        old_id, live_id = old.id, live.id
    db.upgrade(engine)
    assert leaks(engine) == {}
    with Session(engine) as s:
        assert set(s.execute(select(DedupKey.key)).scalars()) == {
            "tg:42", stored_key(f"wx:{OPENID}:5")}
        assert s.get(Need, old_id).data == {"transcript": []}  # type: ignore[union-attr]
        assert s.get(Need, live_id).source_key == source_key_digest(other)  # type: ignore[union-attr]
        assert [o.need_id for o in s.execute(select(Outbox)).scalars()] == [live_id]
    offers = OfferService(engine, None, get_settings())
    assert offers.create_need(NeedDraft(description="李子园"), source_key=raw) == old_id


def test_a_late_reply_after_erasure_does_not_bring_the_account_back(bot: Harness) -> None:
    """The answer to "确认删除" can be late (WeChat's window) or fail to send (Telegram):
    queueing it must not create the account, and a person, again."""
    from delivery.router import queue_replies
    from store.models import ChannelAccount

    bot.chat(TG_USER, "删除我的数据")
    assert "已删除" in text(bot.press(TG_USER, "delete:yes"))
    with Session(bot.engine) as s:
        people = s.execute(select(func.count()).select_from(Person)).scalar_one()
    queue_replies(bot.engine, "telegram", TG_USER, [{"text": "您的个人数据已删除。",
                                                     "buttons": []}], bot.clock.now())
    with Session(bot.engine) as s:
        assert s.execute(select(func.count()).select_from(ChannelAccount)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(Person)).scalar_one() == people
        assert s.execute(select(func.count()).select_from(Outbox)).scalar_one() == 0


def test_an_erased_scientists_open_offers_move_on_at_once(bot: Harness) -> None:
    bot.bind("sci-a", "s-soil-cp")
    bot.reachable()
    bot.chat("boss", "宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导改良，很急，预算五千，"
                     "同意，电话13800001111")
    assert "已推送给" in text(bot.press("boss", "need:confirm"))
    with Session(bot.engine) as s:
        sci_id = s.execute(select(Scientist.id).where(
            Scientist.external_id == "s-soil-cp")).scalar_one()
        mine = s.execute(select(Offer.id).where(Offer.scientist_id == sci_id,
                                                Offer.status == "pending")).scalar_one()
        before = s.execute(select(func.count()).select_from(Offer)).scalar_one()
    bot.chat("sci-a", "删除我的数据")
    assert "已删除" in text(bot.press("sci-a", "delete:yes"))
    bot.dialog.offers.expire_due()  # the next pass of the background job, no 48-hour wait
    with Session(bot.engine) as s:
        assert s.get(Offer, mine).status == "expired"  # type: ignore[union-attr]
        assert s.execute(select(func.count()).select_from(Offer)).scalar_one() > before
