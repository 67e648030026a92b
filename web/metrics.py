"""`/metrics` for Prometheus, and the middleware that times requests and gives each one a
request id for the logs.

Latency is labelled by route *template* (`/console/needs/{need_id}`), never the raw path, so
the number of series stays bounded. Figures that live in the store — outbox backlog, offers,
needs, match and abstain rates, and with REDIS_URL the job queue of `kejiyun worker` — are
read at scrape time, at most once per `METRICS_CACHE_SECONDS`, and are the same whichever
worker answers. Counters kept in the process (requests, dialog turns) are summed across
workers in prometheus_client's multiprocess mode when `PROMETHEUS_MULTIPROC_DIR` is set.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.clock import Clock
from core.logs import log_context, mask
from core.metrics import HTTP_REQUEST_SECONDS
from core.settings import Settings
from store.stats import StoreFigures, read_figures

log = logging.getLogger(__name__)
_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestMetrics:
    """Pure ASGI middleware (no buffering of streamed bodies): latency by route template,
    method and status class, plus a request id (`X-Request-ID`, taken from a proxy when it
    sends a sane one) that every log line of the request carries."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before responding
        given = dict(scope.get("headers") or ()).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else secrets.token_hex(8)

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = {**message, "headers": [*message.get("headers", ()),
                                                  (b"x-request-id", request_id.encode())]}
            await send(message)

        with log_context(request_id=request_id, method=scope["method"],
                         path=mask(scope["path"])):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                method = scope["method"] if scope["method"] in _METHODS else "other"
                HTTP_REQUEST_SECONDS.labels(
                    route=route_template(scope, status), method=method,
                    status=f"{status // 100}xx").observe(time.perf_counter() - started)


def route_template(scope: Scope, status: int) -> str:
    route = scope.get("route")  # set by the router on the shared scope once a route matched
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if template:
        return str(template)
    return "<unmatched>" if status == 404 else "<other>"


@dataclass
class JobFigures:
    queue_depth: int
    heartbeat_age: float | None  # None: no `kejiyun worker` heartbeat in Redis


def read_jobs(settings: Settings) -> JobFigures:
    """The arq job queue of `kejiyun worker` (kejiyun/jobs.py) and its workers' heartbeat."""
    import redis

    from core.workers import heartbeat_key, queue_name

    client = redis.Redis.from_url(settings.redis_url or "", socket_timeout=2,
                                  socket_connect_timeout=2)
    try:
        depth = int(client.zcard(queue_name(settings)))
        beat = client.get(heartbeat_key(settings))
    finally:
        client.close()
    age = None
    if beat:  # "<host:pid> <unix time>"
        age = max(0.0, time.time() - float(beat.split()[-1]))
    return JobFigures(depth, age)


class StoreMetrics(Collector):
    """Gauges computed from the store (and, with REDIS_URL, the job queue) at scrape time,
    cached for `ttl` seconds so several Prometheus servers (or a dashboard refreshing often)
    cost one set of queries."""

    def __init__(self, engine: Engine, clock: Clock, settings: Settings) -> None:
        self.engine, self.clock, self.settings = engine, clock, settings
        self.ttl = settings.metrics_cache_seconds
        self._lock = threading.Lock()
        self._cached: tuple[float, StoreFigures | None, JobFigures | None] | None = None

    def figures(self) -> tuple[StoreFigures | None, JobFigures | None]:
        with self._lock:  # concurrent scrapes wait for one read instead of each querying
            if self._cached is not None and time.monotonic() - self._cached[0] < self.ttl:
                return self._cached[1], self._cached[2]
            try:
                figures: StoreFigures | None = read_figures(self.engine, self.clock.now())
            except Exception as exc:  # noqa: BLE001 - a down store is a gauge, not a 500
                log.warning("metrics: store not readable: %s", type(exc).__name__)
                figures = None
            jobs: JobFigures | None = None
            if self.settings.redis_url:
                try:
                    jobs = read_jobs(self.settings)
                except Exception as exc:  # noqa: BLE001
                    log.warning("metrics: job queue not readable: %s", type(exc).__name__)
            self._cached = (time.monotonic(), figures, jobs)
            return figures, jobs

    def collect(self) -> Iterator[Metric]:
        f, jobs = self.figures()
        if self.settings.redis_url:
            yield from _job_gauges(jobs)
        up = GaugeMetricFamily("kejiyun_store_metrics_up",
                               "1 if the store figures below could be read, else 0.")
        up.add_metric([], 0 if f is None else 1)
        yield up
        if f is None:
            return
        yield _by("kejiyun_outbox_messages",
                  "Outbox notifications not yet delivered: pending (will retry), held "
                  "(waits for the user to write), dead (gave up).", "status", f.outbox)
        yield GaugeMetricFamily("kejiyun_outbox_due_messages",
                                "Queue depth: pending notifications due for delivery now.",
                                value=f.outbox_due)
        yield GaugeMetricFamily("kejiyun_outbox_oldest_due_age_seconds",
                                "Age of the oldest notification due now (0 if none).",
                                value=f.outbox_oldest_age)
        yield _by("kejiyun_offers", "Offers by status (pending = waiting for the scientist).",
                  "status", f.offers)
        yield _by("kejiyun_needs", "Needs by status.", "status", f.needs)
        yield _by("kejiyun_questions_7d", "Questions asked in the last 7 days by outcome.",
                  "outcome", f.questions)
        asked = sum(f.questions.values())
        if asked:  # no sample rather than a made-up 0 when nobody asked
            yield GaugeMetricFamily("kejiyun_abstain_rate_7d",
                                    "Share of last-7-day questions the assistant abstained on.",
                                    value=f.questions["abstained"] / asked)
        if f.needs_dispatched:
            yield GaugeMetricFamily(
                "kejiyun_match_rate_7d",
                "Share of needs created in the last 7 days and published that reached "
                "matched, in service or closed.", value=f.needs_matched / f.needs_dispatched)


def _job_gauges(jobs: JobFigures | None) -> Iterator[Metric]:
    up = GaugeMetricFamily("kejiyun_jobs_metrics_up",
                           "1 if the job queue in Redis could be read, else 0.")
    up.add_metric([], 0 if jobs is None else 1)
    yield up
    if jobs is None:
        return
    yield GaugeMetricFamily("kejiyun_job_queue_depth",
                            "Jobs waiting in the `kejiyun worker` queue (arq, Redis).",
                            value=jobs.queue_depth)
    if jobs.heartbeat_age is not None:  # absent: no worker has ever beaten, or it expired
        yield GaugeMetricFamily("kejiyun_worker_heartbeat_age_seconds",
                                "Seconds since a `kejiyun worker` last wrote its heartbeat.",
                                value=jobs.heartbeat_age)


def _by(name: str, doc: str, label: str, values: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=[label])
    for key, n in sorted(values.items()):
        family.add_metric([key], n)
    return family


def process_registries() -> Iterable[CollectorRegistry]:
    """This process's metrics, or every worker's when multiprocess mode is on."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return [registry]
    return [REGISTRY]


def mount(app: FastAPI, engine: Engine, clock: Clock, settings: Settings) -> None:
    """Add the middleware and `/metrics` (kept out of the partner API's OpenAPI document)."""
    store = CollectorRegistry(auto_describe=False)
    store.register(StoreMetrics(engine, clock, settings))
    app.add_middleware(RequestMetrics)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        body = b"".join(generate_latest(r) for r in [*process_registries(), store])
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    app.state.store_metrics = store
