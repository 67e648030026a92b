"""Queries about 科普 articles: one by its external id, the staff list, the review queue."""

from __future__ import annotations

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from store.models import Article, ArticleStatus


def by_external_id(engine: Engine, external_id: str) -> Article | None:
    with Session(engine) as s:
        return s.execute(select(Article).where(
            Article.external_id == external_id)).scalar_one_or_none()


def search(engine: Engine, status: str | None = None, q: str = "", limit: int = 200
           ) -> list[Article]:
    """Latest changed first; `q` in the title or the external id."""
    stmt = select(Article).order_by(Article.updated_at.desc()).limit(limit)
    if status:
        stmt = stmt.where(Article.status == status)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Article.title.like(like), Article.external_id.like(like)))
    with Session(engine) as s:
        return list(s.execute(stmt).scalars())


def waiting_review(engine: Engine, limit: int = 50) -> list[Article]:
    with Session(engine) as s:
        return list(s.execute(select(Article).where(
            Article.status == ArticleStatus.review).order_by(Article.updated_at)
            .limit(limit)).scalars())
