"""Train the dialog-act second opinion (`bot/journeys/acts.py`) on the dev journeys.

Replays every dev journey (bench/data/dialogs_dev*.jsonl, never the held-out one) through the
dialog as `kejiyun chat` runs it, notes the state each line was typed in, and labels it from
what the journey expects of the reply:
- at the card (`need:confirm`): `agree` (published), `leave` (cancelled), else `other`;
- at the consent prompt: `yes` / `no` when the card that follows says 专家接单后告知 / 不直接提供,
  `leave` when cancelled, `other` when the prompt is asked again or something else is answered;
- at any other prompt: `leave` (cancelled) or `other`.
Each (place, label) pair is a one-vs-rest logistic regression on character n-grams (the same
trainer as the emergency model). Writes bot/journeys/acts.json.

    python bench/train_dialog_acts.py              # train on every dev set, write the model
    python bench/train_dialog_acts.py --evaluate   # leave each dev set out in turn: how often
                                                   # a sure answer is right, and how many lines
                                                   # it answers, per threshold
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.train_emergencies import train  # noqa: E402

DATA = ROOT / "bench" / "data"
OUT = ROOT / "bot" / "journeys" / "acts.json"
# what each place's labels are; "other" is every other reply there
LABELS = {"card": ("agree", "leave"), "consent": ("yes", "no", "leave"), "slot": ("leave",)}


def place_of(state: str) -> str | None:
    if state == "need:confirm":
        return "card"
    if state == "need:slot:contact_consent":
        return "consent"
    if state.startswith("need:slot:"):
        return "slot"
    return None


def label_of(place: str, expect: list[str]) -> str | None:
    if "cancelled" in expect:
        return "leave"
    if place == "card":
        return "agree" if "published" in expect else "other"
    if place == "consent":
        shown = " ".join(expect)
        if "专家接单后告知" in shown:
            return "yes"
        if "不直接提供" in shown:
            return "no"
        return "other" if any(e.startswith(("ask:", "answer", "emergency", "declined"))
                              for e in expect) else None
    return "other"


def replay() -> list[tuple[str, str, str, str]]:
    """(set, place, text, label) for every dev line typed inside a need form."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from bench.demo_home import demo_store
    from bot.handlers.cli import CHANNEL
    from bot.services import make_dialog
    from delivery.messages import Inbound
    from store import accounts
    from store.models import Conversation

    settings, engine = demo_store("kejiyun-acts-")
    dialog = make_dialog(engine, settings)
    out: list[tuple[str, str, str, str]] = []
    for path in sorted(DATA.glob("dialogs_dev*.jsonl")):
        half = path.stem.removeprefix("dialogs_")
        for row in map(json.loads, path.open(encoding="utf-8")):
            user = f"{path.stem}-{row['id']}"
            accounts.account(engine, CHANNEL, user, display_name=user, role=row["role"])
            dialog.handle(Inbound(CHANNEL, user, kind="event"))
            for turn in row["turns"]:
                with Session(engine) as s:
                    state = s.execute(select(Conversation.state).where(
                        Conversation.platform_user_id == user)).scalar_one_or_none() or ""
                place = place_of(state)
                if place and turn["say"].strip():
                    label = label_of(place, turn["expect"])
                    if label is not None:
                        out.append((half, place, turn["say"], label))
                dialog.handle(Inbound(CHANNEL, user, text=turn["say"]))
    return out


def fit(rows: list[tuple[str, str, str, str]]) -> dict[str, dict]:  # type: ignore[type-arg]
    models = {}
    for place, labels in LABELS.items():
        mine = [(text, label) for _, p, text, label in rows if p == place]
        for label in labels:
            data = [(text, got == label) for text, got in mine]
            if sum(y for _, y in data) >= 3:
                weights, bias = train(data)
                models[f"{place}:{label}"] = {"weights": weights, "bias": bias}
    return models


def evaluate(rows: list[tuple[str, str, str, str]]) -> None:
    """Leave each dev set out: of the lines the model is sure about, how many it got right."""
    import bot.journeys.acts as acts

    halves = sorted({h for h, *_ in rows})
    sure = (0.6, 0.7, 0.8, 0.9)
    tally = {t: Counter() for t in sure}  # type: ignore[var-annotated]
    for half in halves:
        models = fit([r for r in rows if r[0] != half])
        loaded = {n: (m["weights"], float(m["bias"])) for n, m in models.items()}
        for _, place, text, label in (r for r in rows if r[0] == half):
            p = acts.probabilities(place, text, models=loaded)
            best = max(p, key=p.__getitem__, default=None)
            for t in sure:
                guess = best if best is not None and p[best] >= t else None
                if label != "other":
                    tally[t]["wanted"] += 1
                if guess is not None:
                    tally[t]["said"] += 1
                    tally[t]["right"] += guess == label
    print("| 把握 (sure) | 说了 (answered) | 对 (right) | 覆盖 (of non-other lines) |")
    print("|---|---|---|---|")
    for t in sure:
        c = tally[t]
        share = c["right"] / max(1, c["said"])
        print(f"| {t} | {c['said']} | {c['right']}/{c['said']} = {share:.1%} "
              f"| {c['right']}/{c['wanted']} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--evaluate", action="store_true")
    args = ap.parse_args()
    rows = replay()
    for place in LABELS:
        print(place, dict(Counter(label for _, p, _, label in rows if p == place)))
    if args.evaluate:
        evaluate(rows)
        return
    sets = {p.stem: sum(1 for line in p.open(encoding="utf-8") if line.strip())
            for p in sorted(DATA.glob("dialogs_dev*.jsonl"))}
    model = {"trained_on": len(rows), "journeys": sets, "models": fit(rows)}
    OUT.write_text(json.dumps(model, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    print(f"{len(rows)} lines → {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
