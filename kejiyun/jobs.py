"""Background jobs and `kejiyun worker`.

The jobs: offer expiry (with re-dispatch to the next candidates, and dispatch of needs a
crashed worker or a failed ranking left published without offers), outbox delivery, keeping
the search index in step with the store, and the weekly reports (周报) for the province and its
21 市州 every Monday. With `REDIS_URL` they run as arq cron jobs on Redis: however many
`kejiyun worker` processes run, each tick runs once (arq's unique cron jobs), and each worker
writes a heartbeat that `/readyz` of the web workers reports. Without Redis the same jobs run
in a plain loop — in `kejiyun serve` itself (the embedded default) or in `kejiyun worker`.

The worker builds the same services as the web process (`bot.services.build`: channels,
dialog, outbox router) without serving HTTP, so a notification is delivered by exactly the
code that delivers it from the web process.
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

from bot.services import Services, build
from core.clock import Clock, system_clock
from core.settings import Settings
from core.workers import HEARTBEAT_TTL, arq_prefix, heartbeat_key, queue_name

log = logging.getLogger(__name__)
TICK_SECONDS = 2.0


class Jobs:
    """The job bodies, shared by the in-process loop and the arq worker (each a part of
    `Services.tick`, which `kejiyun serve`'s own ticker runs whole)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.engine, self.settings, self.clock = services.engine, services.settings, \
            services.clock

    def expire_offers(self) -> int:
        """Offers past their deadline, then needs stranded `open` (OfferService.expire_due)."""
        return int(self.services.offers.expire_due())

    def deliver(self) -> None:
        self.services.outbox.run_once()

    def recover_turns(self) -> int:
        """Messages whose web worker died mid-turn (delivery/pending.py)."""
        return sum(channel.recover() for channel in self.services.channels.values())

    def sync_index(self) -> None:
        self.services.index.sync_all()

    def tick(self) -> None:
        """One pass of everything that runs every few seconds."""
        self.services.tick()

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
async def running(settings: Settings, clock: Clock = system_clock) -> AsyncIterator[Services]:
    """The process's services with its channels started (for delivery), but no HTTP server
    and no background loop of its own."""
    services = build(settings, clock=clock)
    await services.start(background=False)
    try:
        yield services
    finally:
        await services.stop()


async def run_loop(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """`kejiyun worker` without Redis: the jobs in a loop, until stopped."""
    stop = stop or asyncio.Event()
    async with running(settings) as services:
        jobs = Jobs(services)
        while not stop.is_set():
            try:
                await asyncio.to_thread(jobs.tick)
            except Exception:  # noqa: BLE001 - keep going; the next pass retries
                log.exception("background tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), TICK_SECONDS)


def worker_settings(settings: Settings) -> dict[str, Any]:
    """arq settings: cron jobs on Redis, with the application started once per worker."""
    from zoneinfo import ZoneInfo

    from arq import cron
    from arq.connections import RedisSettings

    assert settings.redis_url
    every_2s, every_10s = set(range(0, 60, 2)), set(range(0, 60, 10))
    prefix = arq_prefix(settings)
    ident = f"{socket.gethostname()}:{os.getpid()}"

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["stack"] = contextlib.AsyncExitStack()
        services = await ctx["stack"].enter_async_context(running(settings))
        ctx["jobs"] = Jobs(services)

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
        "queue_name": queue_name(settings),
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
