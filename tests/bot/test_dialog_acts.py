"""The learned second opinion on replies inside a need form (`bot/journeys/acts.py`): trained on
every dev journey, sure of unseen agreement, leaving and consent phrasings, and kept from the
mistakes that cost most (leaving without a word of leaving, agreeing with a question)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from bot.journeys import acts

from ..support import Harness, text
from .test_dialog_words import CARD_READY, needs

DATA = Path(__file__).resolve().parents[2] / "bench" / "data"


def test_the_shipped_model_knows_every_dev_journey() -> None:
    raw = json.loads((resources.files("bot.journeys") / "acts.json").read_text(encoding="utf-8"))
    current = {p.stem: sum(1 for line in p.open(encoding="utf-8") if line.strip())
               for p in DATA.glob("dialogs_dev*.jsonl")}
    assert raw["journeys"] == current  # retrain: python bench/train_dialog_acts.py
    assert "dialogs_holdout" not in raw["journeys"]
    assert {"card:agree", "card:leave", "consent:yes", "consent:no", "slot:leave"} <= set(
        raw["models"])


@pytest.mark.parametrize(("place", "said", "act"), [
    ("card", "行嘛 就照这个整", "agree"), ("card", "核对过了 没得问题 麻烦发一下", "agree"),
    ("card", "老板看了说这个事不弄了 撤了", "leave"),
    ("consent", "电话给专家没得事", "yes"), ("consent", "电话就不留了 平台上聊", "no"),
    # guarded: no word of leaving is never leaving; a question is never a yes
    ("consent", "随便 你们看着办", None), ("card", "对了 这个病要打啥药", None),
    ("card", "预算改成五千", None)])
def test_unseen_replies_and_the_guards(place: str, said: str, act: str | None) -> None:
    assert acts.act(place, said) == act


def test_agreement_in_unlisted_words_publishes_and_leaving_cancels(bot: Harness) -> None:
    bot.chat("boss", CARD_READY)
    assert "需求已发布" in text(bot.chat("boss", "要得 整起")) and needs(bot) == 1
    bot.chat("boss2", CARD_READY)
    said = text(bot.chat("boss2", "领导意见：暂不外请专家，由区农业农村局协助。本需求请撤回处理"))
    assert "已取消" in said
    bot.chat("boss2", "好的")
    assert needs(bot) == 1
