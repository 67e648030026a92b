"""The need record (科技所需) as matching sees it, before and after it is stored.

`NeedDraft` is what extraction produces from chat text: every slot of DESIGN.md's need record
plus `missing`, the required slots the dialog still has to ask for. Contact details pulled
out of the text live in `contact` and never appear in `to_json()` or in the description.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from knowledge import gazetteer, taxonomy
from matching import slots
from matching.slots import problem_text
from retrieval.tokenize import fix_typos

KINDS = ("question", "service", "rd_challenge", "talent", "achievement_transfer")
URGENCIES = ("urgent", "soon", "normal")
CONFIDENTIALITY = ("public", "experts_only")

# The order in which the dialog asks for missing slots, with the Chinese question for each.
SLOT_QUESTIONS: dict[str, str] = {
    "description": "请具体说说遇到了什么问题、想达到什么效果（比如作物/产品、症状、规模）。",
    "region": "您在哪个市、县（区）？我们优先为您找附近的专家。",
    "urgency": "这件事急不急？可以回复：很急（这周内）/ 尽快（这个月）/ 不急。",
    "budget": "大概能承担多少费用？可以说“五万左右”，也可以说“面议”。",
    "contact_consent": "专家接单后，是否同意把您的联系方式告诉这位专家？（同意 / 不同意）",
}
KIND_LABELS = {"question": "技术咨询", "service": "技术服务", "rd_challenge": "技术攻关",
               "talent": "人才需求", "achievement_transfer": "成果转化"}
URGENCY_LABELS = {"urgent": "紧急", "soon": "尽快", "normal": "不急"}
# a need's status as people read it, in chat and in the console alike
NEED_STATUS_LABELS = {"draft": "待确认", "open": "已发布", "offered": "等待专家接单",
                      "matched": "已对接", "in_service": "服务中", "closed": "已完成",
                      "cancelled": "已取消", "unmatched": "待人工对接"}


@dataclass
class NeedDraft:
    description: str = ""
    kind: str = "service"
    title: str = ""
    discipline: str = ""
    discipline_code: str | None = None
    keywords: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    region_code: str | None = None
    urgency: str | None = None
    budget: float | None = None
    budget_text: str = ""
    confidentiality: str = "public"
    visibility_set: bool = False  # the requester said public or not (asked of enterprises)
    problem_asked: bool = False  # what the problem is was asked again already: never a third time
    county_asked: bool = False  # a city said alone: its county asked once, never again
    requester_role: str = "citizen"
    contact_consent: bool | None = None
    remote_ok: bool = False
    contact: dict[str, str] = field(default_factory=dict)
    status: str = "draft"
    missing: list[str] = field(default_factory=list)
    source: str = "rules"  # "rules" or "llm"

    @property
    def region_name(self) -> str:
        region = gazetteer.get(self.region_code) if self.region_code else None
        return region.name if region else ""

    def full_region_name(self) -> str:
        return gazetteer.display_name(self.region_code)

    def city_only(self) -> bool:
        """The place is a city that has counties, none of them said ("泸州的")."""
        region = gazetteer.get(self.region_code) if self.region_code else None
        return region is not None and region.level == "city"

    def recompute_missing(self) -> list[str]:
        """Required slots still empty, in the order the dialog should ask for them."""
        missing = []
        # "想找个专家帮忙，预算两万" names no problem, "种了二十亩猕猴桃，想找个专家" only
        # what is grown: ask what the problem is
        # ("羊拉稀", "鱼死了", "牛不吃": a word of trouble is a problem, however short)
        size = problem_size(self.description)
        # (people to hire or a technology to buy are named, not a trouble: "想招两个懂发酵的技术员")
        # ("想找个专家来指导下做腊肠": how to make it is what is wanted)
        if not self.problem_asked and not _HOW_TO_GROW.search(self.description) and not (
                self.kind in ("talent", "achievement_transfer") and size >= 3) and (
                (size < 4 and not (size >= 2 and TROUBLE.search(self.description)))
                or only_names_a_product(self.description, self.products)):
            missing.append("description")
        if (self.region_code is None and not self.remote_ok) or (
                not self.county_asked and self.city_only() and not self.remote_ok):
            # ("泸州的": which county, asked once; "我在凉山 想视频咨询下专家": the city will do)
            missing.append("region")
        if self.urgency is None:
            missing.append("urgency")
        if self.kind != "question" and self.budget is None and not self.budget_text:
            missing.append("budget")
        if self.contact_consent is None:
            missing.append("contact_consent")
        self.missing = missing
        return missing

    def to_json(self) -> dict[str, Any]:
        """The need record of DESIGN.md (contact details excluded, by design)."""
        data = asdict(self)
        data.pop("contact")
        data.pop("visibility_set")
        data.pop("problem_asked")
        data.pop("county_asked")
        data["region"] = self.full_region_name()
        data["urgency"] = self.urgency or "normal"
        data["contact_consent"] = bool(self.contact_consent)
        data["has_contact"] = bool(self.contact)
        return data

    def summary_lines(self) -> list[str]:
        """The confirmation card shown before a need is published (Chinese)."""
        lines = [f"【{KIND_LABELS.get(self.kind, self.kind)}】{self.title}"]
        if self.region_code:
            lines.append(f"地区：{self.full_region_name() or self.region_name}")
        elif self.remote_ok:
            lines.append("地区：不限（可远程）")
        if self.discipline:
            lines.append(f"领域：{self.discipline}")
        if self.products:
            lines.append(f"涉及：{'、'.join(self.products)}")
        lines.append(f"紧急程度：{URGENCY_LABELS.get(self.urgency or 'normal')}")
        if self.kind != "question" or self.budget is not None or self.budget_text:
            # (a consultation's cost is not asked; said anyway, it is shown and can be edited)
            lines.append(f"预算：{_budget_label(self)}")
        lines.append("公开范围：" + ("仅匹配的专家可见" if self.confidentiality == "experts_only"
                                 else "公开"))
        lines.append("联系方式：" + ("专家接单后告知" if self.contact_consent
                                 else "不直接提供（不告诉专家，专家通过平台留言联系您）"))
        return lines


def _budget_label(need: NeedDraft) -> str:
    if need.budget is not None:
        if need.budget >= 10_000:
            return f"约 {need.budget / 10_000:g} 万元"
        return f"约 {need.budget:g} 元"
    if need.budget_text:  # "看着给", "没得钱": 面议, with what they said
        if "面议" in need.budget_text:
            return "面议"
        # ("一分钱都莫得" keeps only 都莫得: no money, said)
        return "面议（没得钱）" if slots.NO_MONEY.search(need.budget_text) or re.fullmatch(
            r"都?(?:没|莫)(?:得|有)", need.budget_text) else f"面议（{need.budget_text}）"
    return "未说明"


# how much and how many of a product, and who to see: not a problem ("种了二十亩", "养了五百只")
_HOW_TO_GROW = re.compile(r"(指导|教|学|培训|带)[^，,。！!？?]{0,8}"
                          r"(种植|养殖|栽培|育苗|种|养|喂|做|制作|加工|腌|酿|熏)|"
                          # "想在竹林里种天麻 想找个专家来指导": what they mean to start
                          r"(想|打算|准备)(在[^，,。！!？?\s]{1,8})?(试着?|开始|新)?(种|养|栽)(?!了)")
_HOLDING = re.compile(r"[种养做搞开卖了的有\d一二两三四五六七八九十百千万几多来]+"
                      r"[亩只头棵株箱吨斤口条窝个]*|兽医|农技员|"
                      # the trade itself ("做竹荪烘干的"): what they do, not what is wrong
                      r"烘干|初加工|深加工|精加工|加工|种植|养殖|生产|销售|批发|收购|育苗|维修|修理|和|及|"
                      # what the product is made into ("做竹笋罐头的"): the trade again
                      r"罐头|酱|调料|底料|饮料|果汁|果酒|白酒|腊肉|香肠|粉条|粉丝|米粉|干货|零食|"
                      r"食品|制品|"
                      # who they are ("我们是…的小作坊", "在犍为"): not what is wrong either
                      r"我们?是?|咱们?|小?作坊|小?厂|公司|合作社|企业|在|这边|那边|"
                      # where it grows ("来看看我的猕猴桃园"): still no problem
                      r"园子?|基地|大棚|棚|地|田|山|场|圈|塘|家里|家头|屋头|屋里|一家|一个|"
                      # the trip asked for ("请个专家到我们兔场来一趟")
                      r"到|来?一?趟")


# words of trouble: a symptom, a loss, a pest ("死", "拉稀", "不吃", "烂", "长虫")
TROUBLE = re.compile(r"死|瘟|疫|拉稀|拉肚子|腹泻|不吃|烂|枯|黄|蔫|掉|落|咳|喘|肿|瘸|病|虫|霉|裂|"
                      r"不长|不出|不结|减产|发臭|臭|胀|漏|坏|锈|斑|生蛆|发热|发烧|抽|跑了|飞跑|逃")


def only_names_a_product(text: str, products: list[str]) -> bool:
    """"我是崇州的，种了二十亩猕猴桃" / "我们是做竹荪的": the product and how much of it, and
    nothing about what is wrong or wanted."""
    if not products or _HOW_TO_GROW.search(text):
        return False  # ("想找专家指导羊肚菌种植": how to grow it is what is wanted)
    rest = problem_text(fix_typos(text))  # ("弥猴桃园": the product, typed by ear)
    for product in sorted(products, key=len, reverse=True):
        rest = rest.replace(product, " ")
    for product in products:  # "四十几箱蜂": the 蜜蜂 said short
        rest = rest.replace(product[-1], " ")
    rest = _HOLDING.sub(" ", rest)
    return not _content(rest) and not TROUBLE.search(rest)


def problem_size(text: str) -> int:
    """How much of the text says what the problem is (characters left once who, where,
    when, how much and the request itself are taken out)."""
    return len(_content(problem_text(text)))


def _content(text: str) -> str:
    """What carries meaning: CJK characters, or Latin words when there are at least two
    (so "asdf" or "😀😀" is no description, "PLC 程序 bug" is)."""
    cjk = "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")
    if len(cjk) >= 2:
        return cjk + "".join(ch for ch in text if ch.isascii() and ch.isalnum())
    words = re.findall(r"[A-Za-z]{2,}", text)
    return "".join(words) if len(words) >= 2 else ""


def discipline_name(code: str | None) -> str:
    d = taxonomy.get(code) if code else None
    return d.name if d else ""
