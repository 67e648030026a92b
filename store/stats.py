"""Counts for `kejiyun stats` (the contract in DESIGN.md), optionally within a set of regions
(the partner API's region-limited keys)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Engine, func, or_, select

from store.models import Article, ArticleStatus, Need, NeedStatus, Offer, OfferStatus, Scientist


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
