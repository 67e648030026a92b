"""`kejiyun worker`: the background jobs in a process of their own — on Redis (arq cron jobs,
a heartbeat) when REDIS_URL is set, in a plain loop otherwise."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import build
from core.settings import Settings, get_settings
from kejiyun.jobs import Jobs, heartbeat_key, report_regions
from matching.extract import extract_need
from store.models import Offer

from ..support import Harness, wait_until

NEED = "宜宾翠屏区的李子园土壤酸化板结，想请专家这周内来现场指导，预算五千，可以留电话"


def published_need(bot: Harness) -> int:
    """A need whose first offers went out on the harness's clock (early November 2026):
    by the real clock of a worker process they are long expired."""
    offers = bot.dialog.offers
    draft = extract_need(NEED)
    draft.contact_consent = True
    draft.recompute_missing()
    need_id = offers.create_need(draft)
    assert offers.confirm(need_id).ok
    return need_id


def offer_states(bot: Harness, need_id: int) -> list[str]:
    with Session(bot.engine) as s:
        return list(s.execute(select(Offer.status).where(Offer.need_id == need_id)
                              .order_by(Offer.id)).scalars())


def start_worker(bot: Harness, extra: dict[str, str]) -> subprocess.Popen[str]:
    env = {**os.environ, **extra,
           "DATABASE_URL": bot.engine.url.render_as_string(hide_password=False)}
    return subprocess.Popen([sys.executable, "-m", "kejiyun.cli", "worker"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out


@pytest.mark.parametrize("mode", ["redis", "loop"])
def test_worker_expires_offers_and_sends_the_next(mode: str, bot: Harness,
                                                  request: pytest.FixtureRequest) -> None:
    extra: dict[str, str] = {}
    if mode == "redis":
        request.getfixturevalue("redis_url")  # sets REDIS_URL and a namespace of its own
        extra = {"REDIS_URL": os.environ["REDIS_URL"],
                 "REDIS_NAMESPACE": os.environ["REDIS_NAMESPACE"]}
    need_id = published_need(bot)
    first = offer_states(bot, need_id)
    assert first and set(first) == {"pending"}
    proc = start_worker(bot, extra)
    try:
        # each offer expires in a transaction of its own, so wait for all of the first ones
        wait_until(lambda: offer_states(bot, need_id)[:len(first)].count("expired")
                   == len(first), timeout=90, interval=0.3,
                   message=lambda: (offer_states(bot, need_id), stop(proc)))
        # the next candidates were asked (or, with nobody left, staff were)
        wait_until(lambda: len(offer_states(bot, need_id)) > len(first), timeout=20,
                   interval=0.3, message=lambda: offer_states(bot, need_id))
        if mode == "redis":
            import redis

            client = redis.Redis.from_url(extra["REDIS_URL"])
            wait_until(lambda: client.get(heartbeat_key(get_settings())), timeout=60,
                       interval=0.3, message="no heartbeat from the worker")
    finally:
        out = stop(proc)
    assert "后台任务已启动" in out


def test_weekly_reports_are_written_once(bot: Harness, tmp_path: Path) -> None:
    services = build(Settings(), engine=bot.engine, dialog=bot.dialog, clock=bot.clock)
    jobs = Jobs(services)
    assert len(report_regions()) == 22  # every Monday: the province and its 21 市州
    some = ["510000", "511500"]  # two of them here: each report draws five charts
    written = jobs.weekly_reports(tmp_path, some)
    assert [p.parent.parent.name for p in written] == some
    assert all(p.exists() and p.name == "report.html" for p in written)
    assert jobs.weekly_reports(tmp_path, some) == []  # a restarted worker does not redo them
