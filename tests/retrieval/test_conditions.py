"""The asker's measured value decides which of an article's conditional sentences apply."""

from __future__ import annotations

import pytest

from retrieval.conditions import fails, for_case, meets, stated

DOSE_5 = "pH在5.0到5.5之间，每亩撒施生石灰或白云石粉50到75公斤。"
DOSE_LOW = "pH低于5.0，每亩100到150公斤，分两年施用，不要一次施太多。"
TIMING = "石灰最好在秋冬季结合深翻撒施。"


@pytest.mark.parametrize(("question", "values"), [
    ("农技站帮我测了土 pH5.2 说是酸化了 生石灰一亩撒好多", {"pH": 5.2}),
    ("土壤pH值才4.6 咋个改良", {"pH": 4.6}),
    ("水温28℃ 鱼儿浮头", {"℃": 28.0}),
    ("pH从5.2降到4.8了", {}),              # two values: no one condition
    ("pH5.0到5.5要撒好多石灰", {}),         # a range asked about, not a measurement
    ("李子园土壤酸化了撒多少石灰", {}),
    ("测了土说是ph五点二那个石灰一亩地撒好多", {"pH": 5.2}),  # said in words
    ("五点钟撒石灰", {}),
])
def test_what_the_asker_measured(question: str, values: dict[str, float]) -> None:
    assert stated(question) == values


def test_a_sentence_for_another_value_is_left_out_and_the_askers_own_leads() -> None:
    five = {"pH": 5.2}
    assert fails(DOSE_LOW, five) and not fails(DOSE_5, five) and not fails(TIMING, five)
    assert meets(DOSE_5, five) and not meets(DOSE_LOW, five) and not meets(TIMING, five)
    low = {"pH": 4.6}
    assert fails(DOSE_5, low) and not fails(DOSE_LOW, low) and meets(DOSE_LOW, low)
    assert fails("土壤pH 6.5以上的不用撒石灰。", low)
    warm = {"℃": 28.0}
    assert fails("水温低于15℃时停止投喂。", warm)
    assert meets("水温在20到30℃之间生长最快。", warm)


KIWI = "用手持糖度计测果肉汁液，红心、黄肉品种一般在7%以上，绿肉品种在6.5%以上开始采收。"


def _chars(text: str) -> list[str]:
    """Two-character words: enough of a tokenizer for these sentences."""
    return [text[i:i + 2] for i in range(len(text) - 1)]


@pytest.mark.parametrize(("question", "kept", "dropped"), [
    ("我们种的是绿肉的猕猴桃 测到好多可以摘", "6.5%", "7%"),
    ("红心猕猴桃测到百分之好多可以摘", "7%", "6.5%"),
    ("红心和绿肉各是好多", "7%", None),       # both cases asked: the sentence whole
    ("猕猴桃测到好多可以摘", "7%", None),      # neither: whole
])
def test_a_value_for_another_case_in_the_same_sentence_is_left_out(
        question: str, kept: str, dropped: str | None) -> None:
    said = for_case(KIWI, question, _chars)
    assert kept in said and said.startswith("用手持糖度计") and said.endswith("。")
    if dropped is None:
        assert said == KIWI
    else:
        assert dropped not in said


def test_a_condition_and_its_dose_are_not_two_cases() -> None:
    # different units (pH and 公斤; 厘米 and 次): nothing to choose between
    assert for_case(DOSE_LOW, "pH才4.6 石灰一回撒够不", _chars) == DOSE_LOW
    cpr = "按压深度5到6厘米，频率每分钟100到120次。"
    assert for_case(cpr, "按好深 一分钟按好多下", _chars) == cpr
