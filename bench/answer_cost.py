"""What a question costs from the command line: cold start of `kejiyun ask` against
`kejiyun stats`, and per-question CPU of `kejiyun ask --batch` against
`kejiyun search articles --batch` on the same questions, in one run.

    python bench/answer_cost.py [--runs 5] [--questions 100] [--repeat 3]
                                [--question "李子园土壤酸化咋整"] [--blas-threads 1] [--keep-home]

A temporary KEJIYUN_HOME gets the demo corpus (`kejiyun init --demo`, embedded SQLite and
Chroma, no LLM: DATABASE_URL, CHROMA_URL and LLM_* are dropped from the environment). Each
command runs as a child process of this one, as `python -m kejiyun.cli` from this checkout,
and its CPU is the child's own user + system time (`os.wait4`). BLAS runs single-threaded
in the children (`--blas-threads`, KEJIYUN_ENCODER_THREADS): idle BLAS threads busy-wait, so
with several their CPU time swings with whatever else runs on the machine (up to 5× here);
one thread gives the stable measure of the work itself.

1. Cold start: `kejiyun stats` and `kejiyun ask QUESTION`, one untimed warm-up each (page
   cache), then `--runs` timed runs each, interleaved; medians of wall time and CPU, and the
   ratio ask / stats (issue 13: ask within 2×).
2. Per question: `--questions` question texts, alternately from
   bench/data/questions_dev_agri.jsonl and questions_dev_citizen.jsonl, written to a JSON
   Lines batch file; each command runs on that file and on a file with its first question
   alone, `--repeat` times (medians). Marginal CPU per question is
   (CPU with N − CPU with 1) / (N − 1): the start-up cancels out. Total / N is shown too.
   Ratio ask / search (issue 13: ask within 3×).

Exit status 0 unless a command fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
QUESTION_FILES = ("questions_dev_agri.jsonl", "questions_dev_citizen.jsonl")
COLD_TARGET, BATCH_TARGET = 2.0, 3.0
_DROP = ("DATABASE_URL", "CHROMA_URL", "REDIS_URL", "LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY",
         "EMBEDDING_MODEL", "PROMETHEUS_MULTIPROC_DIR")


def child_env(home: Path, blas_threads: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROP}
    env["KEJIYUN_HOME"] = str(home)
    env["KEJIYUN_ENCODER_THREADS"] = str(blas_threads)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(blas_threads)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def run(args: list[str], env: dict[str, str], out: Path) -> tuple[float, float]:
    """Run `kejiyun ARGS`; return (wall seconds, CPU seconds of the child)."""
    cmd = [sys.executable, "-m", "kejiyun.cli", *args]
    err = out.with_suffix(".err")
    with out.open("wb") as fh, err.open("wb") as eh:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=fh, stderr=eh,
                                stdin=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped by wait4
    if proc.returncode != 0:
        sys.exit(f"`kejiyun {' '.join(args)}` exited {proc.returncode}:\n"
                 f"{err.read_text(encoding='utf-8', errors='replace')[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def load_questions(n: int) -> list[dict[str, str]]:
    sources = [[json.loads(line) for line in (DATA / name).read_text(encoding="utf-8")
                .splitlines() if line.strip()] for name in QUESTION_FILES]
    picked: list[dict[str, str]] = []
    for i in range(max(len(s) for s in sources)):
        for rows in sources:
            if i < len(rows) and len(picked) < n:
                picked.append({"id": rows[i]["id"], "text": rows[i]["text"]})
    return picked


def write_batch(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def cold_start(env: dict[str, str], tmp: Path, question: str, runs: int
               ) -> dict[str, tuple[float, float]]:
    commands = {"stats": ["stats"], "ask": ["ask", question]}
    for args in commands.values():
        run(args, env, tmp / "warmup.out")
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, args in commands.items():
            samples[name].append(run(args, env, tmp / f"{name}.out"))
    return {name: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s))
            for name, s in samples.items()}


def per_question(env: dict[str, str], tmp: Path, rows: list[dict[str, str]], repeat: int
                 ) -> dict[str, dict[str, float]]:
    one = write_batch(tmp / "one.jsonl", rows[:1])
    many = write_batch(tmp / "many.jsonl", rows)
    commands = {"search articles": ["search", "articles", "--batch"],
                "ask": ["ask", "--batch"]}
    n = len(rows)
    result: dict[str, dict[str, float]] = {}
    for name, args in commands.items():
        cpu1, cpun, walln = [], [], []
        for _ in range(repeat):
            cpu1.append(run([*args, str(one)], env, tmp / "batch1.out")[1])
            wall, cpu = run([*args, str(many)], env, tmp / "batchn.out")
            cpun.append(cpu)
            walln.append(wall)
        lines = (tmp / "batchn.out").read_text(encoding="utf-8").splitlines()
        answered = sum(1 for line in lines if line.startswith("{") and
                       "error" not in json.loads(line))
        if answered != n:
            sys.exit(f"`kejiyun {name} --batch` answered {answered} of {n} questions")
        c1, cn = statistics.median(cpu1), statistics.median(cpun)
        result[name] = {"cpu1": c1, "cpun": cn, "walln": statistics.median(walln),
                        "marginal": (cn - c1) / (n - 1), "per_total": cn / n}
    return result


def verdict(ratio: float, target: float) -> str:
    return f"{'meets' if ratio <= target else 'misses'} the ≤ {target:g}× target"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="timed cold starts of each command")
    ap.add_argument("--questions", type=int, default=100, help="questions in the batch file")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each batch (medians)")
    ap.add_argument("--question", default="李子园土壤酸化咋整", help="question for the cold start")
    ap.add_argument("--blas-threads", type=int, default=1,
                    help="BLAS threads of the children (the encoder's included)")
    ap.add_argument("--keep-home", action="store_true", help="keep the temporary KEJIYUN_HOME")
    args = ap.parse_args()
    if args.questions < 2:
        ap.error("--questions must be at least 2")

    started, load_before = time.perf_counter(), os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="kejiyun-answer-cost-"))
    home = tmp / "home"
    env = child_env(home, args.blas_threads)
    try:
        wall, cpu = run(["init", "--demo"], env, tmp / "init.out")
        print(f"demo home {home}: `kejiyun init --demo` {wall:.1f} s wall, {cpu:.1f} s CPU\n")

        cold = cold_start(env, tmp, args.question, args.runs)
        (sw, sc), (aw, ac) = cold["stats"], cold["ask"]
        print(f"## Cold start (median of {args.runs} runs)\n")
        print("| command | wall s | CPU s |")
        print("| --- | ---: | ---: |")
        print(f"| `kejiyun stats` | {sw:.2f} | {sc:.2f} |")
        print(f"| `kejiyun ask \"{args.question}\"` | {aw:.2f} | {ac:.2f} |")
        print(f"| ratio ask / stats | {aw / sw:.2f}× | {ac / sc:.2f}× |\n")
        print(f"wall: {verdict(aw / sw, COLD_TARGET)}\n")

        rows = load_questions(args.questions)
        batch = per_question(env, tmp, rows, args.repeat)
        n = len(rows)
        print(f"## Per question, {n} questions (median of {args.repeat} runs)\n")
        print(f"| command | CPU 1 q s | CPU {n} q s | wall {n} q s | marginal CPU ms/q "
              "| total/N CPU ms/q |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for name, r in batch.items():
            print(f"| `kejiyun {name} --batch` | {r['cpu1']:.2f} | {r['cpun']:.2f} "
                  f"| {r['walln']:.2f} | {r['marginal'] * 1000:.1f} "
                  f"| {r['per_total'] * 1000:.1f} |")
        s, a = batch["search articles"], batch["ask"]
        marginal = a["marginal"] / s["marginal"] if s["marginal"] > 0 else float("inf")
        print(f"| ratio ask / search | | | | {marginal:.2f}× "
              f"| {a['per_total'] / s['per_total']:.2f}× |\n")
        print(f"marginal: {verdict(marginal, BATCH_TARGET)}")
        print(f"\n(bench time {time.perf_counter() - started:.0f} s; load average "
              f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after, {os.cpu_count()} CPUs: "
              "other work on the machine inflates both wall and CPU figures)")
    finally:
        if args.keep_home:
            print(f"kept {home}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
