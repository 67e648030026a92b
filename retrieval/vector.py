"""Dense vectors in Chroma: embedded `PersistentClient` by default, `HttpClient` with CHROMA_URL.

Chroma holds only ids, vectors and filter metadata; texts stay in the store (the system of
record) and in the sparse index, so the whole collection can be rebuilt at any time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

log = logging.getLogger(__name__)
_ADD_BATCH = 2000
# Asking Chroma for its size costs as much as a query at 100,000 vectors; the size only caps
# n_results, so a few seconds' staleness (another worker's import) is harmless.
_COUNT_TTL = 10.0


def open_client(home: Path, url: str | None = None) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)  # no calls home from a closed network
    if url:
        parsed = urlparse(url)
        return chromadb.HttpClient(host=parsed.hostname or "127.0.0.1",
                                   port=parsed.port or (443 if parsed.scheme == "https" else 80),
                                   ssl=parsed.scheme == "https", settings=settings)
    path = home / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class VectorCollection:
    def __init__(self, client: Any, name: str) -> None:
        self._client = client
        self.name = name
        self._col = client.get_or_create_collection(
            name, metadata={"hnsw:space": "cosine"}, embedding_function=None)
        self._count: tuple[float, int] | None = None

    def reset(self) -> None:
        self._client.delete_collection(self.name)
        self._col = self._client.get_or_create_collection(
            self.name, metadata={"hnsw:space": "cosine"}, embedding_function=None)
        self._count = None

    def count(self, fresh: bool = True) -> int:
        now = time.monotonic()
        if fresh or self._count is None or now - self._count[0] > _COUNT_TTL:
            self._count = (now, int(self._col.count()))
        return self._count[1]

    def upsert(self, ids: Sequence[str], vectors: np.ndarray,
               metadatas: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(ids), _ADD_BATCH):
            end = start + _ADD_BATCH
            self._col.upsert(ids=list(ids[start:end]), embeddings=vectors[start:end],
                             metadatas=list(metadatas[start:end]))
        self._count = None

    def get(self, ids: Sequence[str]) -> list[np.ndarray]:
        """The stored vectors of `ids`, in that order; ids not stored are left out."""
        res = self._col.get(ids=list(ids), include=["embeddings"])
        found = dict(zip(res["ids"], res["embeddings"], strict=True))
        return [np.asarray(found[i]) for i in ids if i in found]

    def delete_where(self, where: dict[str, Any]) -> None:
        self._col.delete(where=where)
        self._count = None

    def query(self, vector: np.ndarray, k: int,
              where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """Nearest ids with cosine similarity (1 - cosine distance), best first."""
        n = min(k, self.count(fresh=False))
        if n <= 0:
            return []
        try:
            res = self._col.query(query_embeddings=vector.reshape(1, -1), n_results=n,
                                  where=where or None, include=["distances"])
        except Exception:  # noqa: BLE001 - the cached size was stale (rows deleted elsewhere)
            n = min(k, self.count())
            if n <= 0:
                return []
            res = self._col.query(query_embeddings=vector.reshape(1, -1), n_results=n,
                                  where=where or None, include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0],
                                                     strict=True)]
