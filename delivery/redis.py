"""Redis-backed twin of `SharedStore`, used when `REDIS_URL` is set: with many web workers the
WeChat access token is a hot key read on every message, which Redis serves without touching
PostgreSQL. Same interface, same semantics: a shared value is JSON with an optional expiry.
(The Redis twin of the delivery claims, `RedisDedup`, lives beside `Dedup` in `delivery/dedup.py`.)
"""

from __future__ import annotations

import json
from typing import Any

from store.redis import client


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
