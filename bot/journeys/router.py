"""One turn's routing: what every state shares (buttons, numbered replies, leaving a form,
commands, an emergency inside a form), then the step the conversation's state names.

Tables, merged from the journeys: `TEXT` (state → step for free text; `need:slot:budget`
falls back to `need:slot`), `BUTTONS` (a button's action, or its verb before ":" → step) and
`COMMANDS` (a command word → step). At rest (`start`, `ask`) free text goes through
`at_rest`.
"""

from __future__ import annotations

import re
from types import ModuleType

from bot import texts
from bot.journeys import account, ask, need, offers, register, words
from bot.journeys.base import Deps, Step, Turn, menu
from delivery.messages import MAX_TEXT, Inbound
from matching import slots
from retrieval import smalltalk, subjects
from retrieval.answer import HURT_NOW, reports_aftermath
from retrieval.safety import assess, in_advance
from retrieval.tokenize import plain

_BARE_LEAVE = 8  # characters: "算了", "不要了嘛"
_BARE_ANSWER = 6  # characters: a short answer to the form's question, whatever it sounds like

JOURNEYS: tuple[ModuleType, ...] = (ask, need, offers, register, account)


def _help(deps: Deps, arg: str, t: Turn) -> None:
    t.state = "start"
    menu(t)


def _welcome(deps: Deps, arg: str, t: Turn) -> None:
    t.state = "start"
    menu(t, welcome=True)


def cancel(deps: Deps, arg: str, t: Turn) -> None:
    """"取消", "算了，不要了": the open form ends, nothing of it kept."""
    busy = not t.at_rest
    problem = ((t.data.get("draft") or {}).get("description") or "").split("\n")[0]
    t.reset()
    if busy and problem:
        # ("再生稻…想找个专家来看看", "不弄了", then "那明年头季收的时候桩留好高"): a question
        # after leaving is still about the crop the form was about
        t.data["left_topic"] = problem
    t.say(texts.CANCELLED if busy else texts.NOTHING_TO_CANCEL)


def _merge(name: str, base: dict[str, Step]) -> dict[str, Step]:
    table = dict(base)
    for journey in JOURNEYS:
        for key, step in getattr(journey, name, {}).items():
            if key in table:
                raise RuntimeError(f"{name}: {key!r} claimed twice ({journey.__name__})")
            table[key] = step
    return table


TEXT = _merge("TEXT", {})
BUTTONS = _merge("BUTTONS", {})
COMMANDS = _merge("COMMANDS", {"start": _welcome, "help": _help, "帮助": _help, "菜单": _help,
                               "cancel": cancel, "取消": cancel,
                               "我的接单": offers.my_offers})


# an answer taken in, then a remark: "晓得了 我喊他下午再去", "好嘛 我明天去买"
_RIGHT_AWAY = re.compile(r"马上|立刻|立即|赶紧|赶快|现在就?")
_ACK_THEN = re.compile(r"^(?:好的?|好嘛|嗯+|哦+|要得|晓得了|知道了|明白了|懂了)[了嘛哈]*"
                       r"[，,。!！\s]+"
                       r"(?P<rest>[^？?]{1,20})$")
# "请问一下，我住在洪雅县城…": a polite opener, no question by itself
_ASKED_LEAD = re.compile(r"^(?:请问一?下|请问|问一下)[哈，,\s]*")
_REMARK_CHARS = 30
_SYMBOLS = re.compile(r"[^\w，,。？?！!\s]")  # emoji and the like ("要打针不😰")
# a question without a question word: "喂不喂", "那…", "要是…", "往哪里跑", "…喃"
_ASKED_ANYWAY = re.compile(r"(.)不\1|^那|要是|如果|万一|假如|哪|[喃呢]|没得?[？?。]?$|"
                           # Sichuanese asking without a question word: "要打针不", "吃得不",
                           # "冬天小猪要好暖和"
                           r"不[嘛哦啊呀哈]*(?:$|[，,。\s])|得不|要好|好(?:多|久|远|深|高|长|重)|"
                           r"还是|好点|好些")  # ("用毛笔点还是用机器喷好点": a choice asked)
# a question asked by the way, not news of something happening
_BY_THE_WAY = re.compile(r"^(?:对了|另外|还有)?[，,\s]*(?:顺便|顺带|先)?"
                         r"(?:问一?下|问一哈|问个事?|请问)|"
                         # "对了 夏天车间工人中暑了咋个处理": asked by the way, nothing happening
                         r"^(?:对了|顺便|顺带)[，,\s]")


def _says_nothing(text: str, t: Turn, place: bool) -> bool:
    """Nothing asked, wanted or wrong, and no field of a need said (a place too, unless
    `place` allows it: "我住在洪雅县城，退休前是中学老师" is who and where)."""
    from matching.need import TROUBLE
    from retrieval.intent import asks

    text = words.SOME.sub("", text)  # ("教了三十几年书" asks nothing)
    return not asks(text) and not words.ASKING.search(text) \
        and not smalltalk.ASKING.search(text) and not words.looks_like_need(text, t.role) \
        and not words.says_a_field(text, place=not place) and not assess(text).kind \
        and not TROUBLE.search(text)


def _is_a_remark(text: str, t: Turn) -> bool:
    """A short line at rest that asks nothing even in dialect and names no crop or animal
    (one named is most likely asked about: "猕猴桃人工授粉 用毛笔点还是用机器喷好点"); never
    right after an answer, where a short line is mostly more of the same question ("要是
    放冷库存久点喃", "浮头的时候还喂不喂料")."""
    from matching.extract import find_products

    return 0 < len(text) <= _REMARK_CHARS and not t.after_answer \
        and not _ASKED_ANYWAY.search(_SYMBOLS.sub("", text)) and not find_products(text) \
        and not _ILL_OR_MEDICINE.search(text) and _says_nothing(text, t, place=True)


# an illness or a medicine named is a worry to answer ("娃娃感冒了 我妈非要给他吃头孢 说消下炎"),
# and so is a hurt ("娃娃遭邻居屋头的狗抓了一爪 破了点皮 有点血": wash it, and the vaccine)
_ILL_OR_MEDICINE = re.compile(subjects.ILLS + "|" + HURT_NOW + r"|头孢|抗生素|消炎|[^火]药|咬|"
                              r"抓[了伤破]|出血|流血|有点血|伤口|摔[了倒伤]|崴|扭伤")


# thanks, or taken in, after the 120 line: the emergency is dealt with
_SETTLING = re.compile(r"谢|晓得了|知道了|明白了|懂了")
_NUMERALS = {c: str(i) for i, c in enumerate("一二三四五六七八九", 1)}
_ANSWER_FRAMES = 3  # turns after an answer in which a bare form word is help for it
_ACK = re.compile(r"(好|好的|嗯+|哦+|要得|行|晓得了|知道了)[嘛吧哈了]*")


def route(deps: Deps, msg: Inbound, t: Turn) -> None:
    shown = t.data.pop("options", None)  # buttons of the previous reply only
    answered = t.data.pop("answered", None)
    t.after_answer, t.after_emergency = bool(answered), answered == "emergency"
    if t.after_emergency and _SETTLING.search(text := msg.text or ""):
        t.data["settled_on"] = t.data.get("last_question")  # "谢谢哈 晓得了": dealt with
    # (an answer a few turns back still frames a bare "急得很": "兔儿死了好几个", "要得",
    # "我在盐亭", "急得很"; an older one does not)
    if (since := t.data.get("turns_since_answer")) is not None:
        t.data["turns_since_answer"] = since = since + 1
    t.soon_after_answer = since is not None and since <= _ANSWER_FRAMES
    if msg.action:
        press(deps, msg.action, t)
        return
    if msg.kind not in ("text", "event"):
        t.say(texts.NOT_TEXT)
        return
    if msg.kind == "event":  # welcome, subscribe, menu: a fresh start, no hidden form
        t.state = "start"
        t.data = {k: v for k, v in t.data.items() if k in ("last_question", "last_article",
                                                            "last_abstained")}
        menu(t, welcome=True)
        return
    text = plain((msg.text or "").strip())  # ("找砖家": the expert meant; "請個技術員")
    if len(text) > MAX_TEXT:
        t.say(texts.TOO_LONG.format(n=MAX_TEXT))
        text = text[:MAX_TEXT]
    if not text:
        t.say(texts.EMPTY)
        return
    if shown and len(text) == 1 and text in _NUMERALS:
        text = _NUMERALS[text]  # "一" typed for the first option
    if text.isdigit() and len(text) <= 2:
        i = int(text) - 1
        if shown and 0 <= i < len(shown):  # a numbered reply (WeChat, terminal)
            press(deps, shown[i], t)
            return
        if not shown and t.at_rest and offers.by_number(deps, i, t):
            return
        if t.at_rest:
            t.say(texts.NO_OPTION)
            return
    if shown and "forward" in shown and t.at_rest and words.takes_up_offer(text):
        press(deps, "forward", t)  # "要得", "需要" to "我可以把您的问题转给当地专家"
        return
    if shown and "forward" in shown and t.at_rest and words.declines_offer(text):
        # "不用了 谢谢 我去问镇上兽医站": no expert wanted, and no question either
        t.state = "start"
        menu(t, text=smalltalk.REPLY["thanks" if "谢" in text else "ok"])
        return
    if words.leaves(text) and not t.at_rest and not (
            t.state == "need:slot:contact_consent"
            and slots.parse_contact_consent(text) is False and not words.leaves_plainly(text)):
        # ("我怕骚扰 还是算了" at the consent prompt keeps the phone back, not the need;
        # "电话不想给 算了不弄了 我自己拿去兽医站" gives up the need)
        cancel(deps, "", t)  # "算了，不要了" ends the form, from any step
        if question := words.asked_after_leaving(text):
            ask.answer(deps, question, t)  # "算了 问你个正事 …好久可以回来上班"
        return
    if t.at_rest and len(text) <= _BARE_LEAVE and words.LEAVE.match(text):
        t.say(texts.NOTHING_TO_CANCEL)  # "算了" with nothing open: no "帮不上忙"
        return
    if t.at_rest:
        ask.note_place(deps, text, t)
        if words.SHARE_WORDS.match(text) and offers.share_in_words(deps, text, t):
            return
        if relay := words.RELAY.match(text):
            offers.relay(deps, relay.group(1), t)
            return
    if words.MY_OFFERS.match(text) or (t.role == "scientist" and len(text) <= 20
                                         and words.NEEDS_FOR_ME.search(text)):
        text = "我的接单"  # "查看派单", "有没有单子": the same list
    m = words.CMD.match(text)
    if m and (text.startswith("/") or len(text) <= 12 or m.group(1) in ("绑定", "关联")):
        COMMANDS[m.group(1).lower()](deps, m.group(2).strip(), t)
        return
    if t.state.startswith("need:") and words.RESUME.search(text) and len(text) <= 20:
        rest = words.RESUME.sub("，", text).strip("，, ")
        if _ACK.fullmatch(rest) or not need.answers_the_prompt(t, rest):
            # "好了 医生来了 刚才说到哪了"; "好 我们刚才说到哪了": 好 acknowledges, it is no
            # yes to the question asked before the interruption
            need.resume(deps, t)
            return
        text = rest  # "哦 晓得了 刚才说到哪了 尽快嘛": the answer said with it
    if t.state.startswith(("need:", "register:")) and assess(text).kind in ("emergency", "fire") \
            and not (len(text) <= _BARE_ANSWER and need.answers_the_prompt(t, text)):
        # ("急倒起的" at the urgency prompt is how urgent, not someone fallen down)
        # "我孙娃把消毒液喝了一口！" in the middle of a form: the 120 line now, the form
        # waits where it was
        if (tail := _answer_after_news(t, text)) is not None:
            # "送到医院了 医生说是热射病 还好送得快 刚才专家那个事 很急 这周就要": news that
            # the emergency is over, then the answer to the form's question
            need.slot(deps, tail, t)
            return
        head, aside = need.answer_then_aside(text)
        if head and need.answers_the_prompt(t, head):
            # "九寨沟县 对了 有人落水救起来了 …": the 120 line, then the answer taken and the
            # next question asked
            ask.answer(deps, aside, t, inside_form=True)
            need.slot(deps, head, t)
            return
        ask.answer(deps, text, t, inside_form=True)
        if t.state.startswith("need:") and (in_advance(text) or _BY_THE_WAY.search(text)):
            # ("万一闻到燃气味 咋个处置" asked ahead, "顺便问下，群众发现山火打哪个电话":
            # the form goes on)
            need.resume(deps, t)
        return
    step_for(t.state)(deps, text, t)


def _answer_after_news(t: Turn, text: str) -> str | None:
    """The last clauses of news that an emergency is over, when they answer the form's
    question and tell of no emergency themselves."""
    if not reports_aftermath(text):
        return None
    parts = text.split()
    for i in range(1, len(parts)):
        tail = " ".join(parts[i:])
        if assess(tail).kind not in ("emergency", "fire") and need.answers_the_prompt(t, tail):
            return tail
    return None


def step_for(state: str) -> Step:
    """The step reading free text in `state`: its own, or its prefix's (`need:slot:region`
    → `need:slot`); at rest and in unknown states, `at_rest`."""
    key = state
    while key:
        if key in TEXT:
            return TEXT[key]
        key = key.rpartition(":")[0]
    return at_rest


def press(deps: Deps, action: str, t: Turn) -> None:
    """A button (or its number): opaque to the client; each step checks it in the store."""
    verb, _, arg = action.partition(":")
    if action in BUTTONS:
        BUTTONS[action](deps, "", t)
    elif verb in BUTTONS:
        BUTTONS[verb](deps, arg, t)
    else:
        t.say(texts.STALE_BUTTON)


def at_rest(deps: Deps, text: str, t: Turn) -> None:
    """No form open (`start`, or `ask` after "我要提问"): a menu word, an offer answered in
    words, small talk, a question, or a request that starts a need."""
    if (door := words.MENU_WORDS.get(text.rstrip("。！!"))) is not None:
        press(deps, door, t)  # a menu label typed instead of pressed
    elif words.JOIN_AS_EXPERT.search(text):
        press(deps, "menu:scientist", t)  # an expert offering to take work: how to join
    elif words.declines_need(text):
        # "暂时不需要发布需求；不需要专家联系。谢谢。": nothing started, a short yes
        t.state = "start"
        menu(t, text=smalltalk.REPLY["thanks" if "谢" in text else "ok"])
    elif words.JOIN_ASKED.search(text) and not register.is_scientist(deps, t):
        press(deps, "menu:scientist", t)  # "怎么注册": how to join, never "no vetted content"
    elif t.role == "scientist" and words.introduces_an_expert(text) \
            and not register.is_scientist(deps, t):
        # "我叫王老师 在雅安雨城区 研究茶树病虫害" from a scientist with no profile yet: how
        # to register, not a need for an expert (and nothing started: a question may follow)
        t.state = "start"
        t.say(texts.REGISTER_FROM_INTRO)
    elif m := words.OFFER_WORDS.match(text):
        offers.by_words(deps, m, t)  # "接单", "婉拒 2", "详情"
    elif words.SERVED.match(text) and register.is_scientist(deps, t):
        offers.served_in_words(deps, text, t)  # "服务完成了", "弄完了"
    elif words.FORWARD_WORDS.match(text) and t.data.get("last_question"):
        press(deps, "forward", t)  # "那帮我转给专家嘛" after a question: the forward button
    elif text in words.LABELS:  # a button label typed where that button is not on offer
        t.say(texts.STALE_BUTTON)
    elif t.after_answer and (m := _ACK_THEN.match(text)) and _says_nothing(
            _RIGHT_AWAY.sub("", m.group("rest")) if t.after_emergency else m.group("rest"),
            t, place=False):
        # ("好 我们马上往下走" after the 120 line: what they do now, no need's urgency)
        # "晓得了 我喊他下午再去" after an answer: taken in, and what they will do; no new
        # question (the same article again would answer nothing)
        t.state = "start"
        menu(t, text=smalltalk.REPLY["ok"])
    elif (small := smalltalk.classify(text)) is not None:
        # a greeting, thanks or an off-topic ask: a friendly word and the menu, never
        # "no vetted content" with a forward button, never logged as an unmet question;
        # what was said before it no longer describes a need to come
        if small == smalltalk.INTRO:  # "我是南江县的老农民": who and where, kept for intake
            ask.remember(deps, text, t)
        else:
            t.data.pop("recent", None)
            ask.weather_said(text, t)
        t.state = "start"
        menu(t, text=smalltalk.reply(small, text))
    elif (product := ask.introduces(text)) is not None:
        ask.remember(deps, text, t)  # the place and the crop, kept for what comes next
        t.data["last_question"], t.data["last_article"] = text, None  # a question's subject
        t.state = "start"
        t.say(texts.INTRO_PRODUCT.format(product=product))
    elif t.data.get("last_question") and words.answers_a_form(text) \
            and (t.after_answer or (t.soon_after_answer
                                    and words.says_a_field(text, place=False))) \
            and assess(text).kind not in ("emergency", "fire") \
            and not (t.after_emergency and not words.NEED_REQUEST.search(text)):
        # ("…现在吐得厉害": 120; "好 我们马上往下走" after altitude sickness's 120 line is
        # what they do now, no urgency of a need)
        # (a turn later too: "急得很" after "我在三台 哦不对 是盐亭" is no new question)
        # "苍溪的", "急得很 都死了十几只了", "电话可以给专家" right after an answer: not a
        # follow-up question (the same article again) but help wanted — a need for the
        # question just answered, with what this message already says
        if not words.looks_like_need(text, t.role):
            t.say(texts.EXPERT_AFTER_ANSWER)
        need.from_words(deps, text, t, about=t.data["last_question"])
    elif (where := ask.only_a_place(text)) is not None:
        # "成都市温江区" and nothing else: kept for what comes next, never "帮不上忙"
        t.state = "start"
        menu(t, text=texts.PLACE_NOTED.format(place=where))
    elif t.state != "ask" and _is_a_remark(_ASKED_LEAD.sub("", text), t):
        # "你吃饭没得 我们刚吃了午饭", "等一下 有人来了": a friendly word, not an article that
        # shares a word ("请问一下，我住在洪雅县城，退休前是中学老师": who and where, kept)
        t.state = "start"
        ask.remember(deps, text, t)
        place = slots.region_meant(text) is not None
        menu(t, text=smalltalk.REPLY["intro" if place else "remark"])
    elif (t.state == "ask" or not words.looks_like_need(text, t.role)
          or assess(text).kind in ("emergency", "fire")  # "…压在下头 救命": 120 first
          # "那我先把灯打开看一下是哪点漏的" after a gas leak: the emergency goes on
          or (t.after_emergency and not words.NEED_REQUEST.search(text)
              and not re.search(r"(找|请|喊|派)[个位]?人", text))):
        if (draft := ask.answer(deps, text, t)) is not None:
            need.show(deps, draft, t)
    else:
        need.from_words(deps, text, t)
