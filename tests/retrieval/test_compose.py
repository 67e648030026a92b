"""Composing an answer from one article's sentences (no index needed)."""

from __future__ import annotations

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
