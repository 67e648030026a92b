"""The Sichuan gazetteer: the division table itself, strict resolve(), free-text find_region()."""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from importlib.resources import files

import pytest

from knowledge import gazetteer
from knowledge.gazetteer import Region

CITY_CODES = [
    "510100", "510300", "510400", "510500", "510600", "510700", "510800", "510900", "511000",
    "511100", "511300", "511400", "511500", "511600", "511700", "511800", "511900", "512000",
    "513200", "513300", "513400",
]  # fmt: skip


def _suffix(region: Region) -> str:
    return "自治县" if region.name.endswith("自治县") else region.name[-1]


# --- the table -------------------------------------------------------------------------------


def test_csv_is_packaged_with_the_documented_header() -> None:
    text = (files("knowledge") / "data" / "sichuan_regions.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["code", "name", "level", "parent_code", "short_name", "aliases"]
    assert len(rows) - 1 == len(gazetteer.all_regions()) == 205


def test_counts_by_level() -> None:
    levels = Counter(r.level for r in gazetteer.all_regions())
    assert levels == {"province": 1, "city": 21, "county": 183}
    assert [r.code for r in gazetteer.cities()] == CITY_CODES
    assert len(gazetteer.counties()) == 183


def test_county_breakdown_by_suffix() -> None:
    # 55 市辖区, 19 县级市, 105 县, 4 自治县 (北川, 峨边, 马边, 木里)
    assert Counter(_suffix(r) for r in gazetteer.counties()) == {
        "区": 55, "市": 19, "县": 105, "自治县": 4,
    }  # fmt: skip
    autonomous = {r.name for r in gazetteer.counties() if _suffix(r) == "自治县"}
    assert autonomous == {"北川羌族自治县", "峨边彝族自治县", "马边彝族自治县", "木里藏族自治县"}
    assert Counter(r.name[-3:] == "自治州" for r in gazetteer.cities()) == {False: 18, True: 3}


def test_counties_per_city() -> None:
    per_city = {c.short_name: len(gazetteer.counties(c.code)) for c in gazetteer.cities()}
    assert per_city == {
        "成都": 20, "自贡": 6, "攀枝花": 5, "泸州": 7, "德阳": 6, "绵阳": 9, "广元": 7,
        "遂宁": 5, "内江": 5, "乐山": 11, "南充": 9, "眉山": 6, "宜宾": 10, "广安": 6,
        "达州": 7, "雅安": 8, "巴中": 5, "资阳": 3, "阿坝": 13, "甘孜": 18, "凉山": 17,
    }  # fmt: skip
    assert gazetteer.counties("999999") == []
    assert gazetteer.counties("511502") == []  # a county has no counties


def test_hierarchy_and_code_structure() -> None:
    regions = gazetteer.all_regions()
    codes = [r.code for r in regions]
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    (province,) = [r for r in regions if r.level == "province"]
    assert (province.code, province.name, province.parent_code) == ("510000", "四川省", None)
    for city in gazetteer.cities():
        assert city.parent_code == "510000"
        assert city.code.endswith("00")
    for county in gazetteer.counties():
        parent = gazetteer.get(county.parent_code or "")
        assert parent is not None and parent.level == "city", county
        # The rule holds for every county, 简阳市 510185 (moved from 资阳 in 2016) included.
        assert county.code[:4] == parent.code[:4], county
        assert not county.code.endswith("00")


@pytest.mark.parametrize(
    ("code", "name", "city_code"),
    [
        ("510117", "郫都区", "510100"),
        ("510118", "新津区", "510100"),
        ("510185", "简阳市", "510100"),
        ("511504", "叙州区", "511500"),
        ("510604", "罗江区", "510600"),
        ("510981", "射洪市", "510900"),
        ("511083", "隆昌市", "511000"),
        ("513402", "会理市", "513400"),
        ("513201", "马尔康市", "513200"),
        ("513301", "康定市", "513300"),
        ("511403", "彭山区", "511400"),
        ("511803", "名山区", "511800"),
        ("511603", "前锋区", "511600"),
        ("511903", "恩阳区", "511900"),
        ("510811", "昭化区", "510800"),
        ("511703", "达川区", "511700"),
        ("511011", "东兴区", "511000"),
        ("510705", "安州区", "510700"),
        ("511002", "市中区", "511000"),
        ("511102", "市中区", "511100"),
    ],
)
def test_current_codes(code: str, name: str, city_code: str) -> None:
    region = gazetteer.get(code)
    assert region is not None
    assert (region.name, region.level, region.parent_code) == (name, "county", city_code)


def test_superseded_and_non_division_codes_are_absent() -> None:
    # cpca's older table has these; they were abolished 2016-2021 (see the module docstring).
    for old in ("510124", "510132", "510626", "510922", "511028", "511521", "513425"):
        assert gazetteer.get(old) is None, old
    # 市辖区 placeholders and statistical development zones are not divisions.
    for code in ("510101", "511501", "511071", "511771", "511971"):
        assert gazetteer.get(code) is None, code
    names = {r.name for r in gazetteer.all_regions()}
    assert "市辖区" not in names
    assert not {"郫县", "宜宾县", "会理县", "新津县"} & names


def test_short_names() -> None:
    short = {r.name: r.short_name for r in gazetteer.all_regions()}
    assert short["四川省"] == "四川"
    assert short["温江区"] == "温江"
    assert short["北川羌族自治县"] == "北川"
    assert short["凉山彝族自治州"] == "凉山"
    assert short["阿坝藏族羌族自治州"] == "阿坝"
    assert short["峨眉山市"] == "峨眉山"
    assert short["汶川县"] == "汶川"
    # one-character stems, and stems that are a city's short name, keep the full name
    for name in ("高县", "理县", "茂县", "荣县", "泸县", "珙县", "渠县", "东区", "西区"):
        assert short[name] == name
    assert short["甘孜县"] == "甘孜县"
    assert short["阿坝县"] == "阿坝县"
    assert short["广安区"] == "广安区"


def test_aliases_include_colloquial_and_former_names() -> None:
    by_name = {r.name: r for r in gazetteer.all_regions()}
    assert "凉山州" in by_name["凉山彝族自治州"].aliases
    assert "阿坝州" in by_name["阿坝藏族羌族自治州"].aliases
    assert "甘孜州" in by_name["甘孜藏族自治州"].aliases
    assert "郫县" in by_name["郫都区"].aliases
    assert "会理县" in by_name["会理市"].aliases
    assert "宜宾县" in by_name["叙州区"].aliases


def test_full_name() -> None:
    assert gazetteer.get("511502").full_name == "宜宾市翠屏区"  # type: ignore[union-attr]
    assert gazetteer.get("511500").full_name == "宜宾市"  # type: ignore[union-attr]
    assert gazetteer.get("510000").full_name == "四川省"  # type: ignore[union-attr]
    assert gazetteer.get("513401").full_name == "凉山彝族自治州西昌市"  # type: ignore[union-attr]


# --- tree queries ----------------------------------------------------------------------------


def test_subtree_codes() -> None:
    chengdu = gazetteer.subtree_codes("510100")
    assert "510185" in chengdu and "510100" in chengdu
    assert len(chengdu) == 21
    assert "512002" not in chengdu
    assert len(gazetteer.subtree_codes("510000")) == 205
    assert gazetteer.subtree_codes("511502") == frozenset({"511502"})
    assert gazetteer.subtree_codes("999999") == frozenset()


def test_is_within() -> None:
    assert gazetteer.is_within("510185", "510100")
    assert not gazetteer.is_within("510185", "512000")  # 简阳 left 资阳 in 2016
    assert gazetteer.is_within("510185", "510000")
    assert gazetteer.is_within("510100", "510100")
    assert not gazetteer.is_within("510100", "510185")
    assert not gazetteer.is_within("999999", "510000")
    assert not gazetteer.is_within("510185", "999999")


def test_ancestors() -> None:
    assert [r.code for r in gazetteer.ancestors("511502")] == ["510000", "511500", "511502"]
    assert [r.code for r in gazetteer.ancestors("513300")] == ["510000", "513300"]
    assert [r.code for r in gazetteer.ancestors("510000")] == ["510000"]
    assert gazetteer.ancestors("999999") == []


# --- resolve ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("510115", "510115"),
        ("510115000000", "510115"),
        ("温江区", "510115"),
        ("温江", "510115"),
        ("成都市温江区", "510115"),
        ("四川省成都市温江区", "510115"),
        ("  成都市 温江区\u3000", "510115"),
        ("成都温江", "510115"),
        ("宜宾市", "511500"),
        ("宜宾", "511500"),
        ("凉山", "513400"),
        ("凉山州", "513400"),
        ("凉山州西昌市", "513401"),
        ("西昌", "513401"),
        ("阿坝州茂县", "513223"),
        ("甘孜", "513300"),
        ("甘孜县", "513328"),
        ("甘孜州甘孜县", "513328"),
        ("乐山市市中区", "511102"),
        ("乐山市中区", "511102"),
        ("内江市市中区", "511002"),
        ("攀枝花市东区", "510402"),
        ("峨眉山", "511181"),
        ("南部", "511321"),
        ("郫县", "510117"),
        ("会理县", "513402"),
        ("宜宾县", "511504"),
        ("四川", "510000"),
        ("四川省", "510000"),
    ],
)
def test_resolve(value: str, code: str) -> None:
    region = gazetteer.resolve(value)
    assert region is not None and region.code == code


@pytest.mark.parametrize(
    "value", ["市中区", "四川省市中区", "", "   ", "重庆市", "北京", "510124", "999999", "温江那边"]
)
def test_resolve_rejects_unknown_and_ambiguous(value: str) -> None:
    assert gazetteer.resolve(value) is None


def test_every_county_resolves_from_its_full_name_and_code() -> None:
    for county in gazetteer.counties():
        assert gazetteer.resolve(county.full_name) == county
        assert gazetteer.resolve("四川省" + county.full_name) == county
        assert gazetteer.resolve(county.code) == county
        if county.name != "市中区":
            assert gazetteer.resolve(county.name) == county


# --- find_region -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("宜宾市翠屏区的李子园", "511502"),
        ("我在温江那边", "510115"),
        ("凉山州西昌市", "513401"),
        ("西昌", "513401"),
        ("乐山市中区", "511102"),
        ("内江市市中区", "511002"),
        ("攀枝花东区", "510402"),
        ("编号511502的地块", "511502"),
        ("成都", "510100"),
        ("阿坝州茂县", "513223"),
        ("甘孜", "513300"),
        ("甘孜县", "513328"),
        ("北川", "510726"),
        ("峨眉山", "511181"),
        ("峨眉山市的茶园", "511181"),
        ("我们是达州的", "511700"),
        ("四川", "510000"),
        ("四川省", "510000"),
        ("四川省成都市", "510100"),
        ("眉山市", "511400"),
        ("南充南部", "511321"),
        ("南充市 南部", "511321"),
        ("南部县的柑橘", "511321"),
        ("南充市西南部的土壤", "511300"),
        ("我是乐山的，住在市中区", "511102"),
        ("从宜宾到成都温江", "510115"),
        ("郫县豆瓣", "510117"),
        ("四川省内江市", "511000"),
        ("在内江工作", "511000"),
        ("省内江油的猕猴桃", "510781"),
        ("完成都江堰的项目", "510181"),
        ("广安市广安区", "511602"),
        ("阿坝县", "513231"),
        ("成都市东区", "510100"),  # 东区 is 攀枝花's, not 成都's
        # a guarded short name said as where one is
        ("我们养殖公司在三台 保育舍仔猪腹泻", "510722"),
        ("我们是石棉一家茶叶企业", "511824"),
        ("我们在游仙有个大棚", "510704"),
        ("我在名山种茶", "511803"),
    ],
)
def test_find_region(text: str, code: str) -> None:
    region = gazetteer.find_region(text)
    assert region is not None, text
    assert region.code == code, (text, region)


@pytest.mark.parametrize(
    "text",
    [
        "土壤酸化怎么办",
        "",
        "市中区",  # 内江 or 乐山
        "西南部地区的降水",
        "推广安全生产技术",
        "投资中心",
        "国内江河治理",
        "学会理事长",
        "获得荣誉称号",
        "提高县域经济水平",
        "要求高县级部门难以达到",  # 高县 + 县级
        "变成都市人",
        "东坡肉怎么做",
        "朝天椒种植技术",
        "嘉陵江边",
        "大英博物馆",
        "安居乐业",
        "白玉兰开花",
        "健康定期体检",
        "便宜宾馆",
        "浙江油茶",
        "小区东区的路灯",
        "邮编610000",
        "订单号5115021",
        "石棉瓦漏水咋个补",
        "买了三台机器",
        "在东坡肉里放点糖",
    ],
)
def test_find_region_ignores_common_words(text: str) -> None:
    assert gazetteer.find_region(text) is None


def test_every_county_is_found_after_its_city() -> None:
    for county in gazetteer.counties():
        city = gazetteer.get(county.parent_code or "")
        assert city is not None
        for text in (county.full_name, city.short_name + county.short_name,
                     city.short_name + county.name, f"我在{county.full_name}种地"):
            assert gazetteer.find_region(text) == county, text


def test_find_region_is_fast() -> None:
    texts = [f"{c.full_name}的果园第{i}号，土壤酸化怎么办？" for i, c in
             enumerate(gazetteer.counties() * 110)]
    find = gazetteer.find_region.__wrapped__  # bypass the cache: every text is new anyway
    start = time.perf_counter()
    found = [find(t) for t in texts]
    elapsed = time.perf_counter() - start
    assert all(r is not None and r.level == "county" for r in found)
    assert elapsed < 5.0, f"{len(texts)} texts took {elapsed:.2f}s"
