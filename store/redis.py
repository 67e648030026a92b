"""The Redis connection shared by everything that keeps hot state in Redis when `REDIS_URL` is
set: delivery claims (`delivery.dedup`), the WeChat access token (`delivery.shared`) and the LLM
circuit breaker (`retrieval.llm_guard`)."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def client(url: str) -> Any:
    """One connection pool per URL and process. Short timeouts: a slow Redis must surface as
    an error the caller handles, not as a hung webhook."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2,
                                health_check_interval=30)
