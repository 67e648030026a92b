"""Staff console, first slice: login with lockout, CSRF, region scope, the unmatched queue
and manual assignment; `kejiyun staff add`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from kejiyun.cli import app as cli
from kejiyun.settings import Settings
from matching.extract import extract_need
from store.models import Need, Offer
from web.app import create_app
from web.staff import add_staff

from ..bot.conftest import Harness

PASSWORD = "correct-horse-9"


@pytest.fixture
def console(bot: Harness) -> Iterator[TestClient]:
    add_staff(bot.engine, "cuiping", PASSWORD, "county", "宜宾市翠屏区", "翠屏区科协")
    add_staff(bot.engine, "xichang", PASSWORD, "county", "凉山彝族自治州西昌市")
    add_staff(bot.engine, "admin", PASSWORD, "province", "四川省")
    app = create_app(Settings(), engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                     background=False)
    with TestClient(app) as client:
        yield client


def login(client: TestClient, user: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    form = client.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    return client.post("/console/login", data={"username": user, "password": password,
                                               "csrf": csrf}, follow_redirects=False)


def unmatched_need(bot: Harness, text: str) -> int:
    d = extract_need(text)
    offers = bot.dialog.offers
    need_id = offers.create_need(d)
    with Session(bot.engine) as s, s.begin():
        s.get(Need, need_id).status = "unmatched"  # type: ignore[union-attr]
    return need_id


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_login_lockout_and_csrf(console: TestClient, bot: Harness) -> None:
    assert console.get("/console", follow_redirects=False).status_code == 303
    # a POST without the login form's CSRF token is refused outright
    assert console.post("/console/login", data={"username": "cuiping",
                                                "password": PASSWORD}).status_code == 403
    for _ in range(4):
        assert login(console, "cuiping", "wrong-password").status_code == 401
    locked = login(console, "cuiping", "wrong-password")
    assert "锁定" in locked.text
    assert "锁定" in login(console, "cuiping").text  # even the right password, for now
    bot.clock.advance(timedelta(minutes=16))
    ok = login(console, "cuiping")
    assert ok.status_code == 303 and "kjy_console" in ok.cookies
    assert "需求看板" in console.get("/console").text


def test_county_staff_see_only_their_county(console: TestClient, bot: Harness) -> None:
    mine = unmatched_need(bot, "宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导")
    theirs = unmatched_need(bot, "西昌的果园土壤酸化，想请专家指导")
    login(console, "cuiping")
    board = console.get("/console").text
    assert f"/console/needs/{mine}" in board and f"/console/needs/{theirs}" not in board
    assert console.get(f"/console/needs/{theirs}").status_code == 403
    detail = console.get(f"/console/needs/{mine}")
    assert detail.status_code == 200 and "指派专家" in detail.text
    # assigning someone else's need is refused as well
    assert console.post(f"/console/needs/{theirs}/assign",
                        data={"scientist_id": "s-soil-ls",
                              "csrf": csrf_of(detail.text)}).status_code == 403


def test_assign_from_the_unmatched_queue_needs_csrf(console: TestClient, bot: Harness) -> None:
    need_id = unmatched_need(bot, "宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导")
    login(console, "cuiping")
    detail = console.get(f"/console/needs/{need_id}").text
    no_csrf = console.post(f"/console/needs/{need_id}/assign",
                           data={"scientist_id": "s-soil-cp"}, follow_redirects=False)
    assert no_csrf.status_code == 403
    done = console.post(f"/console/needs/{need_id}/assign",
                        data={"scientist_id": "s-soil-cp", "csrf": csrf_of(detail)})
    assert done.status_code == 200 and "已发出邀请" in done.text
    assert "s-soil-cp" in done.text and "人工指派" in done.text  # offers and audit trail
    with Session(bot.engine) as s:
        assert s.execute(select(Need.status).where(Need.id == need_id)).scalar_one() == "offered"
        assert s.execute(select(Offer).where(Offer.need_id == need_id)).scalar_one()
    unknown = console.post(f"/console/needs/{need_id}/assign",
                           data={"scientist_id": "nobody", "csrf": csrf_of(detail)})
    assert "找不到科技工作者" in unknown.text


def test_province_admin_sees_everything(console: TestClient, bot: Harness) -> None:
    a = unmatched_need(bot, "宜宾翠屏区的李子园土壤酸化板结")
    b = unmatched_need(bot, "西昌的果园土壤酸化")
    login(console, "admin")
    board = console.get("/console").text
    assert f"/console/needs/{a}" in board and f"/console/needs/{b}" in board


def test_staff_add_cli(bot: Harness, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from kejiyun.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    runner = CliRunner()
    ok = runner.invoke(cli, ["staff", "add", "yibin", "--role", "city", "--region", "宜宾市",
                             "--password", "a-long-password"])
    assert ok.exit_code == 0, ok.output
    dup = runner.invoke(cli, ["staff", "add", "yibin", "--role", "city", "--region", "宜宾市",
                              "--password", "a-long-password"])
    assert dup.exit_code == 2 and "已存在" in dup.output
    bad = runner.invoke(cli, ["staff", "add", "x", "--role", "county", "--region", "宜宾市",
                              "--password", "a-long-password"])
    assert bad.exit_code == 2 and "不符" in bad.output
    short = runner.invoke(cli, ["staff", "add", "y", "--role", "city", "--region", "宜宾市",
                                "--password", "short"])
    assert short.exit_code == 2 and "至少 10 位" in short.output
