"""A web worker is killed (SIGKILL) in the middle of a turn.

Telegram re-delivers the update: while the dead worker's processing lease lasts the new worker
answers 503 (retry later), afterwards it processes the update — exactly once, however often it
is re-delivered. WeChat retries for 15 s only: the message was kept in the store, and once the
lease has run out the next worker's background job runs the turn and pushes the answer, once.

Real `kejiyun serve` processes; the turn is held mid-way by a slow loopback LLM.

The servers' leases run on the wall clock, so nothing here may depend on how fast a loaded
machine starts a worker or answers: the second worker is up before the first is killed, and
each timing assertion uses a bound that holds however slow the machine is — the lease was
taken after the message was posted (`posted_at`) and before its turn reached the LLM
(`claimed_at`). A check the machine was too slow to reach in time is skipped, never guessed."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.handlers.wechat import signature
from store.models import Conversation, PendingTurn

from ..fake_openai import running as llm_running
from ..fake_telegram import running as telegram_running
from ..fake_wechat import running as wechat_running
from ..support import Harness, free_port, healthy, wait_until

SECRET = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
LEASE = 15.0  # the retry is sent within seconds of the kill: well inside the lease


def serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    exe = Path(sys.executable).parent / "kejiyun"
    port = free_port()
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: healthy(url), timeout=120, interval=0.3,
                   message="kejiyun serve did not come up")
    except AssertionError:
        proc.kill()
        raise
    return proc, url


def kill_mid_turn(proc: subprocess.Popen[bytes], llm: Any, post: Callable[[], Any]
                  ) -> tuple[float, float]:
    """Send the message, wait until its turn hangs in the slow LLM (claimed, answering), then
    SIGKILL the worker: no cleanup, no reply. Returns (posted_at, claimed_at): the message's
    lease was taken between the two (monotonic seconds)."""
    try:
        seen = len(llm.requests)
        posted_at = time.monotonic()
        threading.Thread(target=post, daemon=True).start()
        wait_until(lambda: len(llm.requests) != seen, timeout=60,
                   message="the turn never reached the LLM")
        claimed_at = time.monotonic()
        proc.kill()
        proc.wait(timeout=30)
        return posted_at, claimed_at
    finally:
        if proc.poll() is None:
            proc.kill()


def _stop(*procs: subprocess.Popen[bytes]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
        if proc.poll() is None:
            proc.kill()


def test_update_is_processed_once_after_its_worker_was_killed(bot: Harness) -> None:
    update = {"update_id": 9101, "message": {
        "message_id": 1, "date": int(time.time()), "text": "李子园土壤酸化了怎么改良",
        "chat": {"id": 5151, "type": "private"},
        "from": {"id": 5151, "is_bot": False, "first_name": "农户"}}}
    with telegram_running() as tg, llm_running() as llm:
        llm.delay = 15.0  # the first worker's turn hangs in the LLM call
        env = {**os.environ,
               "DATABASE_URL": bot.engine.url.render_as_string(hide_password=False),
               "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.url,
               "TELEGRAM_WEBHOOK_SECRET": "s3cret",
               "TELEGRAM_WEBHOOK_URL": "https://example.invalid/telegram/webhook",
               "LLM_BASE_URL": llm.url, "LLM_MODEL": "slow-model",
               "DEDUP_LEASE_SECONDS": str(LEASE)}
        first, url = serve(env)
        second: subprocess.Popen[bytes] | None = None
        try:
            second, url2 = serve(env)  # up before the kill: its start-up time is no factor
            posted_at, claimed_at = kill_mid_turn(first, llm,
                                                  lambda: _post_quietly(url, update))
            assert tg.sent(5151) == []

            llm.delay, llm.reply = 0.0, ""  # the next worker's LLM answers at once
            with httpx.Client(base_url=url2, timeout=60) as client:
                retry = client.post("/telegram/webhook", json=update, headers=SECRET)
                if time.monotonic() < posted_at + LEASE:
                    # answered while the dead worker's lease certainly held: retry later,
                    # do not drop it (and do not run it: that worker may still be alive)
                    assert retry.status_code == 503
                    assert tg.sent(5151) == []
                else:  # this machine took a whole lease to get here: nothing to learn
                    assert retry.status_code in (200, 503)
                # the lease was taken before the turn reached the LLM: it has run out then
                time.sleep(max(0.0, claimed_at + LEASE + 0.5 - time.monotonic()))
                done = client.post("/telegram/webhook", json=update, headers=SECRET)
                assert done.status_code == 200
                assert len(tg.sent(5151)) == 1 and "石灰" in tg.sent(5151)[0]["text"]
                again = client.post("/telegram/webhook", json=update, headers=SECRET)
                assert again.status_code == 200 and len(tg.sent(5151)) == 1  # exactly once
        finally:
            _stop(first, *([second] if second else []))


def _post_quietly(url: str, update: dict) -> None:  # type: ignore[type-arg]
    with contextlib.suppress(httpx.HTTPError):  # this request dies with its worker
        httpx.post(f"{url}/telegram/webhook", json=update, headers=SECRET, timeout=60)


def _wechat_params() -> dict[str, str]:
    ts, nonce = str(int(time.time())), f"n{time.time_ns()}"
    return {"timestamp": ts, "nonce": nonce, "signature": signature("wx-token", ts, nonce)}


def _wechat_post(url: str, body: str, params: dict[str, str], quietly: bool = False) -> bytes:
    try:
        return httpx.post(f"{url}/wechat", params=params, content=body.encode(),
                          timeout=60).content
    except httpx.HTTPError:
        if quietly:  # this request dies with its worker
            return b""
        raise


def test_wechat_message_is_answered_once_after_its_worker_was_killed(bot: Harness) -> None:
    user = "openid-killed"
    body = ("<xml><ToUserName><![CDATA[gh_kejiyun]]></ToUserName>"
            f"<FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            "<Content><![CDATA[李子园土壤酸化了怎么改良]]></Content><MsgId>77001</MsgId></xml>")

    def version() -> int:
        with Session(bot.engine) as s:
            v = s.execute(select(Conversation.version).where(
                Conversation.platform_user_id == user)).scalar_one_or_none()
        return v or 0

    with wechat_running() as api, llm_running() as llm:
        llm.delay = 15.0  # the first worker's turn hangs in the LLM call
        env = {**os.environ,
               "DATABASE_URL": bot.engine.url.render_as_string(hide_password=False),
               "WECHAT_TOKEN": "wx-token", "WECHAT_APP_ID": "wx1234567890abcdef",
               "WECHAT_APP_SECRET": "s", "WECHAT_API_BASE_URL": api.url,
               "LLM_BASE_URL": llm.url, "LLM_MODEL": "slow-model",
               "DEDUP_LEASE_SECONDS": str(LEASE)}
        first, url = serve(env)
        second: subprocess.Popen[bytes] | None = None
        try:
            second, url2 = serve(env)  # up before the kill: its start-up time is no factor
            params = _wechat_params()
            posted_at, claimed_at = kill_mid_turn(
                first, llm, lambda: _wechat_post(url, body, params, quietly=True))
            assert api.sent == [] and version() == 0
            with Session(bot.engine) as s:  # what the dead worker left: the message itself
                assert s.execute(select(func.count()).select_from(PendingTurn)).scalar_one() \
                    == 1

            llm.delay, llm.reply = 0.0, ""  # the next worker's LLM answers at once
            # WeChat's retry (the very same request) finds the message taken: a duplicate,
            # not a replay; nothing runs now
            assert _wechat_post(url2, body, params) == b"success"
            if time.monotonic() < posted_at + LEASE:  # the lease certainly still holds
                assert version() == 0 and api.sent == []
            # the ticker recovers the turn once the lease has run out
            wait_until(lambda: api.sent, timeout=claimed_at + LEASE + 60 - time.monotonic(),
                       interval=0.3, message="the turn was never recovered and pushed")
            # not before the lease ran out (it was taken after the message was posted)
            assert time.monotonic() - posted_at >= LEASE
            time.sleep(6)  # a few more ticks: nothing is sent or run twice
            pushed = [m["text"]["content"] for m in api.sent if m.get("touser") == user]
            assert len(pushed) == 1 and "石灰" in pushed[0], api.sent
            assert version() == 1
            with Session(bot.engine) as s:
                assert s.execute(select(func.count()).select_from(PendingTurn)).scalar_one() \
                    == 0
        finally:
            _stop(first, *([second] if second else []))
