"""Weekly figures and unmet-topic clustering on a generated store, SQLite and PostgreSQL.

    python bench/reports.py [--needs 100000] [--questions 100000] [--pg URL | --no-pg]

A year of activity (needs, 1–3 offers each, scientists, question logs) spread over every
county. Each timing is printed in milliseconds and as a ratio to a baseline measured in the
same run on the same store: one full scan of the need table (`SELECT count(*) … WHERE
description <> ''`), i.e. "how many table scans does a report cost". Clustering is timed on
10,000 abstained questions, against tokenising the same texts once.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CROPS = ["李子", "柑橘", "猕猴桃", "茶树", "花椒", "水稻", "生猪", "草莓"]
PROBLEMS = ["叶子发黄", "流胶", "冬天咋个修剪", "长了蚜虫", "施肥施好多", "裂果", "溃疡病",
            "烂根", "拉稀", "不坐果"]
KINDS = ["question", "service", "rd_challenge", "talent", "achievement_transfer"]
STATUSES = ["open", "offered", "matched", "in_service", "closed", "unmatched", "cancelled",
            "draft"]


def _text(rnd: random.Random) -> str:
    return rnd.choice(CROPS) + rnd.choice(PROBLEMS) + rnd.choice(["", "怎么办", "咋整", "？"])


def populate(engine, needs: int, questions: int, seed: int = 11) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import insert

    from knowledge import gazetteer
    from store.models import Need, Offer, Scientist
    from store.models import QuestionLog as Q

    rnd = random.Random(seed)
    counties = [r.code for r in gazetteer.counties()]
    year_start = datetime(2026, 1, 1, tzinfo=UTC)

    def moment() -> datetime:
        return year_start + timedelta(seconds=rnd.randrange(0, 365 * 86400))

    n_sci = max(100, needs // 5)
    with engine.begin() as conn:
        conn.execute(insert(Scientist), [
            {"external_id": f"b-{i}", "name": f"专家{i}", "region_code": rnd.choice(counties),
             "created_at": year_start - timedelta(days=rnd.randrange(0, 400)),
             "updated_at": year_start, "directions": [], "services": [], "achievements": [],
             "contact": {}} for i in range(n_sci)])
        sci_ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM scientist")]
        rows = []
        for _ in range(needs):
            at = moment()
            rows.append({"kind": rnd.choice(KINDS), "status": rnd.choice(STATUSES),
                         "region_code": rnd.choice(counties), "created_at": at,
                         "updated_at": at, "description": _text(rnd),
                         "requester_role": rnd.choice(["enterprise", "farmer", "citizen"]),
                         "requester_id": None, "keywords": [], "products": [], "data": {}})
        conn.execute(insert(Need), rows)
        need_rows = conn.exec_driver_sql("SELECT id, created_at, status FROM need").all()
        offers = []
        for nid, created, status in need_rows:
            if status in ("draft", "open"):
                continue
            created = created if isinstance(created, datetime) else datetime.fromisoformat(
                str(created)).replace(tzinfo=UTC)
            for k, sid in enumerate(rnd.sample(sci_ids, rnd.randint(1, 3))):
                accepted = k == 0 and status in ("matched", "in_service", "closed")
                offers.append({
                    "token": uuid.uuid4().hex, "need_id": nid, "scientist_id": sid,
                    "status": "accepted" if accepted else rnd.choice(
                        ["declined", "expired", "withdrawn", "pending"]),
                    "created_at": created, "expires_at": created + timedelta(hours=48),
                    "responded_at": created + timedelta(hours=rnd.randint(1, 60)),
                    "reasons": []})
        conn.execute(insert(Offer), offers)
        conn.execute(insert(Q), [
            {"at": moment(), "region_code": rnd.choice(counties), "text": _text(rnd),
             "abstained": rnd.random() < 0.3, "citations": []} for _ in range(questions)])


def _time(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000


def bench_store(name: str, url: str, needs: int, questions: int) -> None:
    from sqlalchemy import text

    from knowledge.bootstrap import init_store
    from reports.figures import series, weekly
    from reports.topics import unmet_topics
    from reports.weeks import parse_week
    from store.db import make_engine

    engine = make_engine(url)
    init_store(engine)
    t = time.perf_counter()
    populate(engine, needs, questions)
    print(f"[{name}] generated {needs} needs, {questions} questions "
          f"in {time.perf_counter() - t:.1f}s")
    with engine.begin() as conn:  # fresh planner statistics, as a live store has
        conn.execute(text("ANALYZE"))
    with engine.connect() as conn:
        def scan() -> None:
            conn.execute(text("SELECT count(*) FROM need WHERE description <> ''")).scalar()

        base = _time(scan)
    week = parse_week("2026-W30")
    print(f"[{name}] baseline: one scan of need = {base:.1f} ms")
    cases = {
        "weekly province": lambda: weekly(engine, None, week, topics=0),
        "weekly city 宜宾市": lambda: weekly(engine, "宜宾市", week, topics=0),
        "weekly county 翠屏区": lambda: weekly(engine, "511502", week, topics=0),
        "series 8 weeks, city": lambda: series(engine, "宜宾市", 8, week),
        "unmet topics, province week": lambda: unmet_topics(engine, None, week.start,
                                                            week.end),
    }
    for label, fn in cases.items():
        ms = _time(fn)
        print(f"[{name}] {label:<30} {ms:8.1f} ms  = {ms / base:6.1f} × baseline")
    engine.dispose()


def bench_topics(n: int = 10_000) -> None:
    from reports.topics import QUESTION, TopicItem, _tokenizer, cluster

    rnd = random.Random(5)
    items = [TopicItem(QUESTION, i, _text(rnd), None) for i in range(n)]
    tok = _tokenizer()
    tok.tokenize("预热")  # load jieba's dictionary outside the timing
    base = _time(lambda: [tok.tokenize(it.text) for it in items], repeat=1)
    ms = _time(lambda: cluster(items, limit=20), repeat=1)
    top = cluster(items, limit=3)
    print(f"[topics] tokenising {n} questions: {base:.0f} ms (baseline)")
    print(f"[topics] clustering {n} questions: {ms:.0f} ms = {ms / base:.1f} × baseline; "
          f"top: {', '.join(f'{c.label} ({c.count})' for c in top)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--needs", type=int, default=100_000)
    ap.add_argument("--questions", type=int, default=100_000)
    ap.add_argument("--pg", default=PG_URL)
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    bench_topics()
    with tempfile.TemporaryDirectory() as tmp:
        bench_store("sqlite", f"sqlite:///{tmp}/bench.db", args.needs, args.questions)
    if not args.no_pg:
        from sqlalchemy import create_engine, text

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            sep = "&" if "?" in args.pg else "?"
            bench_store("postgresql", f"{args.pg}{sep}options=-csearch_path%3D{schema}",
                        args.needs, args.questions)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
