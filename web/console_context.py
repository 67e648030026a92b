"""What every staff-console page shares: the `Console` context (store, clock, templates, search
index, sign-in checks, flashes), the CSRF check, the labels staff read and the template set-up.
`web/console.py` (sign-in and the needs board) and the `console_*` page modules all build on
it; none of them imports another."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.clock import Clock, as_utc
from delivery.shared import SharedStore
from knowledge import gazetteer
from matching.need import KIND_LABELS, NEED_STATUS_LABELS
from matching.offers import OfferService
from retrieval.index import SearchIndex
from store.models import (
    StaffAccount,
)
from web import staff as auth

SESSION_COOKIE = "kjy_console"
LOGIN_CSRF = "kjy_login_csrf"
FLASH_TTL = 300  # seconds: a flash is for the page the action redirects to
STATUS_LABELS = NEED_STATUS_LABELS
_BEIJING = ZoneInfo("Asia/Shanghai")
OFFER_LABELS = {"pending": "待答复", "accepted": "已接单", "declined": "已婉拒",
                "expired": "已超时", "withdrawn": "已撤回"}
# Audit actions as staff read them; unknown ones are shown as stored.
ACTION_LABELS = {
    "create": "新建", "confirm": "发布", "send": "发出派单", "offered": "派单中",
    "unmatched": "无人接单，转人工", "assign": "人工指派", "cancel": "取消", "withdraw": "撤回派单",
    "accept": "接单", "matched": "对接成功", "introduce": "交换联系方式", "decline": "婉拒",
    "refer": "转介同行", "expire": "超时未答复", "start_service": "开始服务", "close": "评价并完成",
    "edit": "修改", "set_draft": "退回草稿", "set_review": "提交审核", "set_vetted": "审核通过",
    "set_retired": "下线", "import": "导入", "verify": "认证", "unverify": "取消认证",
    "unavailable": "标记暂不接单", "available": "恢复接单", "bind_code": "生成绑定码",
    "bind": "绑定聊天账号", "login": "登录", "locked": "登录失败过多，锁定",
    "call_failed": "电话联系不上", "share_contact": "需求方同意告知专家联系方式",
    "relay": "平台留言"}
# What staff record after phoning a scientist who has no chat account (offer.via = staff).
CALL_RESULTS = {"accept": "专家同意接单", "decline": "专家婉拒", "unreachable": "联系不上"}


def _region(code: str | None) -> str:
    return gazetteer.display_name(code, "未注明")


@dataclass
class Console:
    """What every console page needs: the store, the clock, the templates, the search index
    (so a vetted or retired article takes effect at once) and the sign-in checks."""

    engine: Engine
    offers: OfferService
    clock: Clock
    templates: Jinja2Templates
    index: SearchIndex | None = None

    def page(self, request: Request, name: str, http_status: int = 200, **ctx: Any
             ) -> HTMLResponse:
        return self.templates.TemplateResponse(request, name, {"title": "工作台", **ctx},
                                               status_code=http_status)

    def signed_in(self, request: Request) -> auth.Staff | None:
        return auth.current(self.engine, request.cookies.get(SESSION_COOKIE), self.clock)

    def who(self, actor: str) -> str:
        """"staff:3" → the staff member's name; people and the system in plain words."""
        kind, _, ident = actor.partition(":")
        if kind == "staff" and ident.isdigit():
            with Session(self.engine) as s:
                row = s.get(StaffAccount, int(ident))
            return f"工作人员 {row.display_name}" if row else actor
        return {"system": "系统", "person": "需求方", "scientist": "科技工作者",
                "cli": "命令行", "demo": "演示数据"}.get(kind, actor)

    def sync(self, kind: str) -> None:
        if self.index is not None:
            self.index.sync(kind)

    def flash(self, request: Request, text: str, ok: bool = True) -> None:
        """Keep a message for this session's next page (see the module docstring)."""
        if (key := auth.session_key(request.cookies.get(SESSION_COOKIE))) is not None:
            SharedStore(self.engine, self.clock).set(f"console-flash:{key}",
                                                     {"text": text[:500], "ok": ok}, FLASH_TTL)

    def take_flash(self, request: Request) -> dict[str, Any]:
        """The session's flash as page context (message, message_ok), shown once."""
        key = auth.session_key(request.cookies.get(SESSION_COOKIE))
        if key is None:
            return {}
        shared = SharedStore(self.engine, self.clock)
        found = shared.get(f"console-flash:{key}")
        if not isinstance(found, dict):
            return {}
        shared.delete(f"console-flash:{key}")
        return {"message": str(found.get("text", "")), "message_ok": bool(found.get("ok"))}


def staff_codes(staff: auth.Staff) -> frozenset[str] | None:
    """The regions a staff member reads: None (everywhere) for province staff."""
    return None if staff.role == "province" else gazetteer.subtree_codes(staff.region_code)


class Refusal(Exception):
    """Ends a console request early with `response`: to sign-in, or a 400/403/404 in plain
    words (answered by the handler `mount` installs)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def refuse(text: str, status: int) -> Refusal:
    return Refusal(Response(text, status_code=status))


# ---- dependencies (FastAPI `Depends`) ----------------------------------------------------------
def console(request: Request) -> Console:
    """The console's context, set on the app by `web.console.mount`."""
    return request.app.state.console  # type: ignore[no-any-return]


def signed_in_staff(request: Request, ctx: Console = Depends(console)) -> auth.Staff:
    """The staff member of this session; anyone else is sent to the sign-in page."""
    staff = ctx.signed_in(request)
    if staff is None:
        raise Refusal(RedirectResponse("/console/login", status_code=303))
    return staff


def check_csrf(staff: auth.Staff, token: str) -> None:
    if (refused := csrf_refused(staff, token)) is not None:
        raise Refusal(refused)


def csrf_refused(staff: auth.Staff, token: str) -> Response | None:
    if auth.csrf_ok(staff, token):
        return None
    return Response("缺少或错误的 CSRF 令牌 (CSRF check failed)", status_code=403)


def console_templates() -> Jinja2Templates:
    from importlib import resources

    from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader

    from knowledge.vetting import STATUS_LABELS as ARTICLE_STATUS

    templates = Jinja2Templates(directory=str(resources.files("web") / "templates"))
    # The dashboard and 周报 pages include the weekly report's own body and styles.
    templates.env.loader = ChoiceLoader([
        FileSystemLoader(str(resources.files("web") / "templates")),
        PackageLoader("reports", "templates")])
    templates.env.filters["seg"] = path_segment
    templates.env.globals.update(region=_region, statuses=STATUS_LABELS, kinds=KIND_LABELS,
                                 article_statuses=ARTICLE_STATUS, when=_when,
                                 action_labels=ACTION_LABELS, offer_statuses=OFFER_LABELS)
    return templates


def path_segment(value: Any) -> str:
    """An id as one URL path segment: "a/../b?c#d" → "a%2F..%2Fb%3Fc%23d"."""
    return quote(str(value), safe="")


def _when(value: Any) -> str:
    """Times in the console are Beijing time, to the minute."""
    if value is None:
        return ""
    return as_utc(value).astimezone(_BEIJING).strftime("%Y-%m-%d %H:%M")  # type: ignore[union-attr]
