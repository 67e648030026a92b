"""A learned second opinion on "is a person in danger now": character n-grams, logistic regression.

The rules in `retrieval.safety` name what happened and how the person is; new phrasings slip
past them (on a fresh set written by a colleague who had not seen them, the rules caught 83%).
This model, trained on the labelled dev phrasings by `bench/train_emergencies.py`, catches
what the rules miss. It only ever adds: the rules' framing gates (not now, not a person,
figurative) still decide, so it never turns "万一…咋办" or a sick pig into an emergency.
Weights ship in `emergency_ngrams.json` (read once, on first use); scoring is dictionary
lookups, no numpy.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from importlib import resources

from retrieval.tokenize import normalise

NGRAMS = (1, 2, 3)
_SPACE = re.compile(r"\s+")


def grams(text: str) -> set[str]:
    """The distinct 1–3 character n-grams of the normalised text (spaces kept as one)."""
    t = _SPACE.sub(" ", normalise(text))
    return {t[i:i + n] for n in NGRAMS for i in range(len(t) - n + 1)}


@lru_cache(maxsize=1)
def _raw() -> dict:  # type: ignore[type-arg]
    return json.loads((resources.files("retrieval") / "emergency_ngrams.json")
                      .read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _model() -> tuple[dict[str, float], float, float]:
    raw = _raw()
    return raw["weights"], float(raw["bias"]), float(raw["threshold"])


def probability(text: str) -> float:
    """How likely the text describes a person in danger now (before the framing gates)."""
    weights, bias, _ = _model()
    known = [weights[g] for g in grams(text) if g in weights]
    # features are binary, scaled by 1/sqrt(count) as in training (see train_emergencies.py)
    z = bias + (sum(known) / math.sqrt(len(known)) if known else 0.0)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


MIN_CHARS = 6  # "尽快", "同意", "我在苍溪": too few words to judge; the rules alone decide


def looks_like_emergency(text: str) -> bool:
    return len(_SPACE.sub("", text)) >= MIN_CHARS and probability(text) >= _model()[2]


def likely_topic(text: str, floor: float = 0.15) -> str:
    """The first-aid topic whose labelled phrasings this text most resembles (cosine of
    n-gram centroids), or "" below `floor`: for an emergency the rules cannot place."""
    g = grams(text)
    if not g:
        return ""
    scale = 1 / math.sqrt(len(g))
    best, score = "", floor
    for topic, centroid in _raw()["topics"].items():
        s = scale * sum(centroid.get(k, 0.0) for k in g)
        if s > score:
            best, score = topic, s
    return best
