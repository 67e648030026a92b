"""The offer lifecycle on SQLite and PostgreSQL: dispatch, accept, decline, refer, expire,
unmatched, cancel, rating — audited, with notifications in the outbox."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from delivery.outbox import OutboxWorker, RecordingSink
from matching.extract import extract_need
from matching.offers import DISPATCH_GRACE, DISPATCH_RETRY, OfferService
from store.models import AuditLog, Need, Offer, Organization, Outbox, Person, Scientist

from ..support import SOIL_NEED


def make_requester(engine: Engine, contact: dict | None = None, org: str | None = None
                   ) -> tuple[int, int | None]:
    with Session(engine) as s:
        org_id = None
        if org:
            o = Organization(name=org, kind="cooperative")
            s.add(o)
            s.flush()
            org_id = o.id
        p = Person(display_name="李大姐", role="farmer", organization_id=org_id,
                   contact=contact or {"phone": "13800000000"})
        s.add(p)
        s.commit()
        return p.id, org_id  # type: ignore[return-value]


def publish(service: OfferService, engine: Engine, text: str = SOIL_NEED,
            consent: bool = True, org: str | None = None) -> tuple[int, int]:
    person, org_id = make_requester(engine, org=org)
    draft = extract_need(text)
    draft.contact_consent = consent
    need_id = service.create_need(draft, requester_id=person, organization_id=org_id)
    outcome = service.confirm(need_id)
    assert outcome.ok, outcome
    return need_id, person


def offers(engine: Engine, need_id: int) -> list[tuple[str, str, str]]:
    """(scientist external id, status, token) in rank order."""
    with Session(engine) as s:
        return [(ext, st, tok) for ext, st, tok in s.execute(
            select(Scientist.external_id, Offer.status, Offer.token)
            .join(Scientist, Scientist.id == Offer.scientist_id)
            .where(Offer.need_id == need_id).order_by(Offer.rank))]


def sci_id(engine: Engine, external_id: str) -> int:
    with Session(engine) as s:
        return s.execute(select(Scientist.id).where(Scientist.external_id == external_id)
                         ).scalar_one()


def need_status(engine: Engine, need_id: int) -> str:
    with Session(engine) as s:
        return s.get(Need, need_id).status  # type: ignore[union-attr]


def outbox(engine: Engine, need_id: int) -> list[Outbox]:
    with Session(engine) as s:
        return list(s.execute(select(Outbox).where(Outbox.need_id == need_id)
                              .order_by(Outbox.id)).scalars())


def audit(engine: Engine, entity: str, action: str) -> list[AuditLog]:
    with Session(engine) as s:
        return list(s.execute(select(AuditLog).where(AuditLog.entity == entity,
                                                     AuditLog.action == action)).scalars())


def test_confirm_sends_offers_to_the_top_three(service: OfferService, pool: Engine) -> None:
    need_id, person = publish(service, pool)
    sent = offers(pool, need_id)
    assert len(sent) == 3 and all(st == "pending" for _, st, _ in sent)
    assert need_status(pool, need_id) == "offered"
    ids = [ext for ext, _, _ in sent]
    assert "s-soil-off" not in ids  # unavailable
    assert ids[0] == "s-soil-cp"  # same county, directions fit best
    cards = [m for m in outbox(pool, need_id) if m.kind == "offer"]
    assert {m.recipient for m in cards} == {f"scientist:{i}" for i in ids}
    card = cards[0].payload
    assert [b["label"] for b in card["buttons"]] == ["接单", "婉拒", "详情"]
    assert "13800000000" not in card["text"]  # no contact before an accept
    assert not any(m.recipient == f"person:{person}" for m in outbox(pool, need_id))
    with Session(pool) as s:
        assert s.execute(select(Scientist.offers_received).where(
            Scientist.external_id == ids[0])).scalar_one() == 1


def test_own_organisation_is_never_offered(service: OfferService, pool: Engine) -> None:
    need_id, _ = publish(service, pool, org="翠屏区李子专业合作社")
    assert "s-soil-coop" not in [ext for ext, _, _ in offers(pool, need_id)]


def test_accept_introduces_both_sides_and_withdraws_the_rest(
        service: OfferService, pool: Engine) -> None:
    need_id, person = publish(service, pool)
    (first, _, tok1), (second, _, _), (third, _, _) = offers(pool, need_id)
    outcome = service.accept(tok1, sci_id(pool, first))
    assert outcome.ok and outcome.code == "accepted"
    assert need_status(pool, need_id) == "matched"
    assert [st for _, st, _ in offers(pool, need_id)] == ["accepted", "withdrawn", "withdrawn"]
    msgs = outbox(pool, need_id)
    to_sci = [m for m in msgs if m.kind == "intro" and m.recipient == f"scientist:{first}"]
    to_req = [m for m in msgs if m.kind == "intro" and m.recipient == f"person:{person}"]
    # consent given, but this expert is not verified: the requester is asked again first
    assert "13800000000" not in to_sci[0].payload["text"]
    assert "19900000001" in to_req[0].payload["text"]
    share = to_req[0].payload["buttons"][0]["action"]
    assert share.startswith("share:")
    assert not service.share_contact(int(share.split(":")[1]), person + 1000).ok  # not theirs
    assert service.share_contact(int(share.split(":")[1]), person).ok
    shared = [m for m in outbox(pool, need_id) if m.kind == "intro"
              and m.recipient == f"scientist:{first}" and "13800000000" in m.payload["text"]]
    assert len(shared) == 1
    taken = [m for m in msgs if m.kind == "offer_withdrawn"]
    assert {m.recipient for m in taken} == {f"scientist:{second}", f"scientist:{third}"}
    assert all("已被其他专家接单" in m.payload["text"] for m in taken)
    assert len(audit(pool, "offer", "accept")) == 1
    assert len(audit(pool, "offer", "withdraw")) == 2
    assert len(audit(pool, "need", "matched")) == 1


def test_a_verified_expert_gets_the_consented_contact_with_the_intro(
        service: OfferService, pool: Engine) -> None:
    with Session(pool) as s, s.begin():
        for sci in s.execute(select(Scientist)).scalars():
            sci.verified = True
    need_id, person = publish(service, pool)
    first, _, tok = offers(pool, need_id)[0]
    assert service.accept(tok, sci_id(pool, first)).ok
    intro = next(m for m in outbox(pool, need_id)
                 if m.kind == "intro" and m.recipient == f"scientist:{first}")
    assert "13800000000" in intro.payload["text"]


def test_without_consent_the_requester_contact_stays_private(
        service: OfferService, pool: Engine) -> None:
    need_id, _ = publish(service, pool, consent=False)
    first, _, tok = offers(pool, need_id)[0]
    assert service.accept(tok, sci_id(pool, first)).ok
    intro = next(m for m in outbox(pool, need_id)
                 if m.kind == "intro" and m.recipient.startswith("scientist:"))
    assert "13800000000" not in intro.payload["text"]
    assert "未同意公开联系方式" in intro.payload["text"]


def test_only_the_offered_scientist_may_press_the_button(
        service: OfferService, pool: Engine) -> None:
    need_id, _ = publish(service, pool)
    (first, _, tok1), (second, _, _), _ = offers(pool, need_id)
    stranger = service.accept(tok1, sci_id(pool, second))
    assert not stranger.ok and stranger.code == "not_yours"
    assert not service.decline(tok1, sci_id(pool, "s-wine")).ok
    assert service.accept("no-such-token", sci_id(pool, first)).code == "not_found"
    assert need_status(pool, need_id) == "offered"
    assert all(st == "pending" for _, st, _ in offers(pool, need_id))


def test_late_accept_sees_taken(service: OfferService, pool: Engine) -> None:
    need_id, _ = publish(service, pool)
    (a, _, ta), (b, _, tb), _ = offers(pool, need_id)
    assert service.accept(ta, sci_id(pool, a)).ok
    late = service.accept(tb, sci_id(pool, b))
    assert not late.ok and late.code == "taken" and "已被接单" in late.message
    again = service.accept(ta, sci_id(pool, a))
    assert again.code == "already_accepted"


def test_decline_asks_the_next_candidate(service: OfferService, pool: Engine) -> None:
    need_id, _ = publish(service, pool)
    before = offers(pool, need_id)
    first, _, tok = before[0]
    out = service.decline(tok, sci_id(pool, first), reason="最近出差")
    assert out.ok
    after = offers(pool, need_id)
    assert len(after) == 4
    assert after[0][1] == "declined"
    assert sum(1 for _, st, _ in after if st == "pending") == 3
    assert after[3][0] not in {ext for ext, _, _ in before}
    assert audit(pool, "offer", "decline")[0].after["reason"] == "最近出差"  # type: ignore[index]


def test_expiry_moves_on_without_sleeping(service: OfferService, pool: Engine,
                                          clock) -> None:  # type: ignore[no-untyped-def]
    need_id, _ = publish(service, pool)
    clock.advance(hours=47)
    assert service.expire_due() == 0
    clock.advance(hours=2)
    assert service.expire_due() == 3
    sent = offers(pool, need_id)
    assert [st for _, st, _ in sent[:3]] == ["expired"] * 3
    assert all(st == "pending" for _, st, _ in sent[3:]) and len(sent) > 3
    first, _, tok = sent[0]
    late = service.accept(tok, sci_id(pool, first))
    assert late.code == "expired"


def test_pending_offer_past_deadline_cannot_be_accepted(service: OfferService, pool: Engine,
                                                        clock) -> None:  # type: ignore[no-untyped-def]
    need_id, _ = publish(service, pool)
    first, _, tok = offers(pool, need_id)[0]
    clock.advance(hours=49)  # the expiry job has not run yet
    assert service.accept(tok, sci_id(pool, first)).code == "expired"
    assert need_status(pool, need_id) == "offered"


def test_nobody_left_goes_to_staff(service: OfferService, pool: Engine, clock) -> None:  # type: ignore[no-untyped-def]
    need_id, person = publish(service, pool)
    for _ in range(10):
        pending = [(e, t) for e, st, t in offers(pool, need_id) if st == "pending"]
        if not pending:
            break
        for ext, tok in pending:
            service.decline(tok, sci_id(pool, ext))
    assert need_status(pool, need_id) == "unmatched"
    msgs = outbox(pool, need_id)
    staff = [m for m in msgs if m.recipient.startswith("staff:")]
    assert staff and staff[0].recipient == "staff:511502"  # 翠屏区 staff
    assert any(m.recipient == f"person:{person}" and m.kind == "need_unmatched" for m in msgs)
    assert len(audit(pool, "need", "unmatched")) == 1
    # staff step in by hand
    out = service.assign(need_id, "s-wine", actor="staff:1")
    assert out.ok and need_status(pool, need_id) == "offered"


def test_refer_passes_the_offer_to_a_colleague(service: OfferService, pool: Engine) -> None:
    need_id, _ = publish(service, pool)
    sent = offers(pool, need_id)
    first, _, tok = sent[0]
    colleague = "s-soil-ls" if "s-soil-ls" not in [e for e, _, _ in sent] else "s-pest"
    out = service.refer(tok, sci_id(pool, first), colleague)
    assert out.ok, out
    after = {e: (st, t) for e, st, t in offers(pool, need_id)}
    assert after[first][0] == "declined" and after[colleague][0] == "pending"
    card = next(m for m in outbox(pool, need_id) if m.recipient == f"scientist:{colleague}")
    assert "推荐" in card.payload["text"]
    with Session(pool) as s:
        new = s.execute(select(Offer).where(Offer.token == after[colleague][1])).scalar_one()
        assert new.referred_by_id == sci_id(pool, first)
    # a colleague who already has the offer, or oneself, or an unknown id: refused
    second, _, tok2 = sent[1]
    assert service.refer(tok2, sci_id(pool, second), colleague).code == "already_offered"
    assert service.refer(tok2, sci_id(pool, second), second).code == "self"
    assert service.refer(tok2, sci_id(pool, second), "nobody").code == "no_colleague"
    assert service.refer(tok2, sci_id(pool, second), "s-soil-off").code == "unavailable"


def test_cancel_withdraws_pending_offers(service: OfferService, pool: Engine) -> None:
    need_id, _ = publish(service, pool)
    assert service.cancel(need_id, actor="requester").ok
    assert need_status(pool, need_id) == "cancelled"
    assert all(st == "withdrawn" for _, st, _ in offers(pool, need_id))
    first, _, tok = offers(pool, need_id)[0]
    assert not service.accept(tok, sci_id(pool, first)).ok


def test_rating_closes_and_counts_in_the_track_record(service: OfferService,
                                                      pool: Engine) -> None:
    need_id, person = publish(service, pool)
    first, _, tok = offers(pool, need_id)[0]
    service.accept(tok, sci_id(pool, first))
    assert service.start_service(need_id, actor="scientist").ok
    assert not service.close(need_id, 5, person_id=person + 999).ok
    assert service.close(need_id, 5, "很专业", person_id=person).ok
    assert need_status(pool, need_id) == "closed"
    with Session(pool) as s:
        sci = s.get(Scientist, sci_id(pool, first))
        assert (sci.rating_count, sci.rating_sum, sci.services_completed,
                sci.offers_accepted) == (1, 5, 1, 1)  # type: ignore[union-attr]
    assert not service.close(need_id, 4, person_id=person).ok  # rated once


@pytest.mark.parametrize("n", [3, 8])
def test_simultaneous_accepts_exactly_one_wins(service: OfferService, pool: Engine,
                                               settings, n: int) -> None:  # type: ignore[no-untyped-def]
    """N scientists press 接单 at the same moment, each on its own connection."""
    settings.match_offers_per_round = n
    person, _ = make_requester(pool)
    draft = extract_need(SOIL_NEED)
    need_id = service.create_need(draft, requester_id=person)
    service.confirm(need_id)
    # every scientist in the pool gets an offer, by hand where the ranker had no more
    for ext in ("s-soil-cp", "s-soil-xz", "s-soil-cd", "s-soil-ls", "s-soil-coop", "s-pest",
                "s-wine", "s-li", "s-ai"):
        if len(offers(pool, need_id)) >= n:
            break
        if ext not in [e for e, _, _ in offers(pool, need_id)]:
            service.assign(need_id, ext, actor="test")
    sent = offers(pool, need_id)[:n]
    assert len(sent) == n
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def press(i: int, ext: str, tok: str) -> None:
        sid = sci_id(pool, ext)
        barrier.wait()
        results[i] = service.accept(tok, sid)

    threads = [threading.Thread(target=press, args=(i, e, t))
               for i, (e, _, t) in enumerate(sent)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    codes = sorted(r.code for r in results)
    assert codes.count("accepted") == 1, codes
    assert set(codes) <= {"accepted", "taken"}
    statuses = [st for _, st, _ in offers(pool, need_id)]
    assert statuses.count("accepted") == 1
    assert statuses.count("withdrawn") == len(statuses) - 1
    assert need_status(pool, need_id) == "matched"
    assert len(audit(pool, "offer", "accept")) == 1
    assert len(audit(pool, "offer", "withdraw")) == len(statuses) - 1
    intros = [m for m in outbox(pool, need_id) if m.kind == "intro"]
    assert len(intros) == 2  # one introduction each way, not one per presser


def test_outbox_delivers_lifecycle_notifications(service: OfferService, pool: Engine,
                                                 worker: OutboxWorker,
                                                 sink: RecordingSink) -> None:
    need_id, person = publish(service, pool)
    stats = worker.run_once()
    assert stats.sent == 3  # three offer cards
    first, _, tok = offers(pool, need_id)[0]
    service.accept(tok, sci_id(pool, first))
    assert worker.run_once().sent == 4  # two intros + two "已被接单"
    assert worker.run_once().attempted == 0
    assert len(sink.to(f"person:{person}")) == 1  # the introduction
    assert worker.backlog() == 0


def test_dispatch_on_an_unknown_or_closed_need(service: OfferService, pool: Engine) -> None:
    assert service.dispatch(123456).code == "not_found"
    need_id, _ = publish(service, pool)
    service.cancel(need_id, actor="requester")
    assert service.dispatch(need_id).code == "closed"
    assert service.confirm(need_id).code == "not_draft"


def test_weekly_cap_spreads_offers(service: OfferService, pool: Engine, settings,
                                   clock) -> None:  # type: ignore[no-untyped-def]
    settings.match_weekly_cap = 1
    need_a, _ = publish(service, pool)
    first_round = {e for e, _, _ in offers(pool, need_a)}
    need_b, _ = publish(service, pool)
    second_round = {e for e, _, _ in offers(pool, need_b)}
    assert not first_round & second_round  # nobody got two offers this week
    clock.advance(timedelta(days=8))
    need_c, _ = publish(service, pool)
    assert {e for e, _, _ in offers(pool, need_c)} & first_round  # a new week


# ---- a need published but never dispatched ------------------------------------------------
class FailingRanker:
    """The real ranker, failing its first `failures` calls as a ranking that times out."""

    def __init__(self, real: object, failures: int) -> None:
        self.real, self.failures, self.calls = real, failures, 0

    def rank(self, *args: object, **kwargs: object) -> object:
        self.calls += 1
        if self.failures > 0:
            self.failures -= 1
            raise RuntimeError("检索超时 (ranking timed out)")
        return self.real.rank(*args, **kwargs)  # type: ignore[attr-defined]


def test_a_need_left_open_by_a_crash_is_dispatched_once(service: OfferService, pool: Engine,
                                                        clock) -> None:  # type: ignore[no-untyped-def]
    """The publishing worker committed `open` and was killed before dispatching: nothing
    else would ever send the offers. The background job does, once, after a grace period."""
    person, _ = make_requester(pool)
    draft = extract_need(SOIL_NEED)
    draft.contact_consent = True
    need_id = service.create_need(draft, requester_id=person)
    with Session(pool) as s, s.begin():  # what the killed worker left behind
        s.get(Need, need_id).status = "open"  # type: ignore[union-attr]
    assert service.expire_due() == 0 and offers(pool, need_id) == []  # may still be running
    clock.advance(DISPATCH_GRACE + timedelta(seconds=1))
    service.expire_due()
    service.expire_due()
    sent = offers(pool, need_id)
    assert len(sent) == 3 and need_status(pool, need_id) == "offered"
    clock.advance(DISPATCH_GRACE * 5)
    service.expire_due()
    assert offers(pool, need_id) == sent  # offered once, not once per run
    cards = [m for m in outbox(pool, need_id) if m.kind == "offer"]
    assert len(cards) == 3
    assert len(audit(pool, "offer", "send")) == 3


def test_a_failed_ranking_publishes_and_the_job_dispatches_later(
        service: OfferService, pool: Engine, clock) -> None:  # type: ignore[no-untyped-def]
    flaky = FailingRanker(service.ranker, failures=2)
    service.ranker = flaky  # type: ignore[assignment]
    person, _ = make_requester(pool)
    need_id = service.create_need(extract_need(SOIL_NEED), requester_id=person)
    outcome = service.confirm(need_id)
    assert outcome.code == "later" and "正在为您寻找" in outcome.message
    assert need_status(pool, need_id) == "open" and offers(pool, need_id) == []
    clock.advance(DISPATCH_GRACE + timedelta(seconds=1))
    service.expire_due()  # fails again: tried once more after a pause, not on every tick
    service.expire_due()
    assert flaky.calls == 2 and offers(pool, need_id) == []
    clock.advance(DISPATCH_RETRY)
    service.expire_due()
    service.expire_due()
    assert len(offers(pool, need_id)) == 3 and flaky.calls == 3


def test_a_need_whose_dispatch_keeps_failing_goes_to_staff(
        service: OfferService, pool: Engine, clock) -> None:  # type: ignore[no-untyped-def]
    service.ranker = FailingRanker(service.ranker, failures=10_000)  # type: ignore[assignment]
    need_id, person = publish(service, pool)
    for _ in range(40):
        clock.advance(DISPATCH_RETRY)
        service.expire_due()
    assert need_status(pool, need_id) == "unmatched" and offers(pool, need_id) == []
    msgs = outbox(pool, need_id)
    assert any(m.recipient.startswith("staff:") for m in msgs)
    assert any(m.recipient == f"person:{person}" and m.kind == "need_unmatched" for m in msgs)


def test_needs_in_other_hands_are_not_dispatched_again(service: OfferService, pool: Engine,
                                                       clock) -> None:  # type: ignore[no-untyped-def]
    drafted = service.create_need(extract_need(SOIL_NEED))  # not confirmed: stays a draft
    cancelled, _ = publish(service, pool)
    service.cancel(cancelled, actor="requester")
    ranker, service.ranker = service.ranker, None  # nobody to offer: straight to staff
    staff = service.create_need(extract_need(SOIL_NEED))
    assert service.confirm(staff).code == "unmatched"
    service.ranker = ranker
    offered, _ = publish(service, pool)
    counted = FailingRanker(ranker, failures=0)
    service.ranker = counted  # type: ignore[assignment]
    clock.advance(hours=1)
    service.expire_due()
    assert counted.calls == 0  # nothing was dispatched again
    assert [need_status(pool, n) for n in (drafted, cancelled, staff, offered)] == [
        "draft", "cancelled", "unmatched", "offered"]
    assert offers(pool, drafted) == [] and offers(pool, staff) == []
