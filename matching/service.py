"""Wiring for matching: need text → need record + ranked candidates (what `kejiyun match`
prints), and an `OfferService` built from the settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from core.clock import Clock, system_clock
from core.settings import Settings
from matching.extract import extract_need
from matching.need import NeedDraft
from matching.offers import OfferService
from matching.rank import Candidate, Ranker, RankWeights, resolve_region
from retrieval.index import SearchIndex
from retrieval.search import Searcher


class Matcher:
    def __init__(self, index: SearchIndex, engine: Engine, settings: Settings,
                 clock: Clock = system_clock, weights: RankWeights | None = None,
                 llm: Any = None) -> None:
        self.index = index
        self.ranker = Ranker(Searcher(index), engine, settings, clock, weights)
        self.llm = llm  # matching.llm_extract.LLMExtractor when an LLM is configured

    def extract(self, text: str, role: str | None = None) -> NeedDraft:
        if self.llm is not None:
            draft = self.llm.extract(text, role=role)
            if draft is not None:
                return draft
        return extract_need(text, role=role, tokenizer=self.index.tokenizer)

    def match(self, text: str, *, top: int = 10, region: str | None = None
              ) -> tuple[NeedDraft, list[Candidate]]:
        """`region` says where the need is (overriding the text); candidates nearer to it
        rank higher, and remote-capable ones still count when the need allows remote help."""
        draft = self.extract(text)
        if region:
            draft.region_code = resolve_region(region)
            draft.recompute_missing()
        if "description" in draft.missing:
            return draft, []
        return draft, self.ranker.rank(draft, k=top)

    def match_json(self, text: str, *, top: int = 10, region: str | None = None
                   ) -> dict[str, Any]:
        draft, candidates = self.match(text, top=top, region=region)
        return {"need": draft.to_json(), "candidates": [c.to_json() for c in candidates]}


def make_matcher(index: SearchIndex, engine: Engine, settings: Settings,
                 clock: Clock = system_clock) -> Matcher:
    llm = None
    if settings.llm_base_url and settings.llm_model:
        from matching.llm_extract import LLMExtractor

        llm = LLMExtractor(settings)
    return Matcher(index, engine, settings, clock, llm=llm)


def make_offer_service(index: SearchIndex, engine: Engine, settings: Settings,
                       clock: Clock = system_clock) -> OfferService:
    matcher = Matcher(index, engine, settings, clock)
    return OfferService(engine, matcher.ranker, settings, clock)
