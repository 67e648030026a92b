"""Exact weekly figures over SQLite and PostgreSQL, region subtrees, week-over-week change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from core.clock import ManualClock
from core.errors import BadInput
from reports.figures import FIGURES, series, week_over_week, weekly
from reports.weeks import IsoWeek

from .conftest import CHENGDU, CUIPING, WENJIANG, XUZHOU, YIBIN, Seeded, cst

W, L = "2026-W46", "2026-W45"


def test_province_figures_this_week(store: Engine, seeded: Seeded) -> None:
    f = weekly(store, None, W)
    assert (f.region_code, f.region_name, f.week.label) == ("510000", "四川省", W)
    # n1 n2 n3 n4 n7 n8 n12; not the draft n5, not n6 cancelled before publishing, not n9
    # (Monday 00:30 of the next week), not n10/n11 (last week)
    assert f.needs_posted == 7
    assert f.needs_by_kind == {"question": 2, "service": 3, "rd_challenge": 1, "talent": 1,
                               "achievement_transfer": 0}
    assert f.needs_matched == 2  # n1, n2; n8 was accepted on Monday of the next week
    assert f.match_rate == pytest.approx(2 / 7)
    assert f.offers_accepted == 3  # 4 h, 10 h (from n2's first offer), 70 h (n10)
    assert f.median_hours_to_accept == 10.0
    assert f.active_scientists == 3  # s1 accepted, s2 declined, s3 accepted; s5 expired
    assert (f.scientists_registered, f.scientists_served) == (5, 3)  # s6 registers later
    assert f.supply_rate == pytest.approx(0.6)
    assert (f.enterprises_posted, f.enterprises_served) == (3, 2)  # 合作社, 公司, 丙
    assert f.access_rate == pytest.approx(2 / 3)
    assert (f.questions_answered, f.questions_abstained) == (1, 4)
    assert f.top_unmet_topics[:2] == ["李子 · 流胶", "猕猴桃 · 溃疡病"]


def test_province_figures_last_week(store: Engine, seeded: Seeded) -> None:
    f = weekly(store, "四川省", L, topics=0)
    assert (f.needs_posted, f.needs_matched) == (2, 1)
    assert f.match_rate == 0.5
    assert (f.offers_accepted, f.median_hours_to_accept) == (1, 2.0)
    assert f.active_scientists == 1
    assert (f.scientists_registered, f.scientists_served) == (4, 1)
    assert f.supply_rate == 0.25
    assert (f.enterprises_posted, f.enterprises_served) == (1, 0)
    assert f.access_rate == 0.0
    assert (f.questions_answered, f.questions_abstained) == (1, 1)
    assert f.top_unmet_topics == []


@pytest.mark.parametrize(("region", "posted", "matched", "median", "active", "supply",
                          "access", "questions"), [
    (CUIPING, 3, 1, 4.0, 1, (1, 1), (1, 1), (1, 1)),  # n1 n4 n8; s1
    ("宜宾市翠屏区", 3, 1, 4.0, 1, (1, 1), (1, 1), (1, 1)),
    (XUZHOU, 2, 1, 10.0, 1, (1, 1), (0, 1), (0, 1)),  # n2 n7; s2 declined
    (YIBIN, 5, 2, 7.0, 2, (2, 3), (1, 2), (1, 2)),  # the city: both counties, and s4
    ("宜宾", 5, 2, 7.0, 2, (2, 3), (1, 2), (1, 2)),
    (CHENGDU, 1, 0, 70.0, 1, (1, 1), (1, 1), (0, 1)),
    (WENJIANG, 1, 0, 70.0, 1, (1, 1), (1, 1), (0, 1)),
])
def test_region_subtrees(store: Engine, seeded: Seeded, region: str, posted: int,
                         matched: int, median: float, active: int, supply: tuple[int, int],
                         access: tuple[int, int], questions: tuple[int, int]) -> None:
    f = weekly(store, region, W, topics=0)
    assert (f.needs_posted, f.needs_matched) == (posted, matched)
    assert f.median_hours_to_accept == median
    assert f.active_scientists == active
    assert (f.scientists_served, f.scientists_registered) == supply
    assert (f.enterprises_served, f.enterprises_posted) == access
    assert (f.questions_answered, f.questions_abstained) == questions


def test_empty_region_gives_none_rates_not_errors(store: Engine, seeded: Seeded) -> None:
    f = weekly(store, "甘孜藏族自治州", W)
    assert f.needs_posted == 0 and f.match_rate is None
    assert f.median_hours_to_accept is None and f.supply_rate is None
    assert f.access_rate is None and f.top_unmet_topics == []


def test_week_over_week_changes_and_zero_baselines(store: Engine, seeded: Seeded) -> None:
    this, last = weekly(store, None, W, topics=0), weekly(store, None, L, topics=0)
    changes = {c.key: c for c in week_over_week(this, last)}
    assert list(changes) == [f.key for f in FIGURES]
    posted = changes["needs_posted"]
    assert (posted.this, posted.last, posted.delta, posted.relative) == (7, 2, 5, 2.5)
    assert changes["match_rate"].delta == pytest.approx(2 / 7 - 0.5)
    assert changes["match_rate"].relative == pytest.approx((2 / 7 - 0.5) / 0.5)
    served = changes["enterprises_served"]  # from zero: a delta, but no percentage
    assert (served.delta, served.relative) == (2, None)
    assert changes["access_rate"].relative is None
    kind = changes["needs_posted.rd_challenge"]
    assert (kind.this, kind.last, kind.delta, kind.relative) == (1, 0, 1, None)
    assert changes["median_hours_to_accept"].delta == 8.0


def test_week_over_week_with_unknown_values() -> None:
    from reports.figures import WeeklyFigures
    from reports.weeks import parse_week

    def figs(median: float | None, posted: int) -> WeeklyFigures:
        return WeeklyFigures("510000", "四川省", parse_week(W), posted, {}, 0, 0, median,
                             0, 0, 0, 0, 0, 0, 0)

    changes = {c.key: c for c in week_over_week(figs(3.0, 0), figs(None, 0))}
    assert changes["median_hours_to_accept"].delta is None
    assert changes["match_rate"].delta is None  # no needs either week: no rate
    assert (changes["needs_posted"].delta, changes["needs_posted"].relative) == (0, None)


def test_series_ends_with_the_last_complete_week_by_the_clock(store: Engine,
                                                               seeded: Seeded) -> None:
    clock = ManualClock(cst(18, 10))  # Wednesday of W47
    trend = series(store, YIBIN, weeks=3, clock=clock)
    assert [f.week.label for f in trend] == ["2026-W44", L, W]
    assert [f.needs_posted for f in trend] == [0, 1, 5]
    assert trend == series(store, YIBIN, 3, W)


def test_bad_region_is_bad_input(store: Engine) -> None:
    with pytest.raises(BadInput, match="找不到地区"):
        weekly(store, "火星市", W)
    with pytest.raises(BadInput, match="周次"):
        weekly(store, None, "2026-47")


def test_week_bounds_are_china_time() -> None:
    wk = IsoWeek(2026, 46)
    assert wk.start == datetime(2026, 11, 8, 16, tzinfo=UTC)
    assert wk.end == datetime(2026, 11, 15, 16, tzinfo=UTC)
