"""Dense vectors in Chroma: embedded `PersistentClient` by default, `HttpClient` with CHROMA_URL.

Chroma holds only ids, vectors and filter metadata; texts stay in the store (the system of
record) and in the sparse index, so the whole collection can be rebuilt at any time.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

log = logging.getLogger(__name__)
_ADD_BATCH = 2000


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

    def reset(self) -> None:
        self._client.delete_collection(self.name)
        self._col = self._client.get_or_create_collection(
            self.name, metadata={"hnsw:space": "cosine"}, embedding_function=None)

    def count(self) -> int:
        return int(self._col.count())

    def upsert(self, ids: Sequence[str], vectors: np.ndarray,
               metadatas: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(ids), _ADD_BATCH):
            end = start + _ADD_BATCH
            self._col.upsert(ids=list(ids[start:end]), embeddings=vectors[start:end],
                             metadatas=list(metadatas[start:end]))

    def delete_where(self, where: dict[str, Any]) -> None:
        self._col.delete(where=where)

    def query(self, vector: np.ndarray, k: int,
              where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """Nearest ids with cosine similarity (1 - cosine distance), best first."""
        n = min(k, self.count())
        if n <= 0:
            return []
        res = self._col.query(query_embeddings=vector.reshape(1, -1), n_results=n,
                              where=where or None, include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0],
                                                     strict=True)]
