"""Offers reach real experts: pushed to scientists with a chat account; a well-matched one
without becomes a phone task for local staff; the requester is told exactly that; a push that
fails for good moves the need on at once (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from core.clock import ManualClock
from core.settings import Settings
from delivery.outbox import DeliveryError, OutboxWorker, RecordingSink
from matching.extract import extract_need
from matching.offers import OfferService, sent_message
from matching.rank import Ranker
from store.models import Offer, Outbox, Scientist

from ..support import SOIL_NEED
from .conftest import unbind
from .test_offers import outbox, publish


def _offers(engine: Engine, need_id: int) -> list[tuple[str, str, str]]:
    """(scientist, via, status) in rank order."""
    with Session(engine) as s:
        return [tuple(r) for r in s.execute(  # type: ignore[misc]
            select(Scientist.external_id, Offer.via, Offer.status)
            .join(Scientist, Scientist.id == Offer.scientist_id)
            .where(Offer.need_id == need_id).order_by(Offer.rank))]


def test_the_best_expert_without_a_chat_account_is_phoned_by_staff(
        service: OfferService, pool: Engine) -> None:
    unbind(pool, "s-soil-cp")  # ranks first for this need
    need_id, _ = publish(service, pool)
    sent = _offers(pool, need_id)
    assert sent[0] == ("s-soil-cp", "staff", "pending")
    assert [via for _, via, _ in sent[1:]] == ["push", "push"]
    recipients = {m.recipient for m in outbox(pool, need_id) if m.kind == "offer"}
    assert "scientist:s-soil-cp" not in recipients and len(recipients) == 2
    assert service.published(need_id).message == \
        "已推送给 2 位专家，另有 1 位由当地科协工作人员电话联系。"


def test_nobody_reachable_means_one_phone_task_and_an_honest_message(
        service: OfferService, pool: Engine) -> None:
    unbind(pool, *(f"s-soil-{x}" for x in ("cp", "xz", "cd", "ls", "coop")), "s-pest")
    need_id, _ = publish(service, pool)
    assert _offers(pool, need_id) == [("s-soil-cp", "staff", "pending")]  # MATCH_STAFF_CALLS=1
    assert not [m for m in outbox(pool, need_id) if m.kind == "offer"]  # no push to anyone
    assert "推送" not in service.published(need_id).message
    assert "工作人员电话联系 1 位专家" in service.published(need_id).message


def test_staff_calls_are_capped_and_need_a_phone(pool: Engine, ranker: Ranker,
                                                  clock: ManualClock) -> None:
    unbind(pool, *(f"s-soil-{x}" for x in ("cp", "xz", "cd", "ls", "coop")), "s-pest")
    with Session(pool) as s, s.begin():
        s.execute(update(Scientist).where(Scientist.external_id == "s-soil-cp")
                  .values(contact={}))  # nobody could call him
    service = OfferService(pool, ranker, Settings(MATCH_STAFF_CALLS="2"), clock)
    need_id, _ = publish(service, pool)
    sent = _offers(pool, need_id)
    assert [via for _, via, _ in sent] == ["staff", "staff"]
    assert "s-soil-cp" not in [ext for ext, _, _ in sent]
    none = OfferService(pool, ranker, Settings(MATCH_STAFF_CALLS="0"), clock)
    other = none.create_need(extract_need(SOIL_NEED))
    assert none.confirm(other).code == "unmatched"  # nobody to push to, no calls: staff queue
    assert _offers(pool, other) == []


def test_a_call_that_fails_moves_the_need_on_at_once(service: OfferService,
                                                     pool: Engine) -> None:
    unbind(pool, "s-soil-cp")
    need_id, _ = publish(service, pool)
    with Session(pool) as s:
        call = s.execute(select(Offer).where(Offer.need_id == need_id, Offer.via == "staff")
                         ).scalar_one()
    done = service.call_failed(call.id or 0, "staff:1", "打了三次没人接")
    assert done.ok
    sent = _offers(pool, need_id)
    assert ("s-soil-cp", "staff", "expired") in sent
    assert len([st for _, _, st in sent if st == "pending"]) == 3  # topped up now
    assert not service.call_failed(call.id or 0, "staff:1").ok  # only once
    pushed = [o for o in _offers(pool, need_id) if o[1] == "push"]
    with Session(pool) as s:
        first_push = s.execute(select(Offer.id).where(Offer.need_id == need_id,
                                                      Offer.via == "push")).scalars().first()
    assert pushed and first_push is not None
    assert not service.call_failed(first_push, "staff:1").ok  # a push is no call


def test_a_push_that_fails_for_good_moves_the_round_on_at_once(
        service: OfferService, pool: Engine, settings: Settings, clock: ManualClock) -> None:
    need_id, _ = publish(service, pool)
    first = _offers(pool, need_id)
    sink = RecordingSink()
    sink.fail_next = 1
    sink.error = DeliveryError("Forbidden: bot was blocked by the user", permanent=True)
    OutboxWorker(pool, sink, settings, clock).run_once()
    with Session(pool) as s:
        dead = s.execute(select(Outbox).where(Outbox.status == "dead")).scalar_one()
        assert s.get(Offer, dead.offer_id).expires_at is not None  # type: ignore[union-attr]
    assert service.expire_due() == 1  # at once, not after 48 hours
    after = _offers(pool, need_id)
    assert len(after) == len(first) + 1
    assert [st for _, _, st in after].count("pending") == 3


def test_sent_message_says_only_what_happened() -> None:
    assert sent_message(3, 0) == "已推送给 3 位专家。"
    assert "另有 1 位" in sent_message(2, 1)
    assert "推送" not in sent_message(0, 1)
