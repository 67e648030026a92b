"""A region's weekly figures (周报数字), computed in SQL that runs on SQLite and PostgreSQL.

Every query filters a plain UTC range (`col >= start AND col < end`, never a function of the
column) and a region subtree (`region_code IN (…)`), and returns counts or, for the median,
only the week's accepted offers. The definitions, as staff read them in the report:

* **发布需求数** (`needs_posted`, also by kind): needs *created* in the week (China time) that
  were published. Drafts never confirmed are left out, and so are needs cancelled before they
  were published (a cancelled need counts only if its audit trail has the requester's
  `confirm`). The dialog creates and confirms a need in one step, so creation time is the
  publish time.
* **匹配率** (`match_rate`): of those needs, the share that had an accepted offer *before the
  week ended* (a need reaches matched / in_service / closed only through an accepted offer,
  so this is "reached matched by Sunday 24:00"). Counting as of week end keeps a past week's
  figure stable when the report is run again later; needs posted late in the week have had
  less time, which every week shares alike. Cancelled and unmatched needs stay in the
  denominator: they did not get help.
* **接单用时中位数** (`median_hours_to_accept`): over offers accepted in the week (by
  `responded_at`) for needs in the region, the median of *accepted offer's responded_at minus
  the need's first offer's created_at*, in hours. The first offer marks when scientists could
  first see the need; the requester's own intake time is not the scientists' delay. Time a
  need spent unmatched before staff assigned it by hand does count: the requester waited.
* **活跃科技工作者** (`active_scientists`): distinct scientists registered in the region
  (their profile's region) who accepted or declined (including 转介) an offer in the week.
  Expired offers are not a response.
* **科技服务供给率** (`supply_rate`): scientists registered in the region by week end
  (`created_at`) who had accepted at least one offer by week end, over all of them.
* **科技服务获取率** (`access_rate`): enterprises (needs with requester_role "enterprise";
  one enterprise = one organization, else one requester, else the need itself) that had
  published a need in the region by week end, and of them those with at least one such need
  matched by week end (accepted offer before week end).
* **科普问答** (`questions_answered`, `questions_abstained`): question_log rows in the week
  by `abstained`.
* **未满足的科普需求** (`top_unmet_topics`): the labels of the largest topic clusters among
  the week's abstained questions and the week's needs that are unmatched now (topics.py).

The province (or no region) means every row, including rows with no region at all; a city
includes its counties and rows placed at the city itself; a county only its own rows.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Engine,
    String,
    and_,
    case,
    cast,
    distinct,
    exists,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from core.clock import Clock, as_utc, system_clock
from matching.need import KIND_LABELS
from reports.scope import Scope, resolve_scope
from reports.weeks import IsoWeek, last_complete_week, parse_week, week_range
from store.models import (
    AuditLog,
    Need,
    NeedKind,
    NeedStatus,
    Offer,
    OfferStatus,
    QuestionLog,
    Scientist,
)

KINDS = tuple(k.value for k in NeedKind)


@dataclass(frozen=True, slots=True)
class FigureDef:
    key: str
    label: str  # Chinese, as the report and the CSV show it
    unit: str  # "条", "人", "家", "小时" or "%" (rates are stored as fractions 0–1)

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"


FIGURES: tuple[FigureDef, ...] = (
    FigureDef("needs_posted", "发布需求数", "条"),
    *(FigureDef(f"needs_posted.{k}", f"发布需求数·{KIND_LABELS[k]}", "条") for k in KINDS),
    FigureDef("needs_matched", "当周需求中截至周末已对接", "条"),
    FigureDef("match_rate", "匹配率", "%"),
    FigureDef("offers_accepted", "当周接单数", "单"),
    FigureDef("median_hours_to_accept", "接单用时中位数", "小时"),
    FigureDef("active_scientists", "活跃科技工作者", "人"),
    FigureDef("scientists_registered", "注册科技工作者（截至周末）", "人"),
    FigureDef("scientists_served", "其中提供过服务", "人"),
    FigureDef("supply_rate", "科技服务供给率", "%"),
    FigureDef("enterprises_posted", "发布过需求的企业（截至周末）", "家"),
    FigureDef("enterprises_served", "其中获得过服务", "家"),
    FigureDef("access_rate", "科技服务获取率", "%"),
    FigureDef("questions_answered", "科普问答·已回答", "条"),
    FigureDef("questions_abstained", "科普问答·未能回答", "条"),
)
FIGURES_BY_KEY = {f.key: f for f in FIGURES}


@dataclass(frozen=True, slots=True)
class WeeklyFigures:
    region_code: str
    region_name: str
    week: IsoWeek
    needs_posted: int
    needs_by_kind: dict[str, int]
    needs_matched: int
    offers_accepted: int
    median_hours_to_accept: float | None
    active_scientists: int
    scientists_registered: int
    scientists_served: int
    enterprises_posted: int
    enterprises_served: int
    questions_answered: int
    questions_abstained: int
    top_unmet_topics: list[str] = field(default_factory=list)

    @property
    def match_rate(self) -> float | None:
        return _ratio(self.needs_matched, self.needs_posted)

    @property
    def supply_rate(self) -> float | None:
        return _ratio(self.scientists_served, self.scientists_registered)

    @property
    def access_rate(self) -> float | None:
        return _ratio(self.enterprises_served, self.enterprises_posted)

    @property
    def questions_total(self) -> int:
        return self.questions_answered + self.questions_abstained

    def value(self, key: str) -> float | int | None:
        """A figure by its key in FIGURES ("needs_posted.service" for one kind)."""
        if key.startswith("needs_posted."):
            return self.needs_by_kind.get(key.split(".", 1)[1], 0)
        if key not in FIGURES_BY_KEY:
            raise KeyError(key)
        return getattr(self, key)  # type: ignore[no-any-return]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"region_code": self.region_code, "region": self.region_name,
                               "week": self.week.label}
        for f in FIGURES:
            if "." not in f.key:
                out[f.key] = self.value(f.key)
        out["needs_by_kind"] = dict(self.needs_by_kind)
        out["top_unmet_topics"] = list(self.top_unmet_topics)
        return out


@dataclass(frozen=True, slots=True)
class Change:
    """This week against last week. `delta` is absolute (for rates: in fraction points, 0.05
    = 5 个百分点); `relative` is delta / last, None when last is zero or unknown: a rise from
    nothing has no honest percentage."""

    key: str
    label: str
    unit: str
    this: float | int | None
    last: float | int | None
    delta: float | int | None
    relative: float | None


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _published() -> Any:
    """Published needs: not a draft, and a cancelled one only if it was confirmed first."""
    confirmed = exists().where(AuditLog.entity == "need", AuditLog.action == "confirm",
                               AuditLog.entity_id == cast(Need.id, String))
    return and_(Need.status != NeedStatus.draft,
                or_(Need.status != NeedStatus.cancelled, confirmed))


def _matched_by(end: datetime) -> Any:
    return exists().where(Offer.need_id == Need.id, Offer.status == OfferStatus.accepted,
                          Offer.responded_at < end)


def _where(*conditions: Any) -> list[Any]:
    return [c for c in conditions if c is not None]


def weekly(engine: Engine, region: str | Scope | None, week: IsoWeek | str, *,
           topics: int = 5) -> WeeklyFigures:
    """The figures for one region and ISO week. `region`: code or Chinese name, None for the
    province; `topics`: how many unmet-topic labels to include (0 skips the clustering)."""
    scope = resolve_scope(region)
    wk = parse_week(week) if isinstance(week, str) else week
    start, end = wk.start, wk.end
    need_scope = scope.where(Need.region_code)
    sci_scope = scope.where(Scientist.region_code)

    with engine.connect() as conn:
        # needs posted, by kind, and how many of them were matched by week end
        by_kind: dict[str, int] = dict.fromkeys(KINDS, 0)
        matched = 0
        for kind, n, m in conn.execute(
                select(Need.kind, func.count(), func.sum(case((_matched_by(end), 1), else_=0)))
                .where(*_where(Need.created_at >= start, Need.created_at < end, _published(),
                               need_scope))
                .group_by(Need.kind)):
            by_kind[kind] = by_kind.get(kind, 0) + int(n)
            matched += int(m or 0)

        # time to accept: only the week's accepted offers are read
        first = aliased(Offer)
        first_offer = (select(func.min(first.created_at)).where(first.need_id == Offer.need_id)
                       .scalar_subquery())
        hours = []
        for responded, offered in conn.execute(
                select(Offer.responded_at, first_offer)
                .join(Need, Need.id == Offer.need_id)
                .where(*_where(Offer.status == OfferStatus.accepted, Offer.responded_at >= start,
                               Offer.responded_at < end, need_scope))):
            a, b = as_utc(responded), as_utc(_datetime(offered))
            if a is not None and b is not None:
                hours.append(max(0.0, (a - b).total_seconds() / 3600))
        median = round(statistics.median(hours), 2) if hours else None

        active = conn.execute(
            select(func.count(distinct(Offer.scientist_id)))
            .join(Scientist, Scientist.id == Offer.scientist_id)
            .where(*_where(Offer.status.in_((OfferStatus.accepted, OfferStatus.declined)),
                           Offer.responded_at >= start, Offer.responded_at < end, sci_scope))
        ).scalar_one()

        registered = conn.execute(
            select(func.count()).select_from(Scientist)
            .where(*_where(Scientist.created_at < end, sci_scope))).scalar_one()
        # an uncorrelated IN: both engines build the set of servers once (a hash semi-join
        # on PostgreSQL, an ephemeral index on SQLite), whatever the planner's statistics
        has_served = Scientist.id.in_(
            select(Offer.scientist_id).where(Offer.status == OfferStatus.accepted,
                                             Offer.responded_at < end))
        served = conn.execute(
            select(func.count()).select_from(Scientist)
            .where(*_where(Scientist.created_at < end, sci_scope, has_served))).scalar_one()

        enterprise = func.coalesce(
            literal_column("'o:'", String) + cast(Need.organization_id, String),
            literal_column("'p:'", String) + cast(Need.requester_id, String),
            literal_column("'n:'", String) + cast(Need.id, String))
        ent_posted, ent_served = conn.execute(
            select(func.count(distinct(enterprise)),
                   func.count(distinct(case((_matched_by(end), enterprise), else_=None))))
            .where(*_where(Need.requester_role == "enterprise", Need.created_at < end,
                           _published(), need_scope))).one()

        answered = abstained = 0
        for flag, n in conn.execute(
                select(QuestionLog.abstained, func.count())
                .where(*_where(QuestionLog.at >= start, QuestionLog.at < end,
                               scope.where(QuestionLog.region_code)))
                .group_by(QuestionLog.abstained)):
            if flag:
                abstained += int(n)
            else:
                answered += int(n)

    labels: list[str] = []
    if topics > 0:
        from reports.topics import unmet_topics

        labels = [c.label for c in unmet_topics(engine, scope, start, end, limit=topics)]

    return WeeklyFigures(
        region_code=scope.code, region_name=scope.name, week=wk,
        needs_posted=sum(by_kind.values()), needs_by_kind=by_kind, needs_matched=matched,
        offers_accepted=len(hours), median_hours_to_accept=median,
        active_scientists=int(active), scientists_registered=int(registered),
        scientists_served=int(served), enterprises_posted=int(ent_posted),
        enterprises_served=int(ent_served), questions_answered=answered,
        questions_abstained=abstained, top_unmet_topics=labels)


def _datetime(value: Any) -> datetime | None:
    """min() over a timestamp comes back as text from SQLite when the type is lost."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def series(engine: Engine, region: str | Scope | None, weeks: int = 8,
           until_week: IsoWeek | str | None = None, *, clock: Clock = system_clock,
           topics: int = 0) -> list[WeeklyFigures]:
    """Figures for `weeks` consecutive weeks ending with `until_week` (default: the last
    complete week by the clock), oldest first, for trend charts."""
    scope = resolve_scope(region)
    if until_week is None:
        until = last_complete_week(clock)
    else:
        until = parse_week(until_week) if isinstance(until_week, str) else until_week
    return [weekly(engine, scope, wk, topics=topics) for wk in week_range(until, weeks)]


def week_over_week(this: WeeklyFigures, last: WeeklyFigures) -> list[Change]:
    """One Change per figure in FIGURES, in that order."""
    changes = []
    for f in FIGURES:
        a, b = this.value(f.key), last.value(f.key)
        delta = None if a is None or b is None else a - b
        relative = None if delta is None or not b else delta / b
        changes.append(Change(f.key, f.label, f.unit, a, b, delta, relative))
    return changes
