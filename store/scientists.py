"""Queries about scientists (科技所能): one profile by its external id, the staff list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from store.models import AuditLog, Scientist
from store.scopes import Codes, within


def by_external_id(engine: Engine, external_id: str) -> Scientist | None:
    with Session(engine) as s:
        return s.execute(select(Scientist).where(
            Scientist.external_id == external_id)).scalar_one_or_none()


def search(engine: Engine, codes: Codes, q: str = "", verified: bool | None = None,
           available: bool | None = None, limit: int = 200) -> list[Scientist]:
    """Newest first; `q` in the name, discipline, external id or organisation."""
    stmt = within(select(Scientist), Scientist.region_code, codes).order_by(
        Scientist.id.desc())
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Scientist.name.like(like), Scientist.discipline.like(like),
                              Scientist.external_id.like(like),
                              Scientist.organization.like(like)))
    if verified is not None:
        stmt = stmt.where(Scientist.verified.is_(verified))
    if available is not None:
        stmt = stmt.where(Scientist.available.is_(available))
    with Session(engine) as s:
        return list(s.execute(stmt.limit(limit)).scalars())


def count(engine: Engine, codes: Codes) -> int:
    with Session(engine) as s:
        return int(s.execute(within(select(func.count()).select_from(Scientist),
                                    Scientist.region_code, codes)).scalar_one())


def set_flags(engine: Engine, scientist_id: int, values: dict[str, Any], *, actor: str,
              action: str, now: datetime) -> None:
    """Change flags of a profile (verified, available), audited with before and after."""
    with Session(engine) as s, s.begin():
        row = s.get(Scientist, scientist_id)
        if row is None:
            return
        before = {k: getattr(row, k) for k in values}
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = now
        s.add(AuditLog(at=now, actor=actor, entity="scientist", entity_id=row.external_id,
                       action=action, before=before, after=values))
