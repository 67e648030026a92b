"""One million scientist profiles: import and index rate, size on disk, RAM, match latency.

    python bench/scale.py [--n 1000000] [--base 100000] [--db postgresql|sqlite]
                          [--chroma server|embedded] [--keep DIR] [--json FILE]

The deployment path of a large province: PostgreSQL (a fresh database, dropped at the end)
and `chroma run` as a server on loopback, with `--db sqlite --chroma embedded` for the
embedded default. Each phase runs in a process of its own, so its RSS is its own:

1. build  — generate N profiles (bench/matching.py's generator: the demo profiles' real texts
   recombined), `import_file` them (the `kejiyun import scientists` code path) and build the
   index (`SearchIndex.sync_all`). Generated profiles get their source profile's real vector
   plus noise (bench/matching.py's BenchEncoder), so the build is not hours of encoding; the
   real encoder's rate is measured on a sample and the full encoding time is printed as an
   estimate, marked as such.
2. query  — a fresh process starts as a web worker does (loads the index cache and connects
   to Chroma), then ranks every labelled need (dev + held-out) twice through `Ranker.rank`:
   p50/p99, start-up time, RSS after start-up and at peak. The Chroma server's RSS is read
   from /proc, so RAM per million is stated for both processes.

A baseline at `--base` profiles (default 100,000) runs first in the same way, so the
figures at N read as ratios against it on the same machine in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from load import ADMIN_URL, Database, rss_mb, start_process, stop_process
from webhooks import ROOT, free_port, wait_port

sys.path.insert(0, str(ROOT))
EXE = Path(sys.executable).parent


def bench_matching() -> Any:
    """bench/matching.py under another name: `matching` is also the project's package."""
    spec = importlib.util.spec_from_file_location("bench_matching",
                                                  ROOT / "bench" / "matching.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def env_for(home: Path, db_url: str, chroma_url: str | None) -> None:
    os.environ["KEJIYUN_HOME"] = str(home)
    os.environ["DATABASE_URL"] = db_url
    if chroma_url:
        os.environ["CHROMA_URL"] = chroma_url
    else:
        os.environ.pop("CHROMA_URL", None)
    from core.settings import get_settings

    get_settings.cache_clear()


def build(n: int, home: Path, db_url: str, chroma_url: str | None) -> dict[str, Any]:
    bm = bench_matching()
    env_for(home, db_url, chroma_url)
    from core.settings import get_settings
    from knowledge.bootstrap import init_store
    from knowledge.importers import import_file
    from retrieval.index import SearchIndex
    from store.db import make_engine

    settings = get_settings()
    path = home / "profiles.jsonl"
    t = time.perf_counter()
    bm.generate(path, n)
    gen_s = time.perf_counter() - t
    engine = make_engine(settings.effective_database_url)
    init_store(engine)
    t = time.perf_counter()
    report = import_file(engine, "scientists", path, batch_size=5000)
    import_s = time.perf_counter() - t
    assert report.rejected_count == 0, report.rejected[:3]
    encoder = bm.BenchEncoder()
    index = SearchIndex(engine, settings, encoder=encoder)
    t = time.perf_counter()
    index.sync_all(force=True)
    index_s = time.perf_counter() - t
    docs = index.docs("scientists")
    # the real encoder on a sample of the chunks it would have had to encode
    sample = [d.embed_text for d in list(docs.values())[:: max(1, len(docs) // 2048)]][:2048]
    t = time.perf_counter()
    encoder.real.encode(sample)
    encode_rate = len(sample) / (time.perf_counter() - t)
    path.unlink()
    return {"n": report.imported, "chunks": len(docs), "generate_s": gen_s,
            "import_s": import_s, "index_s": index_s, "real_encode_per_s": encode_rate,
            "build_peak_mb": peak_mb()}


def query(home: Path, db_url: str, chroma_url: str | None) -> dict[str, Any]:
    bm = bench_matching()
    env_for(home, db_url, chroma_url)
    from core.settings import get_settings
    from matching.extract import extract_need
    from matching.rank import Ranker
    from retrieval.index import SearchIndex
    from retrieval.search import Searcher
    from retrieval.service import settle_heap
    from store.db import make_engine

    settings = get_settings()
    t = time.perf_counter()
    engine = make_engine(settings.effective_database_url)
    index = SearchIndex(engine, settings)  # the real encoder, for queries
    synced = index.sync_all()  # what a web worker does at start: cache + Chroma, no rebuild
    settle_heap()
    start_s = time.perf_counter() - t
    assert synced["scientists"]["changed"] == 0, synced  # loaded, not rebuilt
    start_rss = rss_mb(os.getpid())
    ranker = Ranker(Searcher(index), engine, settings)
    needs = bm.load("needs_dev.jsonl") + bm.load("needs_holdout.jsonl")
    drafts = [extract_need(x["text"], tokenizer=index.tokenizer) for x in needs]
    for d in drafts[:10]:
        ranker.rank(d, k=10)  # warm up
    times: list[float] = []
    found = 0
    for _ in range(2):
        for d in drafts:
            t = time.perf_counter()
            found += bool(ranker.rank(d, k=10))
            times.append((time.perf_counter() - t) * 1000)
    return {"start_s": start_s, "start_rss_mb": start_rss, "peak_mb": peak_mb(),
            "queries": len(times), "with_candidates": found,
            "p50": float(np.percentile(times, 50)), "p99": float(np.percentile(times, 99)),
            "max": max(times)}


def du_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def db_size_mb(db_url: str, home: Path) -> float:
    if db_url.startswith("sqlite"):
        return sum(du_mb(p) for p in home.glob("*.db*"))
    import psycopg

    with psycopg.connect(db_url.replace("+psycopg", "")) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    return row[0] / 2**20 if row else 0.0


def child(phase: str, args: list[str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, *args],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{phase} failed ({out.returncode}):\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_size(n: int, db_kind: str, chroma_kind: str, admin_url: str,
             keep: Path | None = None) -> dict[str, Any]:
    """Build and query N profiles. With `keep`, the build stays in keep/<n>/ (database
    included) and a later run with the same `keep` only queries it again."""
    with contextlib.ExitStack() as stack:
        if keep is None:
            tmpdir = Path(stack.enter_context(tempfile.TemporaryDirectory(
                prefix="kejiyun-scale-")))
        else:
            tmpdir = keep / f"{n}-{db_kind}-{chroma_kind}"
        record = tmpdir / "build.json"
        kept = json.loads(record.read_text()) if record.exists() else None
        home = tmpdir / "home"
        (home / "prometheus").mkdir(parents=True, exist_ok=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(home / "prometheus")
        if kept is not None:
            db_url = kept["db_url"]
        elif db_kind == "postgresql":
            db = Database(admin_url)
            db_url = db.create().replace("postgresql://", "postgresql+psycopg://", 1)
            if keep is None:
                stack.callback(db.drop)
        else:
            db_url = f"sqlite:///{home / 'kejiyun.db'}"
        chroma_url, chroma_dir, server = None, home / "chroma", None
        if chroma_kind == "server":
            chroma_dir = tmpdir / "chroma-server"
            port = free_port()
            server = start_process([str(EXE / "chroma"), "run", "--path", str(chroma_dir),
                                    "--host", "127.0.0.1", "--port", str(port)],
                                   dict(os.environ), tmpdir / "chroma.log", tmpdir)
            stack.callback(stop_process, server)
            wait_port(port, server)
            chroma_url = f"http://127.0.0.1:{port}"
        paths = [str(home), db_url, chroma_url or ""]
        if kept is not None:
            built = kept["built"]
            print(f"  (re-using the build in {tmpdir})", flush=True)
        else:
            built = child("build", [str(n), *paths])
            if keep is not None:
                record.write_text(json.dumps({"db_url": db_url, "built": built}))
        if server is not None:  # a restarted server: RAM for serving, not what ingest left
            stop_process(server)
            server = start_process([str(EXE / "chroma"), "run", "--path", str(chroma_dir),
                                    "--host", "127.0.0.1", "--port", str(port)],
                                   dict(os.environ), tmpdir / "chroma.log", tmpdir)
            stack.callback(stop_process, server)
            wait_port(port, server)
        queried = child("query", paths)
        return {**built, **queried, "db": db_kind, "chroma": chroma_kind,
                "disk_db_mb": db_size_mb(db_url, home), "disk_chroma_mb": du_mb(chroma_dir),
                "disk_cache_mb": du_mb(home / "index") if (home / "index").exists() else 0.0,
                "chroma_rss_mb": rss_mb(server.pid) if server is not None else None}


def show(r: dict[str, Any], base: dict[str, Any] | None) -> None:
    n = r["n"]
    print(f"\n{n:,} 份档案 (profiles), {r['chunks']:,} 段 (chunks); {r['db']} + Chroma "
          f"{r['chroma']}")
    print(f"  导入 import: {n / r['import_s']:,.0f} 份/s ({r['import_s']:.0f} s)")
    print(f"  索引 index:  {r['chunks'] / r['index_s']:,.0f} 段/s ({r['index_s']:.0f} s, "
          f"bench vectors); real encoder {r['real_encode_per_s']:.0f} 段/s → encoding all "
          f"chunks would take ≈{r['chunks'] / r['real_encode_per_s'] / 60:.0f} min (estimate)")
    print(f"  磁盘 disk:   database {r['disk_db_mb']:,.0f} MB, Chroma "
          f"{r['disk_chroma_mb']:,.0f} MB, index cache {r['disk_cache_mb']:,.0f} MB")

    def per_million(key: str) -> str:
        # the slope between the baseline and N: what each further million profiles costs,
        # without the fixed part (Python, the encoder model, Chroma's own process)
        if not base or not r.get(key) or not base.get(key) or n == base["n"]:
            return ""
        slope = (r[key] - base[key]) / (n - base["n"]) * 1_000_000
        return f" (+{slope / 1024:.1f} GB per million)"

    chroma_rss = r["chroma_rss_mb"]
    print(f"  内存 RAM:    web worker after start {r['start_rss_mb']:,.0f} MB"
          f"{per_million('start_rss_mb')}, peak while matching {r['peak_mb']:,.0f} MB; "
          f"start-up {r['start_s']:.0f} s"
          + (f"; Chroma server {chroma_rss:,.0f} MB{per_million('chroma_rss_mb')}"
             if chroma_rss else "") + f"; build peak {r['build_peak_mb']:,.0f} MB")
    ratio = f" ({r['p99'] / base['p99']:.2f}× the {base['n']:,} baseline)" if base else ""
    print(f"  匹配 match:  p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms{ratio}, max "
          f"{r['max']:.0f} ms over {r['queries']} queries ({r['with_candidates']} with "
          "candidates)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--base", type=int, default=100_000, help="baseline size (0: none)")
    ap.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    ap.add_argument("--chroma", choices=["server", "embedded"], default="server")
    ap.add_argument("--admin-database-url", default=os.environ.get(
        "KEJIYUN_BENCH_DATABASE_URL", ADMIN_URL))
    ap.add_argument("--json", type=Path, help="also write the results as JSON here")
    ap.add_argument("--keep", type=Path,
                    help="keep each build in this directory (database too); a later run with "
                         "the same directory only measures the queries again")
    ap.add_argument("--phase", choices=["build", "query"], help=argparse.SUPPRESS)
    ap.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase == "build":
        n, home, db_url, chroma_url = args.rest
        print(json.dumps(build(int(n), Path(home), db_url, chroma_url or None)))
        return
    if args.phase == "query":
        home, db_url, chroma_url = args.rest
        print(json.dumps(query(Path(home), db_url, chroma_url or None)))
        return
    if args.chroma == "server" and not shutil.which("chroma", path=str(EXE)):
        raise SystemExit("the `chroma` CLI (chromadb) is not installed in this environment")
    print(f"机器 (machine): {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}")
    results: list[dict[str, Any]] = []
    base = None
    for n in ([args.base] if args.base else []) + [args.n]:
        t = time.monotonic()
        r = run_size(n, args.db, args.chroma, args.admin_database_url, args.keep)
        r["wall_s"] = time.monotonic() - t
        show(r, base)
        base = base or r
        results.append(r)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
