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

from store import audit as store_audit
from store import offers as store_offers
from store import scientists as store_scientists
from store.accounts import CODE_TTL, new_code
from store.models import Scientist
from web.console_context import (
    OFFER_LABELS,
    Console,
    check_csrf,
    console,
    path_segment,
    refuse,
    signed_in_staff,
    staff_codes,
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


@router.get("/scientists", response_class=HTMLResponse)
def scientists(request: Request, q: str = "", verified: str = "", available: str = "",
               staff: Staff = SignedIn, ctx: Console = Ctx) -> Response:
    codes = staff_codes(staff)
    flag = {"yes": True, "no": False}
    rows = store_scientists.search(ctx.engine, codes, q.strip()[:50], flag.get(verified),
                                   flag.get(available))
    total = store_scientists.count(ctx.engine, codes)
    return ctx.page(request, "scientists.html", staff=staff, scientists=rows, total=total,
                    q=q[:50], verified=verified, available=available)


def _load(ctx: Console, staff: Staff, ext_id: str) -> Scientist:
    sci = store_scientists.by_external_id(ctx.engine, ext_id)
    if sci is None:
        raise refuse("没有这位科技工作者 (no such scientist)", 404)
    if not staff.can_see(sci.region_code):
        raise refuse("无权查看其他地区的科技工作者 (outside your region)", 403)
    return sci


def _detail(ctx: Console, request: Request, staff: Staff, sci: Scientist, message: str = "",
            code: str = "") -> Response:
    flash = {"message": message, "message_ok": True} if message else ctx.take_flash(request)
    assert sci.id is not None
    offers = store_offers.received(ctx.engine, sci.id)
    open_offers = store_offers.pending_count(ctx.engine, sci.id)
    audit = store_audit.history(ctx.engine, "scientist", sci.external_id, newest_first=True,
                                limit=30)
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
        # who issued it, never the code itself
        store_audit.record(ctx.engine, at=now, actor=actor, entity="scientist",
                           entity_id=ext_id, action="bind_code")
        # Shown once on this page, never put in a URL (URLs end up in access logs).
        return _detail(ctx, request, staff, sci, "已生成绑定码，请转告本人在聊天中发送"
                       "“绑定 绑定码”。", code)
    if action not in _CHANGES:
        raise refuse("未知操作 (unknown action)", 400)
    assert sci.id is not None
    store_scientists.set_flags(ctx.engine, sci.id, _CHANGES[action], actor=actor,
                               action=action, now=now)
    ctx.sync("scientists")  # availability is an index filter for matching
    ctx.flash(request, _DONE[action])
    return RedirectResponse(f"/console/scientists/{path_segment(ext_id)}", status_code=303)
