"""Demo activity: several weeks of questions, needs, offers and replies played through the real
dialog and offer lifecycle on a controllable clock, so that a new staff member who opens the
console after `make demo` sees dashboards, a weekly report and gap clusters with something in
them. Only for the demo store: every person it creates is named `演示…` and lives on the
`demo` channel, so the activity is easy to recognise (and to erase).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from bot.handlers.base import Quiet, Sender
from core.clock import ManualClock, system_clock
from core.settings import Settings
from delivery.messages import Inbound, Outbound
from knowledge import gazetteer
from store.accounts import account, set_role
from store.models import Need, Offer, QuestionLog, Scientist

CHANNEL = "demo"
# Where the demo's people say they are: mostly the demo corpus's regions.
_PLACES = ["宜宾市翠屏区", "宜宾市叙州区", "成都市温江区", "凉山彝族自治州西昌市", "眉山市东坡区",
           "雅安市雨城区", "攀枝花市米易县", "绵阳市安州区", "南充市顺庆区", "达州市宣汉县"]


@dataclass
class ActivityReport:
    questions: int = 0
    needs: int = 0
    offers: dict[str, int] = field(default_factory=dict)
    needs_by_status: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"questions": self.questions, "needs": self.needs, "offers": self.offers,
                "needs_by_status": self.needs_by_status}


def already_played(engine: Engine) -> bool:
    """Playing the weeks twice would double every figure: `make demo` runs it once."""
    from store.models import ChannelAccount

    with Session(engine) as s:
        return s.execute(select(ChannelAccount.id).where(
            ChannelAccount.channel == CHANNEL).limit(1)).first() is not None


def _lines(name: str) -> list[str]:
    path = resources.files("knowledge") / "corpus" / "activity" / name
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _week_days(start: datetime, weeks: int, rnd: random.Random, per_week: int
               ) -> Iterator[datetime]:
    """Moments spread over the weeks, in order, during working hours (Beijing time)."""
    moments = []
    for w in range(weeks):
        for _ in range(per_week + rnd.randint(-2, 2)):
            day = start + timedelta(days=7 * w + rnd.randint(0, 6))
            moments.append(day.replace(hour=rnd.randint(0, 10), minute=rnd.randint(0, 59)))
    return iter(sorted(moments))


class DemoChannel(Quiet):
    """The simulated people's channel: what is sent to them is delivered to nobody."""

    name = CHANNEL

    def receive(self, payload: Any) -> Inbound | None:
        return Inbound(CHANNEL, str(payload.get("user", "")), text=str(payload.get("text", "")))

    def sender(self) -> Sender:
        def send(user_id: str, out: Outbound) -> None:
            return None
        return send


def simulate(engine: Engine, settings: Settings, *, weeks: int = 6, seed: int = 7,
             until: datetime | None = None) -> ActivityReport:
    """Play `weeks` weeks of activity ending at `until` (default: now)."""
    from bot.services import build

    rnd = random.Random(seed)
    end = until or system_clock.now()
    start = (end - timedelta(weeks=weeks)).replace(hour=0, minute=0, second=0, microsecond=0)
    clock = ManualClock(start)
    with Session(engine) as s, s.begin():
        # the demo corpus was imported just now, yet its experts answer offers in the weeks
        # played: registered before them, so the 周报's expert counts add up
        s.execute(update(Scientist).where(Scientist.created_at > start)
                  .values(created_at=start - timedelta(days=1))
                  .execution_options(synchronize_session=False))
    services = build(settings, engine=engine, clock=clock, channels=())
    dialog, offers = services.dialog, services.offers
    report = ActivityReport()

    questions = _lines("questions.jsonl")
    rnd.shuffle(questions)
    for i, when in enumerate(_week_days(start, weeks, rnd, 10)):
        if when >= end:
            break
        clock.set(when)
        text = questions[i % len(questions)]
        if rnd.random() < 0.5:
            text = f"我在{rnd.choice(_PLACES)}，{text}"
        dialog.handle(Inbound(CHANNEL, f"demo-q-{i % 37}", text=text, kind="text",
                              display_name="演示群众"))

    needs = _lines("needs.jsonl")
    rnd.shuffle(needs)
    for i, when in enumerate(_week_days(start, weeks, rnd, 6)):
        if when >= end or i >= len(needs):
            break
        clock.set(when)
        role = "enterprise" if i % 3 else "farmer"
        person_id, _ = account(engine, CHANNEL, f"demo-n-{i % 23}", "演示需求方")
        set_role(engine, person_id, role)
        draft = services.matcher.extract(needs[i], role=role)
        if draft.region_code is None and not draft.remote_ok:
            place = gazetteer.resolve(rnd.choice(_PLACES))
            draft.region_code = place.code if place else None
        draft.urgency = draft.urgency or "normal"
        draft.budget_text = draft.budget_text or "面议"
        draft.contact_consent = True
        draft.recompute_missing()
        if "description" in draft.missing:
            continue
        need_id = offers.create_need(draft, requester_id=person_id, actor="demo")
        offers.confirm(need_id, actor="demo")
        report.needs += 1
        _replies(engine, offers, clock, need_id, rnd, end)

    clock.set(end)
    offers.expire_due()  # whatever nobody answered in time
    # the simulated people "read" their notifications here: none is left for `serve` to
    # retry on a channel no process serves (and to report dead)
    services.add(DemoChannel())
    while services.outbox.run_once().attempted:
        pass
    with Session(engine) as s:
        # what the dialog took as a question (a few texts read as needs or commands)
        report.questions = s.execute(select(func.count()).select_from(QuestionLog).where(
            QuestionLog.channel == CHANNEL)).scalar_one()
        for status, in s.execute(select(Offer.status)).all():
            report.offers[status] = report.offers.get(status, 0) + 1
        for status, in s.execute(select(Need.status)).all():
            report.needs_by_status[status] = report.needs_by_status.get(status, 0) + 1
    return report


def _replies(engine: Engine, offers: Any, clock: ManualClock, need_id: int,
             rnd: random.Random, end: datetime) -> None:
    """Scientists answer some offers within hours, decline others, let a few lapse; a good
    share of the matched needs go on to a service and a rating."""
    for _round in range(3):
        with Session(engine) as s:
            pending = list(s.execute(select(Offer).where(
                Offer.need_id == need_id, Offer.status == "pending")).scalars())
        if not pending:
            return
        rnd.shuffle(pending)
        for offer in pending:
            if clock.now() + timedelta(hours=2) >= end:
                return
            clock.advance(timedelta(hours=rnd.uniform(0.5, 20)))
            roll = rnd.random()
            if roll < 0.3:
                if offers.accept(offer.token, offer.scientist_id, actor="demo").ok:
                    if rnd.random() < 0.6:
                        offers.start_service(need_id, actor="demo")
                        if rnd.random() < 0.7:
                            offers.close(need_id, rnd.choice([5, 5, 4, 4, 3]), actor="demo")
                    return
            elif roll < 0.65:
                offers.decline(offer.token, offer.scientist_id, "演示：时间排不开")
        with Session(engine) as s:
            still = s.execute(select(Need.status).where(Need.id == need_id)).scalar_one()
        if still in ("matched", "in_service", "closed", "unmatched"):
            return
