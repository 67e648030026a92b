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
Bulk export and import use the import format of docs/contracts.md (`bulk.py`).

A router per resource (`needs`, `scientists`, `articles`, `stats`), each route taking the key
through a scope dependency and the store through `context` (`common.py`); response models and
renderers in `schemas.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.clock import Clock
from web.api import articles, needs, scientists, stats
from web.api.common import MAX_ROWS, NOT_FOUND, PREFIX, ApiContext, ApiError
from web.api.schemas import article_row, scientist_row
from web.limits import RateLimiter

__all__ = ["MAX_ROWS", "article_row", "mount", "scientist_row"]


def mount(app: FastAPI, engine: Engine, clock: Clock,
          sync_index: Callable[[str], Any] | None = None,
          limiter: RateLimiter | None = None) -> None:
    """Add the /api/v1 routes and their JSON error answers to the app."""
    app.state.api = ApiContext(engine, clock, sync_index, limiter)
    for resource in (needs, scientists, articles, stats):
        app.include_router(resource.router)

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
