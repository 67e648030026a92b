"""Who is talking: persons and their channel accounts, one-time codes for binding an imported
scientist profile or linking a second channel, and erasure on request (PIPL)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kejiyun.clock import Clock, as_utc
from store.models import AuditLog, ChannelAccount, Conversation, OneTimeCode, Person, Scientist

CODE_TTL = timedelta(hours=24)
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: codes are read aloud and typed


def account(engine: Engine, channel: str, user_id: str, display_name: str = "",
            role: str = "citizen") -> tuple[int, str]:
    """The person behind a platform identity (created on first contact), and their role."""
    for _ in range(2):
        with Session(engine) as s:
            row = s.execute(select(ChannelAccount).where(
                ChannelAccount.channel == channel,
                ChannelAccount.platform_user_id == user_id)).scalar_one_or_none()
            if row is not None:
                return row.person_id, row.role
            person = Person(display_name=display_name[:100], role=role)
            s.add(person)
            s.flush()
            assert person.id is not None
            s.add(ChannelAccount(channel=channel, platform_user_id=user_id,
                                 person_id=person.id, role=role))
            try:
                s.commit()
                return person.id, role
            except IntegrityError:  # the same user's other message created it first
                s.rollback()
    raise RuntimeError("could not create the account")


def set_role(engine: Engine, person_id: int, role: str) -> None:
    with Session(engine) as s, s.begin():
        s.execute(update(Person).where(Person.id == person_id).values(role=role))
        s.execute(update(ChannelAccount).where(ChannelAccount.person_id == person_id)
                  .values(role=role))


def scientist_of(engine: Engine, person_id: int) -> Scientist | None:
    with Session(engine, expire_on_commit=False) as s:
        sci = s.execute(select(Scientist).where(Scientist.person_id == person_id)
                        ).scalars().first()
        if sci is not None:
            s.expunge(sci)
        return sci


def new_code(engine: Engine, purpose: str, now: datetime, *, person_id: int | None = None,
             scientist_id: int | None = None) -> str:
    for _ in range(5):
        code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        try:
            with Session(engine) as s, s.begin():
                s.add(OneTimeCode(code=code, purpose=purpose, person_id=person_id,
                                  scientist_id=scientist_id, created_at=now,
                                  expires_at=now + CODE_TTL))
            return code
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a code")


def redeem(engine: Engine, code: str, purpose: str, person_id: int, clock: Clock
           ) -> str | None:
    """Use a code once. Returns None on success, else a Chinese reason."""
    code = code.strip().upper()
    now = clock.now()
    with Session(engine) as s, s.begin():
        row = s.execute(select(OneTimeCode).where(OneTimeCode.code == code,
                                                  OneTimeCode.purpose == purpose)
                        ).scalar_one_or_none()
        if row is None or row.used_at is not None or (as_utc(row.expires_at) or now) <= now:
            return "绑定码无效或已过期，请向工作人员重新获取。" if purpose == "bind" \
                else "关联码无效或已过期，请在原来的账号里重新生成。"
        claimed = s.execute(update(OneTimeCode).where(OneTimeCode.id == row.id,
                                                      OneTimeCode.used_at.is_(None))
                            .values(used_at=now)).rowcount
        if claimed != 1:
            return "这个码刚刚已被使用。"
        if purpose == "bind":
            sci = s.get(Scientist, row.scientist_id)
            if sci is None:
                return "这个码对应的档案不存在。"
            if sci.person_id is not None and sci.person_id != person_id:
                return "这份档案已经绑定了其他账号，请联系工作人员。"
            sci.person_id = person_id
            s.execute(update(Person).where(Person.id == person_id).values(
                role="scientist", display_name=sci.name))
            s.execute(update(ChannelAccount).where(ChannelAccount.person_id == person_id)
                      .values(role="scientist"))
            s.add(AuditLog(at=now, actor=f"person:{person_id}", entity="scientist",
                           entity_id=sci.external_id, action="bind",
                           after={"person_id": person_id}))
        else:  # link: this channel account joins the person who issued the code
            target = row.person_id
            if target is None or target == person_id:
                return "这个关联码就是本账号生成的，请在另一个平台上输入。"
            owner = s.get(Person, target)
            if owner is None or owner.erased_at is not None:
                return "原账号已不存在。"
            s.execute(update(ChannelAccount).where(ChannelAccount.person_id == person_id)
                      .values(person_id=target, role=owner.role))
            s.execute(update(Conversation).where(Conversation.person_id == person_id)
                      .values(person_id=target))
            s.add(AuditLog(at=now, actor=f"person:{person_id}", entity="person",
                           entity_id=str(target), action="link",
                           after={"merged_person": person_id}))
    return None


def erase(engine: Engine, person_id: int, now: datetime) -> None:
    """PIPL deletion: personal data goes, anonymous statistics stay.

    The person row is kept (needs and ratings still count) but emptied; channel accounts and
    conversations (platform ids, chat state) are deleted; a bound scientist profile is
    unbound and hidden from matching; pending outbox messages to the person and messages kept
    for a crashed turn (`pending_turn`) are dropped."""
    from store.models import Need, Outbox, PendingTurn, QuestionLog

    with Session(engine) as s, s.begin():
        convs = select(Conversation.id).where(Conversation.person_id == person_id)
        s.execute(update(Need).where(Need.conversation_id.in_(convs))
                  .values(conversation_id=None))
        s.execute(update(Person).where(Person.id == person_id).values(
            display_name="", contact={}, erased_at=now, organization_id=None))
        s.execute(delete(Conversation).where(Conversation.person_id == person_id))
        s.execute(update(QuestionLog).where(QuestionLog.person_id == person_id)
                  .values(person_id=None, text=""))  # counted, no longer readable
        for channel, user in s.execute(select(ChannelAccount.channel, ChannelAccount
                                              .platform_user_id).where(
                ChannelAccount.person_id == person_id)).all():
            s.execute(delete(PendingTurn).where(PendingTurn.channel == channel,
                                                PendingTurn.user_id == user))
        s.execute(delete(ChannelAccount).where(ChannelAccount.person_id == person_id))
        for sci in s.execute(select(Scientist).where(Scientist.person_id == person_id)
                             ).scalars():
            sci.person_id = None
            sci.available = False
            sci.contact = {}
            sci.updated_at = now
        s.execute(delete(Outbox).where(Outbox.recipient == f"person:{person_id}",
                                       Outbox.status == "pending"))
        s.add(AuditLog(at=now, actor=f"person:{person_id}", entity="person",
                       entity_id=str(person_id), action="erase"))
