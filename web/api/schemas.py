"""The partner API's answers: response models (the OpenAPI document is generated from them)
and the renderers that turn stored rows into them, or into the import format for exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from core.clock import as_utc
from knowledge import gazetteer
from matching.slots import extract_contacts, find_contacts
from store.models import Article, Need, Scientist


class NeedOut(BaseModel):
    """A need record (docs/contracts.md) without the requester's identity or contact details."""

    id: int
    external_id: str | None
    kind: str
    title: str
    description: str
    discipline: str
    discipline_code: str | None
    keywords: list[str]
    products: list[str]
    region: str = Field(description="地区全称，如 宜宾市翠屏区")
    region_code: str | None
    urgency: str
    budget: float | None
    budget_text: str
    remote_ok: bool
    confidentiality: str
    requester_role: str
    contact_consent: bool
    status: str
    created_at: datetime
    updated_at: datetime


class ScientistOut(BaseModel):
    id: str = Field(description="外部编号（导入时的 id）")
    name: str
    kind: str
    discipline: str
    discipline_code: str | None
    directions: list[str]
    services: list[str]
    achievements: list[str]
    region: str
    region_code: str | None
    organization: str
    title: str
    available: bool
    verified: bool
    updated_at: datetime
    contact: dict[str, Any] | None = Field(
        default=None, description="联系方式：仅当密钥有 scientists:contacts 权限时出现")


class ArticleOut(BaseModel):
    id: str = Field(description="外部编号（导入时的 id）")
    title: str
    body: str
    source: str
    tags: list[str]
    audience: str
    region: str
    region_code: str | None
    status: str
    reviewed_by: str
    reviewed_at: datetime | None
    updated_at: datetime


class NeedPage(BaseModel):
    items: list[NeedOut]
    next_cursor: str | None = Field(description="下一页的游标；没有更多时为 null")


class ScientistPage(BaseModel):
    items: list[ScientistOut]
    next_cursor: str | None


class ArticlePage(BaseModel):
    items: list[ArticleOut]
    next_cursor: str | None


class StatsOut(BaseModel):
    scientists: int
    articles: dict[str, int]
    needs: dict[str, int]
    offers: dict[str, int]


class RejectedRow(BaseModel):
    line: int = Field(description="行号：该行在提交的数组中的位置（从 1 开始）")
    id: str | int | None
    error: str


class WarningRow(BaseModel):
    line: int
    id: str | int | None
    warning: str


class ImportReportOut(BaseModel):
    imported: int
    updated: int
    rejected: list[RejectedRow]
    warnings: list[WarningRow]
    rejected_count: int
    warning_count: int


region_name = gazetteer.display_name


def _utc(value: datetime | None) -> datetime | None:
    return as_utc(value)


def _clean(text: str) -> str:
    """Contact details are lifted out of need texts at intake; mask any that slipped in."""
    return extract_contacts(text)[0] if text else text


def _clean_words(words: list[str] | None) -> list[str]:
    """Keywords and products come from the same texts: a word holding a contact is left out."""
    return [w for w in (words or []) if not find_contacts(w)]


def need_out(n: Need) -> dict[str, Any]:
    return {"id": n.id, "external_id": n.external_id, "kind": n.kind, "title": _clean(n.title),
            "description": _clean(n.description), "discipline": n.discipline,
            "discipline_code": n.discipline_code, "keywords": _clean_words(n.keywords),
            "products": _clean_words(n.products), "region": region_name(n.region_code),
            "region_code": n.region_code, "urgency": n.urgency, "budget": n.budget,
            "budget_text": n.budget_text, "remote_ok": n.remote_ok,
            "confidentiality": n.confidentiality, "requester_role": n.requester_role,
            "contact_consent": n.contact_consent, "status": n.status,
            "created_at": _utc(n.created_at), "updated_at": _utc(n.updated_at)}


def scientist_out(s: Scientist, contacts: bool) -> dict[str, Any]:
    out = {"id": s.external_id, "name": s.name, "kind": s.kind, "discipline": s.discipline,
           "discipline_code": s.discipline_code, "directions": list(s.directions or []),
           "services": list(s.services or []), "achievements": list(s.achievements or []),
           "region": s.region_text or region_name(s.region_code),
           "region_code": s.region_code, "organization": s.organization, "title": s.title,
           "available": s.available, "verified": s.verified, "updated_at": _utc(s.updated_at)}
    if contacts:
        out["contact"] = dict(s.contact or {})
    return out


def article_out(a: Article) -> dict[str, Any]:
    return {"id": a.external_id, "title": a.title, "body": a.body, "source": a.source,
            "tags": list(a.tags or []), "audience": a.audience,
            "region": a.region_text or region_name(a.region_code),
            "region_code": a.region_code, "status": a.status, "reviewed_by": a.reviewed_by,
            "reviewed_at": _utc(a.reviewed_at), "updated_at": _utc(a.updated_at)}


def scientist_row(s: Scientist, contacts: bool) -> dict[str, Any]:
    """A scientist in the import format (docs/contracts.md)."""
    row: dict[str, Any] = {
        "id": s.external_id, "name": s.name, "discipline": s.discipline,
        "directions": list(s.directions or []), "services": list(s.services or []),
        "achievements": list(s.achievements or []),
        "region": s.region_text or region_name(s.region_code),
        "organization": s.organization, "title": s.title, "available": s.available,
        "kind": s.kind}
    if contacts:
        row["contact"] = dict(s.contact or {})
    return row


def article_row(a: Article) -> dict[str, Any]:
    """An article in the import format. The import format knows vetted/draft/retired only, so
    an article waiting for review (`review`) is exported as `draft`."""
    reviewed = _utc(a.reviewed_at)
    return {"id": a.external_id, "title": a.title, "body": a.body, "source": a.source,
            "tags": list(a.tags or []), "audience": a.audience,
            "region": a.region_text or region_name(a.region_code),
            "status": "draft" if a.status == "review" else a.status,
            "reviewed_by": a.reviewed_by,
            "reviewed_at": reviewed.isoformat() if reviewed else None}


