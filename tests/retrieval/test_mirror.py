"""Article vectors mirrored beside the index: the same nearest chunks as Chroma, kept in step
with imports, copied once out of an index written before the mirror, and `kejiyun ask` never
starts the Chroma client."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from knowledge.importers import import_file
from retrieval.index import SearchIndex
from retrieval.search import Searcher

from ..support import ARTICLES, write_jsonl

QUESTIONS = ["李子园土壤酸化撒多少石灰", "果园地板结了怎么弄", "茶园叶蝉怎么治"]


def test_the_mirror_finds_what_chroma_finds(index: SearchIndex) -> None:
    state = index._state["articles"]
    assert index.mirror.covers(state.sparse.doc_ids)
    for question in QUESTIONS:
        vector = index.encoder.encode([question])[0]
        mirrored = index.dense("articles", vector, 3, {})
        chroma = index.collection("articles").query(vector, 3)
        assert [i for i, _ in mirrored] == [i for i, _ in chroma]
        assert np.allclose([s for _, s in mirrored], [s for _, s in chroma], atol=2e-3)


def test_sentence_vectors_come_from_the_mirror(index: SearchIndex) -> None:
    doc = next(iter(index.docs("articles").values()))
    stored = index.collection("sentences").get([f"{doc.id}/0"])[0]
    assert np.allclose(index.sentence_vectors(doc)[0], stored, atol=2e-3)


def test_the_mirror_follows_imports(corpus_store: Engine, index: SearchIndex,
                                    tmp_path: Path) -> None:
    new = {**ARTICLES[1], "id": "a-tea", "title": "茶小绿叶蝉的防治",
           "body": "茶小绿叶蝉吸食嫩芽汁液，使芽叶卷曲发黄。悬挂黄板诱杀成虫。",
           "tags": ["茶叶", "叶蝉"]}
    import_file(corpus_store, "articles", write_jsonl(tmp_path / "t.jsonl", [new]))
    index.sync("articles")
    assert "a-tea#0" in index.mirror.vectors
    hits = Searcher(index).search("articles", "茶园叶蝉怎么治", k=1, mode="dense")
    assert hits[0].id == "a-tea"


def test_an_index_written_before_the_mirror_is_filled_from_chroma(
        corpus_store: Engine, index: SearchIndex) -> None:
    path = index._cache_path("articles")
    with path.open("rb") as fh:
        cached = pickle.load(fh)
    cached.pop("mirror")  # as written before the mirror existed
    with path.open("wb") as fh:
        pickle.dump(cached, fh)
    again = SearchIndex(corpus_store, index.settings)
    assert again.sync("articles")["changed"] == 0  # copied, not re-encoded
    assert again.mirror.covers(d.id for d in again.docs("articles").values())
    with path.open("rb") as fh:
        assert pickle.load(fh)["mirror"] is not None  # kept from now on


def test_ask_never_imports_chromadb(corpus_store: Engine, index: SearchIndex,
                                    kejiyun_home: Path) -> None:
    script = (
        "import sys, json\n"
        "from core.settings import Settings\n"
        "from store.db import make_engine\n"
        "from retrieval.service import make_answerer, open_index\n"
        f"engine = make_engine({json.dumps('sqlite:///' + str(kejiyun_home / 'kejiyun.db'))})\n"
        "settings = Settings()\n"
        "answer = make_answerer(open_index(engine, settings, kinds=('articles',)), settings)"
        ".ask('李子园土壤酸化撒多少石灰')\n"
        "print(json.dumps({'cited': [c.article_id for c in answer.citations],"
        " 'chroma': 'chromadb' in sys.modules}))\n")
    env = {**os.environ, "KEJIYUN_HOME": str(kejiyun_home)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=env, check=True, cwd=Path(__file__).resolve().parents[2])
    said = json.loads(out.stdout.strip().splitlines()[-1])
    assert said == {"cited": ["a-acid"], "chroma": False}
