"""ISO weeks in China time: parsing, bounds, the default report week."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.clock import ManualClock
from core.errors import BadInput
from reports.weeks import IsoWeek, last_complete_week, parse_week, week_of, week_range


@pytest.mark.parametrize("text", ["2026-W46", "2026W46", "2026-w46", " 2026-W46 "])
def test_parse_accepts_the_iso_spellings(text: str) -> None:
    assert parse_week(text) == IsoWeek(2026, 46)
    assert parse_week(text).label == "2026-W46" and parse_week(text).short == "W46"


@pytest.mark.parametrize(("text", "needle"), [
    ("2026-W60", "2026 年没有第 60 周"),
    ("2025-W53", "2025 年没有第 53 周"),
    ("2026-W00", "没有第 0 周"),
    ("2026-46", "YYYY-Www"),
    ("W46", "YYYY-Www"),
    ("", "YYYY-Www"),
])
def test_parse_rejects_with_a_chinese_and_english_message(text: str, needle: str) -> None:
    with pytest.raises(BadInput) as err:
        parse_week(text)
    assert needle in str(err.value)
    assert "week" in str(err.value)  # the English half


def test_53_week_years() -> None:
    assert parse_week("2026-W53").monday.isoformat() == "2026-12-28"
    assert parse_week("2020-W53").shift(1) == IsoWeek(2021, 1)


def test_week_of_uses_china_time() -> None:
    # Sunday 23:59 China time is still W46; Monday 00:00 China time (Sunday 16:00 UTC) is W47
    assert week_of(datetime(2026, 11, 15, 15, 59, tzinfo=UTC)) == IsoWeek(2026, 46)
    assert week_of(datetime(2026, 11, 15, 16, 0, tzinfo=UTC)) == IsoWeek(2026, 47)
    assert week_of(datetime(2026, 11, 15, 16, 0)) == IsoWeek(2026, 47)  # naive = UTC


def test_last_complete_week_by_the_clock() -> None:
    assert last_complete_week(ManualClock(datetime(2026, 11, 15, 16, 30, tzinfo=UTC))) \
        == IsoWeek(2026, 46)
    assert last_complete_week(ManualClock(datetime(2026, 11, 15, 15, 59, tzinfo=UTC))) \
        == IsoWeek(2026, 45)
    assert last_complete_week(ManualClock(datetime(2027, 1, 5, tzinfo=UTC))) \
        == IsoWeek(2026, 53)


def test_week_range_runs_oldest_first_across_a_year() -> None:
    assert [w.label for w in week_range(IsoWeek(2027, 2), 4)] == \
        ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]
    with pytest.raises(BadInput):
        week_range(IsoWeek(2027, 2), 0)
