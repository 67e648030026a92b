"""The web process: health, web chat API (cookie session), Telegram webhook secret,
and `kejiyun serve` as a real server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from web.app import create_app

from ..fake_telegram import FakeBotAPI, running
from ..support import Harness, free_port, healthy, wait_until


@pytest.fixture
def web(bot: Harness) -> Iterator[TestClient]:
    app = create_app(Settings(), engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                     background=False)
    with TestClient(app) as client:
        yield client


def test_health(web: TestClient) -> None:
    assert web.get("/healthz").json() == {"status": "ok"}
    ready = web.get("/readyz")
    assert ready.status_code == 200 and ready.json()["store"] == "ok"


def test_web_chat_session_and_buttons(web: TestClient) -> None:
    page = web.get("/chat")
    assert page.status_code == 200 and "科技云助手" in page.text and "viewport" in page.text
    first = web.post("/chat/api/message", json={"text": "/start"}).json()
    assert [b["action"] for b in first["replies"][0]["buttons"]] == [
        "menu:ask", "menu:need", "menu:scientist"]
    assert "kjy_chat" in web.cookies
    web.post("/chat/api/message", json={"action": "menu:ask"})
    answer = web.post("/chat/api/message", json={"text": "李子园土壤酸化了怎么改良"}).json()
    assert "石灰" in answer["replies"][0]["text"]
    assert web.get("/chat/api/updates").json() == {"replies": []}
    bad = web.post("/chat/api/message", json={"text": "x" * 30_000})
    assert bad.status_code == 422  # over the size limit: refused, nothing stored



def webhook_app(bot: Harness, fake: FakeBotAPI):  # type: ignore[no-untyped-def]
    """The app in Telegram webhook mode (secret "s3cret") against the loopback Bot API."""
    settings = Settings(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.url,
                        TELEGRAM_WEBHOOK_SECRET="s3cret",
                        TELEGRAM_WEBHOOK_URL="https://example.invalid/telegram/webhook")
    return create_app(settings, engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                      background=False)


def question_update(update_id: int, chat: int) -> dict:  # type: ignore[type-arg]
    return {"update_id": update_id, "message": {
        "message_id": 1, "date": int(time.time()), "text": "李子园土壤酸化了怎么改良",
        "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "农户"}}}


def test_telegram_webhook_checks_the_secret(bot: Harness) -> None:
    with running() as fake:
        app = webhook_app(bot, fake)
        update = question_update(5, 4242)
        with TestClient(app) as client:
            # the channel starts in the background (Telegram may be unreachable at first)
            wait_until(lambda: any(m == "setWebhook" for m, _ in fake.calls), interval=0.05,
                       message="the Telegram channel never set its webhook")
            assert client.post("/telegram/webhook", json=update).status_code == 403
            assert client.post("/telegram/webhook", json=update, headers={
                "X-Telegram-Bot-Api-Secret-Token": "wrong"}).status_code == 403
            assert fake.sent(4242) == []
            ok = client.post("/telegram/webhook", json=update, headers={
                "X-Telegram-Bot-Api-Secret-Token": "s3cret"})
            assert ok.status_code == 200
            assert "石灰" in fake.sent(4242)[-1]["text"]
            again = client.post("/telegram/webhook", json=update, headers={
                "X-Telegram-Bot-Api-Secret-Token": "s3cret"})
            assert again.status_code == 200 and len(fake.sent(4242)) == 1  # once
            assert client.post("/telegram/webhook", content=b"{not json", headers={
                "X-Telegram-Bot-Api-Secret-Token": "s3cret"}).status_code == 400


def test_kejiyun_serve_runs_a_real_server(kejiyun_home: Path) -> None:
    """With no platform settings, `kejiyun serve` serves web chat on the embedded default."""
    exe = Path(sys.executable).parent / "kejiyun"
    port = free_port()
    env = {**os.environ, "KEJIYUN_HOME": str(kejiyun_home)}
    for key in ("TELEGRAM_BOT_TOKEN", "WECHAT_TOKEN", "DATABASE_URL", "CHROMA_URL"):
        env.pop(key, None)
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: healthy(f"http://127.0.0.1:{port}"), timeout=90, interval=0.3,
                   message="kejiyun serve did not come up")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            reply = client.post("/chat/api/message", json={"text": "/start"}).json()
            assert "科技云助手" in reply["replies"][0]["text"]
            assert client.get("/readyz").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_web_user_gets_notifications_on_the_next_poll(bot: Harness, web: TestClient) -> None:
    bot.bind("sci-a", "s-soil-cp")
    web.post("/chat/api/message", json={
        "text": "宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导改良，很急，预算五千，"
                "同意，电话13800001111"})
    published = web.post("/chat/api/message", json={"action": "need:confirm"}).json()
    assert "已推送给" in published["replies"][0]["text"]
    offer = [b.action for o in bot.notes("sci-a") for b in o.buttons
             if b.action.startswith("accept:")][0]
    assert "接单成功" in bot.press("sci-a", offer)[0].text
    web.app.state.worker.run_once()  # type: ignore[attr-defined]
    got = web.get("/chat/api/updates").json()["replies"]
    assert any("19900000001" in r["text"] for r in got)  # introduced to the scientist
    assert web.get("/chat/api/updates").json() == {"replies": []}  # taken once


def test_serve_refuses_several_workers_on_sqlite(kejiyun_home: Path) -> None:
    from typer.testing import CliRunner

    from kejiyun.cli import app

    res = CliRunner().invoke(app, ["serve", "--workers", "2"])
    assert res.exit_code == 2 and "PostgreSQL" in res.output


def test_telegram_reply_that_cannot_be_sent_waits_in_the_outbox(bot: Harness) -> None:
    """The turn is saved before the reply is sent: if Telegram keeps refusing (429 after
    429), the webhook still answers 200, the reply waits in the outbox and goes out later,
    and the update is never processed a second time."""
    with running() as fake:
        app = webhook_app(bot, fake)
        update = question_update(6, 4343)
        secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
        with TestClient(app) as client:
            fake.too_many = 10  # every send is refused with 429 for now
            assert client.post("/telegram/webhook", json=update, headers=secret
                               ).status_code == 200
            refused = len(fake.sent(4343))  # the fake logs every attempt, refused or not
            assert refused >= 1 and fake.too_many == 10 - refused  # all of them refused
            fake.too_many = 0
            app.state.worker.run_once()  # type: ignore[attr-defined]
            assert len(fake.sent(4343)) == refused + 1
            assert "石灰" in fake.sent(4343)[-1]["text"]
            assert client.post("/telegram/webhook", json=update, headers=secret
                               ).status_code == 200
            app.state.worker.run_once()  # type: ignore[attr-defined]
            assert len(fake.sent(4343)) == refused + 1  # the turn was not repeated


def test_a_button_press_without_a_sender_is_ignored(bot: Harness) -> None:
    """A forged callback query with no `from` (the channel fuzz test found it as a 500)."""
    with running() as fake:
        app = webhook_app(bot, fake)
        update = {"update_id": 7, "callback_query": {
            "id": "cq1", "chat_instance": "ci", "data": "menu:ask",
            "message": {"message_id": 2, "date": 1700000000, "text": "…",
                        "chat": {"id": 4242, "type": "private"}}}}
        with TestClient(app) as client:
            resp = client.post("/telegram/webhook", json=update,
                               headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
            assert resp.status_code == 200 and fake.sent() == []
