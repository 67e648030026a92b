"""Ranking scientists for a need: relevance first, then fit, place, load and track record.

Candidates come from hybrid retrieval over scientist profiles (the same index `kejiyun search
scientists` uses), queried with the need's topic — its text without place names, budget,
deadline and contact phrases, which would otherwise match profiles' addresses — plus the
profiles' own words for query words they never use (蚕子 → 家蚕、蚕病; `SparseIndex.bridge`).
Each candidate then gets a score from features with short Chinese reasons:

- relevance: the hybrid score, plus how many of the need's keywords and products occur in the
  profile's own expertise (directions, services, achievements, discipline), not in its
  organisation or address;
- problem concepts shared with the need (matching/concepts.py: "到了就软掉" and "冷链保鲜" are
  both 采后保鲜), a concept weighing more the fewer candidates name it;
- the need's cosine to the candidate's closest single research direction, for the leaders
  (a profile's vector blends all its directions, so growers of the need's crop crowd out the
  expert whose one direction is the need's problem);
- discipline agreement with the need (same 一级学科, else the same 门类);
- region proximity: same county > same city > same province; a scientist who offers remote
  help is not penalised for distance when the need allows remote help;
- the county's own expert of the need's field (same county and 一级学科, half for the same
  门类): a county's specialty centre knows its trade under the farmer's everyday words, and
  the county's experts nearest the need are fetched even when they share no word with it;
- load: open offers now, and a weekly cap so a few famous experts do not receive every need;
- track record: acceptance rate, rating and response time, each shrunk towards a neutral prior
  so a newcomer starts fair rather than last.

Exclusions: those who already had an offer for this need (whatever they answered), those from
the requester's own organisation, the requester themself, a rival firm's employee for a
confidential need; when ranking for offers also scientists who take no work now (暂不接单) and
those at the weekly cap. The preview (`kejiyun match`) still lists a 暂不接单 expert who fits,
labelled so: staff should know the one bee-disease expert exists even when he takes no offers.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import Session

from core.clock import Clock, system_clock
from core.errors import BadInput
from core.settings import Settings
from knowledge import gazetteer, taxonomy
from matching import field_model, slots
from matching.concepts import concepts
from matching.field_model import FieldModel
from matching.need import NeedDraft
from retrieval.search import Hit, Query, Searcher
from retrieval.tokenize import expand_query
from store.models import Offer, OfferStatus, Scientist

MATCHING_SYNONYMS = "matching_synonyms.csv"
_REMOTE = re.compile(r"线上|远程|视频|在线|网络|电话咨询|云摊|微信")
# What a profile offers that fits each kind of need (services, achievements, title).
KIND_FIT: dict[str, re.Pattern[str]] = {
    "question": re.compile(r"咨询|问诊|诊断|指导|答疑|培训"),
    "service": re.compile(r"现场|指导|诊断|检测|培训|方案|设计|规划|评估|咨询|服务"),
    "rd_challenge": re.compile(r"攻关|研发|联合|合作|开发|定制|中试|教授|研究员|博士"),
    "talent": re.compile(r"顾问|兼职|驻|长期|带教|团队|首席|教授|研究员"),
    "achievement_transfer": re.compile(r"专利|可许可|可转让|许可|转让|转化|授权|技术包"),
}


@dataclass(frozen=True)
class RankWeights:
    """Feature weights, tuned on bench/data/needs_dev.jsonl; `routed`, which only titles
    use, on the two academic dev sets (`bench/matching.py --tune`)."""

    sparse: float = 0.3        # BM25 share of the best BM25 score among the candidates
    dense: float = 0.2         # cosine relative to the best cosine among the candidates
    overlap: float = 0.15      # share of the need's keywords found in the expertise text
    product: float = 0.1       # the profile names one of the need's products/crops
    discipline: float = 0.1    # same 一级学科 (half for the same 门类)
    routed: float = 1.5        # for a title: same 一级学科, times how sure the field is
    region: float = 0.2        # proximity (county 1, city .7, province .4)
    fit: float = 0.0           # the profile offers the kind of help asked for (see KIND_FIT)
    prf: float = 0.8           # like the best match: BM25 of its directions (feedback)
    concept: float = 0.3       # problem concepts shared (matching/concepts.py), rarer weigh more
    direction: float = 0.4     # cosine of the need to the closest single research direction
    track: float = 0.05        # acceptance, rating, response time (shrunk to a prior)
    load: float = 0.1          # open offers now, and offers this week relative to the cap
    # the preview lists 暂不接单 experts too, behind one who takes work and fits about as well
    unavailable: float = 0.3
    pool: int = 100            # candidates fetched from retrieval before re-scoring
    route_pool: int = 30       # more candidates of the inferred 一级学科, when it is confident
    local: float = 1.0         # same county and the need's field: the county's own expert
    local_pool: int = 10       # candidates of the need's own county, fetched beyond the pool
    rerank: int = 20           # the best this many get the (encoder-bound) direction feature
    min_hit: float = 0.01      # a best hybrid score below this: nothing in the pool fits
    min_relative: float = 0.3  # offers only go to candidates at least this share as relevant


@dataclass
class Candidate:
    scientist_id: str          # external id
    name: str
    discipline: str
    region: str
    score: float
    reasons: list[str] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)
    row_id: int = 0
    discipline_code: str = ""  # the 一级学科 the profile's label maps to ("" when unknown)

    @property
    def discipline_name(self) -> str:
        found = taxonomy.get(self.discipline_code) if self.discipline_code else None
        return found.name if found else ""

    def to_json(self) -> dict[str, Any]:
        return {"scientist_id": self.scientist_id, "name": self.name,
                "discipline": self.discipline, "region": self.region,
                "score": round(self.score, 4), "reasons": self.reasons,
                "discipline_code": self.discipline_code,
                "discipline_name": self.discipline_name}


def topic_text(need: NeedDraft) -> str:
    """What the need is about, for retrieval: no places, money, deadlines or contacts."""
    text = need.description.replace("［联系方式已隐藏］", " ")
    if need.budget_text:
        text = text.replace(need.budget_text, " ")
    text = slots.strip_side_phrases(text)
    text = _strip_places(text)
    extra = [p for p in need.products if p not in text]
    return " ".join([text, *extra]).strip()


def _strip_places(text: str) -> str:
    for name in _PLACE_NAMES:
        if name in text:
            text = text.replace(name, " ")
    return text


_PLACE_NAMES = sorted({w for r in gazetteer.all_regions() for w in (r.name, r.short_name)
                       if len(w) >= 2}, key=len, reverse=True)


def _names_place(word: str) -> bool:
    """A word of a place name or holding one: the topic is stripped of places, and a
    stand-in must not bring one back (枝枝 → 攀枝花 matched the city's addresses)."""
    return any(word in name or name in word for name in _PLACE_NAMES)


full_name = gazetteer.display_name  # "宜宾市翠屏区" rather than "翠屏区"


def proximity(need_code: str | None, sci_code: str | None) -> tuple[float, str]:
    """1 same county, .7 same city, .4 same province (Sichuan), 0 unknown; with the reason."""
    if not need_code or not sci_code:
        return 0.0, ""
    if need_code == sci_code:
        return 1.0, f"同在{full_name(sci_code)}"
    need_chain = {r.level: r for r in gazetteer.ancestors(need_code)}
    sci_chain = {r.level: r for r in gazetteer.ancestors(sci_code)}
    for level, value in (("county", 1.0), ("city", 0.7), ("province", 0.4)):
        a, b = need_chain.get(level), sci_chain.get(level)
        if a and b and a.code == b.code:
            return value, f"同在{full_name(a.code)}"
    return 0.0, ""


def _expertise(s: Scientist) -> str:
    return " ".join([s.discipline, *s.directions, *s.services, *s.achievements])


def _best_line(s: Scientist, words: list[str]) -> tuple[str, str] | None:
    """The direction/service/achievement sharing most of the need's words, for a reason."""
    best: tuple[int, str, str] | None = None
    for label, items in (("研究方向", s.directions), ("可提供", s.services),
                         ("成果", s.achievements)):
        for item in items:
            hits = sum(1 for w in words if w in item)
            if hits and (best is None or hits > best[0]):
                best = (hits, label, item)
    return (best[1], best[2]) if best else None


def _concept_line(s: Scientist, wanted: frozenset[str]) -> tuple[str, str] | None:
    """The first direction/service/achievement naming one of the need's problem concepts."""
    if not wanted:
        return None
    for label, items in (("研究方向", s.directions), ("可提供", s.services),
                         ("成果", s.achievements)):
        for item in items:
            if concepts(item) & wanted:
                return label, item
    return None


def track_record(s: Scientist) -> tuple[float, str]:
    """0..1 with a neutral 0.5-ish start: Bayesian shrinkage towards priors, so two offers
    answered do not outrank twenty, and a newcomer is not ranked below everyone."""
    accept = (s.offers_accepted + 1.0) / (s.offers_received + 2.0)
    rating = (s.rating_sum + 4.0 * 2) / (s.rating_count + 2.0) / 5.0
    answered = max(s.offers_accepted, 0)
    hours = (s.response_seconds_total / 3600.0 + 12.0 * 2) / (answered + 2.0)
    speed = 1.0 / (1.0 + hours / 24.0)
    score = 0.45 * accept + 0.35 * rating + 0.2 * speed
    # A reason says why this expert fits; a record is one only when it speaks for them
    # ("接单率 0%" or "新入驻" alone tells the requester nothing good).
    good: list[str] = []
    if s.offers_received >= 3 and s.offers_accepted / s.offers_received >= 0.5:
        good.append(f"接单率 {s.offers_accepted / s.offers_received:.0%}")
    if s.rating_count and s.rating_sum / s.rating_count >= 4.0:
        good.append(f"评分 {s.rating_sum / s.rating_count:.1f}")
    return score, "，".join(good)


@dataclass
class Features:
    """One candidate before weighting: the scientist row, feature values, reasons."""

    sci: Scientist
    values: dict[str, float]
    reasons: list[str]


class Ranker:
    def __init__(self, searcher: Searcher, engine: Engine, settings: Settings,
                 clock: Clock = system_clock, weights: RankWeights | None = None) -> None:
        self.searcher = searcher
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.w = weights or RankWeights()
        # (profiles counted then, when counted, the model): see _fields
        self._field_model: tuple[int, float, FieldModel] | None = None

    # ---- public ------------------------------------------------------------------------------
    def rank(self, need: NeedDraft, k: int = 10, *, need_id: int | None = None,
             for_offers: bool = False, organization: str = "",
             requester_person_id: int | None = None) -> list[Candidate]:
        feats = self.features(need, need_id=need_id, for_offers=for_offers,
                              organization=organization,
                              requester_person_id=requester_person_id)
        if not for_offers:  # a list to look at may include weak candidates
            return self.score(feats, k)
        # an offer interrupts someone: only candidates nearly as relevant as the best expert,
        # counting experts who take no work now — when the one real expert is away, the need
        # goes to staff rather than to a weak, unrelated candidate
        ranked = self.score(feats, len(feats), floor=self.w.min_relative)
        return [c for c in ranked if not c.features.get("unavailable")][:k]

    def score(self, feats: list[Features], k: int = 10, weights: RankWeights | None = None,
              floor: float = 0.0) -> list[Candidate]:
        """Weighted sum of the features, best first; `floor` drops candidates whose
        retrieval relevance is below that share of the best one's."""
        w = weights or self.w
        out: list[Candidate] = []
        for f in feats:
            v = f.values
            relevance = w.sparse * v["sparse"] + w.dense * v["dense"]
            total = (relevance + w.overlap * v["overlap"] + w.product * v["product"]
                     + w.discipline * v["discipline"] + w.routed * v.get("routed", 0.0)
                     + w.region * v["region"] + w.local * v.get("local", 0.0)
                     + w.fit * v["fit"] + w.prf * v.get("prf", 0.0)
                     + w.concept * v["concept"] + w.direction * v.get("direction", 0.0)
                     + w.track * v["track"] - w.load * v["load"]
                     - w.unavailable * v.get("unavailable", 0.0))
            out.append(Candidate(
                scientist_id=f.sci.external_id, name=f.sci.name, discipline=f.sci.discipline,
                region=full_name(f.sci.region_code) or f.sci.region_text, score=total,
                reasons=f.reasons, features={**v, "relevance": relevance},
                row_id=f.sci.id or 0, discipline_code=f.sci.discipline_code or ""))
        if not out:
            return []
        best = max(c.features["relevance"] for c in out)
        out = [c for c in out if c.features["relevance"] >= floor * best]
        out.sort(key=lambda c: -c.score)
        return out[:k]

    def features(self, need: NeedDraft, *, need_id: int | None = None,
                 for_offers: bool = False, organization: str = "",
                 requester_person_id: int | None = None) -> list[Features]:
        query = topic_text(need)
        if not _meaningful(query):
            return []
        # a need's everyday words joined by the words profiles use (金针菜 → 黄花菜,
        # 烘谷子 → 粮食烘干): knowledge/data/matching_synonyms.csv
        query = expand_query(query, MATCHING_SYNONYMS)
        prepared = self.searcher.prepare(query)
        # the profiles' own words for query words they never use (兔舍头 → 兔舍, 蚕子 → 家蚕…)
        bridged = [w for w in self.searcher.index.bridge("scientists", prepared.tokens)
                   if not _names_place(w)]
        prepared = Query(prepared.text, prepared.tokens + bridged, prepared.vector)
        hits = self.searcher.search("scientists", prepared, k=self.w.pool)
        if not hits or hits[0].score < self.w.min_hit:
            return []
        rows = self._rows([h.id for h in hits])
        # a title (a paper, a project) goes to reviewers of its field: the field inferred with
        # its confidence; a request names its problem, and its field is one feature among many
        if is_title(need.description):
            model = self._fields()
            code, confidence = infer_discipline(need, hits, rows,
                                                posterior=model.posterior(need.description),
                                                staffed=model.staffed)
        else:
            code, confidence = need.discipline_code or _vote_discipline(hits, rows), 0.0
        if code and confidence > 0 and self.w.routed:
            # the pool is the profiles nearest the words; experts of the need's field who
            # say it differently are fetched too, so that the field can weigh at all
            seen = {h.id for h in hits}
            more = [h for h in self.searcher.search("scientists", prepared,
                                                    k=self.w.route_pool, discipline=code)
                    if h.id not in seen]
            seen |= {h.id for h in more}
            # the search drops profiles whose cosine is below its floor; a title's words are
            # often far from every profile of its field (麻羊毛色选择信号 and the 畜牧 experts),
            # so the field's nearest profiles are taken by cosine alone, however low
            near = self.searcher.index.dense("scientists", prepared.vector, self.w.route_pool,
                                             {"discipline_code": code})
            more += [Hit(i, "", 0.0, self.searcher.dense_score(cos)) for i, cos in near
                     if i not in seen]
            hits = [*hits, *more]
            rows |= self._rows([h.id for h in more])
        if self.w.local_pool and _is_county(need.region_code):
            # the county's own experts nearest the need, even those sharing no word with it:
            # a farmer's "小白花" is the county's 茉莉花 centre's business
            seen = {h.id for h in hits}
            near = self.searcher.index.dense("scientists", prepared.vector, self.w.local_pool,
                                             {"region_county": need.region_code})
            more = [Hit(i, "", 0.0, self.searcher.dense_score(cos)) for i, cos in near
                    if i not in seen]
            hits = [*hits, *more]
            rows |= self._rows([h.id for h in more])
        load = self._load([r.id for r in rows.values() if r.id is not None], need_id)
        words = list(dict.fromkeys(need.products + need.keywords))
        index = self.searcher.index
        weighted = {t: index.token_weight("scientists", t)
                    for t in {*index.tokenizer.tokenize_query(expand_query(query)), *bridged}
                    if len(t) >= 2}
        weighted = {t: w for t, w in weighted.items() if w > 0}
        max_sparse = max((h.sparse for h in hits), default=0.0) or 1.0
        max_dense = max((h.dense for h in hits), default=0.0) or 1.0
        cap = max(1, self.settings.match_weekly_cap)
        feats: list[Features] = []
        for hit in hits:
            s = rows.get(hit.id)
            if s is None or s.id is None:
                continue
            pending, week, offered_here = load.get(s.id, (0, 0, False))
            if offered_here:
                continue  # declined, expired or already holding an offer for this need
            if requester_person_id is not None and s.person_id == requester_person_id:
                continue
            if organization and s.organization and _same_org(organization, s.organization):
                continue
            if need.confidentiality == "experts_only" and _competitor(need, s):
                continue  # a confidential problem never goes to a rival firm's employee
            if for_offers and week >= cap:
                continue
            f = self._features(need, code, words, weighted, hit, s, pending, week, cap,
                               max_sparse, max_dense)
            f.values["routed"] = confidence if code and code == s.discipline_code else 0.0
            feats.append(f)
        _shared_concepts(feats, concepts(query))
        self._feedback(feats, for_offers)
        self._directions(feats, prepared.vector)
        return feats

    def _feedback(self, feats: list[Features], for_offers: bool = True) -> None:
        """Pseudo-relevance feedback: the best match is usually right (MRR ≈ .95 on the dev
        needs), and its directions say the need in experts' words; profiles sharing them
        are likely to fit too ("荔枝控梢" → other 花果调控 experts)."""
        for f in feats:
            f.values["prf"] = 0.0
        if not feats or not self.w.prf:
            return
        # anchored on the strongest retrieval hit, not on the ranker's own leader: concepts
        # and place can put a wrong expert first, and feedback from him would bury the hit
        top = max(feats, key=lambda f: self.w.sparse * f.values["sparse"]
                  + self.w.dense * f.values["dense"])
        if not top.sci.directions:
            return
        index = self.searcher.index
        tokens = index.tokenizer.tokenize_query(" ".join(top.sci.directions))
        hits = index.sparse("scientists", tokens, self.w.pool,
                            {"available": True} if for_offers else {})
        best = max((sc for _, sc in hits), default=0.0)
        if best <= 0:
            return
        scores = dict(hits)
        for f in feats:  # the best match scores itself too, so twins stay level
            f.values["prf"] = scores.get(f.sci.external_id, 0.0) / best

    def _directions(self, feats: list[Features], vector: np.ndarray) -> None:
        """How close the need is to each candidate's closest research direction, for the best
        `rerank` candidates so far. A profile's vector blends all its directions, so a grower
        of the need's crop outranks the one expert whose single direction is the need's
        problem; the closest direction tells them apart. Encoding is the cost (cached by text),
        hence only the leaders, who are the only ones it can reorder into the top."""
        for f in feats:
            f.values["direction"] = 0.0
        if not feats or not self.w.direction:
            return
        ahead = {c.scientist_id for c in self.score(feats, self.w.rerank)}
        leaders = [f for f in feats if f.sci.external_id in ahead and f.sci.directions]
        if not leaders:
            return
        lines = [d for f in leaders for d in f.sci.directions]
        cosines = self.searcher.index.line_vectors.encode(lines) @ vector
        best, at = [], 0
        for f in leaders:
            best.append(float(cosines[at:at + len(f.sci.directions)].max()))
            at += len(f.sci.directions)
        top = max(best)
        if top <= 0:
            return
        for f, value in zip(leaders, best, strict=True):
            f.values["direction"] = max(0.0, value) / top

    # ---- internals ---------------------------------------------------------------------------
    def _features(self, need: NeedDraft, code: str | None, words: list[str],
                  weighted: dict[str, float], hit: Hit, s: Scientist, pending: int, week: int,
                  cap: int, max_sparse: float, max_dense: float) -> Features:
        reasons: list[str] = []
        expertise = _expertise(s)
        # the need's words, weighted by rarity, found in what the scientist does (not in
        # their address or employer's name)
        total = sum(weighted.values())
        overlap = (sum(w for t, w in weighted.items() if t in expertise) / total) if total \
            else 0.0
        product = float(any(p in expertise for p in need.products))
        # no shared word ("李园土壤改良" for "土挖起来硬邦邦的"): the line naming the same kind
        # of problem is still a better reason than the bare discipline
        line = _best_line(s, words) or _concept_line(s, concepts(topic_text(need)))
        if line:
            reasons.append(f"{line[0]}：{line[1]}")
        else:
            reasons.append(f"专业：{s.discipline}")
        disc = 0.0
        if code and s.discipline_code:
            if code == s.discipline_code:
                disc = 1.0
                name = taxonomy.get(code)
                reasons.append(f"学科对口：{name.name if name else s.discipline}")
            elif code[:2] == s.discipline_code[:2]:
                disc = 0.5
        prox, prox_reason = proximity(need.region_code, s.region_code)
        remote = bool(_REMOTE.search(" ".join(s.services)))
        if need.remote_ok and remote and prox < 0.7:
            prox, prox_reason = 0.7, "可远程服务"
        if prox_reason:
            reasons.append(prox_reason)
        track, track_reason = track_record(s)
        if track_reason:
            reasons.append(track_reason)
        if not s.available:
            reasons.append("目前暂不接单（不会自动派单，可由工作人员联系）")
        fit_re = KIND_FIT.get(need.kind)
        offered = " ".join([*s.services, *s.achievements, s.title, s.kind])
        fit = float(bool(fit_re and fit_re.search(offered)))
        load = min(1.0, pending / 3.0) * 0.5 + min(1.0, week / cap) * 0.5
        if pending:
            reasons.append(f"当前有 {pending} 个待回复的需求")
        # the county's own expert of the need's field (its 茉莉花 centre for a 犍为 farmer's
        # "小白花"); a county's chip designer gains nothing from place alone
        local = disc if prox == 1.0 and _is_county(need.region_code) else 0.0
        return Features(s, {"sparse": hit.sparse / max_sparse, "dense": hit.dense / max_dense,
                            "overlap": overlap, "product": product, "discipline": disc,
                            "region": prox, "local": local, "fit": fit, "concept": 0.0,
                            "track": track, "load": load, "unavailable": float(not s.available)},
                        reasons)

    def _fields(self) -> FieldModel:
        """The model of titles' 一级学科 (matching/field_model.py), rebuilt when profiles
        were added or removed since it was built (counted at most once a minute: a
        million-row count is no price to pay per title)."""
        now = time.monotonic()
        if self._field_model is not None and now - self._field_model[1] < _RECOUNT_S:
            return self._field_model[2]
        with Session(self.engine) as session:
            n = session.execute(select(func.count()).select_from(Scientist)).scalar_one()
        if self._field_model is None or self._field_model[0] != n:
            self._field_model = (n, now, field_model.build(self.engine))
        else:
            self._field_model = (n, now, self._field_model[2])
        return self._field_model[2]

    def _rows(self, external_ids: list[str]) -> dict[str, Scientist]:
        with Session(self.engine) as session:
            rows = session.execute(select(Scientist).where(
                Scientist.external_id.in_(external_ids))).scalars().all()
            session.expunge_all()
        return {r.external_id: r for r in rows}

    def _load(self, ids: list[int], need_id: int | None) -> dict[int, tuple[int, int, bool]]:
        """Per scientist: open offers, offers in the last 7 days, already offered this need."""
        if not ids:
            return {}
        since = self.clock.now() - timedelta(days=7)
        here = (func.sum(case((Offer.need_id == need_id, 1), else_=0)) if need_id is not None
                else func.sum(0))
        stmt = (select(Offer.scientist_id,
                       func.sum(case((Offer.status == OfferStatus.pending, 1), else_=0)),
                       func.sum(case((Offer.created_at >= since, 1), else_=0)),
                       here)
                .where(Offer.scientist_id.in_(ids)).group_by(Offer.scientist_id))
        with self.engine.connect() as conn:
            return {sid: (int(p or 0), int(wk or 0), bool(h)) for sid, p, wk, h
                    in conn.execute(stmt)}


def _shared_concepts(feats: list[Features], wanted: frozenset[str]) -> None:
    """The share of the need's problem concepts each profile's expertise names, a concept
    weighted by its rarity among the candidates (most offer 培训; few 采后保鲜)."""
    if not wanted or not feats:
        return
    have = [_concepts_of(f.sci) & wanted for f in feats]
    weight = {c: math.log(1 + len(feats) / (1 + sum(c in h for h in have))) for c in wanted}
    total = sum(weight.values())
    for f, shared in zip(feats, have, strict=True):
        if not shared:
            continue
        f.values["concept"] = sum(weight[c] for c in shared) / total
        named = sorted(shared, key=lambda c: (-weight[c], c))[:2]
        f.reasons.insert(1, "问题对口：" + "、".join(named))


def _concepts_of(s: Scientist) -> frozenset[str]:
    """Concepts named by what the scientist does (each line cached on its own)."""
    found: frozenset[str] = frozenset()
    for line in (*s.directions, *s.services, *s.achievements):
        found |= concepts(line)
    return found


def _vote_discipline(hits: list[Hit], rows: dict[str, Scientist]) -> str | None:
    """No discipline in the text: the one the best-matching profiles agree on, if they do."""
    votes: dict[str, float] = {}
    for hit in hits[:8]:
        s = rows.get(hit.id)
        if s is not None and s.discipline_code:
            votes[s.discipline_code] = votes.get(s.discipline_code, 0.0) + hit.score
    if not votes:
        return None
    code, weight = max(votes.items(), key=lambda kv: kv[1])
    return code if weight >= 0.5 * sum(votes.values()) else None


# What a request has and a title (of a paper, a project) has not: sentence punctuation,
# someone speaking, particles, asking for help.
_NOT_TITLE = re.compile(r"[，,。？?！!；;…~～]|(?<![自忘])我|[咱俺您你]|[嘛哦呀吧啊呢咋]"
                        r"|请|帮|求助|需要|找|想[要请找问学做搞]")


def is_title(text: str) -> bool:
    """A paper or project title rather than a request: it goes to reviewers of its field,
    so the inferred 一级学科 weighs as much as the words."""
    text = text.strip()
    return 6 <= len(text) <= 60 and not _NOT_TITLE.search(text)


_RECOUNT_S = 60.0  # seconds between two counts of the profiles, for the field model
HINTED = 0.6  # per field term in a title (two at most), chosen on the academic dev sets
MODELLED = 1.0  # times the field model's probability, chosen on the academic dev sets


def infer_discipline(need: NeedDraft, hits: list[Hit], rows: dict[str, Scientist],
                     top: int = 10, stated: float = 0.3, hinted: float = HINTED,
                     posterior: dict[str, float] | None = None, modelled: float = MODELLED,
                     staffed: Collection[str] | None = None) -> tuple[str | None, float]:
    """The need's 一级学科 and how sure it is (the lead over the runner-up, 0–1): the fields
    of the best-matching profiles, nearer ones weighing more (1/rank), plus a bonus for the
    one the text names (a product or a field word) and the field model's probabilities
    (`posterior`, matching/field_model.py). Near-ties give a confidence near 0. Only fields
    in `staffed` (those with profiles) count, when given: a title goes to reviewers, and a
    field no one here works in (生物工程 with no profile) has none — its nearest staffed
    field (生物学) does."""
    votes: dict[str, float] = {}
    for rank, hit in enumerate(hits[:top], 1):
        s = rows.get(hit.id)
        if s is not None and s.discipline_code:
            votes[s.discipline_code] = votes.get(s.discipline_code, 0.0) + 1.0 / rank
    total = sum(votes.values())
    shares = {c: v / total for c, v in votes.items()} if total else {}
    if need.discipline_code:
        shares[need.discipline_code] = shares.get(need.discipline_code, 0.0) + stated
    # research terms hint at a field even when few of its experts are near the words
    # (夜雨、西南涡 → 大气科学, whose one expert the vote above cannot carry)
    for code, count in taxonomy.fields_hinted(need.description).items():
        shares[code] = shares.get(code, 0.0) + hinted * min(count, 2)
    # the title's characters, where its words are new to every profile and term
    for code, p in (posterior or {}).items():
        shares[code] = shares.get(code, 0.0) + modelled * p
    if staffed is not None:
        shares = {c: v for c, v in shares.items() if c in staffed}
    if not shares:
        return None, 0.0
    ranked = sorted(shares.values(), reverse=True)
    lead = ranked[0] - (ranked[1] if len(ranked) > 1 else 0.0)
    return max(shares, key=shares.__getitem__), min(1.0, lead)


def _same_org(a: str, b: str) -> bool:
    a, b = a.strip(), b.strip()
    return bool(a and b) and (a == b or (len(a) >= 4 and len(b) >= 4 and (a in b or b in a)))


_COMPANY = re.compile(r"公司|集团|企业|厂|股份|有限")
_NOT_A_FIRM = re.compile(r"大学|学院|学校|研究院|研究所|研究中心|科学院|推广|农技|站|医院|"
                         r"协会|学会|合作社|政府|局$|委员会")


def _competitor(need: NeedDraft, s: Scientist) -> bool:
    """A scientist employed by a firm in the need's own line of business: the firm's name or
    the scientist's directions name one of the need's products ("眉山某泡菜食品有限公司"
    for a pickle maker's need). Universities, institutes and extension stations are not
    competitors."""
    org = s.organization or ""
    if not _COMPANY.search(org) or _NOT_A_FIRM.search(org):
        return False
    products = [p for p in need.products if len(p) >= 2]
    if any(p in org for p in products):
        return True
    directions = " ".join(s.directions)
    return bool(need.discipline_code and need.discipline_code == s.discipline_code
                and any(p in directions for p in products))


def _is_county(code: str | None) -> bool:
    region = gazetteer.get(code) if code else None
    return region is not None and region.level == "county"


def _meaningful(text: str) -> bool:
    return len(re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", text)) >= 2


def resolve_region(value: str) -> str:
    region = gazetteer.resolve(value) or gazetteer.find_region(value)
    if region is None:
        raise BadInput(f"无法识别地区“{value}” (unknown region)")
    return region.code
