"""Telegram channel (python-telegram-bot v22): updates → `Inbound`, `Outbound` → messages with
inline keyboards. Long polling for local use; in webhook mode `mount` adds the webhook route
(`POST /telegram/webhook`, checked against the secret token) that feeds `process`.

- Every update id is claimed in the shared dedup store first, so a re-delivered update is
  processed once, whichever worker gets it.
- A callback query is answered at once, before the (slower) dialog turn, so the button stops
  spinning; the turn itself runs in a thread, so one user's slow turn never blocks others.
- Callback data is the core's short opaque action ("accept:<token>", ≤ 64 bytes); who may
  press it is decided by the core from the store.
- Replies over 4,096 characters are split; a 429 waits `retry_after` and tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hmac
import logging
import warnings
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request, Response
from sqlalchemy import Engine
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.dialog import Dialog
from bot.handlers.base import Sender
from bot.threads import quick, run_in
from core.clock import Clock
from core.settings import Settings
from delivery.dedup import Claims
from delivery.messages import Inbound, Outbound
from delivery.outbox import DeliveryError

log = logging.getLogger(__name__)
CHANNEL = "telegram"
LIMIT = 4096
_MAX_WAIT = 60.0
_WEBHOOK_WAIT = 5.0  # seconds a webhook call waits for the channel's start-up to finish


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at line ends where possible."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text:
        parts.append(text)
    return parts


def keyboard(out: Outbound) -> InlineKeyboardMarkup | None:
    if not out.buttons:
        return None
    rows = [[InlineKeyboardButton(b.label, callback_data=b.action[:64])]
            for b in out.buttons]
    return InlineKeyboardMarkup(rows)


def to_inbound(update: Update) -> tuple[Inbound, int] | None:
    """The core's message and the chat to answer in; None for updates we do not handle."""
    if update.callback_query is not None:
        q = update.callback_query
        if q.from_user is None:  # Telegram always sends `from`; a forged update may not
            return None
        chat_id = q.message.chat.id if q.message is not None else q.from_user.id
        return Inbound(CHANNEL, str(q.from_user.id), action=q.data or "", kind="button",
                       display_name=q.from_user.full_name), chat_id
    m = update.effective_message
    user = update.effective_user
    if m is None or user is None or update.effective_chat is None:
        return None
    if m.text is not None:
        kind = "text"
    elif m.photo:
        kind = "image"
    elif m.voice or m.audio:
        kind = "voice"
    elif m.video or m.video_note or m.animation:
        kind = "video"
    elif m.location or m.venue:
        kind = "location"
    elif m.sticker:
        kind = "sticker"
    else:
        kind = "other"
    return Inbound(CHANNEL, str(user.id), text=m.text or "", kind=kind,
                   display_name=user.full_name), update.effective_chat.id


def retry_seconds(exc: RetryAfter) -> float:
    """`retry_after` is an int today and a timedelta in a future PTB: accept both, quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wait = exc.retry_after
    return wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)


async def with_retry(call: Callable[[], Awaitable[Any]], attempts: int = 3) -> Any:
    """Telegram's 429 says how long to wait: wait that long (bounded) and try again."""
    for attempt in range(attempts):
        try:
            return await call()
        except RetryAfter as exc:
            seconds = retry_seconds(exc)
            if attempt == attempts - 1 or seconds > _MAX_WAIT:
                raise
            await asyncio.sleep(seconds)
    return None


class TelegramChannel:
    name = CHANNEL

    def __init__(self, dialog: Dialog, settings: Settings, dedup: Claims, engine: Engine,
                 clock: Clock) -> None:
        if not settings.telegram_bot_token:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        self.dialog = dialog
        self.engine, self.clock = engine, clock
        self.settings = settings
        self.dedup = dedup
        builder = ApplicationBuilder().token(settings.telegram_bot_token) \
            .concurrent_updates(True)
        if settings.telegram_api_base_url:  # a local Bot API server (or a test double)
            base = settings.telegram_api_base_url.rstrip("/")
            builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
        self.app: Application = builder.build()  # type: ignore[type-arg]
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.loop: asyncio.AbstractEventLoop | None = None
        self._up = asyncio.Event()  # set once started (binds to the serving loop on first use)
        # turns in a pool of their own: they must not hold up bookkeeping (bot.threads)
        self._turns = ThreadPoolExecutor(max_workers=4, thread_name_prefix="telegram-turn")
        self._starting: asyncio.Task[None] | None = None

    # ---- start-up ----------------------------------------------------------------------------
    started: bool = False
    start_error: str | None = "启动中"

    async def attempt(self, polling: bool) -> bool:
        """One try at initialising the bot (getMe), then setting the webhook or starting to
        poll. False (and `start_error`) when Telegram cannot be reached or refuses."""
        self.loop = asyncio.get_running_loop()
        try:
            if not self.app._initialized:
                await self.app.initialize()
            if self.settings.telegram_webhook_url:
                await self.app.bot.set_webhook(
                    self.settings.telegram_webhook_url,
                    secret_token=self.settings.telegram_webhook_secret)
            elif polling:
                if not self.app.running:
                    await self.app.start()
                await self.app.updater.start_polling()  # type: ignore[union-attr]
        except Exception as exc:  # noqa: BLE001 - unreachable, bad token: retry later
            self.start_error = type(exc).__name__
            return False
        self.started, self.start_error = True, None
        log.info("telegram channel started")
        return True

    async def keep_starting(self, polling: bool) -> None:
        """`attempt` now, then again with back-off until it works. A background task: in
        mainland China the Telegram API is often unreachable (or a black hole), and WeChat,
        the web chat, the console and the API serve from the first second meanwhile;
        `/readyz` lists the channel as degraded until it is up."""
        delay = 1.0
        while not await self.attempt(polling):
            log.warning("telegram channel not started (%s); retrying in %.0f s",
                        self.start_error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, _MAX_WAIT)
        self._up.set()

    async def wait_started(self, timeout: float) -> bool:
        """For the webhook: an update that arrives while start-up is under way waits for it
        a little rather than being sent back at once."""
        if not self.started:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._up.wait(), timeout)
        return self.started

    async def start(self, background: bool) -> None:
        """In the background: Telegram being unreachable must not hold up WeChat, the web
        chat, the console and the API. Polls only in the process that runs the jobs."""
        self._starting = asyncio.create_task(self.keep_starting(polling=background))

    async def stop(self) -> None:
        if self._starting is not None:
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._starting
        with contextlib.suppress(Exception):
            await self._shutdown()

    async def _shutdown(self) -> None:
        if self.app.updater and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        if self.app._initialized:
            await self.app.shutdown()

    def health(self) -> None:
        """For /readyz."""
        if not self.started:
            raise ConnectionError(f"Telegram 通道未启动 ({self.start_error or '启动中'})")

    def recover(self) -> int:
        return 0  # Telegram re-delivers an update whose turn did not finish (see `process`)

    # ---- incoming ----------------------------------------------------------------------------
    def receive(self, payload: Any) -> Inbound | None:
        """A PTB `Update` (or its JSON) as the core's message."""
        update = payload if isinstance(payload, Update) else Update.de_json(payload, self.app.bot)
        parsed = to_inbound(update) if update is not None else None
        return parsed[0] if parsed is not None else None

    def mount(self, app: FastAPI) -> None:
        """The webhook: the secret token checked, the update processed once (see `process`)."""

        @app.post("/telegram/webhook", include_in_schema=False)
        async def telegram_webhook(request: Request) -> Response:
            secret = self.settings.telegram_webhook_secret or ""
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
                return Response(status_code=403)
            if not await self.wait_started(_WEBHOOK_WAIT):  # Telegram delivers it again later
                return Response(status_code=503, headers={"Retry-After": "5"})
            try:
                update = Update.de_json(await request.json(), self.app.bot)
            except Exception:  # noqa: BLE001 - malformed body: refuse, store nothing
                return Response(status_code=400)
            # Telegram's update_id is an integer; PTB keeps whatever it was given, and a forged
            # string (NUL bytes and all) would otherwise end up in the dedup key
            if update is None or type(update.update_id) is not int:
                return Response(status_code=400)
            if not await self.process(update):  # another worker is on it: come back later
                return Response(status_code=503, headers={"Retry-After": "5"})
            return Response(status_code=200)

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.process(update)

    async def process(self, update: Update) -> bool:
        """Handle one update exactly once. False means another worker is processing it right
        now: the webhook answers 503 and Telegram delivers it again later — by then it is done
        (and dropped), or that worker died mid-turn and its lease has run out (processed)."""
        self.loop = asyncio.get_running_loop()
        key = f"tg:{update.update_id}"
        lease = timedelta(seconds=self.settings.dedup_lease_seconds)
        state = await quick(self.dedup.begin, key, lease)
        if state != "new":
            log.info("telegram update %s is %s", update.update_id, state)
            return state == "done"
        try:
            turn = await self._turn(update, key)
        except BaseException:
            # not processed (a store outage, a crash): give the update back for a re-delivery
            with contextlib.suppress(Exception):
                await quick(self.dedup.release, key)
            raise
        await quick(self.dedup.finish, key)
        if turn is not None:  # the turn is saved: from here on, never process it again
            await self._reply(*turn)
        return True

    async def _turn(self, update: Update, key: str
                    ) -> tuple[Inbound, int | str, list[Outbound]] | None:
        parsed = to_inbound(update)
        if parsed is None:
            return None
        # the update id goes with the turn: a worker killed after saving it but before
        # `finish` leaves a re-delivery that must not be applied twice
        inbound, chat_id = dataclasses.replace(parsed[0], key=key), parsed[1]
        if update.callback_query is not None:
            try:  # stop the button's spinner now; the turn may take a moment
                await update.callback_query.answer()
            except TelegramError:
                log.warning("could not answer callback query", exc_info=True)
        return inbound, chat_id, await run_in(self._turns, self.dialog.handle, inbound)

    async def _reply(self, inbound: Inbound, chat_id: int | str, replies: list[Outbound]
                     ) -> None:
        """Send the turn's replies; whatever cannot be sent now goes to the outbox, which
        retries with backoff — the turn itself is not repeated."""
        for i, out in enumerate(replies):
            try:
                await self.send(chat_id, out)
            except Exception:  # noqa: BLE001 - Telegram down, network error, bad chat id
                log.warning("telegram reply not sent now; queued in the outbox", exc_info=True)
                await asyncio.to_thread(self._queue, inbound.user_id, replies[i:])
                return

    def _queue(self, user_id: str, replies: list[Outbound]) -> None:
        from delivery.router import queue_replies

        queue_replies(self.engine, CHANNEL, user_id,
                      [out.to_payload() for out in replies], self.clock.now())

    # ---- outgoing ----------------------------------------------------------------------------
    async def send(self, chat_id: int | str, out: Outbound) -> None:
        pieces = split_text(out.text or "…")
        for i, piece in enumerate(pieces):
            markup = keyboard(out) if i == len(pieces) - 1 else None
            await with_retry(lambda p=piece, m=markup: self.app.bot.send_message(
                chat_id=chat_id, text=p, reply_markup=m))

    def sender(self, timeout: float = 30.0) -> Sender:
        """An outbox sender (called from a worker thread) that sends on the bot's loop."""

        def send(user_id: str, out: Outbound) -> None:
            if self.loop is None:
                raise DeliveryError("Telegram 通道尚未启动 (channel not running)")
            future = asyncio.run_coroutine_threadsafe(self._send_once(user_id, out), self.loop)
            future.result(timeout=timeout)

        return send

    async def _send_once(self, user_id: str, out: Outbound) -> None:
        pieces = split_text(out.text or "…")
        try:
            for i, piece in enumerate(pieces):
                markup = keyboard(out) if i == len(pieces) - 1 else None
                await self.app.bot.send_message(chat_id=int(user_id), text=piece,
                                                reply_markup=markup)
        except RetryAfter as exc:
            raise DeliveryError("Telegram 429", retry_after=retry_seconds(exc)) from None
        except Forbidden:
            raise DeliveryError("用户已停用机器人 (bot blocked)", permanent=True) from None
        except TelegramError as exc:
            raise DeliveryError(f"Telegram: {type(exc).__name__}") from None
