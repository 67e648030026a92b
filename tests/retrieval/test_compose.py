"""Composing an answer from one article's sentences (no index needed)."""

from __future__ import annotations

import numpy as np

from retrieval.compose import Unit, shorten_list

ITEMS = ["主要措施：一是严格控制人员进出，外来人员不进场；", "二是车辆不进生产区；",
         "三是不使用泔水喂猪；", "四是防鼠、防鸟、防蚊蝇；",
         "五是每天观察猪群，发现发热、厌食、皮肤发紫，立即报告兽医部门。"]


def test_a_list_too_long_gives_its_first_items_when_they_answer_as_well() -> None:
    unit = Unit(0, ITEMS, 0.5, True)
    scores = {t: 0.5 for t in ITEMS}
    said = shorten_list(unit, 40, scores)
    assert said.startswith("主要措施：一是") and "二是" in said and "五是" not in said


def test_a_list_too_long_gives_its_best_item_alone_when_it_answers_much_better() -> None:
    """"是不是猪瘟": of the measures, the one that says what to watch for, unnumbered."""
    unit = Unit(0, ITEMS, 0.9, True)
    scores = {**{t: 0.3 for t in ITEMS}, ITEMS[-1]: 0.9}
    said = shorten_list(unit, 40, scores)
    assert said.startswith("每天观察猪群") and "一是" not in said


def test_standout_item_alone_and_signs_kept_together() -> None:
    """One item far better than the rest of its list is given alone (unnumbered) when one fact
    is asked; the signs after "出现以下情况…：" are one unit up to the full stop."""
    from retrieval.compose import Unit, standout_item, units

    parts = ["主要措施：一是严格控制人员进出；", "二是车辆不进生产区；",
             "三是每天观察猪群，发现发热立即报告。"]
    unit = Unit(0, parts, 0.9, True)
    scores = {parts[0]: 0.3, parts[1]: 0.1, parts[2]: 0.9}
    assert standout_item(unit, scores) == "每天观察猪群，发现发热立即报告。"
    assert standout_item(unit, {**scores, parts[1]: 0.7}) == ""
    texts = ["出现以下情况要立即送医：持续高热不退；", "精神差、嗜睡；", "频繁呕吐。",
             "发热时用退烧药。"]
    grouped = units(texts, np.array([0.5, 0.1, 0.1, 0.2]))
    assert [u.parts for u in grouped] == [texts[:3], texts[3:]]
