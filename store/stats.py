"""Counts for `kejiyun stats` (the contract in DESIGN.md), optionally within a set of regions
(the partner API's region-limited keys)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, or_, select

from core.clock import as_utc
from store.models import (
    Article,
    ArticleStatus,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    Outbox,
    OutboxStatus,
    QuestionLog,
    Scientist,
)


def _by_status(conn: Any, stmt: Any, statuses: list[str]) -> dict[str, int]:
    counts = {s: 0 for s in statuses}
    for status, n in conn.execute(stmt).all():
        counts[status] = n
    return counts


def collect(engine: Engine, regions: Collection[str] | None = None) -> dict[str, Any]:
    """All counts, or only records inside `regions` (region codes): scientists, needs and
    their offers by the record's region; articles with no region (province-wide 科普) count
    everywhere."""
    sci = select(func.count()).select_from(Scientist)
    art = select(Article.status, func.count()).group_by(Article.status)
    need = select(Need.status, func.count()).group_by(Need.status)
    offer = select(Offer.status, func.count()).group_by(Offer.status)
    if regions is not None:
        codes = sorted(regions)
        sci = sci.where(Scientist.region_code.in_(codes))
        art = art.where(or_(Article.region_code.is_(None), Article.region_code.in_(codes)))
        need = need.where(Need.region_code.in_(codes))
        offer = offer.join(Need, Need.id == Offer.need_id).where(Need.region_code.in_(codes))
    with engine.connect() as conn:
        return {
            "scientists": conn.execute(sci).scalar_one(),
            "articles": _by_status(conn, art, [s.value for s in ArticleStatus]),
            "needs": _by_status(conn, need, [s.value for s in NeedStatus]),
            "offers": _by_status(conn, offer, [s.value for s in OfferStatus]),
        }


# ---- the figures /metrics exports (web/metrics.py) ---------------------------------------------
WINDOW = timedelta(days=7)  # match and abstain rates: the last week, like the weekly report
_MATCHED = (NeedStatus.matched, NeedStatus.in_service, NeedStatus.closed)
_NOT_DISPATCHED = (NeedStatus.draft, NeedStatus.cancelled)
_BACKLOG = (OutboxStatus.pending, OutboxStatus.held, OutboxStatus.dead)


@dataclass
class StoreFigures:
    outbox: dict[str, int] = field(default_factory=dict)
    outbox_due: int = 0
    outbox_oldest_age: float = 0.0
    offers: dict[str, int] = field(default_factory=dict)
    needs: dict[str, int] = field(default_factory=dict)
    questions: dict[str, int] = field(default_factory=dict)
    needs_dispatched: int = 0
    needs_matched: int = 0


def read_figures(engine: Engine, now: datetime) -> StoreFigures:
    """A handful of grouped counts over indexed columns, on one connection."""
    since = now - WINDOW
    f = StoreFigures()
    with engine.connect() as conn:
        f.outbox = {s.value: 0 for s in _BACKLOG} | {
            str(s): int(n) for s, n in conn.execute(
                select(Outbox.status, func.count()).where(Outbox.status.in_(_BACKLOG))
                .group_by(Outbox.status))}
        due, oldest = conn.execute(
            select(func.count(), func.min(Outbox.created_at))
            .where(Outbox.status == OutboxStatus.pending, Outbox.next_attempt_at <= now)).one()
        f.outbox_due = int(due)
        if oldest is not None:
            f.outbox_oldest_age = max(0.0, (now - as_utc(oldest)).total_seconds())
        f.offers = {s.value: 0 for s in OfferStatus} | {
            str(s): int(n) for s, n in conn.execute(
                select(Offer.status, func.count()).group_by(Offer.status))}
        f.needs = {s.value: 0 for s in NeedStatus} | {
            str(s): int(n) for s, n in conn.execute(
                select(Need.status, func.count()).group_by(Need.status))}
        f.questions = {"answered": 0, "abstained": 0}
        for abstained, n in conn.execute(
                select(QuestionLog.abstained, func.count()).where(QuestionLog.at >= since)
                .group_by(QuestionLog.abstained)):
            f.questions["abstained" if abstained else "answered"] += int(n)
        for status, n in conn.execute(
                select(Need.status, func.count()).where(Need.created_at >= since,
                                                        Need.status.not_in(_NOT_DISPATCHED))
                .group_by(Need.status)):
            f.needs_dispatched += int(n)
            if status in _MATCHED:
                f.needs_matched += int(n)
    return f
