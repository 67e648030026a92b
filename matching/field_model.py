"""Which 一级学科 a paper or project title belongs to, read from its characters.

A naive Bayes model over character unigrams and bigrams, trained on what the deployment
already has: every profile's research directions and achievements under its 一级学科, the
field terms (knowledge/data/field_terms.csv), the product words (products.csv) and the
disciplines' own names. Characters carry a field where whole words are unseen: 鲈 is in the
水产 profiles' 鲈鱼, 雨 in the 大气科学 terms 暴雨 and 极端降水, so "大口黑鲈" and "夜雨" find
their field though no profile or term says them. Only titles use it (`rank.infer_discipline`);
a farmer's request names its problem, and its words are matched as they are.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from knowledge import taxonomy
from store.models import Scientist

# profiles read per 一级学科: enough to learn a field's characters; a million-profile store
# is not read whole
PER_FIELD = 200
TERM_WEIGHT = 1.0      # a field term counts as one profile line
PRODUCT_WEIGHT = 0.5   # a product word hints more weakly (鸡 is 畜牧 and 食品 alike)
NAME_WEIGHT = 2.0      # the field's own name
ALPHA = 0.1            # additive smoothing


# the wording every paper title shares, whatever its field ("…的影响因素研究", "基于…的…分析"):
# read as characters, 影响、研究 sided with whichever field's profiles happen to say them
# (9%Ni钢焊接…影响因素研究 went to 环境科学 for its 影响 and 研究, not to 材料 for 焊接)
_BOILERPLATE = re.compile(r"基于|研究|影响|因素|分析|机制|机理|方法|应用|及其|进展|综述|探讨|初探|"
                          r"评价|构建|优化|条件|过程中|特征|规律|作用|效果|关系|策略|路径|不同|"
                          r"相关|变化|的|对|与|及|和|在|下")


def _grams(text: str) -> list[str]:
    out: list[str] = []
    for t in _BOILERPLATE.split(taxonomy.normalize(text)):
        out += [*t, *(t[i:i + 2] for i in range(len(t) - 1))]
    return out


class FieldModel:
    def __init__(self, examples: Iterable[tuple[str, str, float]],
                 staffed: Iterable[str] = ()) -> None:
        """`examples`: (一级学科 code, text, weight); `staffed`: the fields with profiles."""
        self.staffed = frozenset(staffed)
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        for code, text, weight in examples:
            for g in _grams(text):
                self.counts[code][g] += weight
        # in how many fields a gram occurs: one that marks a single field weighs most
        self.spread = Counter(g for c in self.counts.values() for g in c)
        self.totals = {code: sum(c.values()) for code, c in self.counts.items()}

    def posterior(self, text: str) -> dict[str, float]:
        """Each field's probability for `text` (empty when no character is known)."""
        grams = [g for g in _grams(text) if g in self.spread]
        if not grams:
            return {}
        n_fields, vocab = len(self.counts), len(self.spread)
        idf = [math.log(1 + n_fields / self.spread[g]) for g in grams]
        scores = {}
        for code, counts in self.counts.items():
            denom = self.totals[code] + ALPHA * vocab
            scores[code] = sum(w * math.log((counts[g] + ALPHA) / denom)
                               for g, w in zip(grams, idf, strict=True))
        # the scores are sums over the grams: scaled by √n so a long title is not overconfident
        top, scale = max(scores.values()), math.sqrt(len(grams))
        odds = {c: math.exp((s - top) / scale) for c, s in scores.items()}
        total = sum(odds.values())
        return {c: v / total for c, v in odds.items()}


def package_examples() -> list[tuple[str, str, float]]:
    """The field terms, product words and field names shipped with the package."""
    out = [(code, term, TERM_WEIGHT) for term, code in taxonomy.field_terms(extra=True).items()]
    out += [(code, word, PRODUCT_WEIGHT) for word, code in taxonomy.product_codes().items()]
    out += [(d.code, d.name, NAME_WEIGHT) for d in taxonomy.all_disciplines()]
    return out


def profile_examples(engine: Engine) -> list[tuple[str, str, float]]:
    """Research directions and achievements of up to PER_FIELD profiles of each field."""
    out: list[tuple[str, str, float]] = []
    with Session(engine) as session:
        codes = session.execute(select(Scientist.discipline_code, func.count())
                                .where(Scientist.discipline_code.is_not(None))
                                .group_by(Scientist.discipline_code)).all()
        for code, _n in codes:
            rows = session.execute(
                select(Scientist.directions, Scientist.achievements)
                .where(Scientist.discipline_code == code)
                .order_by(Scientist.id).limit(PER_FIELD)).all()
            for directions, achievements in rows:
                out += [(code, line, 1.0) for line in (*(directions or []),
                                                       *(achievements or []))]
    return out


def build(engine: Engine) -> FieldModel:
    profiles = profile_examples(engine)
    return FieldModel([*profiles, *package_examples()], staffed={code for code, _, _ in profiles})
