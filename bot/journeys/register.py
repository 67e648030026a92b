"""Accounts: a scientist registers step by step (`register:<step>`) or binds an imported
profile with a staff code ("绑定 CODE"); "关联" merges a person's WeChat and Telegram."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from bot import texts
from bot.journeys import offers
from bot.journeys.base import Deps, Step, Turn
from core.contacts import find_contacts
from knowledge import gazetteer, taxonomy
from store import accounts
from store.models import Scientist


def open_scientist(deps: Deps, arg: str, t: Turn) -> None:
    """"我是科技工作者": a scientist's offers, or how to register or bind."""
    if accounts.scientist_of(deps.engine, t.person_id) is not None:
        offers.my_offers(deps, "", t)
    else:
        t.say(texts.SCIENTIST_MENU)


def start(deps: Deps, arg: str, t: Turn) -> None:
    """"注册": the first step, unless this person already has a profile."""
    if accounts.scientist_of(deps.engine, t.person_id) is not None:
        t.say("您已经有科技工作者档案了。回复“我的接单”查看邀请。")
        return
    t.state, t.data = "register:name", {"register": {}}
    t.say(texts.REGISTER_STEPS["name"])


def bind(deps: Deps, code: str, t: Turn) -> None:
    """"绑定 CODE": this chat account becomes an imported scientist's."""
    if not code:
        t.say(texts.SCIENTIST_MENU)
        return
    problem = accounts.redeem(deps.engine, code, "bind", t.person_id, deps.clock)
    if problem:
        t.say(problem)
        return
    sci = accounts.scientist_of(deps.engine, t.person_id)
    t.role = "scientist"
    t.say(texts.BOUND.format(name=sci.name if sci else ""))


def link(deps: Deps, code: str, t: Turn) -> None:
    """"关联": a code to type on the other platform, or that code typed here."""
    if code:
        problem = accounts.redeem(deps.engine, code, "link", t.person_id, deps.clock)
        t.say(problem or texts.LINKED)
    else:
        code = accounts.new_code(deps.engine, "link", deps.clock.now(), person_id=t.person_id)
        t.say(texts.LINK_CODE.format(code=code))


# ---- self-registration: one small function per step, each returns the field it read ---------
def _words(text: str, place_ok: bool = True) -> bool:
    """A text field said in words: no phone or e-mail (asked last, kept private), not only
    digits and signs, and (where a place is no answer) not a bare place name."""
    if find_contacts(text) or not re.search(r"[\u4e00-\u9fffA-Za-z]", text):
        return False
    return place_ok or gazetteer.resolve(text.strip()) is None


def _name(text: str) -> dict[str, Any] | None:
    return {"name": text[:100]} if _words(text) else None


def _workplace(text: str) -> dict[str, Any] | None:
    return {"organization": text[:200]} if _words(text) else None


def _discipline(text: str) -> dict[str, Any] | None:
    return {"discipline": text[:100]} if _words(text, place_ok=False) else None


def _directions(text: str) -> dict[str, Any] | None:
    if not _words(text, place_ok=False):
        return None
    return {"directions": [d.strip() for d in re.split(r"[，,、;；\n]", text) if d.strip()][:10]}


def _region(text: str) -> dict[str, Any] | None:
    region = gazetteer.resolve(text) or gazetteer.find_region(text)
    return {"region_code": region.code} if region is not None else None


def _phone(text: str) -> dict[str, Any] | None:
    # requesters must be able to reach an expert who accepts: a phone is required
    phones = [c.value for c in find_contacts(text) if c.kind == "phone"]
    return {"phone": phones[0]} if phones else None


# step → (reads the answer, the step after it, what to say when it reads nothing)
STEPS: dict[str, tuple[Callable[[str], dict[str, Any] | None], str, str]] = {
    "name": (_name, "workplace", texts.REGISTER_WORDS_RETRY.format(what="您的姓名或团队名称")),
    "workplace": (_workplace, "discipline", texts.REGISTER_WORDS_RETRY.format(what="单位名称")),
    "discipline": (_discipline, "directions",
                   texts.REGISTER_WORDS_RETRY.format(what="专业领域，例如“果树栽培”")),
    "directions": (_directions, "region",
                   texts.REGISTER_WORDS_RETRY.format(what="研究方向或擅长的技术")),
    "region": (_region, "phone", texts.SLOT_RETRY["region"].split("；")[0] + "。"),
    "phone": (_phone, "", texts.REGISTER_PHONE_RETRY),
}


def step(deps: Deps, text: str, t: Turn) -> None:
    """State `register:<step>`."""
    read, nxt, retry = STEPS.get(t.state.removeprefix("register:"), STEPS["phone"])
    got = read(text)
    if got is None:
        t.say(retry)
        return
    reg = {**t.data.get("register", {}), **got}
    t.data["register"] = reg
    if nxt:
        t.state = f"register:{nxt}"
        t.say(texts.REGISTER_STEPS[nxt])
        return
    _create_profile(deps, reg, t)
    t.reset()
    t.say(texts.REGISTERED)


def _create_profile(deps: Deps, reg: dict[str, Any], t: Turn) -> None:
    disc = taxonomy.map_discipline(reg.get("discipline", ""))
    region = gazetteer.get(reg["region_code"])
    now = deps.clock.now()
    with Session(deps.engine) as s, s.begin():
        s.add(Scientist(external_id=f"self-{t.person_id}", person_id=t.person_id,
                        name=reg.get("name", ""), discipline=reg.get("discipline", ""),
                        discipline_code=disc.code if disc else None,
                        directions=reg.get("directions", []),
                        region_text=region.name if region else "",
                        region_code=reg["region_code"], verified=False,
                        organization=reg.get("organization", ""),
                        contact={"phone": reg["phone"]} if reg.get("phone") else {},
                        created_at=now, updated_at=now))
    accounts.set_role(deps.engine, t.person_id, "scientist")
    t.role = "scientist"
    deps.matcher.index.sync("scientists")  # matchable at once


TEXT: dict[str, Step] = {"register": step}
BUTTONS: dict[str, Step] = {"menu:scientist": open_scientist}
COMMANDS: dict[str, Step] = {"注册": start, "bind": bind, "绑定": bind, "link": link,
                             "关联": link}


def is_scientist(deps: Deps, t: Turn) -> bool:
    return accounts.scientist_of(deps.engine, t.person_id) is not None
