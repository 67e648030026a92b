"""Compose an extractive answer from one vetted article: the sentence that answers what was
asked first, then the context it needs, lists whole and numbered as the article numbers them.

Sentences come with vectors stored at index time (`SearchIndex.sentence_vectors`), so scoring
them for a question is a dot product and a word overlap, never an encoder call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from retrieval import intent
from retrieval.chunking import sentences
from retrieval.documents import Doc
from retrieval.index import SearchIndex

_NUMERALS = "一二三四五六七八九十"
# a list item's number where the item starts: "二是", "第三，", "③", "（2）", "2、"
_ITEM = re.compile(rf"^(?:.{{0,40}}[：:])?\s*(?:([{_NUMERALS}])是|第([{_NUMERALS}])[，、,:：步条]|"
                   r"([①②③④⑤⑥⑦⑧⑨⑩])|[（(]([1-9])[)）]|([1-9])[、.．](?!\d))")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
_MARKER = re.compile(rf"^(?:[{_NUMERALS}]是|第[{_NUMERALS}][，、,:：]?|[{_CIRCLED}]|"
                     r"[（(][1-9][)）]|[1-9][、.．])\s*")


# a sentence opening like this leans on the one before it
_NEEDS_BEFORE = re.compile(r"^(所以|因此|因而|这样|这时|这是|这些|这种|这个|其中|它们?|但是?|"
                           r"不过|否则|即使|即便|而且|并且|再|然后|接着|随后|也可以|两种方法|"
                           r"另一类|另一种|另一方面|其二|第二类)")


# a sentence opening with a short label: "成人和1岁以上儿童：", "发现有人中毒：", "误服农药："
_LABEL = re.compile(r"^[^，。；：:,.]{2,12}[：:]")
_PROCEDURE_STEPS = 5  # sentences at most in one labelled procedure
# how much of what follows an article's own question is kept with it as its answer
_ANSWER_CHARS = 60


@dataclass
class Unit:
    """Sentences that go together: one sentence, or a list with its lead-in."""
    first: int          # index of its first sentence in the article
    parts: list[str]    # its sentences, in order
    score: float
    is_list: bool = False

    @property
    def text(self) -> str:
        return "".join(self.parts)


def item_number(sentence: str) -> int:
    """1 for "一是…"/"第一，…"/"①…", 2 for the second item …; 0 when it is no list item."""
    m = _ITEM.match(sentence)
    if not m:
        return 0
    token = next(g for g in m.groups() if g)
    if token in _NUMERALS:
        return _NUMERALS.index(token) + 1
    if token in _CIRCLED:
        return _CIRCLED.index(token) + 1
    return int(token)


def article_sentences(index: SearchIndex, docs: list[Doc]) -> tuple[list[str], np.ndarray]:
    """The article's sentences in order (chunks overlap: repeats dropped) and their vectors."""
    texts: list[str] = []
    rows: list[np.ndarray] = []
    seen: set[str] = set()
    for doc in docs:
        vectors = index.sentence_vectors(doc)
        for text, vector in zip(sentences(doc.text), vectors, strict=True):
            if text not in seen:
                seen.add(text)
                texts.append(text)
                rows.append(vector)
    matrix = np.vstack(rows) if rows else np.zeros((0, index.encoder.dim), dtype=np.float32)
    return texts, matrix


_WORDS_KEPT = 50_000


def _words(index: SearchIndex, sentence: str) -> frozenset[str]:
    """A sentence's words, remembered per index (one per process; tests build many, and a
    module-level cache would keep every one of them alive)."""
    cache: dict[str, frozenset[str]] | None = getattr(index, "_sentence_words", None)
    if cache is None:
        cache = {}
        index._sentence_words = cache  # type: ignore[attr-defined]
    words = cache.get(sentence)
    if words is None:
        if len(cache) >= _WORDS_KEPT:
            cache.clear()
        words = cache[sentence] = frozenset(index.tokenizer.tokenize(sentence))
    return words


# a question word this rare (BM25 weight) names a thing; the sentence naming it gains this
_NAMED_WEIGHT = 2.0
_NAMED_BONUS = 0.2
# pieces of a yes/no question, which name nothing ("是不是要把脑壳仰起": 不是)
_YES_NO_BITS = frozenset({"不是", "是不是", "要不要", "能不能", "会不会", "可不可以", "有没有"})
_NAMED_CHAR_WEIGHT = 2.4
_UNTIL_BONUS = 0.15


def sentence_scores(index: SearchIndex, question_tokens: list[str], question_vector: np.ndarray,
                    asks: list[str], texts: list[str], vectors: np.ndarray,
                    title: str = "", named: frozenset[str] = frozenset()) -> np.ndarray:
    """How well each sentence answers: meaning (cosine), the question's words weighted by how
    rare they are, and the marks of an answer to what is asked (an amount for 多少 …). Words
    of the article's title count little: every sentence of it is about them. `named`: the
    words of the asking clause; the one or two sentences naming a rare thing among them gain
    (none in an emergency: what to do comes first there, not what the snake is called)."""
    full = {t: max(0.2, index.token_weight("articles", t)) for t in set(question_tokens)}
    weights = {t: w * (0.2 if t in title else 1.0) for t, w in full.items()}
    total = sum(full.values()) or 1.0
    cosine = vectors @ question_vector if len(texts) else np.zeros(0)
    out = naming_bonus(index, question_tokens, texts, title, named)
    specific = [a for a in asks if a in intent.SPECIFIC]
    for i, text in enumerate(texts):
        words = _words(index, text)
        overlap = sum(w for t, w in weights.items() if t in words or t in text) / total
        bonus = 0.0
        for rank, ask in enumerate(specific[:2]):
            if intent.answers(text, ask):
                bonus += 0.3 if rank == 0 else 0.15
        if "until" in asks and intent.answers(text, "until"):
            # "还要按好久": when it may stop ("一直坚持到…为止"), before any other length of time
            bonus += _UNTIL_BONUS
        if "how" in asks and "why" not in asks:
            # "咋整" wants what to do, not the background
            weight = 0.1 if specific else 0.15
            bonus += weight * (intent.answers(text, "how") - intent.answers(text, "why"))
        out[i] += 0.5 * float(cosine[i]) + 0.5 * overlap + bonus
    return out


def naming_bonus(index: SearchIndex, question_tokens: list[str], texts: list[str],
                 title: str = "", named: frozenset[str] = frozenset()) -> np.ndarray:
    """Per sentence, what it gains for naming the thing asked about by a rare name the title
    lacks ("见手青要炒好久"): the one or two sentences naming it say what the article says of
    it (one character only when rarer still: "吃好多盐" names 盐, "吃" names nothing)."""
    out = np.zeros(len(texts))
    if not named:
        return out
    full = {t: max(0.2, index.token_weight("articles", t)) for t in set(question_tokens)}
    named_words = [t for t in full if t in named and t not in title and t not in _YES_NO_BITS
                   and full[t] >= (_NAMED_WEIGHT if len(t) >= 2 else _NAMED_CHAR_WEIGHT)]
    # (longer names first: one character counts only when no longer word named anything —
    # "还送得到幼儿园不" names 幼儿园, not the 送 of 送医)
    for t in sorted(named_words, key=len, reverse=True):
        if len(t) == 1 and out.any():
            break
        rows = [i for i, text in enumerate(texts) if t in text]
        # (a short name in two sentences is the article's subject more than the thing asked:
        # "撒多少" of 石灰 is the lime article's whole dose table, not its two lime sentences)
        if 0 < len(rows) <= (2 if len(t) >= 3 else 1):
            out[rows] = _NAMED_BONUS
    # the aspect asked that the title names beside its subject ("咋个消毒" of "诺如病毒感染：
    # 呕吐腹泻的预防与消毒"): the one sentence saying it is what the title promised of it
    for t in (t for t in full if t in named and t in title and len(t) >= 2):
        rows = [i for i, text in enumerate(texts) if t in text]
        if len(rows) == 1:
            out[rows] = np.maximum(out[rows], _NAMED_BONUS)
    return out


# the article's own "do it this way", after a yes/no on a way of doing it
_RIGHT_WAY = re.compile(r"^(正确|科学|规范)的?[\u4e00-\u9fff]{0,4}(方法|做法|步骤)[：:]")
# a sentence's own label: "测年代：研究人员…", "冲：立即用流动的凉水…"
_LABELLED = re.compile(r"^([\u4e00-\u9fff]{1,4})[：:]")
_NOT_A_LABEL = frozenset({"注意", "提醒", "特别提醒", "要点", "总之", "例如", "比如"})


def label_bonus(texts: list[str], question: str) -> np.ndarray:
    """Per sentence, what it gains when its label says what is asked ("埋藏年代是用什么方法测
    出来的": "测年代：…"; "冲好久": "冲：…"): every character of the label is in the question."""
    out = np.zeros(len(texts))
    for i, text in enumerate(texts):
        if (m := _LABELLED.match(text)) and m.group(1) not in _NOT_A_LABEL \
                and all(c in question for c in m.group(1)):
            out[i] = _NAMED_BONUS
    return out


# a lead-in naming a method, its steps after the colon ("要讲方法：", "做法："), or how many
# kinds follow ("采摘标准一般分三种：单芽…；一芽一叶初展…；一芽二叶初展。")
_METHOD_LEAD = re.compile(r"(方法|做法|步骤|要点|讲究)[：:]|"
                          r"[分有](两|三|四|五|六|七|八|几)(种|类|个|步|样)[^，。；]{0,4}[：:]")


# a lead-in to the signs that call for a doctor, each after a "；" ("出现以下情况要立即送医：
# 持续高热不退；精神差、嗜睡…；…"): never the first sign alone
_SIGNS_LEAD = re.compile(r"(以下|下列|这些)(几种)?(情况|症状|表现|信号)[^，。；]{0,12}[：:]")
_SIGNS_LISTED = 10  # sentences at most in one such list


def units(texts: list[str], scores: np.ndarray, procedures: bool = False) -> list[Unit]:
    """Group numbered lists (with the lead-in that ends in "：") into one unit each; with
    `procedures` (an emergency), a labelled procedure too."""
    out: list[Unit] = []
    i = 0
    while i < len(texts):
        n = item_number(texts[i])
        if n == 1:
            j = i + 1
            while j < len(texts) and item_number(texts[j]) == j - i + 1:
                j += 1
            start = i - 1 if i > 0 and texts[i - 1].endswith(("：", ":")) else i
            if start < i:
                out.pop()  # the lead-in was added as its own unit just before
            if j - i >= 2:
                out.append(Unit(start, texts[start:j], float(scores[start:j].max()), True))
                i = j
                continue
        if texts[i].endswith(("：", ":")) and i + 1 < len(texts) and item_number(texts[i + 1]) != 1:
            # "措施如下：" and what follows belong together
            out.append(Unit(i, texts[i:i + 2], float(scores[i:i + 2].max())))
            i += 2
            continue
        if (procedures and _LABEL.match(texts[i]) and not texts[i].endswith(("：", ":"))
                and i + 1 < len(texts) and item_number(texts[i]) == 0):
            # "成人和1岁以上儿童：施救者站在患者身后…。一手握拳…。": a labelled procedure is
            # kept whole up to the next label, list or question, never its first step alone
            j = i + 1
            while (j < len(texts) and j - i < _PROCEDURE_STEPS and not _LABEL.match(texts[j])
                   and item_number(texts[j]) == 0 and not texts[j].endswith(("？", "?", "：", ":"))
                   and not _NEEDS_BEFORE.match(texts[j])):
                j += 1
            if j > i + 1:
                out.append(Unit(i, texts[i:j], float(scores[i:j].max())))
                i = j
                continue
        signs = bool(_SIGNS_LEAD.search(texts[i]))
        if (signs or _METHOD_LEAD.search(texts[i])) and texts[i].endswith(("；", ";")):
            # "在家测血压要讲方法：测量前30分钟不喝咖啡…；排空小便后安静坐5分钟…；": the
            # method's steps, each after a "；", belong to its lead-in up to the full stop
            j = i + 1
            while (j < len(texts) and j - i < (_SIGNS_LISTED if signs else _PROCEDURE_STEPS)
                   and texts[j - 1].endswith(("；", ";"))):
                j += 1
            if j > i + 1:
                out.append(Unit(i, texts[i:j], float(scores[i:j].max())))
                i = j
                continue
        if texts[i].endswith(("？", "?")) and i + 1 < len(texts):
            # "在高原烧开的水还能杀菌吗？能。…再多煮几分钟": the article's own question comes
            # with its answer, never alone
            j, said = i + 1, 0
            while (j < len(texts) and said < _ANSWER_CHARS and item_number(texts[j]) == 0
                   and not texts[j].endswith(("？", "?"))):
                said += len(texts[j])
                j += 1
            if j > i + 1:
                out.append(Unit(i, texts[i:j], float(scores[i:j].max())))
                i = j
                continue
        if out and _NEEDS_BEFORE.match(texts[i]):
            # "所以螺类一定要煮熟" means nothing without the sentence before it
            out[-1].parts.append(texts[i])
            out[-1].score = max(out[-1].score, float(scores[i]))
        else:
            out.append(Unit(i, [texts[i]], float(scores[i])))
        i += 1
    return out


# the asks whose answer is one amount: another sentence with one may be a rival fact (times
# are often several: "早晨和晚上各量一次")
_ONE_FACT = ("amount",)
# the asks whose answering sentences are few and alike, so that the ones just before the lead
# give more of the same fact ("pH 5.0–5.5 … 50–75 公斤；pH < 5.0 … 100–150 公斤"); the marks of
# a yes or no (会, 可以, 没有, 最好…) are in most sentences and would pull the article's
# opening back ahead of the fact asked
_SAME_FACT_BEFORE = ("amount", "time", "duration", "frequency", "identify")


def _clean_end(text: str) -> str:
    """A unit never ends on "；" or "：" once cut out of its article."""
    text = text.rstrip()
    if text.endswith(("；", ";", "，", ",")):
        return text[:-1] + "。"
    return text


# how much better the best item of a list too long to give whole must answer than the first
# ones that fit, to be given alone instead
_BEST_ITEM_MARGIN = 0.15


def _first_steps(unit: Unit, allowance: int) -> str:
    """A method's lead-in with the steps after it that fit, in order ("" if none does)."""
    kept: list[str] = []
    for part in unit.parts:
        if sum(map(len, kept)) + len(part) > allowance:
            break
        kept.append(part)
    return _clean_end("".join(kept)) if kept else ""


def shorten_list(unit: Unit, allowance: int, scores_by_text: dict[str, float]) -> str:
    """A list too long for the answer: the lead-in and the first items that fit, numbering
    kept (never a gap); if not even the first item fits, the best item alone, unnumbered."""
    kept: list[str] = []
    used = 0
    for part in unit.parts:
        if used + len(part) > allowance:
            break
        kept.append(part)
        used += len(part)
    items = [p for p in kept if item_number(p)]
    best = max((p for p in unit.parts if item_number(p)), key=lambda p: scores_by_text.get(p, 0))
    lone = _unnumbered(best)
    if len(items) >= 2 and (best in kept or scores_by_text.get(best, 0) < max(
            scores_by_text.get(p, 0) for p in items) + _BEST_ITEM_MARGIN):
        return _clean_end("".join(kept))
    # ("是不是猪瘟": of six measures, the one that says what to watch for, not the first five)
    return _clean_end(lone) if len(lone) <= allowance else ""


# how much better one item of a list must answer a single fact than every other item, to be
# given alone even when the whole list would fit
_STANDOUT_MARGIN = 0.3


def standout_item(unit: Unit, scores_by_text: dict[str, float]) -> str:
    """The one item of a list that answers (unnumbered, without the lead-in), or "" when
    several do: "是不是猪瘟" is told what to watch for, not the six measures around it."""
    # (a list of clauses with no numbers, "方法：…；…；怀孕母畜要…", is items all the same)
    numbered = [p for p in unit.parts if item_number(p)]
    items = numbered or list(unit.parts)
    if len(items) < 2:
        return ""
    ranked = sorted(items, key=lambda p: -scores_by_text.get(p, 0))
    if scores_by_text.get(ranked[0], 0) < scores_by_text.get(ranked[1], 0) + _STANDOUT_MARGIN:
        return ""
    if not numbered and ranked[0] is items[0]:
        return ""  # (the lead-in's own step, "常见错误做法：仰头或躺下…", speaks for the list)
    return _clean_end(_unnumbered(ranked[0]) if numbered else ranked[0])


def _unnumbered(item: str) -> str:
    """A list item given alone: without its number and the list's lead-in."""
    return _MARKER.sub("", item.split("：")[-1] if "：" in item[:42] else item)


def rivals(ranked: list[Unit], asks: list[str],
           telling: Callable[[str], frozenset[str]] | None) -> set[int]:
    """Units giving the same kind of fact as the lead for something else: "紫云英…每亩用种2到
    3公斤" leads, so "光叶苕子…每亩用种3到4公斤" is another plant's dose, not more of the
    answer. A rival lacks a telling word of the question the lead has, and has none the
    lead lacks (`telling`: the question's telling words found in a text)."""
    primary = next((a for a in asks if a in intent.SPECIFIC), None)
    lead = ranked[0]
    if (telling is None or primary not in _ONE_FACT or lead.is_list or "how" in asks
            or "signs" in asks
            or not intent.answers(lead.text, primary)):
        # (what to do asked too: "…好多度 煮面咋个老是夹生" is helped by the pressure
        # cooker's 110℃, no rival of the 87℃ asked)
        return set()
    mine = telling(lead.text)
    out = set()
    for unit in ranked[1:]:
        if unit.is_list or not intent.answers(unit.text, primary):
            continue
        theirs = telling(unit.text)
        if mine - theirs and not theirs - mine:
            out.add(id(unit))
    return out


_CLEAR_LEAD = 1.5  # a lead this many times the next unit's score comes first, asked or not


def compose(texts: list[str], scores: np.ndarray, asks: list[str], allowance: int,
            floor: float = 0.5, enough: int = 120, lead_first: bool = False,
            telling: Callable[[str], frozenset[str]] | None = None,
            leading: list[bool] | None = None, bonus: np.ndarray | None = None) -> str:
    """The answer text from one article within `allowance` characters. `lead_first`: the
    best unit comes first even when no one fact was asked (an emergency: what to do now,
    not the article's background). `telling`: the question's telling words in a text, to
    leave out the same fact given for something else (`rivals`). `leading`: per text, whether
    it comes first (prevention asked, "包虫病咋个防": its list in order, then the rest)."""
    if not texts:
        return ""
    # (`bonus`: what a sentence gains for naming the thing asked; it puts that sentence
    # forward but raises no bar for the rest, which is set by the lead's `scores` alone)
    base = dict(zip(texts, scores.tolist(), strict=True))
    if bonus is not None:
        scores = scores + bonus
    # (a list of signs is answered whole, as an emergency's steps are)
    groups = units(texts, scores, procedures=lead_first or "signs" in asks)
    by_text = dict(zip(texts, scores.tolist(), strict=True))
    ranked = sorted(groups, key=lambda u: -u.score)
    lead = ranked[0]
    # (an emergency's steps and a why's reasons are never one number)
    other = set() if lead_first or "why" in asks else rivals(ranked, asks, telling)
    # one fact asked, no steps: the one list item that gives it, not the list around it
    one_fact = not lead_first and "how" not in asks and "signs" not in asks and any(
        a in intent.SPECIFIC for a in asks)
    # (a why has several reasons, and what to do about them: never trimmed so)
    glue_check = telling is not None and "why" not in asks and bool(telling(lead.text))
    chosen: list[tuple[Unit, str]] = []
    used = 0
    for unit in ranked:
        if id(unit) in other:
            continue
        weak = unit is not lead and unit.score < max(base[t] for t in lead.parts) * floor
        # (after "是不是要把脑壳仰起" is told it is wrong, the article's right way is no filler)
        right_way = "yesno" in asks and bool(_RIGHT_WAY.match(unit.text))
        if weak and used >= enough and not right_way:
            continue  # (the rest are weaker still, but for the right way)
        if weak and one_fact and glue_check and not telling(unit.text) and not right_way:
            # a fact asked and its answer given: a weak sentence naming none of what was asked
            # only fills ("豆瓣酱亚硝酸盐会不会超标": no "四季豆必须炒熟" after the answer)
            continue
        # (a method's steps after "方法：", each ending in "；", are a list too)
        listed = unit.is_list or (len(unit.parts) > 1 and bool(_METHOD_LEAD.search(
            unit.parts[0])) and unit.parts[0].endswith(("；", ";")))
        text = (one_fact and listed and not right_way and standout_item(unit, by_text)) \
            or _clean_end(unit.text)
        if used + len(text) > allowance:
            if unit.is_list:
                text = shorten_list(unit, allowance - used, by_text)
            elif listed and unit is not lead:
                text = _first_steps(unit, allowance - used)  # "正确止血方法：…低头…；"
            elif unit is lead:
                text = _clean_end(unit.text[: max(10, allowance - 1)]) + "…"
            else:
                continue
            if not text:
                continue
        chosen.append((unit, text))
        used += len(text)
    if not chosen:
        return ""
    lead_unit = chosen[0][0]
    chosen.sort(key=lambda c: c[0].first)
    primary = next((a for a in asks if a in intent.SPECIFIC), None)
    if leading and any(leading):
        chosen.sort(key=lambda c: not any(leading[c[0].first:c[0].first + len(c[0].parts)]))
        return "".join(text for _, text in chosen)
    # (no one fact asked, but one unit answers far better than the rest: "要是四点八呢" after
    # the lime dose is the dose for pH below 5.0, not the article's opening story)
    scores_chosen = sorted((u.score for u, _ in chosen), reverse=True)
    clear = len(scores_chosen) > 1 and scores_chosen[0] >= _CLEAR_LEAD * scores_chosen[1]
    if primary is not None or lead_first or clear:
        # the fact asked for first (with the sentences just before it that give the same kind
        # of fact: "pH 5.0–5.5 … 50–75 公斤；pH < 5.0 … 100–150 公斤"), then what follows it,
        # then what came before
        start = next(i for i, (u, _) in enumerate(chosen) if u is lead_unit)
        while primary in _SAME_FACT_BEFORE and start > 0:
            before, here = chosen[start - 1][0], chosen[start][0]
            if before.first + len(before.parts) != here.first or not intent.answers(
                    before.text, primary):
                break
            if primary in _ONE_FACT and telling is not None and (
                    telling(lead_unit.text) - telling(before.text)):
                break  # ("轻修剪…3到5厘米" leads: "定型修剪…15到20厘米" is another's, not more)
            start -= 1
        chosen = chosen[start:] + chosen[:start]
        if lead_first and primary is None:
            # an emergency: what to do now, then the rest by how well it answers, never the
            # article's order (its first step may come after the background)
            chosen = chosen[:1] + sorted(chosen[1:], key=lambda c: -c[0].score)
    return "".join(text for _, text in chosen)
