"""Console: the regional dashboard (this week so far, with the trend), the weekly report (周报,
last complete week, downloadable as CSV or as the same files `kejiyun report weekly` writes),
and 科普需求画像 — abstained questions and unmatched needs clustered by topic and region, each
cluster one click away from a commissioned draft article.

Staff read their own region or any region inside it; anything else is a 403.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from core.errors import KejiyunError
from knowledge import gazetteer
from reports.scope import resolve_scope
from reports.topics import unmet_topics
from reports.weekly import WeeklyReport, build_report, figures_csv, report_context, write_report
from reports.weeks import week_of
from web.console_context import Console, console, refuse, signed_in_staff
from web.staff import Staff

GAP_WEEKS = (1, 4, 12)


def region_choices(staff: Staff) -> list[tuple[str, str]]:
    """The staff member's own region, then the regions one level below it."""
    own = gazetteer.get(staff.region_code)
    choices = [(staff.region_code, own.name if own else staff.region_code)]
    if staff.role == "province":
        choices += [(r.code, r.name) for r in gazetteer.cities()]
    elif staff.role == "city":
        choices += [(r.code, r.name) for r in gazetteer.counties(staff.region_code)]
    return choices


router = APIRouter(prefix="/console")
Ctx = Depends(console)
SignedIn = Depends(signed_in_staff)


def _region(staff: Staff, region: str) -> str:
    """The region asked for (the staff member's own by default), if theirs to read."""
    code = region or staff.region_code
    place = gazetteer.get(code) if code.isdigit() else gazetteer.resolve(code)
    if place is None:
        raise refuse("无法识别的地区 (unknown region)", 400)
    if not staff.can_see(place.code):
        raise refuse("无权查看其他地区的数据 (outside your region)", 403)
    return place.code


def _report_page(ctx: Console, request: Request, name: str, staff: Staff, code: str, week: str,
                 heading: str) -> Response:
    try:
        content = report_context(ctx.engine, code, week or None, clock=ctx.clock)
    except KejiyunError as exc:
        raise refuse(str(exc), 400) from None
    return ctx.page(request, name, staff=staff, region_code=code, heading=heading,
                    choices=region_choices(staff), query=urlencode(
                        {"region": code, "week": content["week"]}), **content)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, region: str = "", week: str = "", staff: Staff = SignedIn,
              ctx: Console = Ctx) -> Response:
    code = _region(staff, region)
    current = week or week_of(ctx.clock.now()).label  # this week, so far
    return _report_page(ctx, request, "dashboard.html", staff, code, current, "数据看板")


@router.get("/reports/weekly", response_class=HTMLResponse)
def weekly(request: Request, region: str = "", week: str = "", staff: Staff = SignedIn,
           ctx: Console = Ctx) -> Response:
    return _report_page(ctx, request, "report_weekly.html", staff, _region(staff, region), week,
                        "周报")


def _report(ctx: Console, staff: Staff, region: str, week: str) -> WeeklyReport:
    """The week's report for a download (or a refusal: scope, bad week)."""
    code = _region(staff, region)
    try:
        return build_report(ctx.engine, code, week or None, clock=ctx.clock)
    except KejiyunError as exc:
        raise refuse(str(exc), 400) from None


@router.get("/reports/weekly.csv")
def weekly_csv(region: str = "", week: str = "", staff: Staff = SignedIn, ctx: Console = Ctx
               ) -> Response:
    report = _report(ctx, staff, region, week)
    name = f"weekly-{report.scope.code}-{report.week.label}.csv"
    # A BOM so that Excel, which most association staff open CSV files with, reads UTF-8.
    return Response("\ufeff" + figures_csv(report), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/reports/weekly.zip")
def weekly_zip(region: str = "", week: str = "", staff: Staff = SignedIn, ctx: Console = Ctx
               ) -> Response:
    report = _report(ctx, staff, region, week)
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, \
            zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        files = write_report(report, Path(tmp))
        for path in [files.html, files.csv, *files.pngs]:
            zf.write(path, path.name)
    name = f"weekly-{report.scope.code}-{report.week.label}.zip"
    return Response(buf.getvalue(), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/gaps", response_class=HTMLResponse)
def gaps(request: Request, region: str = "", weeks: int = 4, staff: Staff = SignedIn,
         ctx: Console = Ctx) -> Response:
    code = _region(staff, region)
    weeks = weeks if weeks in GAP_WEEKS else 4
    until = week_of(ctx.clock.now()).end  # this week and the weeks before it
    clusters = unmet_topics(ctx.engine, resolve_scope(code), until - timedelta(weeks=weeks),
                            until, limit=30)
    return ctx.page(request, "gaps.html", staff=staff, region_code=code, weeks=weeks,
                    spans=GAP_WEEKS, choices=region_choices(staff), clusters=clusters,
                    commission=_commission_link)


def _commission_link(cluster: object) -> str:
    """A prefilled draft: the topic as the title, the people's own questions as the brief."""
    label = getattr(cluster, "label", "")
    terms = getattr(cluster, "terms", [])
    examples = getattr(cluster, "examples", [])
    brief = ("【约稿说明，请替换为正文】群众最近问到：\n" +
             "\n".join(f"· {e}" for e in examples))
    return "/console/articles/new?" + urlencode({
        "title": f"{label.replace(' · ', '')}常见问题解答", "tags": "、".join(terms),
        "body": brief, "origin": f"gap:{label}"[:100]})
