"""Ranking: relevance, place, availability, exclusions, load, track record, reasons."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from core.clock import ManualClock
from core.settings import Settings
from matching.extract import extract_need
from matching.rank import Ranker, RankWeights, proximity, track_record
from retrieval.index import SearchIndex
from retrieval.search import Searcher
from store.models import Scientist

from ..support import SOIL_NEED, write_jsonl


def ids(cands) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.scientist_id for c in cands]


def test_relevant_experts_first_and_nearest_among_equals(ranker: Ranker) -> None:
    cands = ranker.rank(extract_need(SOIL_NEED), k=10)
    top = ids(cands)
    assert top[0] == "s-soil-cp"  # same county, same directions
    # equally qualified: same city before the rest of the province
    assert top.index("s-soil-xz") < top.index("s-soil-ls")
    assert top.index("s-soil-xz") < top.index("s-soil-cd")
    # the preview lists the expert who takes no work now, labelled, behind an equal who does;
    # ranking for offers leaves her out
    assert top.index("s-soil-off") > top.index("s-soil-cp")
    off = next(c for c in cands if c.scientist_id == "s-soil-off")
    assert any("暂不接单" in r for r in off.reasons)
    for_offers = [c.scientist_id for c in ranker.rank(extract_need(SOIL_NEED), k=10,
                                                      for_offers=True)]
    assert "s-soil-off" not in for_offers and for_offers[0] == "s-soil-cp"
    assert not {"s-wine", "s-ai"} & set(top[:5])


def test_reasons_explain_in_chinese(ranker: Ranker) -> None:
    first = ranker.rank(extract_need(SOIL_NEED), k=3)[0]
    assert any(r.startswith("研究方向：") and "土壤" in r for r in first.reasons)
    assert "同在宜宾市翠屏区" in first.reasons
    # a newcomer's empty record is no reason
    assert not any("新入驻" in r or "接单率" in r for r in first.reasons)
    data = first.to_json()
    assert set(data) == {"scientist_id", "name", "discipline", "region", "score", "reasons",
                         "discipline_code", "discipline_name"}
    assert (data["discipline_code"], data["discipline_name"]) == ("0903", "农业资源与环境")


def test_remote_capable_experts_are_not_penalised_for_distance(ranker: Ranker) -> None:
    local = ranker.rank(extract_need("宜宾翠屏区果园土壤酸化改良"), k=10)
    remote = ranker.rank(extract_need("宜宾翠屏区果园土壤酸化改良，视频指导就行"), k=10)
    pos_local, pos_remote = ids(local).index("s-soil-cd"), ids(remote).index("s-soil-cd")
    assert pos_remote < pos_local
    assert "可远程服务" in remote[pos_remote].reasons


def test_other_fields_find_their_experts(ranker: Ranker) -> None:
    assert ids(ranker.rank(extract_need("磷酸铁锂压实密度偏低，寻求联合攻关"), k=3))[0] == "s-li"
    assert ids(ranker.rank(extract_need("瓷砖表面缺陷想用机器视觉自动识别"), k=3))[0] == "s-ai"


def test_nonsense_finds_no_one(ranker: Ranker) -> None:
    assert ranker.rank(extract_need("asdf qwer"), k=5) == []
    assert ranker.rank(extract_need("？？？"), k=5) == []


def test_exclusions(ranker: Ranker, pool: Engine) -> None:
    need = extract_need(SOIL_NEED)
    assert "s-soil-coop" in ids(ranker.rank(need, k=10))
    assert "s-soil-coop" not in ids(ranker.rank(need, k=10, organization="翠屏区李子专业合作社"))


def test_the_requester_is_not_offered_their_own_need(ranker: Ranker, pool: Engine) -> None:
    from store.models import Person

    with Session(pool) as s:
        me = Person(display_name="王建华", role="scientist")
        s.add(me)
        s.flush()
        s.execute(update(Scientist).where(Scientist.external_id == "s-soil-cp")
                  .values(person_id=me.id))
        s.commit()
        me_id = me.id
    need = extract_need(SOIL_NEED)
    assert "s-soil-cp" not in ids(ranker.rank(need, k=10, requester_person_id=me_id))


def test_busy_experts_rank_lower(ranker: Ranker, pool: Engine) -> None:
    """A strong track record helps a little; many open offers cost more."""
    need = extract_need(SOIL_NEED)
    before = ids(ranker.rank(need, k=10))
    with Session(pool) as s:
        s.execute(update(Scientist).where(Scientist.external_id == "s-soil-ls")
                  .values(offers_received=20, offers_accepted=19, rating_sum=95,
                          rating_count=19, response_seconds_total=19 * 1800))
        s.execute(update(Scientist).where(Scientist.external_id == "s-soil-xz")
                  .values(offers_received=20, offers_accepted=1))
        s.commit()
    after = ids(ranker.rank(need, k=10))
    assert after.index("s-soil-ls") <= before.index("s-soil-ls")
    assert after.index("s-soil-xz") >= before.index("s-soil-xz")


def test_proximity_levels() -> None:
    assert proximity("511502", "511502")[0] == 1.0           # 翠屏区 = 翠屏区
    assert proximity("511502", "511504")[0] == 0.7           # 翠屏区 ~ 叙州区 (宜宾市)
    assert proximity("511502", "510115")[0] == 0.4           # 翠屏区 ~ 温江区 (四川省)
    assert proximity(None, "510115") == (0.0, "")
    assert proximity("511500", "511502") == (0.7, "同在宜宾市")  # need at city level


def test_newcomers_start_fair() -> None:
    new = Scientist(external_id="n", name="新", offers_received=0)
    good = Scientist(external_id="g", name="好", offers_received=30, offers_accepted=27,
                     rating_sum=135, rating_count=27, response_seconds_total=27 * 3600)
    bad = Scientist(external_id="b", name="差", offers_received=30, offers_accepted=2)
    lucky = Scientist(external_id="l", name="运", offers_received=1, offers_accepted=1,
                      rating_sum=5, rating_count=1)
    scores = {s.external_id: track_record(s)[0] for s in (new, good, bad, lucky)}
    assert scores["b"] < scores["n"] < scores["g"]
    assert scores["l"] < scores["g"]  # one lucky accept does not beat a long record



PEST_NEED = "翠屏区这边李子刚谢花，小果子就掉一地，掰开里头有白色小虫子，咋个打药"
POSTHARVEST = [
    {"id": "s-mango-1", "name": "汪德林", "discipline": "果树栽培",
     "directions": ["晚熟芒果花果调控", "芒果细菌性角斑病防控", "芒果园水肥一体化"],
     "services": ["现场指导"], "region": "攀枝花市米易县"},
    {"id": "s-mango-2", "name": "马晓东", "discipline": "果树栽培",
     "directions": ["芒果品种结构调整", "芒果高接换种", "芒果病虫害统防统治"],
     "services": ["现场指导"], "region": "攀枝花市仁和区"},
    {"id": "s-post", "name": "袁红", "discipline": "农产品加工",
     "directions": ["猕猴桃果酒果醋", "果蔬干制", "农产品冷链保鲜"],
     "services": ["技术咨询"], "region": "雅安市雨城区"},
]


def test_problem_concepts_and_the_closest_direction_are_features_with_reasons(
        ranker: Ranker) -> None:
    need = extract_need(PEST_NEED)
    first = ranker.rank(need, k=5)[0]
    assert first.scientist_id == "s-pest"
    assert any(r.startswith("问题对口：") and "虫害" in r for r in first.reasons)
    feats = {f.sci.external_id: f.values for f in ranker.features(need)}
    # 虫害 and 打药 are in the pest expert's lines, in none of the soil experts'
    assert feats["s-pest"]["concept"] > 0 and feats["s-soil-cp"]["concept"] == 0
    assert feats["s-pest"]["direction"] == 1.0  # 李子病虫害绿色防控 is the closest line


def test_the_problem_expert_gains_on_the_growers_of_the_crop(
        pool: Engine, settings: Settings, clock: ManualClock, tmp_path: Path) -> None:
    """"软掉" and "保鲜" are 采后保鲜, which only the post-harvest expert does; the mango
    growers share the crop (and 黑斑, a disease, with one of them). Without the two features
    the crop words leave the post-harvest expert far behind; with them it gains."""
    from dataclasses import replace

    from knowledge.importers import import_file
    from retrieval.index import SearchIndex
    from retrieval.search import Searcher

    import_file(pool, "scientists", write_jsonl(tmp_path / "post.jsonl", POSTHARVEST))
    index = SearchIndex(pool, settings)
    index.sync_all()
    ranker = Ranker(Searcher(index), pool, settings, clock)
    feats = ranker.features(extract_need("芒果想发东北，到了就软掉起黑斑，想找人搞保鲜"))
    values = {f.sci.external_id: f.values for f in feats}
    assert values["s-post"]["concept"] > values["s-mango-1"]["concept"] > 0  # 病害 only
    assert values["s-mango-2"]["concept"] > 0

    def share(weights: RankWeights) -> float:
        scores = {c.scientist_id: c.score for c in ranker.score(feats, 10, weights)}
        return scores["s-post"] / max(scores.values())

    blind = replace(ranker.w, concept=0.0, direction=0.0)
    assert share(ranker.w) > share(blind) * 1.3
    post = next(c for c in ranker.score(feats, 10) if c.scientist_id == "s-post")
    assert "问题对口：采后保鲜" in post.reasons


@pytest.mark.parametrize(("received", "accepted", "ratings", "said"), [
    (0, 0, (), ""),                    # a newcomer: nothing to say, nothing held against them
    (3, 0, (), ""),                    # "接单率 0%" is no reason to choose anyone
    (5, 4, (), "接单率 80%"),
    (5, 1, (5, 4), "评分 4.5"),
    (4, 4, (2,), "接单率 100%"),       # a poor rating is not offered as a reason either
])
def test_track_record_is_a_reason_only_when_it_speaks_for_them(
        received: int, accepted: int, ratings: tuple[int, ...], said: str) -> None:
    sci = Scientist(external_id="x", name="x", offers_received=received,
                    offers_accepted=accepted, rating_sum=sum(ratings),
                    rating_count=len(ratings))
    assert track_record(sci)[1] == said


def test_a_confidential_need_never_goes_to_a_rival_firms_employee(
        pool: Engine, index: SearchIndex, settings: Settings, tmp_path: Path) -> None:
    from knowledge.importers import import_file

    rivals = [
        {"id": "s-pickle-rival", "name": "钱工", "discipline": "食品科学",
         "directions": ["泡菜发酵工艺", "袋装泡菜胀袋控制"], "services": ["工艺诊断"],
         "region": "眉山市东坡区", "organization": "眉山某泡菜食品有限公司"},
        {"id": "s-pickle-uni", "name": "郑教授", "discipline": "食品科学",
         "directions": ["泡菜发酵工艺", "袋装泡菜胀袋控制"], "services": ["工艺诊断"],
         "region": "成都市温江区", "organization": "四川农业大学食品学院"},
    ]
    import_file(pool, "scientists", write_jsonl(tmp_path / "rivals.jsonl", rivals))
    index.sync_all()
    ranker = Ranker(Searcher(index), pool, settings)
    open_need = extract_need("我们是泡菜厂，袋装泡菜出厂两周就胀袋，想请专家来厂里诊断")
    secret = extract_need("我们是泡菜厂，袋装泡菜出厂两周就胀袋，涉及配方，只给专家看，不要公开")
    assert secret.confidentiality == "experts_only" and "泡菜" in secret.products
    shown = [c.scientist_id for c in ranker.rank(open_need, k=5)]
    assert {"s-pickle-rival", "s-pickle-uni"} <= set(shown)  # both fit the problem
    kept = [c.scientist_id for c in ranker.rank(secret, k=5)]
    assert "s-pickle-rival" not in kept and "s-pickle-uni" in kept


def test_a_reason_names_the_line_about_the_same_problem_when_no_word_is_shared() -> None:
    from matching.concepts import concepts
    from matching.rank import _concept_line

    team = Scientist(external_id="t", name="李子团队",
                     directions=["李树病虫害绿色防控", "李园土壤改良"], services=["果园诊断"])
    wanted = concepts("两百亩李子树叶子发黄、果子小，土挖起来硬邦邦的")
    assert _concept_line(team, wanted) == ("研究方向", "李园土壤改良")
    assert _concept_line(team, frozenset()) is None


def test_when_the_one_real_expert_takes_no_work_no_weak_candidate_is_offered(
        ranker: Ranker, pool: Engine) -> None:
    """The relevance floor for offers counts experts who take no work now: with the liquor
    expert away, a baijiu need goes to staff, not to a soil or battery expert."""
    need = extract_need("泸州的白酒厂窖泥老化，浓香型白酒香味变淡，想请专家诊断窖泥微生物")
    assert ids(ranker.rank(need, k=5, for_offers=True))[:1] == ["s-wine"]
    with Session(pool) as s, s.begin():
        s.execute(update(Scientist).where(Scientist.external_id == "s-wine")
                  .values(available=False))
    ranker.searcher.index.sync("scientists")
    assert ranker.rank(need, k=5, for_offers=True) == []
    assert ids(ranker.rank(need, k=5))[0] == "s-wine"  # the preview still names him


JASMINE = [
    {"id": "s-jasmine", "name": "宁晓霞", "discipline": "经济作物",
     "directions": ["茉莉花标准化栽培", "茉莉花茶窨制", "茉莉花越冬保护"],
     "services": ["加工咨询"], "region": "乐山市犍为县",
     "organization": "犍为县茉莉花产业发展中心"},
    {"id": "s-tea-1", "name": "高建国", "discipline": "茶学",
     "directions": ["名优绿茶加工", "茶园有机转换"], "services": ["技术培训"],
     "region": "雅安市名山区", "organization": "名山区茶业发展中心"},
    {"id": "s-tea-2", "name": "朱华", "discipline": "茶学",
     "directions": ["高山绿茶加工", "富硒茶标准化生产"], "services": ["技术培训"],
     "region": "达州市万源市", "organization": "万源市茶叶局"},
    {"id": "s-chip", "name": "王振宇", "discipline": "集成电路",
     "directions": ["模拟芯片设计", "电源管理芯片"], "services": ["联合研发"],
     "region": "乐山市犍为县", "organization": "犍为某电子公司"},
]


def test_the_countys_own_expert_of_the_field_is_found_without_a_shared_word(
        pool: Engine, settings: Settings, clock: ManualClock, tmp_path: Path) -> None:
    """A farmer of 犍为 says "小白花" for the county's 茉莉花: no word is shared with the county
    centre's expert, so the word pool can miss him. The county's experts nearest the need are
    fetched as well, and one of the need's field (not the county's chip designer) gains."""
    from dataclasses import replace

    from knowledge.importers import import_file

    import_file(pool, "scientists", write_jsonl(tmp_path / "jasmine.jsonl", JASMINE))
    index = SearchIndex(pool, settings)
    index.sync_all()
    need = extract_need("犍为的，自家种的小白花拿来跟绿茶一层一层拌起熏香，熏出来香味不持久")
    narrow = replace(RankWeights(), pool=2)  # a word pool too small to reach him
    with_county = Ranker(Searcher(index), pool, settings, clock, narrow)
    without = Ranker(Searcher(index), pool, settings, clock, replace(narrow, local_pool=0))
    assert "s-jasmine" not in ids(without.rank(need, k=10))
    found = {c.scientist_id: c for c in with_county.rank(need, k=10)}
    assert found["s-jasmine"].features["local"] > 0
    assert "同在乐山市犍为县" in found["s-jasmine"].reasons
    # the county's chip designer is fetched too, and gains nothing: not the need's field
    assert found["s-chip"].features["local"] == 0
    # the bonus brings the county's expert nearer the leader than place alone would
    full = Ranker(Searcher(index), pool, settings, clock)
    feats = full.features(need)

    def share(weights: RankWeights) -> float:
        scores = {c.scientist_id: c.score for c in full.score(feats, 10, weights)}
        return scores["s-jasmine"] / max(scores.values())

    assert share(full.w) > share(replace(full.w, local=0.0)) + 0.1


STAND_INS = [
    {"id": "s-dentist", "name": "口腔专家", "discipline": "口腔医学",
     "directions": ["口腔种植", "口腔修复材料"], "services": ["技术指导"],
     "region": "成都市武侯区", "organization": "某口腔医院"},
    {"id": "s-lung", "name": "尘肺专家", "discipline": "临床医学",
     "directions": ["尘肺病诊治", "职业健康监护"], "services": ["技术指导"],
     "region": "攀枝花市东区", "organization": "攀枝花市职业病防治院"},
    {"id": "s-jujube", "name": "枣树专家", "discipline": "果树栽培",
     "directions": ["枣树避雨栽培", "枣裂果防控"], "services": ["现场指导"],
     "region": "德阳市罗江区", "organization": "德阳市农业科学院"},
    {"id": "s-jasmine2", "name": "茉莉专家", "discipline": "经济作物",
     "directions": ["茉莉花越冬保护", "茉莉花茶窨制"], "services": ["现场指导"],
     "region": "乐山市犍为县", "organization": "犍为县茉莉花产业中心"},
]


@pytest.mark.parametrize(("text", "wrong"), [
    # 口子 is a crack, not 口腔
    ("种的脆枣，一到转红遇到下雨，果子就炸口子，一炸就烂，搭个棚子划不划得着", "s-dentist"),
    # 枝枝 are twigs: no stand-in may be the city 攀枝花 (its clinic's address)
    ("种的香喷喷的小白花，前几天降温好多枝枝冻黑了，还救得回来不", "s-lung"),
])
def test_stand_ins_for_unknown_words_are_no_parts_and_no_places(
        pool: Engine, settings: Settings, clock: ManualClock, tmp_path: Path,
        text: str, wrong: str) -> None:
    from knowledge.importers import import_file

    import_file(pool, "scientists", write_jsonl(tmp_path / "stand_ins.jsonl", STAND_INS))
    index = SearchIndex(pool, settings)
    index.sync_all()
    ranker = Ranker(Searcher(index), pool, settings, clock)
    feats = {f.sci.external_id: f for f in ranker.features(extract_need(text))}
    # the wrong expert shares no word with the need: he gets no word evidence at all
    assert wrong not in feats or feats[wrong].values["sparse"] == 0.0
