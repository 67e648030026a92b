"""Values every worker shares through the store, with an expiry: a wechatpy session storage,
so the WeChat access token is fetched once for all workers, not once per process."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from core.clock import Clock, as_utc, system_clock
from core.settings import Settings
from store.models import SharedValue


class SharedValues(Protocol):
    """Small values every worker shares (the WeChat access token, console flashes): the
    store's table (`SharedStore`) or Redis (`delivery.redis.RedisShared`)."""

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


class WeChatSession(SharedStore):
    """wechatpy's SessionStorage interface (get/set/delete) over the shared store."""

    def __getitem__(self, key: str) -> Any:
        return self.get(key)

    def __setitem__(self, key: str, value: Any) -> None:
        self.set(key, value)

    def __delitem__(self, key: str) -> None:
        self.delete(key)


def wechat_session(engine: Engine, settings: Settings, clock: Clock = system_clock
                   ) -> WeChatSession:
    """Where the WeChat access token lives: Redis when configured, else the store."""
    if settings.redis_url:
        from delivery.redis import RedisWeChatSession

        return RedisWeChatSession(  # type: ignore[return-value]  # same interface
            settings.redis_url, settings.redis_namespace)
    return WeChatSession(engine, clock)
