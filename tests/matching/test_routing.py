"""A title (a paper, a project) goes to reviewers of its field: a confidently inferred 一级学科
brings its experts forward, not whoever shares a word; a request is not routed so."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.settings import Settings
from matching.extract import extract_need
from matching.need import NeedDraft
from matching.rank import Ranker, RankWeights, infer_discipline, is_title
from retrieval.index import SearchIndex
from retrieval.search import Hit, Searcher
from store.models import Scientist

from ..support import give_chat_accounts, write_jsonl


def _sci(i: str, discipline: str, directions: list[str], region: str = "成都市温江区",
         organization: str = "四川农业大学") -> dict:
    return {"id": i, "name": f"专家{i}", "discipline": discipline, "directions": directions,
            "services": ["技术指导"], "region": region, "organization": organization}


POOL = [
    # horticulture (园艺学 0902): fruit growers who never say 糖酸 or 品质
    _sci("h-citrus", "果树栽培", ["柑橘高接换种", "柑橘果实品质调控"]),
    _sci("h-kiwi", "果树栽培", ["猕猴桃整形修剪", "猕猴桃花果管理"]),
    _sci("h-grape", "果树栽培", ["葡萄避雨栽培", "葡萄花果管理"]),
    _sci("h-plum", "果树栽培", ["李子树形改造", "李子花果管理"]),
    _sci("h-loquat", "果树栽培", ["枇杷冻害防控", "枇杷花果管理"]),
    _sci("h-tea", "茶学", ["名优绿茶加工", "茶园管理"], region="雅安市名山区"),
    # others who share a word with the title
    _sci("f-juice", "食品科学", ["果汁糖酸比调配", "饮料风味化学"]),
    _sci("f-wine", "白酒酿造", ["酿酒原料糖酸分析", "白酒勾调"], region="泸州市江阳区"),
    _sci("c-sugar", "化学工程", ["有机酸分离纯化", "糖液精制"], region="自贡市自流井区"),
]


@pytest.fixture
def routing_ranker(store: Engine, tmp_path: Path) -> Ranker:
    from core.settings import get_settings
    from knowledge.importers import import_file

    report = import_file(store, "scientists", write_jsonl(tmp_path / "s.jsonl", POOL))
    assert report.rejected_count == 0
    give_chat_accounts(store)
    settings: Settings = get_settings()
    index = SearchIndex(store, settings)
    index.sync_all()
    return Ranker(Searcher(index), store, settings)


def _codes(cands) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.discipline_code for c in cands]


def test_a_paper_title_goes_to_its_discipline(routing_ranker: Ranker) -> None:
    title = extract_need("柑橘果实发育过程中糖酸积累与品质形成机理研究")
    routed = routing_ranker.rank(title, k=5)
    plain = Ranker(routing_ranker.searcher, routing_ranker.engine, routing_ranker.settings,
                   weights=replace(RankWeights(), routed=0.0, discipline=0.0)).rank(title, k=5)
    assert routed[0].scientist_id == "h-citrus"
    # the horticulturists outnumber those who merely share 糖酸 once the field counts
    assert _codes(routed).count("0902") > _codes(plain).count("0902")
    assert _codes(routed).count("0902") >= 4


def _rows(codes: dict[str, str]) -> dict[str, Scientist]:
    return {i: Scientist(external_id=i, name=i, discipline="", discipline_code=c)
            for i, c in codes.items()}


def test_the_inferred_field_and_how_sure_it_is() -> None:
    hits = [Hit(i, i, 1.0) for i in ("a", "b", "c", "d")]
    agree = _rows({"a": "0902", "b": "0902", "c": "0902", "d": "0902"})
    code, sure = infer_discipline(NeedDraft(description="x"), hits, agree)
    assert (code, sure) == ("0902", 1.0)
    split = _rows({"a": "0902", "b": "0904", "c": "0902", "d": "0904"})
    code, unsure = infer_discipline(NeedDraft(description="x"), hits, split)
    assert code == "0902" and 0 < unsure < 0.3  # nearer hits weigh more, but not much
    # a field the text names tips a near-tie
    stated = NeedDraft(description="x", discipline_code="0904")
    assert infer_discipline(stated, hits, split)[0] == "0904"
    assert infer_discipline(NeedDraft(description="x"), [], {}) == (None, 0.0)


def test_a_field_no_one_here_works_in_is_never_the_inferred_field() -> None:
    hits = [Hit(i, i, 1.0) for i in ("a", "b")]
    rows = _rows({"a": "0710", "b": "0902"})
    # the model's favourite (生物工程) has no profile: the staffed field the words favour wins
    posterior = {"0836": 0.9, "0710": 0.1}
    assert infer_discipline(NeedDraft(description="x"), hits, rows,
                            posterior=posterior)[0] == "0836"
    code, sure = infer_discipline(NeedDraft(description="x"), hits, rows, posterior=posterior,
                                  staffed={"0710", "0902"})
    assert code == "0710" and sure > 0
    assert infer_discipline(NeedDraft(description="x"), hits, rows, posterior=posterior,
                            staffed=set()) == (None, 0.0)


def test_research_terms_hint_at_a_field_its_few_experts_cannot_carry() -> None:
    """Four near profiles of one field outvote a field with one expert far down the list;
    a title full of that field's research terms (暴雨、边界层 → 大气科学) turns the vote."""
    from knowledge import taxonomy

    title = "青藏高原东侧暴雨过程中边界层急流的观测分析"
    assert taxonomy.fields_hinted(title) == {"0706": 2}
    # longest first and no overlaps; farmers' and factories' words hint at their own field
    # at most (the longer list has 果园, 锅炉), never another's
    assert taxonomy.fields_hinted("种植体周围炎与牙周状况") == {"1003": 2}
    for said, fields in (("我家果园土壤酸化了咋个办", {"0902", "0903"}),
                         ("猪拉稀 拉的黄汤汤", set()), ("我们厂锅炉费煤", {"0807"}),
                         ("泡菜胀袋", {"0832"})):
        assert set(taxonomy.fields_hinted(said)) <= fields
    hits = [Hit(i, i, 1.0) for i in ("a", "b", "c", "d")]
    rows = _rows({"a": "0901", "b": "0901", "c": "0706", "d": "0901"})
    assert infer_discipline(NeedDraft(description="作物产量的区域差异"), hits, rows)[0] == "0901"
    assert infer_discipline(NeedDraft(description=title), hits, rows)[0] == "0706"
    assert infer_discipline(NeedDraft(description=title), hits, rows, hinted=0.0)[0] == "0901"


@pytest.mark.parametrize(("text", "title"), [
    ("柑橘果实发育过程中糖酸积累与品质形成机理研究", True),
    ("大学生手机依赖与拖延行为：自我控制的中介作用", True),
    ("基于GaN HEMT的X波段高效率功率放大器设计", True),
    ("我们李子园土壤酸化了，想请专家来看看", False),
    ("泡菜胀袋咋个整", False),
    ("请帮忙看看猕猴桃溃疡病", False),
    ("找个懂锅炉改造的专家", False),
    ("蜜蜂", False),  # too short to be anything but a word
])
def test_titles_are_told_from_requests(text: str, title: bool) -> None:
    assert is_title(text) is title


def test_the_field_model_reads_a_title_by_its_characters() -> None:
    """Words no profile or term says still carry their field in their characters: 鲈 is in
    the fish farmers' 鲈鱼, 雨 in the weather terms; an unknown script gives nothing."""
    from matching.field_model import FieldModel

    model = FieldModel([("0908", "加州鲈鱼池塘养殖", 1.0), ("0908", "鱼病防治", 1.0),
                        ("0905", "生猪饲料配方", 1.0), ("0905", "肉牛育肥", 1.0),
                        ("0706", "暴雨", 1.0), ("0706", "极端降水", 1.0),
                        ("0706", "强对流天气数值预报", 1.0)])
    fish = model.posterior("大口黑鲈肝脏健康的评价")
    assert max(fish, key=fish.__getitem__) == "0908"
    assert abs(sum(fish.values()) - 1.0) < 1e-9
    rain = model.posterior("盆地夜雨的形成机制")
    assert max(rain, key=rain.__getitem__) == "0706"
    assert model.posterior("ψψψ") == {}


def test_the_wording_every_title_shares_says_nothing_of_its_field() -> None:
    """影响、因素、研究 are in every field's titles; when one field's profiles happen to say
    them, a welding paper must still go to the field whose profiles say 焊接."""
    from matching.field_model import FieldModel

    model = FieldModel([("0805", "焊接接头组织与性能", 1.0), ("0805", "金属焊接工艺", 1.0),
                        ("0805", "钢的热处理", 1.0),
                        ("0830", "城市污水处理影响因素研究", 1.0),
                        ("0830", "重金属污染对土壤微生物的影响研究", 1.0),
                        ("0830", "大气污染物来源分析研究", 1.0)])
    welding = model.posterior("9%Ni钢焊接热影响区低温冲击韧性的影响因素研究")
    assert max(welding, key=welding.__getitem__) == "0805"


def test_a_title_reaches_its_fields_experts_beyond_the_nearest_words(
        routing_ranker: Ranker) -> None:
    """The field's experts are fetched by cosine alone when the title's words are far from
    them: the five fruit growers all come forward for a rootstock paper, not only the one
    whose words it shares."""
    title = extract_need("不同砧木对杂柑果实品质及叶片矿质元素含量的影响")
    routed = routing_ranker.rank(title, k=5)
    assert _codes(routed).count("0902") >= 4
    assert routed[0].scientist_id == "h-citrus"


def test_the_field_model_is_rebuilt_when_profiles_change(
        routing_ranker: Ranker, store: Engine, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Profiles imported after the first title are learnt from once they are counted again
    (at most once a minute; here at once)."""
    import matching.rank as rank
    from knowledge.importers import import_file

    monkeypatch.setattr(rank, "_RECOUNT_S", 0.0)
    routing_ranker.rank(extract_need("柑橘果实发育过程中糖酸积累与品质形成机理研究"), k=3)
    before = routing_ranker._field_model
    assert before is not None and before[0] == len(POOL)
    import_file(store, "scientists", write_jsonl(tmp_path / "more.jsonl", [
        _sci("w-rain", "大气科学", ["四川盆地夜雨", "暴雨数值模拟"])]))
    routing_ranker.rank(extract_need("柑橘果实发育过程中糖酸积累与品质形成机理研究"), k=3)
    after = routing_ranker._field_model
    assert after is not None and after[0] == len(POOL) + 1 and after[2] is not before[2]
