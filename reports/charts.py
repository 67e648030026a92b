"""Trend charts for the weekly report and the console (matplotlib, Agg; imported lazily).

Each chart renders to PNG bytes (the report's files) and to an SVG string for inline use
(`svg.fonttype = none`: labels stay text, so the browser draws Chinese with its own fonts).
Titles and legends are Chinese with a short English gloss, and tick labels are ASCII ("W47",
numbers), so a PNG drawn on a machine without CJK fonts, where Chinese shows as boxes, still
reads. Nothing here downloads fonts.

matplotlib is imported inside the functions: the chat path never imports this module, and the
console pays for it only when a chart is drawn.
"""

from __future__ import annotations

import io
import logging
import math
import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from matching.need import KIND_LABELS
from reports.figures import KINDS, WeeklyFigures

# The common CJK fonts on Linux, Windows and macOS, then a font every matplotlib ships.
FONTS = ["Noto Sans CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC", "Microsoft YaHei",
         "PingFang SC", "SimHei", "DejaVu Sans"]
_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": FONTS,
    "svg.fonttype": "none",
    "svg.hashsalt": "kejiyun",  # stable element ids: the same data gives the same SVG
    "axes.unicode_minus": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 9,
}
_SIZE = (6.4, 3.0)
_DPI = 110
_KIND_COLOURS = ["#2f6db5", "#4aa3df", "#f0a030", "#8a63c4", "#3fa36b"]
_ANSWERED, _ABSTAINED = "#3fa36b", "#e0763a"
_SVG_START = re.compile(r"<svg\b")


def _quiet() -> None:
    # Fonts missing here are expected (the CJK list is for the staff's machines): say nothing.
    warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
    warnings.filterwarnings("ignore", message=r"findfont:", category=UserWarning)
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


def _weeks(series: Sequence[WeeklyFigures]) -> list[str]:
    return [f.week.short for f in series]


def _pct(value: float | None) -> float:
    return math.nan if value is None else value * 100


def _needs(ax: Any, series: Sequence[WeeklyFigures]) -> None:
    x = range(len(series))
    bottom = [0] * len(series)
    for kind, colour in zip(KINDS, _KIND_COLOURS, strict=True):
        values = [f.needs_by_kind.get(kind, 0) for f in series]
        if any(values):
            ax.bar(x, values, bottom=bottom, color=colour, width=0.6,
                   label=f"{KIND_LABELS[kind]} {kind}")
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for i, total in enumerate(bottom):
        if total:
            ax.annotate(str(total), (i, total), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("条 needs")
    _integer_axis(ax, max(bottom, default=0))


def _match_rate(ax: Any, series: Sequence[WeeklyFigures]) -> None:
    values = [_pct(f.match_rate) for f in series]
    ax.plot(range(len(series)), values, marker="o", color="#2f6db5", label="匹配率 match rate")
    _percent_axis(ax)


def _questions(ax: Any, series: Sequence[WeeklyFigures]) -> None:
    x = range(len(series))
    answered = [f.questions_answered for f in series]
    abstained = [f.questions_abstained for f in series]
    ax.bar(x, answered, color=_ANSWERED, width=0.6, label="已回答 answered")
    ax.bar(x, abstained, bottom=answered, color=_ABSTAINED, width=0.6,
           label="未能回答 abstained")
    _integer_axis(ax, max((a + b for a, b in zip(answered, abstained, strict=True)), default=0))
    ax.set_ylabel("条 questions")


def _service_rates(ax: Any, series: Sequence[WeeklyFigures]) -> None:
    x = range(len(series))
    ax.plot(x, [_pct(f.supply_rate) for f in series], marker="o", color="#2f6db5",
            label="供给率 supply")
    ax.plot(x, [_pct(f.access_rate) for f in series], marker="s", color="#e0763a",
            label="获取率 access")
    _percent_axis(ax)


def _time_to_accept(ax: Any, series: Sequence[WeeklyFigures]) -> None:
    values = [math.nan if f.median_hours_to_accept is None else f.median_hours_to_accept
              for f in series]
    ax.plot(range(len(series)), values, marker="o", color="#8a63c4",
            label="中位数 median")
    finite = [v for v in values if not math.isnan(v)]
    ax.set_ylim(0, max(finite, default=1) * 1.3 or 1)
    ax.set_ylabel("小时 hours")


def _integer_axis(ax: Any, top: float) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(1, top) * 1.3)  # headroom for the legend and the totals


def _percent_axis(ax: Any) -> None:
    ax.set_ylim(0, 125)  # headroom for the legend above 100 %
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("%")


_Draw = Callable[[Any, Sequence[WeeklyFigures]], None]
CHARTS: dict[str, tuple[str, _Draw]] = {
    "needs": ("每周发布需求 Needs posted", _needs),
    "match_rate": ("匹配率（截至周末） Match rate (%)", _match_rate),
    "questions": ("科普问答 Questions answered / abstained", _questions),
    "service_rates": ("科技服务供给率与获取率 Supply and access rates (%)", _service_rates),
    "time_to_accept": ("接单用时中位数 Median hours to accept", _time_to_accept),
}
"""Chart name → (title, drawing function); the names are the PNG file names (needs.png …)."""
CHART_TITLES = {name: title for name, (title, _) in CHARTS.items()}


def _figure(name: str, series: Sequence[WeeklyFigures]) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if name not in CHARTS:
        raise KeyError(f"unknown chart {name!r}; one of {sorted(CHARTS)}")
    fig = Figure(figsize=_SIZE, dpi=_DPI)  # no pyplot: no global figure state, thread-safe
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    title, draw = CHARTS[name]
    draw(ax, series)
    ax.set_title(title, loc="left", fontsize=10)
    ax.set_xticks(range(len(series)), _weeks(series))
    ax.set_xlim(-0.6, len(series) - 0.4)
    ax.grid(axis="y", alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", fontsize=7, frameon=False, ncols=3)
    fig.tight_layout()
    return fig


def render(name: str, series: Sequence[WeeklyFigures], fmt: str = "png") -> bytes | str:
    """One chart as PNG bytes (`fmt="png"`) or an inline SVG string (`fmt="svg"`, starting
    at `<svg`, without the XML prolog)."""
    import matplotlib

    _quiet()
    with matplotlib.rc_context(_RC):
        fig = _figure(name, series)
        buf = io.BytesIO()
        if fmt == "png":
            fig.savefig(buf, format="png", metadata={"Software": None})
            return buf.getvalue()
        if fmt == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
            text = buf.getvalue().decode("utf-8")
            m = _SVG_START.search(text)
            return text[m.start():] if m else text
    raise ValueError(f"fmt must be 'png' or 'svg', not {fmt!r}")


def render_all(series: Sequence[WeeklyFigures], fmt: str = "png") -> dict[str, Any]:
    """Every chart in CHARTS, by name."""
    return {name: render(name, series, fmt) for name in CHARTS}
