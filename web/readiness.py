"""`/readyz`: one check per dependency — the store, the search index and, when configured,
the Chroma server (`CHROMA_URL`) and Redis (`REDIS_URL`) — each with its status and latency.
The store and Redis are required: a failure makes the whole answer 503, so a load balancer
stops sending traffic to a worker that cannot serve it. The vector store (Chroma, and the
index check that reads it) is not: without it the worker still answers and matches with BM25
alone, so it stays ready and lists the failure under `degraded` — pulling every worker out of
rotation because Chroma is down would turn a degradation into an outage.

Checks run in parallel with a deadline, so one hung dependency costs `TIMEOUT`, not the sum.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from sqlalchemy import Engine, text

from core.settings import Settings

TIMEOUT = 3.0  # seconds for all checks together
# BM25 carries on without the vector store; without a `kejiyun worker` (Redis mode) chats are
# still answered but offers do not expire and notifications wait — a warning, not an outage.
# A chat channel that could not start (Telegram unreachable from the server) leaves the others
# serving: degraded too.
DEGRADABLE = frozenset({"chroma", "index", "worker", "telegram", "llm"})


def check_store(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("select 1"))


def check_chroma(url: str) -> None:
    """The server's own heartbeat endpoint (API v2 of chromadb ≥ 1.0)."""
    import httpx

    response = httpx.get(url.rstrip("/") + "/api/v2/heartbeat", timeout=TIMEOUT)
    response.raise_for_status()


def check_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
    try:
        if not client.ping():
            raise ConnectionError("PING 未返回 PONG")
    finally:
        client.close()


def check_worker(settings: Settings) -> None:
    """With REDIS_URL the background jobs run in `kejiyun worker`: is one beating?"""
    import redis

    from core.workers import heartbeat_key

    client = redis.Redis.from_url(settings.redis_url or "", socket_timeout=TIMEOUT,
                                  socket_connect_timeout=TIMEOUT)
    try:
        if client.get(heartbeat_key(settings)) is None:
            raise LookupError("没有运行中的 kejiyun worker (no worker heartbeat)")
    finally:
        client.close()


class BreakerOpen(RuntimeError):
    """The LLM's circuit breaker is open: answers are extractive until it closes."""


def check_llm(settings: Settings) -> None:
    """The LLM endpoint as the workers see it (the circuit breaker's state, no extra call):
    degraded while the breaker is open, never unready — answers fall back to the rules."""
    from retrieval.llm_guard import breaker_for

    if breaker_for(settings).state == "open":
        raise BreakerOpen("LLM circuit breaker open")


def readiness(engine: Engine, index_check: Callable[[], Any], settings: Settings,
              telegram: Callable[[], Any] | None = None) -> tuple[bool, dict[str, Any]]:
    """(ready, body). The body keeps the flat `store`/`index` strings ("ok" or the error's
    type name) older probes read, and adds `checks` with status and latency per dependency."""
    checks: dict[str, Callable[[], Any]] = {"store": lambda: check_store(engine),
                                            "index": index_check}
    if settings.chroma_url:
        checks["chroma"] = lambda: check_chroma(settings.chroma_url or "")
    if settings.redis_url:
        checks["redis"] = lambda: check_redis(settings.redis_url or "")
        checks["worker"] = lambda: check_worker(settings)
    if telegram is not None:
        checks["telegram"] = telegram
    if settings.llm_base_url and settings.llm_model:
        checks["llm"] = lambda: check_llm(settings)
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    try:
        futures = {name: pool.submit(_timed, fn) for name, fn in checks.items()}
        deadline = time.monotonic() + TIMEOUT
        results: dict[str, dict[str, Any]] = {}
        for name, future in futures.items():
            try:
                results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except FutureTimeout:
                results[name] = {"status": "error", "error": "Timeout",
                                 "latency_ms": round(TIMEOUT * 1000, 1)}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # a hung check must not hold the probe
    ready = all(r["status"] == "ok" for name, r in results.items() if name not in DEGRADABLE)
    degraded = sorted(name for name, r in results.items()
                      if name in DEGRADABLE and r["status"] != "ok")
    flat = {name: "ok" if r["status"] == "ok" else r["error"] for name, r in results.items()}
    return ready, {"ready": ready, **flat, "degraded": degraded, "checks": results}


def _timed(fn: Callable[[], Any]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        fn()
        out: dict[str, Any] = {"status": "ok"}
    except Exception as exc:  # noqa: BLE001 - report which dependency failed, do not crash
        out = {"status": "error", "error": type(exc).__name__}
    out["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return out
