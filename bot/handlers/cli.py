"""The terminal channel: `kejiyun chat [--as ROLE] [--user ID]`.

Buttons are shown as numbered options; typing the number presses the button. After each turn
the jobs run once (`Services.tick`): notifications for this user are printed, and those for
other terminal users (a scientist's offer, say) are printed with their addressee, so a whole
journey can be followed from one terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.handlers.base import Quiet, Sender
from bot.services import Services
from delivery.messages import Inbound, Outbound
from store import accounts

CHANNEL = "cli"
QUIT = {"quit", "exit", "退出", ":q"}


def render(out: Outbound) -> str:
    lines = [out.text]
    lines += [f"  {i}. {b.label}" for i, b in enumerate(out.buttons, start=1)]
    return "\n".join(lines)


class TerminalChannel(Quiet):
    name = CHANNEL

    def __init__(self, user: str, write: Callable[[str], None] = print) -> None:
        self.user, self.write = user, write

    def receive(self, payload: Any) -> Inbound | None:
        """A typed line; None (the terminal opening) is the welcome event."""
        if payload is None:
            return Inbound(CHANNEL, self.user, kind="event")
        return Inbound(CHANNEL, self.user, text=str(payload))

    def sender(self) -> Sender:
        def send(to_user: str, out: Outbound) -> None:
            head = "〔通知〕" if to_user == self.user else f"〔发给 {to_user} 的通知〕"
            self.write(f"{head}{render(out)}")
        return send


def run(services: Services, user: str, role: str | None,
        read: Callable[[str], str] = input, write: Callable[[str], None] = print) -> None:
    engine = services.engine
    person_id, current = accounts.account(engine, CHANNEL, user, display_name=user,
                                          role=role or "citizen")
    if role and role != current and accounts.scientist_of(engine, person_id) is None:
        # `--as` says who is typing this time (a registered expert stays an expert)
        accounts.set_role(engine, person_id, role)
    channel = services.add(TerminalChannel(user, write))
    line: str | None = None  # the opening: the welcome event
    while True:
        msg = channel.receive(line)
        assert msg is not None
        for out in services.dialog.handle(msg):
            write(render(out))
        if line is not None:
            services.tick()
        try:
            line = read("> ")
        except (EOFError, KeyboardInterrupt):
            write("")
            break
        if line.strip().lower() in QUIT:
            break
