"""The turn runner: `Dialog.handle(Inbound) -> list[Outbound]` runs one turn, platform-free.

It holds what every journey shares — the per-conversation locks, loading and saving the
conversation, the delivery ids that make a redelivered message a no-op, the error boundary —
and hands the message to `bot.journeys.router`, where the conversation's state names the step
that reads it (the journeys of DESIGN.md §1 live in `bot/journeys/`, one module each).

Conversation state (`state`, `data`) lives in the store, so any worker can continue a
conversation after a restart; turns of one conversation run one at a time (a keyed lock here,
plus the row's `version` as a guard against a second process).

States: `start` (menu), `ask` (next text is a question), `need:describe`, `need:slot:<name>`
(asking for one missing slot), `need:edit`, `need:confirm` (summary card), `register:<step>`,
`delete:confirm`.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bot import texts
from bot.journeys.base import Deps, Turn
from bot.journeys.router import route
from core.clock import Clock, system_clock
from core.errors import KejiyunError, StoreUnavailable, is_store_outage
from core.logs import log_context
from core.metrics import observe_turn
from core.settings import get_settings
from delivery.messages import Inbound, Outbound
from matching.offers import OfferService
from matching.service import Matcher
from matching.slots import extract_contacts
from retrieval.answer import Answerer
from retrieval.llm_guard import turn_budget
from store import accounts
from store.models import Conversation

__all__ = ["ConversationConflict", "Dialog", "KeyedLocks", "Turn"]

log = logging.getLogger(__name__)


class KeyedLocks:
    """One lock per conversation key, so one user's turns run in order and others' do not
    wait. (Across processes the conversation `version` check catches what this cannot.)"""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, str], tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: tuple[str, str]) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users <= 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


_LOCKS = KeyedLocks()  # one per process, shared by every Dialog in it
_DELIVERED_KEPT = 20  # delivery ids remembered per conversation (recovery runs within minutes)


class ConversationConflict(Exception):
    """Another process changed the conversation during this turn."""


class Dialog:
    def __init__(self, engine: Engine, *, answerer: Answerer, matcher: Matcher,
                 offers: OfferService, clock: Clock = system_clock) -> None:
        self.deps = Deps(engine, answerer, matcher, offers, clock)
        self._llm_budget = get_settings().llm_turn_budget  # all LLM calls of one turn
        self._locks = _LOCKS
        # Across processes (PostgreSQL), one conversation's turns are serialised by an
        # advisory lock held for the turn, on a connection of its own (never the pool the
        # turn itself needs, so many waiting turns cannot starve it).
        self._pg_locks = None
        if engine.dialect.name == "postgresql":
            from sqlalchemy import create_engine
            from sqlalchemy.pool import NullPool

            self._pg_locks = create_engine(engine.url, poolclass=NullPool)

    # the services, for the channels and the jobs that run beside the dialog
    @property
    def engine(self) -> Engine:
        return self.deps.engine

    @property
    def answerer(self) -> Answerer:
        return self.deps.answerer

    @property
    def matcher(self) -> Matcher:
        return self.deps.matcher

    @property
    def offers(self) -> OfferService:
        return self.deps.offers

    @property
    def clock(self) -> Clock:
        return self.deps.clock

    # ---- entry point -------------------------------------------------------------------------
    def handle(self, msg: Inbound) -> list[Outbound]:
        """One turn. Domain errors become their Chinese message, anything else is logged and
        the user gets a polite fallback (state unchanged) — except a database outage, which
        raises `StoreUnavailable` so the message is retried rather than answered with "sorry"."""
        started, outcome = time.perf_counter(), "error"
        with log_context(channel=msg.channel, turn=secrets.token_hex(4)):
            try:
                with self._locks.hold((msg.channel, msg.user_id)), self._cross_process(msg), \
                        turn_budget(self._llm_budget):
                    for _attempt in range(3):
                        try:
                            turn = self._turn(msg)
                            outcome = turn.outcome
                            return turn.replies
                        except ConversationConflict:
                            continue
                    return [Outbound(texts.SORRY)]
            except KejiyunError as exc:
                outcome = "other"  # the user gets the domain error's own message
                return [Outbound(str(exc))]
            except Exception as exc:
                if is_store_outage(exc):
                    # nothing of this turn was saved (the conversation is written last);
                    # the caller answers 503 and the platform brings the message back
                    log.warning("store unavailable during a turn on %s", msg.channel)
                    raise StoreUnavailable() from exc
                log.exception("dialog turn failed on %s", msg.channel)
                return [Outbound(texts.SORRY)]
            finally:
                observe_turn(msg.channel, outcome, time.perf_counter() - started)

    @contextmanager
    def _cross_process(self, msg: Inbound) -> Iterator[None]:
        if self._pg_locks is None:
            yield
            return
        from sqlalchemy import text

        with self._pg_locks.connect() as conn, conn.begin():
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                         {"k": f"conversation:{msg.channel}:{msg.user_id}"})
            yield

    def _turn(self, msg: Inbound) -> Turn:
        person_id, role = accounts.account(self.engine, msg.channel, msg.user_id,
                                           msg.display_name)
        conv = self._conversation(msg.channel, msg.user_id, person_id)
        turn = Turn(person_id, role, conv.id or 0, conv.state, dict(conv.data),
                    channel=msg.channel, key=msg.key)
        if msg.key and msg.key in conv.data.get("delivered", []):
            turn.outcome = "duplicate"  # saved before its worker died: do not apply it twice
            return turn
        route(self.deps, msg, turn)
        if msg.key:  # saved with the turn, in the same update of the conversation row
            # (from conv.data: the route may have started the data afresh)
            turn.data["delivered"] = [*conv.data.get("delivered", []),
                                      msg.key][-_DELIVERED_KEPT:]
        if msg.text and turn.state.startswith("need:"):
            # what the requester wrote while the need took shape: staff read it on the need's
            # page ("对话摘录"); contacts are masked as in the description
            if not conv.state.startswith("need:"):
                turn.data["transcript"] = []  # a new need starts a new excerpt
            kept = turn.data.setdefault("transcript", [])
            kept.append(extract_contacts(msg.text.strip())[0][:500])
            del kept[:-20]
        if turn.state != "deleted":
            self._save(conv, turn)
        return turn

    def _conversation(self, channel: str, user_id: str, person_id: int) -> Conversation:
        with Session(self.engine, expire_on_commit=False) as s:
            conv = s.execute(select(Conversation).where(
                Conversation.channel == channel,
                Conversation.platform_user_id == user_id)).scalar_one_or_none()
            if conv is None:
                conv = Conversation(channel=channel, platform_user_id=user_id,
                                    person_id=person_id, state="start", data={},
                                    updated_at=self.clock.now())
                s.add(conv)
                try:
                    s.commit()
                except Exception:  # noqa: BLE001 - created concurrently: read it back
                    s.rollback()
                    raise ConversationConflict() from None
            s.expunge(conv)
            return conv

    def _save(self, conv: Conversation, turn: Turn) -> None:
        with Session(self.engine) as s, s.begin():
            done = s.execute(
                update(Conversation).where(Conversation.id == conv.id,
                                           Conversation.version == conv.version)
                .values(state=turn.state, data=turn.data, version=conv.version + 1,
                        person_id=turn.person_id, updated_at=self.clock.now())
                .execution_options(synchronize_session=False)).rowcount
            if done != 1:
                raise ConversationConflict()
            s.add_all(turn.questions)
