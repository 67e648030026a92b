"""Staff console, first slice: login with lockout and sign-in throttling (also under parallel
guesses), CSRF, logout, flash messages, region scope, the unmatched queue and manual
assignment; `kejiyun staff add`."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from core.clock import ManualClock
from core.settings import Settings
from kejiyun.cli import app as cli
from matching.extract import extract_need
from store.models import AuditLog, ConsoleSession, LoginThrottle, Need, Offer
from web import staff as auth
from web.app import create_app
from web.staff import add_staff

from ..support import Harness

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


def client_from(console: TestClient, ip: str) -> TestClient:
    """Another browser on the same app, connecting from `ip`."""
    return TestClient(console.app, client=(ip, 50000))


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


class CountingHasher(PasswordHasher):
    """argon2 as usual, counting the passwords actually checked (thread-safe)."""

    def __init__(self) -> None:
        super().__init__()
        self.checked = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._lock:
            self.checked += 1
        return super().verify(hash, password)


def test_parallel_wrong_passwords_check_at_most_five(store: Engine,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """20 guesses at once: the failure count is kept in SQL, reserved before each check, so at
    most 5 passwords are ever checked before the lock (a read-modify-write in Python let 55
    through on SQLite)."""
    clock = ManualClock()
    add_staff(store, "cuiping", PASSWORD, "county", "宜宾市翠屏区", clock=clock)
    hasher = CountingHasher()
    monkeypatch.setattr(auth, "_hasher", hasher)
    start = threading.Barrier(20)
    replies: list[tuple[str | None, str]] = []

    def guess() -> None:
        start.wait()
        replies.append(auth.login(store, "cuiping", "wrong-password", clock))

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(replies) == 20 and all(token is None for token, _ in replies)
    assert hasher.checked == auth.MAX_FAILURES  # 5 checked, and not one more
    messages = [m for _, m in replies]
    assert messages.count(auth.WRONG) == auth.MAX_FAILURES - 1
    assert auth.LOCKED in messages
    with Session(store) as s:  # locked once, by the fifth failure
        assert s.execute(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "locked")).scalar_one() == 1
    # even the right password is refused now, without being checked
    token, _ = auth.login(store, "cuiping", PASSWORD, clock)
    assert token is None and hasher.checked == auth.MAX_FAILURES
    clock.advance(minutes=16)
    assert auth.login(store, "cuiping", PASSWORD, clock)[0] is not None


def test_failed_sign_in_does_not_tell_whether_the_user_exists(
        store: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = ManualClock()
    add_staff(store, "cuiping", PASSWORD, "county", "宜宾市翠屏区", clock=clock)
    hasher = CountingHasher()
    monkeypatch.setattr(auth, "_hasher", hasher)
    for attempt in range(1, 6):
        known = auth.login(store, "cuiping", "wrong-password", clock, client_ip="10.1.1.1")
        unknown = auth.login(store, "nobody", "wrong-password", clock, client_ip="10.2.2.2")
        assert known == unknown == (None, auth.WRONG if attempt < 5 else auth.LOCKED)
        assert hasher.checked == 2 * attempt  # a password check for the unknown name too
    assert auth.login(store, "nobody", PASSWORD, clock, client_ip="10.2.2.2") == (
        None, auth.LOCKED)


def test_login_page_says_the_same_for_unknown_users(console: TestClient) -> None:
    first = console.get("/console/login")
    csrf = csrf_of(first.text)

    def attempt(user: str):  # type: ignore[no-untyped-def]
        return console.post("/console/login", data={"username": user,
                                                    "password": "wrong-password", "csrf": csrf})
    known, unknown = attempt("cuiping"), attempt("no-such-user")
    assert known.status_code == unknown.status_code == 401
    assert known.text == unknown.text and auth.WRONG in known.text


def test_guesses_from_one_ip_cannot_lock_out_the_user(console: TestClient,
                                                       bot: Harness) -> None:
    attacker, office = client_from(console, "203.0.113.9"), client_from(console, "10.20.0.5")
    for _ in range(4):
        assert auth.WRONG in login(attacker, "cuiping", "wrong-password").text
    assert auth.LOCKED in login(attacker, "cuiping", "wrong-password").text
    assert auth.LOCKED in login(attacker, "cuiping").text  # locked from there, right or wrong
    ok = login(office, "cuiping")  # the staff member in the office is not locked out
    assert ok.status_code == 303 and "kjy_console" in ok.cookies
    # one address is capped across usernames: 10 failures, and it may not sign in at all
    for user in ("xichang", "no-such-user", "admin", "xichang", "no-such-user"):
        assert login(attacker, user, "wrong-password").status_code == 401
    assert auth.THROTTLED in login(attacker, "admin").text
    assert login(office, "admin").status_code == 303
    bot.clock.advance(timedelta(minutes=16))
    assert login(attacker, "admin").status_code == 303


def test_guesses_from_many_ips_lock_the_account_for_everyone(
        store: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = ManualClock()
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=64,
                                                       parallelism=1))  # cheap: 60 tries
    add_staff(store, "cuiping", PASSWORD, "county", "宜宾市翠屏区", clock=clock)
    add_staff(store, "admin", PASSWORD, "province", "四川省", clock=clock)
    failures = 0
    for ip in range(10):  # each address stops at its own lock, after 5
        for _ in range(6):
            token, _ = auth.login(store, "cuiping", "wrong", clock, client_ip=f"10.0.0.{ip}")
            failures += token is None
    assert failures == 60
    assert auth.login(store, "cuiping", PASSWORD, clock, client_ip="10.9.9.9") == (
        None, auth.LOCKED)  # 50 failures: locked wherever the next attempt comes from
    assert auth.login(store, "admin", PASSWORD, clock, client_ip="10.9.9.9")[0] is not None
    clock.advance(minutes=16)
    assert auth.login(store, "cuiping", PASSWORD, clock, client_ip="10.9.9.9")[0] is not None
    with Session(store) as s:  # a sign-in clears the lapsed counts away
        left = list(s.execute(select(LoginThrottle)).scalars())
    assert sorted(r.key.split(":")[0] for r in left) == ["ip", "user"]  # this one's, at 0
    assert all(r.failures == 0 for r in left)


def test_logout_ends_the_server_session(console: TestClient, bot: Harness) -> None:
    def sessions() -> int:
        with Session(bot.engine) as s:
            return s.execute(select(func.count()).select_from(ConsoleSession)).scalar_one()

    for how in ("post with csrf", "post without csrf", "get"):
        login(console, "cuiping")
        token = console.cookies.get("kjy_console")
        assert token and sessions() == 1
        page = console.get("/console").text
        if how == "post with csrf":
            out = console.post("/console/logout", data={"csrf": csrf_of(page)},
                               follow_redirects=False)
        elif how == "post without csrf":
            out = console.post("/console/logout", follow_redirects=False)
        else:
            out = console.get("/console/logout", follow_redirects=False)
        assert out.status_code == 303 and out.headers["location"] == "/console/login", how
        assert sessions() == 0, how
        # the old cookie is worth nothing now, even if someone kept a copy
        console.cookies.set("kjy_console", token)
        assert console.get("/console", follow_redirects=False).status_code == 303, how
        console.cookies.clear()


def test_banners_never_come_from_the_url(console: TestClient, bot: Harness) -> None:
    need_id = unmatched_need(bot, "宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导")
    login(console, "cuiping")
    spoof = "您的账号已被冻结，请拨打 400-000-0000"
    for path in (f"/console/needs/{need_id}", "/console/articles/a-acid",
                 "/console/scientists/s-soil-cp"):
        for param in ("message", "msg", "error"):
            page = console.get(path, params={param: spoof})
            assert page.status_code == 200 and "账号已被冻结" not in page.text, (path, param)
    detail = console.get(f"/console/needs/{need_id}").text
    done = console.post(f"/console/needs/{need_id}/assign",
                        data={"scientist_id": "s-soil-cp", "csrf": csrf_of(detail)},
                        follow_redirects=False)
    assert done.headers["location"] == f"/console/needs/{need_id}"  # nothing in the URL
    assert "已发出邀请" in console.get(done.headers["location"]).text
    assert "已发出邀请" not in console.get(f"/console/needs/{need_id}").text  # shown once
    # a flash belongs to its session: another signed-in browser does not see it
    other = client_from(console, "10.20.0.6")
    login(other, "cuiping")
    console.post(f"/console/needs/{need_id}/assign",
                 data={"scientist_id": "nobody", "csrf": csrf_of(detail)},
                 follow_redirects=False)
    assert "找不到科技工作者" not in other.get(f"/console/needs/{need_id}").text
    assert "找不到科技工作者" in console.get(f"/console/needs/{need_id}").text


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
    # ids beyond the column's range (int64 and more) are simply not there: 404, never a 500
    for big in (2**31, 2**63, 10**30):
        assert console.get(f"/console/needs/{big}").status_code == 404


def test_staff_add_cli(bot: Harness, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import get_settings

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
