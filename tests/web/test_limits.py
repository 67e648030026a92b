"""Request limits (web/limits.py) and a channel that cannot start.

Against a real `kejiyun serve` on loopback: chunked bodies of 200 MB are cut at each route's cap
without the server growing, and with the Telegram API unreachable at start-up the web chat
still serves while /readyz lists Telegram as degraded. In-process: rate limits (429 +
Retry-After) for the web chat and the partner API, shared through Redis; the busy gate (503)
and requests abandoned while waiting; Telegram coming up later on its own."""

from __future__ import annotations

import asyncio
import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from web.app import create_app
from web.limits import ChatGate, RateLimiter, Refused, body_cap

from ..fake_telegram import FakeBotAPI
from ..support import Harness, free_port, healthy, wait_until
from .test_api import auth, new_key

MB = 1024 * 1024


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


class Server:
    def __init__(self, proc: subprocess.Popen[bytes], port: int, api_key: str) -> None:
        self.proc, self.port, self.api_key = proc, port, api_key
        self.url = f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`kejiyun serve` with WeChat configured and Telegram pointed at a closed port."""
    home = tmp_path_factory.mktemp("limits-home")
    exe = Path(sys.executable).parent / "kejiyun"
    port = free_port()
    env = {**os.environ, "KEJIYUN_HOME": str(home), "WECHAT_TOKEN": "tok",
           "TELEGRAM_BOT_TOKEN": "123456:TEST",
           "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{free_port()}",
           "TELEGRAM_WEBHOOK_URL": "https://example.invalid/telegram/webhook",
           "TELEGRAM_WEBHOOK_SECRET": "s3cret"}
    for key in ("DATABASE_URL", "CHROMA_URL", "REDIS_URL", "WECHAT_APP_ID"):
        env.pop(key, None)
    subprocess.run([str(exe), "init"], env=env, check=True, capture_output=True)
    made = subprocess.run([str(exe), "apikey", "add", "合作方", "--scopes", "articles:write",
                           "--json"], env=env, check=True, capture_output=True, text=True)
    api_key = json.loads(made.stdout)["key"]
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    def up() -> bool:
        if healthy(f"http://127.0.0.1:{port}"):
            return True
        assert proc.poll() is None, "kejiyun serve exited at start-up"
        return False

    try:
        wait_until(up, timeout=120, interval=0.3, message="kejiyun serve did not come up")
        yield Server(proc, port, api_key)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _send_chunked(port: int, path: str, total: int, headers: str = "") -> tuple[int, int]:
    """POST `total` bytes as a chunked body, stopping as soon as the server answers or hangs
    up. (status, bytes sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 f"Transfer-Encoding: chunked\r\n{headers}\r\n".encode())
    chunk = b"a" * MB
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    answer = b""
    answered = select.poll()  # (not select.select: a long test run has fds above 1024)
    answered.register(sock, select.POLLIN)
    try:
        while sent < total:
            if answered.poll(0):
                break
            sock.sendall(frame)
            sent += len(chunk)
        else:
            sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        sock.settimeout(30)
        answer = sock.recv(4096)
    except ConnectionResetError:
        pass
    finally:
        sock.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
    return status, sent


# (the Telegram webhook's cap is checked in process below: here the channel never starts, so
# the webhook answers 503 before reading anything)
@pytest.mark.parametrize("path", ["/chat/api/message", "/wechat?signature=x&timestamp=1&nonce=n",
                                  "/api/v1/articles"])
def test_a_200_mb_chunked_body_is_cut_at_the_cap(server: Server, path: str) -> None:
    before = _rss(server.proc.pid)
    status, sent = _send_chunked(server.port, path, 200 * MB,
                                 f"Authorization: Bearer {server.api_key}\r\n")
    grown = _rss(server.proc.pid) - before
    assert status == 413
    assert sent < 200 * MB  # refused while streaming, not after reading it all
    assert grown < 50 * MB, f"the server grew by {grown / MB:.0f} MB"
    assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200


def test_four_large_bodies_at_once_leave_healthz_answering(server: Server) -> None:
    before = _rss(server.proc.pid)
    results: list[tuple[int, int]] = []
    threads = [threading.Thread(target=lambda: results.append(
        _send_chunked(server.port, "/chat/api/message", 200 * MB))) for _ in range(4)]
    for t in threads:
        t.start()
    assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
    for t in threads:
        t.join(timeout=120)
    assert [r[0] for r in results] == [413] * 4
    assert _rss(server.proc.pid) - before < 50 * MB


def test_a_declared_length_over_the_cap_is_refused_before_reading(server: Server) -> None:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.sendall(f"POST /chat/api/message HTTP/1.1\r\nHost: x\r\nContent-Length: {200 * MB}"
                 "\r\nContent-Type: application/json\r\n\r\n".encode())
    answer = b""  # no body sent at all: the answer cannot wait for it
    while "请求体过大".encode() not in answer:  # headers and body may come in separate segments
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    sock.close()
    assert answer.startswith(b"HTTP/1.1 413")
    assert "请求体过大".encode() in answer


def test_web_chat_serves_while_telegram_is_unreachable(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        reply = client.post("/chat/api/message", json={"text": "/start"})
        assert reply.status_code == 200 and "科技云助手" in reply.json()["replies"][0]["text"]
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text  # degraded, not down
        assert "telegram" in ready.json()["degraded"]
        # Telegram's own webhook calls are told to come back (it retries), not lost
        hook = client.post("/telegram/webhook", json={"update_id": 1},
                           headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
        assert hook.status_code == 503 and hook.headers["retry-after"]


def test_caps_per_route() -> None:
    assert body_cap("/wechat") == 64 * 1024
    assert body_cap("/api/v1/articles") == 32 * MB
    assert body_cap("/chat/api/message") == 64 * 1024
    assert body_cap("/console/articles/new") == 4 * MB
    assert body_cap("/somewhere") == MB


# ---- in process ------------------------------------------------------------------------------
def _client(bot: Harness, **settings: object) -> TestClient:
    app = create_app(Settings(**settings),  # type: ignore[arg-type]
                     engine=bot.engine, dialog=bot.dialog, clock=bot.clock, background=False)
    return TestClient(app)


def test_web_chat_rate_per_browser_is_429_with_retry_after(bot: Harness) -> None:
    # (a day's window: the limiter's sliding-window counter is weighted across the window
    # boundary, so with a minute's window a test that straddled hh:mm:00 let the 4th through)
    with _client(bot, CHAT_RATE_LIMIT="3/day") as web:
        for _ in range(3):
            assert web.post("/chat/api/message", json={"text": "你好"}).status_code == 200
        refused = web.post("/chat/api/message", json={"text": "你好"})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 86400
        assert "太快" in refused.json()["replies"][0]["text"]
        web.cookies.clear()  # another browser is not held back by this one
        assert web.post("/chat/api/message", json={"text": "你好"}).status_code == 200


def test_partner_api_rate_per_key(bot: Harness) -> None:
    with _client(bot, API_RATE_LIMIT="2/day") as api:
        token, other = new_key(bot.engine), new_key(bot.engine)
        assert [api.get("/api/v1/stats", headers=auth(token)).status_code
                for _ in range(3)] == [200, 200, 429]
        refused = api.get("/api/v1/stats", headers=auth(token))
        assert "频繁" in refused.json()["error"] and int(refused.headers["retry-after"]) >= 1
        assert api.get("/api/v1/stats", headers=auth(other)).status_code == 200


def test_rates_are_shared_by_workers_through_redis(bot: Harness, redis_url: str) -> None:
    settings = Settings(REDIS_URL=redis_url, API_RATE_LIMIT="3/day")
    one, two = RateLimiter(settings), RateLimiter(settings)
    assert [one.hit(one.api_key, "api", "k1"), two.hit(two.api_key, "api", "k1"),
            one.hit(one.api_key, "api", "k1")] == [None, None, None]
    assert two.hit(two.api_key, "api", "k1") is not None  # the fourth, on the other worker


def test_rate_limiter_lets_requests_through_when_redis_is_down() -> None:
    limiter = RateLimiter(Settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
                                   API_RATE_LIMIT="1/minute"))
    assert limiter.hit(limiter.api_key, "api", "k") is None
    assert limiter.hit(limiter.api_key, "api", "k") is None


def test_busy_gate_refuses_at_once_and_drops_abandoned_requests() -> None:
    gate = ChatGate(Settings(CHAT_MAX_RUNNING=1, CHAT_MAX_WAITING=1),
                    RateLimiter(Settings()))
    release = threading.Event()
    ran: list[str] = []

    def slow() -> str:
        release.wait(30)
        ran.append("slow")
        return "slow"

    async def scenario() -> None:
        gone = asyncio.Event()

        async def still_here() -> bool:
            return False

        async def went_away() -> bool:
            return gone.is_set()

        first = asyncio.create_task(gate.run(slow, still_here))
        await asyncio.sleep(0.05)
        waiting = asyncio.create_task(gate.run(lambda: ran.append("abandoned"), went_away))
        await asyncio.sleep(0.05)
        with pytest.raises(Refused) as busy:  # one running, one waiting: the third is turned
            await gate.run(lambda: ran.append("third"), still_here)  # away at once
        assert busy.value.status == 503 and busy.value.retry_after >= 1
        gone.set()  # the waiting browser disconnects
        assert await waiting is None
        release.set()
        assert await first == "slow"
        assert await gate.run(lambda: "next", still_here) == "next"  # the slot was given back

    asyncio.run(scenario())
    assert ran == ["slow"]  # the abandoned and the refused requests never ran


def test_lone_surrogate_and_invisible_characters_in_web_chat(bot: Harness) -> None:
    with _client(bot) as web:
        reply = web.post("/chat/api/message", headers={"Content-Type": "application/json"},
                         content=b'{"text": "\\ud800\\u202e\\u200b\\u674e\\u5b50"}')
        assert reply.status_code == 200, reply.text
        bad_action = web.post("/chat/api/message", headers={"Content-Type": "application/json"},
                              content=b'{"action": "accept:\\udfff"}')
        assert bad_action.status_code == 200, bad_action.text


def test_telegram_comes_up_later_on_its_own(bot: Harness) -> None:
    port = free_port()
    with _client(bot, TELEGRAM_BOT_TOKEN="123456:TEST",
                 TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}",
                 TELEGRAM_WEBHOOK_URL="https://example.invalid/hook",
                 TELEGRAM_WEBHOOK_SECRET="s3cret") as web:
        assert web.post("/chat/api/message", json={"text": "/start"}).status_code == 200
        assert "telegram" in web.get("/readyz").json()["degraded"]
        fake = FakeBotAPI(port=port)
        threading.Thread(target=fake.server.serve_forever, daemon=True).start()
        try:
            telegram = web.app.state.telegram  # type: ignore[attr-defined]
            # back-off: 1, 2, 4 … s between tries
            wait_until(lambda: telegram.started, timeout=120, interval=0.2,
                       message="the Telegram channel never started")
            assert "telegram" not in web.get("/readyz").json()["degraded"]
            assert any(name == "setWebhook" for name, _ in fake.calls)
            big = web.post("/telegram/webhook", content=b"{" + b" " * (300 * 1024) + b"}",
                           headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret",
                                    "Content-Type": "application/json"})
            assert big.status_code == 413
            ok = web.post("/telegram/webhook", headers={"X-Telegram-Bot-Api-Secret-Token":
                                                        "s3cret"},
                          json={"update_id": 7, "message": {
                              "message_id": 1, "date": int(time.time()), "text": "/start",
                              "chat": {"id": 4242, "type": "private"},
                              "from": fake.user(4242)}})
            assert ok.status_code == 200
            wait_until(lambda: fake.sent(4242), interval=0.05,
                       message="nothing was sent to chat 4242")
        finally:
            fake.server.shutdown()
