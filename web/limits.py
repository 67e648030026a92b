"""Request limits of the web process: a streaming cap on request bodies for every route, and
backpressure for the web chat and the partner API.

- **Bodies** (`BodyLimit`, pure ASGI middleware): a declared Content-Length over the route's cap
  is refused at once; a chunked body is counted as it streams and refused the moment it passes
  the cap, so nothing ever buffers more than the cap (a 200 MB chunked POST costs 64 KB on
  `/wechat`, not 800 MB). Refusals are 413 with a JSON `{"error": …}`.
- **Web chat** (`ChatGate`): per-browser and per-IP rates (429 + Retry-After) and a bound on the
  turns running or waiting in this process (503 + Retry-After); a request whose browser went
  away while it waited is dropped, not processed.
- **Partner API** (`RateLimiter.api`): requests per key per minute (429 + Retry-After).

Rates use the `limits` library: in memory for one process, in Redis (shared by every worker)
when `REDIS_URL` is set. WeChat and Telegram have their own backpressure (acknowledge now, push
later; platform retries) and are never rate-limited here: their retries must all be answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import Settings

log = logging.getLogger(__name__)

KB, MB = 1024, 1024 * 1024
# (path prefix, cap in bytes), first match wins. WeChat messages are under 2 KB and Telegram
# updates a few KB; the console's article form carries up to 200,000 characters,
# percent-encoded (9 bytes per Chinese character).
BODY_CAPS: tuple[tuple[str, int], ...] = (
    ("/api/v1/", 32 * MB),
    ("/wechat", 64 * KB),
    ("/telegram/webhook", 256 * KB),
    ("/chat/api/", 64 * KB),
    ("/console", 4 * MB),
)
DEFAULT_CAP = 1 * MB
TOO_LARGE = "请求体过大 (request body too large)"



def body_cap(path: str) -> int:
    for prefix, cap in BODY_CAPS:
        if path.startswith(prefix):
            return cap
    return DEFAULT_CAP


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over the route's cap while they stream in."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = body_cap(scope.get("path", ""))
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > cap:
                    await _too_large(send, 413 if declared > cap else 400)
                    return
        seen = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal seen, exceeded
            if exceeded:  # the app asks again after swallowing the error: the body ends here
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # whatever the app made of the cut body, the answer is 413
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            log.warning("request body over %d bytes refused: %s", cap, scope.get("path"))
            await _too_large(send, 413)


async def _too_large(send: Send, status: int) -> None:
    message = TOO_LARGE if status == 413 else "Content-Length 无效 (bad Content-Length)"
    body = json.dumps({"error": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class Refused(Exception):
    """Too many requests (429) or too busy (503); `retry_after` in whole seconds."""

    def __init__(self, status: int, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


class RateLimiter:
    """Sliding-window counters from `limits`, in memory or in Redis (all workers share them).
    When Redis is unreachable the request is let through: a limiter must not turn a Redis
    outage into a chat outage."""

    def __init__(self, settings: Settings) -> None:
        from limits import parse
        from limits.storage import MemoryStorage, RedisStorage
        from limits.strategies import SlidingWindowCounterRateLimiter

        storage: Any
        if settings.redis_url:
            storage = RedisStorage(settings.redis_url,
                                   key_prefix=f"{settings.redis_namespace}:limits",
                                   socket_timeout=0.5, socket_connect_timeout=0.5)
        else:
            storage = MemoryStorage()
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self.chat_user = parse(settings.chat_rate_limit)
        self.chat_ip = parse(settings.chat_ip_rate_limit)
        self.api_key = parse(settings.api_rate_limit)

    def hit(self, item: Any, *ids: str) -> int | None:
        """None when allowed; otherwise the seconds until a request would be."""
        try:
            if self._limiter.hit(item, *ids):
                return None
            reset = self._limiter.get_window_stats(item, *ids).reset_time
        except Exception as exc:  # noqa: BLE001 - Redis down: let it through, say so
            log.warning("rate limiter unavailable (%s): request allowed", type(exc).__name__)
            return None
        return max(1, math.ceil(reset - time.time()))

    def api(self, key_prefix: str) -> None:
        wait = self.hit(self.api_key, "api", key_prefix)
        if wait is not None:
            raise Refused(429, "请求过于频繁，请稍后再试 (rate limit exceeded)", wait)


CHAT_TOO_FAST = "您发消息太快了，请稍等几秒再发。"
CHAT_BUSY = "现在咨询的人很多，请稍等片刻再发。"


class ChatGate:
    """Backpressure for web-chat turns in this process: at most `running` turns at once and
    `waiting` more in line; past that, 503 at once rather than a minute of backlog. A request
    in line whose browser disconnected is dropped before its turn runs."""

    def __init__(self, settings: Settings, limiter: RateLimiter) -> None:
        self.limiter = limiter
        self.running = settings.chat_max_running
        self.max_waiting = settings.chat_max_waiting
        self.max_wait = settings.chat_max_wait_seconds
        self._slots: asyncio.Semaphore | None = None
        self.waiting = 0

    def check_rate(self, user: str, ip: str) -> None:
        wait = self.limiter.hit(self.limiter.chat_user, "chat", user)
        if wait is None:
            wait = self.limiter.hit(self.limiter.chat_ip, "chat-ip", ip)
        if wait is not None:
            raise Refused(429, CHAT_TOO_FAST, wait)

    async def run(self, turn: Callable[[], Any], gone: Callable[[], Awaitable[bool]]) -> Any:
        """Run `turn` in a thread when a slot is free. None when the client went away."""
        if self._slots is None:  # created on the serving loop
            self._slots = asyncio.Semaphore(self.running)
        if self._slots.locked() and self.waiting >= self.max_waiting:
            raise Refused(503, CHAT_BUSY, 5)
        self.waiting += 1
        deadline = time.monotonic() + self.max_wait
        slots = self._slots
        acquire = asyncio.ensure_future(slots.acquire())
        try:
            while not acquire.done():
                # (not wait_for: on 3.11 a timeout racing the acquire can lose the slot)
                await asyncio.wait({acquire}, timeout=0.5)
                if acquire.done():
                    break
                if await gone() or time.monotonic() > deadline:
                    acquire.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await acquire
                    if not acquire.cancelled():  # got the slot as we gave up: hand it back
                        slots.release()
                    if time.monotonic() > deadline:
                        raise Refused(503, CHAT_BUSY, 5)
                    log.info("web chat request dropped: the browser went away")
                    return None
        finally:
            self.waiting -= 1
        try:
            if await gone():
                return None
            return await asyncio.to_thread(turn)
        finally:
            slots.release()
