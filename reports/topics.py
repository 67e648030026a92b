"""Unmet 科普 topics (科普需求画像): what people asked that no vetted article answered, and
needs nobody could take, grouped by topic so staff can commission the missing articles.

The method is deterministic and needs no model (10,000 questions cluster in about a second):

1. Each text is cut by the retrieval tokenizer (jieba with the crop / pest / discipline
   dictionaries). Colloquial words become the standard word articles use (洋芋 → 马铃薯, 冒胶
   → 流胶), a dictionary word with a one-character suffix becomes that word (李子树 → 李子);
   stop words, question words, generic words, numbers, single characters, locatives (田里)
   and place names are dropped, and so is a fragment jieba cuts out of a longer word (猕猴 in
   猕猴桃) unless the fragment is itself a dictionary term (溃疡病 in 猕猴桃溃疡病).
2. A term's weight is log(1 + n/df) across the batch (common to everything = says little),
   ×2 for dictionary terms (crops, pests, disciplines), so a topic is named by what the
   question is about rather than how it is phrased.
3. Candidate topics are single terms and pairs of terms that at least two texts share.
   Greedily, the candidate with the largest (texts it still covers × summed term weight)
   takes all those texts. Scores only fall as texts are taken, so a lazy priority queue finds
   the next best without rescoring everything.
4. A text left over joins the topic whose common terms it shares the most weight with; one
   that shares none stays a topic of its own (count 1, sorted last).
5. A broad single-term topic is split by second terms that at least 3 texts and 5 % of it
   share ("柑橘" → "柑橘 · 修剪", "柑橘 · 发黄", and "柑橘" for the rest): an article is about
   a crop's problem, not about a crop.

A cluster is labelled with its 1–3 top terms (crops and products first), and reports its size,
questions vs needs, top cities, up to 3 example texts and the question_log / need ids in it.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from itertools import combinations
from typing import Any

from sqlalchemy import Engine, select

from knowledge import gazetteer, taxonomy
from reports.scope import Scope, city_name, resolve_scope
from store.models import Need, NeedStatus, QuestionLog

QUESTION = "question"
NEED = "need"
_MIN_SHARED = 2  # a topic needs at least two texts; one text is not a pattern
_TERMS_PER_TEXT = 8  # the weightiest terms of a text form pairs: bounds the pair count
_DOMAIN_BOOST = 2.0
_SPLIT_MIN = 3  # a sub-topic needs at least three texts …
_SPLIT_SHARE = 0.05  # … and a twentieth of its topic
_EXAMPLES = 3
_EXAMPLE_CHARS = 80

# Words that say how someone asks or what they want done, not what about. The tokenizer's own
# stop list already drops particles, pronouns and the commonest question words.
_GENERIC = frozenset(
    """
    什么样 原因 为啥 咋回事 是否 能否 可否 不要 不能 不会 不是 合适 正常 一样 起来 下去 出来
    越来 越来越 直接 影响 注意 需要 问下 请教 技术 方法 解决 处理 效果 今年 去年 明年 每年
    几年 有人 我家 咱家 家里 我们 公司 企业 合作社 想找 找个 找人 帮助 指导 预算 万元 左右
    面议 尽快 这周 本月 联系 电话 团队 方案 项目 服务 需求 咨询 希望 打算 准备 开始 发现
    出现 之后 以后 以前 时间 一年 两年 几天 天天 每天 现场 上门 线上 远程 免费 费用 价格
    多久 多长时间 多大 多远 多好 好不好 对不对 行不 得不 不了 不到 不出 不好 不行 严重 特别
    明显 主要 一般 已经 还是 一直 突然 最好 怎么回事 为什么会 是不是 能用 用啥 用什么 该用
    方面 相关 有关 关于 问问 想问问 了解 学习 专业 老乡 大哥 师傅 谢谢您 麻烦 多少钱 啥意思
    区别 有用 干啥 干什么 能吃 可以吃 吃了 喝了 一口 一次 几次 好几 哪里 哪个 哪种 哪些 我妈
    我爸 老婆 家人 屋头 屋里 里头 后面 前面 上面 下面 旁边 附近 好吃 好用 推荐 靠谱 真的
    意思 完药
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# a dictionary word plus one of these is still that word's topic (李子树, 流胶病, 柑橘园)
_SUFFIXES = frozenset("树病园苗叶果林地子")
# two-character locatives (田里, 山上, 屋头): where, not what about
_LOCATIVE = re.compile(r"^.[里上头下边]$")
_NUMBER = re.compile(r"^[\d.,%‰两一二三四五六七八九十百千万亿几]+[个块元斤亩只头年月天号度]?$")


@dataclass(frozen=True, slots=True)
class TopicItem:
    """One text to cluster: an abstained question or an unmatched need."""

    source: str  # "question" | "need"
    id: int
    text: str  # what is tokenised
    region_code: str | None = None
    example: str = ""  # what staff read as an example, if not the text itself


@dataclass(slots=True)
class TopicCluster:
    label: str  # "猕猴桃 · 溃疡病"
    terms: list[str]
    count: int
    questions: int
    needs: int
    regions: list[tuple[str, int]]  # top cities (市/州 names) with counts, largest first
    examples: list[str]  # up to 3 texts, most typical first
    question_ids: list[int] = field(default_factory=list)
    need_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "terms": list(self.terms), "count": self.count,
                "questions": self.questions, "needs": self.needs,
                "regions": [{"name": n, "count": c} for n, c in self.regions],
                "examples": list(self.examples), "question_ids": list(self.question_ids),
                "need_ids": list(self.need_ids)}


# ---- vocabulary -------------------------------------------------------------------------------

@cache
def _tokenizer() -> Any:
    from retrieval.tokenize import Tokenizer

    return Tokenizer()


@cache
def _places() -> frozenset[str]:
    from retrieval.tokenize import normalise

    names: set[str] = set()
    for r in gazetteer.all_regions():
        names.update({r.name, r.short_name, *r.aliases})
    names.update({"四川", "川内", "省内", "本地", "当地", "我们这", "这边", "那边", "乡下",
                  "农村", "村里", "镇上", "县里", "市里", "城里"})
    return frozenset(normalise(n) for n in names)


@cache
def _products() -> frozenset[str]:
    from retrieval.tokenize import normalise

    text = (resources.files("knowledge") / "data" / "products.csv").read_text(encoding="utf-8")
    rows = (line.split(",", 1)[0].strip() for line in text.splitlines()
            if line.strip() and not line.startswith("#"))
    return frozenset(normalise(w) for w in rows if w and w != "product")


@cache
def _domain() -> frozenset[str]:
    """Dictionary terms (crops, pests, practices, disciplines) minus place names."""
    from retrieval.tokenize import domain_terms, normalise

    terms = domain_terms() | _products() | {normalise(w) for w in taxonomy.lexicon()}
    return frozenset(terms - _places())


@cache
def _standard() -> dict[str, str]:
    """Colloquial word → the standard word (the first one listed)."""
    from retrieval.tokenize import normalise, synonyms

    return {normalise(k): normalise(v[0]) for k, v in synonyms().items() if v}


def terms_of(text: str) -> list[str]:
    """The topical terms of one text, in first-seen order, without repeats."""
    places, domain, standard = _places(), _domain(), _standard()
    raw = list(dict.fromkeys(_tokenizer().tokenize(text)))
    kept: list[str] = []
    for t in raw:
        # a fragment of a longer word (猕猴 in 猕猴桃) says nothing of its own, unless it is
        # a dictionary term (溃疡病 in 猕猴桃溃疡病)
        if t not in domain and any(t != u and t in u for u in raw):
            continue
        t = standard.get(t, t)
        if len(t) >= 3 and t not in domain and t[-1] in _SUFFIXES and t[:-1] in domain:
            t = t[:-1]  # 李子树 → 李子, 流胶病 → 流胶: the same topic either way
        if len(t) < 2 or t in _GENERIC or t in places or _NUMBER.match(t):
            continue
        if gazetteer.resolve(t) is not None:  # 成都温江, 宜宾翠屏 …
            continue
        if _LOCATIVE.match(t) and t not in domain:
            continue
        kept.append(t)
    return list(dict.fromkeys(kept))


# ---- clustering -------------------------------------------------------------------------------

Key = tuple[str, ...]


def _greedy(postings: dict[Key, list[int]], weight: dict[str, float], min_support: int,
            owner: dict[int, int], first_id: int = 0) -> list[Key]:
    """Greedy cover: the best (support × summed weight) candidate takes the texts it still
    covers (`owner[text]`: its topic number, -1 while untaken). A candidate's score only
    falls as texts are taken, so a stale heap entry is rescored and requeued instead of
    rescoring every candidate each round."""

    def score(key: Key, support: int) -> float:
        return support * sum(weight[t] for t in key)

    heap = [(-score(k, len(v)), k) for k, v in postings.items() if len(v) >= min_support]
    heapq.heapify(heap)
    keys: list[Key] = []
    while heap:
        _, key = heapq.heappop(heap)
        live = [i for i in postings[key] if owner[i] < 0]
        if len(live) < min_support:
            continue
        current = score(key, len(live))
        if heap and current < -heap[0][0]:
            heapq.heappush(heap, (-current, key))
            continue
        for i in live:
            owner[i] = first_id + len(keys)
        keys.append(key)
    return keys


def cluster(items: Sequence[TopicItem], limit: int | None = 10) -> list[TopicCluster]:
    """Group texts by topic; the `limit` largest clusters (None: all), largest first."""
    docs = [terms_of(it.text) for it in items]
    n = len(docs)
    if n == 0:
        return []
    df = Counter(t for terms in docs for t in set(terms))
    domain = _domain()
    # log(1 + n/df): like IDF on a large batch, but a small one (a county's week) does not
    # let a word seen twice outweigh the crop seen three times
    weight = {t: math.log(1 + n / c) * (_DOMAIN_BOOST if t in domain else 1.0)
              for t, c in df.items()}

    # candidate topics: shared single terms and shared pairs (neither inside the other)
    postings: dict[Key, list[int]] = defaultdict(list)
    for i, terms in enumerate(docs):
        shared = sorted((t for t in terms if df[t] >= _MIN_SHARED),
                        key=lambda t: (-weight[t], t))[:_TERMS_PER_TEXT]
        for t in shared:
            postings[(t,)].append(i)
        for a, b in combinations(sorted(shared), 2):
            if a not in b and b not in a:
                postings[(a, b)].append(i)
    owner = dict.fromkeys(range(n), -1)
    keys = _greedy(postings, weight, _MIN_SHARED, owner)

    # leftovers join the topic whose common terms (its key, and any term half its texts
    # share) they share the most weight with; a text sharing none stands alone
    profile: dict[str, list[int]] = defaultdict(list)
    members: dict[int, list[int]] = defaultdict(list)
    for i, c in owner.items():
        if c >= 0:
            members[c].append(i)
    for c, key in enumerate(keys):
        counts = Counter(t for i in members[c] for t in set(docs[i]))
        for t in {*key, *(t for t, k in counts.items() if k * 2 >= len(members[c]))}:
            profile[t].append(c)
    for i, terms in enumerate(docs):
        if owner[i] >= 0:
            continue
        shared_w: dict[int, float] = defaultdict(float)
        for t in set(terms):
            for c in profile.get(t, ()):
                shared_w[c] += weight[t]
        if shared_w:
            owner[i] = min(shared_w, key=lambda c: (-shared_w[c], c))
        else:
            owner[i] = len(keys)
            keys.append(tuple(sorted(terms, key=lambda t: (-weight[t], t))[:1]))

    members = defaultdict(list)
    for i, c in owner.items():
        members[c].append(i)
    groups: list[tuple[Key, list[int]]] = []
    for c, idx in members.items():
        groups.extend(_refine(keys[c], idx, docs, weight))
    clusters = [_describe(key, idx, items, docs, weight) for key, idx in groups]
    clusters.sort(key=lambda c: (-c.count, -c.questions, c.label))
    return clusters if limit is None else clusters[:limit]


def _refine(key: Key, idx: list[int], docs: list[list[str]], weight: dict[str, float]
            ) -> list[tuple[Key, list[int]]]:
    """Split a broad single-term topic by a second term most of a sub-group shares:
    "柑橘" with 300 texts becomes "柑橘 · 修剪", "柑橘 · 发黄" … and "柑橘" for the rest. An
    article is written about a crop's problem, not about a crop."""
    min_support = max(_SPLIT_MIN, math.ceil(len(idx) * _SPLIT_SHARE))
    if len(key) != 1 or len(idx) < 2 * min_support:
        return [(key, idx)]
    postings: dict[Key, list[int]] = defaultdict(list)
    for i in idx:
        for t in docs[i]:
            if not any(t in k or k in t for k in key):
                postings[(t,)].append(i)
    local = dict.fromkeys(idx, -1)
    subkeys = _greedy(postings, weight, min_support, local)
    out: list[tuple[Key, list[int]]] = [
        ((*key, *sub), [i for i in idx if local[i] == s]) for s, sub in enumerate(subkeys)]
    rest = [i for i in idx if local[i] < 0]
    if rest:
        out.append((key, rest))
    return out


def _describe(key: tuple[str, ...], idx: list[int], items: Sequence[TopicItem],
              docs: list[list[str]], weight: dict[str, float]) -> TopicCluster:
    products = _products()
    terms = list(key)
    inside = Counter(t for i in idx for t in set(docs[i]) if t not in key)
    third = {t: c for t, c in inside.items() if t in _domain()}
    if len(terms) < 3 and len(idx) >= 3 and third:  # a dictionary term most of it shares
        extra, c = min(third.items(), key=lambda kv: (-kv[1], -weight[kv[0]], kv[0]))
        if c * 2 >= len(idx) and not any(extra in t or t in extra for t in terms):
            terms.append(extra)
    terms.sort(key=lambda t: (t not in products, -inside.get(t, len(idx)), t))
    label = " · ".join(terms) if terms else "（无法归类）"

    typical = sorted(idx, key=lambda i: (-sum(t in docs[i] for t in terms),
                                         items[i].source != QUESTION, len(items[i].text),
                                         items[i].id))
    examples: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for distinct_only in (True, False):  # prefer examples that say different things
        for i in typical:
            text = " ".join((items[i].example or items[i].text).split())[:_EXAMPLE_CHARS]
            said = tuple(docs[i])
            if not text or text in examples or len(examples) == _EXAMPLES or (
                    distinct_only and said in seen):
                continue
            examples.append(text)
            seen.add(said)
    cities = Counter(city_name(items[i].region_code) for i in idx)
    regions = sorted(cities.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    q_ids = sorted(items[i].id for i in idx if items[i].source == QUESTION)
    n_ids = sorted(items[i].id for i in idx if items[i].source == NEED)
    return TopicCluster(label=label, terms=terms, count=len(idx), questions=len(q_ids),
                        needs=len(n_ids), regions=regions, examples=examples,
                        question_ids=q_ids, need_ids=n_ids)


# ---- from the store ---------------------------------------------------------------------------

def unmet_items(engine: Engine, region: str | Scope | None, since: datetime,
                until: datetime) -> list[TopicItem]:
    """Abstained questions asked in [since, until) and needs created then that are unmatched
    now, in the region (a city includes its counties; None: the whole province)."""
    scope = resolve_scope(region)
    q_where = [QuestionLog.abstained.is_(True), QuestionLog.at >= since, QuestionLog.at < until]
    n_where = [Need.status == NeedStatus.unmatched, Need.created_at >= since,
               Need.created_at < until]
    if not scope.is_province:
        q_where.append(scope.where(QuestionLog.region_code))
        n_where.append(scope.where(Need.region_code))
    items: list[TopicItem] = []
    with engine.connect() as conn:
        for qid, text, code in conn.execute(
                select(QuestionLog.id, QuestionLog.text, QuestionLog.region_code)
                .where(*q_where).order_by(QuestionLog.id)):
            items.append(TopicItem(QUESTION, qid, text or "", code))
        for nid, title, description, keywords, products, code in conn.execute(
                select(Need.id, Need.title, Need.description, Need.keywords, Need.products,
                       Need.region_code).where(*n_where).order_by(Need.id)):
            items.append(TopicItem(NEED, nid, _need_text(title, description, keywords, products),
                                   code, example=description or title or ""))
    return items


def _need_text(title: str, description: str, keywords: Iterable[str] | None,
               products: Iterable[str] | None) -> str:
    """The need's own words first (examples show them); keywords and products add terms."""
    main = description or title or ""
    extra = [w for w in [*(products or []), *(keywords or [])] if w and w not in main]
    return " ".join([main, *extra]).strip()


def unmet_topics(engine: Engine, region: str | Scope | None, since: datetime,
                 until: datetime, limit: int | None = 10) -> list[TopicCluster]:
    """Topic clusters of the abstained questions and unmatched needs in [since, until)."""
    return cluster(unmet_items(engine, region, since, until), limit=limit)
