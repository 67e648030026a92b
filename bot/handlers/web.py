"""The web chat channel (`/chat`): the page posts each message to `/chat/api/message` and gets
the turn's replies in the response; it polls `/chat/api/updates` for everything later.

The user is a random id in an HttpOnly cookie. The page cannot be pushed to, so this channel's
outbox sender holds each notification (`held`), and the page's next poll — on whichever worker
— takes it from there and marks it sent. Rate limits and the busy gate come from the web app
(`gate`: `web.limits.ChatGate`), which owns HTTP concerns.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any, Protocol

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.dialog import Dialog
from bot.handlers.base import Quiet, Sender
from core.clock import Clock
from core.sanitize import clean_text
from delivery import held
from delivery.messages import MAX_TEXT, Inbound, Outbound
from delivery.outbox import DeliveryError
from store.accounts import account

CHANNEL = "web"
COOKIE = "kjy_chat"
_TAKE = 20  # held messages handed to one poll


class Gate(Protocol):
    """What the web app puts in front of a turn (`web.limits.ChatGate`)."""

    def check_rate(self, user: str, ip: str) -> None: ...

    async def run(self, turn: Any, gone: Any) -> Any: ...


class ChatIn(BaseModel):
    text: str = Field(default="", max_length=MAX_TEXT * 2)
    action: str | None = Field(default=None, max_length=200)

    @field_validator("text", "action", mode="before")
    @classmethod
    def _clean(cls, v: Any) -> Any:
        return clean_text(v) if isinstance(v, str) else v  # "\ud800" in JSON: not a 500


def render(out: Outbound) -> dict[str, Any]:
    return out.to_payload()


class WebChannel(Quiet):
    name = CHANNEL

    def __init__(self, dialog: Dialog, engine: Engine, clock: Clock,
                 gate: Gate | None = None) -> None:
        self.dialog, self.engine, self.clock, self.gate = dialog, engine, clock, gate

    def receive(self, payload: Any) -> Inbound | None:
        """`{"user": cookie id, "text": …, "action": …}` as the core's message."""
        action = payload.get("action") or None
        return Inbound(CHANNEL, payload["user"], text=payload.get("text") or "", action=action,
                       kind="button" if action else "text")

    def sender(self) -> Sender:
        def send(user_id: str, out: Outbound) -> None:
            raise DeliveryError("网页聊天：等待页面取走 (waiting for the page)", hold=True)
        return send

    def take(self, user_id: str) -> list[Outbound]:
        """The user's held notifications, each handed to exactly one poll."""
        person_id, _ = account(self.engine, CHANNEL, user_id)
        with Session(self.engine) as s, s.begin():
            rows = held.take(s, held.held_for(s, person_id, _TAKE), self.clock.now())
            return [Outbound.from_payload(row.payload) for row in rows]

    def mount(self, app: FastAPI) -> None:
        def web_user(request: Request, response: Response) -> str:
            user = request.cookies.get(COOKIE)
            if not user or len(user) > 64:
                user = secrets.token_urlsafe(18)
                response.set_cookie(COOKIE, user, httponly=True, samesite="lax",
                                    max_age=3600 * 24 * 365,
                                    secure=request.url.scheme == "https")
            return user

        @app.post("/chat/api/message", include_in_schema=False)
        async def chat_message(body: ChatIn, request: Request, response: Response) -> Any:
            user = web_user(request, response)
            inbound = self.receive({"user": user, "text": body.text, "action": body.action})
            assert inbound is not None
            if self.gate is None:
                replies = await asyncio.to_thread(self.dialog.handle, inbound)
            else:
                self.gate.check_rate(user, request.client.host if request.client else "")
                replies = await self.gate.run(lambda: self.dialog.handle(inbound),
                                              request.is_disconnected)
            if replies is None:  # the browser went away while the message waited: not run
                return Response(status_code=204)
            return {"replies": [render(r) for r in replies]}

        @app.get("/chat/api/updates", include_in_schema=False)
        def chat_updates(request: Request, response: Response) -> dict[str, Any]:
            return {"replies": [render(r) for r in self.take(web_user(request, response))]}
