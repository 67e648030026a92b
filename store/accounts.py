"""Who is talking, and how a person is reached: persons and their channel accounts, the outbox
recipients that reach a person, one-time codes for binding an imported scientist profile or
linking a second channel, and erasure on request (PIPL)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from core.clock import Clock, as_utc
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



def existing_account(engine: Engine, channel: str, user_id: str) -> int | None:
    """The person behind a platform identity, without creating one (None after erasure)."""
    with Session(engine) as s:
        return s.execute(select(ChannelAccount.person_id).where(
            ChannelAccount.channel == channel,
            ChannelAccount.platform_user_id == user_id)).scalar_one_or_none()


def recipients_of(session: Session, person_id: int) -> list[str]:
    """The outbox recipients that reach this person: themself and their scientist profiles
    (offers are addressed to `scientist:<external id>`)."""
    names = [f"person:{person_id}"]
    names += [f"scientist:{ext}" for ext in session.execute(
        select(Scientist.external_id).where(Scientist.person_id == person_id)).scalars()]
    return names


def person(engine: Engine, person_id: int) -> Person | None:
    with Session(engine) as s:
        return s.get(Person, person_id)


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


ERASED = "［已删除］"  # what replaces an erased person's name or contact in others' records


def erase(engine: Engine, person_id: int, now: datetime) -> None:
    """PIPL deletion: personal data goes, anonymous statistics stay.

    Covers the person and any account merged into it ("关联": needs published before the
    link still name the old person). Deleted: channel accounts, conversations, messages kept
    for a crashed turn (`pending_turn`), and every outbox message to the person or to their
    scientist profile, sent or not. Emptied: the person row (kept, so needs and ratings still
    count), question texts, their needs' transcript. Redacted (`ERASED` in place of the name
    and each contact value): their needs' title and description, and what others' records
    quote of them — outbox messages to others (an introduction carries the requester's
    contacts, or the scientist's), offer notes, feedback, audit entries. A raw `source_key`
    left from before keys were hashed is hashed. A bound scientist profile is unbound, hidden
    from matching and loses its contact; a self-registered one (all of it came from the
    person) loses its name too."""
    from matching.offers import SOURCE_KEY_PREFIX, source_key_digest
    from store.models import (
        DedupKey,
        Feedback,
        Need,
        Offer,
        Outbox,
        PendingTurn,
        QuestionLog,
    )

    with Session(engine) as s, s.begin():
        ids = _merged_into(s, person_id)
        people = list(s.execute(select(Person).where(Person.id.in_(ids))).scalars())
        accounts = s.execute(select(ChannelAccount.channel, ChannelAccount.platform_user_id)
                             .where(ChannelAccount.person_id.in_(ids))).all()
        scientists = list(s.execute(select(Scientist).where(Scientist.person_id.in_(ids))
                                    ).scalars())
        values = _identifying_values(people, scientists, [u for _, u in accounts])

        needs = list(s.execute(select(Need).where(Need.requester_id.in_(ids))).scalars())
        for need in needs:
            need.title = _scrub(need.title, values)[:300]
            need.description = _scrub(need.description, values)
            need.data = _scrub({**(need.data or {}), "transcript": []}, values)
            flag_modified(need, "data")
            if need.source_key and not need.source_key.startswith(SOURCE_KEY_PREFIX):
                need.source_key = source_key_digest(need.source_key)
            need.conversation_id = None
        # the needs whose messages may quote the person: their own, and those offered to
        # their scientist profile (an introduction to the requester names the scientist)
        need_ids = {n.id for n in needs}
        if scientists:
            need_ids |= set(s.execute(select(Offer.need_id).where(
                Offer.scientist_id.in_([sci.id for sci in scientists]))).scalars())
        affected = sorted(i for i in need_ids if i is not None)

        recipients = [*(f"person:{i}" for i in ids),
                      *(f"scientist:{sci.external_id}" for sci in scientists)]
        deleted = s.execute(delete(Outbox).where(Outbox.recipient.in_(recipients))).rowcount
        for row in s.execute(select(Outbox).where(Outbox.need_id.in_(affected))).scalars():
            row.payload = _scrub(row.payload, values)
            flag_modified(row, "payload")
            row.last_error = _scrub(row.last_error, values)
        offer_ids: list[int] = []
        for offer in s.execute(select(Offer).where(Offer.need_id.in_(affected))).scalars():
            offer.reasons = _scrub(list(offer.reasons), values)
            offer.note = _scrub(offer.note, values)
            offer_ids.append(offer.id or 0)
        for fb in s.execute(select(Feedback).where(
                Feedback.person_id.in_(ids) | Feedback.need_id.in_(affected))).scalars():
            fb.comment = _scrub(fb.comment, values)

        def about(entity: str, keys: list[Any]) -> Any:
            return (AuditLog.entity == entity) & AuditLog.entity_id.in_([str(k) for k in keys])

        mentions = or_(AuditLog.actor.in_([f"person:{i}" for i in ids]), about("person", ids),
                       about("need", affected), about("offer", offer_ids),
                       about("scientist", [sci.external_id for sci in scientists]))
        for entry in s.execute(select(AuditLog).where(mentions)).scalars():
            entry.before = _scrub(entry.before, values)
            entry.after = _scrub(entry.after, values)
            flag_modified(entry, "before")
            flag_modified(entry, "after")

        convs = select(Conversation.id).where(Conversation.person_id.in_(ids))
        s.execute(update(Need).where(Need.conversation_id.in_(convs))
                  .values(conversation_id=None))
        s.execute(update(QuestionLog).where(QuestionLog.person_id.in_(ids))
                  .values(person_id=None, text=""))  # counted, no longer readable
        for channel, user in accounts:
            s.execute(delete(Conversation).where(Conversation.channel == channel,
                                                 Conversation.platform_user_id == user))
            s.execute(delete(PendingTurn).where(PendingTurn.channel == channel,
                                                PendingTurn.user_id == user))
            # delivery claims are stored hashed (delivery.dedup.stored_key); these are raw ones
            # written before that, still waiting for their expiry
            s.execute(delete(DedupKey).where(DedupKey.key.startswith(f"wx:{user}:",
                                                                     autoescape=True)))
        s.execute(delete(Conversation).where(Conversation.person_id.in_(ids)))
        s.execute(delete(ChannelAccount).where(ChannelAccount.person_id.in_(ids)))
        for sci in scientists:
            sci.person_id = None
            sci.available = False
            sci.contact = {}
            if sci.external_id.startswith("self-"):  # self-registered: the person's own text
                sci.name, sci.organization, sci.title = ERASED, "", ""
            sci.updated_at = now
        if scientists:  # their open offers will not be answered: due now, so the expiry job
            # moves each need on to the next expert instead of waiting out the 48 hours
            s.execute(update(Offer).where(
                Offer.scientist_id.in_([sci.id for sci in scientists]),
                Offer.status == "pending").values(expires_at=now)
                .execution_options(synchronize_session=False))
        s.execute(update(Person).where(Person.id.in_(ids)).values(
            display_name="", contact={}, erased_at=now, organization_id=None))
        s.add(AuditLog(at=now, actor=f"person:{person_id}", entity="person",
                       entity_id=str(person_id), action="erase",
                       after={"merged_persons": len(ids) - 1, "needs": len(needs),
                              "outbox_deleted": deleted}))


def _merged_into(s: Session, person_id: int) -> list[int]:
    """The person and every person linked into it ("关联" moves the channel account, not
    what the old person already owned), found through the link audit entries."""
    ids, todo = [person_id], [person_id]
    while todo:
        merged = s.execute(select(AuditLog.after).where(
            AuditLog.entity == "person", AuditLog.action == "link",
            AuditLog.entity_id == str(todo.pop()))).scalars()
        for after in merged:
            other = (after or {}).get("merged_person")
            if isinstance(other, int) and other not in ids:
                ids.append(other)
                todo.append(other)
    return ids


def _identifying_values(people: list[Person], scientists: list[Scientist],
                        user_ids: list[str]) -> list[str]:
    """What names or reaches the person in free text, longest first (a value is replaced
    before any part of it): display names, contact values and platform ids, with the bare
    address inside a captured "邮箱x@y.cn" and the digits of "138 0000 1111". Single
    characters are left alone: replacing every "王" would wreck the texts, not protect."""
    raw = [*user_ids]
    for p in people:
        raw += [p.display_name, *(str(v) for v in (p.contact or {}).values())]
    for sci in scientists:
        raw += [sci.name, *(str(v) for v in (sci.contact or {}).values())]
    found: set[str] = set()
    for value in (v.strip() for v in raw if v):
        if len(value) >= 2:
            found.add(value)
        found.update(re.findall(r"[\w.+\-@]{5,}", value, flags=re.ASCII))
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 7:
            found.add(digits)
    found.discard(ERASED)
    return sorted(found, key=len, reverse=True)


def _scrub(value: Any, values: list[str]) -> Any:
    """`value` (text, or JSON of lists and dicts) with each of `values` replaced."""
    if isinstance(value, str):
        for v in values:
            if v in value:
                value = value.replace(v, ERASED)
        return value
    if isinstance(value, list):
        return [_scrub(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, values) for k, v in value.items()}
    return value
