"""The scientist's side of an offer, and the two sides of a match talking: accept, decline
or open an offer by button, by number or in words (each looked up for this scientist in the
store, never trusted from the client); "服务完成了"; the requester releasing their contact;
messages relayed between the two."""

from __future__ import annotations

import re

from bot import texts
from bot.journeys import words
from bot.journeys.base import Deps, Step, Turn, options, stored_id
from delivery.messages import Button
from matching.offers import draft_from_need
from store import accounts
from store import needs as store_needs
from store import offers as store_offers
from store.models import Need, Offer


def button(verb: str) -> Step:
    """The 接单 / 婉拒 / 详情 buttons of an offer: their argument is the offer's token."""
    def press(deps: Deps, token: str, t: Turn) -> None:
        answer(deps, verb, token, t)
    return press


def answer(deps: Deps, verb: str, token: str, t: Turn) -> None:
    sci = accounts.scientist_of(deps.engine, t.person_id)
    if sci is None or sci.id is None:
        t.say(texts.NOT_SCIENTIST)
        return
    if verb == "accept":
        t.say(deps.offers.accept(token, sci.id, actor=f"person:{t.person_id}").message)
    elif verb == "decline":
        t.say(deps.offers.decline(token, sci.id, actor=f"person:{t.person_id}").message)
    else:
        t.say(_details(deps, token, sci.id), options(t, [
            Button("接单", f"accept:{token}"), Button("婉拒", f"decline:{token}")]))


def _details(deps: Deps, token: str, scientist_id: int) -> str:
    found = store_offers.by_token(deps.engine, token)
    if found is None or found[0].scientist_id != scientist_id:
        return "这个邀请不存在，或不是发给您的。"
    need = found[1]
    draft = draft_from_need(need)
    lines = draft.summary_lines()[:-1]  # everything but the contact line
    lines.append(f"需求描述：{need.description[:500]}")
    lines.append(f"当前状态：{texts.STATUS.get(need.status, need.status)}")
    return "\n".join(lines)


def _pending(deps: Deps, t: Turn) -> list[tuple[Offer, Need]]:
    sci = accounts.scientist_of(deps.engine, t.person_id)
    if sci is None:
        return []
    assert sci.id is not None
    return store_offers.waiting_for(deps.engine, sci.id)


def by_number(deps: Deps, i: int, t: Turn) -> bool:
    """"1" typed under a pushed offer (its buttons were listed 1 接单, 2 婉拒, 3 详情, but a
    push is no turn, so no options were kept): with one offer waiting it means that
    offer's button; with several, the list comes first."""
    pending = _pending(deps, t)
    if not pending or not 0 <= i < 3:
        return False
    if len(pending) > 1:
        my_offers(deps, "", t)
        return True
    answer(deps, ("accept", "decline", "details")[i], pending[0][0].token, t)
    return True


def by_words(deps: Deps, m: re.Match[str], t: Turn) -> None:
    """Offers answered in words on text channels (WeChat, the terminal): the number is
    the one "我的接单" shows; with one offer waiting, no number is needed."""
    if accounts.scientist_of(deps.engine, t.person_id) is None:
        t.say(texts.NOT_SCIENTIST)  # "接单" from someone with no scientist profile
        return
    verb = words.OFFER_VERBS[m.group(1)]
    pending = _pending(deps, t)
    if not pending:
        t.say(texts.OFFERS_EMPTY)
        return
    number = m.group(2)
    if number is None and len(pending) > 1:
        my_offers(deps, "", t)
        return
    i = int(number) - 1 if number else 0
    # "接单 1" means the first of the list the expert was shown, even when a newer offer
    # has arrived since (the store checks that it is still theirs and still open)
    shown = t.data.get("offers_shown") or [o.token for o, _ in pending]
    if not 0 <= i < len(shown):
        t.say(texts.NO_OPTION)
        return
    answer(deps, verb, shown[i], t)


def my_offers(deps: Deps, arg: str, t: Turn) -> None:
    """"我的接单": offers waiting for an answer, and services under way."""
    sci = accounts.scientist_of(deps.engine, t.person_id)
    if sci is None:
        t.say(texts.NOT_SCIENTIST)
        return
    assert sci.id is not None
    rows = store_offers.waiting_for(deps.engine, sci.id)
    serving = store_needs.being_served_by(deps.engine, sci.id)
    for need in serving:  # the expert says when it is done: then the requester rates
        t.say(texts.SERVING.format(id=need.id, title=need.title),
              [Button(texts.SERVED, f"served:{need.id}")])
    if not rows:
        if not serving:
            t.say(texts.OFFERS_EMPTY)
        return
    for i, (offer, need) in enumerate(rows, start=1):
        t.say(f"【{i}】【待答复】{need.title}\n{need.description[:200]}",
              [Button("接单", f"accept:{offer.token}"),
               Button("婉拒", f"decline:{offer.token}"),
               Button("详情", f"details:{offer.token}")])
    # on text channels: "1" opens the first, "接单 1" / "婉拒 2" answer directly
    options(t, [Button("详情", f"details:{offer.token}") for offer, _ in rows])
    t.data["offers_shown"] = [offer.token for offer, _ in rows]
    t.say(texts.OFFERS_BY_TEXT)


def served(deps: Deps, arg: str, t: Turn) -> None:
    """The expert's 服务已完成 button: the requester is asked to rate."""
    need_id = stored_id(arg)
    if need_id is None:
        t.say(texts.STALE_BUTTON)
        return
    t.say(deps.offers.service_done(t.person_id, need_id).message)


def served_in_words(deps: Deps, text: str, t: Turn) -> None:
    t.say(deps.offers.service_done(t.person_id).message)  # "服务完成了", "弄完了"


def share(deps: Deps, arg: str, t: Turn) -> None:
    """The requester releases their contact to an unverified expert who accepted."""
    offer_id = stored_id(arg)
    if offer_id is None:
        t.say(texts.STALE_BUTTON)
        return
    t.say(deps.offers.share_contact(offer_id, t.person_id).message)


def share_in_words(deps: Deps, text: str, t: Turn) -> bool:
    """"可以，告诉专家我的电话" typed instead of the button: only with an accepted offer."""
    offer_id = store_offers.accepted_for_requester(deps.engine, t.person_id)
    if offer_id is None:
        return False
    t.say(deps.offers.share_contact(offer_id, t.person_id).message)
    return True


def relay(deps: Deps, message: str, t: Turn) -> None:
    """"留言 明天上午来": to the other side of this person's latest match."""
    t.say(deps.offers.relay(t.person_id, message).message)


TEXT: dict[str, Step] = {}
BUTTONS: dict[str, Step] = {"accept": button("accept"), "decline": button("decline"),
                            "details": button("details"), "served": served, "share": share}
