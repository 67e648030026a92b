"""Article vectors kept beside the index's docs cache, searched exactly in memory.

The vetted 科普 corpus is small (thousands of chunks, not the scientists' million), so keeping
its chunk and sentence vectors with the docs lets `kejiyun ask` answer without starting the
Chroma client (≈0.3 s of its cold start) and keeps the dense half of article search when a
Chroma server is down. Chroma still receives every vector: it stays the vector store of record
and the one the scientists' collection needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np


class VectorMirror:
    def __init__(self) -> None:
        self.vectors: dict[str, np.ndarray] = {}    # chunk id → its vector (float16)
        self.sentences: dict[str, np.ndarray] = {}  # chunk id → its sentences' vectors
        self._matrix: tuple[Sequence[str], np.ndarray] | None = None  # ids → stacked rows

    def clear(self) -> None:
        self.vectors.clear()
        self.sentences.clear()
        self._matrix = None

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        for i, v in zip(ids, vectors, strict=True):
            self.vectors[i] = np.asarray(v, dtype=np.float16)
        self._matrix = None

    def add_sentences(self, chunk_id: str, vectors: np.ndarray) -> None:
        self.sentences[chunk_id] = np.asarray(vectors, dtype=np.float16)

    def drop(self, chunk_ids: Iterable[str]) -> None:
        for i in chunk_ids:
            self.vectors.pop(i, None)
            self.sentences.pop(i, None)
        self._matrix = None

    def covers(self, chunk_ids: Iterable[str]) -> bool:
        """Whether every chunk has its vector here (an index written before the mirror, or
        one half-filled, is searched through Chroma instead)."""
        if self._matrix is not None and self._matrix[0] is chunk_ids:
            return True  # already stacked for exactly these ids
        ids = list(chunk_ids)
        return bool(ids) and all(i in self.vectors for i in ids)

    def search(self, vector: np.ndarray, k: int, ids: Sequence[str],
               mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Exact nearest chunks among `ids` (the sparse index's order, which `mask` follows),
        with cosine similarity, best first."""
        if self._matrix is None or self._matrix[0] is not ids:
            rows = [self.vectors[i] for i in ids]
            self._matrix = (ids, np.vstack(rows).astype(np.float32) if rows
                            else np.zeros((0, len(vector)), dtype=np.float32))
        matrix = self._matrix[1]
        if not len(matrix) or k <= 0:
            return []
        scores = matrix @ np.asarray(vector, dtype=np.float32)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(ids[j], float(scores[j])) for j in top if np.isfinite(scores[j])]

    # ---- on disk, inside the docs cache ----------------------------------------------------
    def state(self) -> dict[str, Any]:
        ids = list(self.vectors)
        sent_ids = [i for i in ids if i in self.sentences]
        counts = np.array([len(self.sentences[i]) for i in sent_ids], dtype=np.int32)
        dim = next(iter(self.vectors.values())).shape[0] if ids else 0
        return {
            "ids": ids,
            "matrix": np.vstack([self.vectors[i] for i in ids]) if ids
            else np.zeros((0, dim), dtype=np.float16),
            "sentence_ids": sent_ids,
            "sentence_counts": counts,
            "sentences": np.vstack([self.sentences[i] for i in sent_ids]) if sent_ids
            else np.zeros((0, dim), dtype=np.float16),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> VectorMirror:
        mirror = cls()
        mirror.vectors = dict(zip(state["ids"], state["matrix"], strict=True))
        ends = np.cumsum(state["sentence_counts"])
        starts = ends - state["sentence_counts"]
        mirror.sentences = {i: state["sentences"][s:e] for i, s, e in
                            zip(state["sentence_ids"], starts, ends, strict=True)}
        return mirror
