"""Transactional outbox: notifications are rows written in the same transaction as the state
change that caused them, and a worker delivers them later with retries and back-off.

So an offer is never sent for a need that was rolled back, and a channel outage delays
messages instead of losing them. Several workers may run `OutboxWorker.run_once` at once:
each row is claimed with a conditional update (a lease), so it is delivered by one of them.
Delivery is at-least-once: a worker killed between sending and marking `sent` re-sends after
the lease runs out, so channel adapters pass `Outbox.id` on as an idempotency key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session

from core.clock import Clock, system_clock
from core.settings import Settings
from store.models import Offer, OfferStatus, Outbox, OutboxStatus

log = logging.getLogger(__name__)
_LEASE = timedelta(seconds=120)
_MAX_BACKOFF = timedelta(hours=1)


class DeliveryError(Exception):
    """A channel could not deliver. `permanent` (user blocked the bot, no such user) stops
    retrying; `retry_after` (a 429's hint, seconds) overrides the back-off."""

    def __init__(self, message: str, *, permanent: bool = False,
                 retry_after: float | None = None, hold: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.hold = hold  # deliverable only once the user writes again


@dataclass(frozen=True)
class Message:
    id: int
    kind: str
    recipient: str
    payload: dict[str, Any]
    need_id: int | None
    offer_id: int | None
    attempt: int


Sink = Callable[[Message], None]


def enqueue(session: Session, kind: str, recipient: str, payload: dict[str, Any], *,
            now: datetime, need_id: int | None = None, offer_id: int | None = None) -> None:
    """Add a notification to the caller's transaction (it commits or rolls back with it)."""
    session.add(Outbox(kind=kind, recipient=recipient, payload=payload, need_id=need_id,
                       offer_id=offer_id, next_attempt_at=now, created_at=now))


@dataclass
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    held: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.retried + self.dead + self.held


class OutboxWorker:
    def __init__(self, engine: Engine, sink: Sink, settings: Settings,
                 clock: Clock = system_clock) -> None:
        self.engine = engine
        self.sink = sink
        self.settings = settings
        self.clock = clock

    def backoff(self, attempts: int) -> timedelta:
        """30 s, 1 min, 2 min … doubling per failed attempt, at most an hour."""
        delay = timedelta(seconds=self.settings.outbox_backoff_seconds * 2 ** (attempts - 1))
        return min(delay, _MAX_BACKOFF)

    def run_once(self, limit: int = 100) -> DeliveryStats:
        stats = DeliveryStats()
        now = self.clock.now()
        with self.engine.connect() as conn:
            due = list(conn.execute(
                select(Outbox.id).where(Outbox.status == OutboxStatus.pending,
                                        Outbox.next_attempt_at <= now,
                                        or_(Outbox.lease_until.is_(None),
                                            Outbox.lease_until < now))
                .order_by(Outbox.next_attempt_at, Outbox.id).limit(limit)).scalars())
        for outbox_id in due:
            message = self._claim(outbox_id, now)
            if message is not None:
                self._deliver(message, stats)
        return stats

    def backlog(self) -> int:
        from sqlalchemy import func

        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(Outbox)
                                    .where(Outbox.status == OutboxStatus.pending)).scalar_one())

    def _claim(self, outbox_id: int, now: datetime) -> Message | None:
        with Session(self.engine) as session, session.begin():
            claimed = session.execute(
                update(Outbox).where(Outbox.id == outbox_id,
                                     Outbox.status == OutboxStatus.pending,
                                     or_(Outbox.lease_until.is_(None), Outbox.lease_until < now))
                .values(lease_until=now + _LEASE, attempts=Outbox.attempts + 1)
                .execution_options(synchronize_session=False)).rowcount
            if claimed != 1:
                return None  # another worker has it
            row = session.get(Outbox, outbox_id)
            assert row is not None
            return Message(row.id or 0, row.kind, row.recipient, dict(row.payload),
                           row.need_id, row.offer_id, row.attempts)

    def _deliver(self, message: Message, stats: DeliveryStats) -> None:
        try:
            self.sink(message)
        except Exception as exc:  # noqa: BLE001 - any failure is retried, none is lost
            self._failed(message, exc, stats)
            return
        now = self.clock.now()
        with Session(self.engine) as session, session.begin():
            session.execute(update(Outbox).where(Outbox.id == message.id)
                            .values(status=OutboxStatus.sent, sent_at=now, lease_until=None,
                                    last_error="")
                            .execution_options(synchronize_session=False))
        stats.sent += 1

    def _failed(self, message: Message, exc: Exception, stats: DeliveryStats) -> None:
        now = self.clock.now()
        permanent = isinstance(exc, DeliveryError) and exc.permanent
        retry_after = exc.retry_after if isinstance(exc, DeliveryError) else None
        error = f"{type(exc).__name__}: {exc}"[:500]
        if isinstance(exc, DeliveryError) and exc.hold:
            values_: dict[str, Any] = {"status": OutboxStatus.held, "lease_until": None,
                                       "last_error": error}
            stats.held += 1
            with Session(self.engine) as session, session.begin():
                session.execute(update(Outbox).where(Outbox.id == message.id).values(**values_)
                                .execution_options(synchronize_session=False))
            return
        if permanent or message.attempt >= self.settings.outbox_max_attempts:
            values: dict[str, Any] = {"status": OutboxStatus.dead, "lease_until": None,
                                      "last_error": error}
            stats.dead += 1
            log.warning("outbox %s to %s dead after %d attempts: %s", message.id,
                        message.recipient.split(":")[0], message.attempt, error)
        else:
            delay = (timedelta(seconds=retry_after) if retry_after
                     else self.backoff(message.attempt))
            values = {"next_attempt_at": now + delay, "lease_until": None, "last_error": error}
            stats.retried += 1
            log.info("outbox %s attempt %d failed, retry in %s", message.id, message.attempt,
                     delay)
        with Session(self.engine) as session, session.begin():
            session.execute(update(Outbox).where(Outbox.id == message.id).values(**values)
                            .execution_options(synchronize_session=False))
            if values.get("status") == OutboxStatus.dead and message.kind == "offer" \
                    and message.offer_id is not None:
                # an offer nobody will see: fall due now, so the expiry job moves the
                # need on to the next candidates instead of waiting out the deadline
                session.execute(update(Offer).where(Offer.id == message.offer_id,
                                                    Offer.status == OfferStatus.pending)
                                .values(expires_at=now)
                                .execution_options(synchronize_session=False))


class RecordingSink:
    """Keeps what it was asked to deliver; can be told to fail. For tests and `--dry-run`."""

    def __init__(self) -> None:
        self.delivered: list[Message] = []
        self.fail_next = 0
        self.error: Exception = DeliveryError("通道暂时不可用 (channel unavailable)")

    def __call__(self, message: Message) -> None:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise self.error
        self.delivered.append(message)

    def to(self, recipient: str) -> list[Message]:
        return [m for m in self.delivered if m.recipient == recipient]
