"""Words typed by ear: a voice keyboard writes "查叶" for 茶叶 and "羊肚君" for 羊肚菌. A few
characters of a message that sound exactly like a crop, animal, pest or disease word, differ
from it in one character, and are no word of their own, are read as that word.

The vocabulary is the products table, the domain terms and the standard words of the synonym
table; a sound shared by two of its words ("梨子", "李子") is never guessed. A character that
makes a common word with its neighbour outside ("检查叶子": 检查) stays as typed."""

from __future__ import annotations

import re
from functools import cache

from pypinyin import lazy_pinyin

_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_LENGTHS = (4, 3, 2)


# the form's own words, typed by ear at the card ("语算该成八千", "紧急成度改为很急"), and
# the health words a voice keyboard mishears ("刘感疫苗", "学压", "狂圈疫苗")
_FORM_WORDS = frozenset({"预算", "改成", "程度", "流感", "血压", "血糖", "狂犬", "腹泻", "感冒"})


@cache
def _vocabulary() -> frozenset[str]:
    from knowledge import taxonomy
    from retrieval.tokenize import domain_term_list, synonyms

    words = set(taxonomy.product_codes()) | _FORM_WORDS
    words.update(domain_term_list())
    for standard in synonyms().values():
        words.update(standard)
    return frozenset(w for w in words if 2 <= len(w) <= max(_LENGTHS) and _CJK.match(w))


@cache
def _by_sound() -> dict[tuple[str, ...], str]:
    sounds: dict[tuple[str, ...], set[str]] = {}
    for word in _vocabulary():
        sounds.setdefault(tuple(lazy_pinyin(word)), set()).add(word)
    return {sound: next(iter(words)) for sound, words in sounds.items() if len(words) == 1}


@cache
def _sound(char: str) -> str:
    # typed windows are read a character at a time, cached: pypinyin's phrase lookup cost
    # more than the whole scan, and a window that is a word of its own is never corrected
    return lazy_pinyin(char)[0]


def _sounds(typed: str) -> tuple[str, ...]:
    return tuple(_sound(c) for c in typed)


def heard_as(typed: str, name: str) -> bool:
    """Whether `typed` sounds like the place `name` ("梓童" for 梓潼)."""
    return len(typed) == len(name) and _sounds(typed) == _sounds(name)


def fix_homophones(text: str) -> str:
    """The text with words typed by ear put right ("查叶上那个小绿虫虫" → "茶叶上…")."""
    if not re.search(r"[\u4e00-\u9fff]{2}", text):
        return text
    from retrieval.tokenize import common_words

    vocabulary, by_sound, common = _vocabulary(), _by_sound(), common_words()
    out, i = [], 0
    while i < len(text):
        for size in _LENGTHS:
            typed = text[i:i + size]
            if len(typed) < size or not _CJK.match(typed):
                continue
            if typed in vocabulary:
                out.append(typed)
                i += size
                break
            if common.get(typed, 0) > 0:
                continue
            meant = by_sound.get(_sounds(typed))
            if meant is None:
                continue
            changed = [j for j, (a, b) in enumerate(zip(typed, meant, strict=True)) if a != b]
            if len(changed) != 1:
                continue
            j = changed[0]
            if typed[j] in _FUNCTION_CHARS:
                continue  # ("出结果就行" is said as meant, no 酒行)
            # ("检查叶子": 查 belongs to 检查, no 茶叶 typed by ear)
            left = text[i - 1] + typed[0] if j == 0 and i > 0 else ""
            right = typed[-1] + text[i + size] if j == size - 1 and i + size < len(text) else ""
            if common.get(left, 0) > 0 or common.get(right, 0) > 0:
                continue
            out.append(meant)
            i += size
            break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


# characters people type on purpose in every sentence, never by ear for another word
# (and the particles: "冬天嘛" is no 天麻)
_FUNCTION_CHARS = frozenset("就的了是也都还才又很太在有要不个嘛哈哦呀啊吧呢噻嘞")


@cache
def _places_by_sound() -> dict[tuple[str, ...], str]:
    from knowledge import gazetteer

    sounds: dict[tuple[str, ...], set[str]] = {}
    for region in gazetteer.all_regions():
        if region.level in ("city", "county") and 2 <= len(region.short_name) <= 3 \
                and _CJK.match(region.short_name):
            sounds.setdefault(tuple(lazy_pinyin(region.short_name)), set()).add(
                region.short_name)
    return {sound: next(iter(names)) for sound, names in sounds.items() if len(names) == 1}


_PLACE_CUE = re.compile(r"[在是到]$")
# (after the place, what is done there: "我在皮都种韭黄的" → 郫都)
_PLACE_END = re.compile(r"^(的|县|区|市|人|这边|那边|那里|这里|那头|那点|一带|附近|乡下|农村|"
                        r"种|养|开|做|搞|办|住|包|承包|上班|打工|$|[，,。\s])")


def place_heard(text: str) -> str | None:
    """A county or city typed by ear ("我们是望苍的" → 旺苍): a window that sounds exactly like
    one place name and no other, differs from it in one character, is no common word, and
    stands where a place does (after 在/是, before 的/县…, or alone)."""
    from retrieval.tokenize import common_words

    common, places = common_words(), _places_by_sound()
    for size in (3, 2):
        for i in range(len(text) - size + 1):
            typed = text[i:i + size]
            if not _CJK.match(typed) or common.get(typed, 0) > 0:
                continue
            meant = places.get(_sounds(typed))
            if meant is None or sum(a != b for a, b in zip(typed, meant, strict=True)) != 1:
                continue
            alone = text.strip() == typed
            if alone or (_PLACE_CUE.search(text[:i]) and _PLACE_END.match(text[i + size:])):
                return meant
    return None
