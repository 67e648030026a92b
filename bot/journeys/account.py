"""The requester's own records: "我的需求", the service marked done and rated, and erasure
("删除我的数据", confirmed in state `delete:confirm`)."""

from __future__ import annotations

from bot import texts
from bot.journeys.base import Deps, Step, Turn, options, stored_id
from delivery.messages import Button
from store import accounts
from store import needs as store_needs


def my_needs(deps: Deps, arg: str, t: Turn) -> None:
    needs = store_needs.of_requester(deps.engine, t.person_id)
    if not needs:
        t.say(texts.MINE_EMPTY)
        return
    lines = ["您最近的需求："]
    buttons: list[Button] = []
    for n in needs:
        lines.append(f"#{n.id} {n.title}（{texts.STATUS.get(n.status, n.status)}）")
        if n.status in ("matched", "in_service") and not buttons:
            # rated only once the service is done, and said so: never a bare "1" → 5★
            buttons = [Button(texts.SERVICE_DONE.format(id=n.id), f"done:{n.id}")]
            lines.append(texts.DONE_PROMPT.format(id=n.id))
    t.say("\n".join(lines), options(t, buttons) if buttons else [])


def done(deps: Deps, arg: str, t: Turn) -> None:
    """The requester says the service is done: now the rating, for their own matched need."""
    need_id = stored_id(arg)
    need = store_needs.get(deps.engine, need_id) if need_id is not None else None
    if (need is None or need.requester_id != t.person_id
            or need.status not in ("matched", "in_service")):
        t.say(texts.STALE_BUTTON)
        return
    label = f"（#{need.id} {need.title}）"
    t.say(texts.RATE_PROMPT + label, options(
        t, [Button(stars_label, f"rate:{need_id}:{stars}") for stars, stars_label in texts.STARS]))


def rate(deps: Deps, arg: str, t: Turn) -> None:
    need_arg, _, stars = arg.partition(":")
    need_id = stored_id(need_arg)
    if need_id is None or stars not in ("1", "2", "3", "4", "5"):
        t.say(texts.STALE_BUTTON)
        return
    out = deps.offers.close(need_id, int(stars), person_id=t.person_id,
                            actor=f"person:{t.person_id}")
    t.say(texts.RATED if out.ok else out.message)


def delete(deps: Deps, arg: str, t: Turn) -> None:
    """"删除我的数据": asked once more before anything is erased."""
    t.state = "delete:confirm"
    t.say(texts.DELETE_CONFIRM, [Button(texts.DELETE_YES, "delete:yes"),
                                 Button(texts.DELETE_NO, "delete:no")])


def delete_button(deps: Deps, arg: str, t: Turn) -> None:
    if t.state != "delete:confirm":
        t.say(texts.STALE_BUTTON)
    elif arg == "yes":
        accounts.erase(deps.engine, t.person_id, deps.clock.now())
        t.state = "deleted"  # the runner saves nothing more for this conversation
        t.say(texts.DELETED)
    else:
        t.state = "start"
        t.say(texts.NOTHING_TO_CANCEL)


def delete_confirm(deps: Deps, text: str, t: Turn) -> None:
    """State `delete:confirm`: only the confirm words erase; anything else keeps everything."""
    if text in (texts.DELETE_YES, "确认", "确定"):
        delete_button(deps, "yes", t)
    else:
        t.state = "start"
        t.say(texts.NOTHING_TO_CANCEL)


TEXT: dict[str, Step] = {"delete:confirm": delete_confirm}
BUTTONS: dict[str, Step] = {"done": done, "rate": rate, "delete": delete_button}
COMMANDS: dict[str, Step] = {"delete": delete, "删除我的数据": delete, "mine": my_needs,
                             "我的需求": my_needs}
