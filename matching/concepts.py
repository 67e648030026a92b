"""Problem concepts: what kind of problem a text is about, whatever the crop or product.

A need says "芒果发东北，到了就起黑斑、软掉"; a scientist's line says "农产品冷链保鲜". They share
no word, yet both are about 采后保鲜 — and a farmer's colloquial symptom words rarely match an
expert's terms. ``knowledge/data/concepts.csv`` maps words (experts' and farmers') to about 60
concepts; the ranker counts the concepts a need and a profile share.

Texts are normalised as for search (full-width, traditional characters, case), then matching
is one regular-expression pass with the words longest first, so at each position the
longest word wins ("测土配方" is 施肥营养, not the 化工工艺 of "配方"). Results are cached per
text: profiles' lines repeat across queries.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib.resources import files

from retrieval.tokenize import normalise

__all__ = ["concepts"]


@cache
def _lexicon() -> tuple[re.Pattern[str], dict[str, frozenset[str]]]:
    words: dict[str, set[str]] = {}
    raw = (files("knowledge") / "data" / "concepts.csv").read_text(encoding="utf-8")
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        concept, _, listed = line.partition(",")
        for word in listed.split(";"):
            word = normalise(word).strip()
            if word:  # concept "-": the word is matched (so it hides its parts) but names none
                words.setdefault(word, set()).update([concept.strip()] if concept != "-" else [])
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    return pattern, {w: frozenset(c) for w, c in words.items()}


@lru_cache(maxsize=1 << 16)
def concepts(text: str) -> frozenset[str]:
    """The concepts ``text`` names, e.g. "叶子发黄，果子掉得多" → {施肥营养, 花果管理}."""
    pattern, words = _lexicon()
    found: set[str] = set()
    for m in pattern.finditer(normalise(text)):
        found |= words[m.group(0)]
    return frozenset(found)
