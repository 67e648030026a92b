"""What every journey step is handed: the turn being built and the services it may use.

A step is a small function `step(deps, text, t)` (free text in a state) or
`step(deps, arg, t)` (a button's argument); it says what to reply with `t.say` and moves the
conversation by setting `t.state` / `t.data`. The turn runner (`bot/dialog.py`) saves both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from bot import texts
from core.clock import Clock
from delivery.messages import Button, Outbound
from matching.offers import OfferService
from matching.service import Matcher
from retrieval.answer import Answerer
from store.models import MAX_ID, QuestionLog


@dataclass
class Deps:
    """The services a dialog step may use (built once per process)."""

    engine: Engine
    answerer: Answerer
    matcher: Matcher
    offers: OfferService
    clock: Clock


@dataclass
class Turn:
    person_id: int
    role: str
    conversation_id: int
    state: str
    data: dict[str, Any]
    replies: list[Outbound] = field(default_factory=list)
    channel: str = ""
    # Written with the conversation's new state, so a retried turn never logs twice.
    questions: list[QuestionLog] = field(default_factory=list)
    outcome: str = "other"  # for metrics: answered | abstained | need | other
    key: str = ""  # the message's delivery id (Inbound.key), when the channel has one
    after_answer: bool = False  # the turn before answered a question (follow-ups lean on it)
    after_emergency: bool = False  # …and that answer was an emergency's (120, 119)
    soon_after_answer: bool = False  # an answer within the last few turns (not older)

    def say(self, text: str, buttons: list[Button] | None = None) -> None:
        self.replies.append(Outbound(text, buttons or []))

    @property
    def at_rest(self) -> bool:
        """No form is open: free text is a question, a request or a command."""
        return self.state in ("start", "ask")

    def reset(self, state: str = "start") -> None:
        """Leave whatever form was open; nothing of it is kept."""
        self.state, self.data = state, {}


# free text in a state, or a button's argument
Step = Callable[[Deps, str, Turn], None]


def options(t: Turn, buttons: list[Button]) -> list[Button]:
    """Remember the buttons just shown, so "1", "2" … can press them on text channels."""
    t.data["options"] = [b.action for b in buttons]
    return buttons


def menu(t: Turn, welcome: bool = False, text: str | None = None) -> None:
    t.say(text or (texts.WELCOME if welcome else texts.HELP),
          options(t, [Button("我要提问", "menu:ask"), Button("发布技术需求", "menu:need"),
                      Button("我是科技工作者", "menu:scientist")]))


def stored_id(arg: str) -> int | None:
    """A button's record id, or None when it is not one (the store checks the rest)."""
    return int(arg) if arg.isascii() and arg.isdigit() and int(arg) <= MAX_ID else None
