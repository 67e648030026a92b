"""What LLM mode costs a question, with a healthy, a slow, a hanging and a dead endpoint, as
ratios to the extractive answer (no LLM) in the same run, on the demo corpus.

    python bench/llm.py [--questions 12] [--slow 3] [--timeout 8]

The endpoint is a loopback server speaking the OpenAI chat-completions protocol
(tests/fake_openai.py): "healthy" answers in 0.3 s with the first sentence of the first
passage, cited; "slow" takes --slow seconds; "hanging" never answers within LLM_TIMEOUT;
"dead" refuses connections. Each row asks the same questions one after another, as a worker
or `kejiyun ask --batch` would; the breaker starts closed in every row.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data"


def grounded_reply(body: dict) -> str:  # type: ignore[type-arg]
    """The first sentence of passage [1], cited: what a faithful model might write."""
    prompt = body["messages"][-1]["content"]
    m = re.search(r"\[1\] 《[^》]*》([^。！？]*[。！？])", prompt)
    return f"{m.group(1)[:-1]}[1]{m.group(1)[-1]}" if m else "资料不足"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=12)
    ap.add_argument("--slow", type=float, default=3.0)
    ap.add_argument("--timeout", type=float, default=8.0)
    args = ap.parse_args()
    from bench.demo_home import demo_store
    from core.settings import Settings
    from retrieval.answer import Answerer
    from retrieval.llm import LLMWriter
    from retrieval.llm_guard import Breaker
    from retrieval.search import Searcher
    from retrieval.service import open_index
    from tests.fake_openai import running

    settings, engine = demo_store("kejiyun-llm-")
    searcher = Searcher(open_index(engine, settings, kinds=("articles",)))
    rows = [json.loads(line) for line in (DATA / "questions_dev_agri.jsonl").open()]
    questions = [r["text"] for r in rows][: args.questions]
    results: dict[str, tuple[list[float], int]] = {}

    def run(name: str, answerer: Answerer) -> None:
        times, used = [], 0
        for q in questions:
            start = time.perf_counter()
            used += answerer.ask(q).mode == "llm"
            times.append(time.perf_counter() - start)
        results[name] = (times, used)

    run("extractive (no LLM)", Answerer(searcher))
    with running() as fake:
        fake.responder = grounded_reply
        for name, delay in (("healthy", 0.3), ("slow", args.slow),
                            ("hanging", args.timeout * 10)):
            fake.delay = delay
            llm = Settings(LLM_BASE_URL=fake.url, LLM_MODEL="bench", LLM_TIMEOUT=args.timeout)
            run(name, Answerer(searcher, LLMWriter(llm, breaker=Breaker(3, 60.0))))
    dead = Settings(LLM_BASE_URL=f"http://127.0.0.1:{closed_port()}/v1", LLM_MODEL="bench",
                    LLM_TIMEOUT=args.timeout)
    run("dead", Answerer(searcher, LLMWriter(dead, breaker=Breaker(3, 60.0))))
    base = statistics.median(results["extractive (no LLM)"][0])
    base_total = sum(results["extractive (no LLM)"][0])
    print(f"{len(questions)} questions, LLM_TIMEOUT={args.timeout:g} s\n")
    print("| endpoint | median s/q | total s | median / no-LLM | total / no-LLM | LLM answers |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, (times, used) in results.items():
        med, total = statistics.median(times), sum(times)
        print(f"| {name} | {med:.3f} | {total:.2f} | {med / base:.1f}× | "
              f"{total / base_total:.1f}× | {used}/{len(times)} |")


if __name__ == "__main__":
    main()
