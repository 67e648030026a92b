"""A web worker is killed (SIGKILL) in the middle of a turn.

Telegram re-delivers the update: while the dead worker's processing lease lasts the new worker
answers 503 (retry later), afterwards it processes the update — exactly once, however often it
is re-delivered. WeChat retries for 15 s only: the message was kept in the store, and once the
lease has run out the next worker's background job runs the turn and pushes the answer, once.

Real `kejiyun serve` processes; the turn is held mid-way by a slow loopback LLM."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.handlers.wechat import signature
from store.models import Conversation, PendingTurn

from ..fake_openai import running as llm_running
from ..fake_telegram import running as telegram_running
from ..fake_wechat import running as wechat_running
from .conftest import Harness

SECRET = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
LEASE = 15.0  # longer than a worker's start-up here, so the retry-later answer is seen


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    exe = Path(sys.executable).parent / "kejiyun"
    port = _free_port()
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    pytest.fail("kejiyun serve did not come up within 120 s")


def kill_mid_turn(proc: subprocess.Popen[bytes], llm: Any, post: Callable[[], Any]) -> float:
    """Send the message, wait until its turn hangs in the slow LLM (claimed, answering), then
    SIGKILL the worker: no cleanup, no reply. Returns when the turn was seen under way."""
    try:
        threading.Thread(target=post, daemon=True).start()
        deadline = time.monotonic() + 60
        while not llm.requests:
            assert time.monotonic() < deadline, "the turn never reached the LLM"
            time.sleep(0.1)
        claimed_at = time.monotonic()
        proc.kill()
        proc.wait(timeout=30)
        return claimed_at
    finally:
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
        claimed_at = kill_mid_turn(first, llm, lambda: _post_quietly(url, update))
        assert tg.sent(5151) == []

        llm.delay, llm.reply = 0.0, ""  # the next worker's LLM answers at once (or falls back)
        second, url = serve(env)
        try:
            with httpx.Client(base_url=url, timeout=60) as client:
                if time.monotonic() - claimed_at < LEASE - 1:
                    # the dead worker's lease still holds: retry later, do not drop it
                    assert client.post("/telegram/webhook", json=update,
                                       headers=SECRET).status_code == 503
                time.sleep(max(0.0, LEASE + 0.5 - (time.monotonic() - claimed_at)))
                done = client.post("/telegram/webhook", json=update, headers=SECRET)
                assert done.status_code == 200
                assert len(tg.sent(5151)) == 1 and "石灰" in tg.sent(5151)[0]["text"]
                again = client.post("/telegram/webhook", json=update, headers=SECRET)
                assert again.status_code == 200 and len(tg.sent(5151)) == 1  # exactly once
        finally:
            second.terminate()
            second.wait(timeout=30)


def _post_quietly(url: str, update: dict) -> None:  # type: ignore[type-arg]
    with contextlib.suppress(httpx.HTTPError):  # this request dies with its worker
        httpx.post(f"{url}/telegram/webhook", json=update, headers=SECRET, timeout=60)


def _wechat_post(url: str, body: str, quietly: bool = False) -> bytes:
    ts, nonce = str(int(time.time())), f"n{time.time_ns()}"
    params = {"timestamp": ts, "nonce": nonce, "signature": signature("wx-token", ts, nonce)}
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
        claimed_at = kill_mid_turn(first, llm, lambda: _wechat_post(url, body, quietly=True))
        assert api.sent == [] and version() == 0
        with Session(bot.engine) as s:  # what the dead worker left: the message itself
            assert s.execute(select(func.count()).select_from(PendingTurn)).scalar_one() == 1

        llm.delay, llm.reply = 0.0, ""  # the next worker's LLM answers at once (or falls back)
        second, url = serve(env)
        try:
            # WeChat's retry finds the message taken and stops retrying: nothing runs now
            assert _wechat_post(url, body) == b"success"
            assert version() == 0
            deadline = claimed_at + LEASE + 60
            while not api.sent and time.monotonic() < deadline:
                time.sleep(0.3)  # the ticker recovers the turn once the lease has run out
            assert time.monotonic() - claimed_at >= LEASE  # not before the lease ran out
            time.sleep(6)  # a few more ticks: nothing is sent or run twice
            pushed = [m["text"]["content"] for m in api.sent if m.get("touser") == user]
            assert len(pushed) == 1 and "石灰" in pushed[0], api.sent
            assert version() == 1
            with Session(bot.engine) as s:
                assert s.execute(select(func.count()).select_from(PendingTurn)).scalar_one() \
                    == 0
        finally:
            second.terminate()
            second.wait(timeout=30)
