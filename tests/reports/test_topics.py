"""Unmet-topic clustering: same topic together, different topics apart, places ignored."""

from __future__ import annotations

from sqlalchemy import Engine

from reports.topics import NEED, QUESTION, TopicItem, cluster, terms_of, unmet_topics
from reports.weeks import parse_week

from .conftest import CUIPING, XUZHOU, YIBIN, Seeded

KIWI = ["猕猴桃溃疡病怎么防治", "我们蒲江的猕猴桃得了溃疡病咋办", "猕猴桃溃疡病用什么药好",
        "奇异果溃疡病流红水了"]
PLUM = ["李子树流胶怎么回事", "翠屏区李子流胶病咋个治", "李子树干冒胶了", "李子流胶严重吗"]
QUAKE = ["地震来了往哪里躲", "地震的时候在屋头躲哪里安全", "晚上地震了怎么逃生"]


def items(*groups: list[str]) -> list[TopicItem]:
    out, i = [], 0
    for group in groups:
        for text in group:
            i += 1
            out.append(TopicItem(QUESTION, i, text, CUIPING if i % 2 else XUZHOU))
    return out


def ids_of(cluster_list: list, label_term: str) -> set[int]:  # type: ignore[type-arg]
    found = [c for c in cluster_list if label_term in c.terms]
    assert len(found) == 1, [c.label for c in cluster_list]
    return set(found[0].question_ids)


def test_same_topic_together_different_topics_apart() -> None:
    clusters = cluster(items(KIWI, PLUM, QUAKE), limit=None)
    assert ids_of(clusters, "溃疡病") == {1, 2, 3, 4}  # 奇异果 is 猕猴桃 (synonym table)
    assert ids_of(clusters, "流胶") == {5, 6, 7, 8}  # 冒胶 is 流胶
    assert ids_of(clusters, "地震") == {9, 10, 11}
    assert len(clusters) == 3
    top = clusters[0]
    assert top.label in ("猕猴桃 · 溃疡病", "李子 · 流胶")
    assert top.count == 4 and top.questions == 4 and top.needs == 0
    assert top.regions == [("宜宾市", 4)]
    assert 1 <= len(top.examples) <= 3


def test_labels_never_name_places_or_question_words() -> None:
    for text in KIWI + PLUM:
        terms = terms_of(text)
        assert not {"蒲江", "翠屏区", "翠屏", "怎么", "咋办", "咋个"} & set(terms), terms


def test_deterministic_and_limit() -> None:
    data = items(KIWI, PLUM, QUAKE)
    first = [c.to_json() for c in cluster(data, limit=None)]
    assert first == [c.to_json() for c in cluster(data, limit=None)]
    assert [c.to_json() for c in cluster(data, limit=2)] == first[:2]
    assert cluster([], limit=5) == []


def test_a_broad_topic_splits_into_what_an_article_would_cover() -> None:
    pruning = [f"柑橘{x}" for x in ("冬天咋个修剪", "修剪留哪些枝", "什么时候修剪", "修剪要点")]
    yellow = [f"柑橘{x}" for x in ("叶子发黄", "老叶发黄掉叶", "新叶发黄是缺啥", "叶片发黄")]
    clusters = cluster(items(pruning, yellow), limit=None)
    labels = {c.label for c in clusters}
    assert "柑橘 · 修剪" in labels and "柑橘 · 发黄" in labels, labels


def test_from_the_store_questions_and_unmatched_needs(store: Engine, seeded: Seeded) -> None:
    wk = parse_week("2026-W46")
    clusters = unmet_topics(store, None, wk.start, wk.end, limit=None)
    plum = next(c for c in clusters if "流胶" in c.terms)
    assert plum.question_ids == sorted([seeded.question["q2"], seeded.question["q3"]])
    assert plum.need_ids == [seeded.need["n4"]]  # unmatched need, same topic
    assert (plum.count, plum.questions, plum.needs) == (3, 2, 1)
    assert plum.regions == [("宜宾市", 3)]
    kiwi = next(c for c in clusters if "溃疡病" in c.terms)
    assert kiwi.regions == [("成都市", 1), ("省级/未注明", 1)]
    # a county sees only its own; last week's abstained question (q7) is not this week's
    cuiping = unmet_topics(store, CUIPING, wk.start, wk.end)
    assert sorted(c for cl in cuiping for c in cl.question_ids) == [seeded.question["q2"]]
    city = unmet_topics(store, YIBIN, wk.start, wk.end)
    assert {q for cl in city for q in cl.question_ids} == {seeded.question["q2"],
                                                           seeded.question["q3"]}
    assert all(seeded.question["q7"] not in c.question_ids for c in clusters)
    assert NEED == "need"
