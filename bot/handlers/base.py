"""The shape every chat channel has: Telegram, WeChat, the web chat and the terminal.

A channel turns what its platform delivers into an `Inbound` (`receive`), hands it to the
dialog core, and renders each `Outbound` its own way. Replies within the turn go back on the
platform's own request where it has one (WeChat's passive reply, the web chat's response);
everything later (notifications, offers, late replies) goes through the outbox, which calls
the channel's `sender`. `mount` adds the channel's HTTP endpoints (webhook, callback, chat API)
to the web app; `start`/`stop` bracket the process's life; `health` raises when the channel
cannot serve (for /readyz); `recover` re-runs turns a crashed worker left unfinished.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from delivery.messages import Inbound, Outbound

# (platform user id, message) → delivered, or `delivery.outbox.DeliveryError`
Sender = Callable[[str, Outbound], None]


@runtime_checkable
class Channel(Protocol):
    name: str  # the channel's name in accounts and the outbox: "telegram", "wechat", "web", "cli"

    def receive(self, payload: Any) -> Inbound | None:
        """The platform's message as an `Inbound`; None for what is not a message to answer."""
        ...

    def sender(self) -> Sender: ...

    def mount(self, app: Any) -> None: ...

    async def start(self, background: bool) -> None:
        """`background`: this process also runs the jobs (Telegram polls only then)."""
        ...

    async def stop(self) -> None: ...

    def health(self) -> None: ...

    def recover(self) -> int: ...


class Quiet:
    """Defaults for a channel with nothing to do at start, stop, health or recovery."""

    def mount(self, app: Any) -> None:
        return None

    async def start(self, background: bool) -> None:
        return None

    async def stop(self) -> None:
        return None

    def health(self) -> None:
        return None

    def recover(self) -> int:
        return 0
