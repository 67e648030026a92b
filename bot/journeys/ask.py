"""The 科普 journey: a question gets a cited answer, or an honest "no vetted answer" with a
button to forward it to a local expert. Follow-ups keep the previous question's topic."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from bot import texts
from bot.journeys import words
from bot.journeys.base import Deps, Step, Turn, menu, options
from delivery.messages import Button
from knowledge import gazetteer
from matching import slots
from matching.need import NeedDraft
from matching.slots import extract_contacts
from retrieval import smalltalk
from retrieval.answer import ABSTAIN_TEXT, THIS_WEATHER, Answer, asker_region
from retrieval.homophones import heard_as
from store import accounts as store_accounts
from store.models import QuestionLog

# a need's intake reads this many earlier messages, said within this long
RECENT_MESSAGES = 3
RECENT_WINDOW = timedelta(minutes=30)


def open_ask(deps: Deps, arg: str, t: Turn) -> None:
    t.state = "ask"
    t.say(texts.ASK_PROMPT)


# a follow-up naming nothing: "那要咋个办", "为啥子会这样嘛"
_NAMES_NOTHING = re.compile(r"(?:那|那么|所以|那我)?(?:要|该|应该|得)?(?:咋个?|怎么|咋样|如何|怎样)"
                            r"(?:办|整|搞|弄|处理|解决)?|(?:那|那么)?(?:为啥子?|为什么)(?:会这样|会这个样子)?"
                            r"[嘛哦啊呀呢喃哇]*[？?]*")


def answer(deps: Deps, text: str, t: Turn, inside_form: bool = False,
           asking_expert: bool = False) -> NeedDraft | None:
    """A cited answer, or an honest "no vetted answer" with a forward-to-expert button.
    `inside_form`: asked while filling in a need; the form's state stays, no buttons.
    `asking_expert`: the same message asks for an expert: "nothing vetted" says so and that
    the expert is being found, never "需要的话，我可以转给专家" before the form's question.
    Returns the need to take to intake at once when the message reports a problem nothing
    vetted answers (the router hands it to the need journey)."""
    if not inside_form:
        t.state = "start"
    logged = question_log(deps, text, t)
    # a place named in the question, else the asker's profile: other regions' local
    # articles (a county's calendar, a city's subsidy) never answer them; the question
    # before gives a follow-up ("那石灰撒多少？") its topic; inside a form the need being
    # described gives the question its subject ("溃疡病打啥子药" while asking for a kiwifruit
    # expert is about kiwifruit canker)
    # (unless a question was answered inside the form just before: "要不要把他倒起来控水"
    # after the drowning answer is about the drowning)
    # (a question answered before it in this conversation joins that context: "石灰啥时候撒好"
    # in a form after the lime questions is about the lime)
    asked_before = t.data.get("last_question")
    weather = t.data.pop("weather", None)
    pointed = bool(weather) and not inside_form and bool(_THIS_WEATHER.search(text))
    if pointed:  # ("今天好热哦", then "屋头老人这种天要注意啥子")
        asked_before, t.data["last_article"] = weather, None
    if asked_before is None and t.data.get("left_topic") and words.asks(text) \
            and not _names_a_crop(text):  # ("那油菜杆杆上长黑颗颗" names its own crop)
        # a question right after leaving a form is about what the form was about
        asked_before = t.data["left_topic"]
    need_text = (t.data.get("draft") or {}).get("description") \
        if inside_form and not t.after_answer else None
    if need_text and asked_before and not deps.answerer.shares_a_subject(asked_before, need_text):
        # ("那一天头哪个时候最好莫下地", then a need to test the soil: the heat is no context
        # of "测土配方是咋个取土的")
        asked_before = None
    previous = "。".join(p for p in (need_text, asked_before) if p) or None
    # (the emergency asked before was thanked for: "谢谢哈 晓得了", then "那一天头哪个时候最好
    # 莫下地" asks about heat, no more first aid)
    settled = asked_before is not None and t.data.get("settled_on") == asked_before
    result = deps.answerer.ask(text, logged.region_code, previous=previous,
                               previous_article=None if need_text
                               else t.data.get("last_article"),
                               settled=settled)
    if t.data.get("last_abstained") and asked_before and not need_text \
            and _NAMES_NOTHING.fullmatch(text.strip()) and not result.safety:
        # "那要咋个办" after a question nothing vetted answers: still nothing (an article
        # the two together find was not good enough for the first)
        result = Answer(ABSTAIN_TEXT, abstained=True, topic=asked_before)
    if result.intent:  # small talk or off-topic, seen by the answerer: not a 科普 need
        if not inside_form:
            weather_said(text, t)
        if inside_form:
            t.say(result.answer)
        elif result.intent == smalltalk.INTRO:
            remember(deps, text, t)
            menu(t, text=result.answer)
        else:
            t.data.pop("recent", None)
            menu(t, text=result.answer)
        return
    said_before = t.data.get("last_answer") == _digest(result.answer)
    t.data["last_answer"] = _digest(result.answer)
    if inside_form and said_before and result.citations and not result.safety:
        # "那咋个办嘛 找个专家来看下" after the answer: the same article's same sentences a
        # second time would bury the form's question under a wall already read
        t.say(texts.SAME_ANSWER)
        return None
    # (the weather read for "这种天" is no subject of the questions after it: "娃娃…烫红了"
    # next is no heat stroke)
    t.data["last_question"] = (text if pointed else result.topic or text)[:2000]
    if settled and not result.safety:
        t.data["settled_on"] = t.data["last_question"]  # (and stays so as the talk goes on)
    t.data["last_article"] = result.citations[0].article_id if result.citations else None
    t.data["last_abstained"] = result.abstained and not result.citations
    # the next turn may follow up on it (read by the router), on an emergency above all
    t.data["answered"] = "emergency" if result.safety in ("emergency", "fire") else True
    t.data["turns_since_answer"] = 0
    if not inside_form:
        remember(deps, text, t)
    if asking_expert and result.abstained and not result.citations:
        t.say(texts.NO_ARTICLE_ASK_EXPERT)
        return None
    lines = [result.answer]
    if result.citations:
        lines.append("出处：" + "；".join(f"[{i}]《{c.title}》"
                                       for i, c in enumerate(result.citations, start=1)))
    if not inside_form:
        t.outcome = "abstained" if result.abstained else "answered"
    logged.abstained, logged.confidence = result.abstained, round(float(result.confidence), 4)
    logged.citations = [c.article_id for c in result.citations]
    t.questions.append(logged)
    if result.abstained and not inside_form and _reports_a_problem(text, t):
        # "鸡死好多", "果子掉" from a farmer, and nothing vetted on it: the expert is the answer,
        # asked for at once rather than offered behind a button
        t.say(texts.NO_ARTICLE_ASK_EXPERT)
        from matching.extract import find_products

        # ("我屋头的茶叶今年发得不好" answered, then "芽芽少 叶子还有点黄": the tea's trouble)
        said = f"{asked_before}。{text}" if asked_before and t.after_answer and not find_products(
            text) and find_products(asked_before) else text
        draft = deps.matcher.extract(said, role=t.role)
        # someone to look at it: a service, its cost asked (unless advice from afar is all
        # that is wanted: "不要专家跑过来 电话头指导一哈就行")
        if draft.kind == "question" and not slots.advice_only(text):
            draft.kind = "service"
            draft.recompute_missing()
        return draft
    # (an answer saying that nothing vetted speaks of what was asked offers the expert too)
    buttons = [Button(texts.FORWARD, "forward")] if (
        result.abstained or result.unread) and not inside_form else []
    t.say("\n".join(lines), options(t, buttons) if buttons else [])
    return None


# the weather a remark speaks of, in the articles' words ("热得遭不住" would find 登革热)
_WEATHER_SAID = ((re.compile(r"热|晒|太阳|闷|高温"), "高温闷热天气"),
                 (re.compile(r"冷|降温|雪|冻|霜"), "天冷取暖"),
                 (re.compile(r"下雨|雨好大|暴雨|落雨"), "暴雨天气"),
                 (re.compile(r"雾"), "大雾天气"))


def weather_said(text: str, t: Turn) -> None:
    """"今天好热哦 热得遭不住", then "屋头老人这种天要注意啥子": the weather said is what
    "这种天" means (no article was read)."""
    if said := next((words for said, words in _WEATHER_SAID if said.search(text)), None):
        t.data["weather"] = said  # (read only by a question that points at it)


_THIS_WEATHER = re.compile(THIS_WEATHER)
# ("我们是乐山五通桥一个做豆腐干的小厂": a firm says what it makes and what it is)
_GROWER = re.compile(r"^(你好|您好|老师好)?[，,\s]*(我|我们)(?:公司|厂|厂里|合作社)?(是|在)"
                     r"[^，,。]{0,12}[，,\s]*(种|养|做|生产|加工)了?"
                     r"(?P<what>[^，,。！!？?\s的]{1,6})的?(?:小厂|厂子?|工厂|企业|公司|合作社|"
                     r"家庭农场|农场|小?作坊|养殖场|基地|专业户|厂家)?[。！!]*$")

_ALSO_CALLED = re.compile(r"[，,\s]*(?:就是|也就是|又叫|俗称|我们叫)[^，,。！!？?\s]{1,5}[。！!]*$")
# "我们是红原瓦切镇的牦牛肉加工厂": where, then what the outfit makes
# ("宜宾江安的，我们是一家锂电材料公司")
_OUTFIT = re.compile(r"^(你好|您好|老师好)?[，,\s]*(?:[^，,。！!？?\s]{2,8}的[，,\s]+)?"
                     r"(我|我们)(?:公司|厂)?(是|在)(?:[^，,。]{0,12}的|一家|一个|家)"
                     r"(?P<what>[^，,。！!？?\s的]{1,6}?)(?:加工厂|加工企业|厂|工厂|公司|企业|"
                     r"合作社|农场|养殖场|基地|厂家|作坊)[。！!]*$")


def _digest(answer: str) -> str:
    """A short mark of an answer's text, kept to notice the same answer given again."""
    return hashlib.sha1(answer.encode()).hexdigest()[:12]


def _reports_a_problem(text: str, t: Turn) -> bool:
    """A grower's or a firm's short report of trouble, asking nothing ("鸡死好多", "羊拉稀")."""
    from matching.need import problem_size
    from retrieval.intent import asks

    said = _LOSS.sub("死了", text)  # "鸡死好多": many died, not "how many"
    return (t.role in ("farmer", "enterprise") and not asks(said)
            and not words.ASKING.search(said) and not words.WHAT_ABOUT.search(said)
            and problem_size(text) >= 2)


_LOSS = re.compile(r"(死|烂|掉|病)了?好多")
_FOLLOW_UP_SHAPE = re.compile(r"^(那|那么|还有|那要是)?[^，,。]{1,12}(呢|嘞|喃)[？?。！!\s]*$")


def introduces(text: str) -> str | None:
    """The crop or animal of a message that only says who is writing and what they grow or
    keep ("老师好 我是苍溪的 种了三十亩红心猕猴桃"): nothing asked, nothing wrong yet."""
    from matching.extract import find_products
    from matching.need import only_names_a_product
    from retrieval.intent import asks

    text = _ALSO_CALLED.sub("", text)  # "种了三十几亩不知火 就是丑柑": the same, named again
    # ("三十几亩" is a count, not "how many")
    if asks(words.SOME.sub("", text)) or words.NEED_REQUEST.search(text) \
            or _FOLLOW_UP_SHAPE.match(text):
        return None  # ("那兔子呢" after a chicken answer asks the same of rabbits)
    products = find_products(text)
    if products and only_names_a_product(text, products):
        return products[0]
    # a crop the product list does not know: "你好，我是通江的，种银耳的"
    for pattern in (_GROWER, _OUTFIT):
        if (m := pattern.match(text)) and m.group("what") not in _NOT_WHAT:
            return m.group("what")
    return None


# what an outfit is or how big, never what it makes ("…加工厂": 厂; "…的小厂": 小)
_NOT_WHAT = frozenset("小 大 厂 小厂 公司 企业 工厂 作坊 基地".split())  # noqa: SIM905


def remember(deps: Deps, text: str, t: Turn) -> None:
    """Keep what was said for a need that may follow ("我是南江县的老农民", a question)."""
    said = [*recent(deps, t), text][-RECENT_MESSAGES:]
    t.data["recent"] = {"at": deps.clock.now().isoformat(), "texts": said}


def note_place(deps: Deps, text: str, t: Turn) -> None:
    """Where the user said they are, kept apart from `recent`: thanks or small talk between
    ("我合江的 鱼塘…咋回事哦", "好些了 谢谢哈", then a request) ends the topic, not the place."""
    if (region := slots.region_meant(text)) is not None:
        t.data["place"] = {"at": deps.clock.now().isoformat(), "code": region.code}


# "成都市温江区", "我在名山": a place and nothing else
_PLACE_ONLY_LEAD = re.compile(r"^(你好|您好)?[，,\s]*(我|我们|俺)?(是|在|住在|家在)?")


def only_a_place(text: str) -> str | None:
    """The full name of the place, when the message says nothing but where the user is."""
    region = slots.region_meant(text)
    if region is None or region.level == "province":
        return None
    rest = _PLACE_ONLY_LEAD.sub("", text.strip())
    parent = gazetteer.get(region.parent_code) if region.parent_code else None
    forms = [region.full_name, region.name, region.short_name, *region.aliases]
    if parent is not None:
        forms += [parent.name, parent.short_name, *parent.aliases]
    for form in sorted(filter(None, forms), key=len, reverse=True):  # longest first
        rest = rest.replace(form, "")
    rest = re.sub(r"[的这那边里头嘛哈哦呀啊了。！!，,\s]", "", rest)
    if rest and heard_as(rest, region.short_name):
        rest = ""  # "我在梓童": the place typed by ear
    return region.full_name if not rest else None


def place(deps: Deps, t: Turn) -> str | None:
    """The region the user named in the last minutes, if any."""
    kept = _fresh(deps, t.data.get("place"))
    return kept.get("code") if kept else None


def recent(deps: Deps, t: Turn) -> list[str]:
    """What the user said in the last minutes that was not a need yet (kept for intake)."""
    kept = _fresh(deps, t.data.get("recent"))
    return [str(x)[:500] for x in kept.get("texts", [])][-RECENT_MESSAGES:] if kept else []


def _fresh(deps: Deps, kept: dict | None) -> dict | None:
    """What was kept, if it was kept within the last RECENT_WINDOW."""
    try:
        at = datetime.fromisoformat((kept or {}).get("at", ""))
    except ValueError:
        return None
    return kept if deps.clock.now() - at <= RECENT_WINDOW else None


def question_log(deps: Deps, text: str, t: Turn) -> QuestionLog:
    """The dashboards count answered and abstained questions, and gap mining clusters the
    abstained ones by topic and region; contact details never reach the log."""
    # (a place said a few messages ago is not used: other regions' articles would then be
    # kept from a 通江 farmer's silkworm question that the 南充 article answers well)
    region = asker_region(text)
    if region is None:
        person = store_accounts.person(deps.engine, t.person_id)
        region = person.region_code if person is not None else None
    return QuestionLog(at=deps.clock.now(), channel=t.channel, person_id=t.person_id,
                       region_code=region, text=extract_contacts(text)[0][:2000],
                       abstained=False, confidence=0.0, citations=[])


TEXT: dict[str, Step] = {}  # `ask` and `start` are read by the router (bot/journeys/router.py)
BUTTONS: dict[str, Step] = {"menu:ask": open_ask}


def _names_a_crop(text: str) -> bool:
    from matching.extract import find_products

    return bool(find_products(text))
