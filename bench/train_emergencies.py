"""Train the emergency second opinion (`retrieval/emergency_model.py`) on the dev phrasings.

Trains on bench/data/emergencies_dev*.jsonl, the answers dev sets (rows expecting an
emergency are positives, all others negatives) and everything else people type in the dev
sets (dialog lines, needs, intents, follow-ups); never on a held-out file. Also writes each
first-aid topic's n-gram centroid (`likely_topic`). Full-batch logistic
regression (Adam, class-balanced, L2), deterministic. The threshold 0.7 was chosen by
leave-one-set-out on the dev sets before emergencies_dev4 was read; writes
retrieval/emergency_ngrams.json.

    python bench/train_emergencies.py [--exclude dev4]   # leave a set out, to measure it fresh
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.emergency_model import grams  # noqa: E402

DATA = ROOT / "bench" / "data"
OUT = ROOT / "retrieval" / "emergency_ngrams.json"
THRESHOLD, C, MIN_DF, STEPS, RATE = 0.7, 1000.0, 2, 1500, 0.05


# everything else people type (slot answers such as "尽快", "同意", "我在苍溪"; needs;
# intents; follow-ups): without them the model has never seen a short reply in a form
OTHER_TEXTS = ("dialogs_dev*.jsonl", "needs_dev.jsonl", "needs_rare_dev*.jsonl",
               "intents_dev*.jsonl", "followups_dev*.jsonl")


def sources(exclude: set[str]) -> list[Path]:
    """The dev files trained on (never a held-out one)."""
    ems = [p for p in sorted(DATA.glob("emergencies_dev*.jsonl"))
           if p.stem.removeprefix("emergencies_") not in exclude]
    others = [p for pattern in OTHER_TEXTS for p in sorted(DATA.glob(pattern))]
    return ems + sorted(DATA.glob("answers_dev*.jsonl")) + others


def rows(exclude: set[str]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for path in sources(exclude):
        for r in map(json.loads, path.open(encoding="utf-8")):
            if "turns" in r:  # a scripted dialog: each line, an emergency where it expects one
                out += [(turn["say"], any(e.startswith("emergency") for e in turn["expect"]))
                        for turn in r["turns"] if turn["say"].strip()]
            elif "emergency" in r:
                out.append((r["text"], bool(r["emergency"])))
            else:  # an answers row: `expect: emergency`, or (dev11 on) `category: emergency`
                out.append((r["text"], r.get("expect") == "emergency"
                            or r.get("category") == "emergency"))
    return out


def train(data: list[tuple[str, bool]]) -> tuple[dict[str, float], float]:
    sets = [grams(t) for t, _ in data]
    df = Counter(g for s in sets for g in s)
    vocab = {g: i for i, g in enumerate(sorted(g for g, c in df.items() if c >= MIN_DF))}
    # sparse: a dense 30,000 × 60,000 matrix took 16 GB and an hour per training
    cols = [[vocab[g] for g in set(s) if g in vocab] for s in sets]
    scale = [1.0 / max(1.0, len(c) ** 0.5) for c in cols]
    x = sparse.csr_matrix(
        ([scale[i] for i, c in enumerate(cols) for _ in c],
         ([i for i, c in enumerate(cols) for _ in c], [j for c in cols for j in c])),
        shape=(len(data), len(vocab)))
    y = np.array([label for _, label in data], dtype=float)
    balance = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    w, b = np.zeros(len(vocab)), 0.0
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, STEPS + 1):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        g = (p - y) * balance
        gw = x.T @ g / len(y) + w / (C * len(y))
        m, v = 0.9 * m + 0.1 * gw, 0.999 * v + 0.001 * gw ** 2
        w -= RATE * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
        b -= RATE * g.mean()
    weights = {g: round(float(w[i]), 4) for g, i in vocab.items() if abs(w[i]) >= 1e-3}
    return weights, round(float(b), 4)


# labels in the emergencies sets → the topics of `retrieval.safety.FIRST_AID_TITLES`
# ("bite" and "other" name no one article: the rules refine those, or no topic is learned)
TOPIC_OF_KIND = {"cardiac": "unconscious", "electrocution": "electric", "carbon_monoxide": "co",
                 "seizure_fever": "seizure", "heatstroke": "heat", "fall_injury": "fall",
                 "snakebite": "snake", "bite": "", "other": "", "none": ""}
TOPIC_GRAMS = 300  # the strongest n-grams kept per topic


def topics(exclude: set[str]) -> dict[str, dict[str, float]]:
    """Each topic's centroid of n-grams (Rocchio): for an emergency the rules cannot place."""
    sums: dict[str, Counter[str]] = {}
    for path in sources(exclude):
        for r in map(json.loads, path.open(encoding="utf-8")):
            topic = TOPIC_OF_KIND.get(r.get("kind", ""), r.get("kind", ""))
            if not r.get("emergency") or not topic:
                continue
            g = grams(r["text"])
            sums.setdefault(topic, Counter()).update({k: 1 / len(g) ** 0.5 for k in g})
    out = {}
    for topic, c in sorted(sums.items()):
        top = dict(c.most_common(TOPIC_GRAMS))
        norm = sum(v * v for v in top.values()) ** 0.5
        out[topic] = {k: round(v / norm, 4) for k, v in top.items()}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--exclude", action="append", default=[],
                    help="an emergencies set to leave out")
    args = ap.parse_args()
    data = rows(set(args.exclude))
    weights, bias = train(data)
    model = {"threshold": THRESHOLD, "bias": bias, "trained_on": len(data), "weights": weights,
             "topics": topics(set(args.exclude))}
    OUT.write_text(json.dumps(model, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    print(f"{len(data)} phrasings, {len(weights)} n-grams → {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
