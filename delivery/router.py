"""Outbox delivery to chat channels: resolve a recipient to its channel accounts and hand the
rendered message to that channel's sender.

Recipients: `person:<id>`, `scientist:<external id>` (through the bound person) and
`staff:<region code>` (the console's queue; no chat channel). A sender is
`(platform_user_id, Outbound) -> None` and raises `DeliveryError` when its platform fails;
the outbox worker retries with back-off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from delivery.messages import Outbound
from delivery.outbox import DeliveryError, Message
from store.accounts import existing_account
from store.models import ChannelAccount, Conversation, Outbox, OutboxStatus, Person, Scientist

log = logging.getLogger(__name__)

# (platform user id, message) → delivered, or `DeliveryError`
Sender = Callable[[str, Outbound], None]



class ChannelRouter:
    """An outbox sink that knows the channels this process can send on."""

    def __init__(self, engine: Engine, senders: dict[str, Sender]) -> None:
        self.engine = engine
        self.senders = senders

    def accounts(self, recipient: str) -> list[tuple[str, str]]:
        """(channel, platform user id) for the recipient, most recently active first."""
        kind, _, ref = recipient.partition(":")
        with Session(self.engine) as s:
            if kind == "scientist":
                person_id = s.execute(select(Scientist.person_id).where(
                    Scientist.external_id == ref)).scalar_one_or_none()
            elif kind == "person" and ref.isdigit():
                person_id = int(ref)
            else:
                return []
            if person_id is None:
                return []
            person = s.get(Person, person_id)
            if person is None or person.erased_at is not None:
                return []
            rows = s.execute(
                select(ChannelAccount.channel, ChannelAccount.platform_user_id,
                       Conversation.updated_at)
                .outerjoin(Conversation, (Conversation.channel == ChannelAccount.channel)
                           & (Conversation.platform_user_id
                              == ChannelAccount.platform_user_id))
                .where(ChannelAccount.person_id == person_id)).all()
        rows.sort(key=lambda r: (r[2] is None, -(r[2].timestamp() if r[2] else 0)))
        return [(c, u) for c, u, _ in rows]

    def __call__(self, message: Message) -> None:
        if message.recipient.startswith("staff:"):
            # staff read these in the console's queues (unmatched needs, offline-contact
            # tasks), which come from the needs and offers themselves: delivered there
            if (sender := self.senders.get("staff")) is not None:
                sender(message.recipient, Outbound.from_payload(message.payload))
            return
        targets = self.accounts(message.recipient)
        if not targets:
            # an imported scientist who has not bound a chat account yet, or an erased person
            raise DeliveryError("收件人没有可用的聊天账号 (recipient has no chat account)",
                                permanent=True)
        for channel, user in targets:
            sender = self.senders.get(channel)
            if sender is not None:
                sender(user, Outbound.from_payload(message.payload))
                return
        raise DeliveryError(f"本进程不负责渠道 {targets[0][0]} (channel not served here)")


def queue_replies(engine: Engine, channel: str, user_id: str, payloads: list[dict],  # type: ignore[type-arg]
                  now: datetime, status: str = OutboxStatus.pending) -> None:
    """Replies a channel could not give now (late, refused, too many) go to the outbox for
    this user's person, which the worker delivers with retries — or holds (`held`) until
    the user writes again when the channel cannot push."""
    # the turn made the account; none now means the user just erased their data (the late
    # reply is "您的个人数据已删除"): recreating the account to queue it would undo the erasure
    person_id = existing_account(engine, channel, user_id)
    if person_id is None:
        log.info("late reply dropped: the %s account no longer exists", channel)
        return
    with Session(engine) as s, s.begin():
        for payload in payloads:
            s.add(Outbox(kind="reply", recipient=f"person:{person_id}", status=status,
                         payload=payload, next_attempt_at=now, created_at=now))
