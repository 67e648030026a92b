"""The staff console at /console (server-rendered, Chinese, works on a phone).

Sign-in with argon2-hashed passwords and lockout (`web/staff.py`), an HttpOnly session cookie,
CSRF tokens on every form (double-submit on the login form, per session afterwards), and
region scope: 县/区 staff see and change only needs in their county, 市/州 staff their city,
province admins everything. First slice of the console issue: needs board with the unmatched
queue, need detail with offers and audit trail, manual assignment.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kejiyun.clock import Clock
from knowledge import gazetteer
from matching.need import KIND_LABELS
from matching.offers import OfferService
from store.models import AuditLog, Need, Offer, Scientist
from web import staff as auth

SESSION_COOKIE = "kjy_console"
LOGIN_CSRF = "kjy_login_csrf"
STATUS_LABELS = {"draft": "待确认", "open": "已发布", "offered": "派单中", "matched": "已对接",
                 "in_service": "服务中", "closed": "已完成", "cancelled": "已取消",
                 "unmatched": "待人工对接"}


def _region(code: str | None) -> str:
    if not code:
        return "未注明"
    return "".join(r.name for r in gazetteer.ancestors(code) if r.level != "province") or "四川省"


def router(engine: Engine, offers: OfferService, clock: Clock) -> APIRouter:
    from importlib import resources

    templates = Jinja2Templates(directory=str(resources.files("web") / "templates"))
    templates.env.globals.update(region=_region, statuses=STATUS_LABELS, kinds=KIND_LABELS)
    r = APIRouter(prefix="/console")

    def page(request: Request, name: str, http_status: int = 200, **ctx: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {"title": "工作台", **ctx},
                                          status_code=http_status)

    def signed_in(request: Request) -> auth.Staff | None:
        return auth.current(engine, request.cookies.get(SESSION_COOKIE), clock)

    def scoped(staff: auth.Staff, stmt: Any) -> Any:
        if staff.role == "province":
            return stmt
        return stmt.where(Need.region_code.in_(gazetteer.subtree_codes(staff.region_code)))

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
        token, message = auth.login(engine, username, password, clock)
        if token is None:
            return page(request, "login.html", http_status=401, csrf=cookie, staff=None,
                        error=message)
        resp = RedirectResponse("/console", status_code=303)
        resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", max_age=8 * 3600)
        resp.delete_cookie(LOGIN_CSRF)
        return resp

    @r.post("/logout")
    def logout(request: Request, csrf: str = Form("")) -> Response:
        staff = signed_in(request)
        if staff is not None and auth.csrf_ok(staff, csrf):
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
        return page(request, "needs.html", staff=staff, needs=needs, unmatched=unmatched,
                    status=status, kind=kind)

    def _need_or_error(request: Request, need_id: int) -> tuple[auth.Staff | None,
                                                                 Need | None, Response | None]:
        staff = signed_in(request)
        if staff is None:
            return None, None, RedirectResponse("/console/login", status_code=303)
        with Session(engine) as s:
            need = s.get(Need, need_id)
        if need is None:
            return staff, None, Response("没有这条需求 (no such need)", status_code=404)
        if not staff.can_see(need.region_code):
            return staff, None, Response("无权查看其他地区的需求 (outside your region)",
                                         status_code=403)
        return staff, need, None

    @r.get("/needs/{need_id}", response_class=HTMLResponse)
    def need_detail(request: Request, need_id: int, message: str = "") -> Response:
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
        return page(request, "need.html", staff=staff, need=need, offers=rows, audit=audit,
                    message=message[:200])

    @r.post("/needs/{need_id}/assign")
    def assign(request: Request, need_id: int, scientist_id: str = Form(""),
               csrf: str = Form("")) -> Response:
        staff, need, error = _need_or_error(request, need_id)
        if error is not None:
            return error
        assert staff is not None
        if not auth.csrf_ok(staff, csrf):
            return Response("缺少或错误的 CSRF 令牌 (CSRF check failed)", status_code=403)
        try:
            outcome = offers.assign(need_id, scientist_id.strip(), actor=f"staff:{staff.id}")
            message = outcome.message if not outcome.ok else "已发出邀请。"
        except Exception as exc:  # noqa: BLE001 - a domain error's Chinese message
            from kejiyun.errors import KejiyunError

            if not isinstance(exc, KejiyunError):
                raise
            message = str(exc)
        return RedirectResponse(f"/console/needs/{need_id}?message={message}",
                                status_code=303)

    return r
