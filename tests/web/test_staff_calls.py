"""Imported scientists without a chat account: a published need becomes a phone task for the
local staff in the console (with the scientist's phone), the requester is told so, and what
staff record — accepted, declined, unreachable — moves the need on (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings
from store.models import Need, Offer, Outbox
from web.app import create_app
from web.staff import add_staff

from ..support import Harness, text
from .test_console import PASSWORD, csrf_of, login

NEED = ("宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导改良，很急，预算五千，"
        "同意，电话13800001111")


@pytest.fixture
def console(bot: Harness) -> Iterator[TestClient]:
    add_staff(bot.engine, "cuiping", PASSWORD, "county", "宜宾市翠屏区", "翠屏区科协")
    add_staff(bot.engine, "xichang", PASSWORD, "county", "凉山彝族自治州西昌市")
    app = create_app(Settings(), engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                     background=False)
    with TestClient(app) as client:
        yield client


def _publish(bot: Harness) -> tuple[int, str]:
    assert "请确认" in text(bot.chat("boss", NEED))
    said = text(bot.press("boss", "need:confirm"))
    with Session(bot.engine) as s:
        need_id = s.execute(select(Need.id)).scalar_one()
    return need_id, said


def _calls(bot: Harness, need_id: int) -> list[Offer]:
    with Session(bot.engine) as s:
        return list(s.execute(select(Offer).where(Offer.need_id == need_id,
                                                  Offer.via == "staff")
                              .order_by(Offer.id)).scalars())


def test_no_bound_expert_means_a_phone_task_the_requester_is_told_about(
        console: TestClient, bot: Harness) -> None:
    need_id, said = _publish(bot)
    assert "已请当地科协工作人员电话联系 1 位专家" in said and "推送给" not in said
    [call] = _calls(bot, need_id)
    bot.deliver()
    with Session(bot.engine) as s:  # nothing was "pushed" to anyone
        assert not s.execute(select(Outbox).where(Outbox.recipient.like("scientist:%"))).all()
    # the county's staff see the task with the number to call; another county's do not
    login(console, "cuiping")
    board = console.get("/console").text
    assert "待电话联系专家（1）" in board and "19900000001" in board and f"#{need_id}" in board
    other = TestClient(console.app)
    login(other, "xichang")
    assert "19900000001" not in other.get("/console").text
    assert other.post(f"/console/needs/{need_id}/calls/{call.id}",
                      data={"result": "accept", "csrf": "x"}).status_code == 403
    page = console.get(f"/console/needs/{need_id}").text
    assert "电话联系 19900000001" in page
    # no CSRF token, or an offer of another need: refused, nothing changes
    assert console.post(f"/console/needs/{need_id}/calls/{call.id}",
                        data={"result": "accept"}, follow_redirects=False).status_code == 403
    assert console.post(f"/console/needs/{need_id}/calls/{call.id + 999}",
                        data={"result": "accept", "csrf": csrf_of(page)}).status_code == 404
    assert _calls(bot, need_id)[0].status == "pending"


def test_unreachable_then_accepted_by_phone(console: TestClient, bot: Harness) -> None:
    need_id, _ = _publish(bot)
    [first] = _calls(bot, need_id)
    login(console, "cuiping")
    page = console.get(f"/console/needs/{need_id}").text
    done = console.post(f"/console/needs/{need_id}/calls/{first.id}",
                        data={"result": "unreachable", "note": "打了三次没人接",
                              "csrf": csrf_of(page)})
    assert "下一位专家" in done.text and "电话联系不上" in done.text
    calls = _calls(bot, need_id)
    assert [c.status for c in calls] == ["expired", "pending"]  # the next one, at once
    second = calls[1]
    done = console.post(f"/console/needs/{need_id}/calls/{second.id}",
                        data={"result": "accept", "csrf": csrf_of(done.text)})
    assert "专家同意接单" in done.text
    with Session(bot.engine) as s:
        assert s.get(Need, need_id).status == "matched"  # type: ignore[union-attr]
    # the requester consented, but this expert is not verified: nothing to pass on until the
    # requester agrees again; then staff see the number to pass on by phone
    assert "13800001111" not in done.text and 'id="relay"' not in done.text
    told = bot.notes("boss")
    assert "已由" in text(told) and "专家联系方式：电话：199000000" in text(told)
    share = [b.action for r in told for b in r.buttons if b.action.startswith("share:")]
    assert "工作人员" in text(bot.press("boss", share[0]))
    page = console.get(f"/console/needs/{need_id}").text
    assert "13800001111" in page and 'id="relay"' in page
    with Session(bot.engine) as s:
        assert not s.execute(select(Outbox).where(Outbox.recipient.like("scientist:%"))).all()


def test_a_declined_call_is_recorded_with_the_reason(console: TestClient, bot: Harness) -> None:
    need_id, _ = _publish(bot)
    [call] = _calls(bot, need_id)
    login(console, "cuiping")
    page = console.get(f"/console/needs/{need_id}").text
    console.post(f"/console/needs/{need_id}/calls/{call.id}",
                 data={"result": "decline", "note": "这个月在外地", "csrf": csrf_of(page)})
    with Session(bot.engine) as s:
        row = s.get(Offer, call.id)
        assert row is not None and row.status == "declined" and "这个月在外地" in row.note
    assert len(_calls(bot, need_id)) == 2  # the next expert is phoned
