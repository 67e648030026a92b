"""The 科普 article workflow: draft → review → vetted → retired (and back to draft for rework).

Only vetted articles may answer questions, so every change is audited and bumps `updated_at`;
the caller re-syncs the search index (`SearchIndex.sync("articles")`) so a newly vetted article
answers at once and a retired one never again. Other processes pick the change up on their
next sync (the web process's ticker, or the CLI when it opens the index).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from core.errors import BadInput
from store.models import Article, ArticleStatus, AuditLog

S = ArticleStatus
_ALLOWED = {
    S.draft: {S.review, S.vetted, S.retired},  # draft → vetted is the import/CLI shortcut
    S.review: {S.vetted, S.draft},  # vet it, or send it back for rework
    S.vetted: {S.retired, S.draft},
    S.retired: {S.draft, S.vetted},
}
STATUS_LABELS = {"draft": "草稿", "review": "待审核", "vetted": "已审核", "retired": "已下线"}
# What the console offers from each state, in the order the buttons appear.
ACTIONS = {
    S.draft: [(S.review, "提交审核")],
    S.review: [(S.vetted, "审核通过"), (S.draft, "退回修改")],
    S.vetted: [(S.retired, "下线"), (S.draft, "撤回修改")],
    S.retired: [(S.draft, "恢复为草稿")],
}
MAX_TITLE, MAX_BODY = 300, 20_000


@dataclass
class ArticleInput:
    title: str
    body: str
    source: str = ""
    tags: list[str] | None = None
    audience: str = ""

    def cleaned(self) -> ArticleInput:
        title, body = self.title.strip(), self.body.strip()
        if not title or len(title) > MAX_TITLE:
            raise BadInput(f"标题不能为空，且不超过 {MAX_TITLE} 字 (title required)")
        if len(body) < 20 or len(body) > MAX_BODY:
            raise BadInput(f"正文应在 20 到 {MAX_BODY} 字之间 (body must have 20–{MAX_BODY} "
                           "characters)")
        tags = [t for t in (x.strip() for x in self.tags or []) if t][:20]
        return ArticleInput(title, body, self.source.strip()[:300], tags,
                            self.audience.strip()[:64])


def split_tags(text: str) -> list[str]:
    return [t for t in re.split(r"[,，;；、\s]+", text or "") if t]


def create_draft(engine: Engine, data: ArticleInput, *, actor: str, author: str,
                 region_code: str | None = None, origin: str = "") -> Article:
    data = data.cleaned()
    now = datetime.now(UTC)
    article = Article(external_id=f"kp-{now:%Y%m%d}-{secrets.token_hex(3)}", title=data.title,
                      body=data.body, source=data.source, tags=data.tags or [],
                      audience=data.audience, region_code=region_code, status=S.draft,
                      author=author[:100], origin=origin[:100], created_at=now,
                      updated_at=now)
    with Session(engine, expire_on_commit=False) as session:
        session.add(article)
        session.add(AuditLog(at=now, actor=actor, entity="article",
                             entity_id=article.external_id, action="create",
                             after={"status": "draft", "origin": origin or None}))
        session.commit()
    return article


def edit(engine: Engine, external_id: str, data: ArticleInput, *, actor: str,
         reviewer: str = "") -> Article:
    """Change the text. A vetted article stays vetted only because the editor is staff who
    may vet: the edit is recorded as a new review by them."""
    data = data.cleaned()
    with Session(engine, expire_on_commit=False) as session:
        article = _locked(session, external_id)
        if article.status == S.retired:
            raise BadInput("已下线的文章请先恢复为草稿再修改 (restore a retired article first)")
        before = {"title": article.title, "chars": len(article.body)}
        now = datetime.now(UTC)
        article.title, article.body, article.source = data.title, data.body, data.source
        article.tags, article.audience = data.tags or [], data.audience
        if article.status == S.vetted:
            article.reviewed_by, article.reviewed_at = reviewer or actor, now
        article.updated_at = now
        session.add(AuditLog(at=now, actor=actor, entity="article", entity_id=external_id,
                             action="edit", before=before,
                             after={"title": data.title, "chars": len(data.body)}))
        session.commit()
        return article


def set_status(engine: Engine, external_id: str, status: str, *, actor: str,
               reviewer: str = "") -> Article:
    try:
        target = ArticleStatus(status)
    except ValueError:
        raise BadInput(f"未知的文章状态 {status} (unknown article status)") from None
    with Session(engine, expire_on_commit=False) as session:
        article = _locked(session, external_id)
        current = ArticleStatus(article.status)
        if target == current:
            return article
        if target not in _ALLOWED[current]:
            raise BadInput(f"文章不能从“{STATUS_LABELS[current]}”改为“{STATUS_LABELS[target]}”"
                           f" (transition {current} → {target} not allowed)")
        if target == ArticleStatus.vetted and not (reviewer or article.reviewed_by):
            raise BadInput("审核通过必须填写审核人 (a reviewer is required to vet)")
        now = datetime.now(UTC)
        article.status = target
        if target == ArticleStatus.vetted:
            article.reviewed_by = reviewer or article.reviewed_by
            article.reviewed_at = now
        article.updated_at = now
        session.add(AuditLog(at=now, actor=actor, entity="article", entity_id=external_id,
                             action=f"set_{target}", before={"status": current.value},
                             after={"status": target.value}))
        session.commit()
        return article


def _locked(session: Session, external_id: str) -> Article:
    article = session.exec(select(Article).where(Article.external_id == external_id)
                           .with_for_update()).first()
    if article is None:
        raise BadInput(f"找不到文章 {external_id} (no such article)")
    return article
