"""The partner REST API at /api/v1 (neighbouring platforms, provincial systems).

Keys (`web/apikeys.py`, `kejiyun apikey add`) carry scopes and an optional region. Every
answer is JSON; errors are `{"error": "中文 (English)"}`: 401 without a valid key, 403 without
the scope, 404 for records that do not exist *or* lie outside the key's region (a partner
cannot probe for them), 400 for a bad cursor or region, 422 for parameters of the wrong shape.

What partners never see: requesters' contact details and the need's internal `data`; needs
whose `confidentiality` is not `public` (the requester chose "only matched experts"), and
drafts the requester has not confirmed — both are left out entirely, from lists, details and
statistics' records alike (statistics only count them); scientists' contact details unless
the key has `scientists:contacts`; unvetted articles unless the key has `articles:write`.

Lists page by an opaque cursor (keyset on the surrogate id: stable while rows are added).
Bulk export streams JSON Lines in exactly the import format of DESIGN.md §3, so an export
can be fed to `kejiyun import` elsewhere. Bulk import (POST) runs the importer's own
validation and upsert (`knowledge.importers.import_rows`) and then syncs the search index,
as `kejiyun import` does.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Literal, get_args

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Security
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import (
    http_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.clock import Clock, as_utc
from knowledge import gazetteer, taxonomy
from knowledge.importers import import_rows
from knowledge.records import ArticleRow, ScientistRow
from matching.slots import extract_contacts, find_contacts
from store.models import MAX_ID, Article, Need, NeedKind, NeedStatus, Scientist
from store.stats import collect
from web import apikeys
from web.limits import RateLimiter, Refused

log = logging.getLogger(__name__)
PREFIX = "/api/v1"
MAX_ROWS = 1000  # rows per POST
MAX_BODY = 32 * 1024 * 1024  # bytes per POST
_EXPORT_CHUNK = 500
JSONL = "application/jsonl"

NeedStatusFilter = Literal["open", "offered", "matched", "in_service", "closed", "cancelled",
                           "unmatched"]
ArticleStatusFilter = Literal["vetted", "draft", "review", "retired"]
NeedKindFilter = Literal["question", "service", "rd_challenge", "talent",
                         "achievement_transfer"]
assert set(get_args(NeedKindFilter)) == {k.value for k in NeedKind}
assert set(get_args(NeedStatusFilter)) == {s.value for s in NeedStatus if s != NeedStatus.draft}


class ApiError(Exception):
    def __init__(self, status_code: int, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status_code, self.message, self.headers = status_code, message, headers


NOT_FOUND = "没有这条记录 (not found)"


# ---- response models (the OpenAPI document is generated from them) --------------------------
class ErrorOut(BaseModel):
    error: str = Field(description="中文说明（英文）")


class NeedOut(BaseModel):
    """A need record (DESIGN.md §3) without the requester's identity or contact details."""

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


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}


AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    # any request: the body guard refuses a malformed Content-Length before the route runs
    400: {"model": ErrorOut, "description": "请求无效（例如 Content-Length 无效）"},
    401: {"model": ErrorOut, "description": "缺少、错误或已吊销的密钥"},
    403: {"model": ErrorOut, "description": "密钥没有所需的权限范围"},
}
LIST_ERRORS = {**AUTH_ERRORS, 400: {"model": ErrorOut, "description": "游标或地区无效"}}
ITEM_ERRORS = {**AUTH_ERRORS, 404: {"model": ErrorOut,
                                    "description": "不存在，或不在密钥的地区范围内"}}
IMPORT_ERRORS = {**AUTH_ERRORS,
                 400: {"model": ErrorOut, "description": "请求体不是 JSON 数组"},
                 413: {"model": ErrorOut, "description": f"超过 {MAX_ROWS} 行或 32 MB"}}


# ---- helpers --------------------------------------------------------------------------------
def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The last id of the previous page (0 for the first page); ApiError(400) if invalid."""
    if not cursor:
        return 0
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_",
                               validate=True).decode("ascii")
    except (ValueError, binascii.Error):
        raw = ""
    m = re.fullmatch(r"v1:([0-9]{1,10})", raw)
    if m is None or int(m.group(1)) > MAX_ID:
        raise ApiError(400, "无效的分页游标 cursor，请使用上一页返回的 next_cursor "
                            "(invalid cursor)")
    return int(m.group(1))


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
    """A scientist in the import format (DESIGN.md §3)."""
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


def _rows_body(model: type[BaseModel], what: str) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema.pop("title", None)
    return {"requestBody": {
        "required": True,
        "description": f"{what}：导入格式（DESIGN.md §3）的 JSON 数组，最多 {MAX_ROWS} 行。"
                       "无效行不会导致整个请求失败，而是在报告中按行号列出。",
        "content": {"application/json": {"schema": {
            "type": "array", "maxItems": MAX_ROWS, "items": schema}}}}}


# ---- the router -----------------------------------------------------------------------------
bearer = HTTPBearer(auto_error=False, scheme_name="bearer", bearerFormat="kjy_…",
                    description="Authorization: Bearer kjy_<前缀>_<密钥>")
header_key = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="apiKey",
                          description="也可以放在 X-API-Key 请求头里")


def router(engine: Engine, clock: Clock, sync_index: Callable[[str], Any] | None = None,
           limiter: RateLimiter | None = None) -> APIRouter:
    r = APIRouter(prefix=PREFIX)

    def current_key(cred: HTTPAuthorizationCredentials | None = Security(bearer),
                    x_key: str | None = Security(header_key)) -> apikeys.Key:
        token = (cred.credentials if cred is not None else x_key or "").strip()
        if not token:
            raise ApiError(401, "缺少 API 密钥：请在 Authorization: Bearer 或 X-API-Key "
                                "请求头中提供 (missing API key)")
        key = apikeys.verify(engine, token, clock)
        if key is None:
            raise ApiError(401, "API 密钥无效或已吊销 (invalid or revoked API key)")
        if limiter is not None:
            try:
                limiter.api(key.prefix)
            except Refused as exc:
                raise ApiError(exc.status, exc.message,
                               {"Retry-After": str(exc.retry_after)}) from None
        return key

    def scope(name: str) -> Callable[..., apikeys.Key]:
        def check(key: apikeys.Key = Depends(current_key)) -> apikeys.Key:
            if not key.allows(name):
                raise ApiError(403, f"该密钥没有 {name} 权限 (API key lacks scope {name})")
            return key
        return check

    def region_codes(key: apikeys.Key, region: str | None) -> frozenset[str] | None:
        codes = key.region_codes()
        if region:
            found = gazetteer.resolve(region) or gazetteer.find_region(region)
            if found is None:
                raise ApiError(400, f"无法识别地区“{region[:50]}” (unknown region)")
            wanted = gazetteer.subtree_codes(found.code)
            codes = wanted if codes is None else codes & wanted
        return codes

    def page(stmt: Any, model: Any, limit: int, cursor: str | None,
             render: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        after = decode_cursor(cursor)
        with Session(engine) as s:
            rows = list(s.execute(stmt.where(model.id > after).order_by(model.id)
                                  .limit(limit + 1)).scalars())
        more = len(rows) > limit
        rows = rows[:limit]
        return {"items": [render(x) for x in rows],
                "next_cursor": encode_cursor(rows[-1].id) if more else None}

    Limit = Query(50, ge=1, le=500, description="每页条数（1–500）")
    Cursor = Query(None, max_length=64, description="上一页返回的 next_cursor")
    Region = Query(None, max_length=200, description="地区名或行政区划代码（含下级地区）")

    # ---- needs ---------------------------------------------------------------------------------
    def visible_needs() -> Any:
        return select(Need).where(Need.confidentiality == "public",
                                  Need.status != NeedStatus.draft)

    @r.get("/needs", response_model=NeedPage, responses=LIST_ERRORS, tags=["需求"],
           summary="需求列表（仅公开、已发布的需求）")
    def list_needs(key: apikeys.Key = Depends(scope("needs:read")),
                   status: NeedStatusFilter | None = None, kind: NeedKindFilter | None = None,
                   region: str | None = Region, limit: int = Limit,
                   cursor: str | None = Cursor) -> dict[str, Any]:
        stmt = visible_needs()
        if status:
            stmt = stmt.where(Need.status == status)
        if kind:
            stmt = stmt.where(Need.kind == kind)
        codes = region_codes(key, region)
        if codes is not None:
            stmt = stmt.where(Need.region_code.in_(sorted(codes)))
        return page(stmt, Need, limit, cursor, need_out)

    @r.get("/needs/{need_id}", response_model=NeedOut, responses=ITEM_ERRORS, tags=["需求"],
           summary="一条需求")
    def get_need(need_id: int, key: apikeys.Key = Depends(scope("needs:read"))
                 ) -> dict[str, Any]:
        if not 1 <= need_id <= MAX_ID:
            raise ApiError(404, NOT_FOUND)
        with Session(engine) as s:
            need = s.execute(visible_needs().where(Need.id == need_id)).scalar_one_or_none()
        if need is None or not key.can_see(need.region_code):
            raise ApiError(404, NOT_FOUND)
        return need_out(need)

    # ---- scientists ----------------------------------------------------------------------------
    @r.get("/scientists", response_model=ScientistPage, response_model_exclude_unset=True,
           responses=LIST_ERRORS, tags=["科技工作者"], summary="科技工作者列表")
    def list_scientists(
        key: apikeys.Key = Depends(scope("scientists:read")), region: str | None = Region,
        discipline: str | None = Query(None, max_length=200,
                                       description="学科名称、别名或 4 位学科代码"),
        available: bool | None = Query(None, description="只看接单中（true）或暂停（false）的"),
        q: str | None = Query(None, max_length=100, description="姓名、单位或学科中包含的文字"),
        limit: int = Limit, cursor: str | None = Cursor,
    ) -> dict[str, Any]:
        stmt = select(Scientist)
        codes = region_codes(key, region)
        if codes is not None:
            stmt = stmt.where(Scientist.region_code.in_(sorted(codes)))
        discipline, q = _text_param(discipline, "discipline"), _text_param(q, "q")
        if discipline:
            mapped = taxonomy.map_discipline(discipline)
            stmt = stmt.where(or_(Scientist.discipline == discipline,
                                  Scientist.discipline_code == mapped.code) if mapped
                              else Scientist.discipline == discipline)
        if available is not None:
            stmt = stmt.where(Scientist.available == available)
        if q:
            like = "%" + re.sub(r"([\\%_])", r"\\\1", q) + "%"
            stmt = stmt.where(or_(Scientist.name.ilike(like, escape="\\"),
                                  Scientist.organization.ilike(like, escape="\\"),
                                  Scientist.discipline.ilike(like, escape="\\")))
        contacts = key.allows("scientists:contacts")
        return page(stmt, Scientist, limit, cursor, lambda x: scientist_out(x, contacts))

    @r.get("/scientists/{external_id:path}", response_model=ScientistOut,
           response_model_exclude_unset=True, responses=ITEM_ERRORS, tags=["科技工作者"],
           summary="一位科技工作者")
    def get_scientist(external_id: str, key: apikeys.Key = Depends(scope("scientists:read"))
                      ) -> dict[str, Any]:
        if not _plausible_id(external_id):
            raise ApiError(404, NOT_FOUND)
        with Session(engine) as s:
            sci = s.execute(select(Scientist).where(
                Scientist.external_id == external_id)).scalar_one_or_none()
        if sci is None or not key.can_see(sci.region_code):
            raise ApiError(404, NOT_FOUND)
        return scientist_out(sci, key.allows("scientists:contacts"))

    # ---- articles ------------------------------------------------------------------------------
    def visible_articles(key: apikeys.Key) -> Any:
        stmt = select(Article)
        if not key.allows("articles:write"):
            stmt = stmt.where(Article.status == "vetted")
        codes = key.region_codes()
        if codes is not None:  # province-wide articles (no region) are for everyone
            stmt = stmt.where(or_(Article.region_code.is_(None),
                                  Article.region_code.in_(sorted(codes))))
        return stmt

    @r.get("/articles", response_model=ArticlePage, responses=LIST_ERRORS, tags=["科普文章"],
           summary="科普文章列表（无 articles:write 权限时只含已审核文章）")
    def list_articles(key: apikeys.Key = Depends(scope("articles:read")),
                      status: ArticleStatusFilter | None = None, limit: int = Limit,
                      cursor: str | None = Cursor) -> dict[str, Any]:
        stmt = visible_articles(key)
        if status:
            stmt = stmt.where(Article.status == status)
        return page(stmt, Article, limit, cursor, article_out)

    @r.get("/articles/{external_id:path}", response_model=ArticleOut, responses=ITEM_ERRORS,
           tags=["科普文章"], summary="一篇科普文章")
    def get_article(external_id: str, key: apikeys.Key = Depends(scope("articles:read"))
                    ) -> dict[str, Any]:
        if not _plausible_id(external_id):
            raise ApiError(404, NOT_FOUND)
        with Session(engine) as s:
            art = s.execute(visible_articles(key).where(
                Article.external_id == external_id)).scalar_one_or_none()
        if art is None:
            raise ApiError(404, NOT_FOUND)
        return article_out(art)

    # ---- bulk import ---------------------------------------------------------------------------
    async def read_rows(request: Request) -> list[Any]:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            raise ApiError(413, "请求体超过 32 MB，请分批提交 (request body too large)")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                raise ApiError(413, "请求体超过 32 MB，请分批提交 (request body too large)")
            chunks.append(chunk)
        try:
            rows = json.loads(b"".join(chunks))
        except (ValueError, RecursionError):
            raise ApiError(400, "请求体不是合法的 JSON (body is not valid JSON)") from None
        if not isinstance(rows, list):
            raise ApiError(400, "请求体应是 JSON 数组，每个元素一行 (body must be a JSON array)")
        if len(rows) > MAX_ROWS:
            raise ApiError(413, f"一次最多提交 {MAX_ROWS} 行，请分批提交 "
                                f"(at most {MAX_ROWS} rows per request)")
        return rows

    def run_import(kind: str, rows: list[Any], key: apikeys.Key, strict: bool) -> dict[str, Any]:
        refuse = _region_guard(engine, kind, rows, key)
        report = import_rows(engine, kind, rows, source=f"api:{key.prefix}", strict=strict,
                             actor=f"apikey:{key.prefix}", refuse=refuse, review=True)
        if (report.imported or report.updated) and sync_index is not None:
            try:
                sync_index(kind)  # searchable and matchable at once, as after `kejiyun import`
            except Exception:  # noqa: BLE001 - the store has the rows; `kejiyun reindex` heals
                log.exception("index sync after API import of %s failed", kind)
        return report.to_json()

    Strict = Query(False, description="为 true 时只要有一行无效就什么都不写")

    @r.post("/scientists", response_model=ImportReportOut, responses=IMPORT_ERRORS,
            tags=["科技工作者"], summary="批量导入/更新科技工作者（按 id）",
            openapi_extra=_rows_body(ScientistRow, "科技工作者档案"))
    async def post_scientists(request: Request, strict: bool = Strict,
                              key: apikeys.Key = Depends(scope("scientists:write"))
                              ) -> dict[str, Any]:
        rows = await read_rows(request)
        return await run_in_threadpool(run_import, "scientists", rows, key, strict)

    @r.post("/articles", response_model=ImportReportOut, responses=IMPORT_ERRORS,
            tags=["科普文章"], summary="批量导入/更新科普文章（按 id）",
            openapi_extra=_rows_body(ArticleRow, "科普文章"))
    async def post_articles(request: Request, strict: bool = Strict,
                            key: apikeys.Key = Depends(scope("articles:write"))
                            ) -> dict[str, Any]:
        rows = await read_rows(request)
        return await run_in_threadpool(run_import, "articles", rows, key, strict)

    # ---- statistics ----------------------------------------------------------------------------
    @r.get("/stats", response_model=StatsOut, responses=AUTH_ERRORS, tags=["统计"],
           summary="统计（与 kejiyun stats --json 相同；地区受限的密钥只统计本地区）")
    def stats(key: apikeys.Key = Depends(scope("stats:read"))) -> dict[str, Any]:
        return collect(engine, key.region_codes())

    # ---- bulk export ---------------------------------------------------------------------------
    def export_responses(what: str) -> dict[int | str, dict[str, Any]]:
        return {200: {"description": f"{what}，每行一个 JSON 对象（导入格式，DESIGN.md §3）",
                      "content": {JSONL: {"schema": {"type": "string"}}}},
                400: _error("请求无效（例如 Content-Length 无效）"),
                401: _error("缺少、错误或已吊销的密钥"), 403: _error("密钥没有所需的权限范围")}

    def stream(stmt: Any, model: Any, render: Callable[[Any], dict[str, Any]]
               ) -> Iterator[bytes]:
        after = 0
        while True:
            with Session(engine) as s:
                rows = list(s.execute(stmt.where(model.id > after).order_by(model.id)
                                      .limit(_EXPORT_CHUNK)).scalars())
            if not rows:
                return
            yield "".join(json.dumps(render(x), ensure_ascii=False) + "\n"
                          for x in rows).encode()
            after = rows[-1].id

    @r.get("/export/scientists.jsonl", response_class=StreamingResponse,
           responses=export_responses("全部可见的科技工作者"), tags=["导出"],
           summary="导出科技工作者（JSON Lines；有 scientists:contacts 权限时含联系方式）")
    def export_scientists(key: apikeys.Key = Depends(scope("scientists:read"))
                          ) -> StreamingResponse:
        stmt = select(Scientist)
        codes = key.region_codes()
        if codes is not None:
            stmt = stmt.where(Scientist.region_code.in_(sorted(codes)))
        contacts = key.allows("scientists:contacts")
        return StreamingResponse(stream(stmt, Scientist, lambda x: scientist_row(x, contacts)),
                                 media_type=JSONL)

    @r.get("/export/articles.jsonl", response_class=StreamingResponse,
           responses=export_responses("全部可见的科普文章"), tags=["导出"],
           summary="导出科普文章（JSON Lines；无 articles:write 权限时只含已审核文章）")
    def export_articles(key: apikeys.Key = Depends(scope("articles:read"))
                        ) -> StreamingResponse:
        return StreamingResponse(stream(visible_articles(key), Article, article_row),
                                 media_type=JSONL)

    return r


def _region_guard(engine: Engine, kind: str, rows: list[Any], key: apikeys.Key
                  ) -> Callable[[dict[str, Any]], str | None] | None:
    """A region-limited key may only write records inside its region: each row's `region` must
    resolve there, and an existing record with the same id must already be there."""
    if key.region_code is None:
        return None
    model = Scientist if kind == "scientists" else Article
    ids = {_row_id(row) for row in rows if isinstance(row, dict)} - {None}
    where: dict[str, str | None] = {}
    id_list = sorted(i for i in ids if i is not None)
    with Session(engine) as s:
        for start in range(0, len(id_list), 500):
            where.update(s.execute(select(model.external_id, model.region_code).where(
                model.external_id.in_(id_list[start:start + 500]))).tuples().all())
    outside = (f"只能导入本密钥地区（{region_name(key.region_code)}）内的记录 "
               "(row outside the API key's region)")

    def refuse(row: dict[str, Any]) -> str | None:
        ext_id = _row_id(row)
        if ext_id in where and not key.can_see(where[ext_id]):
            return outside
        value = row.get("region")
        if not isinstance(value, str):
            return None if value is not None else outside  # a wrong type: validation says so
        found = gazetteer.resolve(value)
        return None if found is not None and key.can_see(found.code) else outside

    return refuse


def _plausible_id(value: str) -> bool:
    """Could this be a stored external id? (Longer ids or NUL characters never are, and
    PostgreSQL refuses NUL in a query.)"""
    return 0 < len(value) <= 128 and "\x00" not in value


def _text_param(value: str | None, name: str) -> str | None:
    if value is not None and "\x00" in value:
        raise ApiError(400, f"参数 {name} 含有非法的空字符 (NUL character in {name})")
    return value.strip() if value is not None else None


def _row_id(row: dict[str, Any]) -> str | None:
    value = row.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def mount(app: FastAPI, engine: Engine, clock: Clock,
          sync_index: Callable[[str], Any] | None = None,
          limiter: RateLimiter | None = None) -> None:
    """Add the /api/v1 routes and their JSON error answers to the app."""
    app.include_router(router(engine, clock, sync_index, limiter))

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else exc.headers
        return JSONResponse({"error": exc.message}, status_code=exc.status_code,
                            headers=headers)

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        # the offending input is not echoed back: it may be huge, or hold a lone surrogate
        # that cannot be encoded into the answer (a 500 instead of a 422)
        errors = [{k: v for k, v in e.items() if k not in ("input", "ctx")}
                  for e in exc.errors()]
        if not request.url.path.startswith(PREFIX + "/"):
            return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)
        where = "；".join(".".join(str(p) for p in e.get("loc", ())) + "：" + str(e.get("msg", ""))
                         for e in errors[:5])
        return JSONResponse(
            {"error": f"请求参数无效 (invalid request parameters): {where}",
             "detail": jsonable_encoder(errors)}, status_code=422)

    async def http_error(request: Request, exc: Exception) -> Response:
        """Routing's own 404/405 under /api/v1 answer in the API's error shape too."""
        assert isinstance(exc, StarletteHTTPException)
        if not request.url.path.startswith(PREFIX + "/"):
            return await http_exception_handler(request, exc)
        message = {404: NOT_FOUND, 405: "不支持该请求方法 (method not allowed)"}.get(
            exc.status_code, f"{exc.detail}")
        return JSONResponse({"error": message}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
