"""WeChat official account channel (wechatpy): the `/wechat` callback and the
customer-service API.

Incoming (`/wechat`):
- GET echoes `echostr` after the signature check (constant-time compare) and the same
  timestamp check as POST.
- POST is refused with 403 (nothing stored) for a bad signature, a timestamp more than five
  minutes off, or a nonce already used with a different body; with 400 for a DOCTYPE/ENTITY
  (no entity expansion ever), malformed XML, or safe mode without `<Encrypt>`; with 413 when
  larger than 64 KB. WeChat's own retry (it re-sends a callback not answered within 5 s,
  byte for byte: same nonce, same body) is not a replay: it is a duplicate (below).
- Safe mode (`encrypt_type=aes`) checks `msg_signature` and decrypts with the current
  EncodingAESKey, then the previous ones (`WECHAT_AES_KEY="new,old"`), and encrypts replies
  with the current one.
- Duplicates are processed once, keyed by FromUserName+MsgId (messages) or
  FromUserName+CreateTime+Event+EventKey (events), in the store shared by all workers.
- The answer goes back passively when the turn finishes within the 5-second window;
  otherwise the callback answers `success` and the reply goes out later through the outbox
  and the customer-service API.

Outgoing: every call, the token fetch included, goes to `WECHAT_API_BASE_URL` (wechatpy
hard-codes api.weixin.qq.com in places, so the client is wrapped); the access token is cached
with a single refresher; 40001/42001 refresh once and retry once; errors such as 45015 (outside
the 48-hour window) are recorded as undelivered, never as sent. Texts are split under 2,047
bytes; buttons become `weixin://bizmsgmenu` links plus numbered replies.

WeChat shows `<a href>` in a text message as a link and decodes &lt; &gt; &amp;, so message text
is HTML-escaped (only our own button links stay markup), and the passive reply's XML is written
here, not by wechatpy (which puts text into CDATA as is: a `]]>` would end it early).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import hmac
import logging
import re
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from html import escape
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from sqlalchemy import Engine

from bot.dialog import Dialog
from bot.threads import quick
from core.clock import Clock
from core.errors import StoreUnavailable
from core.settings import Settings
from delivery import held
from delivery.dedup import Claims
from delivery.messages import Button, Inbound, Outbound
from delivery.outbox import DeliveryError
from delivery.pending import PendingTurns
from store.accounts import account

log = logging.getLogger(__name__)
CHANNEL = "wechat"
MAX_BODY = 64 * 1024
MAX_SKEW = 300          # seconds a signed timestamp may be off
# A nonce is remembered for as long as its timestamp is accepted (±MAX_SKEW), and a bit more
NONCE_TTL = timedelta(seconds=2 * MAX_SKEW + 60)
# How long a request holds its (nonce, body) claim while it finds out whether the nonce is
# its own; only the winner's claim is made long (`Dedup.finish`), so "done" = bound to this body
_NONCE_PROBE = timedelta(seconds=10)
BYTE_LIMIT = 2047       # WeChat's limit for one text message, in UTF-8 bytes
_TOKEN_ERRORS = {40001, 40014, 42001}
HOLD_TEXT = "正在为您查找答案，请稍后回复任意文字获取答案。"
_MORE = "\n（还有新消息，回复任意文字继续查看）"
_MENU = {"ASK": "menu:ask", "NEED": "menu:need", "SCIENTIST": "menu:scientist"}
_KIND = {"text": "text", "image": "image", "voice": "voice", "video": "video",
         "shortvideo": "video", "location": "location", "link": "link", "file": "file"}


_DECLARED_ENCODING = re.compile(r"""\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")


class BadRequest(Exception):
    """Answer 400: the body is not a WeChat message we will parse."""


class Forbidden(Exception):
    """Answer 403: not from WeChat (signature, staleness, replay)."""


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def parse_xml(body: bytes) -> dict[str, str]:
    """Flat WeChat XML → dict. DOCTYPE/ENTITY are refused before parsing, so nothing is ever
    expanded (billion laughs, external entities). WeChat sends UTF-8: any other encoding
    (UTF-16, UTF-32, an 8-bit charset named in the declaration) would hide a DOCTYPE from that
    check, so it is refused too."""
    if b"\x00" in body:  # UTF-16/32 (and NUL is not allowed in XML anyway)
        raise BadRequest("NUL bytes / UTF-16 or UTF-32 not allowed")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("not UTF-8") from None
    declared = _DECLARED_ENCODING.match(text.removeprefix("\ufeff"))
    if declared and declared.group(1).lower() not in ("utf-8", "utf8"):
        raise BadRequest(f"encoding {declared.group(1)!r} not allowed")
    lowered = body.lower()  # the whole body: a long comment first must not hide a DOCTYPE
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise BadRequest("DOCTYPE/ENTITY not allowed")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise BadRequest(f"malformed XML: {exc}") from None
    if root.tag != "xml":
        raise BadRequest("not a WeChat message")
    return {child.tag: (child.text or "") for child in root}


def _menu(buttons: list[Button]) -> str:
    """Our own markup: tappable `weixin://bizmsgmenu` links with a numbered fallback. The
    label is escaped as text, the URL parameters are percent-encoded (no quote can end href)."""
    lines = []
    for i, b in enumerate(buttons, start=1):
        link = (f'<a href="weixin://bizmsgmenu?msgmenucontent={quote(b.label)}'
                f'&msgmenuid={quote(b.action)}">{escape(b.label, quote=False)}</a>')
        lines.append(f"{i}. {link}")
    lines.append("（点击选项，或回复编号）")
    return "\n".join(lines)


def render_text(out: Outbound) -> str:
    """One reply as WeChat text: the message text HTML-escaped (WeChat shows `&lt;` as `<`
    but would make a user's `<a href>` a link in our name), then the buttons as links."""
    text = escape(out.text, quote=False)
    if not out.buttons:
        return text
    return f"{text}\n\n{_menu(out.buttons)}" if text else _menu(out.buttons)


def chunks(out: Outbound, limit: int = BYTE_LIMIT) -> list[Outbound]:
    """`out` cut so that each piece, rendered, fits in one text message. The raw text is cut
    (never an entity or a link in two), and the buttons go with the last piece."""
    menu = len(("\n\n" + _menu(out.buttons)).encode()) if out.buttons else 0
    pieces: list[str] = []
    current, size = "", 0
    for ch in out.text:
        width = len(escape(ch, quote=False).encode())
        if current and size + width > limit:
            pieces.append(current)
            current, size = "", 0
        current, size = current + ch, size + width
    if current or not pieces:
        pieces.append(current)
    if not out.buttons:
        return [Outbound(p) for p in pieces]
    if size + menu > limit and current:
        pieces.append("")  # no room left for the buttons: they come as a piece of their own
    return [Outbound(p) for p in pieces[:-1]] + [Outbound(pieces[-1], list(out.buttons))]


_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def cdata(value: str) -> str:
    """`value` as CDATA that always parses back to `value`: a `]]>` inside is split across two
    sections, and characters XML cannot carry at all (control characters) are dropped."""
    value = _XML_ILLEGAL.sub("", value)
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class APIClient:
    """wechatpy's client pointed at `WECHAT_API_BASE_URL` for every call. The access token
    lives in the store (`SharedStore`, or Redis when configured), shared by all workers; when it
    is missing or revoked, one worker refreshes it (a lease) while the others wait for it;
    an invalid-token error refreshes once and retries once."""

    def __init__(self, settings: Settings, engine: Engine, clock: Clock) -> None:
        from wechatpy import WeChatClient

        from delivery.dedup import make_dedup
        from delivery.shared import wechat_session

        base = (settings.wechat_api_base_url or "https://api.weixin.qq.com").rstrip("/") + "/"
        official = "https://api.weixin.qq.com/"

        class Client(WeChatClient):  # type: ignore[misc]
            API_BASE_URL = base + "cgi-bin/"

            def _request(self, method, url_or_endpoint, **kwargs):  # type: ignore[no-untyped-def]
                if url_or_endpoint.startswith(official):
                    url_or_endpoint = base + url_or_endpoint[len(official):]
                api_base = kwargs.get("api_base_url")
                if isinstance(api_base, str) and api_base.startswith(official):
                    kwargs["api_base_url"] = base + api_base[len(official):]
                return super()._request(method, url_or_endpoint, **kwargs)

            def fetch_access_token(self):  # type: ignore[no-untyped-def]
                result = self._fetch_access_token(
                    url=base + "cgi-bin/token",
                    params={"grant_type": "client_credential", "appid": self.appid,
                            "secret": self.secret})
                # keep it five minutes less than WeChat does, and let the shared copy's
                # expiry (not this process's clock) decide when it is stale
                ttl = max(60, int(result.get("expires_in", 7200)) - 300)
                self.session.set(self.access_token_key, result["access_token"], ttl)
                self.expires_at = None
                return result

        self._client = Client(settings.wechat_app_id or "", settings.wechat_app_secret or "",
                              session=wechat_session(engine, settings, clock),
                              timeout=10, auto_retry=False)
        self._lease = make_dedup(engine, settings, clock)
        self._refresh = threading.Lock()
        self._lease_key = f"wxtoken-refresh:{settings.wechat_app_id}"

    def _current(self) -> str | None:
        return self._client.session.get(self._client.access_token_key)

    def _token(self, stale: str | None = None) -> None:
        """Make sure a token other than `stale` is in the shared store, fetching it only if
        no other thread or worker is already doing so."""
        with self._refresh:
            for _ in range(100):  # at most ~10 s waiting for another worker's refresh
                current = self._current()
                if current and current != stale:
                    return
                if self._lease.claim(self._lease_key, timedelta(seconds=30)):
                    try:
                        # the previous lease holder may have stored a token between our
                        # look and our claim: check again before fetching
                        current = self._current()
                        if not current or current == stale:
                            self._client.fetch_access_token()
                    finally:
                        self._lease.release(self._lease_key)
                    return
                time.sleep(0.1)
            self._client.fetch_access_token()  # the refresher seems gone: do it ourselves

    def call(self, fn_name: str, *args: Any) -> Any:
        from wechatpy.exceptions import WeChatClientException

        if not self._current():
            self._token()
        used = self._current()
        group, _, method = fn_name.partition(".")
        target = getattr(getattr(self._client, group), method)
        try:
            return target(*args)
        except WeChatClientException as exc:
            if exc.errcode not in _TOKEN_ERRORS:
                raise
        self._token(stale=used)  # 40001 and friends: refresh once, retry once
        return target(*args)


class WeChatChannel:
    name = CHANNEL

    def __init__(self, dialog: Dialog, settings: Settings, dedup: Claims, engine: Engine,
                 clock: Clock) -> None:
        if not settings.wechat_token:
            raise ValueError("WECHAT_TOKEN is not set")
        self.dialog, self.settings, self.dedup = dialog, settings, dedup
        self.engine, self.clock = engine, clock
        self.token = settings.wechat_token
        keys = [k.strip() for k in (settings.wechat_aes_key or "").split(",") if k.strip()]
        self.aes_keys = keys
        self.reply_timeout = settings.wechat_reply_timeout
        # turns get threads of their own, as bookkeeping does (bot/threads.py)
        self._slots = 4
        self._turns = ThreadPoolExecutor(max_workers=self._slots,
                                         thread_name_prefix="wechat-turn")
        self._running = 0  # turns submitted and not finished (changed on the loop only)
        self.api = APIClient(settings, engine, clock) if settings.wechat_app_id else None
        # the message is kept until its turn is saved: WeChat's retries stop after 15 s
        self.pending = PendingTurns(engine, timedelta(seconds=settings.dedup_lease_seconds),
                                    clock)
        self.loop: asyncio.AbstractEventLoop | None = None

    # ---- HTTP --------------------------------------------------------------------------------
    def mount(self, app: FastAPI) -> None:
        @app.get("/wechat")
        def verify(request: Request) -> Response:
            q = request.query_params
            sig = q.get("signature", "")
            try:
                if not sig:
                    raise Forbidden("no signature")
                self._check_signed(sig, q.get("timestamp", ""), q.get("nonce", ""))
            except Forbidden as exc:
                log.warning("wechat verification refused: %s", exc)
                return Response(status_code=403)
            return PlainTextResponse(q.get("echostr", ""))

        @app.post("/wechat")
        async def receive(request: Request) -> Response:
            received = time.monotonic()  # WeChat's 5 s count from here, not from the turn
            length = int(request.headers.get("content-length") or 0)
            if length > MAX_BODY:
                return Response(status_code=413)
            body = await request.body()
            if len(body) > MAX_BODY:
                return Response(status_code=413)
            try:
                return await self.handle(dict(request.query_params), body, received)
            except Forbidden as exc:
                log.warning("wechat callback refused: %s", exc)
                return Response(status_code=403)
            except BadRequest as exc:
                log.info("wechat callback rejected: %s", exc)
                return Response(status_code=400)

    def _check_signed(self, sig: str, timestamp: str, nonce: str) -> float:
        """Signature and timestamp (GET and POST alike): the request's age in seconds."""
        if not same(sig, signature(self.token, timestamp, nonce)):
            raise Forbidden("bad signature")
        try:
            age = self.clock.now().timestamp() - int(timestamp)
        except ValueError:
            raise Forbidden("bad timestamp") from None
        if abs(age) > MAX_SKEW:
            raise Forbidden("stale timestamp")
        return age

    async def handle(self, query: dict[str, str], body: bytes,
                     received: float | None = None) -> Response:
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        age = self._check_signed(query.get("signature", ""), timestamp, nonce)
        # WeChat stamps the request when it sends it (whole seconds). A request that waited
        # in a busy server's socket queue before reaching us is older than our own clock
        # says; its passive reply might come after WeChat gave up. At least age − 1 s old:
        started = time.monotonic() if received is None else received
        received = min(started, time.monotonic() - max(0.0, age - 1.0))
        safe = query.get("encrypt_type") == "aes"
        fields = self._decrypt(query, body, timestamp, nonce) if safe else parse_xml(body)
        await self._claim_nonce(timestamp, nonce, body)
        reply = await self._process(fields, received)
        if reply is None:
            return PlainTextResponse("success")
        xml = self._reply_xml(fields, reply)
        if safe:
            xml = self._crypto(self.aes_keys[0]).encrypt_message(xml, nonce, timestamp)
        return Response(content=xml, media_type="application/xml")

    async def _claim_nonce(self, timestamp: str, nonce: str, body: bytes) -> None:
        """Bind the nonce to this body. The same nonce with the same body is WeChat's own retry
        (let through: the message dedup answers it as a duplicate); with another body it is a
        replay of a captured signature (Forbidden). The signature does not cover a plain-mode
        body, so "same body" must never be concluded from a key a refused request left behind:
        a (nonce, body) key is only made long ("done") by the request that won the nonce."""
        digest = hashlib.sha256(body).hexdigest()[:32]
        bound, plain = f"wxnonce:{timestamp}:{nonce}:{digest}", f"wxnonce:{timestamp}:{nonce}"
        state = await quick(self.dedup.begin, bound, _NONCE_PROBE)
        if state == "done":
            return  # WeChat's retry of a request whose nonce this very body won
        if state == "busy":  # an identical request deciding right now, or one just refused
            raise Forbidden("replayed nonce")
        won = False
        try:
            won = await quick(self.dedup.claim, plain, NONCE_TTL)
            if not won:
                raise Forbidden("replayed nonce with a different body")
            await quick(self.dedup.finish, bound, NONCE_TTL)
        except Forbidden:
            raise  # the short claim on `bound` runs out by itself
        except Exception:
            # the store failed half-way: forget the nonce, so WeChat's retry is not refused
            with contextlib.suppress(Exception):
                if won:
                    await quick(self.dedup.release, plain)
                await quick(self.dedup.release, bound)
            raise

    def _crypto(self, key: str) -> Any:
        from wechatpy.crypto import WeChatCrypto

        return WeChatCrypto(self.token, key, self.settings.wechat_app_id or "")

    def _decrypt(self, query: dict[str, str], body: bytes, timestamp: str,
                 nonce: str) -> dict[str, str]:
        outer = parse_xml(body)
        encrypted = outer.get("Encrypt")
        if not encrypted:
            raise BadRequest("safe mode without <Encrypt>")
        if not self.aes_keys:
            raise BadRequest("safe mode but WECHAT_AES_KEY is not set")
        msg_sig = query.get("msg_signature", "")
        if not same(msg_sig, signature(self.token, timestamp, nonce, encrypted)):
            raise Forbidden("bad msg_signature")
        for key in self.aes_keys:  # the current key, then the previous ones
            try:
                plain = self._crypto(key).decrypt_message(body.decode(), msg_sig, timestamp,
                                                          nonce)
            except Exception:  # noqa: BLE001 - wrong key or corrupt: try the next key
                continue
            return parse_xml(plain.encode() if isinstance(plain, str) else plain)
        raise BadRequest("cannot decrypt with any configured EncodingAESKey")

    # ---- one message -------------------------------------------------------------------------
    async def _process(self, f: dict[str, str], received: float) -> str | None:
        """The passive reply's text (rendered for WeChat), or None to answer `success`."""
        user = f.get("FromUserName", "")
        if not user:
            raise BadRequest("no FromUserName")
        if len(user) > 128:  # an OpenID is 28 characters; the account column holds 128
            raise BadRequest("FromUserName too long")
        msg_type = f.get("MsgType", "")
        if msg_type == "event":
            key = f"wx:{user}:{f.get('CreateTime')}:{f.get('Event')}:{f.get('EventKey')}"
        elif f.get("MsgId"):
            key = f"wx:{user}:{f['MsgId']}"
        else:  # no MsgId (some test tools): the time and content identify a retry
            digest = hashlib.sha1(f.get("Content", "").encode()).hexdigest()[:16]
            key = f"wx:{user}:{f.get('CreateTime')}:{digest}"
        if len(key) > 200:  # the dedup key column; MsgId, Event and EventKey are arbitrary
            key = "wx:sha1:" + hashlib.sha1(key.encode()).hexdigest()
        if not await quick(self.dedup.claim, key):
            return None  # a retry of something already handled (or being handled)
        inbound = self.receive(f)
        if inbound is None:
            return None
        inbound = dataclasses.replace(inbound, key=key)
        held = await quick(self._release_held, user)
        if held is not None:
            return held  # this message was the "any text" that fetches a waiting answer
        await quick(self.pending.open, inbound)
        loop = asyncio.get_running_loop()
        # every turn thread busy: this one would queue behind them and miss the window
        # anyway, so acknowledge at once and push the answer (keeps acks fast under load)
        queued = self._running >= self._slots
        self._running += 1
        task = loop.run_in_executor(self._turns, self.dialog.handle, inbound)
        task.add_done_callback(self._finished)
        try:
            # The passive-reply window counts from the request's arrival: a request that
            # waited (a busy worker) must not answer late, after WeChat gave up on it and
            # its retry was already told "success" — that reply would be lost. Late → push.
            window = 0.0 if queued else self.reply_timeout - (time.monotonic() - received)
            replies = await asyncio.wait_for(asyncio.shield(task), max(0.0, window))
        except StoreUnavailable:
            # give the message back: WeChat retries a request that did not succeed
            with contextlib.suppress(Exception):
                await quick(self.dedup.release, key)
            raise
        except TimeoutError:
            task.add_done_callback(lambda t: self._late(inbound, t))
            if not self.settings.wechat_can_push:
                return HOLD_TEXT
            return None
        first = self._first_and_rest(user, replies)
        await quick(self.pending.close, key)
        return first

    def _finished(self, _task: asyncio.Future[list[Outbound]]) -> None:
        self._running -= 1

    def _release_held(self, user: str) -> str | None:
        """Answers that waited for this user to write again. A service account pushes them now
        (the 48-hour window is open again) and goes on with the new message; a subscription
        account hands the first one back as this message's reply (rendered); a held answer too
        long for one reply gives its first part and stays held with the rest."""
        from sqlalchemy.orm import Session

        person_id, _ = account(self.engine, CHANNEL, user)
        with Session(self.engine) as s, s.begin():
            rows = held.held_for(s, person_id)
            if not rows:
                return None
            if self.settings.wechat_can_push:
                held.release(s, rows, self.clock.now())
                return None
            first = rows[0]
            out = Outbound.from_payload(first.payload)
            parts = chunks(out, BYTE_LIMIT - len(_MORE.encode()))
            part = parts[0]
            if len(parts) == 1:  # all of it fits
                held.take(s, [first], self.clock.now())
                more = len(rows) > 1
            else:
                first.payload = Outbound(out.text[len(part.text):], out.buttons).to_payload()
                more = True
        return render_text(part) + (_MORE if more else "")

    def receive(self, payload: Any) -> Inbound | None:
        """A decrypted, parsed message (its XML fields) as the core's message; None for events
        with nothing to say (unsubscribe, view, location reports)."""
        f: dict[str, str] = payload
        user, msg_type = f.get("FromUserName", ""), f.get("MsgType", "")
        if msg_type == "event":
            event = f.get("Event", "").lower()
            if event == "subscribe":
                return Inbound(CHANNEL, user, kind="event")
            if event == "click":
                action = _MENU.get(f.get("EventKey", ""))
                return Inbound(CHANNEL, user, action=action, kind="button") if action \
                    else Inbound(CHANNEL, user, text="菜单")
            return None  # unsubscribe, view, location reports: nothing to say
        if msg_type == "text" and f.get("bizmsgmenuid"):
            return Inbound(CHANNEL, user, action=f["bizmsgmenuid"], kind="button")
        return Inbound(CHANNEL, user, text=f.get("Content", ""),
                       kind=_KIND.get(msg_type, "other"))

    def _first_and_rest(self, user: str, replies: list[Outbound]) -> str | None:
        """One passive reply is allowed: send the first part now, queue the rest (unrendered,
        like every outbox payload: the sender renders)."""
        pieces = [c for r in replies for c in chunks(r)]
        if not pieces:
            return None
        if len(pieces) > 1:
            self._queue(user, pieces[1:])
        return render_text(pieces[0])

    def _late(self, msg: Inbound, task: asyncio.Future[list[Outbound]]) -> None:
        if task.cancelled() or task.exception() is not None:
            return  # kept in pending_turn: `recover` runs it again
        self._queue(msg.user_id, task.result())
        self.pending.close(msg.key)

    async def start(self, background: bool) -> None:
        self.loop = asyncio.get_running_loop()  # late replies are queued from turn threads

    async def stop(self) -> None:
        return None

    def health(self) -> None:
        return None  # a callback that fails is retried by WeChat; nothing to report here

    def recover(self) -> int:
        """Run again the turns of messages whose worker died mid-turn (their lease ran out).
        The answer is pushed (or held for the user's next message without push rights); a
        turn that was saved before the crash is not applied twice (`Inbound.key`)."""
        recovered = 0
        for msg in self.pending.due(CHANNEL):
            replies = self.dialog.handle(msg)
            if replies:
                self._queue(msg.user_id, replies)
            self.pending.close(msg.key)
            recovered += 1
            log.info("recovered a wechat turn left unfinished by a crashed worker")
        return recovered

    def _queue(self, user: str, replies: list[Outbound]) -> None:
        """Late or overflow replies go through the outbox (customer-service API, retries);
        without push rights they wait, held, for the user's next message."""
        from delivery.router import queue_replies
        from store.models import OutboxStatus

        status = OutboxStatus.pending if self.settings.wechat_can_push else OutboxStatus.held
        queue_replies(self.engine, CHANNEL, user, [out.to_payload() for out in replies],
                      self.clock.now(), status)

    def _reply_xml(self, f: dict[str, str], text: str) -> str:
        """The passive text reply (`text` already rendered). Written here rather than by
        wechatpy's TextReply, which would end its CDATA at a `]]>` in any field."""
        return (f"<xml><ToUserName>{cdata(f.get('FromUserName', ''))}</ToUserName>"
                f"<FromUserName>{cdata(f.get('ToUserName', ''))}</FromUserName>"
                f"<CreateTime>{int(self.clock.now().timestamp())}</CreateTime>"
                f"<MsgType><![CDATA[text]]></MsgType><Content>{cdata(text)}</Content></xml>")

    # ---- outgoing: the customer-service API --------------------------------------------------
    def sender(self) -> Any:
        def send(openid: str, out: Outbound) -> None:
            from wechatpy.exceptions import WeChatClientException

            if self.api is None:
                raise DeliveryError("未配置 WECHAT_APP_ID，无法主动推送 (no app id)",
                                    permanent=True)
            try:
                for piece in chunks(out):
                    self.api.call("message.send_text", openid, render_text(piece))
            except WeChatClientException as exc:
                if exc.errcode == 45015:  # outside the 48-hour window: wait for the user
                    raise DeliveryError("WeChat 45015", hold=True) from None
                # 43004: unsubscribed; 40003: not a user of this account
                permanent = exc.errcode in (43004, 40003)
                raise DeliveryError(f"WeChat {exc.errcode}", permanent=permanent) from None
            except Exception as exc:  # noqa: BLE001 - network: retry later
                raise DeliveryError(f"WeChat: {type(exc).__name__}") from None

        return send
