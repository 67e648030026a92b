"""Chroma (as a server, CHROMA_URL) stops in the middle of the day: questions keep their dense
half (article vectors are mirrored beside the index), scientist search and matching go on with
BM25 alone, flagged in the log and in /metrics, and pick the vectors up again when the server is
back — no restart of the web process."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine

from core.clock import ManualClock
from core.settings import Settings
from matching.extract import extract_need
from matching.service import Matcher
from retrieval import index as index_module
from retrieval.answer import Answerer
from retrieval.index import SearchIndex
from retrieval.search import Searcher
from retrieval.vector import open_client

from ..support import start_chroma, stop_chroma, wait_until

QUESTION = "果园地板结了怎么弄"
SCIENTIST_QUERY = "浓香型白酒窖泥微生物"


def degraded_count() -> float:
    return REGISTRY.get_sample_value("kejiyun_vector_degraded_searches_total") or 0.0


def test_chroma_down_means_bm25_only_then_back(corpus_store: Engine, kejiyun_home: Path,
                                              tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "_VECTOR_RETRY_SECONDS", 0.5)
    data = tmp_path / "chroma-data"
    proc, url = start_chroma(data)
    port = int(url.rsplit(":", 1)[1])
    try:
        settings = Settings(KEJIYUN_HOME=kejiyun_home / "srv", CHROMA_URL=url)
        idx = SearchIndex(corpus_store, settings,
                          chroma_client=open_client(settings.kejiyun_home, url))
        idx.sync_all(force=True)
        searcher = Searcher(idx)
        answerer = Answerer(searcher)
        matcher = Matcher(idx, corpus_store, settings, ManualClock())
        assert searcher.search("articles", QUESTION, k=1, mode="dense")[0].id == "a-hard"
        healthy = answerer.ask(QUESTION)
        assert healthy.citations and healthy.citations[0].article_id == "a-hard"
        before = degraded_count()

        stop_chroma(proc)  # the vector store goes away
        # articles: their vectors are mirrored beside the index, so answers keep the dense half
        assert searcher.search("articles", QUESTION, k=1, mode="dense")[0].id == "a-hard"
        answer = answerer.ask(QUESTION)
        assert answer.citations and answer.citations[0].article_id == "a-hard"
        assert not idx.vector_down
        # scientists (a million of them live in Chroma alone): BM25 only, flagged
        with caplog.at_level(logging.WARNING, logger="retrieval.index"):
            hits = searcher.search("scientists", SCIENTIST_QUERY, k=3)
        assert hits and hits[0].id == "s-wine"  # BM25 alone still finds him
        assert idx.vector_down and degraded_count() > before
        assert any("向量检索不可用" in r.getMessage() for r in caplog.records)
        need = extract_need("宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导")
        assert matcher.ranker.rank(need, k=3)  # matching carries on too

        proc, url = start_chroma(data, port)  # back, same data, same address
        wait_until(lambda: searcher.search("scientists", SCIENTIST_QUERY, k=1, mode="dense"),
                   timeout=30, interval=0.3, message="vectors never came back")
        assert not idx.vector_down
        assert searcher.search("scientists", SCIENTIST_QUERY, k=1, mode="dense")[0].id == "s-wine"
    finally:
        stop_chroma(proc)
