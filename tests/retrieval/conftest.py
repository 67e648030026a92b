"""A small corpus (tests/support.py: ARTICLES, CORPUS_SCIENTISTS) in a real store, indexed with
the real encoder, Chroma and BM25. A real Chroma server: `chroma_server` in tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.settings import get_settings
from knowledge.bootstrap import init_store
from knowledge.importers import import_file
from retrieval.index import SearchIndex
from retrieval.search import Searcher

from ..support import ARTICLES, CORPUS_SCIENTISTS, write_jsonl


@pytest.fixture
def corpus_store(kejiyun_home: Path, tmp_path: Path) -> Engine:
    from store.db import make_engine

    engine = make_engine(f"sqlite:///{kejiyun_home / 'kejiyun.db'}")
    init_store(engine)
    import_file(engine, "articles", write_jsonl(tmp_path / "a.jsonl", ARTICLES))
    import_file(engine, "scientists", write_jsonl(tmp_path / "s.jsonl", CORPUS_SCIENTISTS))
    return engine


@pytest.fixture
def index(corpus_store: Engine) -> SearchIndex:
    idx = SearchIndex(corpus_store, get_settings())
    idx.sync_all()
    return idx


@pytest.fixture
def searcher(index: SearchIndex) -> Searcher:
    return Searcher(index)
