"""Import throughput and memory: N generated scientist profiles into SQLite and PostgreSQL.

    python bench/import_speed.py [--rows 100000] [--pg URL]

Each import runs in its own process so its peak RSS is its own. Memory is "flat" when the
peak for N rows is close to the peak for N/5 rows (the ratio is printed). Timing covers the
import only (validation, region and discipline mapping, upserts); embedding is not included.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DISCIPLINES = ["果树栽培", "土壤肥料", "植物保护", "作物育种", "茶学", "中药材栽培", "生猪养殖",
               "水产养殖", "农业机械", "食品科学", "材料科学", "机械设计制造", "电子信息",
               "化学工程", "环境工程", "临床医学", "建筑设计", "土木工程"]
DIRECTIONS = ["酸性土壤改良", "李树丰产栽培", "柑橘黄龙病防控", "稻田综合种养", "生猪疫病防控",
              "茶园绿色防控", "猕猴桃溃疡病", "钒钛新材料", "白酒酿造微生物", "工业机器人视觉",
              "农村污水处理", "锂电池正极材料", "中药材规范化种植", "农机智能化"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林"
GIVEN = "建华明丽强敏静军伟芳娜洋勇艳杰娟涛超霞平刚"


def generate(path: Path, rows: int, seed: int = 7) -> None:
    from knowledge import gazetteer

    rnd = random.Random(seed)
    regions = [r.full_name for r in gazetteer.counties()]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(rows):
            rec = {
                "id": f"gen-{i:07d}",
                "name": rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN),
                "discipline": rnd.choice(DISCIPLINES),
                "directions": rnd.sample(DIRECTIONS, 2),
                "services": ["现场指导", "线上问诊"],
                "achievements": [f"实用新型专利 {i}"],
                "region": rnd.choice(regions),
                "organization": f"示例研究院{i % 500}",
                "title": rnd.choice(["研究员", "副教授", "高级工程师", "农艺师"]),
                "contact": {"phone": f"199{i:08d}"},
                "available": rnd.random() > 0.08,
            }
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def worker(url: str, file: Path) -> None:
    from knowledge.bootstrap import init_store
    from knowledge.importers import import_file
    from store.db import make_engine

    engine = make_engine(url)
    init_store(engine)
    t0 = time.perf_counter()
    rep = import_file(engine, "scientists", file)
    seconds = time.perf_counter() - t0
    assert rep.rejected_count == 0, rep.rejected[:3]
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": rep.imported, "seconds": seconds, "peak_mb": peak_kb / 1024}))


def run_one(url: str, file: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", url, str(file)],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def pg_schema_url(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    sep = "&" if "?" in base else "?"
    return schema, f"{base}{sep}options=-csearch_path%3D{schema}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--pg", default=os.environ.get(
        "KEJIYUN_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--worker", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]))
        return

    from sqlalchemy import create_engine, text

    small = max(args.rows // 5, 1)
    with tempfile.TemporaryDirectory() as tmp:
        files = {n: Path(tmp) / f"gen_{n}.jsonl" for n in (small, args.rows)}
        for n, f in files.items():
            generate(f, n)
        results: dict[str, dict[int, dict]] = {"sqlite": {}, "postgresql": {}}
        for n, f in files.items():
            results["sqlite"][n] = run_one(f"sqlite:///{tmp}/bench_{n}.db", f)
            schema, url = pg_schema_url(args.pg)
            admin = create_engine(args.pg)
            with admin.begin() as c:
                c.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                results["postgresql"][n] = run_one(url, f)
            finally:
                with admin.begin() as c:
                    c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()

    print(f"\nImport of generated scientist profiles ({args.rows:,} rows; memory check at "
          f"{small:,})\n")
    print(f"{'store':<11}{'rows':>9}{'seconds':>9}{'rows/s':>10}{'peak MB':>9}"
          f"{'peak(N)/peak(N/5)':>19}")
    for backend, by_n in results.items():
        big, little = by_n[args.rows], by_n[small]
        rate = big["rows"] / big["seconds"]
        print(f"{backend:<11}{big['rows']:>9,}{big['seconds']:>9.1f}{rate:>10,.0f}"
              f"{big['peak_mb']:>9.0f}{big['peak_mb'] / little['peak_mb']:>19.2f}")
    s, p = (results[b][args.rows] for b in ("sqlite", "postgresql"))
    print(f"\nPostgreSQL / SQLite throughput ratio: "
          f"{(p['rows'] / p['seconds']) / (s['rows'] / s['seconds']):.2f}")
    print("Target: >= 5,000 rows/s into the store; peak ratio near 1.0 (flat memory).")


if __name__ == "__main__":
    main()
