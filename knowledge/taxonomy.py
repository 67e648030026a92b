"""Discipline taxonomy (研究生教育学科专业目录 2022, academic 一级学科) and free-text mapping.

Data live in ``knowledge/data``:

* ``disciplines.csv`` — ``code,name,category_code,category_name``: every academic 一级学科
  of the 2022 catalogue, grouped by its 14 学科门类.
* ``discipline_aliases.csv`` — ``alias,code``: how people write fields in free text
  (weighted to Sichuan's economy), each alias pointing at one 一级学科.

Both files are read once, lazily, through :mod:`importlib.resources`.

Matching (:func:`match_disciplines`):

1. The text is normalised: NFKC (full-width → half-width), lower-cased, whitespace,
   punctuation and control characters removed.
2. If the whole normalised text is an official name, an alias or a code, that discipline
   is returned alone with score 1.0.
3. Otherwise every lexicon entry occurring in the text is a candidate, as is every
   4-digit code (or 6-digit 二级学科 code, mapped by its first four digits) standing
   alone between non-digits. Candidates are taken longest first and may not overlap
   text already claimed by a longer one, so "中药材" beats "中药" and "植物病理"
   beats "病理". A discipline's score is the share of the text its candidates cover;
   results are ordered by score, then by first position in the text.

ASCII aliases (``AI``, ``IT``, ``5G``, ``GIS``) only match when not glued to other ASCII
letters or digits, so "email" is not artificial intelligence.

The cost is linear in the length of the text (per character, one dictionary look-up for
each distinct length of the lexicon entries starting with that character), and results
are cached per distinct input text.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

__all__ = [
    "Discipline",
    "all_disciplines",
    "categories",
    "get",
    "lexicon",
    "map_discipline",
    "match_disciplines",
]

_DISCIPLINES_FILE = "disciplines.csv"
_ALIASES_FILE = "discipline_aliases.csv"
_CACHE_SIZE = 1 << 16
# A 4-digit code, or a 6-digit 二级学科 code read by its first four digits, standing alone
# between non-digits and not followed by a unit (so "1001亩" or "2022年" are not codes).
_UNITS = "年月日号亩元万亿吨斤克个人头只株户米次台件套"
_CODE_RE = re.compile(rf"(?<![0-9])([0-9]{{4}})(?:[0-9]{{2}})?(?![0-9{_UNITS}])")


@dataclass(frozen=True, slots=True)
class Discipline:
    """One academic 一级学科."""

    code: str
    name: str
    category_code: str
    category_name: str


@dataclass(frozen=True, slots=True)
class _Taxonomy:
    disciplines: tuple[Discipline, ...]
    by_code: dict[str, Discipline]
    categories: tuple[tuple[str, str], ...]
    lexicon: dict[str, str]  # surface form as written -> code
    lookup: dict[str, str]  # normalised form -> code
    lengths: dict[str, tuple[int, ...]]  # first character -> key lengths, longest first


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _normalize(text: str) -> str:
    """NFKC, lower-case, and drop whitespace, punctuation and control characters.

    A run of dropped characters between two ASCII letters/digits becomes one space, so
    "0902、0903" stays two codes and "machine learning" stays two words.
    """
    out: list[str] = []
    gap = False
    for ch in unicodedata.normalize("NFKC", text).lower():
        if unicodedata.category(ch)[0] in "ZPC":
            gap = True
            continue
        if gap and out and _is_ascii_alnum(out[-1]) and _is_ascii_alnum(ch):
            out.append(" ")
        out.append(ch)
        gap = False
    return "".join(out)


def normalize(text: str) -> str:
    """The form field terms and titles are compared in (see `_normalize`)."""
    return _normalize(text)


def _read_csv(name: str) -> list[dict[str, str]]:
    raw = (files("knowledge") / "data" / name).read_text(encoding="utf-8-sig")
    return [
        {key.strip(): (value or "").strip() for key, value in row.items()}
        for row in csv.DictReader(io.StringIO(raw))
    ]


@cache
def product_codes() -> dict[str, str]:
    """Product/crop/livestock word → 一级学科 code (knowledge/data/products.csv)."""
    raw = (files("knowledge") / "data" / "products.csv").read_text(encoding="utf-8-sig")
    lines = [ln for ln in raw.splitlines() if ln.strip() and not ln.startswith("#")]
    return {row["product"].strip(): row["code"].strip() for row in csv.DictReader(lines)}


@cache
def field_terms(extra: bool = False) -> dict[str, str]:
    """Research terms that mark a field in a title (knowledge/data/field_terms.csv):
    降水 → 大气科学, 种植体 → 口腔医学. Kept apart from the aliases, which name a field
    ("园艺"): a term only hints at one, and a farmer's request never reads it. `extra`: with
    the second, longer list (field_terms_extra.csv: 3,800 terms, 28–41 a field, written
    later by another colleague who had not seen the evaluation sets), which only titles read."""
    out: dict[str, str] = {}
    for name in ("field_terms.csv", "field_terms_extra.csv")[:2 if extra else 1]:
        if (files("knowledge") / "data" / name).is_file():
            out |= {_normalize(row["term"]): row["code"] for row in _read_csv(name)
                    if _normalize(row["term"]) and _normalize(row["term"]) not in out}
    return out


def fields_hinted(text: str) -> dict[str, int]:
    """How many field terms of each 一级学科 a title contains (longest first, no overlaps)."""
    terms = field_terms(extra=True)
    norm = _normalize(text)
    taken = bytearray(len(norm))
    found: dict[str, int] = {}
    for t in sorted((t for t in terms if t in norm), key=len, reverse=True):
        start = norm.find(t)
        while start >= 0:
            if not any(taken[start:start + len(t)]):
                taken[start:start + len(t)] = b"\x01" * len(t)
                found[terms[t]] = found.get(terms[t], 0) + 1
            start = norm.find(t, start + 1)
    return found


@cache
def _taxonomy() -> _Taxonomy:
    disciplines = tuple(
        Discipline(
            code=row["code"],
            name=row["name"],
            category_code=row["category_code"],
            category_name=row["category_name"],
        )
        for row in _read_csv(_DISCIPLINES_FILE)
    )
    by_code: dict[str, Discipline] = {}
    cats: dict[str, str] = {}
    for d in disciplines:
        if d.code in by_code:
            raise ValueError(f"{_DISCIPLINES_FILE}: duplicate code {d.code}")
        by_code[d.code] = d
        if cats.setdefault(d.category_code, d.category_name) != d.category_name:
            raise ValueError(f"{_DISCIPLINES_FILE}: category {d.category_code} has two names")

    lex: dict[str, str] = {}
    lookup: dict[str, str] = {}

    def add(surface: str, code: str, source: str) -> None:
        key = _normalize(surface)
        if not key:
            raise ValueError(f"{source}: empty alias for {code}")
        if code not in by_code:
            raise ValueError(f"{source}: alias {surface!r} points at unknown code {code}")
        if lookup.setdefault(key, code) != code:
            raise ValueError(f"{source}: {surface!r} maps to both {lookup[key]} and {code}")
        lex.setdefault(surface, code)

    for d in disciplines:
        add(d.name, d.code, _DISCIPLINES_FILE)
    for row in _read_csv(_ALIASES_FILE):
        add(row["alias"], row["code"], _ALIASES_FILE)

    by_first: dict[str, set[int]] = {}
    for key in lookup:
        by_first.setdefault(key[0], set()).add(len(key))
    return _Taxonomy(
        disciplines=disciplines,
        by_code=by_code,
        categories=tuple(sorted(cats.items())),
        lexicon=lex,
        lookup=lookup,
        lengths={ch: tuple(sorted(ls, reverse=True)) for ch, ls in by_first.items()},
    )


def all_disciplines() -> list[Discipline]:
    """Every academic 一级学科, in code order as listed in the catalogue."""
    return list(_taxonomy().disciplines)


def categories() -> list[tuple[str, str]]:
    """``(code, name)`` of the 14 学科门类, in code order."""
    return list(_taxonomy().categories)


def get(code: str) -> Discipline | None:
    """The discipline with this 4-digit code (full-width digits and spaces tolerated)."""
    return _taxonomy().by_code.get(_normalize(code))


def lexicon() -> dict[str, str]:
    """Every official name and alias, as written, mapped to its code (a fresh dict)."""
    return dict(_taxonomy().lexicon)


def _glued(text: str, start: int, end: int) -> bool:
    """True if an ASCII-edged match at ``text[start:end]`` runs into ASCII letters/digits."""
    if _is_ascii_alnum(text[start]) and start > 0 and _is_ascii_alnum(text[start - 1]):
        return True
    return _is_ascii_alnum(text[end - 1]) and end < len(text) and _is_ascii_alnum(text[end])


@lru_cache(maxsize=_CACHE_SIZE)
def _match(text: str) -> tuple[tuple[Discipline, float], ...]:
    tax = _taxonomy()
    norm = _normalize(text)
    if not norm:
        return ()

    exact = tax.lookup.get(norm) or (norm if norm in tax.by_code else None)
    if exact is not None:
        return ((tax.by_code[exact], 1.0),)

    n = len(norm)
    # (length, start, code) for every lexicon entry or code found in the text.
    candidates: list[tuple[int, int, str]] = []
    for m in _CODE_RE.finditer(norm):
        if m.group(1) in tax.by_code:
            candidates.append((m.end() - m.start(), m.start(), m.group(1)))
    lookup, lengths = tax.lookup, tax.lengths
    for i in range(n):
        for length in lengths.get(norm[i], ()):
            if length > n - i:
                continue
            code = lookup.get(norm[i : i + length])
            if code is not None and not _glued(norm, i, i + length):
                candidates.append((length, i, code))
    if not candidates:
        return ()

    candidates.sort(key=lambda c: (-c[0], c[1]))
    taken = bytearray(n)
    covered: dict[str, int] = {}
    first: dict[str, int] = {}
    for length, start, code in candidates:
        if any(taken[start : start + length]):
            continue
        taken[start : start + length] = b"\x01" * length
        covered[code] = covered.get(code, 0) + length
        first[code] = min(first.get(code, n), start)

    ranked = sorted(covered, key=lambda c: (-covered[c], first[c], c))
    return tuple((tax.by_code[c], covered[c] / n) for c in ranked)


def match_disciplines(text: str) -> list[tuple[Discipline, float]]:
    """All disciplines mentioned in ``text``, best first, with scores in (0, 1]."""
    return list(_match(text))


def map_discipline(text: str) -> Discipline | None:
    """The best single discipline for ``text``, or None if nothing in it fits."""
    matches = _match(text)
    return matches[0][0] if matches else None
