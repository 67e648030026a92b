"""Messages held in the outbox (`held`) until their recipient writes again: notifications for
the web chat (the page cannot be pushed to) and, on WeChat, answers outside the 48-hour
customer-service window or for accounts without push rights.

One way to find them for every recipient kind: whatever is addressed to the person
(`person:<id>`) or to any scientist profile bound to them (`scientist:<external id>`, how
offers are addressed) — see `store.accounts.recipients_of`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.accounts import recipients_of
from store.models import Outbox, OutboxStatus


def held_for(s: Session, person_id: int, limit: int | None = None) -> list[Outbox]:
    """The person's held messages, oldest first (rows of this session, to change in it)."""
    stmt = select(Outbox).where(Outbox.recipient.in_(recipients_of(s, person_id)),
                                Outbox.status == OutboxStatus.held).order_by(Outbox.id)
    return list(s.execute(stmt.limit(limit) if limit else stmt).scalars())


def take(s: Session, rows: list[Outbox], now: datetime) -> list[Outbox]:
    """Mark held rows sent; each goes to the one caller that wins it, even if two race."""
    taken = []
    for row in rows:
        if s.execute(update(Outbox).where(Outbox.id == row.id,
                                          Outbox.status == OutboxStatus.held)
                     .values(status=OutboxStatus.sent, sent_at=now)
                     .execution_options(synchronize_session=False)).rowcount == 1:
            taken.append(row)
    return taken


def release(s: Session, rows: list[Outbox], now: datetime) -> None:
    """Back to the outbox worker, due now: the recipient can be pushed to again."""
    s.execute(update(Outbox).where(Outbox.id.in_([r.id for r in rows]),
                                   Outbox.status == OutboxStatus.held)
              .values(status=OutboxStatus.pending, next_attempt_at=now)
              .execution_options(synchronize_session=False))
