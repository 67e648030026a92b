"""Retrieval quality and speed: BM25-only, dense-only and hybrid side by side, in one run.

    python bench/retrieval.py [--calibrate] [--sizes 10000,100000]

Quality on the dev set (bench/data/questions_dev*.jsonl) and the held-out set
(bench/data/questions_holdout*.jsonl, never used for calibration): Recall@1, Recall@5, MRR@10
over questions that an article answers; abstain precision and recall over all questions,
each mode at its own threshold calibrated on the dev set (the most answers while abstain
precision stays >= 0.9). Speed: search latency p50/p99 over generated chunk collections.

`--calibrate` picks the hybrid's dense weight (best dev MRR@10, ties → Recall@1) and the
abstention threshold, and writes them to retrieval/calibration.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data"
TARGET_PRECISION = 0.9


def load_questions(pattern: str) -> list[dict]:
    rows: list[dict] = []
    for path in sorted(DATA.glob(pattern)):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    return rows


def setup_index(home: Path):  # type: ignore[no-untyped-def]
    os.environ["KEJIYUN_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    from core.settings import get_settings
    from knowledge.bootstrap import init_store
    from retrieval.index import SearchIndex
    from store.db import make_engine

    get_settings.cache_clear()
    settings = get_settings()
    engine = make_engine(settings.effective_database_url)
    init_store(engine, demo=True)
    index = SearchIndex(engine, settings)
    index.sync_all(force=True)
    return index


def run_mode(searcher, prepared, mode: str, weight: float | None = None):  # type: ignore[no-untyped-def]
    """Per question: ranked article ids and the confidence — the top score for a single
    mode, the calibrated answer probability for the hybrid (what `kejiyun ask` uses)."""
    out = []
    for q in prepared:
        if mode == "hybrid" and weight is None:
            hits, conf, _ = searcher.search_with_confidence("articles", q, k=10)
        else:
            hits = searcher.search("articles", q, k=10, mode=mode, weight=weight)
            conf = hits[0].score if hits else 0.0
        out.append(([h.id for h in hits], conf))
    return out


def fit_confidence(searcher, prepared, questions: list[dict]) -> tuple[list[float], float]:  # type: ignore[no-untyped-def]
    """Logistic regression (numpy, L2) of "an article answers this" on the search features."""
    from retrieval.search import FEATURES

    rows = []
    for q in prepared:
        hits, dense, sparse, bound = searcher._search("articles", q, 10)
        f = searcher.features(hits, dense, sparse, bound, "articles", q)
        rows.append([f[name] for name in FEATURES])
    x = np.array(rows)
    y = np.array([1.0 if q["answers"] else 0.0 for q in questions])
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(20000):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        w -= 0.5 * (x.T @ (p - y) / len(y) + 1e-3 * w)
        b -= 0.5 * float(np.mean(p - y))
    return [round(float(v), 4) for v in w], round(b, 4)


def quality(questions: list[dict], ranked) -> dict[str, float]:  # type: ignore[no-untyped-def]
    r1 = r5 = mrr = 0.0
    n = 0
    for q, (ids, _) in zip(questions, ranked, strict=True):
        gold = set(q["answers"])
        if not gold:
            continue
        n += 1
        r1 += bool(gold & set(ids[:1]))
        r5 += bool(gold & set(ids[:5]))
        mrr += next((1.0 / (i + 1) for i, d in enumerate(ids[:10]) if d in gold), 0.0)
    return {"R@1": r1 / n, "R@5": r5 / n, "MRR@10": mrr / n} if n else {}


def abstain_stats(questions: list[dict], ranked, threshold: float) -> dict[str, float]:  # type: ignore[no-untyped-def]
    tp = fp = fn = 0
    for q, (_, conf) in zip(questions, ranked, strict=True):
        abstain = conf < threshold
        unanswerable = not q["answers"]
        tp += abstain and unanswerable
        fp += abstain and not unanswerable
        fn += (not abstain) and unanswerable
    # Precision of zero abstentions is undefined (nan, printed "n/a"), not a perfect 1.0.
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    return {"abstain_P": precision, "abstain_R": recall}


def _fmt(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{value:.3f}"


def calibrate_threshold(questions: list[dict], ranked) -> float:  # type: ignore[no-untyped-def]
    """Highest abstain recall with precision >= target; among equals, the lowest threshold."""
    candidates = sorted({round(c, 4) for _, c in ranked} | {0.0})
    best, best_key = 0.0, (-1.0, 0.0)  # no threshold qualifies → never abstain
    for t in candidates:
        s = abstain_stats(questions, ranked, t + 1e-6)
        if not np.isnan(s["abstain_P"]) and s["abstain_P"] >= TARGET_PRECISION:
            key = (s["abstain_R"], -t)
            if key > best_key:
                best, best_key = t + 1e-6, key
    return best


def latency(sizes: list[int], encoder, tokenizer, texts: list[str],  # type: ignore[no-untyped-def]
            questions: list[str]) -> list[tuple]:
    """Hybrid search latency over generated collections (random vectors, corpus-word text),
    for real dev-set questions: encode, Chroma top-50, BM25 top-50 and its normaliser."""
    from retrieval.sparse import SparseIndex
    from retrieval.vector import VectorCollection, open_client

    rows = []
    rnd = random.Random(3)
    vocab = sorted({t for text in texts for t in tokenizer.tokenize(text)})
    queries = (questions * 3)[:200]
    qvecs = encoder.encode(queries)
    qtoks = [tokenizer.tokenize_query(q) for q in queries]
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            client = open_client(Path(tmp))
            col = VectorCollection(client, "bench_chunks")
            ids = [f"g{i}" for i in range(n)]
            rng = np.random.default_rng(5)
            t0 = time.perf_counter()
            for start in range(0, n, 5000):
                vec = rng.standard_normal((min(5000, n - start), encoder.dim)).astype("float32")
                vec /= np.linalg.norm(vec, axis=1, keepdims=True)
                col.upsert(ids[start:start + 5000], vec,
                           [{"parent": i} for i in ids[start:start + 5000]])
            build_dense = time.perf_counter() - t0
            docs = [[rnd.choice(vocab) for _ in range(60)] for _ in range(n)]
            t0 = time.perf_counter()
            sparse = SparseIndex(ids, docs)
            build_sparse = time.perf_counter() - t0
            mask = np.ones(n, dtype=bool)
            times = []
            for i, (qv, qt) in enumerate(zip(qvecs, qtoks, strict=True)):
                t0 = time.perf_counter()
                encoder.encode([queries[i]])
                col.query(qv, 50)
                sparse.search(qt, 50, mask)
                sparse.max_score(qt)
                times.append(time.perf_counter() - t0)
            times_ms = np.array(times[5:]) * 1000
            rows.append((n, float(np.percentile(times_ms, 50)), float(np.percentile(times_ms, 99)),
                         build_dense, build_sparse))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--sizes", default="10000,100000")
    args = ap.parse_args()
    dev = load_questions("questions_dev*.jsonl")
    holdout = load_questions("questions_holdout*.jsonl")
    if not dev:
        sys.exit("no dev set: bench/data/questions_dev*.jsonl")

    from retrieval.search import Searcher, load_calibration

    with tempfile.TemporaryDirectory() as tmp:
        index = setup_index(Path(tmp))
        cal = load_calibration()
        searcher = Searcher(index, cal)
        dev_q = [searcher.prepare(q["text"]) for q in dev]
        hold_q = [searcher.prepare(q["text"]) for q in holdout]

        if args.calibrate:
            best = None
            for w in np.round(np.arange(0.0, 1.0001, 0.05), 2):
                ranked = run_mode(searcher, dev_q, "hybrid", float(w))
                m = quality(dev, ranked)
                key = (round(m["MRR@10"], 4), round(m["R@1"], 4), round(m["R@5"], 4))
                if best is None or key > best[0]:
                    best = (key, float(w))
            assert best is not None
            cal = replace(cal, dense_weight=best[1])
            searcher = Searcher(index, cal)
            weights, bias = fit_confidence(searcher, dev_q, dev)
            cal = replace(cal, conf_weights=tuple(weights), conf_bias=bias)
            searcher = Searcher(index, cal)
            ranked = run_mode(searcher, dev_q, "hybrid")
            cal = replace(cal, abstain_below=round(calibrate_threshold(dev, ranked), 4))
            (ROOT / "retrieval" / "calibration.json").write_text(
                json.dumps(asdict(cal), indent=2) + "\n", encoding="utf-8")
            print(f"calibrated: {asdict(cal)}")
            searcher = Searcher(index, cal)

        n_ans = sum(bool(q["answers"]) for q in dev)
        chunks = index.docs("articles")
        print(f"\nDev set: {len(dev)} questions ({n_ans} answerable, {len(dev) - n_ans} not); "
              f"held-out: {len(holdout)}. Articles: {len({d.parent for d in chunks.values()})}, "
              f"chunks: {len(chunks)}. Encoder: {index.encoder.name}.\n")
        header = (f"{'set':<9}{'mode':<8}{'R@1':>7}{'R@5':>7}{'MRR@10':>8}{'abst.P':>8}"
                  f"{'abst.R':>8}{'threshold':>11}")
        print(header)
        print("-" * len(header))
        for mode in ("sparse", "dense", "hybrid"):
            dev_ranked = run_mode(searcher, dev_q, mode)
            threshold = (cal.abstain_below if mode == "hybrid"
                         else calibrate_threshold(dev, dev_ranked))
            for name, qs, prepared, ranked in (("dev", dev, dev_q, dev_ranked),
                                               ("held-out", holdout, hold_q, None)):
                if not qs:
                    continue
                ranked = ranked or run_mode(searcher, prepared, mode)
                m = quality(qs, ranked)
                a = abstain_stats(qs, ranked, threshold)
                label = {"sparse": "BM25", "dense": "dense", "hybrid": "hybrid"}[mode]
                print(f"{name:<9}{label:<8}{m['R@1']:>7.3f}{m['R@5']:>7.3f}{m['MRR@10']:>8.3f}"
                      f"{_fmt(a['abstain_P']):>8}{_fmt(a['abstain_R']):>8}{threshold:>11.4f}")

        texts = [d.text for d in chunks.values()]
        sizes = [int(s) for s in args.sizes.split(",") if s]
        print(f"\nHybrid search latency (query encoding + Chroma top-50 + BM25 top-50), "
              f"generated collections:\n{'chunks':>9}{'p50 ms':>9}{'p99 ms':>9}"
              f"{'dense build s':>15}{'BM25 build s':>14}")
        rows = latency(sizes, index.encoder, index.tokenizer, texts, [q["text"] for q in dev])
        for n, p50, p99, bd, bs in rows:
            print(f"{n:>9,}{p50:>9.1f}{p99:>9.1f}{bd:>15.1f}{bs:>14.1f}")
        print("\nTargets: hybrid >= best single mode on every metric; abstain precision >= 0.9; "
              "p99 < 100 ms at 100,000 chunks.")


if __name__ == "__main__":
    main()
