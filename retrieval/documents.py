"""What gets indexed: article chunks and scientist profiles, derived from store rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from knowledge import gazetteer
from retrieval.chunking import chunk_article
from store.models import Article, Scientist

KINDS = ("articles", "scientists")


@dataclass(slots=True)
class Doc:
    id: str        # chunk id ("art-1#0") or scientist external id
    parent: str    # article or scientist external id
    title: str     # article title or scientist name
    text: str      # chunk text or profile text
    meta: dict[str, Any]
    # a scientist's name says nothing about what they do: "牛" in a dairy farmer's need must
    # not match 牛海军, a chemical engineer
    titled: bool = True

    @property
    def embed_text(self) -> str:
        return f"{self.title}\n{self.text}" if self.titled else self.text

    @property
    def sparse_text(self) -> str:
        # an article's title counts twice
        return f"{self.title} {self.title} {self.text}" if self.titled else self.text


def region_meta(code: str | None) -> dict[str, str]:
    """Region codes up the hierarchy, so a filter on any level is one equality test."""
    meta = {"region_province": "", "region_city": "", "region_county": ""}
    if code:
        for region in gazetteer.ancestors(code):
            meta[f"region_{region.level}"] = region.code
    return meta


def article_docs(article: Article) -> list[Doc]:
    meta = {"parent": article.external_id, "status": article.status,
            "vetted": article.status == "vetted", **region_meta(article.region_code)}
    return [Doc(c.chunk_id, article.external_id, article.title, c.text, dict(meta))
            for c in chunk_article(article.external_id, article.body)]


def scientist_doc(s: Scientist) -> Doc:
    parts = [s.discipline]
    if s.directions:
        parts.append("研究方向：" + "；".join(s.directions))
    if s.services:
        parts.append("可提供：" + "；".join(s.services))
    if s.achievements:
        parts.append("成果：" + "；".join(s.achievements))
    parts += [s.organization, s.title, s.region_text]
    meta = {"parent": s.external_id, "available": bool(s.available),
            "discipline_code": s.discipline_code or "", "kind": s.kind,
            **region_meta(s.region_code)}
    return Doc(s.external_id, s.external_id, s.name, " ".join(p for p in parts if p), meta,
               titled=False)


def indexable(kind: str) -> list[Any]:
    """Which rows the index holds. Only vetted articles: drafts and retired articles must never
    answer, and keeping them out of Chroma spares a slow metadata filter on every query."""
    return [Article.status == "vetted"] if kind == "articles" else []


def iter_docs(engine: Engine, kind: str, parents: list[str] | None = None,
              batch: int = 2000) -> Iterator[Doc]:
    model: Any = Article if kind == "articles" else Scientist
    stmt = select(model).where(*indexable(kind)).order_by(model.id)
    if parents is not None:
        stmt = stmt.where(model.external_id.in_(parents))
    with Session(engine) as session:
        for row in session.execute(stmt.execution_options(yield_per=batch)).scalars():
            if kind == "articles":
                yield from article_docs(row)
            else:
                yield scientist_doc(row)
