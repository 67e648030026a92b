"""Process each delivery once: claim its id in a store shared by all workers, with a TTL.

Not "highest id seen": Telegram and WeChat re-deliver out of order, and two users' WeChat
MsgIds can collide, so each key is claimed on its own. Keys expire (a day by default) so the
table stays small.

Keys are stored hashed (`stored_key`): a WeChat key is "wx:<openid>:<MsgId>", and a platform
user id must not outlive the user's erasure in a table nobody can clean per user.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Protocol

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from core.clock import Clock, as_utc, system_clock
from core.settings import Settings
from store.models import DedupKey
from store.redis import client

DEFAULT_TTL = timedelta(days=1)
# Telegram update ids are one counter for the whole bot, not a user: kept readable, so an
# operator can still look an update up
_READABLE = re.compile(r"tg:\d{1,20}")


def stored_key(key: str) -> str:
    """The form a key is claimed under, here and in Redis: "<kind>:<sha256 of the key>".
    The kind before the first colon ("wx", "wxnonce", "wxtoken-refresh") stays readable;
    equal keys give equal digests, so claims and leases work exactly as on the raw key."""
    if _READABLE.fullmatch(key):
        return key
    kind = key.split(":", 1)[0][:32] if ":" in key else "key"
    return f"{kind}:{hashlib.sha256(key.encode()).hexdigest()}"


class Dedup:
    def __init__(self, engine: Engine, clock: Clock = system_clock) -> None:
        self.engine = engine
        self.clock = clock
        self._claims = 0

    def claim(self, key: str, ttl: timedelta = DEFAULT_TTL) -> bool:
        """True for the first claim of `key` within its TTL, False for every repeat."""
        now = self.clock.now()
        key = stored_key(key)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(DedupKey).values(key=key, expires_at=now + ttl))
        except IntegrityError:
            with self.engine.begin() as conn:  # taken, unless the old claim has expired
                revived = conn.execute(update(DedupKey).where(
                    DedupKey.key == key, DedupKey.expires_at <= now)
                    .values(expires_at=now + ttl)).rowcount
            return revived == 1
        self._claims += 1
        if self._claims % 1000 == 0:
            self.purge()
        return True

    def begin(self, key: str, lease: timedelta) -> str:
        """Claim `key` for processing with a short lease: "new" (go ahead), "busy" (another
        worker holds the lease: ask the sender to retry later) or "done". A worker killed
        mid-turn never calls `finish`, so its lease runs out and the re-delivery is processed.
        Busy and done are told apart by the remaining time: only a lease is that short."""
        if self.claim(key, lease):
            return "new"
        with self.engine.connect() as conn:
            expires = conn.execute(select(DedupKey.expires_at).where(
                DedupKey.key == stored_key(key))).scalar_one_or_none()
        remaining = (as_utc(expires) or self.clock.now()) - self.clock.now()
        return "busy" if remaining <= lease else "done"

    def finish(self, key: str, ttl: timedelta = DEFAULT_TTL) -> None:
        """The message was processed: keep the key as done for the dedup window."""
        with self.engine.begin() as conn:
            conn.execute(update(DedupKey).where(DedupKey.key == stored_key(key))
                         .values(expires_at=self.clock.now() + ttl))

    def release(self, key: str) -> None:
        """End a claim early (a lease that is done)."""
        with self.engine.begin() as conn:
            conn.execute(delete(DedupKey).where(DedupKey.key == stored_key(key)))

    def purge(self) -> int:
        with self.engine.begin() as conn:
            return conn.execute(delete(DedupKey).where(
                DedupKey.expires_at <= self.clock.now())).rowcount


class Claims(Protocol):
    """Per-delivery claims shared by every worker: the store's table (`Dedup`) or Redis
    (`RedisDedup`), the same semantics."""

    def claim(self, key: str, ttl: timedelta = DEFAULT_TTL) -> bool: ...

    def begin(self, key: str, lease: timedelta) -> str: ...

    def finish(self, key: str, ttl: timedelta = DEFAULT_TTL) -> None: ...

    def release(self, key: str) -> None: ...

    def purge(self) -> int: ...


def make_dedup(engine: Engine, settings: Settings, clock: Clock = system_clock) -> Claims:
    """Redis when configured (many workers), else the store's own table."""
    if settings.redis_url:
        return RedisDedup(settings.redis_url, settings.redis_namespace)
    return Dedup(engine, clock)


class RedisDedup:
    """`Dedup` on Redis: a claim is `SET NX` with the TTL, on the hashed key."""

    def __init__(self, url: str, namespace: str = "kejiyun") -> None:
        self.redis = client(url)
        self.prefix = f"{namespace}:dedup:"

    def claim(self, key: str, ttl: timedelta = DEFAULT_TTL) -> bool:
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

    def finish(self, key: str, ttl: timedelta = DEFAULT_TTL) -> None:
        self.redis.set(self.prefix + stored_key(key), "done",
                       px=max(1, int(ttl.total_seconds() * 1000)))

    def release(self, key: str) -> None:
        self.redis.delete(self.prefix + stored_key(key))

    def purge(self) -> int:
        return 0  # Redis expires keys itself
