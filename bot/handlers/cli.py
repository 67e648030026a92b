"""The terminal channel: `kejiyun chat [--as ROLE] [--user ID]`.

Buttons are shown as numbered options; typing the number presses the button. After each turn
the outbox is delivered: notifications for this user are printed, and those for other
terminal users (a scientist's offer, say) are printed with their addressee, so a whole
journey can be followed from one terminal.
"""

from __future__ import annotations

from collections.abc import Callable

from bot import accounts
from bot.delivery import ChannelRouter
from bot.dialog import Dialog
from bot.messages import Inbound, Outbound
from kejiyun.settings import Settings
from matching.outbox import OutboxWorker

CHANNEL = "cli"
QUIT = {"quit", "exit", "退出", ":q"}


def render(out: Outbound) -> str:
    lines = [out.text]
    lines += [f"  {i}. {b.label}" for i, b in enumerate(out.buttons, start=1)]
    return "\n".join(lines)


def run(dialog: Dialog, settings: Settings, user: str, role: str | None,
        read: Callable[[str], str] = input, write: Callable[[str], None] = print) -> None:
    person_id, current = accounts.account(dialog.engine, CHANNEL, user, display_name=user,
                                          role=role or "citizen")
    if role and role != current and accounts.scientist_of(dialog.engine, person_id) is None:
        # `--as` says who is typing this time (a registered expert stays an expert)
        accounts.set_role(dialog.engine, person_id, role)

    def sender(to_user: str, out: Outbound) -> None:
        head = "〔通知〕" if to_user == user else f"〔发给 {to_user} 的通知〕"
        write(f"{head}{render(out)}")

    worker = OutboxWorker(dialog.engine, ChannelRouter(dialog.engine, {CHANNEL: sender}),
                          settings, dialog.clock)
    for out in dialog.handle(Inbound(CHANNEL, user, kind="event")):
        write(render(out))
    while True:
        try:
            line = read("> ")
        except (EOFError, KeyboardInterrupt):
            write("")
            break
        if line.strip().lower() in QUIT:
            break
        for out in dialog.handle(Inbound(CHANNEL, user, text=line)):
            write(render(out))
        dialog.offers.expire_due()
        worker.run_once()
