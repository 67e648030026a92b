"""Hybrid search: dense (Chroma) and sparse (BM25) scores fused per chunk, then per parent.

Why not reciprocal-rank fusion: RRF throws the scores away, so when a query shares its exact
wording with one article (BM25 is sure) it can still be outvoted by dense near-misses. Here
each side keeps an absolute meaning — cosine similarity, and BM25 as the share of the best
score the query terms could reach — and the hybrid is a weighted sum whose weight and
abstention threshold are calibrated on the dev set (`bench/retrieval.py --calibrate` writes
`retrieval/calibration.json`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from knowledge import gazetteer
from retrieval.documents import Doc
from retrieval.index import SearchIndex
from retrieval.tokenize import expand_query, normalise

MODES = ("hybrid", "dense", "sparse")


FEATURES = ("hybrid", "dense", "sparse", "agree", "known")


@dataclass(frozen=True)
class Calibration:
    dense_weight: float = 0.5   # weight of the cosine similarity in the hybrid score
    dense_floor: float = 0.2    # cosines below this carry no signal for USE
    pool: int = 50              # candidates fetched from each side
    # Confidence that the top article answers the question: a logistic model over FEATURES
    # (top hybrid score, top cosine, top BM25 share, whether dense and BM25 agree on the top
    # article, share of the question's words the corpus uses at all), fitted on the dev set.
    # `ask` abstains below `abstain_below`.
    conf_weights: tuple[float, ...] = (4.0, 2.0, 2.0, 1.0, 1.0)
    conf_bias: float = -3.0
    abstain_below: float = 0.5

    def confidence(self, feats: dict[str, float]) -> float:
        z = self.conf_bias + sum(w * feats[f] for w, f in zip(self.conf_weights, FEATURES,
                                                              strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=1)
def load_calibration() -> Calibration:
    path = resources.files("retrieval") / "calibration.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Calibration()
    fields = {k: v for k, v in data.items() if k in Calibration.__annotations__}
    if "conf_weights" in fields:
        fields["conf_weights"] = tuple(fields["conf_weights"])
    return Calibration(**fields)


@dataclass
class Hit:
    id: str                      # parent id: article or scientist external id
    title: str
    score: float
    dense: float = 0.0
    sparse: float = 0.0
    chunks: list[str] = field(default_factory=list)  # matching chunk ids, best first


@dataclass
class Query:
    text: str
    tokens: list[str]
    vector: Any


class Searcher:
    def __init__(self, index: SearchIndex, calibration: Calibration | None = None) -> None:
        self.index = index
        self.cal = calibration or load_calibration()

    def prepare(self, text: str) -> Query:
        text = normalise(text).strip()
        expanded = expand_query(text[:2000]) if text else text
        return Query(text, self.index.tokenizer.tokenize_query(expanded),
                     self.index.encoder.encode([expanded])[0])

    def dense_score(self, cosine: float) -> float:
        return max(0.0, (cosine - self.cal.dense_floor) / (1.0 - self.cal.dense_floor))

    def search(self, kind: str, query: str | Query, k: int = 10, *, mode: str = "hybrid",
               region: str | None = None, available_only: bool = False,
               weight: float | None = None, discipline: str | None = None) -> list[Hit]:
        return self._search(kind, query, k, mode=mode, region=region,
                            available_only=available_only, weight=weight,
                            discipline=discipline)[0]

    def search_with_confidence(self, kind: str, query: str | Query, k: int = 10, *,
                               asker_region: str | None = None
                               ) -> tuple[list[Hit], float, dict[str, float]]:
        """Hybrid hits plus the calibrated probability that the top hit answers the query.
        With `asker_region` (a region code), articles of other regions are left out."""
        q = query if isinstance(query, Query) else self.prepare(query)
        hits, dense, sparse, bound = self._search(kind, q, k, asker_region=asker_region)
        feats = self.features(hits, dense, sparse, bound, kind, q)
        return hits, self.cal.confidence(feats), feats

    def features(self, hits: list[Hit], dense: list[tuple[str, float]],
                 sparse: list[tuple[str, float]], bound: float, kind: str,
                 q: Query) -> dict[str, float]:
        def top_parent(pairs: list[tuple[str, float]]) -> str | None:
            doc = self.index.doc(kind, pairs[0][0]) if pairs else None
            return doc.parent if doc else None

        top_dense, top_sparse = top_parent(dense), top_parent(sparse)
        return {
            "hybrid": hits[0].score if hits else 0.0,
            "dense": dense[0][1] if dense else 0.0,
            "sparse": sparse[0][1] / bound if sparse and bound else 0.0,
            "agree": float(top_dense is not None and top_dense == top_sparse
                           and bool(hits) and hits[0].id == top_dense),
            "known": self.index.known_share(kind, q.tokens),
        }

    def article_text(self, parent: str) -> str:
        """An article's whole body, its chunks joined."""
        return "".join(d.text for d in article_chunks(self.index, parent))

    def _search(self, kind: str, query: str | Query, k: int = 10, *, mode: str = "hybrid",
                region: str | None = None, available_only: bool = False,
                weight: float | None = None, asker_region: str | None = None,
                discipline: str | None = None
                ) -> tuple[list[Hit], list[tuple[str, float]], list[tuple[str, float]], float]:
        q = query if isinstance(query, Query) else self.prepare(query)
        if not q.text:
            return [], [], [], 0.0
        where: dict[str, Any] = {}
        if kind == "scientists" and available_only:
            where["available"] = True
        if kind == "scientists" and discipline:
            where["discipline_code"] = discipline
        region_code = None
        if region:
            r = gazetteer.resolve(region) or gazetteer.find_region(region)
            if r is None:
                from core.errors import BadInput

                raise BadInput(f"无法识别地区“{region}” (unknown region)")
            region_code = r.code
            if kind == "scientists" and r.level != "province":
                where[f"region_{r.level}"] = r.code
        w = self.cal.dense_weight if weight is None else weight
        if mode == "dense":
            w = 1.0
        elif mode == "sparse":
            w = 0.0
        pool = max(self.cal.pool, k * 5)
        dense = self.index.dense(kind, q.vector, pool, where) if w > 0 else []
        sparse = self.index.sparse(kind, q.tokens, pool, where) if w < 1 else []
        bound = self.index.sparse_bound(kind, q.tokens) if sparse else 0.0
        chunks: dict[str, list[float]] = {}
        dmin = min((s for _, s in dense), default=0.0)
        for doc_id, cos in dense:
            chunks[doc_id] = [self.dense_score(cos), 0.0]
        for doc_id, score in sparse:
            entry = chunks.setdefault(doc_id, [self.dense_score(dmin) if dense else 0.0, 0.0])
            entry[1] = score / bound if bound else 0.0
        hits: dict[str, Hit] = {}
        barred = 0.0
        for doc_id, (d, s) in sorted(chunks.items(),
                                     key=lambda kv: -(w * kv[1][0] + (1 - w) * kv[1][1])):
            doc = self.index.doc(kind, doc_id)
            if doc is None:
                continue
            if region_code and kind == "articles" and not _article_in_region(doc.meta,
                                                                             region_code):
                continue
            score = w * d + (1 - w) * s
            if asker_region and kind == "articles" and not answers_in(
                    doc.meta, asker_region, self.article_text(doc.parent)):
                if not hits and not barred:  # the best answer is another region's: the rest
                    barred = score  # answer only if nearly as good ("我是南溪的 再生稻咋个管"
                continue  # is no call for the cadmium article that comes next)
            if score <= 0.0:
                continue  # matched a filter, not the query
            hit = hits.get(doc.parent)
            if hit is None:
                hits[doc.parent] = Hit(doc.parent, doc.title, score, d, s, [doc_id])
            else:
                hit.chunks.append(doc_id)
        kept = sorted(hits.values(), key=lambda h: -h.score)[:k]
        if barred and (not kept or kept[0].score < barred * _BARRED_SHARE):
            return [], dense, sparse, bound
        return kept, dense, sparse, bound


def article_chunks(index: SearchIndex, parent: str) -> list[Doc]:
    """All chunks of an article, in order (ids "<parent>#0", "#1" …)."""
    docs: list[Doc] = []
    while (doc := index.doc("articles", f"{parent}#{len(docs)}")) is not None:
        docs.append(doc)
    return docs


# an article for this region answers when it is at least this share as good as the best one,
# which is another region's
_BARRED_SHARE = 0.5

def answers_in(meta: dict[str, Any], code: str, text: str = "") -> bool:
    """May this article answer someone known to be in region `code`? A province-wide article
    anywhere; a regional one (a county's planting calendar, a city's subsidy) only inside its
    own region, or for someone known only at a level above it (a city for its county) — or
    where its own `text` names the asker's place as one it speaks of (雅安's pepper article
    says "汉源、茂县等地的花椒": it answers in 茂县 too; 甘孜's 包虫病 article names 阿坝)."""
    own = meta.get("region_county") or meta.get("region_city")
    return (not own or gazetteer.is_within(code, own) or gazetteer.is_within(own, code)
            or any(gazetteer.is_within(code, named) or gazetteer.is_within(named, code)
                   for named in gazetteer.regions_named(text)))


def _article_in_region(meta: dict[str, Any], code: str) -> bool:
    """General articles (no region) apply everywhere; regional ones only inside their region."""
    if not meta.get("region_province"):
        return True
    region = gazetteer.get(code)
    level = region.level if region else "province"
    own = meta.get("region_county") or meta.get("region_city") or meta.get("region_province")
    return bool(own) and (gazetteer.is_within(own, code) or gazetteer.is_within(code, own)
                          or level == "province")
