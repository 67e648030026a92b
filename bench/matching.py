"""Matching quality and speed: BM25-only, dense-only and the full ranker side by side.

    python bench/matching.py [--sizes 10000,100000] [--skip-latency] [--set dev|all|all-dev|…]
                             [--weight NAME=VALUE …] [--tune]

Quality over labelled needs (bench/data/needs_dev.jsonl for tuning, needs_holdout.jsonl never
used for tuning): each need lists the demo-corpus scientists who could serve it, graded 2
(directly fits) or 1 (could help). Reported: P@5 (share of the top 5 with any grade), MRR@10
(first relevant), nDCG@10 (gain 2^grade − 1). Baselines get the need text as typed; the
full ranker is `kejiyun match` (extraction, topic query, features, exclusions). Unavailable
scientists are excluded from the labels for every mode, since no mode may offer to them.
Also: rarer needs (needs_rare_dev*.jsonl to tune on, needs_rare_holdout.jsonl never), and paper
titles routed to their 一级学科 (academic_routing.jsonl and _dev2 to tune on, _holdout never).
`--set all-dev` runs every set but the held-out ones; `--tune` searches weights on them only.

Speed: `Ranker.rank` end to end (retrieval + store reads + scoring) over stores of N
generated scientist profiles, each size in its own process: p50/p99 latency and peak RSS.
Generated profiles recombine the demo profiles' real texts; their vectors are the source
profile's real embedding plus noise, so that building a 100,000-profile index takes seconds
rather than four minutes of encoding, while queries are encoded for real.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data"
CORPUS = ROOT / "knowledge" / "corpus" / "scientists"


def load(pattern: str) -> list[dict]:
    rows: list[dict] = []
    for path in sorted(DATA.glob(pattern)):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    return rows


def setup(home: Path, scientists_file: Path | None = None, encoder=None):  # type: ignore[no-untyped-def]
    os.environ["KEJIYUN_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    from core.settings import get_settings
    from knowledge.bootstrap import init_store
    from knowledge.importers import import_file
    from retrieval.index import SearchIndex
    from store.db import make_engine

    get_settings.cache_clear()
    settings = get_settings()
    engine = make_engine(settings.effective_database_url)
    init_store(engine, demo=scientists_file is None, batch_size=5000)
    if scientists_file is not None:
        import_file(engine, "scientists", scientists_file, batch_size=5000)
    index = SearchIndex(engine, settings, encoder=encoder)
    index.sync_all(force=True)
    from retrieval.service import settle_heap

    settle_heap()  # as `open_index` does in the CLI and the server
    return engine, settings, index


# ---- quality ---------------------------------------------------------------------------------
def metrics(ranked: list[str], rel: dict[str, int]) -> dict[str, float]:
    p5 = sum(1 for s in ranked[:5] if s in rel) / 5
    rr = next((1 / (i + 1) for i, s in enumerate(ranked[:10]) if s in rel), 0.0)
    dcg = sum((2 ** rel.get(s, 0) - 1) / math.log2(i + 2) for i, s in enumerate(ranked[:10]))
    ideal = sorted(rel.values(), reverse=True)[:10]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return {"P@5": p5, "MRR@10": rr, "nDCG@10": dcg / idcg if idcg else 0.0}


def evaluate(needs: list[dict], rankers: dict, available: set[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for name, rank in rankers.items():
        sums = {"P@5": 0.0, "MRR@10": 0.0, "nDCG@10": 0.0}
        n = 0
        for need in needs:
            rel = {s: g for s, g in need["relevant"].items() if s in available}
            if not rel:
                continue
            n += 1
            for k, v in metrics(rank(need), rel).items():
                sums[k] += v
        out[name] = {k: v / max(n, 1) for k, v in sums.items()} | {"n": n}
    return out


def make_rankers(engine, settings, index, weights=None) -> dict:  # type: ignore[no-untyped-def]
    from matching.service import Matcher
    from retrieval.search import Searcher

    searcher = Searcher(index)
    matcher = Matcher(index, engine, settings, weights=weights)

    def baseline(mode: str):  # type: ignore[no-untyped-def]
        return lambda need: [h.id for h in searcher.search(
            "scientists", need["text"], k=10, mode=mode, available_only=True)]

    from sqlalchemy import select

    from store.models import Scientist

    with engine.connect() as conn:
        codes = {sid: code for sid, code in conn.execute(
            select(Scientist.external_id, Scientist.discipline_code))}
        available = set(conn.execute(select(Scientist.external_id)
                                     .where(Scientist.available)).scalars())

    def discipline_vote(need):  # type: ignore[no-untyped-def]
        """The simplest discipline router: the 一级学科 most of the hybrid top 20 share
        (weighted 1/rank) first, in retrieval order, then the rest."""
        hits = [h.id for h in searcher.search("scientists", need["text"], k=20,
                                              mode="hybrid", available_only=True)]
        votes: dict[str, float] = {}
        for r, sid in enumerate(hits, 1):
            if codes.get(sid):
                votes[codes[sid]] = votes.get(codes[sid], 0.0) + 1.0 / r
        best = max(votes, key=votes.__getitem__) if votes else None
        return ([h for h in hits if codes.get(h) == best]
                + [h for h in hits if codes.get(h) != best])[:10]

    return {
        "BM25-only": baseline("sparse"),
        "dense-only": baseline("dense"),
        "hybrid retrieval": baseline("hybrid"),
        "discipline vote": discipline_vote,
        # (the preview also lists 暂不接单 experts, labelled; no mode may offer to them)
        "full ranker": lambda need: [c.scientist_id for c in
                                     matcher.match(need["text"], top=20)[1]
                                     if c.scientist_id in available][:10],
    }


def top3(needs: list[dict], rankers: dict, available: set[str], labels: dict[str, str]
         ) -> dict[str, tuple[float, float]]:
    """Per mode: share of needs with a grade-2 expert in the top 3, and share with an
    acceptable discipline (the need's `discipline_ok`, profile labels) in the top 3."""
    out: dict[str, tuple[float, float]] = {}
    for name, rank in rankers.items():
        exact = disc = n = 0
        for need in needs:
            best = {s for s, g in need["relevant"].items() if g == 2 and s in available}
            if not best:
                continue
            n += 1
            got = rank(need)[:3]
            exact += bool(best & set(got))
            disc += any(labels.get(s) in need.get("discipline_ok", []) for s in got)
        out[name] = (exact / max(n, 1), disc / max(n, 1))
    return out


def academic_set(name: str = "academic_routing.jsonl") -> list[dict]:
    """Paper titles routed to every expert of the same 一级学科 (labels by the set's author,
    `academic_disciplines.json`, not by our taxonomy)."""
    path = DATA / "academic_disciplines.json"
    if not path.exists():
        return []
    mapping = json.loads(path.read_text(encoding="utf-8"))
    by_code: dict[str, list[str]] = {}
    for f in sorted(CORPUS.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                by_code.setdefault(mapping.get(row["discipline"], ""), []).append(row["id"])
    return [{"id": r["id"], "text": r["title"],
             "relevant": {sid: 1 for sid in by_code.get(r["discipline_code"], [])}}
            for r in load(name)]


def print_quality(title: str, res: dict[str, dict]) -> None:
    n = next(iter(res.values()))["n"]
    print(f"\n{title} ({n} needs)")
    print(f"  {'mode':<18}{'P@5':>8}{'MRR@10':>9}{'nDCG@10':>9}")
    for name, r in res.items():
        print(f"  {name:<18}{r['P@5']:>8.3f}{r['MRR@10']:>9.3f}{r['nDCG@10']:>9.3f}")
    best = max(res["BM25-only"]["P@5"], res["dense-only"]["P@5"])
    gain = (res["full ranker"]["P@5"] / best - 1) if best else float("nan")
    print(f"  full ranker vs best single baseline, P@5: {gain:+.1%} relative")
    others = {k: v["P@5"] for k, v in res.items() if k != "full ranker"}
    top = max(others, key=others.__getitem__)
    if others[top]:
        print(f"  full ranker vs best baseline of all ({top}), P@5: "
              f"{res['full ranker']['P@5'] / others[top] - 1:+.1%} relative")


def extraction_accuracy(needs: list[dict]) -> dict[str, float]:
    from knowledge import gazetteer
    from matching.extract import extract_need

    ok = {"kind": 0, "region": 0, "urgency": 0, "budget": 0}
    for need in needs:
        d = extract_need(need["text"])
        ok["kind"] += d.kind == need["kind"]
        want = gazetteer.resolve(need["region"]) if need.get("region") else None
        ok["region"] += (d.region_code == (want.code if want else None))
        ok["urgency"] += (d.urgency or "normal") == need["urgency"]
        want_b = need.get("budget")
        ok["budget"] += (d.budget is None and want_b is None) or (
            d.budget is not None and want_b is not None and abs(d.budget - want_b) < 1)
    return {k: v / len(needs) for k, v in ok.items()}


def tune(engine, settings, index, sets: dict[str, list[dict]], available: set[str]) -> None:  # type: ignore[no-untyped-def]
    """Coordinate search over the ranker's feature weights on the dev sets at once (features
    are computed once per need), maximising the mean over sets of P@5 + MRR@10, each set
    weighing the same. Prints the best weights; held-out sets are never passed in."""
    from dataclasses import replace

    from matching.extract import extract_need
    from matching.rank import Ranker, RankWeights
    from retrieval.search import Searcher

    ranker = Ranker(Searcher(index), engine, settings)
    cached: dict[str, list] = {}
    for name, needs in sets.items():
        cached[name] = []
        for need in needs:
            rel = {s: g for s, g in need["relevant"].items() if s in available}
            if rel:
                draft = extract_need(need["text"], tokenizer=index.tokenizer)
                cached[name].append((ranker.features(draft), rel))

    def objective(w: RankWeights) -> float:
        total = 0.0
        for items in cached.values():
            for feats, rel in items:
                ranked = [c.scientist_id for c in ranker.score(feats, 20, w)
                          if not c.features.get("unavailable")][:10]
                m = metrics(ranked, rel)
                total += (m["P@5"] + m["MRR@10"]) / len(items)
        return total / len(cached)

    grid = {"sparse": [0.15, 0.3, 0.5, 0.8], "dense": [0.1, 0.2, 0.35, 0.5],
            "overlap": [0, 0.15, 0.3], "product": [0, 0.1, 0.2], "discipline": [0, 0.1, 0.2],
            "region": [0.05, 0.1, 0.2], "prf": [0, 0.2, 0.4, 0.8],
            "concept": [0, 0.15, 0.3, 0.5], "direction": [0, 0.2, 0.4, 0.6],
            "routed": [0, 0.3, 0.6, 1.0, 1.5], "local": [0, 0.25, 0.5, 0.75, 1.0]}
    best = RankWeights()
    best_score = objective(best)
    print(f"  current weights: objective {best_score:.4f}")
    for _round in range(2):
        for name, values in grid.items():
            for v in values:
                cand = replace(best, **{name: v})
                sc = objective(cand)
                if sc > best_score + 1e-9:
                    best, best_score = cand, sc
        print(f"  round {_round + 1}: objective {best_score:.4f}  {best}")


# ---- speed -----------------------------------------------------------------------------------
def generate(path: Path, n: int, seed: int = 11) -> None:
    """N profiles recombined from the demo corpus: each keeps its source's first direction
    (how the bench encoder finds the source vector) and borrows one more from a peer."""
    from knowledge import gazetteer

    rnd = random.Random(seed)
    base = [json.loads(line) for f in sorted(CORPUS.glob("*.jsonl"))
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    counties = [r.name for r in gazetteer.all_regions() if r.level == "county"]
    surnames = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁"
                "谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢")
    given = "建华伟芳敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            b = base[i % len(base)]
            peer = base[rnd.randrange(len(base))]
            directions = list(b.get("directions") or ["综合"])
            extra = rnd.choice(peer.get("directions") or ["综合"])
            if extra not in directions:
                directions.append(extra)
            row = {"id": f"gen-{i:07d}", "discipline": b["discipline"],
                   "name": rnd.choice(surnames) + "".join(rnd.choices(given, k=2)),
                   "directions": directions, "services": b.get("services", []),
                   "achievements": b.get("achievements", [])[:1],
                   "region": rnd.choice(counties), "organization": b.get("organization", ""),
                   "title": b.get("title", ""), "available": rnd.random() > 0.1}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


class BenchEncoder:
    """Real USE for queries; for generated profiles, the source profile's real vector plus
    noise (looked up by its first direction), so a 100,000-profile index builds fast."""

    def __init__(self) -> None:
        from retrieval.encoders import get_encoder

        self.real = get_encoder(None)
        self.name, self.dim = self.real.name, self.real.dim
        base = [json.loads(line) for f in sorted(CORPUS.glob("*.jsonl"))
                for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
        firsts = [(b.get("directions") or ["综合"])[0] for b in base]
        texts = [f"{b['name']}\n{b['discipline']} 研究方向："
                 + "；".join(b.get("directions", [])) for b in base]
        vecs = self.real.encode(texts)
        self.by_first = {f: vecs[i] for i, f in enumerate(firsts)}
        self.rng = np.random.default_rng(5)

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype="float32")
        real_idx = []
        for i, t in enumerate(texts):
            key = t.split("研究方向：", 1)[1].split("；", 1)[0].split(" ", 1)[0] \
                if "研究方向：" in t else None
            v = self.by_first.get(key) if key else None
            if v is None:
                real_idx.append(i)
                continue
            noisy = v + self.rng.normal(0, 0.02, self.dim).astype("float32")
            out[i] = noisy / np.linalg.norm(noisy)
        if real_idx:
            out[real_idx] = self.real.encode([texts[i] for i in real_idx])
        return out


def latency_worker(n: int) -> None:
    from matching.extract import extract_need
    from matching.rank import Ranker
    from retrieval.search import Searcher

    needs = load("needs_dev.jsonl") or load("needs_holdout.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gen.jsonl"
        generate(path, n)
        t0 = time.perf_counter()
        engine, settings, index = setup(Path(tmp) / "home", path, encoder=BenchEncoder())
        build = time.perf_counter() - t0
        ranker = Ranker(Searcher(index), engine, settings)
        drafts = [extract_need(x["text"], tokenizer=index.tokenizer) for x in needs]
        for d in drafts[:10]:
            ranker.rank(d, k=10)  # warm up caches
        times = []
        for _ in range(2):
            for d in drafts:
                t = time.perf_counter()
                ranker.rank(d, k=10)
                times.append((time.perf_counter() - t) * 1000)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # the generated profiles reuse the demo's directions, so the direction-vector cache
        # is soon warm; a real pool has fewer repeats: time it with nothing cached as well
        from retrieval.encoders import TextVectorCache

        index.line_vectors = TextVectorCache(index.encoder, size=0)
        cold = []
        for d in drafts:
            t = time.perf_counter()
            ranker.rank(d, k=10)
            cold.append((time.perf_counter() - t) * 1000)
        print(json.dumps({"n": n, "queries": len(times), "p50": float(np.percentile(times, 50)),
                          "p99": float(np.percentile(times, 99)), "build_s": build,
                          "peak_mb": peak, "cold_p50": float(np.percentile(cold, 50)),
                          "cold_p99": float(np.percentile(cold, 99))}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--skip-latency", action="store_true")
    ap.add_argument("--set", default="all",
                    choices=["dev", "holdout", "rare-dev", "rare-dev2", "rare-dev3", "rare-dev4",
                             "rare-dev5", "rare-dev6", "rare-holdout", "academic",
                             "academic-dev2", "academic-holdout", "all", "all-dev"])
    ap.add_argument("--weight", action="append", default=[], metavar="NAME=VALUE",
                    help="override one ranker weight (experiments on the dev sets)")
    ap.add_argument("--tune", action="store_true",
                    help="search the ranker's weights on the dev needs and print them")
    ap.add_argument("--latency-worker", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.latency_worker:
        latency_worker(args.latency_worker)
        return
    dev, holdout = load("needs_dev.jsonl"), load("needs_holdout.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        engine, settings, index = setup(Path(tmp) / "home")
        from sqlalchemy import select

        from store.models import Scientist

        with engine.connect() as conn:
            available = set(conn.execute(select(Scientist.external_id)
                                         .where(Scientist.available)).scalars())
        print(f"Demo corpus: {len(available)} available scientists; encoder "
              f"{index.encoder.name}.")
        if args.tune:
            tune(engine, settings, index, {
                "dev": dev, "rare-dev": load("needs_rare_dev.jsonl"),
                "rare-dev2": load("needs_rare_dev2.jsonl"),
                "rare-dev3": load("needs_rare_dev3.jsonl"),
                "rare-dev4": load("needs_rare_dev4.jsonl"),
                "rare-dev5": load("needs_rare_dev5.jsonl"),
                "rare-dev6": load("needs_rare_dev6.jsonl"), "academic": academic_set(),
                "academic-dev2": academic_set("academic_routing_dev2.jsonl")}, available)
            return
        from dataclasses import replace

        from matching.rank import RankWeights

        weights = replace(RankWeights(), **{k: type(getattr(RankWeights(), k))(v) for k, v in
                                            (o.split("=", 1) for o in args.weight)})
        rankers = make_rankers(engine, settings, index, weights)
        with engine.connect() as conn:
            labels = {sid: d for sid, d in conn.execute(
                select(Scientist.external_id, Scientist.discipline))}
        sets = (("dev", "dev", dev), ("holdout", "held-out", holdout),
                ("rare-dev", "rarer dev", load("needs_rare_dev.jsonl")),
                ("rare-dev2", "rarer dev 2", load("needs_rare_dev2.jsonl")),
                ("rare-dev3", "rarer dev 3", load("needs_rare_dev3.jsonl")),
                ("rare-dev4", "rarer dev 4", load("needs_rare_dev4.jsonl")),
                ("rare-dev5", "rarer dev 5", load("needs_rare_dev5.jsonl")),
                ("rare-dev6", "rarer dev 6", load("needs_rare_dev6.jsonl")),
                ("rare-holdout", "rarer held-out (never tuned on)",
                 load("needs_rare_holdout.jsonl")),
                ("academic", "academic routing (paper title → same 一级学科)", academic_set()),
                ("academic-dev2", "academic routing, second dev set",
                 academic_set("academic_routing_dev2.jsonl")),
                ("academic-holdout", "academic routing, held-out (never tuned on)",
                 academic_set("academic_routing_holdout.jsonl")))
        for key, name, needs in sets:
            dev_only = args.set == "all-dev" and "holdout" not in key
            if not needs or not (dev_only or args.set in ("all", key)):
                continue
            print_quality(f"{name} needs", evaluate(needs, rankers, available))
            if key.startswith("rare"):
                print(f"  {'mode':<18}{'exact expert in top 3':>24}{'discipline ok in top 3':>25}")
                for mode, (exact, disc) in top3(needs, rankers, available, labels).items():
                    print(f"  {mode:<18}{exact:>24.0%}{disc:>25.0%}")
            if not key.startswith("academic"):
                acc = extraction_accuracy(needs)
                print("  extraction accuracy: "
                      + "  ".join(f"{k} {v:.2f}" for k, v in acc.items()))
    if args.skip_latency:
        return
    print("\nMatch latency (Ranker.rank end to end, generated stores, one process per size):")
    for n in [int(s) for s in args.sizes.split(",") if s]:
        out = subprocess.run([sys.executable, __file__, "--latency-worker", str(n)],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"  {r['n']:>8,} scientists: p50 {r['p50']:.1f} ms  p99 {r['p99']:.1f} ms  "
              f"({r['queries']} queries; store+index built in {r['build_s']:.0f} s; "
              f"peak RSS {r['peak_mb']:.0f} MB); no direction vector cached: "
              f"p50 {r['cold_p50']:.1f} ms  p99 {r['cold_p99']:.1f} ms")


if __name__ == "__main__":
    main()
