"""Background jobs and `kejiyun worker`.

The jobs: offer expiry (with re-dispatch to the next candidates, and dispatch of needs a
crashed worker or a failed ranking left published without offers), outbox delivery, keeping
the search index in step with the store, and the weekly reports (周报) for the province and its
21 市州 every Monday. With `REDIS_URL` they run as arq cron jobs on Redis: however many
`kejiyun worker` processes run, each tick runs once (arq's unique cron jobs), and each worker
writes a heartbeat that `/readyz` of the web workers reports. Without Redis the same jobs run
in a plain loop — in `kejiyun serve` itself (the embedded default) or in `kejiyun worker`.

The worker builds the same application object as the web process (channels, dialog, outbox
router) without serving HTTP, so a notification is delivered by exactly the code that
delivers it from the web process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from kejiyun.clock import Clock, system_clock
from kejiyun.settings import Settings

log = logging.getLogger(__name__)
TICK_SECONDS = 2.0
HEARTBEAT_TTL = 30  # seconds: a worker silent for longer counts as gone


class Jobs:
    """The job bodies, shared by the in-process loop and the arq worker."""

    def __init__(self, app: Any, settings: Settings, clock: Clock = system_clock) -> None:
        self.dialog = app.state.dialog
        self.outbox = app.state.worker
        self.wechat = app.state.wechat
        self.engine = self.dialog.engine
        self.settings, self.clock = settings, clock

    def expire_offers(self) -> int:
        """Offers past their deadline, then needs stranded `open` (OfferService.expire_due;
        `kejiyun serve`'s own ticker calls the same method)."""
        return int(self.dialog.offers.expire_due())

    def deliver(self) -> None:
        self.outbox.run_once()

    def recover_turns(self) -> int:
        """WeChat messages whose web worker died mid-turn (bot/pending.py)."""
        return int(self.wechat.recover()) if self.wechat is not None else 0

    def sync_index(self) -> None:
        self.dialog.matcher.index.sync_all()

    def tick(self) -> None:
        """One pass of everything that runs every few seconds."""
        self.expire_offers()
        self.deliver()
        self.recover_turns()
        self.sync_index()

    def weekly_reports(self, out_root: Path | None = None,
                       regions: list[str] | None = None) -> list[Path]:
        """Last week's 周报 for the province and each 市州, written once (a report that
        exists is left alone, so a restarted worker does not redo Monday's work)."""
        from reports.weekly import build_report, default_out_dir, write_report

        root = out_root or self.settings.kejiyun_home
        written: list[Path] = []
        for code in regions or report_regions():
            report = build_report(self.engine, code, None, clock=self.clock)
            out = default_out_dir(root, report)
            if (out / "report.html").exists():
                continue
            written.append(write_report(report, out).html)
        log.info("weekly reports written: %d", len(written))
        return written


def report_regions() -> list[str]:
    """The province and its 21 市州: the reports written every Monday."""
    from knowledge import gazetteer
    from reports.scope import PROVINCE_CODE

    return [PROVINCE_CODE, *(c.code for c in gazetteer.cities())]


@contextlib.asynccontextmanager
async def running_app(settings: Settings, clock: Clock = system_clock) -> AsyncIterator[Any]:
    """The web application's objects with its channels started, but no HTTP server and no
    background loop of its own."""
    from web.app import create_app

    app = create_app(settings, clock=clock, background=False)
    async with app.router.lifespan_context(app):
        yield app


async def run_loop(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """`kejiyun worker` without Redis: the jobs in a loop, until stopped."""
    stop = stop or asyncio.Event()
    async with running_app(settings) as app:
        jobs = Jobs(app, settings)
        while not stop.is_set():
            try:
                await asyncio.to_thread(jobs.tick)
            except Exception:  # noqa: BLE001 - keep going; the next pass retries
                log.exception("background tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), TICK_SECONDS)


def heartbeat_key(settings: Settings) -> str:
    return f"{settings.redis_namespace}:worker:heartbeat"


def worker_settings(settings: Settings) -> dict[str, Any]:
    """arq settings: cron jobs on Redis, with the application started once per worker."""
    from zoneinfo import ZoneInfo

    from arq import cron
    from arq.connections import RedisSettings

    assert settings.redis_url
    every_2s, every_10s = set(range(0, 60, 2)), set(range(0, 60, 10))
    prefix = f"{settings.redis_namespace}:arq"
    ident = f"{socket.gethostname()}:{os.getpid()}"

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["stack"] = contextlib.AsyncExitStack()
        app = await ctx["stack"].enter_async_context(running_app(settings))
        ctx["jobs"] = Jobs(app, settings)

    async def shutdown(ctx: dict[str, Any]) -> None:
        if "stack" in ctx:
            await ctx["stack"].aclose()

    async def expire_offers(ctx: dict[str, Any]) -> int:
        return await asyncio.to_thread(ctx["jobs"].expire_offers)

    async def deliver(ctx: dict[str, Any]) -> None:
        await asyncio.to_thread(ctx["jobs"].deliver)

    async def recover_turns(ctx: dict[str, Any]) -> int:
        return await asyncio.to_thread(ctx["jobs"].recover_turns)

    async def sync_index(ctx: dict[str, Any]) -> None:
        await asyncio.to_thread(ctx["jobs"].sync_index)

    async def heartbeat(ctx: dict[str, Any]) -> None:
        await ctx["redis"].set(heartbeat_key(settings), f"{ident} {time.time():.0f}",
                               ex=HEARTBEAT_TTL)

    async def weekly_reports(ctx: dict[str, Any]) -> int:
        return len(await asyncio.to_thread(ctx["jobs"].weekly_reports))

    return {
        "functions": [],
        "cron_jobs": [
            # unique: one run per tick across every worker process — arq names each run
            # "<name>:<tick>" (namespaced here, as arq's job keys are global in Redis); a
            # fixed job id would instead block every tick while one run is still going
            cron(deliver, name=f"{prefix}:deliver", second=every_2s, unique=True),
            cron(expire_offers, name=f"{prefix}:expire", second=every_10s, unique=True),
            cron(recover_turns, name=f"{prefix}:recover", second=every_10s, unique=True),
            cron(sync_index, name=f"{prefix}:sync", second=every_10s, unique=False),
            cron(heartbeat, name=f"{prefix}:heartbeat", second=every_10s, unique=False,
                 run_at_startup=True),
            cron(weekly_reports, name=f"{prefix}:weekly", weekday="mon", hour=2, minute=0,
                 second=0, unique=True),
        ],
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "queue_name": f"{prefix}:queue",
        "timezone": ZoneInfo("Asia/Shanghai"),
        "health_check_key": f"{prefix}:health",
        "max_jobs": 4,
        "job_timeout": 600,
        "keep_result": 60,
    }


def run_worker(settings: Settings) -> None:
    """`kejiyun worker`: the arq worker on Redis when REDIS_URL is set, else the plain loop."""
    if settings.redis_url:
        from arq.worker import Worker

        Worker(**worker_settings(settings)).run()
        return
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_loop(settings))
