"""/api/v1/needs: confirmed, public needs only — never the requester's identity or contact."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from store import needs as store_needs
from store.models import MAX_ID, Need
from web import apikeys
from web.api.common import (
    ITEM_ERRORS,
    LIST_ERRORS,
    NOT_FOUND,
    PREFIX,
    ApiContext,
    ApiError,
    Cursor,
    Limit,
    NeedKindFilter,
    NeedStatusFilter,
    Region,
    context,
    page,
    region_codes,
    scope,
)
from web.api.schemas import NeedOut, NeedPage, need_out

router = APIRouter(prefix=PREFIX)


@router.get("/needs", response_model=NeedPage, responses=LIST_ERRORS,
            tags=["需求"], summary="需求列表（仅公开、已发布的需求）")
def list_needs(key: apikeys.Key = Depends(scope("needs:read")),
               status: NeedStatusFilter | None = None, kind: NeedKindFilter | None = None,
               region: str | None = Region, limit: int = Limit, cursor: str | None = Cursor,
               ctx: ApiContext = Depends(context)) -> dict[str, Any]:
    stmt = store_needs.public()
    if status:
        stmt = stmt.where(Need.status == status)
    if kind:
        stmt = stmt.where(Need.kind == kind)
    codes = region_codes(key, region)
    if codes is not None:
        stmt = stmt.where(Need.region_code.in_(sorted(codes)))
    return page(ctx, stmt, Need, limit, cursor, need_out)


@router.get("/needs/{need_id}", response_model=NeedOut, responses=ITEM_ERRORS,
            tags=["需求"], summary="一条需求")
def get_need(need_id: int, key: apikeys.Key = Depends(scope("needs:read")),
             ctx: ApiContext = Depends(context)) -> dict[str, Any]:
    if not 1 <= need_id <= MAX_ID:
        raise ApiError(404, NOT_FOUND)
    with Session(ctx.engine) as s:
        need = s.execute(store_needs.public().where(Need.id == need_id)).scalar_one_or_none()
    if need is None or not key.can_see(need.region_code):
        raise ApiError(404, NOT_FOUND)
    return need_out(need)
