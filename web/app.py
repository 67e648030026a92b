"""The web process (`kejiyun serve`): health, web chat, Telegram webhook, WeChat callback, the
staff console, the partner REST API (`web/api.py`, the only part in /openapi.json besides
health), and the background loops (outbox delivery, offer expiry, Telegram polling when no
webhook).

Everything goes through the same dialog core; this module only translates HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from bot.dedup import make_dedup
from bot.delivery import ChannelRouter, Sender
from bot.dialog import Dialog
from bot.messages import MAX_TEXT, Inbound, Outbound
from kejiyun.clock import Clock, system_clock
from kejiyun.errors import StoreUnavailable, is_store_outage
from kejiyun.sanitize import clean_text
from kejiyun.settings import Settings, get_settings
from matching.outbox import DeliveryError, OutboxWorker
from web.limits import BodyLimit, ChatGate, RateLimiter, Refused

log = logging.getLogger(__name__)
WEB_COOKIE = "kjy_chat"
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
_TELEGRAM_WAIT = 5.0  # seconds a webhook call waits for the channel's start-up to finish


class ChatIn(BaseModel):
    text: str = Field(default="", max_length=MAX_TEXT * 2)
    action: str | None = Field(default=None, max_length=200)

    @field_validator("text", "action", mode="before")
    @classmethod
    def _clean(cls, v: Any) -> Any:
        return clean_text(v) if isinstance(v, str) else v  # "\ud800" in JSON: not a 500


class WebInbox:
    """Notifications for web-chat users. The page cannot be pushed to, so the router's web
    sender holds each message in the outbox (`held`), and the page's next poll — on whichever
    worker — takes them from there and marks them sent."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def sender(self) -> Sender:
        def send(user_id: str, out: Outbound) -> None:
            raise DeliveryError("网页聊天：等待页面取走 (waiting for the page)", hold=True)
        return send

    def take(self, user_id: str) -> list[Outbound]:
        from sqlalchemy import select, update
        from sqlalchemy.orm import Session

        from bot.accounts import account, recipients_of
        from store.models import Outbox, OutboxStatus

        person_id, _ = account(self.engine, "web", user_id)
        with Session(self.engine) as s, s.begin():
            rows = list(s.execute(select(Outbox).where(
                Outbox.recipient.in_(recipients_of(s, person_id)),
                Outbox.status == OutboxStatus.held).order_by(Outbox.id).limit(20)).scalars())
            taken: list[Outbound] = []
            for row in rows:  # each message goes to one poll, even if two race
                if s.execute(update(Outbox).where(Outbox.id == row.id,
                                                  Outbox.status == OutboxStatus.held)
                             .values(status=OutboxStatus.sent, sent_at=self.clock.now())
                             .execution_options(synchronize_session=False)).rowcount == 1:
                    taken.append(Outbound.from_payload(row.payload))
            return taken


def render(out: Outbound) -> dict[str, Any]:
    return out.to_payload()


def create_app(settings: Settings | None = None, *, engine: Engine | None = None,
               dialog: Dialog | None = None, clock: Clock = system_clock,
               background: bool = True) -> FastAPI:
    settings = settings or get_settings()
    if engine is None:
        from knowledge.importers import ensure_schema
        from store.db import make_engine

        engine = make_engine(settings=settings)
        ensure_schema(engine)
    if dialog is None:
        from bot.service import make_dialog

        dialog = make_dialog(engine, settings, clock)
    dedup = make_dedup(engine, settings, clock)
    limiter = RateLimiter(settings)
    gate = ChatGate(settings, limiter)
    inbox = WebInbox(engine, clock)
    senders: dict[str, Sender] = {"web": inbox.sender()}
    telegram = None
    if settings.telegram_bot_token:
        from bot.handlers.telegram import TelegramChannel

        telegram = TelegramChannel(dialog, settings, dedup)
        senders["telegram"] = telegram.sender()
    wechat = None
    if settings.wechat_token:
        from bot.handlers.wechat import WeChatChannel

        wechat = WeChatChannel(dialog, settings, dedup, engine, clock)
        senders["wechat"] = wechat.sender()
    worker = OutboxWorker(engine, ChannelRouter(engine, senders), settings, clock)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks: list[asyncio.Task[Any]] = []
        if telegram is not None:
            # in the background: Telegram being unreachable must not hold up WeChat, the web
            # chat, the console and the API
            tasks.append(asyncio.create_task(telegram.keep_starting(polling=background)))
        if wechat is not None:
            wechat.loop = asyncio.get_running_loop()
        if background:
            # With Redis, `kejiyun worker` runs expiry and delivery; each web worker only
            # keeps its own index in step.
            tasks.append(asyncio.create_task(_ticker(dialog, worker, wechat,
                                                     jobs=not settings.redis_url)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            if telegram is not None:
                with contextlib.suppress(Exception):
                    await telegram.stop()

    app = FastAPI(title="科技云助手 合作平台接口 (Kejiyun partner API)", version="1.0",
                  description=API_DESCRIPTION, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_tags=[{"name": n} for n in ("需求", "科技工作者", "科普文章", "统计",
                                                      "导出", "健康检查")])
    app.state.dialog, app.state.worker, app.state.inbox = dialog, worker, inbox

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
    app.state.telegram, app.state.wechat = telegram, wechat

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

        ok, body = readiness(engine, lambda: dialog.matcher.index.collection("scientists")
                             .count(), settings,
                             telegram=telegram.check if telegram is not None else None)
        return JSONResponse(body, status_code=200 if ok else 503)

    # ---- web chat ----------------------------------------------------------------------------
    @app.get("/chat", response_class=HTMLResponse, include_in_schema=False)
    def chat_page() -> HTMLResponse:
        page = (resources.files("web") / "chat.html").read_text(encoding="utf-8")
        return HTMLResponse(page)

    def _web_user(request: Request, response: Response) -> str:
        user = request.cookies.get(WEB_COOKIE)
        if not user or len(user) > 64:
            user = secrets.token_urlsafe(18)
            response.set_cookie(WEB_COOKIE, user, httponly=True, samesite="lax",
                                max_age=3600 * 24 * 365,
                                secure=request.url.scheme == "https")
        return user

    @app.post("/chat/api/message", include_in_schema=False)
    async def chat_message(body: ChatIn, request: Request, response: Response) -> Any:
        user = _web_user(request, response)
        gate.check_rate(user, request.client.host if request.client else "")
        inbound = Inbound("web", user, text=body.text, action=body.action or None,
                          kind="button" if body.action else "text")
        replies = await gate.run(lambda: dialog.handle(inbound), request.is_disconnected)
        if replies is None:  # the browser went away while the message waited: not processed
            return Response(status_code=204)
        return {"replies": [render(r) for r in replies]}

    @app.get("/chat/api/updates", include_in_schema=False)
    def chat_updates(request: Request, response: Response) -> dict[str, Any]:
        user = _web_user(request, response)
        return {"replies": [render(r) for r in inbox.take(user)]}

    # ---- Telegram webhook --------------------------------------------------------------------
    @app.post("/telegram/webhook", include_in_schema=False)
    async def telegram_webhook(request: Request) -> Response:
        if telegram is None:
            return Response(status_code=404)
        secret = settings.telegram_webhook_secret or ""
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return Response(status_code=403)
        if not await telegram.wait_started(_TELEGRAM_WAIT):  # Telegram delivers it again later
            return Response(status_code=503, headers={"Retry-After": "5"})
        try:
            data = await request.json()
            from telegram import Update

            update = Update.de_json(data, telegram.app.bot)
        except Exception:  # noqa: BLE001 - malformed body: refuse, store nothing
            return Response(status_code=400)
        # Telegram's update_id is an integer; PTB keeps whatever it was given, and a forged
        # string (NUL bytes and all) would otherwise end up in the dedup key
        if update is None or type(update.update_id) is not int:
            return Response(status_code=400)
        if not await telegram.process(update):  # another worker is on it: come back later
            return Response(status_code=503, headers={"Retry-After": "5"})
        return Response(status_code=200)

    if wechat is not None:
        wechat.mount(app)
        _hide_from_schema(app, "/wechat")
    from web.console import router as console_router

    # The OpenAPI document is about the partner API: the staff console and the WeChat callback
    # (mounted by their own modules) stay out of it, like the web chat and Telegram above.
    app.include_router(console_router(engine, dialog.offers, clock, dialog.matcher.index),
                       include_in_schema=False)
    from web.api import mount as mount_api

    mount_api(app, engine, clock, dialog.matcher.index.sync, limiter=limiter)
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


async def _ticker(dialog: Dialog, worker: OutboxWorker, wechat: Any = None,
                  jobs: bool = True) -> None:
    """The in-process scheduler of the embedded default: offer expiry, outbox delivery, WeChat
    turns left unfinished by a crash, and
    keeping this process's search index in step with the store, so an article vetted or a
    profile imported through another worker or the CLI takes effect here too (a sync with
    nothing new is two small queries)."""
    while True:
        try:
            if jobs:
                await asyncio.to_thread(dialog.offers.expire_due)
                await asyncio.to_thread(worker.run_once)
                if wechat is not None:  # messages whose worker died mid-turn
                    await asyncio.to_thread(wechat.recover)
            await asyncio.to_thread(dialog.matcher.index.sync_all)
        except Exception:  # noqa: BLE001 - keep ticking; the next pass retries
            log.exception("background tick failed")
        await asyncio.sleep(_TICK)
