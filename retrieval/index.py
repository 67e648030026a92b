"""The search index, derived from the store: dense vectors in Chroma plus BM25 in memory.

`sync(kind)` keeps it in step with the store: rows whose `updated_at` is newer than the last
sync are re-embedded; if rows disappeared, the encoder changed or the index is missing, the
kind is rebuilt from scratch (`kejiyun reindex` forces that). A manifest under
KEJIYUN_HOME/index records the store signature each kind was built from.
"""

from __future__ import annotations

import json
import logging
import pickle
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from prometheus_client import Counter
from sqlalchemy import Engine, func, select

from core.settings import Settings
from retrieval.chunking import sentences
from retrieval.documents import KINDS, Doc, indexable, iter_docs
from retrieval.encoders import Encoder, TextVectorCache, get_encoder
from retrieval.mirror import VectorMirror
from retrieval.sparse import SparseIndex
from retrieval.tokenize import Tokenizer
from retrieval.vector import VectorCollection, open_client
from store.models import Article, Scientist

log = logging.getLogger(__name__)
_MODELS: dict[str, Any] = {"articles": Article, "scientists": Scientist}
_EMBED_BATCH = 512
# bumped when what the index stores changes, so an older index on disk is rebuilt once
_LAYOUT = 3
# article chunks whose sentence vectors stay in memory once read (about 10 KB each)
_SENTENCE_CACHE = 20_000
_VECTOR_RETRY_SECONDS = 5.0
# Searches answered without the vector store (Chroma unreachable): BM25 alone.
VECTOR_DEGRADED = Counter("kejiyun_vector_degraded_searches_total",
                          "Searches that ran on BM25 alone because the vector store failed.")


def _signature(engine: Engine, kind: str) -> dict[str, Any]:
    """How many rows the index should hold, and the newest change among all rows."""
    model = _MODELS[kind]
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(model)
                             .where(*indexable(kind))).scalar_one()
        newest = conn.execute(select(func.max(model.updated_at))).scalar_one()
    return {"count": int(count), "newest": newest.isoformat() if newest else None}


def _corpus_terms(engine: Engine, limit: int = 20_000) -> set[str]:
    """Article tags and scientists' discipline labels: the corpus's own vocabulary, so words
    such as 蜂糖李 or 钒电池 stay whole in BM25. Bounded, so huge stores stay cheap."""
    terms: set[str] = set()
    try:
        with engine.connect() as conn:
            for tags in conn.execute(select(Article.tags).limit(limit)).scalars():
                terms.update(t for t in tags or [] if isinstance(t, str))
            terms.update(conn.execute(select(Scientist.discipline).distinct()
                                      .limit(limit)).scalars())
    except Exception:  # noqa: BLE001 - an empty or unmigrated store just has no terms yet
        log.debug("no corpus terms available yet", exc_info=True)
    return {t for t in terms if t and 2 <= len(t) <= 8}


class _KindState:
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}
        self.sparse: SparseIndex | None = None
        # jieba tokens per chunk as ids in `vocab`, kept (and cached on disk) so that a change
        # to a few profiles or a worker's start-up does not tokenise a million chunks again;
        # int32 ids, as lists of str would cost over a gigabyte per million chunks
        self.vocab: dict[str, int] = {}
        self.tokens: dict[str, np.ndarray] = {}
        self.positions: dict[str, int] = {}
        self.meta_arrays: dict[str, np.ndarray] = {}
        self.masks: dict[tuple[tuple[str, Any], ...], np.ndarray] = {}  # filter → mask


class SearchIndex:
    def __init__(self, engine: Engine, settings: Settings, encoder: Encoder | None = None,
                 chroma_client: Any = None) -> None:
        self.engine = engine
        self.settings = settings
        self.encoder = encoder or get_encoder(settings.embedding_model)
        # scientists' directions, encoded one by one for the ranker as candidates come up
        self.line_vectors = TextVectorCache(self.encoder)
        self.dir = settings.kejiyun_home / "index"
        self.dir.mkdir(parents=True, exist_ok=True)
        # opened on first use: `kejiyun ask` searches the mirrored article vectors only and
        # never pays for starting the Chroma client
        self._chroma = chroma_client
        self.tokenizer = Tokenizer(_corpus_terms(engine), cache_dir=self.dir / "jieba")
        self._state = {k: _KindState() for k in KINDS}
        self._collections: dict[str, VectorCollection] = {}
        self._lock = threading.RLock()
        self._vector_down_until = 0.0
        self._sentence_cache: dict[str, np.ndarray] = {}  # chunk id → its sentence vectors
        self.mirror = VectorMirror()  # the articles' chunk and sentence vectors, in memory
        self._mirror_filled = False

    @property
    def _client(self) -> Any:
        if self._chroma is None:
            self._chroma = open_client(self.settings.kejiyun_home, self.settings.chroma_url)
        return self._chroma

    # ---- structure -------------------------------------------------------------------------
    def collection(self, kind: str) -> VectorCollection:
        """`articles`, `scientists`, or `sentences`: each article chunk's sentences, encoded at
        index time so that composing an answer never encodes text per question."""
        if kind not in self._collections:
            self._collections[kind] = VectorCollection(self._client, f"kejiyun_{kind}")
        return self._collections[kind]

    def _manifest_path(self) -> Path:
        return self.dir / "manifest.json"

    def _manifest(self) -> dict[str, Any]:
        try:
            return json.loads(self._manifest_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _save_manifest(self, kind: str, sig: dict[str, Any]) -> None:
        manifest = self._manifest()
        manifest[kind] = {**sig, "encoder": self.encoder.name, "layout": _LAYOUT}
        tmp = self._manifest_path().with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self._manifest_path())

    def _cache_path(self, kind: str) -> Path:
        return self.dir / f"{kind}.docs.pkl"

    # ---- keeping in step with the store ----------------------------------------------------
    def sync(self, kind: str, force: bool = False) -> dict[str, int]:
        with self._lock:
            sig = _signature(self.engine, kind)
            entry = self._manifest().get(kind)
            state = self._state[kind]
            if (force or not entry or entry.get("encoder") != self.encoder.name
                    or entry.get("layout") != _LAYOUT):
                return self._rebuild(kind, sig)
            if not state.docs and not self._load_cache(kind, entry):
                return self._rebuild(kind, sig)
            if self._mirror_filled:  # keep the copied vectors with the docs from now on
                self._mirror_filled = False
                self._save_cache(kind)
            if sig == {"count": entry["count"], "newest": entry["newest"]}:
                if state.sparse is None:
                    self._build_sparse(kind)
                return {"changed": 0, "docs": len(state.docs)}
            return self._update(kind, sig, entry)

    def sync_all(self, force: bool = False) -> dict[str, dict[str, int]]:
        return {kind: self.sync(kind, force) for kind in KINDS}

    def _rebuild(self, kind: str, sig: dict[str, Any]) -> dict[str, int]:
        log.info("rebuilding %s index", kind)
        col = self.collection(kind)
        col.reset()
        if kind == "articles":
            self.collection("sentences").reset()
            self._sentence_cache.clear()
            self.mirror.clear()
        state = self._state[kind]
        state.docs, state.tokens, state.vocab = {}, {}, {}
        batch: list[Doc] = []
        for doc in iter_docs(self.engine, kind):
            batch.append(doc)
            if len(batch) >= _EMBED_BATCH:
                self._embed_and_add(kind, batch)
                batch = []
        self._embed_and_add(kind, batch)
        self._build_sparse(kind)
        self._save_cache(kind)
        self._save_manifest(kind, sig)
        return {"changed": len(state.docs), "docs": len(state.docs)}

    def _update(self, kind: str, sig: dict[str, Any], entry: dict[str, Any]) -> dict[str, int]:
        model = _MODELS[kind]
        since = datetime.fromisoformat(entry["newest"]) if entry.get("newest") else None
        with self.engine.connect() as conn:
            stmt = select(model.external_id)
            if since is not None:
                stmt = stmt.where(model.updated_at > since.replace(tzinfo=None)
                                  if conn.dialect.name == "sqlite" else model.updated_at > since)
            parents = list(conn.execute(stmt).scalars())
        state = self._state[kind]
        col = self.collection(kind)
        for start in range(0, len(parents), 500):
            col.delete_where({"parent": {"$in": parents[start:start + 500]}})
            if kind == "articles":
                self.collection("sentences").delete_where(
                    {"parent": {"$in": parents[start:start + 500]}})
                self._sentence_cache.clear()  # an edited article's sentences changed
        stale = set(parents)
        if kind == "articles":
            self.mirror.drop(i for i, d in state.docs.items() if d.parent in stale)
        state.docs = {i: d for i, d in state.docs.items() if d.parent not in stale}
        state.tokens = {i: t for i, t in state.tokens.items() if i in state.docs}
        batch: list[Doc] = []
        for doc in iter_docs(self.engine, kind, parents):
            batch.append(doc)
            if len(batch) >= _EMBED_BATCH:
                self._embed_and_add(kind, batch)
                batch = []
        self._embed_and_add(kind, batch)
        if len({d.parent for d in state.docs.values()}) != sig["count"]:
            return self._rebuild(kind, sig)  # rows vanished or appeared unseen: start afresh
        self._build_sparse(kind)
        self._save_cache(kind)
        self._save_manifest(kind, sig)
        return {"changed": len(parents), "docs": len(state.docs)}

    def _embed_and_add(self, kind: str, docs: list[Doc]) -> None:
        if not docs:
            return
        vectors = self.encoder.encode([d.embed_text for d in docs])
        self.collection(kind).upsert([d.id for d in docs], vectors, [d.meta for d in docs])
        if kind == "articles":
            self.mirror.add([d.id for d in docs], vectors)
            ids, texts, metas, spans = [], [], [], []
            for d in docs:
                start = len(texts)
                for i, sentence in enumerate(sentences(d.text)):
                    ids.append(f"{d.id}/{i}")
                    texts.append(sentence)
                    metas.append({"parent": d.parent})
                spans.append((d.id, start, len(texts)))
            if ids:
                encoded = self.encoder.encode(texts)
                self.collection("sentences").upsert(ids, encoded, metas)
                for chunk_id, start, end in spans:
                    if end > start:
                        self.mirror.add_sentences(chunk_id, encoded[start:end])
        for d in docs:
            self._state[kind].docs[d.id] = d

    def _build_sparse(self, kind: str) -> None:
        state = self._state[kind]
        ids = list(state.docs)
        known, vocab = state.tokens, state.vocab
        rows: list[np.ndarray] = []
        for i in ids:
            row = known.get(i)
            if row is None:
                words = self.tokenizer.tokenize(state.docs[i].sparse_text)
                row = np.fromiter((vocab.setdefault(t, len(vocab)) for t in words),
                                  dtype=np.int32, count=len(words))
            rows.append(row)
        state.tokens = dict(zip(ids, rows, strict=True))
        state.sparse = SparseIndex.from_ids(ids, rows, vocab)
        self._index_meta(kind)

    def _index_meta(self, kind: str) -> None:
        """Positions and filter columns aligned with the sparse index's documents."""
        state = self._state[kind]
        ids = state.sparse.doc_ids if state.sparse is not None else []
        state.positions = {d: i for i, d in enumerate(ids)}
        keys = {k for d in state.docs.values() for k in d.meta}
        state.meta_arrays = {k: np.array([state.docs[i].meta.get(k) for i in ids], dtype=object)
                             for k in keys}
        state.masks = {}

    def _save_cache(self, kind: str) -> None:
        tmp = self._cache_path(kind).with_suffix(".tmp")
        state = self._state[kind]
        with tmp.open("wb") as fh:
            pickle.dump({"docs": list(state.docs.values()), "tokens": state.tokens,
                         "vocab": state.vocab, "tokenizer": self.tokenizer.signature,
                         "sparse": state.sparse.state() if state.sparse else None,
                         "mirror": self.mirror.state() if kind == "articles" else None}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(self._cache_path(kind))

    def _load_cache(self, kind: str, entry: dict[str, Any]) -> bool:
        try:
            with self._cache_path(kind).open("rb") as fh:
                cached = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            return False
        if not isinstance(cached, dict):  # written before tokens were cached
            cached = {"docs": cached}
        docs: list[Doc] = cached["docs"]
        if len({d.parent for d in docs}) != entry.get("count"):
            return False
        mirrored = False
        if kind == "articles" and cached.get("mirror") is not None:
            mirror = VectorMirror.from_state(cached["mirror"])
            if mirror.covers(d.id for d in docs):
                self.mirror, mirrored = mirror, True
        if not mirrored and self.collection(kind).count() != len(docs):
            return False
        state = self._state[kind]
        state.docs = {d.id: d for d in docs}
        if kind == "articles" and not mirrored:
            self._fill_mirror(docs)
            if self.mirror.covers(state.docs):
                self._mirror_filled = True
        if cached.get("tokenizer") == self.tokenizer.signature and "vocab" in cached:
            state.tokens = cached["tokens"]
            state.vocab = cached["vocab"]
            sparse = cached.get("sparse")
            if sparse is not None and sparse["doc_ids"] == list(state.docs):
                # the BM25 index as built: no rebuild, no bm25s import at start-up
                state.sparse = SparseIndex.from_state(sparse)
                self._index_meta(kind)
                return True
        self._build_sparse(kind)
        return True

    def _fill_mirror(self, docs: list[Doc]) -> None:
        """An index written before the mirror existed: copy the article vectors out of Chroma
        once (no re-encoding); the next save keeps them with the docs."""
        self.mirror.clear()
        try:
            for start in range(0, len(docs), _EMBED_BATCH):
                part = docs[start:start + _EMBED_BATCH]
                found = self.collection("articles").get([d.id for d in part])
                if len(found) != len(part):
                    self.mirror.clear()
                    return
                self.mirror.add([d.id for d in part], np.asarray(found))
                for d in part:
                    n = len(sentences(d.text))
                    vecs = self.collection("sentences").get([f"{d.id}/{i}" for i in range(n)])
                    if n and len(vecs) == n:
                        self.mirror.add_sentences(d.id, np.asarray(vecs))
        except Exception:  # noqa: BLE001 - Chroma down: searched through it later, as before
            log.warning("文章向量未能复制到本地 (article vectors not mirrored)", exc_info=True)
            self.mirror.clear()

    # ---- lookups ---------------------------------------------------------------------------
    def sentence_vectors(self, doc: Doc) -> np.ndarray:
        """Vectors of `sentences(doc.text)` of an article chunk, as stored at index time;
        encoded here only while the vector store is unreachable (or the chunk is missing)."""
        texts = sentences(doc.text)
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        kept = self.mirror.sentences.get(doc.id)
        if kept is None:
            kept = self._sentence_cache.get(doc.id)
        if kept is not None and len(kept) == len(texts):
            return kept.astype(np.float32)
        if not self.vector_down:
            try:
                found = self.collection("sentences").get([f"{doc.id}/{i}"
                                                          for i in range(len(texts))])
                if len(found) == len(texts):
                    vectors = np.asarray(found, dtype=np.float32)
                    if len(self._sentence_cache) >= _SENTENCE_CACHE:
                        self._sentence_cache.clear()
                    # the same articles answer many questions: keep their vectors (float16),
                    # and answer with the kept ones now too — the first asker and the next get
                    # the same scores, so the same sentences (no answer depends on who asked
                    # before)
                    kept = vectors.astype(np.float16)
                    self._sentence_cache[doc.id] = kept
                    return kept.astype(np.float32)
            except Exception as exc:  # noqa: BLE001 - degrade as dense search does
                self._vector_down_until = time.monotonic() + _VECTOR_RETRY_SECONDS
                VECTOR_DEGRADED.inc()
                log.warning("向量库不可用，句向量临时计算 (vector store unreachable): %s",
                            type(exc).__name__)
        return self.encoder.encode(texts)

    def docs(self, kind: str) -> dict[str, Doc]:
        return self._state[kind].docs

    def doc(self, kind: str, doc_id: str) -> Doc | None:
        return self._state[kind].docs.get(doc_id)

    def mask(self, kind: str, where: dict[str, Any]) -> np.ndarray | None:
        """Boolean mask over the sparse index for equality filters ({} → no mask)."""
        state = self._state[kind]
        if not where or state.sparse is None:
            return None
        key = tuple(sorted(where.items()))
        cached = state.masks.get(key)
        if cached is not None:
            return cached
        if len(state.masks) > 256:  # region filters are many; keep the cache bounded
            state.masks.clear()
        mask = np.ones(len(state.sparse), dtype=bool)
        for name, value in where.items():
            column = state.meta_arrays.get(name)
            if column is None:
                return np.zeros(len(state.sparse), dtype=bool)
            mask &= column == value
        state.masks[key] = mask
        return mask

    @property
    def vector_down(self) -> bool:
        """True while the vector store is failing: searches run on BM25 alone meanwhile."""
        return time.monotonic() < self._vector_down_until

    def dense(self, kind: str, vector: np.ndarray, k: int,
              where: dict[str, Any]) -> list[tuple[str, float]]:
        """Nearest chunks from Chroma — or nothing while Chroma is unreachable, so answers
        and matches go on with BM25 alone (degraded, flagged in the log and in /metrics)
        instead of failing. After a failure Chroma is left alone for a few seconds, then
        tried again: it comes back without anyone restarting the web process. Articles are
        searched in their in-memory mirror and need no Chroma at all."""
        state = self._state[kind]
        if kind == "articles" and state.sparse is not None and self.mirror.covers(
                state.sparse.doc_ids):
            return self.mirror.search(vector, k, state.sparse.doc_ids, self.mask(kind, where))
        if self.vector_down:
            VECTOR_DEGRADED.inc()
            return []
        try:
            return self._dense(kind, vector, k, where)
        except Exception as exc:  # noqa: BLE001 - any client/transport error: degrade
            self._vector_down_until = time.monotonic() + _VECTOR_RETRY_SECONDS
            VECTOR_DEGRADED.inc()
            log.warning("向量检索不可用，暂时只用关键词检索 (vector store unreachable, "
                        "BM25 only for %.0f s): %s", _VECTOR_RETRY_SECONDS,
                        type(exc).__name__)
            return []

    def _dense(self, kind: str, vector: np.ndarray, k: int,
               where: dict[str, Any]) -> list[tuple[str, float]]:
        col = self.collection(kind)
        if not where:
            return col.query(vector, k)
        mask = self.mask(kind, where)
        matching = int(mask.sum()) if mask is not None else 0
        if matching == 0:
            return []
        share = matching / len(mask)  # type: ignore[arg-type]
        if share >= 0.05:
            # Chroma's metadata pre-filter is slow when most rows pass (≈0.3 s at 100,000):
            # fetch more neighbours unfiltered and filter here instead.
            fetch = min(len(mask), int(k / share * 2) + 10)  # type: ignore[arg-type]
            state = self._state[kind]
            hits = [(i, s) for i, s in col.query(vector, fetch)
                    if i in state.positions and mask[state.positions[i]]]
            if len(hits) >= min(k, matching) or fetch >= len(mask):  # type: ignore[arg-type]
                return hits[:k]
        clauses = [{key: value} for key, value in where.items()]
        return col.query(vector, k, clauses[0] if len(clauses) == 1 else {"$and": clauses})

    def known_share(self, kind: str, tokens: list[str]) -> float:
        """Share of the query's words (two characters or more) that the indexed texts use."""
        state = self._state[kind]
        words = {t for t in tokens if len(t) >= 2}
        if not words or state.sparse is None:
            return 0.0
        return sum(state.sparse.knows(t) for t in words) / len(words)

    def token_weight(self, kind: str, token: str) -> float:
        state = self._state[kind]
        return state.sparse.token_weight(token) if state.sparse is not None else 0.0

    def bridge(self, kind: str, tokens: list[str]) -> list[str]:
        """Known words standing in for the query words the index does not know."""
        state = self._state[kind]
        return state.sparse.bridge(tokens) if state.sparse is not None else []

    def sparse_bound(self, kind: str, tokens: list[str]) -> float:
        state = self._state[kind]
        return state.sparse.max_score(tokens) if state.sparse is not None else 0.0

    def sparse(self, kind: str, tokens: list[str], k: int,
               where: dict[str, Any]) -> list[tuple[str, float]]:
        state = self._state[kind]
        if state.sparse is None:
            return []
        return state.sparse.search(tokens, k, self.mask(kind, where))
