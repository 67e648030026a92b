"""BM25 over jieba tokens, with boolean masks for filters.

bm25s builds the index (its eager score matrix: one column of precomputed BM25 scores per
token); searching sums the columns of the query's tokens here, in numpy, as bm25s does. So a
process that loads a cached index never imports bm25s and, through it, scipy (≈0.3 s of a
command's start-up).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

# one character said as a noun: 蚕子, 兔儿, 鸭娃, 猪崽, 坨坨; or after a verb: 养兔, 种姜
_SAID_AS_NOUN = re.compile(r"(?:[养种喂栽放]?(?P<c>[\u4e00-\u9fff])[子儿娃崽])"
                           r"|(?:[养种喂栽](?P<v>[\u4e00-\u9fff]))|(?P<r>[\u4e00-\u9fff])(?P=r)")

# parts and places, not subjects: 叶子, 鼻子, 肚子, 边边, 口子 (a crack), 枝枝, 村子 name no
# field (口子 → 口腔医学, 村子 → 农村电商 put a dentist first for cracking jujubes)
_PARTS = frozenset("叶鼻肚身脚手头嘴眼耳根尖边杆包点样下上里面个些坨块颗粒片斑口枝村")


class SparseIndex:
    def __init__(self, doc_ids: list[str], token_lists: list[list[str]]) -> None:
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(t, len(vocab)) for t in toks] for toks in token_lists]
        self._build(doc_ids, ids, vocab)

    @classmethod
    def from_ids(cls, doc_ids: list[str], id_lists: list[Any], vocab: dict[str, int]
                 ) -> SparseIndex:
        """From token ids in a vocabulary the caller keeps (and may share across rebuilds:
        words no document uses any more simply score nothing)."""
        self = cls.__new__(cls)
        self._build(doc_ids, [list(map(int, x)) for x in id_lists], dict(vocab))
        return self

    def state(self) -> dict[str, Any]:
        """Everything a search needs, for the on-disk cache (`from_state`)."""
        return {"doc_ids": self.doc_ids, "vocab": self._vocab, "data": self._data,
                "indices": self._indices, "indptr": self._indptr,
                "token_max": self._token_max, "unknown_weight": self._unknown_weight}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> SparseIndex:
        self = cls.__new__(cls)
        self.doc_ids = state["doc_ids"]
        self._pos = {d: i for i, d in enumerate(self.doc_ids)}
        self._vocab = state["vocab"]
        self._data, self._indices = state["data"], state["indices"]
        self._indptr, self._token_max = state["indptr"], state["token_max"]
        self._unknown_weight = state["unknown_weight"]
        return self

    def _build(self, doc_ids: list[str], ids: list[list[int]], vocab: dict[str, int]) -> None:
        import bm25s

        self.doc_ids = doc_ids
        self._pos = {d: i for i, d in enumerate(doc_ids)}
        self._vocab = vocab
        ids = [x or [0] for x in ids]
        if not self._vocab:
            self._vocab[""] = 0
        self._token_max = np.zeros(len(self._vocab), dtype=np.float32)
        self._data = np.zeros(0, dtype=np.float32)
        self._indices = np.zeros(0, dtype=np.int32)
        self._indptr = np.zeros(len(self._vocab) + 1, dtype=np.int64)
        if doc_ids:
            model = bm25s.BM25(k1=1.2, b=0.75)
            model.index(bm25s.tokenization.Tokenized(ids=ids, vocab=self._vocab),
                        show_progress=False)
            self._data = np.asarray(model.scores["data"])
            self._indices = np.asarray(model.scores["indices"])
            self._indptr = np.asarray(model.scores["indptr"])
            # The best score each token alone can give any document: the denominator that
            # turns a BM25 score into "share of what this query could reach".
            starts = self._indptr[:-1]
            nonempty = self._indptr[1:] > starts
            if nonempty.any():
                self._token_max[nonempty] = np.maximum.reduceat(self._data, starts[nonempty])
        positive = self._token_max[self._token_max > 0]
        # A query word the corpus never uses still counts in the denominator, at a typical
        # weight: the corpus does not cover that part of the question.
        self._unknown_weight = float(np.median(positive)) if positive.size else 1.0

    def __len__(self) -> int:
        return len(self.doc_ids)

    def _scores(self, token_ids: list[int]) -> np.ndarray:
        """BM25 of every document: the sum of the query tokens' score columns (a token said
        twice counts twice, as in bm25s)."""
        scores = np.zeros(len(self.doc_ids), dtype=np.float32)
        for t in token_ids:
            start, end = self._indptr[t], self._indptr[t + 1]
            np.add.at(scores, self._indices[start:end], self._data[start:end])
        return scores

    def search(self, tokens: list[str], k: int,
               mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top documents by BM25 score (> 0 only), best first."""
        known = [self._vocab[t] for t in tokens if t in self._vocab]
        if not known or not self.doc_ids:
            return []
        scores = self._scores(known)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.doc_ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def knows(self, token: str) -> bool:
        i = self._vocab.get(token)
        return i is not None and i < len(self._token_max) and bool(self._token_max[i] > 0)

    def bridge(self, tokens: list[str], specific: int = 12) -> list[str]:
        """The index's own words for query words it does not know, so that a segmentation
        mismatch does not hide a document: "兔舍头" → 兔舍 (a known piece), "豆杆" → 隆昌豆杆
        (a known word containing it), "蚕子" / "养兔" → 家蚕, 蚕病… / 肉兔, 兔病… (a noun
        said with a dialect suffix or a verb: the known words of its one character, when
        few words share it). A word with more stand-ins than `specific` says nothing."""
        by_char = self._words_by_char()
        out: list[str] = []
        for t in dict.fromkeys(tokens):
            if len(t) < 2 or self.knows(t):
                continue
            found = [w for w in by_char.get(t[0], ()) if t in w and w != t]
            if len(t) >= 3:
                pieces = [t[i:j] for i in range(len(t)) for j in range(i + 2, len(t) + 1)
                          if (i, j) != (0, len(t)) and self.knows(t[i:j])]
                found += [p for p in pieces if not any(p != q and p in q for q in pieces)]
            said = _SAID_AS_NOUN.fullmatch(t)
            char = (said.group("c") or said.group("v") or said.group("r")) if said else ""
            if not found and char and char not in _PARTS:
                found = list(by_char.get(char, ()))
            out += found if len(found) <= specific else []
        return [w for w in dict.fromkeys(out) if w not in tokens]

    def _words_by_char(self) -> dict[str, list[str]]:
        """Known words by each character they contain (built on first use, then kept)."""
        cached = getattr(self, "_by_char", None)
        if cached is None:
            cached = {}
            known = len(self._token_max)  # a shared vocabulary may have grown since
            for word, i in self._vocab.items():
                if i < known and self._token_max[i] > 0:
                    for c in set(word):
                        cached.setdefault(c, []).append(word)
            self._by_char = cached
        return cached

    def token_weight(self, token: str) -> float:
        """The best BM25 score this token alone reaches (0 if unknown): an IDF-like weight."""
        i = self._vocab.get(token)
        return float(self._token_max[i]) if i is not None else 0.0

    def max_score(self, tokens: list[str]) -> float:
        """What a document matching every query word at its best would score."""
        total = 0.0
        for t in set(tokens):
            i = self._vocab.get(t)
            weight = float(self._token_max[i]) if i is not None else 0.0
            total += weight if weight > 0 else self._unknown_weight
        return total
