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


# Word senses that depend on context: (concept, words that name it only in one field, context
# where those words mean something else, the concept they name there). "节水" in a dyeing plant
# is water reuse, not irrigation; "产线" beside 胀袋 is about spoilage, not automation; "杀菌"
# of a bagged product is not crop protection. A word of the concept outside the weak set
# (滴灌, 机器人, 打药) keeps it whatever the context.
_FACTORY = r"厂|车间|工业|印染|染色|染整|生产线|产线|锅炉|冷却|电镀|造纸|制革|酒店|宾馆|医院"
_SPOILAGE = r"胀袋|胀包|鼓包|漏气|变质|发霉|霉变|腐败|异味|保质期|杀菌|灭菌|出厂"
_SENSES: tuple[tuple[str, frozenset[str], re.Pattern[str], str | None], ...] = (
    ("灌溉节水", frozenset({"节水", "缺水", "干旱", "保水"}), re.compile(_FACTORY), "水处理"),
    ("自动化机器人", frozenset({"产线", "柔性"}), re.compile(_SPOILAGE), None),
    ("植保用药", frozenset({"杀菌", "杀虫"}),
     re.compile(r"袋装|包装|罐头|食品|出厂|胀袋|胀包|鼓包|车间|生产线|产线|灭菌|消毒柜"), None),
)


@lru_cache(maxsize=1 << 16)
def concepts(text: str) -> frozenset[str]:
    """The concepts ``text`` names, e.g. "叶子发黄，果子掉得多" → {施肥营养, 花果管理}."""
    pattern, words = _lexicon()
    norm = normalise(text)
    named_by: dict[str, set[str]] = {}
    for m in pattern.finditer(norm):
        for concept in words[m.group(0)]:
            named_by.setdefault(concept, set()).add(m.group(0))
    found = set(named_by)
    for concept, weak, context, instead in _SENSES:
        if concept in found and named_by[concept] <= weak and context.search(norm):
            found.discard(concept)
            if instead:
                found.add(instead)
    return frozenset(found)
