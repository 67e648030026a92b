"""Queries about offers (派单): those of one need, those one scientist received."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from store.models import MAX_ID, Need, NeedStatus, Offer, OfferStatus, Scientist


def get(engine: Engine, offer_id: int) -> Offer | None:
    if not 1 <= offer_id <= MAX_ID:
        return None
    with Session(engine) as s:
        return s.get(Offer, offer_id)


def of_need(engine: Engine, need_id: int) -> list[Any]:
    """(offer, scientist) for every offer of the need, in the order they were made."""
    with Session(engine) as s:
        return list(s.execute(select(Offer, Scientist).join(
            Scientist, Scientist.id == Offer.scientist_id).where(
            Offer.need_id == need_id).order_by(Offer.id)).all())


def received(engine: Engine, scientist_id: int, limit: int = 20) -> list[Any]:
    """(offer, need) for the scientist's latest offers."""
    with Session(engine) as s:
        return list(s.execute(select(Offer, Need).join(Need, Need.id == Offer.need_id)
                              .where(Offer.scientist_id == scientist_id)
                              .order_by(Offer.id.desc()).limit(limit)).all())


def pending_count(engine: Engine, scientist_id: int) -> int:
    with Session(engine) as s:
        return int(s.execute(select(func.count()).select_from(Offer).where(
            Offer.scientist_id == scientist_id,
            Offer.status == OfferStatus.pending)).scalar_one())


def by_token(engine: Engine, token: str) -> tuple[Offer, Need] | None:
    """The offer a button or a typed reply names, with its need."""
    with Session(engine) as s:
        offer = s.execute(select(Offer).where(Offer.token == token)).scalar_one_or_none()
        need = s.get(Need, offer.need_id) if offer is not None else None
    return (offer, need) if offer is not None and need is not None else None


def waiting_for(engine: Engine, scientist_id: int, limit: int = 5) -> list[tuple[Offer, Need]]:
    """(offer, need) for the scientist's pending offers, newest first (我的接单)."""
    with Session(engine) as s:
        rows = s.execute(select(Offer, Need).join(Need, Need.id == Offer.need_id)
                         .where(Offer.scientist_id == scientist_id,
                                Offer.status == OfferStatus.pending)
                         .order_by(Offer.id.desc()).limit(limit)).all()
    return [(o, n) for o, n in rows]


def accepted_for_requester(engine: Engine, person_id: int) -> int | None:
    """The id of the offer most recently accepted for one of the person's open services."""
    with Session(engine) as s:
        return s.execute(select(Offer.id).join(Need, Need.id == Offer.need_id).where(
            Need.requester_id == person_id, Offer.status == OfferStatus.accepted,
            Need.status.in_((NeedStatus.matched, NeedStatus.in_service)))
            .order_by(Offer.responded_at.desc(), Offer.id.desc()).limit(1)
        ).scalar_one_or_none()
