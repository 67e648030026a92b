"""Tests for knowledge.taxonomy: the 2022 discipline catalogue and the free-text mapper."""

from __future__ import annotations

import csv
import io
import re
from importlib.resources import files

import pytest

from knowledge import taxonomy
from knowledge.taxonomy import (
    Discipline,
    all_disciplines,
    categories,
    get,
    lexicon,
    map_discipline,
    match_disciplines,
)

# 《研究生教育学科专业目录（2022年）》: 14 学科门类, 117 academic 一级学科 (plus 67 专业学位
# 类别, which are deliberately not loaded). The file holds exactly the official 117.
EXPECTED_DISCIPLINE_COUNT = 117

EXPECTED_CATEGORIES = [
    ("01", "哲学"),
    ("02", "经济学"),
    ("03", "法学"),
    ("04", "教育学"),
    ("05", "文学"),
    ("06", "历史学"),
    ("07", "理学"),
    ("08", "工学"),
    ("09", "农学"),
    ("10", "医学"),
    ("11", "军事学"),
    ("12", "管理学"),
    ("13", "艺术学"),
    ("14", "交叉学科"),
]


def _alias_rows() -> list[dict[str, str]]:
    raw = (files("knowledge") / "data" / "discipline_aliases.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(raw)))


def _code(text: str) -> str | None:
    d = map_discipline(text)
    return d.code if d else None


# --- the catalogue -------------------------------------------------------------------------


def test_fourteen_categories_in_order() -> None:
    assert categories() == EXPECTED_CATEGORIES


def test_discipline_count_is_pinned() -> None:
    assert len(all_disciplines()) == EXPECTED_DISCIPLINE_COUNT


def test_codes_unique_four_digits_and_consistent_with_category() -> None:
    ds = all_disciplines()
    codes = [d.code for d in ds]
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)
    cat_names = dict(EXPECTED_CATEGORIES)
    for d in ds:
        assert isinstance(d, Discipline)
        assert re.fullmatch(r"\d{4}", d.code), d
        assert d.category_code == d.code[:2], d
        assert d.category_name == cat_names[d.category_code], d
        # Academic 一级学科 only: a third digit of 5 or more marks a 专业学位类别.
        assert d.code[2] in "01234", d
        assert d.name and d.name == d.name.strip(), d


def test_every_category_has_disciplines() -> None:
    used = {d.category_code for d in all_disciplines()}
    assert used == {code for code, _ in EXPECTED_CATEGORIES}


def test_names_unique() -> None:
    names = [d.name for d in all_disciplines()]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("0307", "中共党史党建学"),
        ("0308", "纪检监察学"),
        ("0832", "食品科学与工程"),
        ("0901", "作物学"),
        ("0902", "园艺学"),
        ("0903", "农业资源与环境"),
        ("0908", "水产"),
        ("0910", "水土保持与荒漠化防治学"),
        ("1008", "中药学"),
        ("1012", "法医学"),
        ("1101", "军事思想与军事历史"),
        ("1111", "军事智能"),
        ("1202", "工商管理学"),
        ("1205", "信息资源管理"),
        ("1301", "艺术学"),
        ("1401", "集成电路科学与工程"),
        ("1405", "智能科学与技术"),
        ("1407", "区域国别学"),
    ],
)
def test_known_codes(code: str, name: str) -> None:
    d = get(code)
    assert d is not None
    assert d.name == name


@pytest.mark.parametrize("code", ["0834", "1010", "1302", "1305", "0951", "0854", "9999"])
def test_codes_not_in_2022_academic_list(code: str) -> None:
    # 0834 风景园林学 and 1010 医学技术 became professional-only in 2022; 1302/1305 were folded
    # into 1301 艺术学 and 1403 设计学; 0951/0854 are 专业学位类别.
    assert get(code) is None


def test_get_tolerates_full_width_and_spaces() -> None:
    d = get(" ０９０２ ")
    assert d is not None and d.code == "0902"


def test_discipline_is_frozen() -> None:
    d = get("0902")
    assert d is not None
    with pytest.raises(AttributeError):
        d.name = "x"  # type: ignore[misc]


# --- the alias lexicon ---------------------------------------------------------------------


def test_alias_file_size_and_codes_exist() -> None:
    rows = _alias_rows()
    assert len(rows) >= 250
    codes = {d.code for d in all_disciplines()}
    bad = [r for r in rows if r["code"] not in codes]
    assert bad == []


def test_aliases_unique_and_not_shadowing_other_official_names() -> None:
    rows = _alias_rows()
    aliases = [r["alias"] for r in rows]
    assert len(set(aliases)) == len(aliases)
    by_name = {d.name: d.code for d in all_disciplines()}
    clashes = [r for r in rows if r["alias"] in by_name and by_name[r["alias"]] != r["code"]]
    assert clashes == []


def test_lexicon_contains_names_and_aliases() -> None:
    lex = lexicon()
    for d in all_disciplines():
        assert lex[d.name] == d.code
    for r in _alias_rows():
        assert lex[r["alias"]] == r["code"]
    lex["果树栽培"] = "9999"  # a copy: mutating it must not leak into the module
    assert lexicon()["果树栽培"] == "0902"


# --- mapping -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("果树栽培", "0902"),
        ("土肥", "0903"),
        ("植保", "0904"),
        ("生猪养殖", "0905"),
        ("中药材种植", "1008"),
        ("食品加工", "0832"),
        ("水稻", "0901"),
        ("猕猴桃", "0902"),
        ("花椒", "0907"),
        ("兽医", "0906"),
        ("养鱼", "0908"),
        ("农机", "0828"),
        ("白酒", "0832"),
        ("中医", "1005"),
        ("集成电路", "1401"),
        ("人工智能", "1405"),
        ("页岩气", "0820"),
        ("钒钛", "0805"),
        ("乡村振兴", "1203"),
        ("文旅", "1202"),
        ("园艺学", "0902"),
        ("水土保持与荒漠化防治学", "0910"),
    ],
)
def test_exact_aliases_and_names(text: str, code: str) -> None:
    assert _code(text) == code
    [(d, score)] = match_disciplines(text)
    assert d.code == code
    assert score == 1.0


@pytest.mark.parametrize("text", ["随便聊聊", "今天下午开会", "", "   ", "，。！", "email"])
def test_unknown_text_maps_to_none(text: str) -> None:
    assert map_discipline(text) is None
    assert match_disciplines(text) == []


def test_multi_discipline_text_returns_both_in_order() -> None:
    result = match_disciplines("果树栽培与土壤管理")
    assert [d.code for d, _ in result] == ["0902", "0903"]
    scores = [s for _, s in result]
    assert all(0 < s < 1 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert _code("果树栽培与土壤管理") == "0902"


def test_larger_coverage_ranks_first() -> None:
    # 病虫害防治 (5 chars) outweighs 水稻 + 育种 (4 chars) although it comes later.
    result = match_disciplines("水稻育种和病虫害防治")
    assert [d.code for d, _ in result] == ["0904", "0901"]
    assert result[0][1] == pytest.approx(5 / 10)
    assert result[1][1] == pytest.approx(4 / 10)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("川芎等中药材的规范化种植", "1008"),  # 中药材 beats 中药
        ("植物病理研究", "0904"),  # 植物病理 beats 病理 (1001)
        ("丘陵山区农业机械研发", "0828"),  # 农业机械 beats 机械 (0802)
        ("林业工程技术", "0829"),  # official name beats 林业 (0907)
        ("新能源汽车零部件", "0802"),  # 新能源汽车 beats 新能源 (0807)
        ("中医药文化传承", "1005"),
        ("生猪养殖技术推广", "0905"),
        ("四川白酒酿造工艺改进", "0832"),
    ],
)
def test_longest_match_wins_inside_text(text: str, code: str) -> None:
    assert _code(text) == code
    [(d, score), *_] = match_disciplines(text)
    assert d.code == code
    assert 0 < score < 1


def test_whitespace_and_full_width_tolerated() -> None:
    assert _code(" 果 树\u3000栽培\n") == "0902"
    assert match_disciplines(" 果 树\u3000栽培\n")[0][1] == 1.0
    assert _code("ＡＩ") == "1405"
    assert _code("５Ｇ基站建设") == "0810"


def test_ascii_alias_needs_word_boundary() -> None:
    assert _code("用AI识别病虫害") == "0904"
    assert [d.code for d, _ in match_disciplines("用AI识别病虫害")] == ["0904", "1405"]
    assert map_discipline("maintain the rail") is None  # contains "ai" inside words


def test_codes_in_text_map_directly() -> None:
    assert _code("0902") == "0902"
    assert match_disciplines("０９０２")[0][1] == 1.0
    assert match_disciplines("园艺学（0902）") == [(get("0902"), 1.0)]
    assert _code("090201") == "0902"  # 6-digit 二级学科 code, read by its 一级 prefix
    assert [d.code for d, _ in match_disciplines("0902、0903")] == ["0902", "0903"]
    assert _code("学科代码：0812") == "0812"


def test_numbers_that_are_not_codes_are_ignored() -> None:
    assert map_discipline("2022年") is None
    assert map_discipline("1001亩") is None  # a quantity, not 基础医学
    assert map_discipline("0834") is None  # 风景园林学 code is not in the 2022 academic list
    assert map_discipline("12345678") is None


def test_match_result_is_a_fresh_list() -> None:
    first = match_disciplines("果树栽培与土壤管理")
    first.clear()
    assert len(match_disciplines("果树栽培与土壤管理")) == 2


def test_cached_per_distinct_text() -> None:
    taxonomy._match.cache_clear()
    map_discipline("柑橘黄龙病防控")
    map_discipline("柑橘黄龙病防控")
    match_disciplines("柑橘黄龙病防控")
    info = taxonomy._match.cache_info()
    assert info.misses == 1
    assert info.hits == 2


def test_long_text_is_handled() -> None:
    text = "果树栽培与土壤管理" * 5000
    result = match_disciplines(text)
    assert [d.code for d, _ in result] == ["0902", "0903"]
    assert result[0][1] == pytest.approx(4 / 9)
