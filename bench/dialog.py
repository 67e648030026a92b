"""Dialog speed: per-turn latency of each journey in process, and WeChat acknowledgement
latency over loopback HTTP under concurrent users.

    python bench/dialog.py [--scientists 10000] [--users 50,200] [--seconds 20]

1. In process (embedded SQLite, demo corpus plus N generated scientist profiles, no LLM):
   p50/p99 of each turn type — a 科普 question, a need described in one message, each slot
   answer, publishing (matching + offers), a scientist pressing 接单.
2. Over HTTP: `kejiyun serve` in its own process with WECHAT_TOKEN set; C simulated users
   each post signed text messages to /wechat with 1–3 s think time for a bounded time;
   prints acknowledgement p50/p99, throughput and the error rate per C.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from webhooks import ROOT, free_port, load, pct, wait_healthy, wechat_params, wechat_text

sys.path.insert(0, str(ROOT))
# Seconds between one user's messages: reading an answer and typing a question in Chinese on a
# phone takes longer than this, so the load is on the heavy side of realistic.
THINK = (5.0, 15.0)


def _matching_bench():  # type: ignore[no-untyped-def]
    """bench/matching.py (its name clashes with the `matching` package, so load by path)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_matching", ROOT / "bench" /
                                                  "matching.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def in_process(n_scientists: int, home: Path) -> None:
    mb = _matching_bench()
    BenchEncoder, generate, setup = mb.BenchEncoder, mb.generate, mb.setup  # noqa: N806
    gen = home.parent / "gen.jsonl"
    generate(gen, n_scientists)
    engine, settings, index = setup(home, None, encoder=BenchEncoder())
    from knowledge.importers import import_file

    import_file(engine, "scientists", gen, batch_size=5000)
    index.sync_all()
    from retrieval.service import settle_heap

    settle_heap()
    from bot.dialog import Dialog
    from delivery.messages import Inbound
    from matching.offers import OfferService
    from matching.service import Matcher
    from retrieval.answer import Answerer
    from retrieval.search import Searcher
    from store.accounts import new_code

    matcher = Matcher(index, engine, settings)
    offers = OfferService(engine, matcher.ranker, settings)
    dialog = Dialog(engine, answerer=Answerer(Searcher(index)), matcher=matcher, offers=offers)
    questions = [q["text"] for q in load("questions_dev_agri.jsonl")]
    needs = [n["text"] for n in load("needs_dev.jsonl")]
    times: dict[str, list[float]] = {}

    def turn(name: str, msg: Inbound) -> list:  # type: ignore[type-arg]
        t = time.perf_counter()
        out = dialog.handle(msg)
        times.setdefault(name, []).append((time.perf_counter() - t) * 1000)
        return out

    rnd = random.Random(3)
    for i, q in enumerate(questions[:100]):
        turn("question", Inbound("bench", f"q{i}", text=q))
    answers = {"region": "宜宾市翠屏区", "urgency": "不急", "budget": "五千左右",
               "contact_consent": "同意"}
    published = 0
    for i, text in enumerate(rnd.sample(needs, 60)):
        user = f"n{i}"
        out = turn("need: describe", Inbound("bench", user, text=text))
        for _ in range(5):
            buttons = [b.action for o in out for b in o.buttons]
            if "need:confirm" in buttons:
                turn("need: publish", Inbound("bench", user, action="need:confirm",
                                              kind="button"))
                published += 1
                break
            slot = next((s for s in answers if any(s in a for a in buttons)), None)
            asked = out[-1].text
            slot = slot or next((s for s, w in (("region", "市、县"), ("budget", "费用"),
                                               ("contact_consent", "联系方式"),
                                               ("urgency", "急不急")) if w in asked), None)
            if slot is None:
                break
            out = turn("need: slot answer", Inbound("bench", user, text=answers[slot]))
    # scientists press 接单 on offers sent to generated profiles bound to bench users
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from store.models import Offer

    with Session(engine) as s:
        pending = list(s.execute(select(Offer).where(Offer.status == "pending")
                                 .limit(40)).scalars())
    for i, offer in enumerate(pending):
        code = new_code(engine, "bind", offers.clock.now(), scientist_id=offer.scientist_id)
        dialog.handle(Inbound("bench", f"s{i}", text=f"绑定 {code}"))
        turn("scientist: 接单", Inbound("bench", f"s{i}", action=f"accept:{offer.token}",
                                       kind="button"))
    print(f"In process: demo corpus + {n_scientists:,} generated scientists, SQLite, no LLM "
          f"({published} needs published)")
    for name, values in times.items():
        print(f"  {name:<20}{pct(values)}")


async def wechat_load(port: int, users: int, seconds: float, token: str) -> dict:
    import httpx

    questions = [q["text"] for q in load("questions_dev_agri.jsonl")]
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=users + 10, max_keepalive_connections=users + 10)

    async def user(i: int, client: httpx.AsyncClient) -> None:
        nonlocal errors
        rnd = random.Random(i)
        n = 0
        await asyncio.sleep(rnd.uniform(0, THINK[1]))  # users do not all start at once
        while time.monotonic() < stop_at:
            n += 1
            ts, nonce = str(int(time.time())), f"{i}-{n}-{rnd.random()}"
            body = wechat_text(f"u{i}", rnd.choice(questions), i * 100000 + n, int(ts))
            t = time.perf_counter()
            try:
                r = await client.post("/wechat", params=wechat_params(token, ts, nonce),
                                      content=body, timeout=30)
                if r.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append((time.perf_counter() - t) * 1000)
            await asyncio.sleep(rnd.uniform(*THINK))  # reading the answer, typing the next

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits) as c:
        await asyncio.gather(*(user(i, c) for i in range(users)))
    return {"n": len(latencies), "errors": errors, "latencies": latencies}


def over_http(users_list: list[int], seconds: float, home: Path) -> None:
    port, token = free_port(), "bench-token"
    env = {**os.environ, "KEJIYUN_HOME": str(home), "WECHAT_TOKEN": token}
    for key in ("WECHAT_APP_ID", "TELEGRAM_BOT_TOKEN", "DATABASE_URL", "CHROMA_URL"):
        env.pop(key, None)
    exe = Path(sys.executable).parent / "kejiyun"
    subprocess.run([str(exe), "init", "--demo"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        print(f"\nWeChat acknowledgement over loopback HTTP (kejiyun serve, 1 worker, "
              f"{seconds:g} s per run, think time {THINK[0]:g}–{THINK[1]:g} s):")
        for users in users_list:
            r = asyncio.run(wechat_load(port, users, seconds, token))
            lat = r["latencies"]
            print(f"  {users:>4} users: {pct(lat)}  throughput {r['n'] / seconds:5.1f} msg/s"
                  f"  errors {r['errors'] / max(1, r['n']):.2%}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scientists", type=int, default=10_000)
    ap.add_argument("--users", default="50,200")
    ap.add_argument("--seconds", type=float, default=45.0)
    ap.add_argument("--skip-http", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        in_process(args.scientists, Path(tmp) / "inproc")
        if not args.skip_http:
            over_http([int(u) for u in args.users.split(",") if u], args.seconds,
                      Path(tmp) / "http")


if __name__ == "__main__":
    main()
