"""Wiring: one search index, searcher and answerer per process, built from the settings."""

from __future__ import annotations

from sqlalchemy import Engine

from kejiyun.settings import Settings
from retrieval.answer import Answerer
from retrieval.index import SearchIndex
from retrieval.search import Searcher


def open_index(engine: Engine, settings: Settings, sync: bool = True) -> SearchIndex:
    index = SearchIndex(engine, settings)
    if sync:
        index.sync_all()
    return index


def make_answerer(index: SearchIndex, settings: Settings) -> Answerer:
    llm = None
    if settings.llm_base_url and settings.llm_model:
        from retrieval.llm import LLMWriter

        llm = LLMWriter(settings)
    return Answerer(Searcher(index), llm)
