"""What every route of the partner API shares: the error type and its answers, the key and
scope dependencies (FastAPI `Depends`), region filters, cursor paging and parameter checks.

The process's objects reach the routes through `ApiContext` on `app.state.api` (set by
`mount`), read by the `context` dependency, as in FastAPI's project template."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from fastapi import Depends, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.clock import Clock
from knowledge import gazetteer
from store.models import MAX_ID, NeedKind, NeedStatus
from web import apikeys
from web.limits import RateLimiter, Refused

PREFIX = "/api/v1"
MAX_ROWS = 1000  # rows per POST
MAX_BODY = 32 * 1024 * 1024  # bytes per POST
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


class ErrorOut(BaseModel):
    error: str = Field(description="中文说明（英文）")


def error_doc(description: str) -> dict[str, Any]:
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



@dataclass
class ApiContext:
    engine: Engine
    clock: Clock
    sync_index: Callable[[str], Any] | None = None
    limiter: RateLimiter | None = None


def context(request: Request) -> ApiContext:
    return request.app.state.api  # type: ignore[no-any-return]


# ---- keys and scopes -------------------------------------------------------------------------
bearer = HTTPBearer(auto_error=False, scheme_name="bearer", bearerFormat="kjy_…",
                    description="Authorization: Bearer kjy_<前缀>_<密钥>")
header_key = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="apiKey",
                          description="也可以放在 X-API-Key 请求头里")


def current_key(cred: HTTPAuthorizationCredentials | None = Security(bearer),
                x_key: str | None = Security(header_key),
                ctx: ApiContext = Depends(context)) -> apikeys.Key:
    token = (cred.credentials if cred is not None else x_key or "").strip()
    if not token:
        raise ApiError(401, "缺少 API 密钥：请在 Authorization: Bearer 或 X-API-Key "
                            "请求头中提供 (missing API key)")
    key = apikeys.verify(ctx.engine, token, ctx.clock)
    if key is None:
        raise ApiError(401, "API 密钥无效或已吊销 (invalid or revoked API key)")
    if ctx.limiter is not None:
        try:
            ctx.limiter.api(key.prefix)
        except Refused as exc:
            raise ApiError(exc.status, exc.message,
                           {"Retry-After": str(exc.retry_after)}) from None
    return key


def scope(name: str) -> Callable[..., apikeys.Key]:
    """A dependency: the request's key, which must carry scope `name` (else 403)."""
    def check(key: apikeys.Key = Depends(current_key)) -> apikeys.Key:
        if not key.allows(name):
            raise ApiError(403, f"该密钥没有 {name} 权限 (API key lacks scope {name})")
        return key
    return check


def region_codes(key: apikeys.Key, region: str | None) -> frozenset[str] | None:
    """The region codes a list may show: the key's region, narrowed by `?region=`."""
    codes = key.region_codes()
    if region:
        found = gazetteer.resolve(region) or gazetteer.find_region(region)
        if found is None:
            raise ApiError(400, f"无法识别地区“{region[:50]}” (unknown region)")
        wanted = gazetteer.subtree_codes(found.code)
        codes = wanted if codes is None else codes & wanted
    return codes


# ---- paging and parameters -------------------------------------------------------------------
Limit = Query(50, ge=1, le=500, description="每页条数（1–500）")
Cursor = Query(None, max_length=64, description="上一页返回的 next_cursor")
Region = Query(None, max_length=200, description="地区名或行政区划代码（含下级地区）")


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


def page(ctx: ApiContext, stmt: Any, model: Any, limit: int, cursor: str | None,
         render: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    after = decode_cursor(cursor)
    with Session(ctx.engine) as s:
        rows = list(s.execute(stmt.where(model.id > after).order_by(model.id)
                              .limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [render(x) for x in rows],
            "next_cursor": encode_cursor(rows[-1].id) if more else None}


def plausible_id(value: str) -> bool:
    """Could this be a stored external id? (Longer ids or NUL characters never are, and
    PostgreSQL refuses NUL in a query.)"""
    return 0 < len(value) <= 128 and "\x00" not in value


def text_param(value: str | None, name: str) -> str | None:
    if value is not None and "\x00" in value:
        raise ApiError(400, f"参数 {name} 含有非法的空字符 (NUL character in {name})")
    return value.strip() if value is not None else None


