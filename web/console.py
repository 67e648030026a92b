"""The staff console at /console (server-rendered, Chinese, works on a phone).

Sign-in with argon2-hashed passwords and lockout (`web/staff.py`), an HttpOnly session cookie,
CSRF tokens on every form (double-submit on the login form, per session afterwards), and
region scope: 县/区 staff see and change only needs in their county, 市/州 staff their city,
province admins everything. This module holds sign-in and the needs board (with the unmatched
queue, need detail, manual assignment) and `mount`, which adds every console page to the app;
the other pages live in `console_articles`, `console_scientists` and `console_insights`, and
what they all share (the `Console` context, the signed-in-staff dependency) in
`console_context`.

What a page says after an action ("已发出邀请。", a domain error) is a flash kept server-side
with the session and shown once, never text taken from the URL: a link cannot make the console
show words of an attacker's choosing. Ids in links are encoded as one path segment (`seg`), as
imported article and profile ids may contain `/ .. ? #`.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine

from core.clock import Clock
from core.errors import KejiyunError
from matching.need import KIND_LABELS
from matching.notifications import contact_text
from matching.offers import OfferService
from retrieval.index import SearchIndex
from store import accounts as store_accounts
from store import audit as store_audit
from store import needs as store_needs
from store import offers as store_offers
from store.models import Need, OfferStatus, OfferVia
from web import staff as auth
from web.console_context import (
    CALL_RESULTS,
    LOGIN_CSRF,
    SESSION_COOKIE,
    STATUS_LABELS,
    Console,
    Refusal,
    check_csrf,
    console,
    console_templates,
    refuse,
    signed_in_staff,
    staff_codes,
)

router = APIRouter(prefix="/console")
Ctx = Depends(console)
SignedIn = Depends(signed_in_staff)


def mount(app: FastAPI, engine: Engine, offers: OfferService, clock: Clock,
          index: SearchIndex | None = None) -> None:
    """Every console page, with the context they share and the answer to a `Refusal`."""
    from web import console_articles, console_insights, console_scientists

    ctx = Console(engine, offers, clock, console_templates(), index)
    ctx.templates.env.globals["who"] = ctx.who
    app.state.console = ctx

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refusal)
        return exc.response

    app.add_exception_handler(Refusal, refused)
    for module in (console_articles, console_scientists, console_insights):
        app.include_router(module.router, include_in_schema=False)
    app.include_router(router, include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, ctx: Console = Ctx) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    resp = ctx.page(request, "login.html", csrf=token, staff=None)
    resp.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict",
                    secure=request.url.scheme == "https")
    return resp


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""),
          csrf: str = Form(""), ctx: Console = Ctx) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), csrf.encode()):
        return Response("缺少或错误的 CSRF 令牌 (CSRF check failed)", status_code=403)
    token, message = auth.login(ctx.engine, username, password, ctx.clock,
                                client_ip=request.client.host if request.client else "")
    if token is None:
        return ctx.page(request, "login.html", http_status=401, csrf=cookie, staff=None,
                        error=message)
    resp = RedirectResponse("/console", status_code=303)
    resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                    secure=request.url.scheme == "https", max_age=8 * 3600)
    resp.delete_cookie(LOGIN_CSRF)
    return resp


# The 退出 button posts the session's CSRF token, but logging out never refuses: a refusal
# would leave a live session behind a page that looks signed out. Being logged out by another
# site is only a nuisance, and the SameSite=Strict cookie is not sent from one anyway.
@router.api_route("/logout", methods=["GET", "POST"])
def logout(request: Request, ctx: Console = Ctx) -> Response:
    auth.logout(ctx.engine, request.cookies.get(SESSION_COOKIE))
    resp = RedirectResponse("/console/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp


@router.get("", response_class=HTMLResponse)
def board(request: Request, status: str = "", kind: str = "", staff: auth.Staff = SignedIn,
          ctx: Console = Ctx) -> Response:
    codes = staff_codes(staff)
    needs = store_needs.board(ctx.engine, codes, status if status in STATUS_LABELS else None,
                              kind if kind in KIND_LABELS else None)
    unmatched = store_needs.unmatched(ctx.engine, codes)
    calls = store_needs.calls_to_make(ctx.engine, codes)
    return ctx.page(request, "needs.html", staff=staff, needs=needs, unmatched=unmatched,
                    calls=calls, status=status, kind=kind)


def _need(ctx: Console, staff: auth.Staff, need_id: int) -> Need:
    """The need, if it exists and lies in the staff member's region."""
    need = store_needs.get(ctx.engine, need_id)
    if need is None:
        raise refuse("没有这条需求 (no such need)", 404)
    if not staff.can_see(need.region_code):
        raise refuse("无权查看其他地区的需求 (outside your region)", 403)
    return need


@router.get("/needs/{need_id}", response_class=HTMLResponse)
def need_detail(request: Request, need_id: int, staff: auth.Staff = SignedIn,
                ctx: Console = Ctx) -> Response:
    need = _need(ctx, staff, need_id)
    rows = store_offers.of_need(ctx.engine, need_id)
    audit = store_audit.of_need(ctx.engine, need_id, [str(o.id) for o, _ in rows])
    # a phoned scientist accepted: staff pass the requester's contact on by phone, when the
    # requester agreed to share it (to an expert staff have not verified, only once the
    # requester agreed again)
    relay = None
    phoned = [(o, sci) for o, sci in rows
              if o.via == OfferVia.staff and o.status == OfferStatus.accepted]
    if need.contact_consent and need.requester_id is not None and phoned:
        o, sci = phoned[0]
        shared = sci.verified or any(a.action == "share_contact"
                                     and a.entity_id == str(o.id) for a in audit)
        requester = store_accounts.person(ctx.engine, need.requester_id)
        if shared and requester is not None and requester.erased_at is None:
            relay = contact_text(requester.contact)
    return ctx.page(request, "need.html", staff=staff, need=need, offers=rows, audit=audit,
                    relay=relay, call_results=CALL_RESULTS, **ctx.take_flash(request))


@router.post("/needs/{need_id}/calls/{offer_id}")
def call_result(request: Request, need_id: int, offer_id: int, result: str = Form(""),
                note: str = Form(""), csrf: str = Form(""), staff: auth.Staff = SignedIn,
                ctx: Console = Ctx) -> Response:
    """Staff phoned a scientist without a chat account and record the answer. The offer is
    found from the store, for this need: a form cannot name another need's offer."""
    _need(ctx, staff, need_id)
    check_csrf(staff, csrf)
    offer = store_offers.get(ctx.engine, offer_id)
    if offer is None or offer.need_id != need_id or offer.via != OfferVia.staff \
            or result not in CALL_RESULTS:
        raise refuse("没有这条电话联系任务 (no such call)", 404)
    actor, offers = f"staff:{staff.id}", ctx.offers
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


@router.post("/needs/{need_id}/assign")
def assign(request: Request, need_id: int, scientist_id: str = Form(""),
           csrf: str = Form(""), staff: auth.Staff = SignedIn, ctx: Console = Ctx) -> Response:
    _need(ctx, staff, need_id)
    check_csrf(staff, csrf)
    try:
        outcome = ctx.offers.assign(need_id, scientist_id.strip(), actor=f"staff:{staff.id}")
        ok, message = outcome.ok, outcome.message if not outcome.ok else "已发出邀请。"
    except KejiyunError as exc:  # a domain error's Chinese message
        ok, message = False, str(exc)
    ctx.flash(request, message, ok)
    return RedirectResponse(f"/console/needs/{need_id}", status_code=303)
