"""Values every worker shares, with an expiry, in the store or (`REDIS_URL`) in Redis: a
wechatpy session storage, so the WeChat access token is fetched once for all workers, not
once per process."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from core.clock import Clock, as_utc, system_clock
from core.settings import Settings
from store.models import SharedValue
from store.redis import client


class SharedValues(Protocol):
    """Small values every worker shares (the WeChat access token, console flashes): the
    store's table (`SharedStore`) or Redis (`RedisShared`, below)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, ttl: int | None = None) -> None: ...

    def delete(self, key: str) -> None: ...

    def keys(self) -> list[str]: ...


class SharedStore:
    def __init__(self, engine: Engine, clock: Clock = system_clock) -> None:
        self.engine = engine
        self.clock = clock

    def get(self, key: str, default: Any = None) -> Any:
        with Session(self.engine) as s:
            row = s.get(SharedValue, key[:200])
            if row is None:
                return default
            expires = as_utc(row.expires_at)
            if expires is not None and expires <= self.clock.now():
                return default
            return json.loads(row.value)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        expires = self.clock.now() + timedelta(seconds=ttl) if ttl else None
        with Session(self.engine) as s, s.begin():
            row = s.get(SharedValue, key[:200])
            if row is None:
                s.add(SharedValue(key=key[:200], value=json.dumps(value), expires_at=expires))
            else:
                row.value, row.expires_at = json.dumps(value), expires

    def delete(self, key: str) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(delete(SharedValue).where(SharedValue.key == key[:200]))

    def keys(self) -> list[str]:
        with Session(self.engine) as s:
            return list(s.execute(select(SharedValue.key)).scalars())


class _Mapping:
    """wechatpy's SessionStorage interface (get/set/delete, item access) over `get`, `set`
    and `delete` of the class it is mixed into."""

    def __getitem__(self: SharedValues, key: str) -> Any:
        return self.get(key)

    def __setitem__(self: SharedValues, key: str, value: Any) -> None:
        self.set(key, value)

    def __delitem__(self: SharedValues, key: str) -> None:
        self.delete(key)


class WeChatSession(_Mapping, SharedStore):
    """The WeChat access token in the store's table."""


class RedisShared:
    """`SharedStore` on Redis (`REDIS_URL`): with many web workers the WeChat access token is a
    hot key read on every message, served without touching PostgreSQL. Same semantics: a
    value is JSON with an optional expiry."""

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


class RedisWeChatSession(_Mapping, RedisShared):
    """The WeChat access token in Redis."""


def wechat_session(engine: Engine, settings: Settings, clock: Clock = system_clock
                   ) -> _Mapping:
    """Where the WeChat access token lives: Redis when configured, else the store."""
    if settings.redis_url:
        return RedisWeChatSession(settings.redis_url, settings.redis_namespace)
    return WeChatSession(engine, clock)
