"""Charts render to PNG and to SVG with text kept as text, silently on a machine without CJK
fonts, and the chat path does not import matplotlib."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

from reports.charts import CHART_TITLES, CHARTS, render, render_all
from reports.figures import WeeklyFigures
from reports.weeks import IsoWeek, week_range

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def trend() -> list[WeeklyFigures]:
    weeks = week_range(IsoWeek(2026, 46), 4)
    out = []
    for i, wk in enumerate(weeks):
        out.append(WeeklyFigures(
            "510000", "四川省", wk, needs_posted=3 + i, needs_by_kind={"service": 2 + i,
                                                                       "question": 1},
            needs_matched=i, offers_accepted=i, median_hours_to_accept=None if i == 0 else 5.0,
            active_scientists=i, scientists_registered=10, scientists_served=i,
            enterprises_posted=0 if i == 0 else 4, enterprises_served=i,
            questions_answered=5, questions_abstained=i))
    return out


def test_every_chart_renders_png_and_svg_without_warnings() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pngs = render_all(trend(), "png")
        svgs = render_all(trend(), "svg")
    assert not [w for w in caught if "Glyph" in str(w.message) or "findfont" in str(w.message)]
    assert set(pngs) == set(svgs) == set(CHARTS) == set(CHART_TITLES)
    for name in CHARTS:
        assert pngs[name].startswith(PNG_SIGNATURE) and len(pngs[name]) > 5000
        svg = svgs[name]
        assert svg.startswith("<svg") and "<?xml" not in svg
        assert CHART_TITLES[name] in svg  # Chinese kept as <text>, not outlines
        assert "Noto Sans CJK SC" in svg and "W46" in svg
    assert "技术服务 service" in svgs["needs"]


def test_svg_is_stable_for_the_same_data() -> None:
    assert render("match_rate", trend(), "svg") == render("match_rate", trend(), "svg")


def test_unknown_chart_or_format() -> None:
    with pytest.raises(KeyError):
        render("pie", trend())
    with pytest.raises(ValueError):
        render("needs", trend(), "gif")


def test_reports_and_chat_core_do_not_import_matplotlib() -> None:
    code = ("import sys, reports.figures, reports.topics, reports.weekly, bot.dialog; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
