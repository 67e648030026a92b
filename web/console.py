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

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.clock import Clock
from matching.need import KIND_LABELS
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
)
from web import staff as auth
from web.console_context import (
    CALL_RESULTS,
    LOGIN_CSRF,
    SESSION_COOKIE,
    STATUS_LABELS,
    Console,
    console_templates,
    csrf_refused,
)


def router(engine: Engine, offers: OfferService, clock: Clock,
           index: SearchIndex | None = None) -> APIRouter:
    from web import console_articles, console_insights, console_scientists

    ctx = Console(engine, offers, clock, console_templates(), index)
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
            from core.errors import KejiyunError

            if not isinstance(exc, KejiyunError):
                raise
            ok, message = False, str(exc)
        ctx.flash(request, message, ok)
        return RedirectResponse(f"/console/needs/{need_id}", status_code=303)

    console_articles.routes(r, ctx)
    console_scientists.routes(r, ctx)
    console_insights.routes(r, ctx)
    return r
