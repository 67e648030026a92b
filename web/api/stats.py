"""/api/v1/stats: the same figures as `kejiyun stats --json`, limited to the key's region."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from store.stats import collect
from web import apikeys
from web.api.common import AUTH_ERRORS, PREFIX, ApiContext, context, scope
from web.api.schemas import StatsOut

router = APIRouter(prefix=PREFIX)


@router.get("/stats", response_model=StatsOut, responses=AUTH_ERRORS,
            tags=["统计"],
            summary="统计（与 kejiyun stats --json 相同；地区受限的密钥只统计本地区）")
def stats(key: apikeys.Key = Depends(scope("stats:read")),
          ctx: ApiContext = Depends(context)) -> dict[str, Any]:
    return collect(ctx.engine, key.region_codes())
