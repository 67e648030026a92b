"""A small scientist pool (tests/support.py: POOL_SCIENTISTS) in a real store (SQLite and
PostgreSQL), indexed with the real encoder, Chroma and BM25; a manual clock; an offer service
wired to the real ranker."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from core.clock import ManualClock
from core.settings import Settings, get_settings
from delivery.outbox import OutboxWorker, RecordingSink
from knowledge.importers import import_file
from matching.offers import OfferService
from matching.rank import Ranker
from retrieval.index import SearchIndex
from retrieval.search import Searcher
from store.models import ChannelAccount, Scientist

from ..support import POOL_SCIENTISTS, give_chat_accounts, write_jsonl


@pytest.fixture
def pool(store: Engine, tmp_path: Path) -> Engine:
    """The pool, every scientist with a chat account (offers are pushed to them); tests of
    scientists nobody can push to unbind them (`unbind`)."""
    report = import_file(store, "scientists", write_jsonl(tmp_path / "s.jsonl", POOL_SCIENTISTS))
    assert report.rejected_count == 0
    give_chat_accounts(store)
    return store


def unbind(engine: Engine, *external_ids: str) -> None:
    """These scientists have no chat account (an imported profile nobody has bound yet)."""
    with Session(engine) as s, s.begin():
        for sci in s.execute(select(Scientist).where(Scientist.external_id.in_(external_ids))
                             ).scalars():
            s.execute(delete(ChannelAccount).where(ChannelAccount.person_id == sci.person_id))


@pytest.fixture
def settings() -> Settings:
    return get_settings()


@pytest.fixture
def index(pool: Engine, settings: Settings) -> SearchIndex:
    idx = SearchIndex(pool, settings)
    idx.sync_all()
    return idx


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def ranker(index: SearchIndex, pool: Engine, settings: Settings, clock: ManualClock) -> Ranker:
    return Ranker(Searcher(index), pool, settings, clock)


@pytest.fixture
def service(pool: Engine, ranker: Ranker, settings: Settings,
            clock: ManualClock) -> OfferService:
    return OfferService(pool, ranker, settings, clock)


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def worker(pool: Engine, sink: RecordingSink, settings: Settings,
           clock: ManualClock) -> OutboxWorker:
    return OutboxWorker(pool, sink, settings, clock)
