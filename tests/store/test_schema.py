"""Schema and invariants of the store, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from store import db
from store.models import (
    Article,
    AuditLog,
    ChannelAccount,
    Need,
    Offer,
    OfferStatus,
    Person,
    Region,
    Scientist,
)

TABLES = {"region", "organization", "person", "channel_account", "scientist", "article",
          "conversation", "need", "offer", "feedback", "audit_log", "alembic_version"}


def test_migrations_create_every_table_and_match_the_models(engine: Engine) -> None:
    assert db.current_revision(engine) is None
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_upgrade_is_idempotent_and_keeps_data(store: Engine) -> None:
    with Session(store) as s:
        s.add(Scientist(external_id="x1", name="张三", discipline="土壤肥料"))
        s.commit()
    db.upgrade(store)
    with Session(store) as s:
        assert s.exec(select(func.count()).select_from(Scientist)).one() == 1


def test_regions_are_loaded_with_parent_links(store: Engine) -> None:
    with Session(store) as s:
        levels = dict(s.exec(select(Region.level, func.count()).group_by(Region.level)).all())
        assert levels == {"province": 1, "city": 21, "county": 183}
        jianyang = s.get(Region, "510185")
        assert jianyang is not None and jianyang.parent_code == "510100"


def _need_with_offers(s: Session, n: int) -> tuple[Need, list[Offer]]:
    need = Need(title="李子园土壤酸化", status="offered")
    s.add(need)
    s.flush()
    offers = []
    for i in range(n):
        sci = Scientist(external_id=f"s{i}", name=f"专家{i}", discipline="土壤肥料")
        s.add(sci)
        s.flush()
        offer = Offer(token=f"tok{i}", need_id=need.id, scientist_id=sci.id)
        s.add(offer)
        offers.append(offer)
    s.flush()
    return need, offers


def test_database_refuses_a_second_accepted_offer_for_one_need(store: Engine) -> None:
    with Session(store) as s:
        _, offers = _need_with_offers(s, 3)
        offers[0].status = OfferStatus.accepted
        offers[1].status = OfferStatus.declined
        s.commit()
        offers[2].status = OfferStatus.accepted
        with pytest.raises(IntegrityError):
            s.commit()
        s.rollback()
    with Session(store) as s:
        accepted = s.exec(select(Offer).where(Offer.status == "accepted")).all()
        assert [o.token for o in accepted] == ["tok0"]


def test_one_offer_per_scientist_and_need(store: Engine) -> None:
    with Session(store) as s:
        need, offers = _need_with_offers(s, 1)
        s.add(Offer(token="dup", need_id=need.id, scientist_id=offers[0].scientist_id))
        with pytest.raises(IntegrityError):
            s.commit()


def test_channel_identity_is_unique(store: Engine) -> None:
    with Session(store) as s:
        p = Person(display_name="王农户", role="farmer")
        s.add(p)
        s.flush()
        s.add(ChannelAccount(channel="wechat", platform_user_id="openid-1", person_id=p.id))
        s.add(ChannelAccount(channel="telegram", platform_user_id="openid-1", person_id=p.id))
        s.commit()
        s.add(ChannelAccount(channel="wechat", platform_user_id="openid-1", person_id=p.id))
        with pytest.raises(IntegrityError):
            s.commit()


def test_foreign_keys_are_enforced(store: Engine) -> None:
    with Session(store) as s:
        s.add(Scientist(external_id="bad", name="李四", discipline="植保", region_code="999999"))
        with pytest.raises(IntegrityError):
            s.commit()


def test_json_and_timestamps_round_trip(store: Engine) -> None:
    reviewed = datetime(2026, 3, 18, 8, 30, tzinfo=UTC)
    with Session(store) as s:
        s.add(Article(external_id="a1", title="李子园土壤酸化", body="撒石灰……",
                      tags=["土壤酸化", "李子"], status="vetted", reviewed_by="王研究员",
                      reviewed_at=reviewed))
        s.add(AuditLog(entity="article", entity_id="a1", action="vet",
                       before={"status": "draft"}, after={"status": "vetted"}))
        s.commit()
    with Session(store) as s:
        art = s.exec(select(Article)).one()
        assert art.tags == ["土壤酸化", "李子"]
        got = art.reviewed_at
        assert got is not None
        # SQLite hands back naive datetimes; the instant must be the same either way.
        assert got.replace(tzinfo=got.tzinfo or UTC) == reviewed
        audit = s.exec(select(AuditLog)).one()
        assert audit.after == {"status": "vetted"}
