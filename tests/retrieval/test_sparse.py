"""BM25's bridge from query words the index does not know to the words it does."""

from __future__ import annotations

from retrieval.sparse import SparseIndex


def _index() -> SparseIndex:
    docs = {
        "silk": ["家蚕", "蚕病", "防控", "小蚕", "共育"],
        "rabbit": ["肉兔", "兔舍", "环境", "控制"],
        "beancurd": ["隆昌豆杆", "保鲜", "作坊"],
        "tea": ["茶叶", "加工", "绿茶"],
        "tobacco": ["烟叶", "晾制", "叶片"],
        "dentist": ["口腔", "口腔医学", "种植"],
        "trade": ["农村电商", "乡村振兴", "桑枝", "荔枝"],
    }
    return SparseIndex(list(docs), list(docs.values()))


def test_unknown_words_reach_the_documents_that_say_them_otherwise() -> None:
    index = _index()
    assert set(index.bridge(["蚕子"])) == {"家蚕", "蚕病", "小蚕"}  # a noun with 子
    assert set(index.bridge(["养兔"])) == {"肉兔", "兔舍"}          # a noun after 养
    assert index.bridge(["兔舍头"]) == ["兔舍"]                     # a known piece
    assert index.bridge(["豆杆"]) == ["隆昌豆杆"]                   # a known word holding it
    # and the bridge finds the documents the plain words miss
    assert index.search(["蚕子", "死"], 3) == []
    assert index.search(["蚕子", "死", *index.bridge(["蚕子", "死"])], 3)[0][0] == "silk"


def test_known_words_parts_and_common_characters_are_left_alone() -> None:
    index = _index()
    assert index.bridge(["绿茶", "兔舍"]) == []       # known already
    assert index.bridge(["叶子", "肚子", "边边"]) == []  # parts, not subjects
    # a crack in a fruit, twigs and a village name no field either
    assert index.bridge(["口子", "枝枝", "村子"]) == []
    assert index.bridge(["一"]) == []                  # single characters are not bridged
    crowded = SparseIndex([f"d{i}" for i in range(20)], [[f"蚕{i}号"] for i in range(20)])
    assert crowded.bridge(["蚕子"]) == []  # a character in twenty words says nothing
