"""The Chinese texts of offer-lifecycle notifications, rendered into outbox payloads.

A payload is `{"text": str, "buttons": [{"label": str, "action": str}]}`; channel adapters
turn buttons into inline keyboards, WeChat menu links or numbered replies. Actions carry the
offer's opaque token only: who pressed is checked against the store, never trusted.
Offers never contain the requester's contact details; introductions do, and only after an
accept and with the requester's consent.
"""

from __future__ import annotations

from typing import Any

from knowledge import gazetteer
from matching.need import KIND_LABELS, URGENCY_LABELS
from store.models import Need, Scientist

ACCEPT, DECLINE, DETAILS = "accept", "decline", "details"


def _region(code: str | None) -> str:
    return gazetteer.display_name(code, "未注明")


def _budget(need: Need) -> str:
    if need.budget is not None:
        return f"约 {need.budget / 10_000:g} 万元" if need.budget >= 10_000 \
            else f"约 {need.budget:g} 元"
    return need.budget_text or "未说明"


def contact_text(contact: dict[str, Any]) -> str:
    labels = {"phone": "电话", "email": "邮箱", "wechat": "微信", "qq": "QQ"}
    parts = [f"{labels.get(k, k)}：{v}" for k, v in contact.items() if v and k in labels]
    return "；".join(parts) or "（未留联系方式）"


def offer_card(need: Need, token: str, reasons: list[str], ttl_hours: float,
               referred_by: str = "") -> dict[str, Any]:
    lines = ["【新的需求邀请】" + (f"（{referred_by} 推荐）" if referred_by else ""),
             f"{KIND_LABELS.get(need.kind, need.kind)}：{need.title}",
             f"地区：{_region(need.region_code)}　"
             f"紧急程度：{URGENCY_LABELS.get(need.urgency, '不急')}"]
    if need.kind != "question":
        lines.append(f"预算：{_budget(need)}")
    lines.append(f"需求描述：{need.description[:300]}")
    if reasons:
        lines.append("推荐理由：" + "；".join(reasons[:3]))
    lines.append(f"请在 {ttl_hours:g} 小时内答复。接单后将为双方互相介绍。")
    return {"text": "\n".join(lines),
            "buttons": [{"label": "接单", "action": f"{ACCEPT}:{token}"},
                        {"label": "婉拒", "action": f"{DECLINE}:{token}"},
                        {"label": "详情", "action": f"{DETAILS}:{token}"}]}


def offer_taken(need: Need) -> dict[str, Any]:
    return {"text": f"需求“{need.title}”已被其他专家接单，感谢您的关注。", "buttons": []}


def offer_withdrawn(need: Need, why: str) -> dict[str, Any]:
    return {"text": f"需求“{need.title}”的邀请已撤回：{why}。", "buttons": []}


def offer_expired(need: Need) -> dict[str, Any]:
    return {"text": f"需求“{need.title}”的邀请已超时，已转给其他专家。", "buttons": []}


SHARE = "share"  # button: the requester releases their contact to an unverified expert
RELAY_HINT = "回复“留言 内容”，平台会把您的话转给对方。"


def intro_to_scientist(need: Need, requester_name: str, contact: dict[str, Any] | None,
                       asked: bool = False) -> dict[str, Any]:
    """`asked`: the requester agreed to share with experts, and is being asked again because
    this one is not verified yet."""
    who = requester_name or "需求方"
    if contact is not None:
        how = f"{who}的联系方式：{contact_text(contact)}"
    elif asked:
        how = f"{who}确认后会把联系方式发给您（您的档案尚未经科协认证）。{RELAY_HINT}"
    else:
        how = f"{who}暂未同意公开联系方式。{RELAY_HINT}"
    return {"text": f"您已成功接单：{need.title}\n{how}\n服务结束后，请提醒对方在平台上评价。",
            "buttons": []}


def intro_to_requester(need: Need, s: Scientist, offer_id: int, ask_share: bool = False
                       ) -> dict[str, Any]:
    about = "，".join(x for x in (s.title, s.organization) if x)
    who = f"{s.name}（{about}）" if about else s.name
    lines = [f"好消息！您的需求“{need.title}”已由 {who} 接单。"]
    if s.contact:
        lines.append(f"专家联系方式：{contact_text(s.contact)}")
    lines.append(RELAY_HINT if not s.contact else "也可以" + RELAY_HINT)
    buttons: list[dict[str, str]] = []
    if ask_share:
        lines.append("这位专家的档案尚未经科协认证，所以还没有把您的联系方式告诉他。要告诉他吗？")
        buttons = [{"label": "告诉专家我的联系方式", "action": f"{SHARE}:{offer_id}"}]
    lines.append("服务完成后，欢迎给专家打分评价。")
    return {"text": "\n".join(lines), "buttons": buttons}


RATE_STARS = [(5, "5 分 很满意"), (4, "4 分 满意"), (3, "3 分 一般"), (2, "2 分 不满意"),
              (1, "1 分 很不满意")]


def rate_request(need: Need, s: Scientist) -> dict[str, Any]:
    """To the requester, when the expert says the service is done."""
    return {"text": f"专家{s.name}说需求“{need.title}”的服务已经完成。服务确实结束了的话，"
                    "请为专家打个分：",
            "buttons": [{"label": label, "action": f"rate:{need.id}:{stars}"}
                        for stars, label in RATE_STARS]}


def rate_reminder(need: Need, s: Scientist, days: int) -> dict[str, Any]:
    """To the requester, some days after the accept, when the expert has not said it is done."""
    return {"text": f"需求“{need.title}”由专家{s.name}接单已经 {days} 天了。服务已经结束的话，"
                    "请为专家打个分；还在进行的话，不用理会这条消息。",
            "buttons": [{"label": label, "action": f"rate:{need.id}:{stars}"}
                        for stars, label in RATE_STARS]}


def contact_shared(need: Need, requester_name: str, contact: dict[str, Any]) -> dict[str, Any]:
    who = requester_name or "需求方"
    return {"text": f"需求“{need.title}”：{who}同意告诉您联系方式——{contact_text(contact)}",
            "buttons": []}


def requester_unmatched(need: Need) -> dict[str, Any]:
    return {"text": f"您的需求“{need.title}”暂时没有匹配到合适的专家，"
                    "已转交当地科协工作人员人工对接，请耐心等待。", "buttons": []}


def staff_unmatched(need: Need) -> dict[str, Any]:
    return {"text": f"【待人工对接】需求“{need.title}”（{_region(need.region_code)}）"
                    "没有专家接单，请在工作台为其指派专家。", "buttons": []}
