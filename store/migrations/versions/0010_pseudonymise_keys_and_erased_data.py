"""pseudonymise stored keys and finish earlier erasures: need.source_key and dedup keys are
stored hashed (they carry platform user ids, e.g. a WeChat openid); for persons erased before
this release, the messages to them, their needs' transcripts and the introductions quoting
their contacts are removed. Data only, no schema change.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import hashlib
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of matching.offers.source_key_digest and delivery.dedup.stored_key as of this
# revision: a migration must keep meaning what it meant when it was written.
_SOURCE_PREFIX = "sha256:"
_READABLE = re.compile(r"tg:\d{1,20}")
_HASHED = re.compile(r"[^:]{1,32}:[0-9a-f]{64}")

need = sa.table("need", sa.column("id", sa.Integer), sa.column("source_key", sa.String),
                sa.column("requester_id", sa.Integer), sa.column("data", sa.JSON))
dedup_key = sa.table("dedup_key", sa.column("key", sa.String))
person = sa.table("person", sa.column("id", sa.Integer), sa.column("erased_at", sa.DateTime))
outbox = sa.table("outbox", sa.column("id", sa.Integer), sa.column("recipient", sa.String),
                  sa.column("kind", sa.String), sa.column("need_id", sa.Integer))


def _source_digest(key: str) -> str:
    return _SOURCE_PREFIX + hashlib.sha256(key.encode()).hexdigest()


def _stored_key(key: str) -> str:
    if _READABLE.fullmatch(key):
        return key
    kind = key.split(":", 1)[0][:32] if ":" in key else "key"
    return f"{kind}:{hashlib.sha256(key.encode()).hexdigest()}"


def upgrade() -> None:
    conn = op.get_bind()
    for need_id, key in conn.execute(sa.select(need.c.id, need.c.source_key).where(
            need.c.source_key.is_not(None),
            sa.not_(need.c.source_key.startswith(_SOURCE_PREFIX)))).all():
        conn.execute(need.update().where(need.c.id == need_id)
                     .values(source_key=_source_digest(key)))
    taken = {k for (k,) in conn.execute(sa.select(dedup_key.c.key)).all()}
    for key in sorted(taken):
        if _READABLE.fullmatch(key) or _HASHED.fullmatch(key):
            continue
        hashed = _stored_key(key)
        if hashed in taken:  # claimed again since, under its hashed form
            conn.execute(dedup_key.delete().where(dedup_key.c.key == key))
        else:
            conn.execute(dedup_key.update().where(dedup_key.c.key == key).values(key=hashed))
            taken.add(hashed)
    erased = [i for (i,) in conn.execute(sa.select(person.c.id).where(
        person.c.erased_at.is_not(None))).all()]
    if not erased:
        return
    conn.execute(outbox.delete().where(outbox.c.recipient.in_(
        [f"person:{i}" for i in erased])))
    needs = conn.execute(sa.select(need.c.id, need.c.data).where(
        need.c.requester_id.in_(erased))).all()
    for need_id, data in needs:
        conn.execute(need.update().where(need.c.id == need_id)
                     .values(data={**(data or {}), "transcript": []}))
    # an introduction to the scientist names the requester and, with consent, their
    # contacts; what they were is gone with the person, so the message itself goes (the
    # audit log keeps that an introduction was made)
    if needs:
        conn.execute(outbox.delete().where(outbox.c.kind == "intro",
                                           outbox.c.need_id.in_([n for n, _ in needs])))


def downgrade() -> None:
    pass  # digests cannot be turned back into keys; nothing else changed shape
