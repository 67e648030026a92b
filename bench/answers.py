"""Answers judged as the asker reads them, per category, dev beside held-out, with a simple
baseline from the same run.

    python bench/answers.py [--misses dev|dev2|…|dev7|holdout|all] [--only SET]

Sets: bench/data/answers_dev.jsonl, answers_dev2/…/7.jsonl (tuned on; the second to seventh
written later by other colleagues who had not read the code) and
answers_holdout.jsonl (written with the first by a colleague who had not read the code, before
any tuning; never tuned on). Each row names the article that must be cited first ("" = an
honest abstention is right), substrings that must appear (the asked fact) and must not
(another subject), and the kind of reply:

- answer     — not abstained, first citation right, every `must`, no `must_not`, whole lists
               (no numbering gap) and no answer ending on "：" or "；"
- emergency  — the call-120 line comes first, then the first-aid article with its `must`
- smalltalk / decline — a friendly word or a polite "not what I do", no citation, abstained

Follow-ups carry `previous` (the question asked just before), as the chat passes it.
Baseline: the top-ranked vetted article's opening, cut at 300 characters, with the same safety
line (no intent, list or subject handling, no small-talk gate).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data"

_NUMERALS = "一二三四五六七八九十"


def list_gap(text: str) -> str:
    """"一是…二是…四是": the first missing number, or "" when every list runs without a gap."""
    for pattern in (r"([一二三四五六七八九十])是", r"第([一二三四五六七八九十])[，、,:：条步]"):
        seen = [_NUMERALS.index(m) + 1 for m in re.findall(pattern, text)]
        for before, after in zip(seen, seen[1:], strict=False):
            if after > before + 1:
                return f"缺第{before + 1}项"
    return ""


def is_emergency(row: dict) -> bool:
    """A person in danger now: `expect: emergency`, or (dev11 on) `category: emergency`."""
    return row["expect"] == "emergency" or row.get("category") == "emergency"


def judge(row: dict, got: dict) -> list[str]:
    """Why the reply fails the asker ([] = it passes)."""
    text, cites = got["answer"], [c["article_id"] for c in got["citations"]]
    why: list[str] = []
    expect = row["expect"]
    if expect in ("smalltalk", "decline", "declined"):  # (dev8 writes "declined")
        if not got["abstained"] or cites:
            why.append(f"应婉拒/寒暄，却答了 {cites[:1]}")
        if "转给当地专家" in text:
            why.append("不该提出转专家")
        return why
    first_aid_first = "120" in text[:80] or "119" in text[:80]
    if is_emergency(row) and (got.get("safety") not in ("emergency", "fire")
                                  or not first_aid_first):
        why.append("急救提示没有排在最前")
    if expect == "no_answer":  # an honest "no vetted answer", nothing cited
        if cites:
            why.append(f"应如实说没有审核内容，却引用了 {cites[0]}")
        return why
    if not row["article"]:
        if cites and expect == "answer":
            why.append(f"应如实说没有审核内容，却引用了 {cites[0]}")
        return why
    if not cites:
        why.append("没有引用")
    elif cites[0] != row["article"]:
        why.append(f"首条引用 {cites[0]}，应为 {row['article']}")
    why += [f"缺少“{m}”" for m in row["must"] if m not in text]
    why += [f"不该有“{m}”" for m in row["must_not"] if m in text]
    if gap := list_gap(text):
        why.append(gap)
    body = re.sub(r"\[\d+\]", "", text).rstrip()
    if body.endswith(("：", "；", ":", ";", "，")):
        why.append("答案停在半句")
    return why


def baseline(searcher, question: str) -> dict:  # type: ignore[no-untyped-def]
    from retrieval.answer import ABSTAIN_TEXT, Answer, Citation
    from retrieval.safety import assess

    verdict = assess(question)
    q = searcher.prepare(question)
    hits, confidence, _ = searcher.search_with_confidence("articles", q, k=1)
    if not hits or confidence < searcher.cal.abstain_below:
        text = verdict.message or ABSTAIN_TEXT
        return Answer(text, abstained=not verdict.kind, safety=verdict.kind).to_json()
    docs = [searcher.index.doc("articles", c) for c in hits[0].chunks]
    body = "".join(d.text for d in docs if d)[:300]
    prefix = verdict.message + "\n" if verdict.kind else ""
    return Answer(prefix + body + "[1]", [Citation(hits[0].id, hits[0].title, body[:120])],
                  confidence, safety=verdict.kind).to_json()


def main() -> None:
    ap = argparse.ArgumentParser()
    sets = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10",
            "dev11", "dev12", "dev13", "dev14", "dev15", "dev16", "dev17", "holdout")
    ap.add_argument("--misses", choices=(*sets, "all"), default=None)
    ap.add_argument("--only", choices=sets, default=None)
    args = ap.parse_args()
    from bench.demo_home import demo_store
    from retrieval.service import make_answerer, open_index

    settings, engine = demo_store("kejiyun-answers-")
    answerer = make_answerer(open_index(engine, settings), settings)

    halves = [args.only] if args.only else list(sets)
    table: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for half in halves:
        rows = [json.loads(line) for line in (DATA / f"answers_{half}.jsonl").open()
                if line.strip()]
        for row in rows:
            got = answerer.ask(row["text"], previous=row.get("previous")).to_json()
            base = baseline(answerer.searcher, (row.get("previous", "") + " "
                                                      + row["text"]).strip())
            for method, reply in (("answers", got), ("baseline", base)):
                why = judge(row, reply)
                cats = [row["category"], "全部 (all)"]
                if is_emergency(row):
                    cats.append("急症行 (emergency rows)")
                for cat in cats:
                    cell = table[(half, method, cat)]
                    cell[0] += not why
                    cell[1] += 1
                if why and method == "answers" and args.misses in (half, "all"):
                    print(f"✗ {row['id']} {row['text']} — {'；'.join(why)}\n    "
                          f"{reply['answer'][:160]!r}", file=sys.stderr)
    cats = sorted({c for _, _, c in table},
                  key=lambda c: (c.startswith("全部"), c.startswith("急症"), c))
    print("| 类别 (category) | " + " | ".join(f"{h} {m}" for h in halves
                                             for m in ("answers", "baseline")) + " |")
    print("|---|" + "---|" * (2 * len(halves)))
    for cat in cats:
        cells = []
        for half in halves:
            for method in ("answers", "baseline"):
                ok, n = table[(half, method, cat)]
                cells.append(f"{ok}/{n} = {ok / n:.0%}" if n else "—")
        print(f"| {cat} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
