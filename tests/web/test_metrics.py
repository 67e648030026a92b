"""`/metrics` and `/readyz` over real HTTP (TestClient) on SQLite and PostgreSQL: latency by
route template, outbox backlog and abstain rate read from the store, dialog turns by outcome,
readiness per dependency with an unreachable store, the real Redis (the `redis_url` fixture:
skipped when absent unless KEJIYUN_REQUIRE_REDIS=1) and a real Chroma server."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from core.settings import Settings
from store.models import Outbox
from web.app import create_app
from web.readiness import readiness

from ..support import Harness


def _client(bot: Harness, engine=None, **settings: object) -> TestClient:  # type: ignore[no-untyped-def]
    app = create_app(Settings(**{"METRICS_CACHE_SECONDS": 0, **settings}),  # type: ignore[arg-type]
                     engine=engine or bot.engine, dialog=bot.dialog, clock=bot.clock,
                     background=False)
    return TestClient(app)


@pytest.fixture
def client(bot: Harness) -> Iterator[TestClient]:
    with _client(bot) as c:
        yield c


def samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def value(got: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float | None:
    return got.get((name, frozenset(labels.items())))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: connections are refused


def test_latency_is_labelled_by_route_template_not_raw_path(client: TestClient) -> None:
    assert client.get("/console/needs/4711", follow_redirects=False).status_code in (303, 401)
    assert client.get("/api/v1/needs/987654").status_code == 401  # no API key
    assert client.get("/healthz").status_code == 200
    assert client.get("/no/such/page/555123").status_code == 404
    got = samples(client)
    routes = {dict(labels).get("route") for name, labels in got
              if name.startswith("kejiyun_http_request_duration_seconds")}
    assert {"/console/needs/{need_id}", "/api/v1/needs/{need_id}", "/healthz",
            "<unmatched>"} <= routes
    labels = {value for _, pairs in got for _, value in pairs}
    for raw in ("4711", "987654", "555123"):
        # raw ids never become label values (sample values are floats and may hold the digits)
        assert not any(raw in label for label in labels)
    assert value(got, "kejiyun_http_request_duration_seconds_count", route="/healthz",
                 method="GET", status="2xx")
    assert value(got, "kejiyun_http_request_duration_seconds_count",
                 route="/api/v1/needs/{need_id}", method="GET", status="4xx")


def test_metrics_stay_out_of_the_openapi_document_and_requests_get_an_id(
        client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/metrics" not in paths and "/readyz" in paths
    assert len(client.get("/healthz").headers["x-request-id"]) == 16
    given = client.get("/healthz", headers={"X-Request-ID": "lb-42.a_b"})
    assert given.headers["x-request-id"] == "lb-42.a_b"
    odd = client.get("/healthz", headers={"X-Request-ID": "no spaces\n"})
    assert odd.headers["x-request-id"] != "no spaces\n"


def _add_outbox(bot: Harness, status: str, n: int = 1) -> None:
    now = bot.clock.now()
    with Session(bot.engine) as s, s.begin():
        for i in range(n):
            s.add(Outbox(kind="test", recipient=f"person:{i}", payload={"text": "x"},
                         status=status, next_attempt_at=now, created_at=now))


def test_outbox_backlog_gauge_reflects_rows(client: TestClient, bot: Harness) -> None:
    before = samples(client)
    _add_outbox(bot, "pending", 2)
    _add_outbox(bot, "held")
    _add_outbox(bot, "dead", 3)
    _add_outbox(bot, "sent", 5)  # delivered: not backlog
    after = samples(client)
    for status, added in (("pending", 2), ("held", 1), ("dead", 3)):
        was = value(before, "kejiyun_outbox_messages", status=status)
        assert value(after, "kejiyun_outbox_messages", status=status) == (was or 0) + added
    assert value(after, "kejiyun_outbox_messages", status="sent") is None
    assert value(after, "kejiyun_outbox_due_messages") == \
        (value(before, "kejiyun_outbox_due_messages") or 0) + 2
    assert value(after, "kejiyun_offers", status="pending") == 0
    assert value(after, "kejiyun_store_metrics_up") == 1


def test_store_figures_are_cached_between_scrapes(bot: Harness) -> None:
    with _client(bot, METRICS_CACHE_SECONDS=3600) as cached:
        first = value(samples(cached), "kejiyun_outbox_messages", status="pending")
        _add_outbox(bot, "pending", 4)
        assert value(samples(cached), "kejiyun_outbox_messages", status="pending") == first


def test_abstain_rate_and_dialog_turns_follow_questions(client: TestClient) -> None:
    def turns(got: dict, outcome: str) -> float:  # type: ignore[type-arg]
        return value(got, "kejiyun_dialog_turn_duration_seconds_count", channel="web",
                     outcome=outcome) or 0.0

    start = samples(client)
    assert value(start, "kejiyun_abstain_rate_7d") is None  # nobody asked yet: no sample
    answered = client.post("/chat/api/message", json={"text": "李子园土壤酸化了怎么改良"})
    assert "出处" in answered.json()["replies"][0]["text"]
    mid = samples(client)
    assert value(mid, "kejiyun_abstain_rate_7d") == 0.0
    assert turns(mid, "answered") == turns(start, "answered") + 1
    client.post("/chat/api/message", json={"text": "鸭子脚杆软了站不起来咋个整"})
    end = samples(client)
    assert value(end, "kejiyun_abstain_rate_7d") == 0.5
    assert value(end, "kejiyun_questions_7d", outcome="abstained") == 1
    assert turns(end, "abstained") == turns(mid, "abstained") + 1
    client.post("/chat/api/message", json={"text": "/start"})
    assert turns(samples(client), "other") == turns(end, "other") + 1


def test_readyz_reports_each_dependency(client: TestClient) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["ready"] is True and body["store"] == "ok" and body["index"] == "ok"
    assert set(body["checks"]) == {"store", "index"}  # Chroma and Redis not configured
    for check in body["checks"].values():
        assert check["status"] == "ok" and check["latency_ms"] >= 0


def test_readyz_503_and_metrics_survive_an_unreachable_store(bot: Harness) -> None:
    dead = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/test",
                         connect_args={"connect_timeout": 2})
    with _client(bot, engine=dead) as c:
        r = c.get("/readyz")
        assert r.status_code == 503
        body = r.json()
        assert body["ready"] is False and body["store"] == "OperationalError"
        assert body["checks"]["store"]["status"] == "error"
        assert body["index"] == "ok"  # the other checks still say what they found
        got = samples(c)
        assert value(got, "kejiyun_store_metrics_up") == 0
        assert value(got, "kejiyun_outbox_messages", status="pending") is None


def test_readyz_pings_the_configured_redis(bot: Harness, redis_url: str) -> None:
    with _client(bot) as c:  # REDIS_URL from the fixture's environment
        r = c.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json()["redis"] == "ok"
        assert r.json()["checks"]["redis"]["status"] == "ok"
        assert r.json()["checks"]["redis"]["latency_ms"] >= 0
        # no `kejiyun worker` beating yet: still ready, flagged as degraded
        assert r.json()["worker"] == "LookupError" and r.json()["degraded"] == ["worker"]
        import redis

        from core.settings import get_settings
        from kejiyun.jobs import heartbeat_key

        redis.Redis.from_url(redis_url).set(heartbeat_key(get_settings()), "host:1 0", ex=30)
        r = c.get("/readyz")
        assert r.json()["worker"] == "ok" and r.json()["degraded"] == []
    with _client(bot, REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0") as c:
        r = c.get("/readyz")
        assert r.status_code == 503
        assert r.json()["redis"] == "ConnectionError"
        assert r.json()["checks"]["redis"]["status"] == "error"
        assert r.json()["store"] == "ok"


def test_job_queue_depth_and_worker_heartbeat_from_redis(bot: Harness, redis_url: str) -> None:
    import time

    import redis

    from kejiyun.jobs import heartbeat_key, worker_settings

    settings = Settings()
    with _client(bot) as c:
        got = samples(c)
        assert value(got, "kejiyun_jobs_metrics_up") == 1
        assert value(got, "kejiyun_job_queue_depth") == 0
        assert value(got, "kejiyun_worker_heartbeat_age_seconds") is None  # no worker yet
        client = redis.Redis.from_url(redis_url)
        client.zadd(worker_settings(settings)["queue_name"], {"job-1": 1.0, "job-2": 2.0})
        client.set(heartbeat_key(settings), f"host:42 {time.time() - 5:.0f}", ex=30)
        got = samples(c)
        assert value(got, "kejiyun_job_queue_depth") == 2
        assert 4 <= (value(got, "kejiyun_worker_heartbeat_age_seconds") or 0) < 60
    with _client(bot, REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0") as c:
        got = samples(c)
        assert value(got, "kejiyun_jobs_metrics_up") == 0
        assert value(got, "kejiyun_store_metrics_up") == 1


def test_readiness_checks_the_chroma_server_heartbeat(bot: Harness, chroma_server: str) -> None:
    ok, body = readiness(bot.engine, lambda: None, Settings(CHROMA_URL=chroma_server))
    assert ok and body["chroma"] == "ok" and body["checks"]["chroma"]["latency_ms"] >= 0
    ok, body = readiness(bot.engine, lambda: None,
                         Settings(CHROMA_URL=f"http://127.0.0.1:{_closed_port()}"))
    # Chroma down degrades search to BM25; the worker stays in rotation, flagged
    assert ok and body["chroma"] == "ConnectError" and body["degraded"] == ["chroma"]


def test_multiprocess_mode_sums_the_workers(client: TestClient, tmp_path,  # type: ignore[no-untyped-def]
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """With PROMETHEUS_MULTIPROC_DIR each worker writes its counts to files there and any
    worker's /metrics reports the sum; `kejiyun serve` empties the directory at start."""
    import subprocess
    import sys

    from core.metrics import prepare_multiprocess_dir

    directory = tmp_path / "prom"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    directory.mkdir()
    (directory / "counter_999.db").write_bytes(b"left over from the last run")
    prepare_multiprocess_dir()
    assert list(directory.iterdir()) == []
    for _worker in range(2):  # two worker processes, one turn each
        subprocess.run([sys.executable, "-c", "from core.metrics import observe_turn; "
                        "observe_turn('wechat', 'need', 0.2)"], check=True, timeout=60,
                       env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)})
    got = samples(client)
    assert value(got, "kejiyun_dialog_turn_duration_seconds_count", channel="wechat",
                 outcome="need") == 2
    assert value(got, "kejiyun_store_metrics_up") == 1  # store figures still come along


def test_readyz_lists_the_llm_as_degraded_while_its_breaker_is_open(bot: Harness) -> None:
    from retrieval.llm_guard import breaker_for

    settings = dict(LLM_BASE_URL=f"http://127.0.0.1:{_closed_port()}/v1", LLM_MODEL="m")
    with _client(bot, **settings) as c:
        r = c.get("/readyz")
        assert r.status_code == 200 and r.json()["llm"] == "ok"
        breaker = breaker_for(Settings(**settings))  # type: ignore[arg-type]
        for _ in range(breaker.failures):
            breaker.failure()
        r = c.get("/readyz")
        assert r.status_code == 200, "an LLM never makes the service unready"
        assert r.json()["llm"] == "BreakerOpen" and r.json()["degraded"] == ["llm"]
        breaker.success()
