"""The web process (`kejiyun serve`): health, the web chat page, the staff console, the partner
REST API (`web/api.py`, the only part in /openapi.json besides health), and the background loop
(`Services.tick`: outbox delivery, offer expiry; Telegram polls when it has no webhook).

The process's objects come from `bot.services.build`; each channel mounts its own endpoints
(`bot/handlers/`: the web chat API, the Telegram webhook, the WeChat callback). Everything goes
through the same dialog core; this module only translates HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from importlib import resources

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from bot.dialog import Dialog
from bot.services import Services, build
from core.clock import Clock, system_clock
from core.errors import StoreUnavailable, is_store_outage
from core.settings import Settings, get_settings
from web.limits import BodyLimit, ChatGate, RateLimiter, Refused

log = logging.getLogger(__name__)
API_DESCRIPTION = """科技云助手的合作平台接口：供其他科技服务平台读取公开需求、科技工作者档案、
已审核的科普文章和统计数据，批量导入档案和文章，并按导入格式（JSON Lines）批量导出。

- 认证：`Authorization: Bearer kjy_…`（或 `X-API-Key` 请求头），密钥用 `kejiyun apikey add` 创建。
- 权限范围：needs:read、scientists:read、scientists:write、scientists:contacts、articles:read、
  articles:write、stats:read；密钥可限定地区（只看该地区及下级地区）。
- 错误：`{"error": "中文说明 (English)"}`；401 密钥缺失/无效/已吊销，403 缺少权限，
  404 不存在或不在密钥的地区范围内。
- 分页：`limit`（1–500，默认 50）和上一页返回的 `next_cursor`。
"""
_TICK = 2.0  # seconds between outbox/expiry passes


def create_app(settings: Settings | None = None, *, engine: Engine | None = None,
               dialog: Dialog | None = None, clock: Clock = system_clock,
               background: bool = True, services: Services | None = None) -> FastAPI:
    settings = settings or get_settings()
    limiter = RateLimiter(settings)
    gate = ChatGate(settings, limiter)
    if services is None:
        services = build(settings, engine=engine, dialog=dialog, clock=clock, gate=gate)
    elif (web := services.channels.get("web")) is not None and getattr(web, "gate", 0) is None:
        web.gate = gate  # type: ignore[attr-defined]
    engine, dialog, clock = services.engine, services.dialog, services.clock

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await services.start(background)
        ticker = None
        if background:
            # With Redis, `kejiyun worker` runs expiry and delivery; each web worker only
            # keeps its own index in step.
            ticker = asyncio.create_task(_ticker(services, jobs=not settings.redis_url))
        try:
            yield
        finally:
            if ticker is not None:
                ticker.cancel()
            await services.stop()

    app = FastAPI(title="科技云助手 合作平台接口 (Kejiyun partner API)", version="1.0",
                  description=API_DESCRIPTION, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_tags=[{"name": n} for n in ("需求", "科技工作者", "科普文章", "统计",
                                                      "导出", "健康检查")])
    app.state.services = services
    # (kept for the tests and tools that look them up on the app)
    app.state.dialog, app.state.worker = dialog, services.outbox
    app.state.inbox = services.channels.get("web")

    async def store_outage(request: Request, exc: Exception) -> Response:
        """The database is restarting or unreachable: 503 with Retry-After, so browsers,
        partners and the WeChat/Telegram platforms try again, instead of a 500 or a lost
        message. Any other database error is a bug and stays a 500."""
        if not is_store_outage(exc):
            log.error("database error", exc_info=exc)
            return JSONResponse({"error": "内部错误 (internal error)"}, status_code=500)
        return JSONResponse({"error": f"{StoreUnavailable.MESSAGE} (store unavailable, "
                                      "retry later)"}, status_code=503,
                            headers={"Retry-After": "5"})

    app.add_exception_handler(StoreUnavailable, store_outage)

    async def refused(request: Request, exc: Exception) -> Response:
        """429 (too fast) or 503 (too busy), with Retry-After; the web chat shows the text."""
        assert isinstance(exc, Refused)
        return JSONResponse({"error": exc.message, "replies": [{"text": exc.message,
                                                                "buttons": []}]},
                            status_code=exc.status,
                            headers={"Retry-After": str(exc.retry_after)})

    app.add_exception_handler(Refused, refused)
    app.add_exception_handler(DBAPIError, store_outage)
    from web.metrics import mount as mount_metrics

    mount_metrics(app, engine, clock, settings)  # /metrics, request ids
    telegram = services.channels.get("telegram")
    app.state.telegram, app.state.wechat = telegram, services.channels.get("wechat")

    # (any request: the body guard refuses a malformed Content-Length before a route runs)
    bad_request = {400: {"description": "请求无效（例如 Content-Length 无效）"}}

    @app.get("/healthz", tags=["健康检查"], responses=bad_request)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["健康检查"],
             responses={**bad_request,
                        503: {"description": "存储、检索索引、Chroma 或 Redis 不可用 (not ready)"}})
    def readyz() -> JSONResponse:
        from web.readiness import readiness

        ok, body = readiness(engine, lambda: services.index.collection("scientists").count(),
                             settings,
                             telegram=telegram.health if telegram is not None else None)
        return JSONResponse(body, status_code=200 if ok else 503)

    # ---- web chat ----------------------------------------------------------------------------
    @app.get("/chat", response_class=HTMLResponse, include_in_schema=False)
    def chat_page() -> HTMLResponse:
        page = (resources.files("web") / "chat.html").read_text(encoding="utf-8")
        return HTMLResponse(page)

    # ---- the channels' endpoints: chat API, Telegram webhook, WeChat callback ----------------
    for channel in services.channels.values():
        channel.mount(app)
    _hide_from_schema(app, "/wechat")
    from web.console import mount as mount_console

    # The OpenAPI document is about the partner API: the staff console and the channels'
    # endpoints stay out of it.
    mount_console(app, engine, services.offers, clock, services.index)
    from web.api import mount as mount_api

    mount_api(app, engine, clock, services.index.sync, limiter=limiter)
    app.add_middleware(BodyLimit)  # added last, so outermost: before anything reads a body
    from web.docs import mount_docs
    from web.headers import install as install_security_headers

    mount_docs(app)  # /docs with Swagger UI served locally (no CDN)
    install_security_headers(app)  # outermost of all: every response gets the headers
    return app


def _hide_from_schema(app: FastAPI, path: str) -> None:
    """For routes a module added to the app itself (`@app.get`), not through a router."""
    for route in app.routes:
        if isinstance(route, APIRoute) and route.path == path:
            route.include_in_schema = False


async def _ticker(services: Services, jobs: bool = True) -> None:
    """The in-process scheduler of the embedded default (`Services.tick`: offer expiry, outbox
    delivery, turns left unfinished by a crash, the search index kept in step)."""
    while True:
        try:
            await asyncio.to_thread(services.tick, jobs)
        except Exception:  # noqa: BLE001 - keep ticking; the next pass retries
            log.exception("background tick failed")
        await asyncio.sleep(_TICK)
