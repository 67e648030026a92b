"""Which scientists an offer can reach: a push needs a chat account bound to the scientist's
person (most imported profiles have none at first); without one, local staff phone them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import ChannelAccount, Person, Scientist


def reachable(session: Session, scientist_ids: Iterable[int]) -> set[int]:
    """The scientists among `scientist_ids` with a bound chat account (and not erased)."""
    ids = list(scientist_ids)
    if not ids:
        return set()
    bound = select(ChannelAccount.id).where(ChannelAccount.person_id == Person.id).exists()
    return set(session.execute(
        select(Scientist.id).join(Person, Person.id == Scientist.person_id)
        .where(Scientist.id.in_(ids), Person.erased_at.is_(None), bound)).scalars())


def phone_of(scientist: Scientist) -> str:
    """The number staff would call ("" when the profile has none)."""
    return str((scientist.contact or {}).get("phone") or "")
