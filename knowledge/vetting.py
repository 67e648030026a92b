"""Article review states: draft → vetted → retired (and back to draft for rework).

Only vetted articles may answer questions, so every change is audited and the caller must
re-sync the search index (`SearchIndex.sync("articles")`) for it to take effect in answers.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from kejiyun.errors import BadInput
from store.models import Article, ArticleStatus, AuditLog

_ALLOWED = {
    ArticleStatus.draft: {ArticleStatus.vetted, ArticleStatus.retired},
    ArticleStatus.vetted: {ArticleStatus.retired, ArticleStatus.draft},
    ArticleStatus.retired: {ArticleStatus.draft, ArticleStatus.vetted},
}


def set_status(engine: Engine, external_id: str, status: str, *, actor: str,
               reviewer: str = "") -> Article:
    try:
        target = ArticleStatus(status)
    except ValueError:
        raise BadInput(f"未知的文章状态 {status} (unknown article status)") from None
    with Session(engine, expire_on_commit=False) as session:
        article = session.exec(select(Article).where(Article.external_id == external_id)
                               .with_for_update()).first()
        if article is None:
            raise BadInput(f"找不到文章 {external_id} (no such article)")
        current = ArticleStatus(article.status)
        if target == current:
            return article
        if target not in _ALLOWED[current]:
            raise BadInput(f"文章不能从 {current} 改为 {target} (transition not allowed)")
        if target == ArticleStatus.vetted and not (reviewer or article.reviewed_by):
            raise BadInput("审核通过必须填写审核人 (a reviewer is required to vet)")
        now = datetime.now(UTC)
        article.status = target
        if target == ArticleStatus.vetted:
            article.reviewed_by = reviewer or article.reviewed_by
            article.reviewed_at = now
        article.updated_at = now
        session.add(AuditLog(actor=actor, entity="article", entity_id=external_id,
                             action=f"set_{target}", before={"status": current.value},
                             after={"status": target.value}))
        session.commit()
        return article
