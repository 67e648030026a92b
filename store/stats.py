"""Counts for `kejiyun stats` (the contract in DESIGN.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from store.models import Article, ArticleStatus, Need, NeedStatus, Offer, OfferStatus, Scientist


def _by_status(conn: Any, model: Any, statuses: list[str]) -> dict[str, int]:
    counts = {s: 0 for s in statuses}
    rows = conn.execute(select(model.status, func.count()).group_by(model.status)).all()
    for status, n in rows:
        counts[status] = n
    return counts


def collect(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return {
            "scientists": conn.execute(select(func.count()).select_from(Scientist)).scalar_one(),
            "articles": _by_status(conn, Article, [s.value for s in ArticleStatus]),
            "needs": _by_status(conn, Need, [s.value for s in NeedStatus]),
            "offers": _by_status(conn, Offer, [s.value for s in OfferStatus]),
        }
