"""SQLModel tables: the system of record. The vector index and BM25 are derived from these.

Naming: `external_id` is the id partners and import files use; `id` is our surrogate key.
Status values are plain strings (see the enums below) so that SQLite and PostgreSQL store them
the same way and new values need no type migration.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

MAX_ID = 2**31 - 1  # surrogate ids are 32-bit integers on PostgreSQL: larger ones never exist


def utcnow() -> datetime:
    return datetime.now(UTC)


def _json(**kw: Any) -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False), **kw)


def _ts(nullable: bool = False, default: bool = True) -> Any:
    if default:
        return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True),
                                                               nullable=nullable))
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable))


class RegionLevel(StrEnum):
    province = "province"
    city = "city"
    county = "county"


class ArticleStatus(StrEnum):
    draft = "draft"
    review = "review"  # submitted, waiting for a second pair of eyes
    vetted = "vetted"
    retired = "retired"


class NeedKind(StrEnum):
    question = "question"
    service = "service"
    rd_challenge = "rd_challenge"
    talent = "talent"
    achievement_transfer = "achievement_transfer"


class NeedStatus(StrEnum):
    draft = "draft"
    open = "open"
    offered = "offered"
    matched = "matched"
    in_service = "in_service"
    closed = "closed"
    cancelled = "cancelled"
    unmatched = "unmatched"


class OfferStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"
    withdrawn = "withdrawn"


class OfferVia(StrEnum):
    push = "push"  # sent to the scientist's bound chat account
    staff = "staff"  # no chat account: local staff phone the scientist (console task)


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    dead = "dead"  # gave up after the last retry; kept for staff to see
    held = "held"  # cannot be pushed now (WeChat's 48-hour window): waits for the user


class PersonRole(StrEnum):
    farmer = "farmer"
    citizen = "citizen"
    enterprise = "enterprise"
    scientist = "scientist"
    staff = "staff"


class Region(SQLModel, table=True):
    """Administrative divisions (province, 市/州, 县/区), loaded from the gazetteer."""

    code: str = Field(primary_key=True, max_length=6)
    name: str = Field(max_length=64)
    short_name: str = Field(max_length=64)
    level: str = Field(max_length=16, index=True)
    parent_code: str | None = Field(default=None, foreign_key="region.code", max_length=6,
                                    index=True)


class Organization(SQLModel, table=True):
    """Enterprises, cooperatives, universities, institutes: employers of requesters and
    scientists."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(default="other", max_length=32)
    region_code: str | None = Field(default=None, foreign_key="region.code", max_length=6)
    created_at: datetime = _ts()


class Person(SQLModel, table=True):
    """Anyone who talks to the assistant: farmers, citizens, enterprise staff, scientists.

    Contact details are private: shared only with the other party after an offer is accepted
    and with consent. `erased_at` is set when the person asked for deletion (PIPL); the row
    stays, emptied of personal data, so anonymous statistics keep adding up.
    """

    id: int | None = Field(default=None, primary_key=True)
    display_name: str = Field(default="", max_length=100)
    role: str = Field(default=PersonRole.citizen, max_length=16, index=True)
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    region_code: str | None = Field(default=None, foreign_key="region.code", max_length=6)
    contact: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts()
    erased_at: datetime | None = _ts(nullable=True, default=False)


class ChannelAccount(SQLModel, table=True):
    """One platform identity (a WeChat openid, a Telegram user id …) bound to a person."""

    __tablename__ = "channel_account"
    __table_args__ = (UniqueConstraint("channel", "platform_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    platform_user_id: str = Field(max_length=128)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(default=PersonRole.citizen, max_length=16)
    created_at: datetime = _ts()


class Scientist(SQLModel, table=True):
    """A scientist, team or student 云摊 profile (科技所能), imported or self-registered."""

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=128, unique=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    name: str = Field(max_length=200)
    kind: str = Field(default="individual", max_length=16)
    discipline: str = Field(default="", max_length=200)
    discipline_code: str | None = Field(default=None, max_length=4, index=True)
    directions: list[str] = _json()
    services: list[str] = _json()
    achievements: list[str] = _json()
    region_text: str = Field(default="", max_length=200)
    region_code: str | None = Field(default=None, foreign_key="region.code", max_length=6,
                                    index=True)
    organization: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=100)
    contact: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    available: bool = Field(default=True, index=True)
    verified: bool = Field(default=False)
    # Track record, maintained by the offer lifecycle (matching issue) for fast ranking.
    offers_received: int = Field(default=0)
    offers_accepted: int = Field(default=0)
    services_completed: int = Field(default=0)
    rating_sum: int = Field(default=0)
    rating_count: int = Field(default=0)
    response_seconds_total: int = Field(default=0)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Article(SQLModel, table=True):
    """A 科普 article. Only `vetted` articles may be used to answer questions."""

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=128, unique=True)
    title: str = Field(max_length=300)
    body: str
    source: str = Field(default="", max_length=300)
    tags: list[str] = _json()
    audience: str = Field(default="", max_length=64)
    region_text: str = Field(default="", max_length=200)
    region_code: str | None = Field(default=None, foreign_key="region.code", max_length=6)
    status: str = Field(default=ArticleStatus.draft, max_length=16, index=True)
    reviewed_by: str = Field(default="", max_length=100)
    reviewed_at: datetime | None = _ts(nullable=True, default=False)
    # Who wrote it in the console, and why it exists ("gap:<topic>", "need:<id>"): staff
    # commission articles from abstained questions and experts' answers.
    author: str = Field(default="", max_length=100)
    origin: str = Field(default="", max_length=100)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Conversation(SQLModel, table=True):
    """Persisted dialog state, so any worker can continue a conversation after a restart.

    `version` supports optimistic concurrency: a writer updates only if the version it read
    is still current.
    """

    __table_args__ = (UniqueConstraint("channel", "platform_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    platform_user_id: str = Field(max_length=128)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    state: str = Field(default="start", max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=0)
    updated_at: datetime = _ts()


class Need(SQLModel, table=True):
    """A need record (科技所需), produced from a conversation or imported."""

    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, max_length=128, unique=True)
    requester_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id")
    # the chat message that published it: a turn run again after a crash finds this need
    # instead of publishing (and sending offers for) a second one
    source_key: str | None = Field(default=None, max_length=200, unique=True, index=True)
    kind: str = Field(default=NeedKind.question, max_length=32)
    title: str = Field(default="", max_length=300)
    description: str = Field(default="")
    discipline: str = Field(default="", max_length=200)
    discipline_code: str | None = Field(default=None, max_length=4)
    keywords: list[str] = _json()
    products: list[str] = _json()
    region_code: str | None = Field(default=None, foreign_key="region.code", max_length=6,
                                    index=True)
    urgency: str = Field(default="normal", max_length=16)
    budget: float | None = Field(default=None)
    budget_text: str = Field(default="", max_length=64)  # as written: "五万左右", "面议"
    remote_ok: bool = Field(default=False)  # the requester accepts online/remote help
    confidentiality: str = Field(default="public", max_length=16)
    requester_role: str = Field(default=PersonRole.citizen, max_length=16)
    contact_consent: bool = Field(default=False)
    status: str = Field(default=NeedStatus.draft, max_length=16, index=True)
    # Extraction details (missing slots, source messages) and dispatch bookkeeping.
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Offer(SQLModel, table=True):
    """A need offered to one scientist. At most one offer per need is ever `accepted`:
    a partial unique index enforces it in the database, whatever the application does."""

    __table_args__ = (
        UniqueConstraint("need_id", "scientist_id"),
        Index("uq_offer_one_accepted_per_need", "need_id", unique=True,
              sqlite_where=text("status = 'accepted'"),
              postgresql_where=text("status = 'accepted'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=32, unique=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    scientist_id: int = Field(foreign_key="scientist.id", index=True)
    status: str = Field(default=OfferStatus.pending, max_length=16, index=True)
    rank: int = Field(default=0)
    score: float = Field(default=0.0)
    reasons: list[str] = _json()
    referred_by_id: int | None = Field(default=None, foreign_key="scientist.id")
    via: str = Field(default=OfferVia.push, max_length=16,
                     sa_column_kwargs={"server_default": "push"})
    note: str = Field(default="", max_length=200)  # why declined / withdrawn / referred
    created_at: datetime = _ts()
    expires_at: datetime | None = _ts(nullable=True, default=False)
    responded_at: datetime | None = _ts(nullable=True, default=False)


class Feedback(SQLModel, table=True):
    """A requester's rating of a finished service (or of an answer)."""

    id: int | None = Field(default=None, primary_key=True)
    need_id: int | None = Field(default=None, foreign_key="need.id", index=True)
    offer_id: int | None = Field(default=None, foreign_key="offer.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="")
    created_at: datetime = _ts()


class AuditLog(SQLModel, table=True):
    """Every state change: who, what, from which state to which."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts()
    actor: str = Field(default="system", max_length=128)
    entity: str = Field(max_length=32, index=True)
    entity_id: str = Field(max_length=128, index=True)
    action: str = Field(max_length=64)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class Outbox(SQLModel, table=True):
    """Notifications written in the same transaction as the state change that caused them and
    delivered later by a worker with retries, so a channel outage loses nothing.

    `recipient` says who gets it: `scientist:<external id>`, `person:<id>` or
    `staff:<region code>`. `payload` holds the rendered message (`text`, `buttons`).
    """

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    recipient: str = Field(max_length=160, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    need_id: int | None = Field(default=None, foreign_key="need.id", index=True)
    offer_id: int | None = Field(default=None, foreign_key="offer.id")
    status: str = Field(default=OutboxStatus.pending, max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = _ts()
    lease_until: datetime | None = _ts(nullable=True, default=False)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = _ts()
    sent_at: datetime | None = _ts(nullable=True, default=False)


class OneTimeCode(SQLModel, table=True):
    """Short-lived codes: staff bind an imported scientist profile to a chat account
    (`bind`), or a user links a second channel to their account (`link`). Single use."""

    __tablename__ = "one_time_code"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    purpose: str = Field(max_length=16)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    scientist_id: int | None = Field(default=None, foreign_key="scientist.id")
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(nullable=True, default=False)


class DedupKey(SQLModel, table=True):
    """Claimed delivery ids (a Telegram `update_id`, a WeChat MsgId …) with an expiry: the
    first worker to insert a key processes the message; re-deliveries find it taken."""

    __tablename__ = "dedup_key"

    key: str = Field(primary_key=True, max_length=200)
    expires_at: datetime = _ts()


class PendingTurn(SQLModel, table=True):
    """A WeChat message whose turn has not finished. WeChat retries a callback for 15 s only,
    so a worker killed mid-turn cannot count on a re-delivery: the message is kept here until
    its turn is saved, and a background job runs it again once the lease has run out."""

    __tablename__ = "pending_turn"

    key: str = Field(primary_key=True, max_length=200)
    channel: str = Field(max_length=16)
    user_id: str = Field(max_length=128, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON,
                                                                           nullable=False))
    attempts: int = Field(default=1)
    lease_until: datetime = _ts()
    created_at: datetime = _ts()


class SharedValue(SQLModel, table=True):
    """Small values every worker must agree on, with an expiry (the WeChat access token)."""

    __tablename__ = "shared_value"

    key: str = Field(primary_key=True, max_length=200)
    value: str = Field(default="")
    expires_at: datetime | None = _ts(nullable=True, default=False)


class StaffAccount(SQLModel, table=True):
    """Association staff for the console: province admins, 市/州 and 县/区 staff. Each sees and
    changes only its own region subtree."""

    __tablename__ = "staff_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    password_hash: str = Field(max_length=256)
    display_name: str = Field(default="", max_length=100)
    role: str = Field(max_length=16)  # province | city | county
    region_code: str = Field(foreign_key="region.code", max_length=6)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = _ts(nullable=True, default=False)
    created_at: datetime = _ts()


class ConsoleSession(SQLModel, table=True):
    """A signed-in staff member: an opaque cookie token (stored hashed) and its CSRF token."""

    __tablename__ = "console_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    staff_id: int = Field(foreign_key="staff_account.id", index=True)
    csrf: str = Field(max_length=64)
    expires_at: datetime = _ts()


class LoginThrottle(SQLModel, table=True):
    """Failed console sign-ins counted per key — a client IP, an (account, IP) pair, an
    account — until `expires_at` (see `web/staff.py` for the policy). A row is one counter,
    bumped by a single atomic upsert, so parallel guesses cannot overwrite each other."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=200)
    failures: int = Field(default=0)
    expires_at: datetime = Field(default_factory=utcnow, sa_column=Column(
        DateTime(timezone=True), nullable=False, index=True))


class QuestionLog(SQLModel, table=True):
    """Every 科普 question the assistant answered or abstained on, with contact details masked:
    the dashboards' answered/abstained figures and the gap mining (科普需求画像) read it."""

    __tablename__ = "question_log"
    __table_args__ = (Index("ix_question_log_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts()
    channel: str = Field(default="", max_length=16)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    region_code: str | None = Field(default=None, foreign_key="region.code", max_length=6,
                                    index=True)
    text: str = Field(default="", max_length=2000)
    abstained: bool = Field(default=False)
    confidence: float = Field(default=0.0)
    citations: list[str] = _json()  # article external ids
    need_id: int | None = Field(default=None, foreign_key="need.id")  # forwarded to an expert


class ApiKey(SQLModel, table=True):
    """A partner platform's key for /api/v1: stored hashed, with scopes and an optional region
    limit (a neighbouring province's platform sees only what it is allowed to)."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16, unique=True)  # shown in lists; the rest is secret
    key_hash: str = Field(max_length=64, unique=True)
    scopes: list[str] = _json()
    region_code: str | None = Field(default=None, foreign_key="region.code", max_length=6)
    created_at: datetime = _ts()
    last_used_at: datetime | None = _ts(nullable=True, default=False)
    revoked_at: datetime | None = _ts(nullable=True, default=False)
