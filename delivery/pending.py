"""Messages kept in the store until their turn is saved, so a worker killed mid-turn loses
nothing. Telegram re-delivers an unanswered update for hours; WeChat retries a callback for
15 s only, so for WeChat the message itself is kept (`pending_turn`) and a background job
runs the turn again once its lease has run out. The conversation remembers the delivery ids
it has applied (`Inbound.key`), so a turn saved just before the crash is not applied twice.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from core.clock import Clock, system_clock
from delivery.messages import Inbound
from store.models import PendingTurn

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # a message that kills its worker every time is given up, not retried forever


class PendingTurns:
    def __init__(self, engine: Engine, lease: timedelta, clock: Clock = system_clock) -> None:
        self.engine, self.lease, self.clock = engine, lease, clock

    def open(self, msg: Inbound) -> None:
        """Keep `msg` (its `key` set) while its turn runs, under a lease."""
        now = self.clock.now()
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(PendingTurn).values(
                    key=msg.key[:200], channel=msg.channel, user_id=msg.user_id,
                    payload=dataclasses.asdict(msg), lease_until=now + self.lease,
                    created_at=now))
        except IntegrityError:
            pass  # already kept: a recovery is running it, or it will

    def close(self, key: str) -> None:
        """The turn is saved (or was never needed): forget the message."""
        with self.engine.begin() as conn:
            conn.execute(delete(PendingTurn).where(PendingTurn.key == key[:200]))

    def due(self, channel: str, limit: int = 20) -> list[Inbound]:
        """Messages whose lease has run out — their worker died — each claimed for this
        process with a new lease (a conditional update: one taker per message)."""
        now = self.clock.now()
        with self.engine.connect() as conn:
            rows = conn.execute(select(PendingTurn.key, PendingTurn.attempts).where(
                PendingTurn.channel == channel, PendingTurn.lease_until <= now)
                .order_by(PendingTurn.created_at).limit(limit)).all()
        taken: list[Inbound] = []
        for key, attempts in rows:
            if attempts >= MAX_ATTEMPTS:
                log.error("giving up a %s message after %d attempts", channel, attempts)
                self.close(key)
                continue
            with self.engine.begin() as conn:
                won = conn.execute(update(PendingTurn).where(
                    PendingTurn.key == key, PendingTurn.lease_until <= now,
                    PendingTurn.attempts == attempts).values(
                    attempts=attempts + 1, lease_until=now + self.lease)).rowcount == 1
                payload = conn.execute(select(PendingTurn.payload).where(
                    PendingTurn.key == key)).scalar_one_or_none() if won else None
            if payload is not None:
                fields = {f.name for f in dataclasses.fields(Inbound)}
                taken.append(Inbound(**{k: v for k, v in payload.items() if k in fields}))
        return taken
