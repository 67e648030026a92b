"""The partner REST API /api/v1 over real SQLite and PostgreSQL stores: keys and scopes,
region limits, confidentiality, pagination, bulk import and export (round trip through
`kejiyun import`), the `kejiyun apikey` commands, and schemathesis against /openapi.json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from core.settings import Settings, get_settings
from kejiyun.cli import app as cli
from matching.extract import extract_need
from store.models import Article, AuditLog, Need, Scientist
from web import apikeys
from web.api import MAX_ROWS, article_row, scientist_row
from web.app import create_app

from ..support import Harness

ALL_SCOPES = ",".join(apikeys.SCOPES)
YIBIN_NEED = "宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导改良，预算五千元，这周内"
XICHANG_NEED = "西昌的果园土壤酸化，想请专家指导，预算三千元，不急"


@pytest.fixture
def api(bot: Harness) -> Iterator[TestClient]:
    app = create_app(Settings(), engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                     background=False)
    with TestClient(app) as client:
        yield client


def new_key(engine: Engine, scopes: str = ALL_SCOPES, region: str | None = None) -> str:
    token, _ = apikeys.create_key(engine, "测试合作方", scopes, region)
    return token


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def need(bot: Harness, text: str, status: str = "open", confidentiality: str = "public") -> int:
    need_id = bot.dialog.offers.create_need(extract_need(text))
    with Session(bot.engine) as s, s.begin():
        row = s.get(Need, need_id)
        assert row is not None
        row.status, row.confidentiality = status, confidentiality
    return need_id


def walk(client: TestClient, path: str, token: str, limit: int, **params: Any) -> list[dict]:
    items: list[dict] = []
    cursor = None
    for _ in range(1000):
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        page = client.get(path, params=query, headers=auth(token))
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= limit
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


# ---- authentication and scopes ------------------------------------------------------------------
def test_missing_wrong_and_revoked_keys_get_401(api: TestClient, bot: Harness) -> None:
    none = api.get("/api/v1/needs")
    assert none.status_code == 401 and "缺少 API 密钥" in none.json()["error"]
    assert none.headers["www-authenticate"] == "Bearer"
    token = new_key(bot.engine, "needs:read")
    prefix = token.split("_")[1]
    forged = f"kjy_{prefix}_{'x' * 43}"  # a real prefix with the wrong secret
    for bad in (forged, "kjy_00000000_" + "y" * 43, "not-a-key", token + "z"):
        wrong = api.get("/api/v1/needs", headers=auth(bad))
        assert wrong.status_code == 401 and "无效或已吊销" in wrong.json()["error"], bad
    assert api.get("/api/v1/needs", headers=auth(token)).status_code == 200
    assert api.get("/api/v1/needs", headers={"X-API-Key": token}).status_code == 200
    info, changed = apikeys.revoke(bot.engine, prefix)
    assert changed and info.revoked_at is not None
    revoked = api.get("/api/v1/needs", headers=auth(token))
    assert revoked.status_code == 401 and "吊销" in revoked.json()["error"]


def test_missing_scope_gets_403(api: TestClient, bot: Harness) -> None:
    token = new_key(bot.engine, "needs:read")
    for method, path in (("get", "/api/v1/scientists"), ("get", "/api/v1/scientists/s-pest"),
                         ("get", "/api/v1/articles"), ("get", "/api/v1/stats"),
                         ("get", "/api/v1/export/scientists.jsonl"),
                         ("post", "/api/v1/scientists"), ("post", "/api/v1/articles")):
        res = api.request(method, path, headers=auth(token), json=[])
        assert res.status_code == 403, (path, res.text)
        assert "权限" in res.json()["error"]
    read_only = new_key(bot.engine, "scientists:read")
    assert api.post("/api/v1/scientists", headers=auth(read_only),
                    json=[]).status_code == 403


def test_last_used_is_recorded_and_throttled(api: TestClient, bot: Harness) -> None:
    token = new_key(bot.engine, "stats:read")
    assert apikeys.list_keys(bot.engine)[0].last_used_at is None
    api.get("/api/v1/stats", headers=auth(token))
    first = apikeys.list_keys(bot.engine)[0].last_used_at
    assert first is not None
    api.get("/api/v1/stats", headers=auth(token))  # within the minute: no write
    assert apikeys.list_keys(bot.engine)[0].last_used_at == first


# ---- region limits and what partners never see ---------------------------------------------------
def test_region_limited_key_sees_only_its_region(api: TestClient, bot: Harness) -> None:
    mine, theirs = need(bot, YIBIN_NEED), need(bot, XICHANG_NEED)
    token = new_key(bot.engine, region="宜宾市")
    listed = walk(api, "/api/v1/needs", token, 50)
    assert [n["id"] for n in listed] == [mine]
    assert listed[0]["region"] == "宜宾市翠屏区"
    assert api.get(f"/api/v1/needs/{mine}", headers=auth(token)).status_code == 200
    hidden = api.get(f"/api/v1/needs/{theirs}", headers=auth(token))
    assert hidden.status_code == 404 and hidden.json()["error"] == \
        api.get("/api/v1/needs/999999", headers=auth(token)).json()["error"]
    # a region filter cannot widen the key's region
    assert walk(api, "/api/v1/needs", token, 50, region="西昌市") == []

    scientists = walk(api, "/api/v1/scientists", token, 50)
    with Session(bot.engine) as s:
        yibin = set(s.execute(select(Scientist.external_id).where(
            Scientist.region_code.like("5115%"))).scalars())
    assert {x["id"] for x in scientists} == yibin and yibin
    assert api.get("/api/v1/scientists/s-soil-ls", headers=auth(token)).status_code == 404
    assert api.get("/api/v1/scientists/s-soil-cp", headers=auth(token)).status_code == 200
    exported = api.get("/api/v1/export/scientists.jsonl", headers=auth(token)).text
    assert {json.loads(line)["id"] for line in exported.splitlines()} == yibin

    stats = api.get("/api/v1/stats", headers=auth(token)).json()
    assert stats["scientists"] == len(yibin) and stats["needs"]["open"] == 1
    everything = api.get("/api/v1/stats", headers=auth(new_key(bot.engine))).json()
    assert everything["scientists"] == 10 and everything["needs"]["open"] == 2
    assert set(everything) == {"scientists", "articles", "needs", "offers"}


def test_needs_hide_drafts_confidential_needs_and_requester_details(
        api: TestClient, bot: Harness) -> None:
    public = need(bot, YIBIN_NEED + "，电话 13912345678")
    secret = need(bot, YIBIN_NEED, confidentiality="experts_only")
    draft = need(bot, YIBIN_NEED, status="draft")
    token = new_key(bot.engine, "needs:read")
    assert [n["id"] for n in walk(api, "/api/v1/needs", token, 10)] == [public]
    for hidden in (secret, draft):
        assert api.get(f"/api/v1/needs/{hidden}", headers=auth(token)).status_code == 404
    record = api.get(f"/api/v1/needs/{public}", headers=auth(token)).json()
    assert "13912345678" not in json.dumps(record, ensure_ascii=False)
    assert not {"requester_id", "conversation_id", "organization_id", "data", "contact"} & set(
        record)
    assert record["status"] == "open" and record["confidentiality"] == "public"
    assert walk(api, "/api/v1/needs", token, 10, status="closed") == []
    assert api.get("/api/v1/needs", params={"status": "draft"},
                   headers=auth(token)).status_code == 422


def test_contacts_only_with_the_contacts_scope(api: TestClient, bot: Harness) -> None:
    plain = new_key(bot.engine, "scientists:read")
    one = api.get("/api/v1/scientists/s-soil-cd", headers=auth(plain)).json()
    assert "contact" not in one and one["name"] == "赵敏"
    assert all("contact" not in x for x in walk(api, "/api/v1/scientists", plain, 50))
    lines = api.get("/api/v1/export/scientists.jsonl", headers=auth(plain)).text.splitlines()
    assert lines and all("contact" not in json.loads(line) for line in lines)
    assert "19900000003" not in "".join(lines)

    full = new_key(bot.engine, "scientists:read,scientists:contacts")
    one = api.get("/api/v1/scientists/s-soil-cd", headers=auth(full)).json()
    assert one["contact"] == {"phone": "19900000003", "email": "zhao@example.cn"}


def test_articles_unvetted_only_with_write_scope(api: TestClient, bot: Harness) -> None:
    writer = new_key(bot.engine, "articles:read,articles:write")
    report = api.post("/api/v1/articles", headers=auth(writer), json=[
        {"id": "a-wip", "title": "草稿：柑橘黄龙病", "body": "待审核的正文。"}]).json()
    assert report["imported"] == 1
    reader = new_key(bot.engine, "articles:read")
    seen = {a["id"] for a in walk(api, "/api/v1/articles", reader, 2)}
    assert "a-wip" not in seen and seen
    assert api.get("/api/v1/articles/a-wip", headers=auth(reader)).status_code == 404
    assert walk(api, "/api/v1/articles", reader, 5, status="draft") == []
    assert api.get("/api/v1/articles/a-wip", headers=auth(writer)).json()["status"] == "draft"
    assert "a-wip" in {a["id"] for a in walk(api, "/api/v1/articles", writer, 50)}


# ---- pagination ----------------------------------------------------------------------------------
def test_pagination_walks_every_item_exactly_once(api: TestClient, bot: Harness) -> None:
    token = new_key(bot.engine)
    rows = [{"id": f"p-{i:03d}", "name": f"专家{i}", "discipline": "作物学",
             "region": "宜宾市翠屏区" if i % 2 else "成都市温江区"} for i in range(53)]
    assert api.post("/api/v1/scientists", headers=auth(token), json=rows).json()["imported"] == 53
    with Session(bot.engine) as s:
        expected = sorted(s.execute(select(Scientist.external_id)).scalars())
    for limit in (1, 7, 63, 500):
        ids = [x["id"] for x in walk(api, "/api/v1/scientists", token, limit)]
        assert len(ids) == len(set(ids)) and sorted(ids) == expected, limit
    yibin = [x["id"] for x in walk(api, "/api/v1/scientists", token, 4, region="翠屏区",
                                   discipline="作物学")]
    assert len(yibin) == 26 and all(x.startswith("p-") for x in yibin)
    assert [x["id"] for x in walk(api, "/api/v1/scientists", token, 50, q="专家5")] == [
        "p-005", *[f"p-{i:03d}" for i in range(50, 53)]]
    assert {x["available"] for x in walk(api, "/api/v1/scientists", token, 50,
                                         available="false")} == {False}


def test_bad_cursor_and_limit_are_client_errors(api: TestClient, bot: Harness) -> None:
    token = new_key(bot.engine)
    for cursor in ("garbage", "djE6", "djE6LTE", "djE6OTk5OTk5OTk5OTk5", "%%%", "\u00e9"):
        res = api.get("/api/v1/scientists", params={"cursor": cursor}, headers=auth(token))
        assert res.status_code == 400 and "游标" in res.json()["error"], cursor
    for limit in (0, 501, -3, "many"):
        res = api.get("/api/v1/needs", params={"limit": limit}, headers=auth(token))
        assert res.status_code == 422 and "limit" in res.json()["error"], limit
    unknown = api.get("/api/v1/needs", params={"region": "火星"}, headers=auth(token))
    assert unknown.status_code == 400 and "地区" in unknown.json()["error"]
    nul = api.get("/api/v1/scientists", params={"q": "a\x00b"}, headers=auth(token))
    assert nul.status_code == 400


# ---- bulk import ---------------------------------------------------------------------------------
def test_post_import_reports_rejected_rows_and_stores_valid_ones(
        api: TestClient, bot: Harness) -> None:
    token = new_key(bot.engine)
    rows: list[Any] = [
        {"id": "api-1", "name": "钱伟", "discipline": "茶学", "directions": ["茶树病虫害绿色防控"],
         "region": "雅安市名山区", "contact": {"phone": "19900000099"}},
        {"id": "api-2", "discipline": "茶学"},
        "not an object",
        {"id": "api-3", "name": "孙梅", "discipline": "茶学", "region": "火星基地"},
        {"id": "s-pest", "name": "陈刚", "discipline": "植物保护", "region": "宜宾市翠屏区"},
    ]
    res = api.post("/api/v1/scientists", headers=auth(token), json=rows)
    assert res.status_code == 200, res.text
    report = res.json()
    assert (report["imported"], report["updated"], report["rejected_count"]) == (2, 1, 2)
    assert [(r["line"], r["id"]) for r in report["rejected"]] == [(2, "api-2"), (3, None)]
    assert "name" in report["rejected"][0]["error"]
    assert [(w["line"], w["id"]) for w in report["warnings"]] == [(4, "api-3")]
    got = api.get("/api/v1/scientists/api-1", headers=auth(token)).json()
    assert got["region"] == "雅安市名山区" and got["contact"]["phone"] == "19900000099"
    # searchable at once, as after `kejiyun import`
    index = bot.dialog.matcher.index
    assert any(d.parent == "api-1" for d in index.docs("scientists").values())
    with Session(bot.engine) as s:
        audit = s.execute(select(AuditLog).where(AuditLog.entity == "import")).scalars().all()
    assert audit[-1].actor.startswith("apikey:") and audit[-1].after["imported"] == 2

    strict = api.post("/api/v1/scientists", params={"strict": "true"}, headers=auth(token),
                      json=[{"id": "api-9", "name": "甲", "discipline": "茶学"}, {"id": "x"}])
    assert strict.json()["imported"] == 0 and strict.json()["rejected_count"] == 1
    assert api.get("/api/v1/scientists/api-9", headers=auth(token)).status_code == 404

    articles = api.post("/api/v1/articles", headers=auth(token), json=[
        {"id": "a-new", "title": "茶园冬季管理", "body": "冬季清园，修剪病枝。", "status": "vetted",
         "reviewed_by": "钱伟", "reviewed_at": "2026-01-05"},
        {"id": "a-bad", "title": "未署名", "body": "正文", "status": "vetted"}]).json()
    assert articles["imported"] == 1 and articles["rejected"][0]["line"] == 2
    assert "reviewed_by" in articles["rejected"][0]["error"]


def test_post_import_refuses_bad_bodies(api: TestClient, bot: Harness) -> None:
    token = new_key(bot.engine)
    not_array = api.post("/api/v1/scientists", headers=auth(token), json={"id": "x"})
    assert not_array.status_code == 400 and "数组" in not_array.json()["error"]
    broken = api.post("/api/v1/scientists", headers={**auth(token),
                                                     "Content-Type": "application/json"},
                      content=b"[{")
    assert broken.status_code == 400
    too_many = api.post("/api/v1/scientists", headers=auth(token), json=[{}] * (MAX_ROWS + 1))
    assert too_many.status_code == 413
    # "\ud800" is valid JSON but no store can keep it: that row is rejected, not a 500
    lone = api.post("/api/v1/scientists", headers={**auth(token),
                                                   "Content-Type": "application/json"},
                    content=b'[{"id": "x\\ud800", "name": "a", "discipline": "b"},'
                            b' {"id": "ok-1", "name": "\xe7\x94\xb2", "discipline": "b"}]')
    assert lone.status_code == 200, lone.text
    assert lone.json()["imported"] == 1 and lone.json()["rejected"][0]["line"] == 1


def test_region_limited_key_writes_only_inside_its_region(api: TestClient, bot: Harness
                                                          ) -> None:
    token = new_key(bot.engine, "scientists:read,scientists:write", region="宜宾市")
    report = api.post("/api/v1/scientists", headers=auth(token), json=[
        {"id": "yb-1", "name": "甲", "discipline": "茶学", "region": "宜宾市叙州区"},
        {"id": "cd-1", "name": "乙", "discipline": "茶学", "region": "成都市温江区"},
        {"id": "s-soil-cd", "name": "赵敏", "discipline": "土壤学", "region": "宜宾市"},
        {"id": "nowhere", "name": "丙", "discipline": "茶学"}]).json()
    assert report["imported"] == 1
    assert [r["line"] for r in report["rejected"]] == [2, 3, 4]
    assert "地区" in report["rejected"][0]["error"]
    with Session(bot.engine) as s:  # the Chengdu profile was not taken over
        assert s.execute(select(Scientist.region_text).where(
            Scientist.external_id == "s-soil-cd")).scalar_one() == "成都市温江区"


# ---- export → `kejiyun import` round trip ----------------------------------------------------
def _records(engine: Engine) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    with Session(engine) as s:
        for sci in s.execute(select(Scientist)).scalars():
            out["s:" + sci.external_id] = {**scientist_row(sci, True),
                                           "region_code": sci.region_code,
                                           "discipline_code": sci.discipline_code}
        for art in s.execute(select(Article)).scalars():
            out["a:" + art.external_id] = {**article_row(art), "region_code": art.region_code}
    return out


def test_export_then_cli_import_round_trips(api: TestClient, bot: Harness, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    token = new_key(bot.engine)
    api.post("/api/v1/articles", headers=auth(token), json=[
        {"id": "a-wip", "title": "草稿", "body": "待审核。", "tags": ["柑橘"],
         "region": "宜宾市"}])
    api.post("/api/v1/scientists", headers=auth(token), json=[
        {"id": "team-1", "name": "李子团队", "discipline": "园艺学", "kind": "team",
         "achievements": ["专利：李子保鲜"], "title": "研究员", "available": False,
         "contact": {"email": "team@example.cn"}}])
    files = {}
    for kind in ("scientists", "articles"):
        res = api.get(f"/api/v1/export/{kind}.jsonl", headers=auth(token))
        assert res.status_code == 200 and res.headers["content-type"].startswith(
            "application/jsonl")
        files[kind] = tmp_path / f"{kind}.jsonl"
        files[kind].write_bytes(res.content)

    fresh_home = tmp_path / "fresh"
    monkeypatch.setenv("KEJIYUN_HOME", str(fresh_home))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{fresh_home / 'fresh.db'}")
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    for kind, path in files.items():
        done = runner.invoke(cli, ["import", kind, str(path), "--json"])
        assert done.exit_code == 0, done.output
        report = json.loads(done.stdout)
        assert report["rejected"] == [] and report["imported"] == len(
            path.read_text(encoding="utf-8").splitlines())
    from store.db import make_engine

    fresh = make_engine()
    try:
        assert _records(fresh) == _records(bot.engine)
    finally:
        fresh.dispose()


# ---- the CLI -------------------------------------------------------------------------------------
def test_apikey_cli_add_list_revoke(bot: Harness, db_url: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    runner = CliRunner()
    plain = runner.invoke(cli, ["apikey", "add", "重庆平台", "--scopes", "needs:read,stats:read"])
    assert plain.exit_code == 0, plain.output
    shown = plain.stdout.strip().splitlines()[-1]
    assert shown.startswith("kjy_") and apikeys.verify(bot.engine, shown) is not None

    added = runner.invoke(cli, ["apikey", "add", "宜宾平台", "--scopes",
                                "scientists:read, scientists:contacts", "--region", "宜宾市",
                                "--json"])
    assert added.exit_code == 0, added.output
    info = json.loads(added.stdout)
    assert info["scopes"] == ["scientists:read", "scientists:contacts"]
    assert info["region"] == "511500" and info["key"].startswith(f"kjy_{info['prefix']}_")
    key = apikeys.verify(bot.engine, info["key"])
    assert key is not None and key.region_code == "511500"

    listed = runner.invoke(cli, ["apikey", "list", "--json"])
    assert listed.exit_code == 0
    assert [k["name"] for k in json.loads(listed.stdout)] == ["重庆平台", "宜宾平台"]
    text = runner.invoke(cli, ["apikey", "list"]).stdout
    for output in (listed.stdout, text):
        assert info["key"] not in output and shown not in output
        assert info["key"].split("_", 2)[2] not in output
    assert info["prefix"] in text and "宜宾市" in text

    revoked = runner.invoke(cli, ["apikey", "revoke", info["prefix"]])
    assert revoked.exit_code == 0 and "已吊销" in revoked.stdout
    assert apikeys.verify(bot.engine, info["key"]) is None
    assert runner.invoke(cli, ["apikey", "revoke", info["prefix"]]).exit_code == 0
    assert json.loads(runner.invoke(cli, ["apikey", "list", "--json"]).stdout)[1][
        "active"] is False
    with Session(bot.engine) as s:
        audit = s.execute(select(AuditLog.action, AuditLog.entity_id).where(
            AuditLog.entity == "api_key").order_by(AuditLog.id)).all()
        assert [a for a, _ in audit] == ["create", "create", "revoke"]
        assert info["key"] not in json.dumps(
            [r.after for r in s.execute(select(AuditLog)).scalars()], ensure_ascii=False)

    for args, message in ((["revoke", "ffffffff"], "没有前缀"),
                          (["add", "x", "--scopes", "needs:write"], "未知的权限范围"),
                          (["add", "x", "--scopes", ","], "至少指定一个"),
                          (["add", "x", "--scopes", "needs:read", "--region", "火星"],
                           "无法识别地区")):
        bad = runner.invoke(cli, ["apikey", *args])
        assert bad.exit_code == 2 and message in bad.output, (args, bad.output)


# ---- the OpenAPI document and schemathesis ---------------------------------------------------
def test_openapi_document_is_about_the_partner_api(api: TestClient, bot: Harness) -> None:
    doc = api.get("/openapi.json").json()
    assert "合作平台接口" in doc["info"]["title"]
    assert [p for p in doc["paths"]
            if not p.startswith("/api/v1/") and p not in {"/healthz", "/readyz"}] == []
    with_wechat = create_app(
        Settings(WECHAT_TOKEN="t", WECHAT_APP_ID="wx1", WECHAT_APP_SECRET="s",
                 WECHAT_API_BASE_URL="http://127.0.0.1:9"),
        engine=bot.engine, dialog=bot.dialog, clock=bot.clock, background=False)
    assert any(getattr(r, "path", "") == "/wechat" for r in with_wechat.routes)
    assert set(with_wechat.openapi()["paths"]) == set(doc["paths"])
    assert "/api/v1/needs/{need_id}" in doc["paths"]
    assert "/api/v1/export/articles.jsonl" in doc["paths"]
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"]["type"] == "http" and schemes["bearer"]["scheme"] == "bearer"
    assert schemes["apiKey"]["in"] == "header" and schemes["apiKey"]["name"] == "X-API-Key"
    body = doc["paths"]["/api/v1/scientists"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["maxItems"] == MAX_ROWS


def test_schemathesis_finds_no_server_errors(bot: Harness) -> None:
    """Every documented operation, with valid and with invalid input (15 examples each): no
    5xx, only documented status codes and content types, bodies matching their schemas."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    need(bot, YIBIN_NEED)
    need(bot, XICHANG_NEED, status="unmatched")
    token = new_key(bot.engine)
    app = create_app(Settings(), engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                     background=False)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 12

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=15, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case: Any) -> None:
                case.call_and_validate(headers=auth(token), checks=checks)

            try:
                run()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # no parameters to get wrong


# ---- partner content goes through staff review ------------------------------------------------
PARTNER_ARTICLE = {"id": "partner-tea", "title": "茶园越冬防冻妙招",
                   "body": "茶园越冬防冻，入冬前每亩撒施草木灰八十公斤，再用稻草覆盖茶蓬。",
                   "status": "vetted", "reviewed_by": "合作方编辑", "reviewed_at": "2026-11-30",
                   "tags": ["茶叶"]}


def _cited(bot: Harness, question: str, region: str | None = None) -> list[str]:
    bot.dialog.matcher.index.sync_all()  # what serve's ticker does every 2 s
    return [c.article_id for c in bot.dialog.answerer.ask(question, region).citations]


def test_partner_vetted_article_waits_for_staff_review(api: TestClient, bot: Harness) -> None:
    token = new_key(bot.engine, "articles:read,articles:write", region="雅安市")
    report = api.post("/api/v1/articles", headers=auth(token),
                      json=[{**PARTNER_ARTICLE, "region": "雅安市名山区"}]).json()
    assert report["imported"] == 1
    assert "待审核" in report["warnings"][0]["warning"]
    with Session(bot.engine) as s:
        art = s.execute(select(Article).where(Article.external_id == "partner-tea")).scalar_one()
        assert art.status == "review" and art.reviewed_by == ""
        audit = s.execute(select(AuditLog).where(AuditLog.entity == "article",
                                                 AuditLog.entity_id == "partner-tea")
                          ).scalars().all()
        assert audit[-1].after == {"status": "review"}
    question = "茶园越冬咋个防冻，草木灰撒多少"
    assert "partner-tea" not in _cited(bot, question, "511803")  # not before review
    assert api.get("/api/v1/articles/partner-tea", headers=auth(token)).json()["status"] \
        == "review"

    # staff vet it (the console's review step): now it answers, but only in its region
    with Session(bot.engine) as s, s.begin():
        art = s.execute(select(Article).where(Article.external_id == "partner-tea")).scalar_one()
        art.status, art.reviewed_by = "vetted", "雅安市科协 审核员"
        art.updated_at = datetime.now(UTC)
    assert _cited(bot, question, "511803")[0] == "partner-tea"       # 名山区
    assert _cited(bot, question, "511800")[0] == "partner-tea"       # 雅安市
    assert "partner-tea" not in _cited(bot, question, "510115")       # 成都市温江区
    assert "partner-tea" not in _cited(bot, "宜宾的" + question)        # place named in the text
    # in chat: the place the farmer names decides
    assert "茶园越冬防冻妙招" in bot.chat("f-yaan", "名山的" + question)[0].text
    assert "茶园越冬防冻妙招" not in bot.chat("f-cd", "温江的" + question)[0].text

    # a partner's later edit of the vetted article goes back to review, out of the answers
    api.post("/api/v1/articles", headers=auth(token),
             json=[{**PARTNER_ARTICLE, "region": "雅安市名山区",
                    "body": "改过的正文：每亩撒二百公斤。"}])
    assert "partner-tea" not in _cited(bot, question, "511803")
