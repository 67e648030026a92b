"""A learned second opinion on what a reply inside a need form does, for phrasings the word
lists in `words` and `matching.slots` do not hold: agreeing to the card ("要得 整起"), leaving
("领导意见：本需求请取消"), saying yes or no to sharing a phone number ("不消得留电话 有事在平台上
说").

Character n-grams and one-vs-rest logistic regression per place (the card, the consent
prompt, any other prompt), trained on the dev journeys by `bench/train_dialog_acts.py`;
weights ship in `acts.json`. It is asked only where the rules found nothing, and it only
answers when sure (`SURE`); a reply that names a field, an amount or a place is left to the
rules, so a guess never publishes a changed card.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from importlib import resources

from retrieval.emergency_model import grams

SURE = 0.8  # chosen by leaving each dev set out in turn (bench/train_dialog_acts.py)
MIN_CHARS = 2


@lru_cache(maxsize=1)
def _models() -> dict[str, tuple[dict[str, float], float]]:
    raw = json.loads((resources.files("bot.journeys") / "acts.json").read_text(encoding="utf-8"))
    return {name: (m["weights"], float(m["bias"])) for name, m in raw["models"].items()}


def probabilities(place: str, text: str,
                  models: dict[str, tuple[dict[str, float], float]] | None = None
                  ) -> dict[str, float]:
    """Each label's probability at this place ("card", "consent", "slot")."""
    g = grams(text)
    out = {}
    for name, (weights, bias) in (models or _models()).items():
        where, _, label = name.partition(":")
        if where != place:
            continue
        known = [weights[k] for k in g if k in weights]
        z = bias + (sum(known) / math.sqrt(len(known)) if known else 0.0)
        out[label] = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
    return out


# leaving and refusing always say no in some word; agreeing and a yes never ask anything
_NO_WORD = re.compile(r"不|没|莫|别|算|撤|取消|删|停|免|退|否")
# the negations that say yes: "电话给专家没得事"
_FINE = re.compile(r"(没|莫|没有|不)得?(事|问题|关系|啥|所谓)|不要紧|不存在")
_ASKING = re.compile(r"[？?吗]|啥|什么|咋|怎么|如何|多少|好多|几")


def act(place: str, text: str, sure: float = SURE) -> str | None:
    """The label the model is sure of at this place, or None ("随便 你们看着办" at the consent
    prompt has no word of leaving: never read as leaving, whatever the model says)."""
    if len(text.strip()) < MIN_CHARS:
        return None
    p = probabilities(place, text)
    best = max(p, key=p.__getitem__, default=None)
    if best is None or p[best] < sure:
        return None
    if best in ("leave", "no") and not _NO_WORD.search(text):
        return None
    if best in ("agree", "yes") and (_ASKING.search(text) or best == "yes"
                                     and _NO_WORD.search(_FINE.sub("", text))):
        return None
    return best
