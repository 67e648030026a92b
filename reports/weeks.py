"""ISO weeks (`2026-W47`) in China Standard Time, the unit of every report.

A week runs from Monday 00:00 to the next Monday 00:00 Asia/Shanghai time. The store keeps UTC,
so a week's bounds are converted once here and every query filters on a plain UTC range.
China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact for any
date the platform can hold and needs no tz database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from core.clock import Clock, as_utc, system_clock
from core.errors import BadInput

CST = timezone(timedelta(hours=8), "Asia/Shanghai")
_WEEK_RE = re.compile(r"^\s*(\d{4})-?[Ww](\d{1,2})\s*$")


@dataclass(frozen=True, order=True, slots=True)
class IsoWeek:
    year: int
    week: int

    def __post_init__(self) -> None:
        try:
            date.fromisocalendar(self.year, self.week, 1)
        except ValueError:
            raise BadInput(
                f"{self.year} 年没有第 {self.week} 周（ISO 周为 1–{weeks_in_year(self.year)}）"
                f" (ISO year {self.year} has no week {self.week})") from None

    @property
    def label(self) -> str:
        """"2026-W47": the form the CLI takes and the report directories use."""
        return f"{self.year}-W{self.week:02d}"

    @property
    def short(self) -> str:
        """"W47": ASCII, for chart ticks."""
        return f"W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def start(self) -> datetime:
        """Monday 00:00 China time, as an aware UTC datetime (inclusive)."""
        return datetime.combine(self.monday, time(), CST).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The next Monday 00:00 China time, as an aware UTC datetime (exclusive)."""
        return self.start + timedelta(days=7)

    def shift(self, weeks: int) -> IsoWeek:
        return week_of(self.start + timedelta(weeks=weeks))

    def previous(self) -> IsoWeek:
        return self.shift(-1)

    def __str__(self) -> str:
        return self.label


def weeks_in_year(year: int) -> int:
    return date(year, 12, 28).isocalendar().week  # 28 December is always in the last week


def parse_week(value: str) -> IsoWeek:
    """Parse "2026-W47" (also "2026W47", "2026-w7"); BadInput for anything else."""
    m = _WEEK_RE.match(value or "")
    if m is None:
        raise BadInput(f"周次格式应为 YYYY-Www，例如 2026-W47，收到 {value!r} "
                       f"(week must look like 2026-W47)")
    return IsoWeek(int(m.group(1)), int(m.group(2)))


def week_of(moment: datetime) -> IsoWeek:
    """The ISO week (China time) that contains an instant; naive datetimes are read as UTC."""
    local = (as_utc(moment) or moment).astimezone(CST).date()
    iso = local.isocalendar()
    return IsoWeek(iso.year, iso.week)


def last_complete_week(clock: Clock = system_clock) -> IsoWeek:
    """The most recent week that has fully ended by the clock: the default report week."""
    return week_of(clock.now()).previous()


def week_range(until: IsoWeek, weeks: int) -> list[IsoWeek]:
    """`weeks` consecutive weeks ending with `until`, oldest first."""
    if weeks < 1:
        raise BadInput(f"周数至少为 1，收到 {weeks} (weeks must be at least 1)")
    return [until.shift(-i) for i in range(weeks - 1, -1, -1)]
