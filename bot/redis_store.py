"""Redis-backed twins of `Dedup` and `SharedStore`, used when `REDIS_URL` is set: with many
web workers the per-delivery claims and the WeChat access token are hot keys read on every
message, which Redis serves without touching PostgreSQL. Same interface, same semantics:
a claim is `SET NX` with the TTL (on the hashed key, `bot.dedup.stored_key`), a shared value
is JSON with an optional expiry.
"""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cache
from typing import Any

from bot.dedup import stored_key


@cache
def client(url: str) -> Any:
    """One connection pool per URL and process. Short timeouts: a slow Redis must surface as
    an error the caller handles, not as a hung webhook."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2,
                                health_check_interval=30)


class RedisDedup:
    def __init__(self, url: str, namespace: str = "kejiyun") -> None:
        self.redis = client(url)
        self.prefix = f"{namespace}:dedup:"

    def claim(self, key: str, ttl: timedelta = timedelta(days=1)) -> bool:
        """True for the first claim of `key` within its TTL, False for every repeat."""
        ms = max(1, int(ttl.total_seconds() * 1000))
        return bool(self.redis.set(self.prefix + stored_key(key), 1, nx=True, px=ms))

    def begin(self, key: str, lease: timedelta) -> str:
        """"new", "busy" (someone holds the processing lease) or "done" — see Dedup.begin."""
        name = self.prefix + stored_key(key)
        ms = max(1, int(lease.total_seconds() * 1000))
        if self.redis.set(name, "busy", nx=True, px=ms):
            return "new"
        value = self.redis.get(name)
        if value is None:  # expired between the two calls: try once more
            return "new" if self.redis.set(name, "busy", nx=True, px=ms) else "busy"
        return "busy" if value == b"busy" else "done"

    def finish(self, key: str, ttl: timedelta = timedelta(days=1)) -> None:
        self.redis.set(self.prefix + stored_key(key), "done",
                       px=max(1, int(ttl.total_seconds() * 1000)))

    def release(self, key: str) -> None:
        self.redis.delete(self.prefix + stored_key(key))

    def purge(self) -> int:
        return 0  # Redis expires keys itself


class RedisShared:
    def __init__(self, url: str, namespace: str = "kejiyun") -> None:
        self.redis = client(url)
        self.prefix = f"{namespace}:shared:"

    def get(self, key: str, default: Any = None) -> Any:
        raw = self.redis.get(self.prefix + key[:200])
        return default if raw is None else json.loads(raw)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        self.redis.set(self.prefix + key[:200], json.dumps(value), ex=ttl or None)

    def delete(self, key: str) -> None:
        self.redis.delete(self.prefix + key[:200])

    def keys(self) -> list[str]:
        return [k.decode()[len(self.prefix):] for k in self.redis.scan_iter(self.prefix + "*")]


class RedisWeChatSession(RedisShared):
    """wechatpy's SessionStorage interface (get/set/delete) over Redis."""

    def __getitem__(self, key: str) -> Any:
        return self.get(key)

    def __setitem__(self, key: str, value: Any) -> None:
        self.set(key, value)

    def __delitem__(self, key: str) -> None:
        self.delete(key)
