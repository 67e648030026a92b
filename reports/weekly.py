"""The weekly report (周报): figures with week-over-week change, trend charts, unmet topics.

`build_report` computes everything once; `write_report` writes `report.html`, one PNG per
chart and `figures.csv` into a directory (`kejiyun report weekly`); `report_context` gives the
console the same content with the charts as inline SVG.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from core.clock import Clock, system_clock
from reports.figures import Change, WeeklyFigures, series, week_over_week
from reports.scope import Scope, resolve_scope
from reports.topics import TopicCluster, unmet_topics
from reports.weeks import CST, IsoWeek, last_complete_week, parse_week

TOP_TOPICS_IN_FIGURES = 5


@dataclass(frozen=True, slots=True)
class WeeklyReport:
    scope: Scope
    week: IsoWeek
    figures: WeeklyFigures  # this week (with the top unmet-topic labels)
    last: WeeklyFigures  # the week before
    changes: list[Change]  # one per FIGURES entry, in that order
    series: list[WeeklyFigures]  # the trend, oldest first, ending with this week
    topics: list[TopicCluster]  # this week's unmet topics, largest first
    generated_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "region_code": self.scope.code, "region": self.scope.name, "week": self.week.label,
            "from": self.week.monday.isoformat(), "to": self.week.sunday.isoformat(),
            "generated_at": self.generated_at.isoformat(),
            "figures": [{"key": c.key, "label": c.label, "unit": c.unit, "this_week": c.this,
                         "last_week": c.last, "change": c.delta, "change_relative": c.relative}
                        for c in self.changes],
            "topics": [t.to_json() for t in self.topics],
        }


def resolve_week(week: IsoWeek | str | None, clock: Clock = system_clock) -> IsoWeek:
    """None → the last complete week by the clock."""
    if week is None or week == "":
        return last_complete_week(clock)
    return parse_week(week) if isinstance(week, str) else week


def build_report(engine: Engine, region: str | Scope | None = None,
                 week: IsoWeek | str | None = None, *, clock: Clock = system_clock,
                 weeks: int = 8, topic_limit: int = 10) -> WeeklyReport:
    """Everything the report shows, for a region (code or Chinese name; None = the province)
    and an ISO week (None = the last complete week by `clock`). `weeks` ≥ 2: the trend
    length, which includes last week for the week-over-week change."""
    scope = resolve_scope(region)
    wk = resolve_week(week, clock)
    trend = series(engine, scope, max(2, weeks), wk)
    topics = unmet_topics(engine, scope, wk.start, wk.end, limit=topic_limit)
    this = dataclasses.replace(
        trend[-1], top_unmet_topics=[t.label for t in topics[:TOP_TOPICS_IN_FIGURES]])
    trend[-1] = this
    return WeeklyReport(scope=scope, week=wk, figures=this, last=trend[-2],
                        changes=week_over_week(this, trend[-2]), series=trend, topics=topics,
                        generated_at=clock.now())


# ---- presentation -----------------------------------------------------------------------------

def _number(value: float | int | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _change_text(c: Change) -> str:
    """"+3（+25.0%）", "+3（上周为 0）", "+5.0 个百分点", "持平", "—"."""
    if c.delta is None:
        return "—"
    if c.delta == 0:
        return "持平"
    if c.unit == "%":
        return f"{c.delta * 100:+.1f} 个百分点"
    amount = f"{c.delta:+.1f}" if isinstance(c.delta, float) else f"{c.delta:+d}"
    if c.relative is None:
        return f"{amount}（上周为 0）"
    return f"{amount}（{c.relative * 100:+.1f}%）"


def figure_rows(report: WeeklyReport) -> list[dict[str, Any]]:
    """The figures table as display strings: key, label, unit, this, last, change, trend
    ("up" | "down" | "flat" | "")."""
    rows = []
    for c in report.changes:
        trend = "" if c.delta is None else "up" if c.delta > 0 else "down" if c.delta < 0 \
            else "flat"
        rows.append({"key": c.key, "label": c.label, "unit": c.unit,
                     "this": _number(c.this, c.unit), "last": _number(c.last, c.unit),
                     "change": _change_text(c), "trend": trend,
                     "sub": "." in c.key})  # a per-kind row under 发布需求数
    return rows


def _csv_value(value: float | int | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "%":
        return f"{value * 100:.1f}"
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def figures_csv(report: WeeklyReport) -> str:
    """key,label,this_week,last_week,change,change_pct — rates in %, their change in
    percentage points and no change_pct (a relative change of a rate misleads); change_pct
    is empty when last week was zero."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["key", "label", "this_week", "last_week", "change", "change_pct"])
    for c in report.changes:
        pct = "" if c.relative is None or c.unit == "%" else f"{c.relative * 100:.1f}"
        writer.writerow([c.key, f"{c.label}（{c.unit}）", _csv_value(c.this, c.unit),
                         _csv_value(c.last, c.unit), _csv_value(c.delta, c.unit), pct])
    return buf.getvalue()


@cache
def _templates() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(loader=PackageLoader("reports", "templates"),
                       autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def _context(report: WeeklyReport, charts: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "report": report,
        "region_name": report.scope.name,
        "week": report.week.label,
        "week_from": report.week.monday.isoformat(),
        "week_to": report.week.sunday.isoformat(),
        "previous_week": report.week.previous().label,
        "next_week": report.week.shift(1).label,
        "generated_at": report.generated_at.astimezone(CST).strftime("%Y-%m-%d %H:%M"),
        "rows": figure_rows(report),
        "charts": charts,
        "topics": report.topics,
        "figures": report.figures,
    }


def report_context(engine: Engine, region: str | Scope | None = None,
                   week: IsoWeek | str | None = None, *, clock: Clock = system_clock,
                   weeks: int = 8, topic_limit: int = 10) -> dict[str, Any]:
    """For the console's dashboard page: the report's content with each chart as an inline
    SVG string (`charts`: [{"name", "title", "svg"}]). Render with your own template, or
    include `reports/templates/_weekly_body.html` (PackageLoader("reports", "templates"))."""
    from reports.charts import CHART_TITLES, render

    report = build_report(engine, region, week, clock=clock, weeks=weeks,
                          topic_limit=topic_limit)
    charts = [{"name": name, "title": title, "svg": str(render(name, report.series, "svg"))}
              for name, title in CHART_TITLES.items()]
    return _context(report, charts)


@dataclass(frozen=True, slots=True)
class ReportFiles:
    directory: Path
    html: Path
    csv: Path
    pngs: list[Path]


def write_report(report: WeeklyReport, out_dir: Path) -> ReportFiles:
    """Write report.html, <chart>.png and figures.csv into `out_dir` (created if needed)."""
    from reports.charts import CHART_TITLES, render

    out_dir.mkdir(parents=True, exist_ok=True)
    pngs, charts = [], []
    for name, title in CHART_TITLES.items():
        path = out_dir / f"{name}.png"
        path.write_bytes(bytes(render(name, report.series, "png")))  # type: ignore[arg-type]
        pngs.append(path)
        charts.append({"name": name, "title": title, "src": path.name})
    csv_path = out_dir / "figures.csv"
    csv_path.write_text(figures_csv(report), encoding="utf-8")
    html_path = out_dir / "report.html"
    html = _templates().get_template("weekly.html").render(**_context(report, charts))
    html_path.write_text(html, encoding="utf-8")
    return ReportFiles(out_dir, html_path, csv_path, pngs)


def default_out_dir(home: Path, report: WeeklyReport) -> Path:
    """KEJIYUN_HOME/reports/<region code>/<week>/"""
    return home / "reports" / report.scope.code / report.week.label
