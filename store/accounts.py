"""Queries about who a platform identity is and how a person is reached: the person behind a
channel account, and the outbox recipients that reach a person."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from store.models import ChannelAccount, Person, Scientist


def existing_account(engine: Engine, channel: str, user_id: str) -> int | None:
    """The person behind a platform identity, without creating one (None after erasure)."""
    with Session(engine) as s:
        return s.execute(select(ChannelAccount.person_id).where(
            ChannelAccount.channel == channel,
            ChannelAccount.platform_user_id == user_id)).scalar_one_or_none()


def recipients_of(session: Session, person_id: int) -> list[str]:
    """The outbox recipients that reach this person: themself and their scientist profiles
    (offers are addressed to `scientist:<external id>`)."""
    names = [f"person:{person_id}"]
    names += [f"scientist:{ext}" for ext in session.execute(
        select(Scientist.external_id).where(Scientist.person_id == person_id)).scalars()]
    return names


def person(engine: Engine, person_id: int) -> Person | None:
    with Session(engine) as s:
        return s.get(Person, person_id)
