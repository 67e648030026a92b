"""The need journey: free text (and what was said just before) becomes a need record; missing
slots are asked one at a time; a card is confirmed before anything is published.

States: `need:describe` (the next text describes the need), `need:slot:<name>` (one missing
slot asked), `need:edit` (the next text corrects the card), `need:confirm` (the card shown).
"""

from __future__ import annotations

import re
from dataclasses import asdict

from bot import texts
from bot.journeys import acts, ask, words
from bot.journeys.base import Deps, Step, Turn, options
from delivery.messages import Button
from knowledge import gazetteer
from matching import slots
from matching.extract import (
    CARD_FIELDS,
    MONEY_SAID,
    changes_a_field,
    fill_others,
    fill_slot,
    find_products,
    says_no_amount,
)
from matching.need import SLOT_QUESTIONS, TROUBLE, NeedDraft, problem_size
from matching.offers import sent_message
from matching.slots import advice_only, parse_kind, region_meant, says_remote
from retrieval import smalltalk, subjects
from retrieval.intent import asks
from retrieval.safety import assess

# the quick answers offered with a form's question
_QUICK: dict[str, list[tuple[str, str]]] = {
    "urgency": [("很急（这周内）", "urgent"), ("尽快（这个月）", "soon"), ("不急", "normal")],
    "budget": [("面议", "面议")],
    "contact_consent": [("同意", "同意"), ("不同意", "不同意")],
}
_SLOT_ANSWER = {"urgent": "很急", "soon": "尽快", "normal": "不急"}
# asides inside a form: answered with a word, the form's question asked again
_ASIDE = ("out_of_scope", "joke", "chat", "capabilities", "intro", "hours", "cost", "process",
          "privacy")
# the phone or consent spoken of ("没得啥子不同意的 给他嘛" answers, whatever 啥 it has)
_OF_CONTACT = re.compile(r"电话|联系方式|号码|手机|微信|联系|同意|给他|给她|给专家|给嘛|给噻|留")
# a question back about the prompt itself, not a 科普 question asked inside the form
_ABOUT_SLOT = {"urgency": re.compile("急"), "region": re.compile("地区|哪里|地方|哪个县|在哪|位置"),
               "contact_consent": re.compile("电话|联系|号码|手机")}
# the price asked back at the budget prompt: "专家一般要好多钱嘛", "你们收费不", "要钱不"
_PRICE_ASKED = re.compile(r"(要|收|给|出)(好多|多少|几多)(钱|块)|好多钱|多少钱|收费|要钱|免费|"
                          r"贵不贵|啥价")
# the whole message asks what it costs ("要不要钱哦", "专家收不收费")
_ONLY_PRICE = re.compile(r"(那|请问|问下)?(专家|你们|这个|请人|请专家)?.{0,4}"
                         r"(要不要钱|要钱不|要钱吗|收不收(费|钱)|收费不|收费吗|要收费吗|要好多钱|要多少钱|花好多钱|免不免费|"
                         r"要?收好多钱?|要?收多少钱?|收费贵不贵|贵不贵|"
                         r"是不是免费的?|免费不)[哦嘛呢啊吗哈？?\s]*")
# a question asked by the way, before the request
_BY_THE_WAY = re.compile(r"^\s*(顺便|对了|另外|还有个事|再问|问一?[下哈])")
# a request after a question typed without punctuation
_THEN_REQUEST = re.compile(r"[，,\s]+(?:(?:顺便|然后|再|另外|还有|也)"
                           # ("另外我们民宿想请专家…": who wants it may come between)
                           r"(?:(?:我们|我|咱们)[^，,。？?\s]{0,4}?)?(?:想|还想|要)?"
                           r"(?:帮|请|喊|找|给)|"
                           r"(?:帮|给)(?:我们?|忙)?(?:找|请|喊)个?专家|"
                           # ("另外我们所想在荥经找个茶园做试验 需要当地农技人员配合")
                           r"(?:另外|然后|还有)(?:我们|我|咱们)[^，,。？?\s]{0,2}(?:想|还想|要|打算)"
                           r"[^，,。？?\s]{0,6}?(?:找|请|喊|做|搞|开展))")
# "田块咋个改造" asks how to do it; 改造 is no service asked for here
_HOW_TO = re.compile(r"(咋个|怎么|如何|怎样|咋)(弄|搞|整|来|去)?"
                     r"(改造|设计|规划|优化|维修|调试|评估|检测|化验|鉴定|诊断|培训)")
_ASK_LEAD = re.compile(r"(?<![不没])(想|我想|我)?问(一?下|哈|个事)")
# the prompt answered, then a question by the way: "尽快。顺便问下，…", "我在威远县 对了 问一下 …"
_THEN_ASKED = re.compile(r"[，,。！!；;\s]+(?:诶|哎|欸|噢|哦|嗯)?[，,\s]*"
                         r"((?:对了|顺便|另外|还有个事|还有(?=[，,\s])|再问|顺带|哦对)[，,\s]*"
                         r"(?:问一?[下哈句]|请问)?|(?:先|再)?问一?[下哈句个]|请问)")
# a message that asks something ("明天成都下不下雨哦"), not one that only tells
# ("好几年了", "三十几只" count; they ask nothing)
_ASKS_SOMETHING = re.compile(r"[？?]|吗|呢|咋|怎么|啥|什么|多少|(?<![好了])(?<![十百千0-9])几|"
                             r"(.)不\1|"
                             r"没得?[嘛哦]?$|"
                             r"(?<=[^不])不$")  # "…可以直接排到河沟头不"
_SHORT_ANSWER = 12  # characters: an answer to the form's question, not a new topic


def _negotiable(text: str) -> bool:
    """"看着给嘛 我也不晓得该好多钱", "这个我真的不晓得要好多钱 你们说嘛": money talk that
    says 面议, however long."""
    budget = slots.parse_budget(text)
    return (budget is not None and budget.amount is None) or says_no_amount(text)


_ASKING_WORDS = re.compile(r"想问|请问|问一?[下哈]|好[大久深高长远宽]|合不合适|朗个|啷个|如何|哪|"
                           r"要不要|能不能|可不可以|有没有|行不行|得行不|"
                           # "温度控制在好多", "一亩施好多菜籽饼": how much, after its verb
                           r"(?<=[施放打用喂撒加兑配要在到吃喝])好多|"
                           # "人工授粉是上午弄还是下午弄": one or the other, asked
                           r"(?<![那算])[\u4e00-\u9fff]{2}还是(?!算)[\u4e00-\u9fff]{1,6}"
                           r"[呢嘛哦啊]?[？?]?$")
_CLAUSE_START = re.compile(r"[，,。！!；;\s]+")


def _request_clause(text: str) -> int:
    """Where the clause asking for an expert starts (0 when it is the first or none)."""
    m = words.NEED_REQUEST.search(text)
    if m is None:
        return 0
    starts = [c.end() for c in _CLAUSE_START.finditer(text, 0, m.start())]
    return starts[-1] if starts else 0


def answer_then_aside(text: str) -> tuple[str, str]:
    """The short answer a message opens with and what it says after "对了", "顺便问下" …
    ("九寨沟县 对了 有人落水救起来了 …"); ("", text) when it opens with no such answer."""
    m = _THEN_ASKED.search(text)
    if m is None or m.start() == 0 or m.start() > _SHORT_HEAD or not text[m.end():].strip():
        return "", text
    return text[:m.start()].strip(), text[m.end():].strip()


_SHORT_HEAD = 12  # characters: "九寨沟县", "很急 这周内", "两千左右"


def answers_the_prompt(t: Turn, text: str) -> bool:
    """Whether the text answers the form's open question ("尽快嘛" when asked how urgent)."""
    name = t.state.removeprefix("need:slot:")
    if t.state == "need:confirm" and "draft" in t.data and text:
        # "好 刚才那个需求 确认发布" at the card: the yes it asks for
        return bool(words.AGREE.match(text) or words.agrees(text)
                    or words.publishes_last(text, edits_nothing=True))
    if not t.state.startswith("need:slot:") or "draft" not in t.data or not text:
        return False
    return fill_slot(NeedDraft(**t.data["draft"]), name, text)


def slot_buttons(slot: str) -> list[Button]:
    """The quick answers offered with a form's question ("很急（这周内）", "面议", "同意")."""
    return [Button(label, f"slot:{slot}:{value}") for label, value in _QUICK.get(slot, [])]


def _ask_slot(slot: str, t: Turn, text: str | None = None) -> None:
    # how many times running this question was asked again (a budget asked twice is not
    # asked a third time)
    t.data["asked_again"] = t.data.get("asked_again", 0) + 1 \
        if t.data.get("asking") == slot else 0
    t.data["asking"] = slot
    t.say(text or SLOT_QUESTIONS.get(slot, ""), options(t, slot_buttons(slot)))


# ---- entry points ---------------------------------------------------------------------------
def open_need(deps: Deps, arg: str, t: Turn) -> None:
    t.state = "need:describe"
    t.say(texts.NEED_PROMPT)


def resume(deps: Deps, t: Turn) -> None:
    """"刚才说到哪了": the open question of the form again, nothing taken from the words."""
    if t.state == "need:describe" or "draft" not in t.data:
        t.say(texts.NEED_PROMPT)
    else:
        show(deps, NeedDraft(**t.data["draft"]), t)


def from_words(deps: Deps, text: str, t: Turn, about: str | None = None) -> None:
    """A request typed at rest. What was said just before belongs to it: "我们是绵阳游仙区做泡菜
    的小厂", "袋装泡菜发酵老是胀袋", then "想找个专家帮忙解决，预算两万左右". `about`: the
    question the request is for (answered a turn or two before), when not among those."""
    if costs := [c for c in re.split(r"[，,。！!？?\s]+", text)
                 if c and smalltalk.classify(c) == "cost"]:
        # "我要找专家 你们这个收不收钱哦 先说清楚": what it costs, and the form (the cost
        # question is no problem of theirs)
        t.say(smalltalk.REPLY["cost"])
        for asked in costs:
            text = text.replace(asked, " ")
    # (an emergency told just before is over: "紧急！工人晕倒在池底" gives no urgency to
    # "事后拟邀请安全生产专家来厂培训")
    said = [*(s for s in ask.recent(deps, t) if assess(s).kind not in ("emergency", "fire")),
            text]
    if about and assess(about).kind not in ("emergency", "fire") \
            and not any(about in s or s in about for s in said):
        said.insert(0, about)  # ("兔儿死了好几个", "要得", "我在盐亭", "急得很")
    t.data.pop("recent", None)
    # "袋装泡菜老是胀袋", "顺便问一下 泡菜亚硝酸盐好久最高", "想找个专家": the question asked by
    # the way was answered; the trouble reported is the need
    kept = [s for s in said[:-1] if not _BY_THE_WAY.match(s)]
    if len(kept) < len(said) - 1 and any(problem_size(s) >= 4 for s in kept):
        said = [*kept, text]
    if (own := find_products(text)) and problem_size(text) >= 4:
        # "打农药要咋个防护" (answered), then "我家李子树流胶 想找专家来看下": a request naming
        # its own crop and trouble is the need; a question before on none of its crops is not
        said = [*(s for s in said[:-1] if not (asks(s) and not _shares_a_crop(s, own))), text]
    elif problem_size(text) >= 4:
        # "那一天头哪个时候最好莫下地" (answered), then "我想找人来测下土 看看缺啥子肥": a
        # request naming its own trouble; a question before on nothing of it is not the need
        said = [*(s for s in said[:-1] if not (
            asks(s) and not deps.answerer.shares_a_subject(s, text))), text]
    # "溃疡病打啥子药？想请个专家来看看": the question is answered, then the form
    parts, cut = words.SENTENCES.split(text), ""
    if (m := _THEN_REQUEST.search(text)) and m.start() > 0:
        # "…树皮都烂了 朗个整 顺便帮我找个专家来看下", "…先说下咋防 再帮我们找个专家": said
        # without a question mark, the question before the request
        parts = [*words.SENTENCES.split(text[:m.start()]), text[m.start():]]
    elif (start := _request_clause(text)) > 0 and asks(
            before := words.NOT_KNOWING.sub("", text[:start]).strip(" ，,。")) and (
            _ASKS_SOMETHING.search(before) or _ASKING_WORDS.search(before)):
        # "油菜菌核病用药关键期是啥时候 我们合作社在渠县有八百亩油菜 想请专家来做个方案":
        # everything before the request clause is the question ("不晓得咋回事" asks nothing)
        parts = [text[:start], text[start:]]
    elif (m := _THEN_ASKED.search(text)) and words.NEED_REQUEST.search(text[:m.start()]) and (
            _ASKS_SOMETHING.search(text[m.end():]) or _ASKING_WORDS.search(text[m.end():])):
        # "…想找专家设计粪污处理 另外问下沼液可以直接排到河沟头不": the question asked by the
        # way after the request is answered; the request alone is the need
        parts = [text[m.end():]]
        said[-1] = text[:m.start()]
        cut = text[m.end():]
    elif (req := words.NEED_REQUEST.search(text)) and (
            end := _CLAUSE_START.search(text, req.end())) and (
            rest := text[end.end():].strip(" ，,。！!")) and (
                _ASKS_SOMETHING.search(rest) or _ASKING_WORDS.search(rest)):
        # "想咨询一下专家 我在蓬安 屋头羊子好久驱一次虫哦", "我是平武一个茶叶合作社的会计
        # 想线上请教一下专家 茶树鸡爪枝多了要咋个剪": the request, then the question
        parts = [rest]
    # ("我们是射洪一家植保服务公司 …想问下无人机打药风大了还能不能飞": from where it asks)
    parts = [(p[m.start():] if (m := _ASK_LEAD.search(p)) else p).strip(" ，,") for p in parts]
    asked = [p for p in parts if p and asks(p) and (_ASKS_SOMETHING.search(
                 q := words.NOT_KNOWING.sub("", p)) or _ASKING_WORDS.search(q))
             and (parse_kind(p) == "question" or _HOW_TO.search(p))
             and smalltalk.classify(p) is None]
    if asked and len(asked[0]) < len(text):
        question = asked[0]
        if (at := text.find(question)) > 0 and ((
                not find_products(question)
                and (not subjects.classes(question) or re.search(r"[他她它]", question)))
                or ("person" in subjects.classes(text[:at])
                    and "person" not in subjects.classes(question))):
            # "…茶小绿叶蝉很严重，请问有什么绿色防控办法？另外想请专家…": what it asks about
            # was said before the question ("我屋头老汉糖尿病 想问下一天吃好多蔬菜": whose
            # vegetables — a diabetic's)
            question = text[:at + len(question)]
        ask.answer(deps, question, t, inside_form=True, asking_expert=True)
    draft = deps.matcher.extract("。".join(said), role=t.role)
    if cut:
        # ("…想请兽医来给牛驱虫 顺便教下咋个驱 急得很 一千左右 同意": the answers said after
        # the question asked by the way still fill the form)
        fill_others(draft, cut)
        draft.recompute_missing()
    if draft.region_code and says_remote(text) and region_meant(text) is None:
        # "…康定水的沸点好多度", then "想找个会剪科普视频的人 远程就行": help from anywhere,
        # not at a place named in another matter
        draft.region_code, draft.remote_ok = None, True
        draft.recompute_missing()
    if draft.region_code is None and not draft.remote_ok and (code := ask.place(deps, t)):
        draft.region_code = code  # said a few messages ago, before thanks or small talk
        draft.recompute_missing()
    if t.role == "enterprise" and draft.kind == "question" and not asks(text) \
            and not advice_only(text):
        # a firm stating its problem wants it solved, not explained: a service, with a budget
        # (unless it asks for advice in so many words: "想请教一哈专家绿茶揉捻的问题")
        draft.kind = "service"
        draft.recompute_missing()
    show(deps, draft, t)


def _shares_a_crop(text: str, crops: list[str]) -> bool:
    """Whether the text names one of these crops or animals (李子 and 青脆李 are one, and so
    are 茶树 and 茶园)."""
    return any(p in c or c in p for p in map(subjects.bare_crop, find_products(text))
               for c in map(subjects.bare_crop, crops))


def forward(deps: Deps, arg: str, t: Turn) -> None:
    """The "ask a local expert" button under an unanswered question."""
    question = t.data.get("last_question")
    if not question:
        t.say(texts.NO_QUESTION)
        return
    t.say(texts.FORWARD_START)
    draft = deps.matcher.extract(question, role=t.role)
    draft.kind = "question"
    draft.recompute_missing()
    show(deps, draft, t)


# ---- states ---------------------------------------------------------------------------------
def describe(deps: Deps, text: str, t: Turn) -> None:
    show(deps, deps.matcher.extract(text, role=t.role), t)


def edit(deps: Deps, text: str, t: Turn) -> None:
    draft = NeedDraft(**t.data["draft"])
    if words.EDIT_REQUEST.match(text):  # "修改", then "要改": what to change, asked again
        t.state = "need:edit"
        t.say(texts.EDIT_PROMPT)
        return
    if (back := words.back_to_before(text)) is not None and _put_back(deps, back, t):
        return  # ("修改" → "还是按原来的"): the field as it was before the last change
    if _PROBLEM_REWRITTEN.match(text):
        _rewrite_problem(deps, text, t)  # ("修改" → "问题改成…")
        return
    if wrong := _wrong_without_value(draft, text):
        t.state = "need:confirm"  # ("修改" → "地区不对"): the right value asked for
        t.say(texts.FIX_FIELD[wrong])
        return
    said = _CHANGE_DROPPED.sub("", text)
    if words.agrees(said) and not _changes_a_field(t, text):
        # "修改" → "算了不改了 就这样发布": the change given up, published; a bare "不改了"
        # shows the card again, to be confirmed
        if words.says_yes_beyond_no_change(said):
            publish(deps, t)
        else:
            show(deps, draft, t)
        return
    _remember_before(t, draft)
    fill_slot(draft, "description", text)
    _note_changes(t, draft)
    show(deps, draft, t)


# the card fields a "改回去" can put back, each with the draft attributes it holds
_REVERTIBLE = {"region": ("region_code", "remote_ok"), "budget": ("budget", "budget_text"),
               "urgency": ("urgency",), "confidentiality": ("confidentiality", "visibility_set")}


def _remember_before(t: Turn, draft: NeedDraft) -> None:
    t.data["card_before"] = {f: [getattr(draft, a) for a in attrs]
                             for f, attrs in _REVERTIBLE.items()}


def _note_changes(t: Turn, draft: NeedDraft) -> None:
    """Keep, for each field this edit changed, its value before ("预算还是按原来的嘛")."""
    before = t.data.pop("card_before", {})
    changed = {f: old for f, old in before.items()
               if old != [getattr(draft, a) for a in _REVERTIBLE[f]]}
    if changed:
        t.data["undo"] = changed


def _put_back(deps: Deps, field: str, t: Turn) -> bool:
    """The field (or the one changed last, for "") as it was before; False if unknown."""
    undo: dict[str, list] = t.data.get("undo") or {}
    field = field or (next(iter(undo)) if len(undo) == 1 else "")
    if field not in undo:
        return False
    draft = NeedDraft(**t.data["draft"])
    for attr, value in zip(_REVERTIBLE[field], undo.pop(field), strict=True):
        setattr(draft, attr, value)
    draft.recompute_missing()
    t.data["undo"] = undo
    show(deps, draft, t)
    return True


# the problem itself said again, to replace what the card says: "问题改成柑橘叶子黄还掉果"
_PROBLEM_REWRITTEN = re.compile(r"^(?:把)?(?:问题|标题|题目|需求|内容|情况)(?:描述)?(?:那里|那儿)?"
                                r"(?:改成|改为|换成|写成|应该是|重新写成?)[：:，,\s]*"
                                r"(?P<p>[^，,。！!？?].{3,})$")


def _rewrite_problem(deps: Deps, text: str, t: Turn) -> None:
    """The problem replaced by what is said now; place, urgency, money, consent and
    visibility stay as they were on the card."""
    old = NeedDraft(**t.data["draft"])
    said = _PROBLEM_REWRITTEN.match(text).group("p")  # type: ignore[union-attr]
    new = deps.matcher.extract(said, role=t.role)
    for attr in (*CARD_FIELDS, "kind", "visibility_set", "contact", "requester_role"):
        setattr(new, attr, getattr(old, attr))
    new.recompute_missing()
    show(deps, new, t)


# a change given up before a yes: "算了不改了 就这样发布"
_CHANGE_DROPPED = re.compile(r"^(?:那|哎呀)?算了[，,\s]*(?=不用?再?改|不改|没得改|就这样|就按)")
# who else decides: the boss, the family, the village
_WHO_ELSE = (r"(?:老板|领导|经理|厂长|社长|村长|书记|屋头人?|家里人?|我爸|我妈|老公|老婆|媳妇|爱人|"
             r"儿子|女儿|他们)")
# someone else asked first, and nothing else said: "等我问下老公", "这个要问下我们老板"
_ASKING_FAMILY = re.compile(r"^(?:好|行|嗯|那|哦)?[，,\s]*(?:这个|这)?"
                            r"(?:等我|我先|我去|先|我|要|得)*问一?[下哈](?:我们|我家)?" + _WHO_ELSE
                            + r"(?:再说|再来|先|看看|的意思)?[嘛哈哦了吧，,。\s]*$")
# the answer put off: "let me check with my manager first", "我问下老板再说", "商量一下"
_DEFERRED = re.compile(r"check with|let me check|ask my|问一?下" + _WHO_ELSE + r"|"
                       r"商量一?下|请示|考虑一?下|想一?想|再说|等我|回头再|先问问?", re.IGNORECASE)
# pushing back on the question, saying nothing of the problem
_PUSHBACK = re.compile(r"问(?:那么|这么|恁个|好)多(?:干啥子?|做啥子?|干嘛|搞啥)?|来了就晓得了?|"
                       r"莫问了|别问了|少废话|啰嗦|你问这些|问这些(?:干啥|做啥)|快点|赶紧|搞快点")
# why so many questions ("搞快点" at the budget prompt is a hurry, kept for the urgency)
_WHY_ASKED = re.compile(r"问(?:那么|这么|恁个|好)多|问这些|莫问了|别问了")
# a question about who the experts are, in any step of the form
_WHO_THE_EXPERTS = re.compile(r"专家.{0,4}(是|在)?(哪里|哪儿|哪个|哪些|啥子|什么|谁|"
                              r"靠不靠谱|靠谱不|可靠不|有没有资质|有资质不|水平咋样|水平怎么样)|"
                              r"(省里|县里|市里|大学)头?的?还是")


def slot(deps: Deps, text: str, t: Turn) -> None:
    """An answer to the slot asked — or to another still open, an aside, a question, or more
    about the problem; never a loop of the same question."""
    t.outcome = "need"
    name = t.state.removeprefix("need:slot:")
    draft = NeedDraft(**t.data["draft"])
    if _ASKING_FAMILY.match(text):
        # "这个要问下我们老板" at the budget prompt: nothing asked of us, nothing answered yet;
        # the form waits, the question again
        t.say(texts.ASK_THEM_FIRST)
        _ask_slot(name, t)
        return
    if name == "region" and (county := t.data.get("same_named")) and (
            city := region_meant(text)) is not None and city.level == "city" and (
            meant := gazetteer.resolve(city.name + county)) is not None:
        # "乐山的" after "市中区": that city's county of the name
        t.data.pop("same_named")
        fill_slot(draft, name, meant.full_name)
        fill_others(draft, text)
        show(deps, draft, t)
        return
    if name == "region" and region_meant(text) is None and (
            same := gazetteer.same_named(text)):
        # "市中区": 乐山 and 内江 both have one — which, rather than "没有识别出地区"
        t.say(_which_city(same, t))
        return
    if name == "region" and t.data.get("asked_again", 0) >= _REGION_GIVEN_UP \
            and not t.data.get("same_named") and not draft.city_only() \
            and not fill_slot(NeedDraft(**t.data["draft"]), name, text) \
            and not words.asks_inside_form(text) and not words.leaves(text):
        # the place asked three times and still not said ("不慌", "同意", "确认"): noted as
        # help from afar for now, said so, and the rest of the form goes on — the card shows
        # it and one word changes it; never the question a fourth time
        draft.remote_ok = True  # (the kind stays: a visit may still be wanted)
        draft.recompute_missing()
        fill_others(draft, text)
        t.say(texts.REGION_LEFT_OPEN)
        show(deps, draft, t)
        return
    if name in _GIVEN_UP and t.data.get("asked_again", 0) >= _GIVEN_UP[name] \
            and not fill_slot(NeedDraft(**t.data["draft"]), name, text) \
            and not words.asks_inside_form(text):
        # the budget asked twice already and still no amount ("同意", then "莫公开哈"): 面议;
        # the urgency asked three times ("八九千", "同意", "确认"): 不急 — with what else was
        # said, shown on the card to change, never the question once more
        fill_others(draft, text)
        if name == "budget":
            draft.budget, draft.budget_text = None, "面议"
        else:
            draft.urgency = "normal"
        draft.recompute_missing()
        show(deps, draft, t)
        return
    if name in ("region", "urgency", "budget", "description") and (
            words.takes_up_offer(text) or words.only_thanks(text)) \
            and not fill_slot(NeedDraft(**t.data["draft"]), name, text):
        # "要得 麻烦你了" after "我帮您请当地专家来看看": thanks, and the question again (never
        # "没有识别出地区")
        _ask_slot(name, t)
        return
    if name == "description" and _PUSHBACK.search(text) \
            and problem_size(_PUSHBACK.sub(" ", text)) < 3:
        # "你问那么多干啥子 来了就晓得了 快点": why it is asked, and the question again
        t.say(texts.PROBLEM_WHY)
        _ask_slot(name, t)
        return
    if ((name in texts.SLOT_WHY and _PUSHBACK.search(text))
            or (name == "budget" and _WHY_ASKED.search(text))) \
            and not fill_slot(NeedDraft(**t.data["draft"]), name, text):
        # "你问那么多做啥子 不想说" at the region prompt: why it is asked, and the question
        # again (its 不想说 is no 面议 of a budget not yet asked; at the budget prompt the
        # grumble is never more about the problem for the experts to read)
        t.say(texts.SLOT_WHY.get(name, texts.BUDGET_WHY))
        _ask_slot(name, t)
        return
    if words.confused(text) or (words.sounds_confused(text) and not words.answers_a_form(text)):
        # "你说啥子", "啥意思", "啥子县哦 没听懂": the question again, more plainly
        _ask_slot(name, t, texts.SLOT_PLAIN.get(name))
        return
    if name in texts.SLOT_WHY and ((words.only_asks_back(text) and _ABOUT_SLOT[name].search(text))
                                   or words.worried_back(text) or words.checks_back(text)):
        # ("问这个做啥子哦 会不会把我屋头地址公开出去", "电话给专家 会不会遭骚扰哦": a worry
        # asked back, no answer, whatever words of the answer it holds)
        # "急不急？你们还分急不急的哦？急的是不是要多给钱？": a question back, not an answer —
        # why we ask, then the question again
        t.say(texts.SLOT_WHY[name])
        _ask_slot(name, t)
        return
    if _WHO_THE_EXPERTS.search(text) and not fill_slot(NeedDraft(**t.data["draft"]), name, text):
        # "你们的专家是哪里的 省里头的还是县里的" at the consent prompt: who they are, then the
        # question again (never a learned guess of a yes)
        t.say(texts.WHO_THE_EXPERTS)
        _ask_slot(name, t)
        return
    if name == "budget" and says_no_amount(text) and not fill_slot(
            NeedDraft(**t.data["draft"]), name, text):
        # "不晓得给好多", "这个我真的不晓得要好多钱 你们说嘛": the amount left open, 面议
        draft.budget, draft.budget_text = None, "面议"
        fill_others(draft, text)
        show(deps, draft, t)
        return
    if name == "budget" and draft.kind == "service" and slots.NO_VISIT.search(text) \
            and advice_only(text) and not fill_slot(NeedDraft(**t.data["draft"]), name, text):
        # "不用来人 电话或者视频给我说哈就行": a consultation after all, which asks no budget
        fill_others(draft, text)
        show(deps, draft, t)
        return
    if name != "budget" and _ONLY_PRICE.fullmatch(text.strip()):
        # "要不要钱哦" at the urgency prompt: what it costs, then the question again
        t.say(texts.COST_IN_FORM)
        _ask_slot(name, t)
        return
    if name == "budget" and _PRICE_ASKED.search(text) and not fill_slot(
            NeedDraft(**t.data["draft"]), name, text):
        if (m := _THEN_ASKED.search(text)) and words.asks_inside_form(
                tail := text[m.start(1):].strip()) and not _PRICE_ASKED.search(tail):
            # "要好多钱嘛 先问下 穗颈瘟啥时候打药最好": the question by the way answered too
            ask.answer(deps, tail, t, inside_form=True)
        t.say(texts.PRICE_ASKED, options(t, slot_buttons(name)))
        return
    if (m := _THEN_ASKED.search(text)) and (
            (aside := smalltalk.classify(tail := text[m.start(1):].strip())) in _ASIDE
            or words.asks_inside_form(tail)) and fill_slot(draft, name, text[:m.start()]):
        # "尽快。顺便问下，柑橘冬季清园要喷啥子药", "我在威远县 对了 问一下 …好久才能摘",
        # "同意。对了，明天旺苍下不下雨？": the answer to the prompt taken, the question
        # answered (or declined), then the form goes on
        if aside in _ASIDE:
            t.say(smalltalk.REPLY[aside or "chat"])
        else:
            ask.answer(deps, tail, t, inside_form=True)
        show(deps, draft, t)
        return
    if m and words.asks_inside_form(tail := text[m.start(1):].strip()) and not fill_slot(
            NeedDraft(**t.data["draft"]), name, text[:m.start()]):
        # "预算还在报批，先问一下，茶小绿叶蝉啥时候最凶？": no answer yet, a question by the
        # way — answered, and the prompt asked again
        ask.answer(deps, tail, t, inside_form=True)
        _ask_slot(name, t)
        return
    if (m := _HEAD_THEN.match(text)) and words.asks_inside_form(tail := m.group(2)) and (
            asks(tail) or words.ASKING.search(tail)) \
            and not words.says_a_field(tail, place=False) and not fill_slot(
                NeedDraft(**t.data["draft"]), name, tail) and fill_slot(draft, name, m.group(1)):
        # "很急 那个木虱要啥时候打药哦": the answer, then a question with no "顺便" — both
        ask.answer(deps, tail, t, inside_form=True)
        show(deps, draft, t)
        return
    aside = smalltalk.classify(text)
    if aside == "out_of_scope" and name in ("budget", "contact_consent") and (
            len(text) <= _SHORT_ANSWER or _negotiable(text)) and fill_slot(
            NeedDraft(**t.data["draft"]), name, text):
        # "没得好多钱，面议嘛" at the budget prompt: money talk is the answer (a lottery
        # question with an amount in it is not)
        aside = None
    if aside == "out_of_scope" and name == "budget" and (
            tail := re.split(r"[？?]|…+|\.{2,}", text)[-1].strip()) != text.strip() and \
            tail and fill_slot(NeedDraft(**t.data["draft"]), name, tail):
        aside = None  # "费用？婆婆问要好多钱嘛……那就四百": the answer after the question back
    if aside == "out_of_scope" and name == "budget" and slots.parse_budget(text) is not None \
            and slots.parse_budget(text).amount is not None and not _ASKS_SOMETHING.search(
                re.sub(r"好多钱", "", text)):
        aside = None  # "奶奶说给不起好多钱 五百嘛": an amount said, nothing asked
    if aside == "out_of_scope" and name == "urgency" and (_URGENCY_SAID.search(
            re.split(r"[，,。！!？?\s]", text.strip())[0]) or (
                not _ASKS_SOMETHING.search(text) and not smalltalk.always_out(text)
                and slots.parse_urgency(text) is not None)):
        # "尽快，旅游旺季之前要弄完": the answer first, whatever else it mentions ("帮我写封
        # 信给我儿子，就说屋头不急用钱" is still the letter)
        aside = None
    if aside == "process" and (head := re.split(r"[，,。！!？?\s]", text.strip())[0]) != \
            text.strip() and fill_slot(draft, name, head):
        # "行嘛，专家大概好久能到嘛？" at the consent prompt: a yes, then how it goes on
        t.say(smalltalk.REPLY[aside])
        show(deps, draft, t)
        return
    if aside == "chat" and name != "description" and not asks(text) and fill_slot(
            NeedDraft(**t.data["draft"]), name, text):
        aside = None  # "问了半天还要问急不急 肯定急噻 这周": a grumble, and the answer
    if aside in _ASIDE:
        # "明天成都下不下雨哦" at the urgency prompt: declined, never read as "明天" = urgent
        t.say(smalltalk.REPLY[aside or "chat"])
        _ask_slot(name, t)
        return
    # ("春见果子挂在树上 寒潮来之前要做啥子" at the urgency prompt asks; 之前 is no deadline)
    asked = words.asks_inside_form(text) and bool(
        _ASKS_SOMETHING.search(text) or _ASKING_WORDS.search(text)) and not _MIND_CHANGED.search(
        text)  # ("哦不对不对 …还是这个月就来嘛" changes its answer; 对不对 asks nothing)
    # ("仔猪拉稀要不要喂抗生素" at the consent prompt asks; its 不要 is no refusal)
    # ("这周嘛 落了好几天雨了 越来越凶": the first words answer; 好几天 asks nothing)
    said_first = slots.parse_urgency(re.split(r"[，,。！!？?\s]", text.strip())[0]) is not None
    if (name != "urgency" or not asked or _URGENCY_SAID.search(text) or said_first) and (
            name != "contact_consent" or not asked or _OF_CONTACT.search(text)) and (
            # ("咋个预防嘛" when asked which county of 乐山: a question, not "不清楚")
            name != "region" or not asked or slots.region_meant(text) is not None
            or slots.parse_remote(text)
            # ("具体哪个县我不清楚": not knowing which, said; its 哪 asks nothing)
            or (words.NOT_KNOWING.search(text) and not _ASKS_SOMETHING.search(text))) and fill_slot(
            draft, name, text):
        fill_others(draft, text)
        show(deps, draft, t)
        return
    # "很急" at the region prompt, "三千" at the consent prompt: an answer to another question
    # still open is taken, and the open one asked again (a filled one too: "其实不急" when
    # asked the budget is a change of mind)
    # (consent only said in so many words: "好 120来了" is no yes to sharing a phone number)
    # "基地地址更正：不在安岳，在雁江区" at the consent prompt: the place corrected too
    moved = slots.PLACE_CORRECTED.search(text) and "region" not in draft.missing
    # ("那挖洋芋之前要不要把藤藤割了哦" asks; its 之前 is no deadline for the need)
    others = [o for o in (*draft.missing, "urgency", "budget", *(["region"] if moved else []))
              if o not in (name, "description")
              and (o != "contact_consent" or slots.parse_contact_consent(text) is not None)
              and (o != "contact_consent" or not asked or _OF_CONTACT.search(text))
              and (o != "urgency" or not asked or _URGENCY_SAID.search(text))
              # ("血压计上显示160 100 这个算不算高血压哦", "保健品三千多一盒 可不可信":
              # numbers in a question are what it asks about, not a budget)
              and (o != "budget" or not asked)
              # ("罐头…胀罐 一批要坏几百罐" at the urgency prompt: a loss counted, no money)
              and (o != "budget" or MONEY_SAID.search(text) is not None)
              # ("1" at the region prompt picks nothing; it is never a budget of 1 yuan)
              and (o != "budget" or not re.fullmatch(r"\s*\d{1,2}\s*", text))]
    for other in dict.fromkeys(others):
        before = draft.summary_lines()
        if fill_slot(draft, other, text):
            fill_others(draft, text)
            if changed := [line for line in draft.summary_lines() if line not in before
                           and line.startswith(("地区：", "紧急程度：", "预算："))]:
                # "地区错了 厂在彭山" at the budget prompt: the change said, then the question
                t.say(texts.NOTED.format(what="；".join(changed)))
            show(deps, draft, t)
            return
    if slots.states_visibility(text):  # (before the learned guess: a rule said it)
        # "这个不要公开哈，配方要保密" at the consent prompt: noted, and the question again
        draft.confidentiality = slots.parse_confidentiality(text)
        draft.visibility_set = True
        t.data["draft"] = asdict(draft)
        _ask_slot(name, t)
        return
    guess = acts.act("consent" if name == "contact_consent" else "slot", text)
    if guess == "yes" and _DEFERRED.search(text):
        # "…let me check with my manager first": no answer yet, never a yes (nor more
        # about the problem): the question stays open
        _ask_slot(name, t)
        return
    if guess == "leave" and not words.STILL_WANTS.search(text):
        # "领导意见：暂不外请专家…": the words no list holds ("那算了 还是找个专家来看下嘛"
        # still asks for the expert: never mind the cost, not leaving)
        _leave(t)
        return
    if guess == "yes" and _DOUBT.search(text) and not _OF_CONTACT.search(text):
        # "好像不太好吧": a learned yes never gives the phone away on a doubt
        _ask_slot(name, t)
        return
    if guess in ("yes", "no") and (not asked or _OF_CONTACT.search(text)):
        # "不消得留电话 有事在平台上说" ("仔猪拉稀要不要喂抗生素" asks: no guess of a no)
        draft.contact_consent = guess == "yes"
        draft.recompute_missing()
        show(deps, draft, t)
        return
    if problem_size(text) >= 6 and not words.asks_inside_form(text):
        # "猪圈里好几头母猪不吃食还发烧…" at the region prompt: more about the problem
        fill_slot(draft, "description", text)
        show(deps, draft, t)
        return
    if words.asks_inside_form(text):
        # "对了，溃疡病现在打啥子药？" inside the form: answered, then the form goes on
        ask.answer(deps, text, t, inside_form=True)
        _ask_slot(name, t)
        return
    if words.NEED_REQUEST.search(text) or words.FORWARD_WORDS.match(words.YES_FIRST.sub("", text)):
        # "帮我们找个专家" again, "可以 转给专家嘛": the question, not "请回复…"
        _ask_slot(name, t)
        return
    if name == "budget" and t.data.get("retried") == name:
        # a second answer with no amount ("给嘛", "你莫问了"): 面议, never the question a third
        # time
        draft.budget, draft.budget_text = None, "面议"
        draft.recompute_missing()
        show(deps, draft, t)
        return
    t.data["retried"] = name
    _ask_slot(name, t, texts.SLOT_RETRY.get(name))


def confirm(deps: Deps, text: str, t: Turn) -> None:
    """The card is shown: only a whole message of agreement publishes it."""
    if words.confused(text) or (words.sounds_confused(text)
                                and not _changes_a_field(t, text)):
        # "啥意思", "你说啥子 看不懂": what the card is and what to reply, the card again
        t.say(texts.CARD_PLAIN)
        show(deps, NeedDraft(**t.data["draft"]), t)
    elif words.EDIT_REQUEST.match(text):  # "要改": what to change asked, nothing published
        t.state = "need:edit"
        t.say(texts.EDIT_PROMPT)
    elif (back := words.back_to_before(text)) is not None and _put_back(deps, back, t):
        pass  # "预算还是按原来的嘛": the field as it was before the last change
    elif _PROBLEM_REWRITTEN.match(text):
        _rewrite_problem(deps, text, t)  # "问题改成柑橘叶子黄还掉果": the problem said anew
    elif _ONLY_PRICE.fullmatch(text.strip()):
        # "专家收费不" at the card: what it costs, the card again (nothing added or published)
        t.say(texts.COST_IN_FORM)
        show(deps, NeedDraft(**t.data["draft"]), t)
    elif words.AGREE.match(text) or words.agrees(text) or text == texts.CONFIRM:
        # the whole message agrees: "对了，仔猪要补液不" is a question, not a yes
        publish(deps, t)
    elif words.agrees_then_asks(text) or (
            # a field named that is already on the card edits nothing ("只是电话不给 可以 发了")
            words.publishes_last(text, edits_nothing=True)
            and (not words.FIELD_EDIT.search(text) or not _changes_a_field(t, text))):
        publish(deps, t)  # ("可以 发嘛 发了专家啥时候联系我？": the reply says who will call)
    elif _WHO_THE_EXPERTS.search(text) and not words.FIELD_EDIT.search(text):
        # "你们的专家都是哪里的" at the card: who they are, the card again (nothing added)
        t.say(texts.WHO_THE_EXPERTS)
        show(deps, NeedDraft(**t.data["draft"]), t)
    elif words.asks_what_next(text) and not words.FIELD_EDIT.search(text) \
            and not _changes_a_field(t, text):  # ("还是同意嘛 不然专家咋个联系我": consent)
        # "嗯 然后发布了以后好久有人接哦": told what happens, the card again (nothing published)
        t.say(texts.WHAT_NEXT)
        show(deps, NeedDraft(**t.data["draft"]), t)
    elif (m := words.HOLD.match(text)) and (words.FIELD_EDIT.search(text[m.end():]) or (
            not words.ASKING.search(text[m.end():]) and _changes_a_field(t, text[m.end():]))):
        # "等哈，地区改成雨城区", "等哈 也不是好急 这个月来就行": the change, not a refusal
        edit(deps, text[m.end():], t)
    elif (m := words.HOLD.match(text)) and words.asks_inside_form(text[m.end():]):
        # "等哈 先问一句 柑橘冬天清园咋个弄": a pause, then a question — answered, card again
        ask.answer(deps, text[m.end():], t, inside_form=True)
        show(deps, NeedDraft(**t.data["draft"]), t)
    elif (m := words.REFUSE_AND_FIX.match(text)) and m.group("fix").strip():
        # "不得行，不是两千，是800": not published; what follows is the correction
        edit(deps, m.group("fix"), t)
    elif wrong := _wrong_without_value(NeedDraft(**t.data["draft"]), text):
        # "地区不对" with no new value: the right one asked for; the next words edit the card
        t.say(texts.FIX_FIELD[wrong])
    elif words.REFUSE.match(text) or _NOT_RIGHT.match(text):
        # "不得行", "好像不对", "不是这样的": nothing published, nothing appended
        _not_yet(t)
    elif words.CHANGE.search(text) and _changes_a_field(t, text):
        edit(deps, text, t)  # "紧急程度能不能改成尽快？": a change asked for, not a question
    elif not words.ASKING.search(text) and _changes_a_field(t, text):
        edit(deps, text, t)  # "我老公说先观察几天 不急了": 几天 asks nothing here
    elif (m := _BECAUSE_OTHERWISE.search(text)) and m.start() > 0 \
            and _changes_a_field(t, text[:m.start()]):
        # "哦不对 还是同意 不然他咋个打给我": the change; why is no question, nor the need's
        edit(deps, text[:m.start()], t)
    elif _ASKING_FAMILY.match(text) and not _changes_a_field(t, text):
        # "等我问下老公": someone else is asked first, nothing is asked of us; the card stays
        show(deps, NeedDraft(**t.data["draft"]), t)
    elif words.asks_inside_form(text):  # "对了，仔猪要补液不": answered, card again
        ask.answer(deps, text, t, inside_form=True)
        show(deps, NeedDraft(**t.data["draft"]), t)
    elif (aside := smalltalk.classify(text)) in _ASIDE or words.only_thanks(text):
        # "哦对了 明天眉山下不下雨" at the card: declined, the card unchanged and shown again
        # ("谢谢哈" thanks: nothing is published until the card is confirmed)
        t.say(smalltalk.REPLY["thanks" if words.only_thanks(text) else aside or "chat"])
        show(deps, NeedDraft(**t.data["draft"]), t)
    elif _DEFERRED.search(text) and not _changes_a_field(t, text):
        # "好的 我问下老板再说": nothing published, nothing added; the card stays
        show(deps, NeedDraft(**t.data["draft"]), t)
    elif not _changes_a_field(t, text) and (guess := acts.act("card", text)) is not None:
        # words no list holds, changing nothing on the card: "要得 整起" agrees, "领导意见：
        # 本需求请取消" leaves
        if guess == "agree" and not _STILL_EDITING.search(text) \
                and not _DOUBT.search(text):  # ("还要改", "好像不对" are no yes)
            publish(deps, t)
        elif guess == "agree":
            _not_yet(t)
        else:
            _leave(t)
    else:  # anything else is a change to the need
        edit(deps, text, t)


# the card said to be wrong, with nothing of what is wrong
_NOT_RIGHT = re.compile(r"^(?:好像|感觉|有点|有些)?(?:不对|不太对|不是这样的?|不是这个意思|"
                        r"不是这么回事|搞错了|弄错了|错了)[哦嘛啊呀了的吧哈。！!]*$")
# a doubt or a no in words a learned yes must not publish: "好像不对", "不是这样的"
_DOUBT = re.compile(r"不(?!错|(?:用|要)?改)|没(?!得?问题|得?意见|毛病|得?改)|"
                    r"莫(?!得问题|得意见|改)|"
                    r"别(?!改)|(?<![不没])错|吗|[？?]|好像|"
                    r"是不是|对不对")
# a change still wanted ("还要改"), not one ruled out ("不改了 确认")
_STILL_EDITING = re.compile(r"(?<![不莫别用要])改")
# a short answer first, then the rest of the message: "很急 那个木虱要啥时候打药哦"
_HEAD_THEN = re.compile(r"^\s*([^，,。！!？?\s]{1,8})[，,。！!\s]+(.{4,})$")
# the reason given for a change: "不然他咋个打给我" asks nothing of anyone
_BECAUSE_OTHERWISE = re.compile(r"(?:不然|要不然|否则)[^，,。]{0,6}(?:咋个?|怎么|哪个|咋样)")


def _changes_a_field(t: Turn, text: str) -> bool:
    """Whether the text, read as a change to the card, changes any field of it."""
    return changes_a_field(NeedDraft(**t.data["draft"]), text)


def _not_yet(t: Turn) -> None:
    """Nothing published; the card's three choices offered again."""
    t.say(texts.NOT_PUBLISHED, options(t, [
        Button(texts.CONFIRM, "need:confirm"), Button(texts.EDIT, "need:edit"),
        Button(texts.DROP, "need:cancel")]))


def _wrong_without_value(draft: NeedDraft, text: str) -> str | None:
    """The slot of a card field said to be wrong with no new value ("地区不对"), or None
    ("紧急程度改一下，改成尽快" says the value: a change)."""
    wrong = words.wrong_field(text)
    if wrong is None or changes_a_field(draft, text):
        return None
    return None if fill_slot(NeedDraft(**asdict(draft)), wrong, text) else wrong


def _leave(t: Turn) -> None:
    t.reset()
    t.say(texts.CANCELLED)


# ---- buttons --------------------------------------------------------------------------------
def slot_button(deps: Deps, arg: str, t: Turn) -> None:
    name, _, value = arg.partition(":")
    if not t.state.startswith("need:slot:") or name != t.state.removeprefix("need:slot:"):
        t.say(texts.STALE_BUTTON)
        return
    slot(deps, _SLOT_ANSWER.get(value, value), t)


def card_button(deps: Deps, arg: str, t: Turn) -> None:
    if t.state != "need:confirm":  # a button of an older card
        t.say(texts.STALE_BUTTON)
    elif arg == "confirm":
        publish(deps, t)
    elif arg == "edit":
        t.state = "need:edit"
        t.say(texts.EDIT_PROMPT)
    elif arg == "private":
        draft = NeedDraft(**t.data["draft"])
        draft.confidentiality, draft.visibility_set = "experts_only", True
        show(deps, draft, t)
    else:
        t.reset()
        t.say(texts.CANCELLED)


# ---- the form and the card ------------------------------------------------------------------
# re-asks of a question (an aside re-asks it too) after which an answer without it is taken
# as 面议 / 不急
_GIVEN_UP = {"budget": 1, "urgency": 2}
_REGION_GIVEN_UP = 2  # the place asked this many times again with no answer: left open


def _which_city(same: tuple[gazetteer.Region, ...], t: Turn) -> str:
    """The question for a county name several cities share, remembered for the answer."""
    t.data["same_named"] = same[0].name
    return texts.WHICH_CITY.format(county=same[0].name, cities="、".join(
        gazetteer.display_name(r.parent_code) for r in same))


def show(deps: Deps, draft: NeedDraft, t: Turn) -> None:
    """Ask the first missing slot, or show the card to confirm."""
    t.outcome = "need"
    draft.requester_role = t.role if t.role != "citizen" else draft.requester_role
    if draft.missing[:1] == ["description"] and t.state == "need:slot:description":
        # asked what the problem is and twice answered with something else ("南江", "不急"):
        # what was said is taken as it is, and the form goes on — never a loop
        if t.data.get("retried") == "description":
            draft.problem_asked = True
            draft.recompute_missing()
        t.data["retried"] = "description"
    if draft.missing[:1] == ["budget"] and t.state == "need:slot:budget" \
            and t.data.get("retried") == "budget":
        # asked the budget twice, then answered something else ("看效果再说", then "同意"):
        # 面议, never the budget question a third time
        draft.budget, draft.budget_text = None, "面议"
        draft.recompute_missing()
    if t.state == "need:confirm":
        draft.county_asked = True  # ("地区改成乐山" at the card: the city, no question)
        draft.recompute_missing()
    city = draft.missing[:1] == ["region"] and draft.city_only()
    draft.county_asked = draft.county_asked or city  # ("泸州的": which county, once)
    if "region" not in draft.missing[:1]:
        t.data.pop("same_named", None)  # (a county name asked about is settled)
    t.data["draft"] = asdict(draft)
    if draft.missing:
        name = draft.missing[0]
        if t.state != f"need:slot:{name}":
            t.data.pop("retried", None)
        t.state = f"need:slot:{name}"
        prompt = texts.COUNTY_ASK.format(city=gazetteer.display_name(
            draft.region_code)) if city else None
        if name == "region" and draft.region_code is None and (
                same := gazetteer.same_named(draft.description)):
            # "我在市中区 …": which city's, asked at once
            prompt = _which_city(same, t)
        _ask_slot(name, t, prompt)
        return
    t.state = "need:confirm"
    t.data.pop("asking", None)  # (a question asked after the card starts its count anew)
    t.data.pop("asked_again", None)
    lines = [texts.SUMMARY_HEAD, *draft.summary_lines()]
    added = [_ADDED_LEAD.sub("", line).strip() for line in draft.description.split("\n")[1:]]
    # (the title already shows an addition it was taken from: "想找个专家", then "蜂子跑了")
    # (nor a line that only asks for an expert: "想找个食品发酵方面的专家来厂里看看")
    if added := [a for a in added if a and a not in draft.title and draft.title not in a
                 and not (words.NEED_REQUEST.search(a) and not TROUBLE.search(a))]:
        # "补充一下 还有叶子发黄": what was added after the first description, seen on the card
        lines.insert(2, "补充：" + _shorter("；".join(added), _ADDED_CHARS))
    buttons = [Button(texts.CONFIRM, "need:confirm"), Button(texts.EDIT, "need:edit"),
               Button(texts.DROP, "need:cancel")]
    if draft.requester_role == "enterprise" and not draft.visibility_set:
        # a firm's problem may be a commercial secret: asked on the card, before publishing
        # (last button, so that 1–3 mean the same on every card)
        lines.append(texts.VISIBILITY_ASK)
        buttons.append(Button(texts.PRIVATE, "need:private"))
    t.say("\n".join(lines), options(t, buttons))


_ADDED_CHARS = 60
# the urgency said in so many words (not "明天" in a weather question)
_MIND_CHANGED = re.compile(r"不对|说错|搞错|改成|改为|其实|还是")
_URGENCY_SAID = re.compile(r"急|尽快|尽早|抓紧|早点|慢慢|不慌|等得")
_ADDED_LEAD = re.compile(r"^((问题)?再?补充(一下|一点|说明|两点|几句|一句|个情况)?|再说一下|"
                         # "还要加一句 去年也这样"
                         r"(?:还要|还|再|我)?(?:加|添)(?:一句|一点|两句|几句|个情况)|"
                         r"还有个情况)[：:，,。\s]*")


def _shorter(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def publish(deps: Deps, t: Turn) -> None:
    t.outcome = "need"
    draft = NeedDraft(**t.data["draft"])
    need_id = deps.offers.create_need(draft, requester_id=t.person_id,
                                      conversation_id=t.conversation_id,
                                      actor=f"person:{t.person_id}",
                                      transcript=t.data.get("transcript", []),
                                      source_key=f"{t.channel}:{t.key}" if t.key else None)
    outcome = deps.offers.confirm(need_id, actor=f"person:{t.person_id}")
    if outcome.code == "not_draft" and t.key:
        # this message published it before its worker died: say where it stands (and
        # dispatch it, if the worker died before that), never send anything twice
        outcome = deps.offers.published(need_id)
    t.reset()
    # say only what happened: offers sent, handed to staff (nobody to ask), or — the
    # dispatch failed — published and waiting for the background job to dispatch it
    if outcome.code == "offered" and outcome.offers:
        t.say(texts.PUBLISHED.format(sent=sent_message(len(outcome.offers) - outcome.calls,
                                                       outcome.calls)))
    elif outcome.code == "unmatched":
        t.say(texts.PUBLISHED_NONE)
    else:
        t.say(outcome.message)


TEXT: dict[str, Step] = {"need:describe": describe, "need:slot": slot, "need:edit": edit,
                         "need:confirm": confirm}
BUTTONS: dict[str, Step] = {"menu:need": open_need, "forward": forward, "slot": slot_button,
                            "need": card_button}
