"""Queries on the audit trail: what happened to a record, oldest or newest first."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from store.models import AuditLog


def history(engine: Engine, entity: str, entity_id: str, *, newest_first: bool = False,
            limit: int | None = None) -> list[AuditLog]:
    order = AuditLog.id.desc() if newest_first else AuditLog.id
    stmt = select(AuditLog).where(AuditLog.entity == entity,
                                  AuditLog.entity_id == entity_id).order_by(order)
    with Session(engine) as s:
        return list(s.execute(stmt.limit(limit) if limit else stmt).scalars())


def of_need(engine: Engine, need_id: int, offer_ids: Collection[str]) -> list[AuditLog]:
    """The need's own entries and those of its offers, in order."""
    with Session(engine) as s:
        return list(s.execute(select(AuditLog).where(
            ((AuditLog.entity == "need") & (AuditLog.entity_id == str(need_id)))
            | ((AuditLog.entity == "offer") & AuditLog.entity_id.in_(list(offer_ids))))
            .order_by(AuditLog.id)).scalars())


def record(engine: Engine, *, at: datetime, actor: str, entity: str, entity_id: str,
           action: str) -> None:
    with Session(engine) as s, s.begin():
        s.add(AuditLog(at=at, actor=actor, entity=entity, entity_id=entity_id, action=action))
