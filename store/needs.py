"""Queries about needs (科技所需): the staff board and its queues, one need, and what partners
may read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session

from store.models import MAX_ID, Need, NeedStatus, Offer, OfferStatus, OfferVia, Scientist
from store.scopes import Codes, within


def get(engine: Engine, need_id: int) -> Need | None:
    if not 1 <= need_id <= MAX_ID:  # beyond the id column's range: no such need, not a 500
        return None
    with Session(engine) as s:
        return s.get(Need, need_id)


def board(engine: Engine, codes: Codes, status: str | None = None, kind: str | None = None,
          limit: int = 200) -> list[Need]:
    """The newest needs in the region, optionally of one status and kind."""
    stmt = within(select(Need), Need.region_code, codes).order_by(Need.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Need.status == status)
    if kind:
        stmt = stmt.where(Need.kind == kind)
    with Session(engine) as s:
        return list(s.execute(stmt).scalars())


def unmatched(engine: Engine, codes: Codes) -> list[Need]:
    """Needs nobody took: staff step in (oldest first)."""
    with Session(engine) as s:
        return list(s.execute(within(select(Need), Need.region_code, codes).where(
            Need.status == NeedStatus.unmatched).order_by(Need.id)).scalars())


def calls_to_make(engine: Engine, codes: Codes) -> list[Any]:
    """(offer, need, scientist) for experts without a chat account whom staff are to phone,
    soonest deadline first."""
    stmt = (select(Offer, Need, Scientist).join(Need, Need.id == Offer.need_id)
            .join(Scientist, Scientist.id == Offer.scientist_id)
            .where(Offer.via == OfferVia.staff, Offer.status == OfferStatus.pending)
            .order_by(Offer.expires_at))
    with Session(engine) as s:
        return list(s.execute(within(stmt, Need.region_code, codes)).all())


def public() -> Select[Any]:
    """Needs partners may read: confirmed by the requester and public (a statement to narrow
    and page)."""
    return select(Need).where(Need.confidentiality == "public", Need.status != NeedStatus.draft)


def of_requester(engine: Engine, person_id: int, limit: int = 10) -> list[Need]:
    """The person's latest needs (我的需求)."""
    with Session(engine) as s:
        return list(s.execute(select(Need).where(Need.requester_id == person_id)
                              .order_by(Need.id.desc()).limit(limit)).scalars())


def being_served_by(engine: Engine, scientist_id: int, limit: int = 3) -> list[Need]:
    """Needs whose offer the scientist accepted and whose service is not done yet."""
    with Session(engine) as s:
        return list(s.execute(select(Need).join(Offer, Offer.need_id == Need.id).where(
            Offer.scientist_id == scientist_id, Offer.status == OfferStatus.accepted,
            Need.status.in_((NeedStatus.matched, NeedStatus.in_service)))
            .order_by(Need.id.desc()).limit(limit)).scalars())
