"""Emergencies in people's words: recall and false alarms of `retrieval.safety.assess` on the
labelled phrasings (bench/data/emergencies_dev.jsonl and emergencies_dev2.jsonl — the second
written later by another colleague who had not seen the code — used for tuning;
emergencies_holdout.jsonl, written with the dev half, never used for tuning),
beside the baseline measured in the same run: the keyword list the assistant used before.

    python bench/emergencies.py [--misses]   # --misses lists the dev half's errors only
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from unittest.mock import patch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.safety import assess  # noqa: E402

DATA = ROOT / "bench" / "data"
# the detector before colloquial phrasings were added (baseline)
BASELINE = re.compile(
    "喝了农药|喝农药|吃了农药|误服|误食|中毒了|农药中毒|食物中毒|一氧化碳中毒|煤气中毒|昏迷|晕倒|"
    "不省人事|抽搐|呼吸困难|喘不上气|胸口痛|胸痛|心口痛|大出血|血止不住|被蛇咬|毒蛇|心脏骤停|没有呼吸|"
    "没呼吸|心跳停|溺水|触电|烧伤|烫伤严重|中风|嘴歪|嘴巴歪|口角歪斜|说不出话|说话不清|口齿不清|"
    "半边身子|一边手脚|急救|着火|失火|火灾|燃气泄漏|煤气泄漏|天然气泄漏")


def flagged(text: str) -> bool:
    return assess(text).kind in ("emergency", "fire")


def rules_only(text: str) -> bool:
    """assess without the learned second opinion (its gain, measured in the same run)."""
    with patch("retrieval.safety.looks_like_emergency", lambda _t: False):
        return flagged(text)


def score(rows: list[dict], detect) -> tuple[str, str]:  # type: ignore[no-untyped-def,type-arg]
    pos = [r for r in rows if r["emergency"]]
    neg = [r for r in rows if not r["emergency"]]
    hit = sum(detect(r["text"]) for r in pos)
    alarm = sum(detect(r["text"]) for r in neg)
    return (f"{hit}/{len(pos)} = {hit / len(pos):.0%}",
            f"{alarm}/{len(neg)} = {alarm / len(neg):.0%}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--misses", action="store_true", help="list the dev half's errors")
    args = ap.parse_args()
    print("| 集 (set) | 方法 (method) | 急症识别率 (recall) | 误报率 (false alarms) |")
    print("|---|---|---|---|")
    for half in ("dev", "dev2", "dev3", "dev4", "holdout"):
        rows = [json.loads(line) for line in (DATA / f"emergencies_{half}.jsonl").open()]
        for name, detect in (("旧关键词 (baseline)", lambda t: bool(BASELINE.search(t))),
                             ("只用规则 (rules only)", rules_only), ("assess", flagged)):
            recall, alarms = score(rows, detect)
            print(f"| {half} ({len(rows)}) | {name} | {recall} | {alarms} |")
        if args.misses and half.startswith("dev"):
            for r in rows:
                if flagged(r["text"]) != r["emergency"]:
                    print(f"  {'漏报' if r['emergency'] else '误报'}: {r['text']}")


if __name__ == "__main__":
    main()
