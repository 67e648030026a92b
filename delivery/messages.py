"""What channels hand to the dialog core and get back: platform-free messages.

A channel handler turns a Telegram update, a WeChat XML message, a web-chat POST or a
terminal line into one `Inbound`, and renders each `Outbound` (text + buttons) its own way.
Button actions are short opaque strings ("menu:ask", "accept:<offer token>"); the core checks
every one against the store, never trusting the client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.sanitize import clean_text

MAX_TEXT = 10_000  # longer input is cut: nobody types more, and it would slow every step


@dataclass(frozen=True)
class Button:
    label: str
    action: str


@dataclass(frozen=True)
class Inbound:
    channel: str               # "telegram", "wechat", "web", "cli"
    user_id: str               # the platform's user id (Telegram id, WeChat openid …)
    text: str = ""
    action: str | None = None  # set when a button was pressed
    kind: str = "text"         # text | button | image | voice | video | location | sticker | event
    display_name: str = ""
    key: str = ""              # the delivery's id: a turn run again after a crash counts once

    def __post_init__(self) -> None:
        # every channel's text is cleaned here, once: no bidi overrides or zero-width
        # characters in what is stored, no lone surrogates PostgreSQL would refuse
        for name in ("text", "display_name", "action"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                # a platform sent something else where text belongs (a list, a number): it is
                # no text the user typed
                value = None if name == "action" else ""
                object.__setattr__(self, name, value)
            if value:
                object.__setattr__(self, name, clean_text(value))


@dataclass
class Outbound:
    text: str
    buttons: list[Button] = field(default_factory=list)

    def to_payload(self) -> dict[str, Any]:
        """What the outbox and the web chat store: the inverse of `from_payload`."""
        return {"text": self.text,
                "buttons": [{"label": b.label, "action": b.action} for b in self.buttons]}

    @classmethod
    def from_payload(cls, payload: dict) -> Outbound:  # type: ignore[type-arg]
        return cls(str(payload.get("text", "")),
                   [Button(str(b["label"]), str(b["action"]))
                    for b in payload.get("buttons", []) if "label" in b and "action" in b])
