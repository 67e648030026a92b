"""Process-wide Prometheus metrics (prometheus_client): HTTP requests and dialog turns.

Figures read from the store (outbox backlog, offers, match and abstain rates) are not here:
`web/metrics.py` computes them at scrape time, the same from whichever worker answers.

With several worker processes set `PROMETHEUS_MULTIPROC_DIR` (in the environment, before
start): prometheus_client then keeps these values in files there and `/metrics` sums them.
"""

from __future__ import annotations

from prometheus_client import Histogram

HTTP_REQUEST_SECONDS = Histogram(
    "kejiyun_http_request_duration_seconds",
    "HTTP request latency by route template (not the raw path), method and status class.",
    ["route", "method", "status"],
)
# Turns include search, matching and sometimes an LLM call: longer buckets than HTTP's.
DIALOG_TURN_SECONDS = Histogram(
    "kejiyun_dialog_turn_duration_seconds",
    "Dialog turn latency by channel and outcome (answered, abstained, need, other, error); "
    "_count is the number of turns.",
    ["channel", "outcome"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
TURN_OUTCOMES = ("answered", "abstained", "need", "other", "error")


def observe_turn(channel: str, outcome: str, seconds: float) -> None:
    # Channels are a fixed set in code (web, telegram, wechat, cli …); bound it anyway.
    DIALOG_TURN_SECONDS.labels(channel=channel[:16] or "unknown", outcome=outcome).observe(
        seconds)


def prepare_multiprocess_dir() -> None:
    """Before the workers start: create PROMETHEUS_MULTIPROC_DIR and remove the files of a
    previous run (prometheus_client's rule), or counts would carry over across restarts."""
    import os
    from pathlib import Path

    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.db"):
        old.unlink(missing_ok=True)
