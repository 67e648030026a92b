"""The offer lifecycle: a confirmed need → offers to the best candidates → accept / decline /
refer / expire → the next candidates → exactly one accept wins → both sides introduced → or,
nobody left, `unmatched` and queued for staff.

Every transition is a conditional update ("… WHERE status = 'pending'"), audited, and writes
its notifications to the outbox in the same transaction. The race between two scientists
pressing 接单 at the same moment is settled by claiming the need row first (`UPDATE need …
WHERE status = 'offered'`): on PostgreSQL the second transaction waits on that row lock and
then finds the need already matched; on SQLite writers are serialised. The partial unique
index `uq_offer_one_accepted_per_need` is the database's own backstop.

Who may act is decided here, from the store: callers pass the scientist row the channel
account belongs to, and an offer token only works for the scientist it was sent to.

Publishing commits before dispatching (ranking is slow and can fail, and must not hold the
need row): a need whose dispatch never happened — the worker died in between, or ranking
raised — stays `open` with no offers, and `expire_due` (the background job) dispatches it
again after a short grace period. Dispatch only tops up, so a late second run sends nothing
twice.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, String, cast, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import Clock, as_utc, system_clock
from core.errors import BadInput, is_store_outage
from core.settings import Settings
from delivery.outbox import enqueue
from matching import notifications as note
from matching.need import NeedDraft
from matching.rank import Candidate, Ranker
from matching.reach import phone_of, reachable
from store.models import (
    AuditLog,
    Feedback,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    OfferVia,
    Organization,
    Person,
    Scientist,
)

log = logging.getLogger(__name__)
_OPEN = (NeedStatus.open, NeedStatus.offered)
# A publish dispatches within seconds; a need still open with no offer after this was left
# by a crashed worker or a failed ranking, and the background job dispatches it again.
DISPATCH_GRACE = timedelta(minutes=1)
DISPATCH_RETRY = timedelta(minutes=1)  # between attempts on one need whose dispatch fails
RATINGS_EVERY = timedelta(minutes=10)  # how often matches due a rating reminder are looked for
_RATE_ASKED = ("service_done", "rate_reminder")  # audit actions after which nobody is re-asked
DISPATCH_GIVE_UP = timedelta(minutes=30)  # still failing by then: staff take it by hand
SOURCE_KEY_PREFIX = "sha256:"


def source_key_digest(key: str) -> str:
    """What `need.source_key` holds for the chat message that published the need. Its
    delivery id names the user ("wechat:wx:<openid>:<MsgId>"), so only a digest is stored:
    the same message gives the same digest, and a turn run again still finds its need."""
    return SOURCE_KEY_PREFIX + hashlib.sha256(key.encode()).hexdigest()


@dataclass
class Outcome:
    """What happened, with a Chinese message for the person who acted."""

    ok: bool
    code: str            # accepted, declined, referred, taken, expired, not_yours, not_found …
    message: str
    need_id: int | None = None
    offers: list[int] = field(default_factory=list)
    calls: int = 0  # of `offers`, those local staff phone (the scientist has no chat account)


def sent_message(pushed: int, calls: int) -> str:
    """What the requester is told about a round: only what really happened."""
    if pushed and calls:
        return f"已推送给 {pushed} 位专家，另有 {calls} 位由当地科协工作人员电话联系。"
    if calls:
        return f"合适的专家暂未开通在线接单，已请当地科协工作人员电话联系 {calls} 位专家。"
    return f"已推送给 {pushed} 位专家。"


class _Abort(Exception):
    """Roll the transaction back and answer with `outcome`."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.code)
        self.outcome = outcome


def staff_recipient(region_code: str | None) -> str:
    return f"staff:{region_code or '510000'}"


def draft_from_need(need: Need) -> NeedDraft:
    return NeedDraft(
        description=need.description, kind=need.kind, title=need.title,
        discipline=need.discipline, discipline_code=need.discipline_code,
        keywords=list(need.keywords), products=list(need.products),
        region_code=need.region_code, urgency=need.urgency, budget=need.budget,
        budget_text=need.budget_text, confidentiality=need.confidentiality,
        requester_role=need.requester_role, contact_consent=need.contact_consent,
        remote_ok=need.remote_ok, status=need.status, visibility_set=True)


class OfferService:
    def __init__(self, engine: Engine, ranker: Ranker | None, settings: Settings,
                 clock: Clock = system_clock) -> None:
        self.engine = engine
        self.ranker = ranker
        self.settings = settings
        self.clock = clock
        # needs whose dispatch failed in this process, and when to try each again
        self._retry_at: dict[int, datetime] = {}
        self._ratings_at: datetime | None = None  # when ratings due were last looked for

    # ---- helpers -----------------------------------------------------------------------------
    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def _audit(self, session: Session, actor: str, entity: str, entity_id: Any, action: str,
               before: dict[str, Any] | None = None, after: dict[str, Any] | None = None
               ) -> None:
        session.add(AuditLog(at=self.clock.now(), actor=actor, entity=entity,
                             entity_id=str(entity_id), action=action, before=before,
                             after=after))

    def _set_need(self, session: Session, need_id: int, allowed: tuple[str, ...], status: str
                  ) -> bool:
        """Conditional transition; the row lock it takes serialises racing writers."""
        return session.execute(
            update(Need).where(Need.id == need_id, Need.status.in_(allowed))
            .values(status=status, updated_at=self.clock.now())
            .execution_options(synchronize_session=False)).rowcount == 1

    # ---- needs -------------------------------------------------------------------------------
    def create_need(self, draft: NeedDraft, *, requester_id: int | None = None,
                    organization_id: int | None = None, conversation_id: int | None = None,
                    external_id: str | None = None, actor: str = "system",
                    transcript: list[str] | None = None, source_key: str | None = None) -> int:
        """Store a draft need record (status draft until the requester confirms), with the
        requester's own messages (contacts masked) for staff to read. With `source_key` (the
        chat message that publishes it) a second call returns the need the first made; the
        key is stored as a digest (`source_key_digest`)."""
        now = self.clock.now()
        digest = source_key_digest(source_key) if source_key else None
        with self._tx() as session:
            if source_key:
                # (the raw form: needs published before keys were hashed)
                existing = session.execute(select(Need.id).where(or_(
                    Need.source_key == digest, Need.source_key == source_key[:200]))
                ).scalars().first()
                if existing is not None:
                    return int(existing)
            need = Need(
                source_key=digest,
                external_id=external_id, requester_id=requester_id,
                organization_id=organization_id, conversation_id=conversation_id,
                kind=draft.kind, title=draft.title[:300], description=draft.description,
                discipline=draft.discipline, discipline_code=draft.discipline_code,
                keywords=draft.keywords, products=draft.products,
                region_code=draft.region_code, urgency=draft.urgency or "normal",
                budget=draft.budget, budget_text=draft.budget_text[:64],
                remote_ok=draft.remote_ok, confidentiality=draft.confidentiality,
                requester_role=draft.requester_role,
                contact_consent=bool(draft.contact_consent), status=NeedStatus.draft,
                data={"missing": draft.missing, "source": draft.source,
                      "transcript": list(transcript or [])[-20:]},
                created_at=now, updated_at=now)
            session.add(need)
            session.flush()
            assert need.id is not None
            if draft.contact and requester_id is not None:
                person = session.get(Person, requester_id)
                if person is not None:  # contact typed into the need is the requester's
                    person.contact = {**draft.contact, **(person.contact or {})}
            self._audit(session, actor, "need", need.id, "create", None,
                        {"status": NeedStatus.draft})
            return need.id

    def offers_sent(self, need_id: int) -> int:
        with Session(self.engine) as session:
            return int(session.execute(select(func.count()).select_from(Offer).where(
                Offer.need_id == need_id)).scalar_one())

    def confirm(self, need_id: int, actor: str = "requester") -> Outcome:
        """The requester confirmed the summary card: publish and send the first offers.
        When dispatching fails the need is published all the same (code "later"): the
        background job dispatches it (`redispatch_stranded`)."""
        with self._tx() as session:
            if not self._set_need(session, need_id, (NeedStatus.draft,), NeedStatus.open):
                return Outcome(False, "not_draft", "这条需求已经发布或已关闭。", need_id)
            self._audit(session, actor, "need", need_id, "confirm",
                        {"status": NeedStatus.draft}, {"status": NeedStatus.open})
        return self._dispatch_or_later(need_id)

    def _dispatch_or_later(self, need_id: int) -> Outcome:
        try:
            outcome = self.dispatch(need_id)
        except Exception as exc:
            if is_store_outage(exc):
                raise  # the turn is given back and run again; it finds the need open
            log.exception("dispatch of need %s failed; the background job retries it", need_id)
            outcome = Outcome(False, "busy", "", need_id)
        if outcome.code != "busy":
            return outcome
        return Outcome(True, "later", "需求已发布！正在为您寻找合适的专家，有专家接单会第一时间"
                       "通知您；暂时找不到的，会转交当地科协工作人员人工对接。", need_id)

    def published(self, need_id: int) -> Outcome:
        """Where a need published earlier stands, for its publishing turn run again after a
        crash: the offers already sent (never sent again) — or, when that worker died before
        dispatching, the dispatch now."""
        with Session(self.engine) as session:
            status = session.execute(select(Need.status).where(Need.id == need_id)
                                     ).scalar_one_or_none()
            rows = session.execute(select(Offer.id, Offer.via).where(Offer.need_id == need_id)
                                   .order_by(Offer.id)).all()
            sent = [oid for oid, _ in rows]
            calls = sum(1 for _, via in rows if via == OfferVia.staff)
        if status is None:
            return Outcome(False, "not_found", "找不到这条需求。")
        if status == NeedStatus.open and not sent:
            return self._dispatch_or_later(need_id)
        if status == NeedStatus.unmatched:
            return Outcome(False, "unmatched", "暂无合适的专家，已转交工作人员。", need_id)
        if sent:
            return Outcome(True, "offered", sent_message(len(sent) - calls, calls), need_id,
                           sent, calls)
        return Outcome(False, "not_draft", "这条需求已经发布或已关闭。", need_id)

    def dispatch(self, need_id: int) -> Outcome:
        """Top up pending offers to `match_offers_per_round`, within `match_max_offers` in
        all; with nobody pending and nobody left to ask, the need goes to staff."""
        with Session(self.engine) as session:
            need = session.get(Need, need_id)
            if need is None:
                return Outcome(False, "not_found", "找不到这条需求。")
            if need.status not in _OPEN:
                return Outcome(False, "closed", "这条需求不在匹配中。", need_id)
            draft = draft_from_need(need)
            org = session.get(Organization, need.organization_id) if need.organization_id \
                else None
            org_name = org.name if org else ""
            requester_id = need.requester_id
        # Rank outside the write transaction: retrieval takes milliseconds we do not want to
        # hold a lock for. The transaction re-checks everything that could have changed.
        candidates: list[Candidate] = []
        if self.ranker is not None:
            candidates = self.ranker.rank(
                draft, k=self.settings.match_offers_per_round * 3, need_id=need_id,
                for_offers=True, organization=org_name, requester_person_id=requester_id)
        for _attempt in range(3):
            try:
                return self._dispatch_tx(need_id, candidates)
            except IntegrityError:  # a concurrent dispatch offered the same scientist
                log.info("dispatch race on need %s, retrying", need_id)
        return Outcome(False, "busy", "系统繁忙，请稍后再试。", need_id)

    def _dispatch_tx(self, need_id: int, candidates: list[Candidate],
                     unlimited: bool = False) -> Outcome:
        now = self.clock.now()
        ttl = timedelta(hours=self.settings.offer_ttl_hours)
        with self._tx() as session:
            # claim the need row first: concurrent dispatches and accepts queue behind it
            if session.execute(update(Need).where(Need.id == need_id, Need.status.in_(_OPEN))
                               .values(updated_at=now)
                               .execution_options(synchronize_session=False)).rowcount != 1:
                return Outcome(False, "closed", "这条需求不在匹配中。", need_id)
            need = session.get(Need, need_id)
            assert need is not None
            offered = {sid: status for sid, status in session.execute(
                select(Offer.scientist_id, Offer.status).where(Offer.need_id == need_id))}
            pending = sum(1 for s in offered.values() if s == OfferStatus.pending)
            room = len(candidates) if unlimited else min(
                self.settings.match_offers_per_round - pending,
                self.settings.match_max_offers - len(offered))
            new_ids: list[int] = []
            calls = 0
            for cand, via in self._choose(session, need_id, candidates, offered, room, unlimited):
                sci = session.get(Scientist, cand.row_id)
                assert sci is not None
                offer = Offer(token=secrets.token_urlsafe(12), need_id=need_id,
                              scientist_id=cand.row_id, status=OfferStatus.pending,
                              rank=len(offered) + 1, score=round(cand.score, 4),
                              reasons=cand.reasons, via=via, created_at=now,
                              expires_at=now + ttl)
                session.add(offer)
                session.flush()
                assert offer.id is not None
                sci.offers_received += 1
                offered[cand.row_id] = OfferStatus.pending
                new_ids.append(offer.id)
                self._audit(session, "system", "offer", offer.id, "send", None,
                            {"status": OfferStatus.pending, "need_id": need_id,
                             "scientist": sci.external_id, "score": offer.score, "via": via})
                if via == OfferVia.staff:
                    calls += 1  # the console lists it, with the scientist's phone
                    continue
                enqueue(session, "offer", f"scientist:{sci.external_id}",
                        note.offer_card(need, offer.token, cand.reasons,
                                        self.settings.offer_ttl_hours),
                        now=now, need_id=need_id, offer_id=offer.id)
            pending += len(new_ids)
            if new_ids:
                before = need.status
                need.status = NeedStatus.offered
                if before != NeedStatus.offered:
                    self._audit(session, "system", "need", need_id, "offered",
                                {"status": before}, {"status": NeedStatus.offered})
                # the requester hears "已推送给 N 位专家" in the turn that confirmed the need;
                # later rounds (after a decline or expiry) are not worth a message each
                return Outcome(True, "offered", sent_message(len(new_ids) - calls, calls),
                               need_id, new_ids, calls)
            if pending:
                return Outcome(True, "waiting", "正在等待专家答复。", need_id)
            before = need.status
            need.status = NeedStatus.unmatched
            self._audit(session, "system", "need", need_id, "unmatched", {"status": before},
                        {"status": NeedStatus.unmatched, "offers": len(offered)})
            enqueue(session, "need_unmatched", staff_recipient(need.region_code),
                    note.staff_unmatched(need), now=now, need_id=need_id)
            if need.requester_id is not None:
                enqueue(session, "need_unmatched", f"person:{need.requester_id}",
                        note.requester_unmatched(need), now=now, need_id=need_id)
            return Outcome(False, "unmatched", "暂无合适的专家，已转交工作人员。", need_id)

    def _choose(self, session: Session, need_id: int, candidates: list[Candidate],
                offered: dict[int, str], room: int, unlimited: bool
                ) -> list[tuple[Candidate, str]]:
        """Who gets this round's offers, and how. Scientists with a chat account get a push,
        in rank order. One without is phoned by local staff when they are among the round's
        best (`room` places) and have a phone, at most `match_staff_calls` open at once —
        staff time is scarce; the rest wait for a later round. Staff assigning by hand
        (`unlimited`) choose the scientist: pushed if reachable, else phoned."""
        fresh: list[Candidate] = []
        for cand in candidates:
            sci = session.get(Scientist, cand.row_id)
            if cand.row_id not in offered and sci is not None and sci.available:
                fresh.append(cand)
        reach = reachable(session, [c.row_id for c in fresh])
        if unlimited:
            return [(c, OfferVia.push if c.row_id in reach else OfferVia.staff) for c in fresh]
        open_calls = int(session.execute(select(func.count()).select_from(Offer).where(
            Offer.need_id == need_id, Offer.status == OfferStatus.pending,
            Offer.via == OfferVia.staff)).scalar_one())
        chosen: list[tuple[Candidate, str]] = []
        calls_left = self.settings.match_staff_calls - open_calls
        for place, cand in enumerate(fresh):
            if len(chosen) >= room:
                break
            if cand.row_id in reach:
                chosen.append((cand, OfferVia.push))
            elif place < room and calls_left > 0:
                sci = session.get(Scientist, cand.row_id)
                if sci is not None and phone_of(sci):
                    chosen.append((cand, OfferVia.staff))
                    calls_left -= 1
        return chosen

    def assign(self, need_id: int, scientist_external_id: str, actor: str) -> Outcome:
        """Staff step in on an unmatched need and offer it to a scientist by hand."""
        with Session(self.engine) as session:
            sci = session.execute(select(Scientist).where(
                Scientist.external_id == scientist_external_id)).scalar_one_or_none()
            if sci is None:
                raise BadInput(f"找不到科技工作者 {scientist_external_id} (no such scientist)")
        with self._tx() as session:
            if not self._set_need(session, need_id, (NeedStatus.unmatched, *_OPEN),
                                  NeedStatus.offered):
                return Outcome(False, "closed", "这条需求已对接或已关闭。", need_id)
            self._audit(session, actor, "need", need_id, "assign", None,
                        {"scientist": scientist_external_id})
        cand = Candidate(sci.external_id, sci.name, sci.discipline, "", 0.0,
                         ["工作人员人工指派"], row_id=sci.id or 0)
        with self._tx() as session:
            offered = session.execute(select(Offer.id).where(
                Offer.need_id == need_id, Offer.scientist_id == cand.row_id)).first()
        if offered:
            return Outcome(False, "already_offered", "已向这位专家发出过邀请。", need_id)
        # one more offer beyond the automatic limits: staff decided
        return self._dispatch_tx(need_id, [cand], unlimited=True)

    def cancel(self, need_id: int, actor: str) -> Outcome:
        now = self.clock.now()
        with self._tx() as session:
            allowed = (NeedStatus.draft, NeedStatus.unmatched, *_OPEN)
            need = session.get(Need, need_id)
            if need is None:
                return Outcome(False, "not_found", "找不到这条需求。")
            before = need.status
            if not self._set_need(session, need_id, allowed, NeedStatus.cancelled):
                return Outcome(False, "closed", "这条需求已对接或已关闭，无法取消。", need_id)
            self._audit(session, actor, "need", need_id, "cancel", {"status": before},
                        {"status": NeedStatus.cancelled})
            self._withdraw_pending(session, need, "需求方已取消", now)
        return Outcome(True, "cancelled", "需求已取消。", need_id)

    def _withdraw_pending(self, session: Session, need: Need, why: str,
                          now: Any, keep: int | None = None) -> list[int]:
        rows = session.execute(select(Offer.id, Scientist.external_id, Offer.via)
                               .join(Scientist, Scientist.id == Offer.scientist_id)
                               .where(Offer.need_id == need.id,
                                      Offer.status == OfferStatus.pending)).all()
        ids = [oid for oid, _, _ in rows if oid != keep]
        if not ids:
            return []
        session.execute(update(Offer).where(Offer.id.in_(ids),
                                            Offer.status == OfferStatus.pending)
                        .values(status=OfferStatus.withdrawn, responded_at=now, note=why)
                        .execution_options(synchronize_session=False))
        for oid, ext, via in rows:
            if oid == keep:
                continue
            self._audit(session, "system", "offer", oid, "withdraw",
                        {"status": OfferStatus.pending},
                        {"status": OfferStatus.withdrawn, "why": why})
            if via == OfferVia.staff:
                continue  # never reached them by chat: the console shows it withdrawn
            payload = note.offer_taken(need) if why == "已被其他专家接单" \
                else note.offer_withdrawn(need, why)
            enqueue(session, "offer_withdrawn", f"scientist:{ext}", payload, now=now,
                    need_id=need.id, offer_id=oid)
        return ids

    # ---- scientists' answers -----------------------------------------------------------------
    def _offer_for(self, token: str, scientist_id: int) -> tuple[Offer | None, Outcome | None]:
        with Session(self.engine) as session:
            offer = session.execute(select(Offer).where(Offer.token == token)
                                    ).scalar_one_or_none()
            if offer is None:
                return None, Outcome(False, "not_found", "这个邀请不存在或已失效。")
            session.expunge(offer)
        if offer.scientist_id != scientist_id:
            log.warning("scientist %s pressed offer %s of another scientist", scientist_id,
                        offer.id)
            return None, Outcome(False, "not_yours", "这个邀请不是发给您的，无法操作。",
                                 offer.need_id)
        return offer, None

    def _why_not(self, offer_id: int) -> Outcome:
        with Session(self.engine) as session:
            offer = session.get(Offer, offer_id)
            need = session.get(Need, offer.need_id) if offer else None
        if offer is None or need is None:
            return Outcome(False, "not_found", "这个邀请不存在或已失效。")
        if offer.status == OfferStatus.accepted:
            return Outcome(False, "already_accepted", "您已接下这个需求。", need.id)
        if need.status in (NeedStatus.matched, NeedStatus.in_service, NeedStatus.closed) \
                or offer.status == OfferStatus.withdrawn:
            return Outcome(False, "taken", "该需求已被接单，感谢您的关注。", need.id)
        if offer.status == OfferStatus.expired or (
                offer.expires_at and as_utc(offer.expires_at) <= self.clock.now()):
            return Outcome(False, "expired", "这个邀请已超时。", need.id)
        if offer.status == OfferStatus.declined:
            return Outcome(False, "declined", "您已婉拒过这个需求。", need.id)
        return Outcome(False, "closed", "该需求已取消或已关闭。", need.id)

    def accept(self, token: str, scientist_id: int, actor: str | None = None) -> Outcome:
        offer, problem = self._offer_for(token, scientist_id)
        if problem is not None:
            return problem
        assert offer is not None and offer.id is not None
        now = self.clock.now()
        actor = actor or f"scientist:{scientist_id}"
        try:
            with self._tx() as session:
                # 1. claim the need: the first accept turns it to matched, the rest find it so
                if not self._set_need(session, offer.need_id, (NeedStatus.offered,),
                                      NeedStatus.matched):
                    raise _Abort(Outcome(False, "retry", ""))
                # 2. the offer itself must still be open and not expired
                won = session.execute(
                    update(Offer).where(Offer.id == offer.id, Offer.status == OfferStatus.pending,
                                        Offer.expires_at > now)
                    .values(status=OfferStatus.accepted, responded_at=now)
                    .execution_options(synchronize_session=False)).rowcount == 1
                if not won:
                    raise _Abort(Outcome(False, "retry", ""))
                need = session.get(Need, offer.need_id)
                sci = session.get(Scientist, scientist_id)
                assert need is not None and sci is not None
                sci.offers_accepted += 1
                created = as_utc(offer.created_at) or now
                sci.response_seconds_total += max(0, int((now - created).total_seconds()))
                self._audit(session, actor, "offer", offer.id, "accept",
                            {"status": OfferStatus.pending}, {"status": OfferStatus.accepted})
                self._audit(session, actor, "need", need.id, "matched",
                            {"status": NeedStatus.offered},
                            {"status": NeedStatus.matched, "scientist": sci.external_id})
                self._withdraw_pending(session, need, "已被其他专家接单", now, keep=offer.id)
                self._introduce(session, need, sci, offer.id, now)
        except _Abort:
            return self._why_not(offer.id)
        except IntegrityError:
            # the partial unique index caught a second accept the need-row claim missed
            return Outcome(False, "taken", "该需求已被接单，感谢您的关注。", offer.need_id)
        return Outcome(True, "accepted", "接单成功！已为您和需求方互相介绍。", offer.need_id,
                       [offer.id])

    def _introduce(self, session: Session, need: Need, sci: Scientist, offer_id: int,
                   now: Any) -> None:
        """Both sides learn of each other. The requester's contact goes to the expert only
        with the requester's consent, and to an expert staff have not verified only after
        the requester agrees again for this expert (`share_contact`)."""
        requester = session.get(Person, need.requester_id) if need.requester_id else None
        erased = requester is None or requester.erased_at is not None
        consented = bool(need.contact_consent) and not erased and requester is not None
        ask = consented and not sci.verified
        contact = None
        if consented and sci.verified and requester is not None:
            contact = dict(requester.contact or {})
        name = requester.display_name if requester is not None and not erased else ""
        offer = session.get(Offer, offer_id)
        if offer is None or offer.via != OfferVia.staff:  # else staff pass it on by phone
            enqueue(session, "intro", f"scientist:{sci.external_id}",
                    note.intro_to_scientist(need, name, contact, asked=ask), now=now,
                    need_id=need.id, offer_id=offer_id)
        if requester is not None and not erased:
            enqueue(session, "intro", f"person:{requester.id}",
                    note.intro_to_requester(need, sci, offer_id, ask_share=ask), now=now,
                    need_id=need.id, offer_id=offer_id)
        self._audit(session, "system", "need", need.id, "introduce", None,
                    {"scientist": sci.external_id, "requester_contact_shared": contact is not None,
                     "asked_to_share": ask})

    def share_contact(self, offer_id: int, person_id: int) -> Outcome:
        """The requester agrees to give their contact to the (unverified) expert who took
        their need. Only the requester of that need, only for its accepted offer; once."""
        now = self.clock.now()
        with self._tx() as session:
            offer = session.get(Offer, offer_id)
            need = session.get(Need, offer.need_id) if offer is not None else None
            if offer is None or need is None or need.requester_id != person_id \
                    or offer.status != OfferStatus.accepted:
                return Outcome(False, "not_found", "这个按钮已失效。")
            done = session.execute(select(AuditLog.id).where(
                AuditLog.entity == "offer", AuditLog.entity_id == str(offer_id),
                AuditLog.action == "share_contact")).first()
            if done is not None:
                return Outcome(True, "shared", "已经告诉过专家了。", need.id)
            requester = session.get(Person, person_id)
            sci = session.get(Scientist, offer.scientist_id)
            assert requester is not None and sci is not None
            if not requester.contact:
                return Outcome(False, "no_contact", "您还没有留联系方式。直接发给我电话号码即可，"
                               "或回复“留言 内容”通过平台联系专家。", need.id)
            if offer.via != OfferVia.staff:
                enqueue(session, "intro", f"scientist:{sci.external_id}",
                        note.contact_shared(need, requester.display_name,
                                            dict(requester.contact)),
                        now=now, need_id=need.id, offer_id=offer_id)
            self._audit(session, f"person:{person_id}", "offer", offer_id, "share_contact",
                        None, {"scientist": sci.external_id})
        if offer.via == OfferVia.staff:
            return Outcome(True, "shared", "好的，已请工作人员把您的联系方式转告专家。", need.id)
        return Outcome(True, "shared", "好的，已把您的联系方式发给专家。", need.id)

    def relay(self, person_id: int, words: str) -> Outcome:
        """Platform chat between the two sides of a match (a contact not shared, or none on
        file): the message goes to the other side of this person's latest matched need."""
        now = self.clock.now()
        words = words.strip()[:500]
        with self._tx() as session:
            mine = set(session.execute(select(Scientist.id).where(
                Scientist.person_id == person_id)).scalars())
            rows = session.execute(
                select(Need, Offer, Scientist).join(Offer, Offer.need_id == Need.id)
                .join(Scientist, Scientist.id == Offer.scientist_id)
                .where(Offer.status == OfferStatus.accepted,
                       Need.status.in_((NeedStatus.matched, NeedStatus.in_service)),
                       or_(Need.requester_id == person_id, Offer.scientist_id.in_(mine)))
                .order_by(Need.updated_at.desc(), Need.id.desc()).limit(1)).first()
            if rows is None:
                return Outcome(False, "no_match", "您目前没有已对接的需求，留言无法转达。")
            need, offer, sci = rows
            if not words:
                return Outcome(False, "empty", "请在“留言”后面写上要转达的话，"
                               "例如：留言 明天上午到果园看看。")
            if need.requester_id == person_id:
                if offer.via == OfferVia.staff:
                    phone = phone_of(sci)
                    return Outcome(False, "phone_only",
                                   f"{sci.name}没有开通在线接单，留言转不过去，请直接打电话："
                                   f"{phone or '请联系当地科协工作人员'}。", need.id)
                sender = "需求方"
                recipient = f"scientist:{sci.external_id}"
            else:
                requester = session.get(Person, need.requester_id) if need.requester_id else None
                if requester is None or requester.erased_at is not None:
                    return Outcome(False, "gone", "需求方已注销，留言无法转达。", need.id)
                sender = f"专家{sci.name}"
                recipient = f"person:{requester.id}"
            enqueue(session, "relay", recipient,
                    {"text": f"【留言】需求“{need.title}”——{sender}：{words}\n{note.RELAY_HINT}",
                     "buttons": []}, now=now, need_id=need.id, offer_id=offer.id)
            self._audit(session, f"person:{person_id}", "need", need.id, "relay", None,
                        {"to": recipient.split(":")[0], "chars": len(words)})
        return Outcome(True, "relayed", "留言已转给对方。", need.id)

    def decline(self, token: str, scientist_id: int, reason: str = "",
                actor: str | None = None) -> Outcome:
        offer, problem = self._offer_for(token, scientist_id)
        if problem is not None:
            return problem
        assert offer is not None and offer.id is not None
        now = self.clock.now()
        with self._tx() as session:
            done = session.execute(
                update(Offer).where(Offer.id == offer.id, Offer.status == OfferStatus.pending)
                .values(status=OfferStatus.declined, responded_at=now, note=reason[:200])
                .execution_options(synchronize_session=False)).rowcount == 1
            if done:
                self._audit(session, actor or f"scientist:{scientist_id}", "offer", offer.id,
                            "decline", {"status": OfferStatus.pending},
                            {"status": OfferStatus.declined, "reason": reason[:200]})
        if not done:
            return self._why_not(offer.id)
        self.dispatch(offer.need_id)
        return Outcome(True, "declined", "已婉拒，我们会把需求推荐给其他专家。", offer.need_id)

    def call_failed(self, offer_id: int, actor: str, why: str = "电话联系不上") -> Outcome:
        """Staff could not reach the scientist of a phoned offer: it ends now (expired, with
        the reason) and the need moves on to the next candidates at once."""
        now = self.clock.now()
        with self._tx() as session:
            offer = session.get(Offer, offer_id)
            if offer is None or offer.via != OfferVia.staff:
                return Outcome(False, "not_found", "没有这条电话联系任务。")
            done = session.execute(
                update(Offer).where(Offer.id == offer_id, Offer.status == OfferStatus.pending)
                .values(status=OfferStatus.expired, responded_at=now, note=why[:200])
                .execution_options(synchronize_session=False)).rowcount == 1
            if done:
                self._audit(session, actor, "offer", offer_id, "call_failed",
                            {"status": OfferStatus.pending},
                            {"status": OfferStatus.expired, "why": why[:200]})
            need_id = offer.need_id
        if not done:
            return self._why_not(offer_id)
        self.dispatch(need_id)
        return Outcome(True, "call_failed", "已记录，需求会推荐给下一位专家。", need_id)

    def refer(self, token: str, scientist_id: int, colleague_external_id: str,
              actor: str | None = None) -> Outcome:
        """转介同行: pass a pending offer on to another registered scientist."""
        offer, problem = self._offer_for(token, scientist_id)
        if problem is not None:
            return problem
        assert offer is not None and offer.id is not None
        now = self.clock.now()
        with Session(self.engine) as session:
            colleague = session.execute(select(Scientist).where(
                Scientist.external_id == colleague_external_id)).scalar_one_or_none()
            me = session.get(Scientist, scientist_id)
        if colleague is None or me is None:
            return Outcome(False, "no_colleague", "找不到这位同行，请确认其编号。", offer.need_id)
        if colleague.id == scientist_id:
            return Outcome(False, "self", "不能转介给自己。", offer.need_id)
        if not colleague.available:
            return Outcome(False, "unavailable", "这位同行目前不接单，请换一位。", offer.need_id)
        try:
            with self._tx() as session:
                if session.execute(update(Need).where(Need.id == offer.need_id,
                                                      Need.status == NeedStatus.offered)
                                   .values(updated_at=now)
                                   .execution_options(synchronize_session=False)).rowcount != 1:
                    raise _Abort(Outcome(False, "retry", ""))
                done = session.execute(
                    update(Offer).where(Offer.id == offer.id,
                                        Offer.status == OfferStatus.pending)
                    .values(status=OfferStatus.declined, responded_at=now,
                            note=f"转介给 {colleague.external_id}"[:200])
                    .execution_options(synchronize_session=False)).rowcount == 1
                if not done:
                    raise _Abort(Outcome(False, "retry", ""))
                need = session.get(Need, offer.need_id)
                assert need is not None
                new = Offer(token=secrets.token_urlsafe(12), need_id=need.id,
                            scientist_id=colleague.id, status=OfferStatus.pending,
                            rank=offer.rank, score=offer.score,
                            reasons=[f"{me.name}推荐的同行", *offer.reasons[:2]],
                            referred_by_id=scientist_id, created_at=now,
                            expires_at=now + timedelta(hours=self.settings.offer_ttl_hours))
                session.add(new)
                session.flush()
                colleague_row = session.get(Scientist, colleague.id)
                assert colleague_row is not None
                colleague_row.offers_received += 1
                actor = actor or f"scientist:{scientist_id}"
                self._audit(session, actor, "offer", offer.id, "refer",
                            {"status": OfferStatus.pending},
                            {"status": OfferStatus.declined, "to": colleague.external_id})
                self._audit(session, actor, "offer", new.id, "send", None,
                            {"status": OfferStatus.pending, "referred_by": me.external_id})
                enqueue(session, "offer", f"scientist:{colleague.external_id}",
                        note.offer_card(need, new.token, new.reasons,
                                        self.settings.offer_ttl_hours, referred_by=me.name),
                        now=now, need_id=need.id, offer_id=new.id)
        except _Abort:
            return self._why_not(offer.id)
        except IntegrityError:
            return Outcome(False, "already_offered", "这位同行已经收到过这个需求。", offer.need_id)
        return Outcome(True, "referred", f"已转介给 {colleague.name}。", offer.need_id, [new.id])

    def expire_due(self) -> int:
        """Expire pending offers past their deadline and ask the next candidates; then
        dispatch the needs a crash or a failed ranking left open with no offer (both run
        every few seconds from the same background job). Returns the offers expired."""
        now = self.clock.now()
        with Session(self.engine) as session:
            due = session.execute(select(Offer.id, Offer.need_id).where(
                Offer.status == OfferStatus.pending, Offer.expires_at <= now)).all()
        needs: set[int] = set()
        expired = 0
        for offer_id, need_id in due:
            with self._tx() as session:
                done = session.execute(
                    update(Offer).where(Offer.id == offer_id, Offer.status == OfferStatus.pending)
                    .values(status=OfferStatus.expired, responded_at=now, note="超时未答复")
                    .execution_options(synchronize_session=False)).rowcount == 1
                if not done:
                    continue
                expired += 1
                self._audit(session, "system", "offer", offer_id, "expire",
                            {"status": OfferStatus.pending}, {"status": OfferStatus.expired})
                need = session.get(Need, need_id)
                ext, via = session.execute(select(Scientist.external_id, Offer.via).join(
                    Offer, Offer.scientist_id == Scientist.id).where(Offer.id == offer_id)
                ).one()
                assert need is not None
                if via != OfferVia.staff:
                    enqueue(session, "offer_expired", f"scientist:{ext}",
                            note.offer_expired(need), now=now, need_id=need_id,
                            offer_id=offer_id)
            needs.add(need_id)
        for need_id in sorted(needs):
            self.dispatch(need_id)
        self.redispatch_stranded()
        if self._ratings_at is None or now - self._ratings_at >= RATINGS_EVERY:
            self._ratings_at = now
            self.ask_ratings_due()
        return expired

    def ask_ratings_due(self, limit: int = 50) -> int:
        """Matches accepted `RATE_AFTER_DAYS` ago whose expert never said the service was done:
        the requester is asked once whether it is over, and to rate it then. Returns how many
        were asked."""
        days = self.settings.rate_after_days
        if days <= 0:
            return 0
        now = self.clock.now()
        asked_already = select(AuditLog.id).where(
            AuditLog.entity == "need", AuditLog.entity_id == cast(Need.id, String),
            AuditLog.action.in_(_RATE_ASKED))
        with Session(self.engine) as session:
            rows = session.execute(
                select(Need.id, Offer.id).join(Offer, Offer.need_id == Need.id).where(
                    Offer.status == OfferStatus.accepted,
                    Offer.responded_at <= now - timedelta(days=days),
                    Need.status.in_((NeedStatus.matched, NeedStatus.in_service)),
                    ~asked_already.exists())
                .order_by(Offer.responded_at).limit(limit)).all()
        asked = 0
        for need_id, offer_id in rows:
            with self._tx() as session:
                if session.execute(asked_already.where(Need.id == need_id)).first():
                    continue  # another worker asked in the meantime
                need, offer = session.get(Need, need_id), session.get(Offer, offer_id)
                assert need is not None and offer is not None
                sci = session.get(Scientist, offer.scientist_id)
                requester = session.get(Person, need.requester_id) if need.requester_id \
                    else None
                if sci is not None and requester is not None and requester.erased_at is None:
                    enqueue(session, "rate", f"person:{requester.id}",
                            note.rate_reminder(need, sci, round(days)), now=now,
                            need_id=need.id, offer_id=offer.id)
                    asked += 1
                self._audit(session, "system", "need", need_id, "rate_reminder", None,
                            {"after_days": days})
        return asked

    def redispatch_stranded(self, limit: int = 50) -> int:
        """Needs published (`open`) for longer than `DISPATCH_GRACE` without a single offer:
        their publishing worker died before dispatching, or ranking failed. Dispatch them now.
        Staff's needs are never `open` (unmatched, or offered by hand), so they are left
        alone; a dispatch racing another finds the offers already made and adds none. One
        still failing after `DISPATCH_GIVE_UP` goes to staff, as a need nobody can take.
        Returns the needs dispatched."""
        now = self.clock.now()
        with Session(self.engine) as session:
            rows = session.execute(
                select(Need.id, Need.updated_at).where(
                    Need.status == NeedStatus.open, Need.updated_at <= now - DISPATCH_GRACE,
                    ~select(Offer.id).where(Offer.need_id == Need.id).exists())
                .order_by(Need.updated_at).limit(limit)).all()
        if len(self._retry_at) > 10_000:
            self._retry_at.clear()  # stale entries only: a dispatched need is never picked
        done = 0
        for need_id, published in rows:
            if self._retry_at.get(need_id, now) > now:
                continue
            log.warning("need %s was published but never dispatched: dispatching it now",
                        need_id)
            try:
                outcome = self.dispatch(need_id)
            except Exception as exc:
                if is_store_outage(exc):
                    raise
                if (as_utc(published) or now) > now - DISPATCH_GIVE_UP:
                    log.exception("dispatch of need %s failed again; retrying later", need_id)
                    self._retry_at[need_id] = now + DISPATCH_RETRY
                    continue
                log.exception("dispatch of need %s keeps failing; handing it to staff",
                              need_id)
                outcome = self._dispatch_tx(need_id, [])  # nobody to ask: unmatched
            self._retry_at.pop(need_id, None)
            done += outcome.code in ("offered", "unmatched")
        return done

    # ---- after the match ---------------------------------------------------------------------
    def start_service(self, need_id: int, actor: str) -> Outcome:
        with self._tx() as session:
            if not self._set_need(session, need_id, (NeedStatus.matched,),
                                  NeedStatus.in_service):
                return Outcome(False, "not_matched", "这条需求尚未对接成功。", need_id)
            self._audit(session, actor, "need", need_id, "start_service",
                        {"status": NeedStatus.matched}, {"status": NeedStatus.in_service})
        return Outcome(True, "in_service", "已开始服务。", need_id)

    def service_done(self, person_id: int, need_id: int | None = None) -> Outcome:
        """The expert says the service is done: the requester is asked to rate it (the
        rating is theirs to give; a need is never closed on the expert's word). Only the
        expert holding the accepted offer of that need (or their latest matched one)."""
        now = self.clock.now()
        with self._tx() as session:
            stmt = (select(Need, Offer, Scientist).join(Offer, Offer.need_id == Need.id)
                    .join(Scientist, Scientist.id == Offer.scientist_id)
                    .where(Scientist.person_id == person_id,
                           Offer.status == OfferStatus.accepted,
                           Need.status.in_((NeedStatus.matched, NeedStatus.in_service))))
            if need_id is not None:
                stmt = stmt.where(Need.id == need_id)
            row = session.execute(stmt.order_by(Need.updated_at.desc(), Need.id.desc())
                                  .limit(1)).first()
            if row is None:
                return Outcome(False, "no_match", "您目前没有正在服务的需求。")
            need, offer, sci = row
            requester = session.get(Person, need.requester_id) if need.requester_id else None
            asked = session.execute(select(AuditLog.id).where(
                AuditLog.entity == "need", AuditLog.entity_id == str(need.id),
                AuditLog.action == "service_done")).first()  # (after a reminder: news)
            if asked is not None:
                return Outcome(True, "asked", "已经请需求方评价过了，等对方打分即可。", need.id)
            if requester is not None and requester.erased_at is None:
                enqueue(session, "rate", f"person:{requester.id}",
                        note.rate_request(need, sci), now=now, need_id=need.id,
                        offer_id=offer.id)
            self._audit(session, f"person:{person_id}", "need", need.id, "service_done",
                        None, {"scientist": sci.external_id})
        return Outcome(True, "asked", "好的，已请需求方为这次服务打分。", need.id)

    def close(self, need_id: int, rating: int, comment: str = "",
              person_id: int | None = None, actor: str = "requester") -> Outcome:
        """The requester rates the service (1–5); the scientist's track record counts it."""
        if not 1 <= rating <= 5:
            raise BadInput("评分应为 1 到 5 分 (rating must be 1–5)")
        with self._tx() as session:
            need = session.get(Need, need_id)
            if need is None:
                return Outcome(False, "not_found", "找不到这条需求。")
            if person_id is not None and need.requester_id != person_id:
                return Outcome(False, "not_yours", "只有需求发布者可以评价。", need_id)
            before = need.status
            if not self._set_need(session, need_id, (NeedStatus.matched, NeedStatus.in_service),
                                  NeedStatus.closed):
                return Outcome(False, "not_matched", "这条需求尚未对接成功或已评价。", need_id)
            offer = session.execute(select(Offer).where(
                Offer.need_id == need_id, Offer.status == OfferStatus.accepted)).scalar_one()
            sci = session.get(Scientist, offer.scientist_id)
            assert sci is not None
            sci.rating_sum += rating
            sci.rating_count += 1
            sci.services_completed += 1
            session.add(Feedback(need_id=need_id, offer_id=offer.id, person_id=person_id,
                                 rating=rating, comment=comment[:2000],
                                 created_at=self.clock.now()))
            self._audit(session, actor, "need", need_id, "close", {"status": before},
                        {"status": NeedStatus.closed, "rating": rating})
        return Outcome(True, "closed", "感谢您的评价！", need_id)

    def counts(self, need_id: int) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {s: int(n) for s, n in conn.execute(
                select(Offer.status, func.count()).where(Offer.need_id == need_id)
                .group_by(Offer.status))}
