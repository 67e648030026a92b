"""Hybrid search over real Chroma and BM25, kept in step with the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.errors import BadInput
from core.settings import Settings
from knowledge.importers import import_file
from retrieval.chunking import chunk_article
from retrieval.index import SearchIndex
from retrieval.search import Searcher
from retrieval.vector import open_client

from ..support import ARTICLES, CORPUS_SCIENTISTS, write_jsonl


def test_chunks_end_on_sentence_boundaries() -> None:
    body = ARTICLES[0]["body"] * 3
    chunks = chunk_article("a", body)
    assert len(chunks) > 1
    assert all(c.text[-1] in "。！？；\n" for c in chunks[:-1])
    assert all(len(c.text) <= 260 for c in chunks)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "sparse"])
def test_each_mode_finds_the_article_that_answers(searcher: Searcher, mode: str) -> None:
    hits = searcher.search("articles", "李子园土壤酸化了怎么改良", k=3, mode=mode)
    assert hits and hits[0].id == "a-acid"


def test_only_vetted_articles_are_indexed(index: SearchIndex, searcher: Searcher) -> None:
    assert {d.parent for d in index.docs("articles").values()} == {"a-acid", "a-hard", "a-pest"}
    assert all(h.id != "a-draft" for h in searcher.search("articles", "猕猴桃溃疡病", k=5))


def test_scientist_filters_region_subtree_and_availability(searcher: Searcher) -> None:
    all_soil = [h.id for h in searcher.search("scientists", "土壤酸化改良", k=5)]
    assert set(all_soil[:2]) == {"s-soil", "s-soil2"}
    yibin = [h.id for h in searcher.search("scientists", "土壤酸化改良", k=5, region="宜宾市")]
    assert yibin == ["s-soil"]
    assert [h.id for h in searcher.search("scientists", "白酒窖泥", k=5)][:1] == ["s-wine"]
    assert "s-wine" not in [h.id for h in searcher.search("scientists", "白酒窖泥", k=5,
                                                          available_only=True)]
    with pytest.raises(BadInput):
        searcher.search("scientists", "土壤", region="火星市")


def test_a_scientists_name_is_no_word_of_their_expertise(searcher: Searcher) -> None:
    """"牛" in a dairy farmer's need must not find 牛海军 the chemical engineer: names are shown
    with the hits but never searched."""
    assert searcher.search("scientists", "孙涛", k=5, mode="sparse") == []
    hit = searcher.search("scientists", "白酒窖泥", k=1)[0]
    assert (hit.id, hit.title) == ("s-wine", "孙涛")


def test_index_follows_imports_and_survives_restart(
    corpus_store: Engine, index: SearchIndex, tmp_path: Path, kejiyun_home: Path
) -> None:
    new = {**ARTICLES[1], "id": "a-tea", "title": "茶小绿叶蝉的防治",
           "body": "茶小绿叶蝉吸食嫩芽汁液，使芽叶卷曲发黄。悬挂黄板诱杀成虫，"
                   "虫口多时选用低毒药剂，采摘前遵守安全间隔期。", "tags": ["茶叶", "叶蝉"]}
    import_file(corpus_store, "articles", write_jsonl(tmp_path / "t.jsonl", [new]))
    assert index.sync("articles")["changed"] == 1
    assert Searcher(index).search("articles", "茶园叶蝉怎么治", k=1)[0].id == "a-tea"
    # a fresh process loads the same index from KEJIYUN_HOME without re-embedding
    again = SearchIndex(corpus_store, index.settings)
    assert again.sync("articles")["changed"] == 0
    assert Searcher(again).search("articles", "茶园叶蝉怎么治", k=1)[0].id == "a-tea"



def test_tokens_are_cached_and_only_changed_profiles_are_tokenised_again(
    corpus_store: Engine, index: SearchIndex, tmp_path: Path
) -> None:
    """At a million profiles tokenising every chunk takes minutes: a worker starting from the
    cache, or syncing one edited profile, tokenises only what is new — and an edited profile
    is found by its new words, never by its old ones."""
    calls: list[str] = []

    def counting(tok):  # type: ignore[no-untyped-def]
        plain = tok.tokenize

        def tokenize(text: str) -> list[str]:
            calls.append(text)
            return plain(text)
        tok.tokenize = tokenize

    again = SearchIndex(corpus_store, index.settings)
    counting(again.tokenizer)
    assert again.sync("scientists")["changed"] == 0 and calls == []  # from the cache
    wine = next(s for s in CORPUS_SCIENTISTS if s["id"] == "s-wine")
    edited = {**wine, "available": True, "directions": ["魔芋软腐病防治"]}
    import_file(corpus_store, "scientists", write_jsonl(tmp_path / "s.jsonl", [edited]))
    assert again.sync("scientists")["changed"] == 1
    # only the edited profile's text (a name is never indexed: it says nothing of the work)
    assert calls and all("魔芋软腐病防治" in text and "孙涛" not in text for text in calls)
    finder = Searcher(again)
    assert [h.id for h in finder.search("scientists", "魔芋软腐病", k=1, mode="sparse")] \
        == ["s-wine"]
    assert "s-wine" not in [h.id for h in finder.search("scientists", "窖泥微生物", k=5,
                                                         mode="sparse")]


ODD = ["", "   ", "😀😀😀", "土" * 10_000, "How do I fix acidic soil in a plum orchard?",
       "李子園土壤酸化怎麼辦", "？？？！！", "<script>alert(1)</script>"]


@pytest.mark.parametrize("query", ODD)
def test_odd_queries_never_crash(searcher: Searcher, query: str) -> None:
    hits = searcher.search("articles", query, k=3)
    assert isinstance(hits, list)
    if query.startswith("李子園"):  # traditional characters are folded to simplified
        assert hits[0].id == "a-acid"


def test_chroma_server_over_http(corpus_store: Engine, chroma_server: str,
                                 kejiyun_home: Path) -> None:
    settings = Settings(KEJIYUN_HOME=kejiyun_home / "http", CHROMA_URL=chroma_server)
    client = open_client(settings.kejiyun_home, settings.chroma_url)
    assert type(client).__name__ != "PersistentClient" and client.heartbeat()
    idx = SearchIndex(corpus_store, settings, chroma_client=client)
    idx.sync_all(force=True)
    assert idx.collection("articles").count() == sum(
        len(chunk_article(a["id"], a["body"])) for a in ARTICLES if a["status"] == "vetted")
    hits = Searcher(idx).search("articles", "果园地板结了怎么弄", k=1, mode="dense")
    assert hits[0].id == "a-hard"


def test_changing_the_encoder_rebuilds_the_index(
    corpus_store: Engine, index: SearchIndex
) -> None:
    class Tiny:
        """A stand-in encoder with another name and dimension (hashing, deterministic)."""

        name, dim = "tiny-hash", 16

        def encode(self, texts: list[str]):  # type: ignore[no-untyped-def]
            import numpy as np

            out = np.zeros((len(texts), self.dim), dtype=np.float32)
            for i, t in enumerate(texts):
                for ch in t:
                    out[i, hash(ch) % self.dim] += 1.0
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            return out / np.where(norms == 0, 1, norms)

    other = SearchIndex(corpus_store, index.settings, encoder=Tiny())
    result = other.sync("articles")
    assert result["changed"] == result["docs"] > 0  # rebuilt, not reused with 512-d vectors
    hits = Searcher(other).search("articles", "李子园土壤酸化", k=1, mode="sparse")
    assert hits[0].id == "a-acid"


def test_a_binding_code_is_never_read_as_a_typo() -> None:
    """"zj" typed alone is 专家; inside a code of letters and digits ("Y3B5ZJ2J", one code in
    a thousand has ZJ) it stays as typed, or "绑定 Y3B5ZJ2J" binds nobody."""
    from retrieval.tokenize import plain

    assert plain("想找个zj来看下") == "想找个专家来看下"
    for code in ("Y3B5ZJ2J", "9ZJ54HFW", "FTBRM3ZJ", "ZJ8KQ2MN"):
        assert plain(f"绑定 {code}") == f"绑定 {code}"
