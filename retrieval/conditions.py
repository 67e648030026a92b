"""A measured value the asker states, and the article sentences whose condition it fails.

"测了土 pH5.2，生石灰一亩撒好多" is answered by "pH在5.0到5.5之间，每亩…50到75公斤", not by
"pH低于5.0，每亩100到150公斤": both give the amount asked, one of them for another soil.
Only quantities read the same way in questions and articles are judged (pH, ℃); a sentence
with no condition on the quantity is never left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_NUM = r"(\d+(?:\.\d+)?)"
_TO = r"\s*(?:到|至|~|～|-|—|–)\s*"
_NAMES = {"pH": r"(?:pH|PH|ph|Ph|酸碱度)值?", "℃": r"(?:温度|气温|水温|土温|体温)?"}
_UNITS = {"pH": "", "℃": r"\s*(?:℃|°C|摄氏度)"}
# what the asker says they measured: "pH5.2", "pH值才4.8", "水温28℃"
_STATED = {
    "pH": re.compile(_NAMES["pH"] + r"\s*(?:是|为|在|有|才|只有|测出来是?|测到|大概)?\s*" + _NUM
                     + r"(?![\d.])(?!\s*(?:到|至|~|～|-|以上|以下))"),
    "℃": re.compile(r"(?:温度|气温|水温|土温|体温)?\s*(?:是|有|才|到了|达到)?\s*"
                    r"(?<![\d.到至~～-])" + _NUM
                    + _UNITS["℃"] + r"(?!\s*(?:到|至|~|～|-|以上|以下))"),
}


# a value said in words: "ph五点二" is pH 5.2
_DIGITS = {c: str(i) for i, c in enumerate("零一二三四五六七八九")} | {"两": "2", "〇": "0"}
_SPOKEN = re.compile(r"([零〇一二两三四五六七八九])点([零〇一二两三四五六七八九]+)")


def _in_digits(text: str) -> str:
    return _SPOKEN.sub(lambda m: "".join(_DIGITS[c] for c in m.group(1)) + "."
                       + "".join(_DIGITS[c] for c in m.group(2)), text)


# "四点几", "4点多": somewhere above the whole number (read as its middle)
_VAGUE = re.compile(r"([零〇一二两三四五六七八九]|\d)点(?:几|多)")
# a bare value in a follow-up ("那隔壁那块测出来才四点几喃" after "ph五点二")
_BARE_VALUE = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d+)?)(?![\d.]|\s*[个亩斤公天年月岁次块元])")


def stated(question: str, context: str = "") -> dict[str, float]:
    """Each quantity the question gives one value for ("pH5.2" → {"pH": 5.2}); `context`
    (the question before a follow-up) may name the quantity a bare value is of."""
    question = _in_digits(_VAGUE.sub(lambda m: _DIGITS.get(m.group(1), m.group(1)) + ".5",
                                     question))
    out: dict[str, float] = {}
    for name, pattern in _STATED.items():
        values = {float(m.group(1)) for m in pattern.finditer(question)}
        if len(values) == 1:  # two values ("从5.2降到4.8") say no one condition
            out[name] = values.pop()
    if not out and re.search(_NAMES["pH"], context) and not re.search(_NAMES["pH"], question):
        values = {float(v) for v in _BARE_VALUE.findall(question) if 0 < float(v) <= 14}
        if len(values) == 1:
            out["pH"] = values.pop()
    return out


def _conditions(name: str, sentence: str) -> list[tuple[float, float]]:
    """The ranges of the quantity a sentence is conditional on."""
    q, u = _NAMES[name], _UNITS[name]
    if name == "℃" and not re.search(u, sentence):
        return []
    found: list[tuple[float, float]] = []
    for m in re.finditer(q + r"\s*(?:在|为|处于)?\s*" + _NUM + u + "?" + _TO + _NUM + u
                         + r"\s*(?:之间|范围)?", sentence):
        if name == "pH" or m.group(0).strip():
            lo, hi = sorted((float(m.group(1)), float(m.group(2))))
            found.append((lo, hi))
    for m in re.finditer(q + r"\s*(?:低于|小于|不足|不到|<|＜)\s*" + _NUM, sentence):
        found.append((float("-inf"), float(m.group(1))))
    for m in re.finditer(q + r"\s*(?:高于|大于|超过|>|＞)\s*" + _NUM, sentence):
        found.append((float(m.group(1)), float("inf")))
    if name == "pH" and (named := re.search(q, sentence)):
        # "pH在4.5到5.5比较适宜，低于4.0时需要改良": the same quantity, said once
        for m in re.finditer(r"[，,；;]\s*(低于|小于|不足|不到|高于|大于|超过)\s*" + _NUM,
                             sentence[named.end():]):
            below = m.group(1) in ("低于", "小于", "不足", "不到")
            found.append((float("-inf"), float(m.group(2))) if below
                         else (float(m.group(2)), float("inf")))
    if name == "pH":
        for m in re.finditer(q + r"\s*" + _NUM + r"\s*以下", sentence):
            found.append((float("-inf"), float(m.group(1))))
        for m in re.finditer(q + r"\s*" + _NUM + r"\s*以上", sentence):
            found.append((float(m.group(1)), float("inf")))
    return found


def fails(sentence: str, values: dict[str, float]) -> bool:
    """Whether the sentence is only about other values of a quantity the asker measured."""
    for name, value in values.items():
        ranges = _conditions(name, sentence)
        if ranges and not any(lo <= value <= hi for lo, hi in ranges):
            return True
    return False


def meets(sentence: str, values: dict[str, float]) -> bool:
    """Whether the sentence is conditional on a value the asker measured ("pH在5.0到5.5之间"
    for pH 5.2): the asker's own case, ahead of the background."""
    return any(any(lo <= value <= hi for lo, hi in _conditions(name, sentence))
               for name, value in values.items())


# the clauses of one sentence, each with the mark that ends it
_CLAUSE = re.compile(r"[^，,；;]+[，,；;]?")
# a value and its unit ("28到32℃", "7%以上", "至少2周"): only values of one unit are cases
_VALUE = re.compile(_NUM + r"(?:" + _TO + _NUM + r")?\s*([%℃A-Za-z]+|[\u4e00-\u9fff])")


def for_case(sentence: str, question: str, words: Callable[[str], Iterable[str]]) -> str:
    """The sentence without the values given for a case the asker is not in.

    "红心、黄肉品种一般在7%以上，绿肉品种在6.5%以上开始采收" asked about 绿肉 keeps the 绿肉
    clause. Clauses giving a value in the same unit are cases of one rule; one is dropped when
    the words naming its case (those before its value that the others lack) are absent from
    the question while another case's words are there. Asked of both, or of neither, the
    sentence is kept whole; "pH低于5.0，每亩100到150公斤" is a condition and its dose, not
    two cases."""
    clauses = _CLAUSE.findall(sentence)
    values = {i: m for i, c in enumerate(clauses) if (m := _VALUE.search(c))}
    units = [m.group(3) for m in values.values()]
    cases = [i for i, m in values.items() if units.count(m.group(3)) >= 2]
    if len(cases) < 2 or len({values[i].group(3) for i in cases}) > 1:
        return sentence
    named = {i: {w for w in words(clauses[i][:values[i].start()]) if len(w) >= 2}
             for i in cases}
    shared = set.intersection(*named.values())
    found = {i: sum(w in question for w in named[i] - shared) for i in cases}
    other = {i for i in cases if not found[i] and named[i] - shared}
    if not other or not any(found.values()):
        return sentence
    kept = "".join(c for i, c in enumerate(clauses) if i not in other)
    return kept[:-1] + sentence[-1] if kept and kept[-1] in "，,；;" else kept
