"""Problem concepts: farmers' symptoms and experts' terms land on the same concept."""

from __future__ import annotations

import pytest

from matching.concepts import concepts


def test_colloquial_symptoms_and_expert_terms_share_a_concept() -> None:
    assert "采后保鲜" in concepts("芒果发东北，到了就起黑斑、软掉")
    assert concepts("农产品冷链保鲜") == {"采后保鲜"}
    assert "土壤改良" in concepts("园子里土板得很，下雨积水天晴开裂")
    assert "土壤改良" in concepts("柑橘园土壤板结治理")
    assert "康复" in concepts("中风以后吃饭喝水呛咳")
    assert "康复" in concepts("脑卒中后吞咽障碍康复")


def test_the_longest_word_wins_and_blockers_name_nothing() -> None:
    # "测土配方" is about fertilising; the "配方" inside it is not a chemical recipe
    assert concepts("测土配方施肥") == {"施肥营养"}
    # 无花果 is a crop, not the 花果 of flower-and-fruit management
    assert concepts("无花果") == frozenset()
    assert concepts("荔枝花果调控") == {"花果管理"}


def test_words_about_the_requester_name_no_problem() -> None:
    assert concepts("我们是米易的合作社") == frozenset()
    assert concepts("") == frozenset()
    assert concepts("ＶＯＣｓ废气") == {"废气治理"}  # full-width and case normalised
    assert concepts("農產品冷鏈保鮮") == {"采后保鲜"}  # traditional characters too


@pytest.mark.parametrize(("text", "named", "not_named"), [
    ("我们印染厂用水量太大，想搞节水改造", "水处理", "灌溉节水"),     # a factory's water
    ("一种丝绸低温节水染色方法", "水处理", "灌溉节水"),
    ("果园缺水干旱，想搞节水灌溉", "灌溉节水", "水处理"),           # a farm's water
    ("厂里想上滴灌", "灌溉节水", ""),                               # an unambiguous word stays
    ("另一条生产线上的袋装产品出厂后胀袋，怀疑杀菌不彻底", "农产品加工", "自动化机器人"),
    ("袋装产品杀菌不彻底", "农产品加工", "植保用药"),
    ("柑橘树要打药杀菌", "植保用药", ""),
    ("产线想上机器人", "自动化机器人", ""),
])
def test_a_words_sense_depends_on_its_context(text: str, named: str, not_named: str) -> None:
    found = concepts(text)
    assert named in found and not_named not in found, found
