"""The staff console at /console (server-rendered, Chinese, works on a phone).

Sign-in with argon2-hashed passwords and lockout (`web/staff.py`), an HttpOnly session cookie,
CSRF tokens on every form (double-submit on the login form, per session afterwards), and
region scope: 县/区 staff see and change only needs in their county, 市/州 staff their city,
province admins everything. This module holds the shared `Console` context, sign-in and the
needs board (with the unmatched queue, need detail, manual assignment); the other pages live in
`console_articles`, `console_scientists` and `console_insights`.

What a page says after an action ("已发出邀请。", a domain error) is a flash kept server-side
with the session and shown once, never text taken from the URL: a link cannot make the console
show words of an attacker's choosing. Ids in links are encoded as one path segment (`seg`), as
imported article and profile ids may contain `/ .. ? #`.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.shared import SharedStore
from kejiyun.clock import Clock, as_utc
from knowledge import gazetteer
from matching.need import KIND_LABELS, NEED_STATUS_LABELS
from matching.notifications import contact_text
from matching.offers import OfferService
from retrieval.index import SearchIndex
from store.models import (
    MAX_ID,
    AuditLog,
    Need,
    Offer,
    OfferStatus,
    OfferVia,
    Person,
    Scientist,
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

    def staff_or_redirect(self, request: Request) -> auth.Staff | Response:
        staff = self.signed_in(request)
        return staff if staff is not None else RedirectResponse("/console/login",
                                                                status_code=303)

    def need_scope(self, staff: auth.Staff, stmt: Any, column: Any = Need.region_code) -> Any:
        if staff.role == "province":
            return stmt
        return stmt.where(column.in_(gazetteer.subtree_codes(staff.region_code)))

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


def csrf_refused(staff: auth.Staff, token: str) -> Response | None:
    if auth.csrf_ok(staff, token):
        return None
    return Response("缺少或错误的 CSRF 令牌 (CSRF check failed)", status_code=403)


def _templates() -> Jinja2Templates:
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


def router(engine: Engine, offers: OfferService, clock: Clock,
           index: SearchIndex | None = None) -> APIRouter:
    from web import console_articles, console_insights, console_scientists

    ctx = Console(engine, offers, clock, _templates(), index)
    ctx.templates.env.globals["who"] = ctx.who
    r = APIRouter(prefix="/console")
    page, signed_in = ctx.page, ctx.signed_in
    scoped = ctx.need_scope

    @r.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> HTMLResponse:
        token = secrets.token_urlsafe(24)
        resp = page(request, "login.html", csrf=token, staff=None)
        resp.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
        return resp

    @r.post("/login")
    def login(request: Request, username: str = Form(""), password: str = Form(""),
              csrf: str = Form("")) -> Response:
        cookie = request.cookies.get(LOGIN_CSRF, "")
        if not cookie or not hmac.compare_digest(cookie.encode(), csrf.encode()):
            return Response("缺少或错误的 CSRF 令牌 (CSRF check failed)", status_code=403)
        token, message = auth.login(engine, username, password, clock,
                                    client_ip=request.client.host if request.client else "")
        if token is None:
            return page(request, "login.html", http_status=401, csrf=cookie, staff=None,
                        error=message)
        resp = RedirectResponse("/console", status_code=303)
        resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", max_age=8 * 3600)
        resp.delete_cookie(LOGIN_CSRF)
        return resp

    # The 退出 button posts the session's CSRF token, but logging out never refuses: a refusal
    # would leave a live session behind a page that looks signed out. Being logged out by another
    # site is only a nuisance, and the SameSite=Strict cookie is not sent from one anyway.
    @r.api_route("/logout", methods=["GET", "POST"])
    def logout(request: Request) -> Response:
        auth.logout(engine, request.cookies.get(SESSION_COOKIE))
        resp = RedirectResponse("/console/login", status_code=303)
        resp.delete_cookie(SESSION_COOKIE)
        return resp

    @r.get("", response_class=HTMLResponse)
    def board(request: Request, status: str = "", kind: str = "") -> Response:
        staff = signed_in(request)
        if staff is None:
            return RedirectResponse("/console/login", status_code=303)
        stmt = scoped(staff, select(Need)).order_by(Need.id.desc()).limit(200)
        if status in STATUS_LABELS:
            stmt = stmt.where(Need.status == status)
        if kind in KIND_LABELS:
            stmt = stmt.where(Need.kind == kind)
        with Session(engine) as s:
            needs = list(s.execute(stmt).scalars())
            unmatched = list(s.execute(scoped(staff, select(Need)).where(
                Need.status == "unmatched").order_by(Need.id)).scalars())
            calls = s.execute(scoped(staff, select(Offer, Need, Scientist)
                                     .join(Need, Need.id == Offer.need_id)
                                     .join(Scientist, Scientist.id == Offer.scientist_id))
                              .where(Offer.via == OfferVia.staff,
                                     Offer.status == OfferStatus.pending)
                              .order_by(Offer.expires_at)).all()
        return page(request, "needs.html", staff=staff, needs=needs, unmatched=unmatched,
                    calls=calls, status=status, kind=kind)

    def _need_or_error(request: Request, need_id: int) -> tuple[auth.Staff | None,
                                                                 Need | None, Response | None]:
        staff = signed_in(request)
        if staff is None:
            return None, None, RedirectResponse("/console/login", status_code=303)
        need = None
        if 1 <= need_id <= MAX_ID:  # beyond the id column's range: no such need, not a 500
            with Session(engine) as s:
                need = s.get(Need, need_id)
        if need is None:
            return staff, None, Response("没有这条需求 (no such need)", status_code=404)
        if not staff.can_see(need.region_code):
            return staff, None, Response("无权查看其他地区的需求 (outside your region)",
                                         status_code=403)
        return staff, need, None

    def _acting_on_need(request: Request, need_id: int, csrf: str
                        ) -> tuple[auth.Staff | None, Response | None]:
        """A change to a need: signed in, the need in the staff's region, the CSRF token."""
        staff, _, error = _need_or_error(request, need_id)
        if error is not None:
            return staff, error
        assert staff is not None
        return staff, csrf_refused(staff, csrf)

    @r.get("/needs/{need_id}", response_class=HTMLResponse)
    def need_detail(request: Request, need_id: int) -> Response:
        staff, need, error = _need_or_error(request, need_id)
        if error is not None:
            return error
        assert need is not None
        with Session(engine) as s:
            rows = s.execute(select(Offer, Scientist).join(
                Scientist, Scientist.id == Offer.scientist_id).where(
                Offer.need_id == need_id).order_by(Offer.id)).all()
            offer_ids = [str(o.id) for o, _ in rows]
            audit = list(s.execute(select(AuditLog).where(
                ((AuditLog.entity == "need") & (AuditLog.entity_id == str(need_id)))
                | ((AuditLog.entity == "offer") & AuditLog.entity_id.in_(offer_ids)))
                .order_by(AuditLog.id)).scalars())
            # a phoned scientist accepted: staff pass the requester's contact on by phone,
            # when the requester agreed to share it
            # (to an expert staff have not verified, only once the requester agreed again)
            relay = None
            phoned = [(o, sci) for o, sci in rows
                      if o.via == OfferVia.staff and o.status == OfferStatus.accepted]
            if need.contact_consent and need.requester_id is not None and phoned:
                o, sci = phoned[0]
                shared = sci.verified or any(a.action == "share_contact"
                                             and a.entity_id == str(o.id) for a in audit)
                requester = s.get(Person, need.requester_id)
                if shared and requester is not None and requester.erased_at is None:
                    relay = contact_text(requester.contact)
        return page(request, "need.html", staff=staff, need=need, offers=rows, audit=audit,
                    relay=relay, call_results=CALL_RESULTS, **ctx.take_flash(request))

    @r.post("/needs/{need_id}/calls/{offer_id}")
    def call_result(request: Request, need_id: int, offer_id: int, result: str = Form(""),
                    note: str = Form(""), csrf: str = Form("")) -> Response:
        """Staff phoned a scientist without a chat account and record the answer. The offer is
        found from the store, for this need: a form cannot name another need's offer."""
        staff, refused = _acting_on_need(request, need_id, csrf)
        if refused is not None:
            return refused
        assert staff is not None
        with Session(engine) as s:
            offer = s.get(Offer, offer_id) if 1 <= offer_id <= MAX_ID else None
        if offer is None or offer.need_id != need_id or offer.via != OfferVia.staff \
                or result not in CALL_RESULTS:
            return Response("没有这条电话联系任务 (no such call)", status_code=404)
        actor = f"staff:{staff.id}"
        if result == "accept":
            outcome = offers.accept(offer.token, offer.scientist_id, actor=actor)
        elif result == "decline":
            outcome = offers.decline(offer.token, offer.scientist_id,
                                     reason=("电话联系：" + note.strip())[:200], actor=actor)
        else:
            outcome = offers.call_failed(offer.id or 0, actor, note.strip() or "电话联系不上")
        message = outcome.message
        if outcome.ok and result == "accept":
            # (the number to pass on shows on this page once the requester may be reached)
            message = "已记录：专家同意接单，已通知需求方。"
        ctx.flash(request, message, outcome.ok)
        return RedirectResponse(f"/console/needs/{need_id}", status_code=303)

    @r.post("/needs/{need_id}/assign")
    def assign(request: Request, need_id: int, scientist_id: str = Form(""),
               csrf: str = Form("")) -> Response:
        staff, refused = _acting_on_need(request, need_id, csrf)
        if refused is not None:
            return refused
        assert staff is not None
        try:
            outcome = offers.assign(need_id, scientist_id.strip(), actor=f"staff:{staff.id}")
            ok, message = outcome.ok, outcome.message if not outcome.ok else "已发出邀请。"
        except Exception as exc:  # noqa: BLE001 - a domain error's Chinese message
            from kejiyun.errors import KejiyunError

            if not isinstance(exc, KejiyunError):
                raise
            ok, message = False, str(exc)
        ctx.flash(request, message, ok)
        return RedirectResponse(f"/console/needs/{need_id}", status_code=303)

    console_articles.routes(r, ctx)
    console_scientists.routes(r, ctx)
    console_insights.routes(r, ctx)
    return r
