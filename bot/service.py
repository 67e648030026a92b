"""Wiring: one dialog core per process, built from the settings."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.dialog import Dialog
from kejiyun.clock import Clock, system_clock
from kejiyun.settings import Settings
from matching.offers import OfferService
from matching.service import make_matcher
from retrieval.service import make_answerer, open_index


def make_dialog(engine: Engine, settings: Settings, clock: Clock = system_clock) -> Dialog:
    index = open_index(engine, settings)
    matcher = make_matcher(index, engine, settings, clock)
    offers = OfferService(engine, matcher.ranker, settings, clock)
    return Dialog(engine, answerer=make_answerer(index, settings), matcher=matcher,
                  offers=offers, clock=clock)
