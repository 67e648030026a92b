"""/api/v1/scientists and its export: profiles, contact details only with
`scientists:contacts`; bulk import with `scientists:write`."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import or_, select
from starlette.concurrency import run_in_threadpool

from knowledge import taxonomy
from knowledge.records import ScientistRow
from store import scientists as store_scientists
from store.models import Scientist
from web import apikeys
from web.api.bulk import Strict, export_responses, read_rows, rows_body, run_import, stream
from web.api.common import (
    IMPORT_ERRORS,
    ITEM_ERRORS,
    JSONL,
    LIST_ERRORS,
    NOT_FOUND,
    PREFIX,
    ApiContext,
    ApiError,
    Cursor,
    Limit,
    Region,
    context,
    page,
    plausible_id,
    region_codes,
    scope,
    text_param,
)
from web.api.schemas import (
    ImportReportOut,
    ScientistOut,
    ScientistPage,
    scientist_out,
    scientist_row,
)

router = APIRouter(prefix=PREFIX)


@router.get("/scientists", response_model=ScientistPage, response_model_exclude_unset=True,
            responses=LIST_ERRORS, tags=["科技工作者"], summary="科技工作者列表")
def list_scientists(
    key: apikeys.Key = Depends(scope("scientists:read")), region: str | None = Region,
    discipline: str | None = Query(None, max_length=200,
                                   description="学科名称、别名或 4 位学科代码"),
    available: bool | None = Query(None, description="只看接单中（true）或暂停（false）的"),
    q: str | None = Query(None, max_length=100, description="姓名、单位或学科中包含的文字"),
    limit: int = Limit, cursor: str | None = Cursor, ctx: ApiContext = Depends(context),
) -> dict[str, Any]:
    stmt = select(Scientist)
    codes = region_codes(key, region)
    if codes is not None:
        stmt = stmt.where(Scientist.region_code.in_(sorted(codes)))
    discipline, q = text_param(discipline, "discipline"), text_param(q, "q")
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
    return page(ctx, stmt, Scientist, limit, cursor, lambda x: scientist_out(x, contacts))


@router.get("/scientists/{external_id:path}", response_model=ScientistOut,
            response_model_exclude_unset=True, responses=ITEM_ERRORS, tags=["科技工作者"],
            summary="一位科技工作者")
def get_scientist(external_id: str, key: apikeys.Key = Depends(scope("scientists:read")),
                  ctx: ApiContext = Depends(context)) -> dict[str, Any]:
    if not plausible_id(external_id):
        raise ApiError(404, NOT_FOUND)
    sci = store_scientists.by_external_id(ctx.engine, external_id)
    if sci is None or not key.can_see(sci.region_code):
        raise ApiError(404, NOT_FOUND)
    return scientist_out(sci, key.allows("scientists:contacts"))


@router.post("/scientists", response_model=ImportReportOut, responses=IMPORT_ERRORS,
             tags=["科技工作者"], summary="批量导入/更新科技工作者（按 id）",
             openapi_extra=rows_body(ScientistRow, "科技工作者档案"))
async def post_scientists(request: Request, strict: bool = Strict,
                          key: apikeys.Key = Depends(scope("scientists:write")),
                          ctx: ApiContext = Depends(context)) -> dict[str, Any]:
    rows = await read_rows(request)
    return await run_in_threadpool(run_import, ctx, "scientists", rows, key, strict)


@router.get("/export/scientists.jsonl", response_class=StreamingResponse,
            responses=export_responses("全部可见的科技工作者"), tags=["导出"],
            summary="导出科技工作者（JSON Lines；有 scientists:contacts 权限时含联系方式）")
def export_scientists(key: apikeys.Key = Depends(scope("scientists:read")),
                      ctx: ApiContext = Depends(context)) -> StreamingResponse:
    stmt = select(Scientist)
    codes = key.region_codes()
    if codes is not None:
        stmt = stmt.where(Scientist.region_code.in_(sorted(codes)))
    contacts = key.allows("scientists:contacts")
    return StreamingResponse(stream(ctx, stmt, Scientist, lambda x: scientist_row(x, contacts)),
                             media_type=JSONL)
