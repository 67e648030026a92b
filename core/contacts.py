"""Contact details in free text: phone numbers, e-mail addresses, WeChat ids and QQ numbers.

One detector for the two places that must not leak them: need intake (the description, title
and keywords are shown to scientists before anyone accepts, so contacts move into the private
contact dict) and the log masker (`core.logs.mask`).

Phone numbers are found by libphonenumber (`phonenumbers.PhoneNumberMatcher`, region CN,
`Leniency.VALID`): mobile and landline, with +86/0086/86, spaces, dots, dashes and brackets.
Two gaps of the matcher are closed with libphonenumber's own parser: digit runs where the
matcher swallowed a neighbouring number ("2026 138 1234 5678") are re-tried group by group,
and an 11-digit 1[3-9]… number counts as a mobile at `POSSIBLE` strength even in blocks
libphonenumber does not list yet (140…, 154…): masking it costs nothing, leaking it does.

Text is first mapped full-width → ASCII one character for one (an IME in full-width mode types
１３８…, ＠, ：), so every span found in the mapped text is the same span in the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher, PhoneNumberType

KINDS = ("phone", "email", "wechat", "qq")
HIDDEN = "［联系方式已隐藏］"
REGION = "CN"

# U+FF01..U+FF5E are ASCII 0x21..0x7E shifted; U+3000 is the ideographic space; zero-width
# and bidi formatting characters ("138\u200b1234…" dodges a naive pattern) read as spaces.
# One code point to one code point, so offsets survive (NFKC would not promise that).
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E)} | {0x3000: 0x20} | {
    cp: 0x20 for cp in [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
                        *range(0x2066, 0x206A), 0xFEFF]}

# Cheap gate before libphonenumber, which costs ~0.1 ms a call: every number accepted below
# has at least 10 digits (mobile 11, landline 0 + area code + 7-8, 400/800 10) unless it is
# written with "+". Plain messages, dates ("2026-12-03"), amounts and most log lines stop here.
_SEP_CHARS = r"[ \t.\-/()\u2010-\u2015~]"
_PHONE_HINT = re.compile(rf"\+\d(?:{_SEP_CHARS}{{0,2}}\d){{5}}|\d(?:{_SEP_CHARS}{{0,2}}\d){{9}}")
# A run of digit groups: what the matcher is shown, and split up for the second look.
_RUN = re.compile(rf"\+?\d+(?:{_SEP_CHARS}{{1,3}}\d+)*")
_GROUP = re.compile(r"\d+")
_MAX_GROUPS = 6  # "+86 (28) 8888 6666" is the longest plausible grouping

_SEP = r"\s*(?:[:=]|是|为|為)?\s*:?\s*"
_WECHAT = re.compile(
    r"(?:微信|微訊|薇信|威信|v信|(?<![a-z0-9_])(?:wechat|weixin|vx|wx(?!id_)))"
    r"(?:\s*(?:号码|號碼|号|號|账号|帳號|id))?" + _SEP +
    # WeChat's own rule: 6-20 characters starting with a letter (no end boundary: a longer run
    # is cut at 20, so what is left after masking never reads as a new id); old accounts use a
    # number.
    r"(?P<id>[a-z][a-z0-9_-]{5,19}|[1-9]\d{4,10}(?!\d))", re.I)
_WXID = re.compile(r"(?<![a-z0-9_])wxid_[a-z0-9_-]{4,30}", re.I)
_QQ = re.compile(r"(?:(?<![a-z0-9_])qq|扣扣|企鹅)"
                 r"(?:\s*(?:群号|群號|号码|號碼|号|號|群))?" + _SEP +
                 r"(?P<id>[1-9]\d{4,10})(?!\d)", re.I)
# A local landline without area code ("电话 8888 6666") is no valid number to libphonenumber;
# only a label in front says it is a phone.
_LOCAL = re.compile(r"(?:电话|電話|座机|座機|固话|固話|(?<![a-z])tel|(?<![a-z])phone)"
                    r"(?:\s*(?:号码|號碼|号|號))?" + _SEP +
                    r"(?P<id>[2-9]\d{2,3}[ -]?\d{4})(?![\d])", re.I)
_MAX_ROUNDS = 50  # a chain this long is made up; real text needs one round, rarely two
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True, slots=True)
class Contact:
    """One contact detail: its kind, its span in the text, and the value to store
    (phones as dialled: 13812345678, 028-88886666, +14155552671)."""

    kind: str
    start: int
    end: int
    value: str


def find_contacts(text: str) -> list[Contact]:
    """Every contact detail in the text, in text order, spans not overlapping."""
    return _find(text, {})


def _find(text: str, known: dict[str, str]) -> list[Contact]:
    """`find_contacts`, also hiding ids already found elsewhere (value → kind) where they
    stand alone."""
    if not text:
        return []
    ascii_text = text.translate(_HALF_WIDTH)
    found: list[Contact] = []

    def add(kind: str, start: int, end: int, value: str) -> None:
        if all(end <= c.start or start >= c.end for c in found):
            found.append(Contact(kind, start, end, value))

    # Most specific first: "12345678@qq.com" is an e-mail, "QQ 13812345678" a QQ number.
    if "@" in ascii_text:
        for m in _EMAIL.finditer(ascii_text):
            add("email", m.start(), m.end(), m.group(0))
    # The label is part of the span: "QQ"/"weixin" left behind would turn up as keywords.
    for m in _WXID.finditer(ascii_text):  # before the labels: "wx" + "id_…" is no id
        add("wechat", m.start(), m.end(), m.group(0))
    for m in _WECHAT.finditer(ascii_text):
        add("wechat", m.start(), m.end(), m.group("id"))
    for m in _QQ.finditer(ascii_text):
        add("qq", m.start(), m.end(), m.group("id"))
    if _PHONE_HINT.search(ascii_text):
        for start, end, value in _phones(ascii_text, [(c.start, c.end) for c in found]):
            add("phone", start, end, value)
    for m in _LOCAL.finditer(ascii_text):
        add("phone", m.start("id"), m.end("id"), m.group("id").replace(" ", ""))
    # The same id again without its label ("加微信 lizi_2024 …再说一遍 lizi_2024").
    ids = {**known, **{c.value: c.kind for c in found if c.kind in ("wechat", "qq")}}
    for value, kind in ids.items():
        again = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(value)}(?![A-Za-z0-9_])", re.I)
        for m in again.finditer(ascii_text):
            add(kind, m.start(), m.end(), value)
    return sorted(found, key=lambda c: c.start)


def mask_contacts(text: str, placeholder: str = HIDDEN) -> str:
    """The text with every contact detail replaced by the placeholder (the log masker)."""
    return _clean(text, placeholder)[0]


def extract_contacts(text: str) -> tuple[str, dict[str, str]]:
    """The text without its contact details, and the details by kind ("phone", "email",
    "wechat", "qq"). Several values of one kind are kept, joined by "、" in text order, so
    the dict stays `dict[str, str]` for everything that reads it."""
    cleaned, found = _clean(text, HIDDEN)
    values: dict[str, dict[str, str]] = {}
    for c in found:
        values.setdefault(c.kind, {}).setdefault(c.value.lower(), c.value)
    return cleaned, {k: "、".join(v.values()) for k, v in values.items()}


def _clean(text: str, placeholder: str) -> tuple[str, list[Contact]]:
    """Replace until nothing more is found: what is shown must not yield a contact when read
    again, and masking changes what stands next to what. A label glued to a neighbour
    ("13800001111vx abc123") reads as one once the neighbour is hidden, and so does an id
    repeated right before another contact ("lizi_2024微信 lizi_2024")."""
    everything: list[Contact] = []
    known: dict[str, str] = {}
    for _ in range(_MAX_ROUNDS):  # ends: each round hides more; a placeholder never matches
        found = _find(text, known)
        if not found:
            break
        everything += found
        known |= {c.value: c.kind for c in found if c.kind in ("wechat", "qq")}
        text = _replace(text, found, placeholder)
    return text, everything


@dataclass(frozen=True, slots=True)
class KindFinder:
    """`PHONE.search(text)` as callers used the old regexes: the first contact of one kind,
    or None."""

    kind: str

    def search(self, text: str) -> Contact | None:
        return next((c for c in find_contacts(text) if c.kind == self.kind), None)


def _replace(text: str, found: list[Contact], placeholder: str) -> str:
    if not found:
        return text
    parts, last = [], 0
    for c in found:
        parts += [text[last:c.start], placeholder]
        last = c.end
    parts.append(text[last:])
    return "".join(parts)


# ---- phone numbers -------------------------------------------------------------------------
_CONTEXT = 4  # characters either side the matcher sees: it checks a number's neighbours


def _phones(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """(start, end, value) of the phone numbers in `text` (ASCII digits), skipping `taken`.

    The matcher runs on each digit run with a little context, not on the whole text: its
    candidate scan is the expensive part, and a run's result can be cached (need intake
    reads each message twice, logs repeat the same numbers)."""
    out: list[tuple[int, int, str]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in [*taken, *((a, b) for a, b, _ in out)])

    for run in _RUN.finditer(text):
        if not _PHONE_HINT.search(text, run.start(), run.end()):
            continue  # too few digits to be a phone number
        if any(s <= run.start() and run.end() <= e for s, e in taken):
            continue  # already a QQ number, WeChat id or e-mail
        lo, hi = max(0, run.start() - _CONTEXT), min(len(text), run.end() + _CONTEXT)
        for start, end, value in _phones_in(text[lo:hi]):
            start, end = start + lo, end + lo
            if end > run.start() and start < run.end() and free(start, end):
                out.append((start, end, value))
    return out


@lru_cache(maxsize=4096)
def _phones_in(window: str) -> tuple[tuple[int, int, str], ...]:
    out: list[tuple[int, int, str]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _ in out)

    for m in PhoneNumberMatcher(window, REGION, leniency=Leniency.VALID):
        start, raw = m.start, m.raw_string
        if raw[0] in "([" and not any(ch in raw for ch in ")]"):
            start, raw = start + 1, raw[1:]  # "(13812345678)": the bracket is not the number
        value = _accept(m.number, raw)
        if value and free(start, m.end):
            out.append((start, m.end, value))
    # Second look, group by group, where the matcher accepted nothing: it gives up on a run
    # such as "2026 138 1234 5678" as a whole, and rejects unlisted mobile blocks.
    for run in _RUN.finditer(window):
        groups = [g for g in _GROUP.finditer(window, run.start(), run.end())
                  if free(g.start(), g.end())]
        i = 0
        while i < len(groups):
            for j in range(min(len(groups), i + _MAX_GROUPS) - 1, i - 1, -1):
                start, end = groups[i].start(), groups[j].end()
                if start > 0 and window[start - 1] == "+":
                    start -= 1
                digits = sum(g.end() - g.start() for g in groups[i:j + 1])
                if not (7 if window[start] == "+" else 10) <= digits <= 15 or not free(start, end):
                    continue
                value = _parse(window[start:end])
                if value:
                    out.append((start, end, value))
                    i = j
                    break
            i += 1
    return tuple(out)


@lru_cache(maxsize=4096)
def _parse(candidate: str) -> str | None:
    try:
        number = phonenumbers.parse(candidate, REGION)
    except phonenumbers.NumberParseException:
        return None
    return _accept(number, candidate)


def _accept(number: Any, raw: str) -> str | None:
    """The number as it is dialled, or None when it is no phone number we should hide."""
    nsn = phonenumbers.national_significant_number(number)
    if number.country_code == 86:
        if len(nsn) == 11 and nsn[0] == "1" and nsn[1] in "3456789":
            return nsn  # mobile-shaped: POSSIBLE is enough
        if not phonenumbers.is_valid_number(number):
            return None
        if (phonenumbers.number_type(number) == PhoneNumberType.FIXED_LINE
                and phonenumbers.normalize_digits_only(raw) == nsn):
            return None  # "2026120301": a landline is written with its 0 (or +86)
        area = phonenumbers.length_of_geographical_area_code(number)
        return f"0{nsn[:area]}-{nsn[area:]}" if area else nsn
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
