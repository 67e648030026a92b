"""Demo activity: weeks of questions and needs played through the real dialog and offer
lifecycle, so the console's dashboards have something to show after `make demo`."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.settings import get_settings
from kejiyun.demo import CHANNEL, simulate
from reports.figures import series
from reports.weeks import week_of
from store.models import (
    AuditLog,
    ChannelAccount,
    Need,
    Offer,
    Outbox,
    OutboxStatus,
    QuestionLog,
    Scientist,
)

from ..support import Harness


def test_simulated_weeks_fill_the_dashboards(bot: Harness) -> None:
    end = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    report = simulate(bot.engine, get_settings(), weeks=3, seed=3, until=end)
    assert report.questions >= 15 and report.needs >= 8
    with Session(bot.engine) as s:
        logged = s.execute(select(func.count()).select_from(QuestionLog)).scalar_one()
        first, last = s.execute(select(func.min(Need.created_at), func.max(Need.created_at))
                                ).one()
        channels = set(s.execute(select(ChannelAccount.channel)).scalars())
        audited = s.execute(select(func.count()).select_from(AuditLog).where(
            AuditLog.actor == "demo")).scalar_one()
    assert logged == report.questions
    assert channels == {CHANNEL}  # every demo person is recognisable as such
    assert audited > 0  # the lifecycle ran for real, with its audit trail
    assert (end - first.replace(tzinfo=UTC)).days >= 14 and last.replace(tzinfo=UTC) < end
    trend = series(bot.engine, None, 4, week_of(end))  # 3 weeks back can start mid-week
    assert sum(w.needs_posted for w in trend) == report.needs
    assert sum(w.questions_answered + w.questions_abstained for w in trend) == report.questions
    assert any(w.needs_matched for w in trend)  # some scientists accepted


def test_demo_leaves_nothing_to_retry_and_experts_registered_before_they_serve(
        bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    end = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    with caplog.at_level(logging.WARNING, logger="delivery.outbox"):
        simulate(bot.engine, get_settings(), weeks=2, seed=5, until=end)
    assert not [r for r in caplog.records if "dead" in r.getMessage()]
    with Session(bot.engine) as s:
        left = s.execute(select(Outbox.status, func.count()).where(
            Outbox.status != OutboxStatus.sent).group_by(Outbox.status)).all()
        accepted = s.execute(select(Offer.responded_at, Scientist.created_at)
                             .join(Scientist, Scientist.id == Offer.scientist_id)
                             .where(Offer.status == "accepted")).all()
    assert left == []  # `serve` would otherwise retry them on a channel nobody serves
    assert accepted  # some demo expert answered an offer …
    assert all(registered < answered for answered, registered in accepted)  # … after joining


def test_demo_commands_run_once(bot: Harness, db_url: str,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from kejiyun.cli import app as cli
    from web.staff import login

    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "activity", "--weeks", "1"])
    assert first.exit_code == 0 and "已模拟 1 周" in first.output, first.output
    with Session(bot.engine) as s:
        needs = s.execute(select(func.count()).select_from(Need)).scalar_one()
    again = runner.invoke(cli, ["demo", "activity"])
    assert again.exit_code == 0 and "跳过" in again.output
    with Session(bot.engine) as s:
        assert s.execute(select(func.count()).select_from(Need)).scalar_one() == needs
    for _ in range(2):
        staff = runner.invoke(cli, ["demo", "staff"])
        assert staff.exit_code == 0 and "demo-admin" in staff.output
    token, _ = login(bot.engine, "demo-admin", "kejiyun-demo-2026")
    assert token is not None
