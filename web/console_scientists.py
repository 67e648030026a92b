"""Console: scientists (科技工作者) of the staff member's region — verify a profile, mark it
unavailable or available again, issue a binding code for the scientist's chat account, and read
the track record that ranking uses. Contact details stay masked here too: staff need to know
that a profile has a phone number, not to read it.

A profile's recent offers list only the needs the staff member may see; the others show as
“其他地区的需求”, without a title. Profile ids come from import files and may hold any
character, so the routes take them as a path with the action as the last segment."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.accounts import CODE_TTL, new_code
from store.models import AuditLog, Need, Offer, Scientist
from web.console_context import (
    OFFER_LABELS,
    Console,
    check_csrf,
    console,
    path_segment,
    refuse,
    signed_in_staff,
)
from web.staff import Staff


def masked(contact: dict[str, object]) -> dict[str, str]:
    """138****5678, z***@example.com: enough to see what is on file, not to use it."""
    out: dict[str, str] = {}
    for key, value in (contact or {}).items():
        out[key] = "、".join(_mask_one(part) for part in str(value).split("、"))
    return out


def _mask_one(text: str) -> str:
    if "@" in text:
        name, _, domain = text.partition("@")
        return f"{name[:1]}***@{domain}"
    if len(text) >= 7:
        return f"{text[:3]}****{text[-4:]}"
    return "****"


def track_record(s: Scientist, open_offers: int) -> dict[str, str]:
    rate = f"{s.offers_accepted / s.offers_received:.0%}" if s.offers_received else "暂无"
    accepted = s.offers_accepted  # response time is summed over accepted offers
    hours = (f"{s.response_seconds_total / accepted / 3600:.1f} 小时"
             if accepted and s.response_seconds_total else "暂无")
    rating = (f"{s.rating_sum / s.rating_count:.1f} 分（{s.rating_count} 次）"
              if s.rating_count else "暂无")
    return {"收到派单": str(s.offers_received), "接单": str(s.offers_accepted),
            "接单率": rate, "平均响应": hours, "完成服务": str(s.services_completed),
            "评分": rating, "待答复派单": str(open_offers)}


router = APIRouter(prefix="/console")
Ctx = Depends(console)
SignedIn = Depends(signed_in_staff)


def _scope(ctx: Console, staff: Staff, stmt: object) -> object:
    return ctx.need_scope(staff, stmt, Scientist.region_code)


@router.get("/scientists", response_class=HTMLResponse)
def scientists(request: Request, q: str = "", verified: str = "", available: str = "",
               staff: Staff = SignedIn, ctx: Console = Ctx) -> Response:
    stmt = _scope(ctx, staff, select(Scientist)).order_by(Scientist.id.desc())  # type: ignore[attr-defined]
    if q.strip():
        like = f"%{q.strip()[:50]}%"
        stmt = stmt.where(or_(Scientist.name.like(like), Scientist.discipline.like(like),
                              Scientist.external_id.like(like),
                              Scientist.organization.like(like)))
    if verified in ("yes", "no"):
        stmt = stmt.where(Scientist.verified.is_(verified == "yes"))
    if available in ("yes", "no"):
        stmt = stmt.where(Scientist.available.is_(available == "yes"))
    with Session(ctx.engine) as s:
        rows = list(s.execute(stmt.limit(200)).scalars())
        total = s.execute(_scope(ctx, staff, select(func.count()).select_from(Scientist))
                          ).scalar_one()
    return ctx.page(request, "scientists.html", staff=staff, scientists=rows, total=total,
                    q=q[:50], verified=verified, available=available)


def _load(ctx: Console, staff: Staff, ext_id: str) -> Scientist:
    with Session(ctx.engine) as s:
        sci = s.execute(select(Scientist).where(Scientist.external_id == ext_id)
                        ).scalar_one_or_none()
    if sci is None:
        raise refuse("没有这位科技工作者 (no such scientist)", 404)
    if not staff.can_see(sci.region_code):
        raise refuse("无权查看其他地区的科技工作者 (outside your region)", 403)
    return sci


def _detail(ctx: Console, request: Request, staff: Staff, sci: Scientist, message: str = "",
            code: str = "") -> Response:
    flash = {"message": message, "message_ok": True} if message else ctx.take_flash(request)
    with Session(ctx.engine) as s:
        offers = s.execute(select(Offer, Need).join(Need, Need.id == Offer.need_id)
                           .where(Offer.scientist_id == sci.id)
                           .order_by(Offer.id.desc()).limit(20)).all()
        open_offers = s.execute(select(func.count()).select_from(Offer).where(
            Offer.scientist_id == sci.id, Offer.status == "pending")).scalar_one()
        audit = list(s.execute(select(AuditLog).where(
            AuditLog.entity == "scientist", AuditLog.entity_id == sci.external_id)
            .order_by(AuditLog.id.desc()).limit(30)).scalars())
    # (offer, need or None): a need outside the staff member's region keeps its status
    # and dates, not its title or id
    offers = [(o, n if staff.can_see(n.region_code) else None) for o, n in offers]
    return ctx.page(request, "scientist.html", staff=staff, sci=sci, offers=offers,
                    record=track_record(sci, open_offers), contact=masked(sci.contact),
                    audit=audit, offer_labels=OFFER_LABELS, code=code,
                    code_hours=int(CODE_TTL.total_seconds() // 3600), **flash)


@router.get("/scientists/{ext_id:path}", response_class=HTMLResponse)
def detail(request: Request, ext_id: str, staff: Staff = SignedIn, ctx: Console = Ctx
           ) -> Response:
    return _detail(ctx, request, staff, _load(ctx, staff, ext_id))


_CHANGES = {"verify": {"verified": True}, "unverify": {"verified": False},
            "unavailable": {"available": False}, "available": {"available": True}}
_DONE = {"verify": "已认证。", "unverify": "已取消认证。",
         "unavailable": "已标记为暂不接单，不会再收到派单。", "available": "已恢复接单。"}


@router.post("/scientists/{ext_id:path}/{action}")
def change(request: Request, ext_id: str, action: str, csrf: str = Form(""),
           staff: Staff = SignedIn, ctx: Console = Ctx) -> Response:
    sci = _load(ctx, staff, ext_id)
    check_csrf(staff, csrf)
    now = ctx.clock.now()
    actor = f"staff:{staff.id}"
    if action == "bind-code":
        code = new_code(ctx.engine, "bind", now, scientist_id=sci.id)
        with Session(ctx.engine) as s, s.begin():  # who issued it, never the code itself
            s.add(AuditLog(at=now, actor=actor, entity="scientist", entity_id=ext_id,
                           action="bind_code"))
        # Shown once on this page, never put in a URL (URLs end up in access logs).
        return _detail(ctx, request, staff, sci, "已生成绑定码，请转告本人在聊天中发送"
                       "“绑定 绑定码”。", code)
    if action not in _CHANGES:
        raise refuse("未知操作 (unknown action)", 400)
    with Session(ctx.engine) as s, s.begin():
        row = s.get(Scientist, sci.id)
        assert row is not None
        before = {k: getattr(row, k) for k in _CHANGES[action]}
        for key, value in _CHANGES[action].items():
            setattr(row, key, value)
        row.updated_at = now
        s.add(AuditLog(at=now, actor=actor, entity="scientist", entity_id=ext_id,
                       action=action, before=before, after=_CHANGES[action]))
    ctx.sync("scientists")  # availability is an index filter for matching
    ctx.flash(request, _DONE[action])
    return RedirectResponse(f"/console/scientists/{path_segment(ext_id)}", status_code=303)
