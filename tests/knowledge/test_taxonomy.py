"""Discipline taxonomy: the MoE 2022 catalogue and free-text mapping."""

from __future__ import annotations

import pytest

from knowledge import taxonomy


def test_catalogue_shape() -> None:
    cats = taxonomy.categories()
    assert len(cats) == 14  # 01 哲学 … 14 交叉学科
    assert dict(cats)["09"] == "农学" and dict(cats)["14"] == "交叉学科"
    disciplines = taxonomy.all_disciplines()
    # The 2022 catalogue lists 117 academic 一级学科 (professional degrees kept out).
    assert len(disciplines) == 117
    codes = [d.code for d in disciplines]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 4 and c.isdigit() and c[:2] == d.category_code
               for c, d in zip(codes, disciplines, strict=True))
    assert taxonomy.get("0910").name == "水土保持与荒漠化防治学"  # type: ignore[union-attr]


def test_every_alias_points_at_a_real_discipline() -> None:
    lexicon = taxonomy.lexicon()
    assert len(lexicon) >= 250
    assert all(taxonomy.get(code) is not None for code in lexicon.values())


@pytest.mark.parametrize(("text", "code"), [
    ("果树栽培", "0902"), ("土肥", "0903"), ("植保", "0904"), ("生猪养殖", "0905"),
    ("中药材种植", "1008"), ("食品加工", "0832"), ("农机", "0828"), ("茶学", "0902"),
    ("水产养殖", "0908"), ("0905", "0905"), ("  土壤肥料  ", "0903"),
])
def test_free_text_maps_to_the_catalogue(text: str, code: str) -> None:
    found = taxonomy.map_discipline(text)
    assert found is not None and found.code == code


def test_unknown_and_mixed_texts() -> None:
    assert taxonomy.map_discipline("打麻将") is None
    both = [d.code for d, _ in taxonomy.match_disciplines("果树栽培与土壤肥料")]
    assert both[:2] == ["0902", "0903"]
