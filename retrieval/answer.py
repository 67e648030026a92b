"""`kejiyun ask`: short answers grounded in vetted 科普 articles, or an honest abstention.

Extractive by default: the sentences of the best vetted chunks that best match the question,
in the article's own order, at most 300 characters, each article cited as [n]. With an LLM
configured (retrieval/llm.py) the model rewrites from the same vetted text and must cite it;
anything else falls back to the extractive answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from core.sanitize import clean_text
from knowledge import gazetteer, taxonomy
from retrieval import conditions, intent, smalltalk, subjects
from retrieval.compose import (
    article_sentences,
    compose,
    label_bonus,
    naming_bonus,
    sentence_scores,
)
from retrieval.documents import Doc
from retrieval.index import SearchIndex
from retrieval.intent import SPECIFIC, asks
from retrieval.safety import (
    FIRST_AID_TITLES,
    FIXED_ADVICE,
    SafetyVerdict,
    assess,
    is_scam,
    names_a_topic,
    topic_of,
)
from retrieval.search import Hit, Query, Searcher, article_chunks
from retrieval.tokenize import expand_query, normalise, synonyms, terms_asked

log = logging.getLogger(__name__)

MAX_ANSWER_CHARS = 300
# an emergency's steps are read once and acted on: room for the whole procedure (CPR's depth
# and rate, where the fist goes) after the 120 line
EMERGENCY_ANSWER_CHARS = 420
MAX_QUESTION_CHARS = 2000
ABSTAIN_TEXT = ("抱歉，目前还没有经过专家审核的科普内容能回答这个问题。"
                "需要的话，我可以把您的问题转给当地专家，请他们来解答。")
EMPTY_TEXT = "请用文字描述您的问题，例如：“李子园土壤酸化板结怎么办？”"


@dataclass
class Citation:
    article_id: str
    title: str
    snippet: str

    def to_json(self) -> dict[str, str]:
        return {"article_id": self.article_id, "title": self.title, "snippet": self.snippet}


@dataclass
class Answer:
    answer: str
    citations: list[Citation] = field(default_factory=list)
    confidence: float = 0.0
    abstained: bool = False
    safety: str = ""
    mode: str = "extractive"
    intent: str = ""  # small talk or off-topic ("greeting", "out_of_scope" …): declined
    topic: str = ""  # what was looked up: the question, or with a follow-up the earlier one too
    unread: list[str] = field(default_factory=list)  # terms asked that no vetted article uses

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "answer": self.answer, "citations": [c.to_json() for c in self.citations],
            "confidence": round(self.confidence, 4), "abstained": self.abstained,
            "mode": self.mode,  # "llm" (written by the model, checked) or "extractive"
        }
        if self.safety:
            out["safety"] = self.safety
        if self.intent:
            out["intent"] = self.intent
        if self.unread:
            out["unread"] = self.unread
        return out


class Answerer:
    def __init__(self, searcher: Searcher, llm: Any = None) -> None:
        self.searcher = searcher
        self.llm = llm
        self._corpus: tuple[int, str] = (-1, "")  # (articles' chunk count, their text)

    def ask(self, question: str, region: str | None = None,
            previous: str | None = None, previous_article: str | None = None,
            settled: bool = False) -> Answer:
        """`region`: where the asker is (a code), when known from elsewhere; otherwise a place
        named in the question counts. Other regions' articles never answer them.
        `previous`: the question asked just before in the same conversation, for follow-ups
        such as "那石灰撒多少？"; `previous_article`: the article that answered it (its id).
        `settled`: the emergency asked before was thanked for since ("谢谢哈 晓得了"): what
        is asked now is of its subject, no more of the emergency."""
        question = clean_text(question or "").strip()[:MAX_QUESTION_CHARS]
        by_the_way = bool(_ASIDE_ASKED.match(question))  # ("顺便问下 …": asked aside)
        # "我帮我爷爷打字哈：他问…", "爷爷又问，…": the question itself, not who passes it on
        # (an old man named first would make a citrus question about a person)
        question = _RELAYED.sub("", question).strip() or question
        # "发之前我问哈 采了果清园要打啥子药嘛": the preamble asks nothing
        question = _PREAMBLE.sub("", question).strip() or question
        # "…给农户讲课前想核实下 稻草秸秆还田要切好短": why they ask is no word of it
        question = _FOR_A_TALK.sub(" ", question).strip() or question
        if asks(held := _HOLDING.sub(" ", question).strip()):
            # "自己有两百亩茶园 茶园土壤pH好多比较合适": how much they hold is no word of the
            # question ("每亩20到25张" is no answer for sharing 亩)
            question = held
        placed = question  # where the asker is may be said only in who they are
        if (m := _WHO_I_AM.match(question)) and len(question) - m.end() >= 6 \
                and _A_PERSON.search(m.group().rstrip("，,。！! \t")) \
                and not _products(m.group()) and not subjects.classes(m.group()):
            # "我是汉源的村医 村头好多老年人血压高 在家咋个量才准": who asks is no subject of
            # the question ("我是在红原做草地研究的" would find the grassland articles); the
            # place stays (理塘 says altitude)
            place = gazetteer.find_region(m.group())
            question = (f"{place.short_name or place.name} " if place else "") + \
                question[m.end():]
        question = smalltalk.without_greeting(question)
        # "不用找专家 我自己弄 药要隔几天打一次": the question, without turning the expert down
        question = _NO_EXPERT_WANTED.sub("", question).strip() or question
        # "不是桃树 是李子树 树干上流黄色的胶": what it is, said right
        question = _NOT_THAT_BUT.sub("", question).strip() or question
        asked = _asked_after_news(question)
        if asked != question and previous and not _LATER.search(asked):
            # "人送医院了 问下沼液能不能直接排到河沟头": the emergency is over, the question new
            previous = previous_article = None
        question = asked
        question = _glossed(question)  # "operate 的时候有啥子 safety 要注意"
        verdict = assess(question)
        if verdict.kind == "harm":
            return Answer(verdict.message, abstained=True, safety="harm")
        if not verdict.kind and (kind := smalltalk.classify(question)) is not None:
            # a greeting or an ask outside 科普: a friendly word, no citation, no forwarding
            return Answer(smalltalk.reply(kind, question), abstained=True, intent=kind)
        q = self.searcher.prepare(question)
        if not q.tokens and not any(ch.isalnum() for ch in q.text):
            return Answer(EMPTY_TEXT, abstained=True, safety=verdict.kind)
        prior = assess(previous) if previous else None  # (what the question before was)
        if settled and prior is not None:
            prior = SafetyVerdict("", "")
        if not verdict.kind and previous is not None \
                and (len(question) > _BARE_FOLLOW_UP or _REMARKED.search(question)) \
                and len(question) <= _REMARK_AFTER \
                and not _ASKS_AT_ALL.search(question) and "还是" not in question \
                and not _PLANNED.search(question) \
                and not re.search(r"[内嘞喃]\W*$|不(?:\s|$)", question) \
                and not (prior is not None and prior.kind) \
                and not asks(_EXCLAIMED.sub(" ", question)) \
                and (not _in_scope(question) or _REMARKED.search(question)) \
                and not self._shares_words(question, previous) \
                and (_REMARKED.search(question)
                     or not self._reads_on(question, previous_article)):
            # "今天成都雾好大哦 对面楼都看不到", "吓死我了 还好有你" after an answer: a remark
            # that asks nothing and names nothing of farming, health or safety is no
            # follow-up — never the article just read once more (a few words are: "第二针内";
            # so is any news in an emergency: "屋头有氧气罐")
            return Answer(smalltalk.REPLY["remark"], abstained=True, intent="remark")
        if not verdict.kind and previous is None and len(question) <= _BARE_REMARK \
                and not asks(question) \
                and not _ASKS_AT_ALL.search(question) and not _in_scope(question):
            # "不对 不要给电话" said to no question: it asks nothing and names nothing of
            # farming, health or safety — never answered from an article that shares a word
            return Answer(smalltalk.REPLY["out_of_scope"], abstained=True, intent="out_of_scope")
        # The index holds vetted articles only, so nothing else can be cited.
        if region is None:
            region = asker_region(placed)
        # (asked in advance, "先学起 万一哽到了咋个救", the same article is wanted)
        # after an emergency: "那以后秸秆不烧咋处理嘛" is a new question; "120打了 在等车 还要
        # 做啥子" after a poisoning is more of the same first aid, not prevention
        if prior is not None and not prior.kind and "。" in previous and _SUPPOSED.search(
                previous.split("。", 1)[1]) and (
                first := assess(previous.split("。")[0])).kind == "emergency":
            # ("…卡到喉咙了。…那要是一岁以下的小娃娃呢": a question asked in the conditional
            # along the way does not end the emergency the conversation opened with)
            prior = first
        if verdict.kind == "emergency" and prior is not None and prior.kind == "emergency" \
                and prior.topic != verdict.topic and prior.topic in FIRST_AID_TITLES \
                and not names_a_topic(question):
            if _STILL_IN_IT.search(question) or _FOR_THEM_NOW.search(question):
                # "人抬到院坝头了 她说好些了 还要去医院不" after charcoal fumes: the same
                # emergency going on, not the drowning the words resemble
                verdict = SafetyVerdict("", "")
            else:
                # "她说大腿根根痛得很 动都动不得" after a fall: a sign no rule names, which the
                # model likens to a heart attack, is more of the fall
                verdict = prior
        cause = self._cause_treated(previous_article)
        if cause and verdict.topic == "unconscious" and not _NO_BREATH_NOW.search(question) \
                and not _CPR_ASKED.search(question):
            # "人抬到院坝头了 还在出气 但是还是喊不醒" after charcoal fumes: a sign of the
            # poisoning being dealt with (its article), not a cardiac arrest
            verdict = SafetyVerdict(verdict.kind, verdict.message, cause)
        if prior is not None and prior.topic == "unconscious" and cause:
            prior = SafetyVerdict(prior.kind, prior.message, cause)  # (and the turn after it)
        before = prior if not verdict.kind else None
        if before is not None and before.kind == "emergency" \
                and before.topic not in FIRST_AID_TITLES and (
                    _STILL_IN_IT.search(question) or _FOR_THEM_NOW.search(question)) \
                and not _NEW_TOPIC.search(question) and not names_a_topic(question):
            # "另外一个师傅想下去拉他 可不可以" after a man down in a pit (no article of its
            # own): still the emergency — its 120 line and what to do, again
            advice = FIXED_ADVICE.get(before.topic, "")
            return Answer(before.message + ("\n" + advice if advice else ""),
                          safety=before.kind, topic=previous or question)
        continuing, later = False, ""
        if before is not None and before.kind and _LATER.search(question):
            # (only the clause that asks: "后头咋个预防 这几天还要收苞谷" says why, the maize
            # is no new subject)
            asking = next((c for c in _CLAUSES.split(question) if _LATER.search(c)), question)
            if self._names_a_subject(asking) and not self._in_topic_title(
                    asking, before.topic) and self._search(
                    self.searcher.prepare(asking), region)[1] >= self.searcher.cal.abstain_below:
                # (unless nothing answers it alone: "下回带团 上了三千米以后每天往上走好多米合适"
                # after altitude sickness is its prevention, in words of its own)
                # ("以后冬天咋个取暖才安全" after charcoal fumes is still that article's: 取暖)
                previous = previous_article = None
            else:  # "后面咋个预防这种事": the prevention of what just happened
                later, question = before.topic, asking
        elif before is not None and before.kind == "emergency" \
                and before.topic in FIRST_AID_TITLES and (
                    _STILL_IN_IT.search(question) or _FOR_THEM_NOW.search(question)
                    or (self._bare_emergency_follow_up(question, before.topic)
                        and not self._names_another_article(question, before.topic))) \
                and not _NEW_TOPIC.search(question):
            # ("是敌敌畏 要不要给他灌水催吐"): still the emergency, so the 120 line leads again
            continuing = True
            verdict = before
            if (now := topic_of(question)) in FIRST_AID_TITLES and now != before.topic:
                # "120说要一个多钟头才到 他要是不出气了我咋办" after a fall: what to do if
                # breathing stops (CPR), not the fall again
                verdict = SafetyVerdict(before.kind, before.message, now)
            elif _CPR_ASKED.search(question) and before.topic not in ("unconscious", "pit"):
                # "按胸口按好深" after a drowning: how to do CPR, which its article names
                # but does not teach
                verdict = SafetyVerdict(before.kind, before.message, "unconscious")
        if words := _first_aid_words(verdict.topic or later or (
                "" if verdict.kind else topic_of(question)), question):
            # the first-aid article's words join the question's
            q = self.searcher.prepare(f"{question} {words}")
        hits, confidence = self._search(q, region, crop_of=question)
        if not verdict.kind and (titled := [h for h in hits[1:] if any(
                t in h.title for t in terms_asked(question)) and h.score >= hits[0].score
                * _CROP_SHARE]):
            # "打了药的麦子磨成面 娃娃能吃不" asks the 安全间隔期 in other words: the article
            # titled so, before the children's poisoning that 娃娃…药…吃 reaches
            hits = [titled[0], *[h for h in hits if h is not titled[0]]]
        if continuing and (routed := self._first_aid(q, verdict.topic, hits,
                                                     confidence)) is not None:
            hits, confidence = routed[0][:1], routed[1]
        elif later in FIRST_AID_TITLES and (routed := self._first_aid(
                q, later, hits, confidence)) is not None:
            hits, confidence = routed[0][:1], routed[1]  # its prevention: the same article
        elif verdict.kind == "emergency" and verdict.topic in FIRST_AID_TITLES:
            routed = self._first_aid(q, verdict.topic, hits, confidence)
            if routed is None:  # no vetted article on it: the 120 line and what to do
                advice = FIXED_ADVICE.get(verdict.topic, "")
                return Answer(verdict.message + ("\n" + advice if advice else ""),
                              confidence=confidence, safety=verdict.kind, topic=question)
            if hits and hits[0].id != routed[0][0].id and (
                    named := self._telling_words(question) & self._title_words(hits[0].title)) \
                    and not any(w in _article_text(self.searcher.index, routed[0][0])
                                for w in named):
                # "又吐又拉 说是诺如病毒 一般好久发病": the illness named has its own article,
                # which the pesticide first aid never mentions; the 120 line still leads
                routed = (hits, confidence)
            hits, confidence = routed
            hits = hits[:1]  # the first-aid article alone: no second subject in an emergency
        # (still the emergency: what comes next is read against it, "后头咋个预防" too)
        topic, own = (previous if continuing and previous else question), q
        # an emergency routed to its first-aid article is its own question, never a follow-up
        # of the one before (a drunk man who cannot be woken, after a cut finger)
        routed_first_aid = continuing or later in FIRST_AID_TITLES or (
            verdict.kind == "emergency" and verdict.topic in FIRST_AID_TITLES)
        if previous and previous_article is None and not routed_first_aid and not verdict.kind \
                and len(question) <= _BARE_FOLLOW_UP and not _products(question) \
                and self.ask(previous, region).abstained:
            # "要打几次药" after "柑子树叶子卷起 背面有些小虫虫" went unanswered: the same
            # subject, still unanswered — never an article the joined words happen to reach
            # (the citrus winter clean-up)
            return Answer(ABSTAIN_TEXT, abstained=True,
                          topic=f"{previous}。{question}"[-MAX_TOPIC_CHARS:])
        if previous and not routed_first_aid and (follow := self._follow_up(
                question, previous, confidence, region, previous_article,
                hits[0] if hits else None, aside=by_the_way)):
            q, hits, confidence = follow
            topic = f"{previous}。{question}"[-MAX_TOPIC_CHARS:]
        elif previous and not routed_first_aid and hits and not _products(question) and \
                not _NEW_TOPIC.match(question) and _other_product(
                    said := previous + (_title_of(self.searcher.index, previous_article)
                                        if previous_article else ""), hits[0].title):
            # "那溃疡病呢" after kiwifruit questions: the crop said before is the one meant
            # (kiwifruit canker, not the citrus article that names the disease first)
            # (or the crop of the article just read: "剪枝的剪刀要消毒不" after kiwifruit
            # canker is no plum pruning)
            mine = [h for h in hits[1:] if not _other_product(said, h.title)
                    and _products(h.title) and h.score >= hits[0].score * _CROP_SHARE]
            if mine:
                hits = [mine[0], *[h for h in hits if h is not mine[0]]]
        # "那要打啥子针" names no one: it is about whom the question before was (a pig, never
        # a person bitten by a dog), even when that one went unanswered
        # ("我婆婆说虫子多": who said it is no subject of the question)
        own_words = _SAID_BY.sub(" ", question)
        whom = (own_words if previous is None or subjects.classes(own_words)
                else f"{previous}。{own_words}")
        # (a follow-up that moved on to another article is read by its own words: "打完药好久
        # 才能摘来卖" after pepper blight is the safe interval, which never names 疫病)
        read = question if (previous_article and topic != question and hits
                            and all(h.id != previous_article for h in hits)) else q.text
        kept = (hits if (verdict.topic or later) in FIRST_AID_TITLES
                else self._on_subject(whom, hits, read if not verdict.kind else ""))
        if denied := _DENIED.findall(question):
            # "农技员说是根肿病 不是线虫": the nematode article is what the asker ruled out
            kept = [h for h in kept if not any(w in h.title for w in denied)]
        if kept[:1] != hits[:1]:  # the best hit was about another subject
            confidence *= kept[0].score / hits[0].score if kept else 0.0
        if previous_article and len(kept) > 1 and kept[0].id != previous_article \
                and _ANAPHORA.search(question) and not _products(question) \
                and not _bigrams(expand_query(question)) & _bigrams(kept[0].title) and (
                    mine := [h for h in kept[1:] if h.id == previous_article]) \
                and mine[0].score >= kept[0].score * _CROP_SHARE:
            # "那开花的时候能不能打杀虫药嘛" after the mango's flowering: the article just read
            # goes on, before one the new words happen to reach better (the sticky boards) —
            # not one whose title they name ("那修剪呢": the pruning article)
            kept = [mine[0], *[h for h in kept if h is not mine[0]]]
        hits = kept
        if verdict.kind == "fire":
            # "食堂锅里的油燃起来了": the 119 line, then only an article on fire, gas or
            # electricity (never the pressure cooker's, which shares 锅)
            hits = [h for h in hits if _FIRE_TITLE.search(h.title)]
        confident = bool(hits) and confidence >= self.searcher.cal.abstain_below
        if not confident:
            if verdict.kind:
                return Answer(verdict.message, confidence=confidence, safety=verdict.kind,
                              topic=topic)
            if not previous and not _in_scope(question):
                # "工地老板欠我三个月工资 去哪里要", "are you a robot": nothing vetted answers it
                # and nothing in it is farming, health, safety or science — declined, never
                # offered to an expert nor logged as an unmet 科普 need
                return Answer(smalltalk.REPLY["out_of_scope"], abstained=True,
                              intent="out_of_scope")
            if previous and topic == question and _ANAPHORA.search(question):
                # "那鸭子呢" unanswered: what goes to an expert says what it is asked of
                topic = f"{previous}。{question}"[-MAX_TOPIC_CHARS:]
            return Answer(ABSTAIN_TEXT, confidence=confidence, abstained=True, topic=topic)
        asked = asks(question)
        if not asked and _HURT_NOW.search(question):
            # "娃娃把开水瓶打翻了 手背烫红了一块", "遭隔壁的狗咬了一口 破了点皮": a hurt told
            # as it happens asks what to do now (冲 15–30 分钟, 冲洗约 15 分钟) first
            asked = ["how"]
        if not (previous_article and hits[0].id == previous_article):
            # (the article just read, kept first by the follow-up on purpose, stays first:
            # "打一遍够不够" after rapeseed sclerotinia is not the pesticide-poisoning article)
            # (the rare name is one the question asked now says, not the need or the question
            # before it: "…讲一下防诈骗…和保健品" then "是不是骗子" is the scam article's)
            hits = self._answering_first(q, self._naming_first(own, hits), asked, own)
        used = self._same_subject(q, hits)
        if verdict.kind:  # the 120 line comes first anyway: then what to do, and not to do
            # "要不要给他抠喉咙" asks about one action: that answer first, then first aid
            # "是不是一起感冒了", "我想让她先睡一哈看看": doubt is answered by the signs that
            # say it is serious; then what to do now
            # (advice heard, "他们说用绳子勒紧 用嘴巴吸毒", is answered by the first aid and
            # its don'ts, not ahead of them)
            first = (["identify"] if _DOUBT.search(question)
                     else ["yesno"] if "yesno" in asks(_HEARD.sub(" ", question)) else [])
            # ("吐出来了 还要去医院不" once the first aid is done: whether a doctor is still
            # needed is the fact asked, "异物排出后也建议到医院检查")
            still = ["doctor"] if continuing and "doctor" in asked and first == ["yesno"] else []
            asked = [*first, *still, *[a for a in asked if a not in (
                "doctor", "how", "yesno", "identify")], "how"]
        # sentences are scored against what was asked now (a follow-up's own words) as well,
        # or against the asking sentence of a message that first says who is asking ("我在
        # 省地震局做科普工作，想了解…：室内发生地震来不及跑出去该怎么做？")
        focus = own if topic != question else self._asking_part(question)
        answer = self._extract(q, used, asked, confidence, focus,
                               lead_first=verdict.kind == "emergency" or continuing,
                               # ("以后…放盆水能不能防中毒": whether it does, first)
                               prevention=(later in FIRST_AID_TITLES
                                           and "yesno" not in asked) or bool(
                                   used and _PREVENT_ASKED.search(question) and any(
                                       t.search(used[0].title)
                                       for t in FIRST_AID_TITLES.values())),
                               prevent_asked=bool(_PREVENT_ASKED.search(question)),
                               # "还要按好久" during CPR: how long, not the first step again
                               fact_asked=continuing and any(a in _FACTS for a in asked),
                               # (the emergency going on chose its article, not the words:
                               # "能喝点热的不" after cold exposure shares none with it)
                               # (and a follow-up kept to the article just read: "坑坑要
                               # 咋个处理" after konjac soft rot shares no word with it)
                               chosen=continuing or bool(
                                   topic != question and previous_article and used
                                   and used[0].id == previous_article))
        if answer.abstained:  # nothing vetted supports an answer: the LLM gets nothing either
            answer.confidence, answer.topic = confidence, topic
            if verdict.kind:
                answer.answer, answer.safety, answer.abstained = (verdict.message, verdict.kind,
                                                                  False)
            return answer
        if self.llm is not None:
            answer = self.llm.rewrite(question, used, self.searcher.index, fallback=answer)
        prefix = verdict.message + "\n" if verdict.kind else ""
        if "where" in asked and not _WHERE_SOLD.search(answer.answer):
            # "种子哪里买": the article says what to buy, not where — said first, truly
            prefix += WHERE_NOT_SAID
        named = [] if verdict.kind else self._unread_terms(question)
        # (a follow-up asks about the complaint the question before named: "那你帮我找个医生
        # 问一哈嘛" after the sprain is still about the sprain — a product or term said before
        # is only its context: "我们是…火锅底料厂", then "食品添加剂是不是都有害")
        before = topic.removesuffix(question)
        about = [] if verdict.kind or topic == question else [
            t for t in self._unread_terms(before) if _COMPLAINT.fullmatch(t)]
        if (named and not self._near_at_all(question, named, used)) or (
                about and not self._near_at_all(before, about, used)):
            # "上山摘茶崴了脚 肿起来了 冰敷还是热敷": what it is about no vetted article speaks
            # of, and the article found shares nothing else with it (the burn's 冰块)
            return Answer(ABSTAIN_TEXT, confidence=confidence, abstained=True, topic=topic)
        if unread := [t for t in named
                      if _UNREAD_LEAD.fullmatch(question[:question.lower().find(t)].strip())]:
            if any(a in SPECIFIC for a in asked) and not all(t in _products_named()
                                                             for t in unread):
                # "生物炭每亩施好多": a dose of something no vetted article speaks of is not
                # the lime's dose — nothing vetted answers it ("蓝莓的花青素跟海拔有没有关系":
                # nor does the altitude-sickness article, which says 海拔 only — above)
                return Answer(ABSTAIN_TEXT, confidence=confidence, abstained=True, topic=topic)
            # "生物炭改良酸性土壤咋个弄": said truly that nothing vetted speaks of it, then
            # what is near it; an expert is offered as when nothing answers
            # (as typed: "HPV", not the index's "hpv")
            unread = [question[i:i + len(t)] if (i := question.lower().find(t)) >= 0 else t
                      for t in unread[:2]]
            prefix += UNREAD_NOTE.format("、".join(f"“{t}”" for t in unread))
            answer.unread = unread
        suffix = "\n" + ENGLISH_NOTE if _mostly_latin(question) else ""
        answer.answer = prefix + answer.answer + suffix
        answer.confidence = confidence
        answer.safety = verdict.kind
        answer.topic = topic
        return answer

    def _cause_treated(self, article_id: str | None) -> str:
        """The poisoning (or heat, altitude) whose first-aid article answered just before,
        if it did: unconsciousness after it is its sign, not a new emergency."""
        if not article_id:
            return ""
        title = _title_of(self.searcher.index, article_id)
        return next((topic for topic in _CAUSES if FIRST_AID_TITLES[topic].search(title)), "")

    @staticmethod
    def _bare_emergency_follow_up(question: str, topic: str) -> bool:
        """A short question right after first aid, naming no crop, animal or other emergency
        ("要不要用刀划开放毒血" after a snake bite, "窗子 要开吗", "要不要喂水"): more of the
        same first aid — the rules cannot list every remedy people think of."""
        # ("要不要拿刀划开把毒挤出来 老辈子都是这么搞的": the clause that asks is short; what
        # the old folk did is said around it)
        # (the clause that opens the message: "人都转移出来了 …这种房子还安全不" opens with news)
        opening = _CLAUSES.split(question.strip())[0]
        asking = opening if asks(opening) else question
        return (len(asking) <= _BARE_EMERGENCY_FOLLOW_UP
                # ("婆婆说喂点牛奶解毒": a remedy someone urges is asked about, mark or not)
                and bool(asks(question) or _REMEDY_URGED.search(question))
                and not _products(question) and not _LATER.search(question)
                and (not names_a_topic(question) or topic_of(question) in ("", topic))
                # ("心肺复苏按好快啊" names its own article: asked as itself, as before)
                and not any(p.search(question) for p in FIRST_AID_TITLES.values()))

    def _names_another_article(self, question: str, topic: str) -> bool:
        """A word of three characters or more of another article's title that the topic's
        first-aid article never says: "查幽门螺杆菌之前要停啥子药" after a scald asks anew."""
        pattern = FIRST_AID_TITLES.get(topic)
        docs = self.searcher.index.docs("articles").values()
        aid = next((d for d in docs if pattern is not None and pattern.search(d.title)), None)
        if aid is None:
            return False
        said = aid.title + self.searcher.article_text(aid.parent)
        titles = {d.title for d in docs}
        return any(len(t) >= 3 and t not in said and any(t in title for title in titles)
                   for t in self.searcher.index.tokenizer.tokenize(normalise(question)))

    def _first_aid(self, q: Query, topic: str, hits: list[Hit],
                   confidence: float) -> tuple[list[Hit], float] | None:
        """The first-aid article of an emergency's topic leads, found by its title among the
        hits, else among all vetted articles (None: the corpus has none). An emergency is
        not the moment to abstain on a weak match: the confidence is raised to answer."""
        title = FIRST_AID_TITLES[topic]
        # first aid is the same everywhere: an article filed under 甘孜 still tells a 红原
        # (阿坝) asker what to do about altitude sickness, so no region bars it
        if not any(title.search(h.title) for h in hits):
            hits, confidence = self.searcher.search_with_confidence(
                "articles", q, k=10)[:2]
        found = [h for h in hits if title.search(h.title)]
        if not found:
            parents: dict[str, Hit] = {}
            for doc in self.searcher.index.docs("articles").values():
                if title.search(doc.title):
                    parents.setdefault(doc.parent, Hit(doc.parent, doc.title, 0.0, chunks=[]))
                    parents[doc.parent].chunks.append(doc.id)
            found = sorted(parents.values(), key=lambda h: h.id)[:1]
            if not found:
                return None
            found[0].score = hits[0].score if hits else 1.0
        lead = found[0]
        rest = [h for h in hits if h.id != lead.id]
        floor = self.searcher.cal.abstain_below
        return [lead, *rest], max(confidence, floor)

    def _search(self, q: Query, region: str | None,
                crop_of: str | None = None) -> tuple[list[Hit], float]:
        """The three best articles. With `crop_of` (the question), an article about the crop or
        animal it names comes first when the best one is about neither ("油菜杆杆上…啥子时候
        打药最关键" gets the rapeseed article, not pesticide-spraying safety)."""
        hits, confidence, _ = self.searcher.search_with_confidence(
            "articles", q, k=_CROP_POOL if crop_of else 3, asker_region=region)
        if crop_of and hits and _living(crop_of) and not self._about_farming(hits[0]):
            for h in hits[1:]:
                if h.score < hits[0].score * _CROP_SHARE:
                    break
                if (self._about_farming(h) and not _other_product(crop_of, h.title)
                        and self._coverage(h, crop_of) > self._coverage(hits[0], crop_of)
                        and not self._trouble_only_in(hits[0], h, crop_of)):
                    hits = _leading(h, hits)
                    break
        elif crop_of and hits and (named := _subject_words(_products(crop_of))) and not any(
                p in hits[0].title for p in named) and self._says_nothing_of(hits[0], crop_of):
            # "天麻栽下去好久能挖": the 天麻 article, not the general orchard-soil one (挖深)
            # that never names 天麻; "油菜杆杆上长黑颗颗 是啥子病": rapeseed, not citrus
            # (and it names the trouble the better title names: "柑子树流胶" is no call for
            # the citrus fruit-set article because the plum article on top says 流胶)
            own = next((h for h in hits[1:] if h.score >= hits[0].score * _OWN_CROP_SHARE
                        and any(p in h.title for p in named) and self._names_the_trouble(
                            crop_of, _article_text(self.searcher.index, h), [hits[0].title])
                        and not self._trouble_only_in(hits[0], h, crop_of)),
                       None)
            hits = _leading(own, hits)
        if crop_of and len(hits) > 1 and (named := self._unnamed_by(hits[0], crop_of)):
            # "秸秆不烧咋处理嘛": the straw article, not the bee-sting one whose title says 处理
            # and which never names 秸秆
            own = next((h for h in hits[1:4] if h.score >= hits[0].score * _OWN_CROP_SHARE
                        and any(w in h.title for w in named)
                        and not self._says_nothing_of(h, crop_of)
                        and not self._trouble_only_in(hits[0], h, crop_of)), None)
            hits = _leading(own, hits)  # (its product too: "白酒窖泥…板结" is no orchard soil)
        if crop_of and len(hits) > 1 and (unsaid := self._unsaid_state(hits[0], crop_of)):
            # "屋头放的洋芋发芽了 还吃得不": the leftovers article says it of 发芽的土豆 in one
            # sentence; the potato late-blight article never says 发芽
            own = next((h for h in hits[1:3] if h.score >= hits[0].score * _CROP_SHARE
                        and self._says_together(h, crop_of, unsaid)), None)
            hits = _leading(own, hits)
        return hits[:3], confidence

    def _unsaid_state(self, hit: Hit, question: str) -> set[str]:
        """The state of the crop or product asked about ("发芽", "发黑") that the article,
        which names the product, never names."""
        index = self.searcher.index
        said = expand_query(normalise(question))
        named = _products(said)
        text = _article_text(index, hit)
        if not named or not any(p in text for p in named):
            return set()
        # (the question's own words: "晚熟", added for 耙耙柑, is no state asked about)
        words = {t for t in self._telling_words(question)
                 if t not in _PLANT_PARTS and not any(t in p or p in t for p in named)}
        # (only an article that says none of them: one naming 保果 answers "喷点啥子保果")
        return words if words and not any(t in text for t in words) else set()

    def _says_together(self, hit: Hit, question: str, words: set[str]) -> bool:
        """One sentence of the article names the product asked about and one of `words`."""
        named = _products(expand_query(normalise(question)))
        return any(any(p in s for p in named) and any(w in s for w in words)
                   for s in re.split(r"[。；！？\n]", _article_text(self.searcher.index, hit)))

    def _telling_words(self, question: str) -> set[str]:
        """The question's words of two characters or more that the articles use rarely."""
        index = self.searcher.index
        return {t for t in index.tokenizer.tokenize(normalise(question))
                if len(t) >= 2 and t not in _GENERIC and t not in _WHO and not asks(t)
                and index.token_weight("articles", t) >= _TELLING_WEIGHT}

    def _unnamed_by(self, hit: Hit, question: str) -> set[str]:
        """The question's telling words, when the article names none of them (else none)."""
        index = self.searcher.index
        words = {t for t in index.tokenizer.tokenize(normalise(question))
                 if len(t) >= 2 and t not in _GENERIC and not asks(t)
                 and index.token_weight("articles", t) >= _TELLING_WEIGHT}
        text = _article_text(index, hit)
        return set() if any(w in text for w in words) else words

    @staticmethod
    def _about_farming(hit: Hit) -> bool:
        return bool({"crop", "animal"} & subjects.classes(hit.title)) or bool(_products(hit.title))

    def _follow_up(self, question: str, previous: str, confidence: float,
                   region: str | None, previous_article: str | None = None,
                   alone: Hit | None = None, aside: bool = False
                   ) -> tuple[Query, list[Hit], float] | None:
        """"啥时候撒好" after "李子园土壤酸化了咋整": asked together with the earlier question
        when that answers it better, or when the question names no subject of its own ("要打针
        不" after a sow that will not eat). A question about another subject ("鸡不下蛋" after
        a flu-vaccine question) stands alone."""
        previous = clean_text(previous).strip()[:MAX_QUESTION_CHARS]
        if not previous or previous == question or _NEW_TOPIC.match(question):
            return None  # "换个问题，…", "另外想问…": a new subject, said so
        if _HURT_NOW.search(question) and not _ANAPHORA.search(question):
            return None  # "遭了 我孙孙遭狗咬了一口" after heat advice: something just happened
        if alone is not None and previous_article is not None \
                and alone.id != previous_article \
                and confidence >= self.searcher.cal.abstain_below \
                and self._measure_only_in(question, alone, previous_article):
            # "那到了理塘水烧开是好多度" after altitude sickness: the degrees asked are in the
            # boiling point's article, never in the one read before
            return None
        if aside and alone is not None and confidence >= _SURE_ALONE \
                and not any(w in previous for w in self._telling_words(question)):
            # "顺便问下 一个人一天吃好多盐合适" inside a bean-paste factory's need: asked by
            # the way, and answered on its own (not "顺便问下苓种一般好久栽" inside a need
            # about 川芎's 苓种)
            return None
        mine, before_classes = subjects.classes(question), subjects.classes(previous)
        if subjects.conflict(mine, before_classes):
            return None
        own = _products(question)
        if own and (m := _ONLY_A_CROP.fullmatch(question)) and any(m.group(1) in p for p in own) \
                and (said := [p for p in _products(previous) if p in previous]):
            # "那猕猴桃呢" after "柑橘溃疡病咋个防": the question before, of the crop named now
            swapped = previous
            for p in said:
                swapped = swapped.replace(p, m.group(1))
            q = self.searcher.prepare(swapped)
            hits, joined = self._search(q, region, crop_of=swapped)
            # (answered by an article on that crop, never one that only mentions it: "那四季豆呢"
            # after aphids on cowpeas is no leftovers article)
            return (q, hits, joined) if hits and joined >= self.searcher.cal.abstain_below \
                and subjects.bare_crop(m.group(1)) in hits[0].title else None
        if own and not any(_said_in(p, previous) for p in own) and (
                _WHAT_ABOUT.match(question) or (
                    (m := _OPENS_WHAT_ABOUT.match(question)) and not asks(question[m.end():]))):
            # "那泡了一晚上的木耳呢" after "隔夜菜能不能吃": the same question of what is named
            # now, answered by the article that answered it when that one speaks of it too
            q = self.searcher.prepare(f"{previous}。{question}")
            hits, joined = self._search(q, region)
            kept = bool(hits) and joined >= self.searcher.cal.abstain_below \
                and hits[0].id == previous_article and not self._says_nothing_of(hits[0], question)
            return (q, hits, joined) if kept else None
        # (an animal said before besides the one named now: "宰牛的…肝子拿来喂狗" after the
        # dogs that spread 包虫病; "獭兔皮子咋个硝制" shares no more than the rabbit it names)
        unnamed = subjects.animals(re.sub("|".join(map(re.escape, own)) or "^$", " ", question))
        shares = bool(unnamed & subjects.animals(previous))
        # (what the article read says names nothing new: "他最爱吃腊肉香肠" after
        # hypertension's "少吃咸菜、腊肉")
        read = _article_text(self.searcher.index, Hit(
            previous_article, _title_of(self.searcher.index, previous_article), 0.0)) \
            if own and previous_article else ""
        if own and not any(_said_in(p, previous) or p in read for p in own) and not shares \
                and not _TOGETHER.match(question):
            return None  # "茶树…" after plums ("跟鸡粪一起撒" after lime is about the lime)
        q = self.searcher.prepare(previous + "。" + question)
        hits, joined = self._search(q, region)
        if not hits or joined < self.searcher.cal.abstain_below:
            return None
        # "那…" points back: the article that answered the earlier question leads when it is
        # among the hits ("那打药抓啥子时候" after rice blast stays with rice blast)
        # a few words naming nothing ("啥时候打药好", "要打几次" after rice blast) go on with
        # the earlier question when the joined search stays with its article
        # "给她吃颗阿司匹林不", "要不要把他倒起来控水": a pronoun points back as "那…" does
        # ("娃娃好大就可以打了" after the flu vaccine: longer, but naming nothing the
        # articles speak of — who it is for is no subject)
        # (unless it is answered confidently on its own: "昨天剩的菜热一下还吃得不")
        # (and only after an article was read: after the fire line there is none to stay with)
        bare = not own and (len(question) <= _BARE_FOLLOW_UP or (
            previous_article is not None and not self._telling_words(question)
            and confidence < _SURE_ALONE))
        if bare and alone is not None and confidence >= self.searcher.cal.abstain_below \
                and self._names_its_subject(question, previous, alone, previous_article):
            return None  # short, but it names another article's subject
        if not own and not bare and alone is not None and previous_article is not None \
                and alone.id != previous_article \
                and confidence >= _SURE_ALONE and any(
                    len(w) >= 4 and w in alone.title and w not in previous
                    for w in self.searcher.index.tokenizer.tokenize(question)):
            # longer, naming no crop but a pest whose own article answers it alone, surely
            # ("草地贪夜蛾啥时候打药效果好" after maize-soybean strip planting)
            return None
        if not bare and alone is not None and previous_article is not None \
                and alone.id != previous_article and confidence >= _CERTAIN_ALONE \
                and self._names_only_there(question, alone, previous_article, titled=False) \
                and (any(h.id == alone.id for h in hits) or self._says_telling(question, alone)):
            # answered on its own beyond doubt by another article, whose words the earlier one
            # never says: "那边水烧开了煮面还是夹生的" after four altitude-sickness questions
            # is the boiling point's, however many words of altitude came before (and "要是
            # 同伴咳粉红色泡泡痰" after three boiling-water ones is altitude sickness again)
            return None
        unread = [t for t in self._unread_terms(question) if t not in previous]
        if unread and not (any(p in read for p in own)
                           and all(t in _products_named() for t in unread)):
            # "生物炭咋个做" after citrus greening: a new subject nothing covers (not a product
            # named beside one the article read speaks of: "腊肉香肠" after "少吃…腊肉")
            return None
        together = bool(_TOGETHER.match(question))
        # ("有个同事有高血压 能去不" after the altitude trip: going where was said before)
        points_back = bool(_ANAPHORA.search(question) or together or _GOING_ASKED.search(
            question) or (
            _PRONOUN.search(question) and not _ANTECEDENT.search(question)))
        before = None  # the article that answered the earlier question
        if points_back or bare:
            before = previous_article or next(
                (h.id for h in self._search(self.searcher.prepare(previous), region)[0]), None)
        if before and (points_back or bare) and all(h.id != before for h in hits):
            # "那啥时候打药好" after a colloquial "油菜杆杆上长白霉…": the two questions' words
            # together miss the article that answered; its title with the new words finds it
            titled = self._search(self.searcher.prepare(
                f"{_title_of(self.searcher.index, before)}。{question}"), region)[0]
            if titled and titled[0].id == before:
                hits = [titled[0], *hits]
            elif points_back and not any(w in titled[0].title
                                         for w in self._telling_words(question)) and (
                    same := [h for h in titled if h.id == before]) \
                    and same[0].score >= titled[0].score * 0.5:
                # ("那好久打药合适嘛" after rapeseed sclerotinia: "那" points back and the
                # words name no other article's subject, though the spraying articles match
                # them better)
                hits = [same[0], *hits]
        if before and before != hits[0].id and not (
                alone is not None and alone.id == hits[0].id and confidence >= _CERTAIN_ALONE
                and not bare and self._names_only_there(
                    question, alone, before, titled=False)):
            # (unless the question alone, surely, and the two together agree on another
            # article: "那边水烧开了煮面还是夹生的" after altitude sickness is the boiling point's)
            same = [h for h in hits if h.id == before]
            if same and same[0].score >= hits[0].score * 0.5:
                hits = [same[0], *[h for h in hits if h is not same[0]]]
        if points_back and before is not None and (
                other := self._new_aspect(question, previous, before, hits)) is not None:
            # "那修剪呢" after the tea-plucking standard: the same crop, the aspect now named
            # (the pruning article), not the earlier article that never says 修剪
            hits = _leading(other, hits)
        if (points_back and before is not None and alone is not None and alone.id != before
                and confidence >= self.searcher.cal.abstain_below
                and self._names_its_own_article(question, alone.title,
                                                _title_of(self.searcher.index, before))
                and not (_GOING_ASKED.search(question)
                         and self._spoken_of_in(question, alone.title, before))):
            # "那名优茶采摘，一芽一叶初展是啥子标准哦" after the tea leafhopper: "那" points
            # back, but the words name another article's subject outright (unless it asks
            # whether one can go where the earlier article speaks of it: "有个同事有高血压 能
            # 去不" after the altitude trip)
            return None
        stays = bare and before is not None and hits[0].id == before
        if (not (points_back or bare) and alone is not None and alone.id != hits[0].id
                and confidence >= self.searcher.cal.abstain_below
                # (an article on another crop than the one named before never wins so:
                # "是不是溃疡病" after "种了三十亩猕猴桃" is kiwifruit canker, not citrus)
                and not _other_product(previous, alone.title)
                # ("咋个打嘛 是打针还是喂到水头" after the chickens' vaccine names no one: an
                # article about people is no answer to it)
                and not (not mine and subjects.conflict(subjects.classes(alone.title),
                                                        before_classes))
                and ((mine_covers := self._coverage(alone, question)) > (
                    theirs := self._coverage(hits[0], question))
                     # ("农药安全间隔期到底是啥子意思" inside a tea need: both articles say
                     # it, the one titled so answers it)
                     or (mine_covers == theirs and self._names_its_own_article(
                         question, alone.title, hits[0].title)))):
            # "经常熬夜对身体有什么影响" after a rainbow, "配农药的时候要注意啥子" inside a
            # pepper need: answered confidently on its own by an article that speaks of
            # more of what is asked now than the one the two questions find together
            return None
        # "今年开春枝条上流红水水 是不是溃疡病" after "种了三十亩红心猕猴桃": the crop said
        # before is the one asked about
        carries = not own and bool(_products(previous))
        leans = (not mine and before_classes) or points_back or stays or carries or shares
        if own and not leans and confidence >= self.searcher.cal.abstain_below and not (
                alone is not None and subjects.conflict(mine, subjects.classes(alone.title))):
            # "花椒树杆上流胶又咋个整" after pruning 花椒: it names its crop and its problem, and
            # is answered on its own; the earlier words would pull it back to pruning
            # (not by an article about people: "怀起儿的母羊能打不" after deworming sheep)
            return None
        if alone is not None and alone.id != hits[0].id and not together \
                and not _POINTS_BACK_FIRST.match(question) \
                and len(question) > _BARE_FOLLOW_UP and confidence >= _SURE_ALONE \
                and self._names_only_there(question, alone, hits[0].id):
            # "要不要给他吃点头孢" after norovirus: it names (in the articles' words: 抗生素)
            # the subject of another article's title, which the earlier article never
            # speaks of ("那黄板要挂好高" is too short to leave the tea leafhopper's; "那头季割
            # 了以后好久施肥" points back first, to the ratoon rice)
            return None
        if not (points_back or bare) and self._says_nothing_of(hits[0], question):
            # "菜籽压油的时候炒籽要炒到好多度合适" after a question on boiling water at
            # altitude: none of its own words is in the earlier article, which is no answer
            return None
        return (q, hits, joined) if leans or joined > confidence else None

    def _spoken_of_in(self, question: str, title: str, article_id: str) -> bool:
        """Every telling word the question shares with `title` is in the article too."""
        shared = {w for w in self._telling_words(question) if w in title}
        text = _article_text(self.searcher.index, Hit(article_id, "", 0.0))
        return bool(shared) and all(w in text for w in shared)

    def _names_only_there(self, question: str, other: Hit, before: str,
                          titled: bool = True) -> bool:
        """The question's telling words (their standard forms too) say nothing the article
        `before` (its id) says, and (`titled`) one of them is in the title of `other`."""
        telling = self._telling_words(expand_query(question))
        index = self.searcher.index
        text = _article_text(index, Hit(before, _title_of(index, before), 0.0))
        return bool(telling) and not any(w in text for w in telling) \
            and (not titled or any(w in other.title for w in telling))

    def _says_telling(self, question: str, hit: Hit) -> bool:
        """Whether the article says a telling word of three characters or more of the
        question ("粉红色" of "同伴咳粉红色泡泡痰": the altitude article's 咳粉红色泡沫痰; not
        "下雨" of "要是那几天一直下雨呢", which the forecast article says among many)."""
        text = _article_text(self.searcher.index, hit)
        return any(len(w) >= 3 and w in text
                   for w in self._telling_words(expand_query(question)))

    def _names_its_subject(self, question: str, previous: str, alone: Hit,
                           previous_article: str | None) -> bool:
        """Whether a short follow-up names what the article found for it alone is about:
        a word of three characters or more of its title ("草地贪夜蛾咋个认" after wheat
        rust; "打了好久能摘" names the 安全间隔期 in other words), or a telling two-character
        one the article just read never says, nor its synonyms, when the two are of the same
        crop ("修剪剪好多下去" after tea manuring; "剪完要不要打药" after lemon pruning is no
        drone-spraying question)."""
        named = [t for t in self.searcher.index.tokenizer.tokenize(expand_query(question))
                 if t in alone.title and t not in previous]
        if any(len(t) >= 3 for t in named):
            return True
        two = [t for t in named if len(t) == 2 and t in question
               and not _INTERROGATIVE.search(t) and not _FITTING.search(t)]
        if not two or previous_article is None:
            return False
        read_title = _title_of(self.searcher.index, previous_article)
        if not _same_crop(read_title, alone.title):
            return False
        read = read_title + self.searcher.article_text(previous_article)
        telling = self._telling_words(question)
        return any(t in telling and not any(w in read for w in expand_query(t).split())
                   for t in two)

    def _in_topic_title(self, question: str, topic: str) -> bool:
        """Whether a telling word of the question is in the title of the topic's first-aid
        article."""
        pattern = FIRST_AID_TITLES.get(topic)
        if pattern is None:
            return False
        index = self.searcher.index
        title = next((d.title for d in index.docs("articles").values()
                      if pattern.search(d.title)), "")
        return bool(title) and any(
            len(t) >= 2 and t not in _GENERIC and not _LATER.search(t) and t in title
            for t in index.tokenizer.tokenize(normalise(question)))

    def _names_a_subject(self, question: str) -> bool:
        """Whether the question names something of its own beyond "later" and "this" ("那以后秸秆
        不烧咋处理" names 秸秆; "后面咋个预防这种事" names nothing: it is about what happened)."""
        index = self.searcher.index
        return any(len(t) >= 2 and t not in _GENERIC and not asks(t) and not _LATER.search(t)
                   and not _THIS_THING.fullmatch(t) and not _INTERROGATIVE.match(t)
                   and index.token_weight("articles", t) >= _TELLING_WEIGHT
                   for t in index.tokenizer.tokenize(normalise(question)))

    def _new_aspect(self, question: str, previous: str, before: str,
                    hits: list[Hit]) -> Hit | None:
        """A joined hit whose title names the question's new telling words (not said before),
        when the earlier article (`before`, its id) never says them, about the earlier crop."""
        index = self.searcher.index
        new = {t for t in index.tokenizer.tokenize(normalise(question))
               if len(t) >= 2 and t not in _GENERIC and t not in previous and not asks(t)
               and index.token_weight("articles", t) >= _TELLING_WEIGHT}
        earlier = next((h for h in hits if h.id == before), None)
        if not new or earlier is None:
            return None
        text = _article_text(index, earlier)
        table = synonyms()

        def forms(t: str) -> set[str]:  # (its other names count: 黄板 is the 粘虫板 it says)
            return {t, *table.get(t, ()), *(k for k, ws in table.items() if t in ws)}

        unsaid = [t for t in new if not any(w in text for w in forms(t))]

        def same_crop_names(h: Hit) -> bool:
            # an article of the same crop whose title names, in any of its names, what the
            # earlier one never says ("那采果呢 糖度到好多可以摘" after kiwifruit pollination:
            # the kiwifruit 采收 article)
            return bool(_products(h.title)) and _same_crop(earlier.title, h.title) and any(
                w in h.title for t in unsaid for w in forms(t))

        if len(unsaid) == len(new):
            return next((h for h in hits if h.id != before and (
                any(t in h.title for t in new) or same_crop_names(h))
                         and not _other_product(previous, h.title)), None)
        # (some of it said before: "红心" after the harvest article is no call for 采摘's tea)
        return next((h for h in hits if h.id != before and same_crop_names(h)), None)

    def shares_a_subject(self, text: str, other: str) -> bool:
        """Whether `text` names a telling word (in the articles' words too) that `other` says:
        a question asked before a need is its context only when it is about the same thing."""
        return any(w in expand_query(other) for w in self._telling_words(expand_query(text)))

    def _reads_on(self, question: str, article_id: str | None) -> bool:
        """Whether the question names a telling word of the article just read: "见手青炒熟了总
        没得事噻" after the wild-mushroom answer is about what it said, not a remark."""
        if not article_id:
            return False
        text = _article_text(self.searcher.index, Hit(article_id, "", 0.0))
        return any(w in text for w in self._telling_words(question))

    def _shares_words(self, question: str, previous: str) -> bool:
        """Whether the question says any word of two characters or more of the one before."""
        tokenize = self.searcher.index.tokenizer.tokenize
        before = {t for t in tokenize(previous) if len(t) >= 2}
        return any(len(t) >= 2 and t in before for t in tokenize(question))

    def _measure_only_in(self, question: str, hit: Hit, other_id: str) -> bool:
        """Whether the question asks a measure in its unit ("好多度") that `hit` gives and
        the article `other_id` never does."""
        if (unit := _unit_asked(question)) is None:
            return False
        index = self.searcher.index
        other = _article_text(index, Hit(other_id, _title_of(index, other_id), 0.0))
        return bool(unit.search(_article_text(index, hit))) and not unit.search(other)

    def _read_as(self, term: str) -> bool:
        """Whether the articles say the term, a synonym of it (柑子 → 柑橘) or its stem
        without the Sichuanese 子/儿 (羊子 → 羊; 山羊 is in 羊's articles as words, never as
        a token of its own)."""
        index = self.searcher.index
        if index.token_weight("articles", term) > 0:
            return True
        docs = index.docs("articles")
        if self._corpus[0] != len(docs):  # (read once per corpus size: vetting adds articles)
            self._corpus = (len(docs), normalise(" ".join(f"{d.title} {d.text}"
                                                          for d in docs.values())).lower())
        forms = {term, *expand_query(term).split(), term.rstrip("子儿") or term}
        if len(term) == 2 and term[-1] in _LIVESTOCK_HEADS:
            forms.add(term[-1])  # ("山羊", "土鸡": a kind of 羊, of 鸡)
        return any(f.lower() in self._corpus[1] for f in forms)

    def _near_at_all(self, question: str, unread: list[str], used: list[Hit]) -> bool:
        """Whether the articles used say a telling word of the question besides the terms no
        article uses (生物炭改良酸性土壤: the lime article's 酸性土壤)."""
        index = self.searcher.index
        # (in the articles' words too: "盐巴" is 食盐)
        words = {w for w in self._telling_words(expand_query(question))
                 if not any(w in t or t in w for t in unread)}
        mine = subjects.classes(question) & {"crop", "animal"}
        if mine and any(t in _products_named() for t in unread) and not any(
                mine & subjects.classes(h.title) for h in used):
            return False  # ("蓝莓果实的花青素跟海拔": a crop's question, no crop's article)
        texts = [_article_text(index, h) for h in used]
        return any(w in text for w in words for text in texts)

    def _unread_terms(self, question: str) -> list[str]:
        """The research terms (生物炭, 乳酸菌) and products (蓝莓, 窖泥) the question names that
        no vetted article uses: whatever it asks, it asks about them (after citrus greening,
        "生物炭咋个做" is no follow-up; alone, the lime article answers acid soil but says
        nothing of 生物炭)."""
        terms = _unreadable_terms()
        index = self.searcher.index
        # (an acronym in a Chinese question is a term too: "HPV疫苗呢" after the flu vaccine)
        chinese = not _mostly_latin(question)
        question = _LIKENED.sub(" ", question)  # ("像松香一样": a likeness, no subject)
        named = [t for t in dict.fromkeys(index.tokenizer.tokenize(question))
                 if (t in terms or (chinese and _ACRONYM.fullmatch(t) and t.upper() in question))
                 and not self._read_as(t)]
        # complaints, by their characters: "崴了脚" is no token of its own
        return named + [c for c in dict.fromkeys(_COMPLAINT.findall(question))
                        if c not in named and index.token_weight("articles", c) == 0]

    def _trouble_only_in(self, hit: Hit, other: Hit, question: str) -> bool:
        """Whether `hit` names a telling word of the question (in the articles' words too)
        that `other` does not: "番茄叶子背后有白色的小飞虫" is the whitefly (粉虱) the
        sticky-board article names, not the tomato's root-knot nematodes."""
        index = self.searcher.index
        said = expand_query(normalise(question))
        named = _products(said)
        words = {t for t in index.tokenizer.tokenize(said)
                 if len(t) >= 2 and _PEST_OR_ILL.search(t)
                 and not any(t in p or p in t for p in named)
                 and index.token_weight("articles", t) >= _TELLING_WEIGHT}
        mine, theirs = _article_text(index, hit), _article_text(index, other)
        return any(t in mine and t not in theirs for t in words)

    def _says_nothing_of(self, hit: Hit, question: str) -> bool:
        """The question names a crop or animal (its other names count) the article never
        mentions ("菜籽…炒籽" and the boiling-water article): the earlier question's article
        is no answer to it."""
        named = _products(expand_query(normalise(question)))
        if not named:
            return False
        text = _article_text(self.searcher.index, hit)
        # (母羊 in "牛羊" and 母畜; "宰牛的…喂狗" of the 包虫病 article that speaks of dogs)
        return not any(_said_in(p, text) for p in named) and not any(
            a in text for a in subjects.animals(question))

    def _names_its_own_article(self, question: str, title: str, before_title: str) -> bool:
        """The question shares with this title two words the earlier article's title lacks."""
        asked = {t for t in self.searcher.index.tokenizer.tokenize(question)
                 if len(t) >= 2 and t not in _GENERIC}
        return len((asked & self._title_words(title)) - self._title_words(before_title)) >= 2

    def _telling(self, q: Query) -> Callable[[str], frozenset[str]]:
        """The question's telling words (rare, not generic) that a text contains."""
        index = self.searcher.index
        words = {t for t in q.tokens if len(t) >= 2 and t not in _GENERIC
                 and index.token_weight("articles", t) >= _TELLING_WEIGHT}
        return lambda text: frozenset(t for t in words if t in text)

    def _asking_words(self, text: str) -> frozenset[str]:
        """The words of the clauses that ask (all of them when none recognisably does)."""
        clauses = [c for c in _CLAUSES.split(text) if c.strip()]
        asking = [c for c in clauses if asks(c)] or clauses
        # (in the articles' words too: "稀饭" is the 白粥 a sentence names; a place says
        # where, not what is asked: "茂县的花椒啥时候摘")
        return frozenset(t for c in asking
                         for t in self.searcher.index.tokenizer.tokenize(expand_query(c))
                         if gazetteer.find_region(t) is None)

    def _asking_part(self, question: str) -> Query | None:
        """The sentences of a long message that ask, when the rest is only context."""
        parts = [p for p in _PARTS.split(question) if p.strip()]
        spaced = len(parts) < 2 and not re.search(r"[，,、]", question)
        if spaced:
            # typed with spaces for stops ("幼儿园有几个娃娃吐了拉肚子 老师说可能是诺如 吐的
            # 东西咋个消毒"): its clauses
            parts = [p for p in re.split(r"\s+", question) if p.strip()]
        asking = [p for p in parts if asks(p)]
        said = "，".join(asking)
        if spaced and ({"identify", "yesno"} & set(asks(said)) or _IS_IT.search(said)
                       or not asks(parts[-1]) or not any(
                not _FITTING.search(w) and not _INTERROGATIVE.search(w) and w != "其中"
                for w in self._telling_words(said))):
            # ("…果子靠把把那头先红 是不是黄龙病": the signs said before are what tells it,
            # as "小猪儿断奶那天 饲料一哈全部换成保育料要得不" is asked of weaning;
            # "晚上起夜怕摔 有啥子办法没得": the clause asking names nothing; "…VIP措施 其中
            # 的I是指啥": the last clause asks in words not read as asking)
            return None
        if not asking or len(parts) < 2 or len(said) > _ASKING_SHARE * len(question):
            return None
        return self.searcher.prepare(said)

    def _content_words(self, question: str) -> set[str]:
        """The question's own content words, as search sees them (without encoding it)."""
        tokens = self.searcher.index.tokenizer.tokenize_query(expand_query(normalise(question)))
        # (who it is for is no content: "我屋头娃娃才8个月 可以打不" after the flu vaccine is
        # not the child-poisoning article's for its 娃娃)
        return {t for t in tokens
                if len(t) >= 2 and t not in _GENERIC and t not in _WHO and t not in _HOME
                and not asks(t)}

    def _coverage(self, hit: Hit, question: str) -> float:
        """The share of the question's own content words the article uses."""
        words = self._content_words(question)
        if not words:
            return 1.0  # nothing of its own to look for
        text = _article_text(self.searcher.index, hit)
        return sum(w in text for w in words) / len(words)

    def _naming_first(self, q: Query, hits: list[Hit]) -> list[Hit]:
        """Of two nearly equal articles, the one naming the rare thing asked about leads
        ("见手青要炒好久": the wild-mushroom article names 见手青, the leftovers article,
        which says 炒熟炒透 of beans, never does)."""
        if len(hits) < 2 or not hits[0].score * _NAMED_SHARE <= hits[1].score:
            return hits
        return [hits[1], hits[0], *hits[2:]] if self._names_alone(q, hits[1], hits[0]) \
            else hits

    def _names_alone(self, q: Query, hit: Hit, other: Hit) -> bool:
        """Whether `hit` names a rare thing the question asks about (三字以上) that `other`
        never names."""
        index = self.searcher.index
        # (a crop's variety is no such thing: "青脆李" named by the pruning article does not
        # make it the answer to cracking plums)
        crops = _subject_words(_products(q.text))
        # (of the clause that asks: "羊肚菌好久播种 我们想在冬闲田种一季" asks of 羊肚菌, and
        # 冬闲田, named by the green-manure article alone, only says where)
        asking = self._asking_words(q.text)
        rare = {t for t in self._telling_words(q.text) if len(t) >= 3 and t in asking
                and not any(c in t or t in c for c in crops) and not _DESCRIBES.search(t)}
        mine, theirs = _article_text(index, hit), _article_text(index, other)
        return any(t in mine for t in rare) and not any(t in theirs for t in rare)

    def _answering_first(self, q: Query, hits: list[Hit], asked: list[str],
                         own: Query | None = None) -> list[Hit]:
        """Of two nearly equal articles, the one whose best sentence answers better leads when
        a fact was asked: "茶园冬天基肥一亩施好多" gets the winter-care article with "每亩施…
        1000到1500公斤", not the general fertiliser article that gives no amount."""
        if not any(a in SPECIFIC for a in asked) or len(hits) < 2:
            return hits
        index = self.searcher.index
        unit = _unit_asked(q.text)
        if unit is not None and hits[0].score * _UNIT_SHARE <= hits[1].score <= hits[0].score \
                and not unit.search(_article_text(index, hits[0])) \
                and unit.search(_article_text(index, hits[1])):
            # "产房仔猪躺的那块温度要保持好多度": the pig-house article gives the degrees;
            # the piglet-diarrhoea article, nearer in words, says only "温暖"
            return [hits[1], hits[0], *hits[2:]]
        if not hits[0].score * _NEARLY_EQUAL <= hits[1].score <= hits[0].score:
            return hits  # (a follow-up's earlier article, put first on purpose, stays first)

        def best(hit: Hit) -> float:
            texts, vectors = article_sentences(index, _article_chunks(index, hit))
            scores = sentence_scores(index, q.tokens, q.vector, asked, texts, vectors,
                                     hit.title)
            return float(scores.max()) if len(scores) else 0.0

        # (a crop or animal both may be about is no sign: "刚生的小猪儿" and 仔猪腹泻)
        named = _subject_words(_products(" ".join(q.tokens)))
        asked_words = {t for t in q.tokens if not any(t in w or w in t for w in named)}
        if self._names_alone(own or q, hits[0], hits[1]) or (
                asked_words & self._title_words(hits[0].title) and not (
                    asked_words & self._title_words(hits[1].title))):
            # ("我爸咳嗽咳了三个礼拜 要不要去查一下": the TB article's title says 咳嗽 and 查;
            # the choking article's "继续用力咳嗽" is a better sentence on no better subject)
            return hits
        if best(hits[1]) > best(hits[0]) + _BETTER_SENTENCE:
            return [hits[1], hits[0], *hits[2:]]
        return hits

    def _on_subject(self, question: str, hits: list[Hit], asked: str = "") -> list[Hit]:
        """Articles about another subject than the question's are not cited: a pig question
        never gets human medicine, a plum question no citrus article (`asked`: the text the
        crops and animals are read from, with a follow-up's topic; "" in an emergency). With
        none left, the answer is an honest abstention."""
        mine = subjects.classes(question)
        index = self.searcher.index
        kept: list[Hit] = []
        dropped: list[str] = []  # the titles of articles left out for another crop or animal
        unknown: bool | None = None  # whether no article names the crop asked about
        for rank, h in enumerate(hits):
            if subjects.conflict(mine, self._subjects(h)):
                continue
            body = "".join(d.text for d in _article_chunks(index, h))
            if asked and not names_its_subject(asked, h.title, body):
                dropped.append(h.title)
                continue
            if asked and not names_the_disease(asked, h.title + body):
                continue
            if asked and not names_the_feed(asked, h.title + body):
                continue
            if asked and (ills := _CONDITION.findall(asked)) and _EATS.search(asked) and not any(
                    i in h.title + body for i in ills):
                continue  # ("痛风能不能吃豆腐" is no question for the leftovers article)
            if asked and _EATS_OR_NOT.search(last := asked.rsplit("。", 1)[-1]) and (
                    food := _products(last)) and not any(
                        w in h.title + body for w in _subject_words(food)) \
                    and not any(w in h.title + body for w in self._content_words(
                        _WHOSE_AGE.sub(" ", re.sub("|".join(map(re.escape, food)), " ", last)))):
                # "一岁的娃儿能不能喝蜂蜜水": whether a food may be eaten, asked of an article
                # that never names it nor anything else asked (the child-poisoning one, for
                # its 孩子 and 喝; "剩的凉拌黄瓜" is the leftovers article's 剩菜 and 凉拌)
                continue
            if asked and _HOT.search(asked) and not _COLD.search(asked) and (
                    (_COLD.search(h.title) and not _HOT.search(h.title))
                    or not _HEAT.search(h.title + body)):
                # "猪儿热得喘粗气 咋个降温" is not the winter pig house's warmth, nor the
                # piglets' diarrhoea: an answer about the heat speaks of it
                continue
            if asked and unknown is None:
                # (the crop the question itself names: "果园土壤板结了咋个疏松" inside a
                # need about 耙耙柑 names none)
                unknown = self._unknown_product(question.rsplit("。", 1)[-1])
            if asked and (len(kept) < rank or unknown) \
                    and not self._shares_the_problem(asked, h.title, body):
                # better hits were about other crops, or no article names the crop asked
                # about ("挖虫草好久上山最好" is not the orchard-grass article's): a general
                # article must earn its place — and when the best match cannot, nothing
                # vetted answers ("白酒窖泥板结" is no orchard soil's)
                if unknown and rank == 0:
                    return []
                continue
            if asked and not _speaks_of_the_symptom(question.rsplit("。", 1)[-1], h.title + body):
                continue  # ("花椒叶子黄了 还掉得凶": the pepper-pruning article says neither)
            if asked and dropped and not self._names_the_trouble(asked, h.title + body, dropped):
                continue  # ("柑子树流胶咋整": the citrus fruit-set article says nothing of 流胶)
            kept.append(h)
        return kept

    def _names_the_trouble(self, question: str, article: str, dropped: list[str]) -> bool:
        """The trouble asked about, named in the title of a better article left out for being
        about another crop (`dropped`: those titles), is named in this one too: its telling
        words that are not a crop or a plant part (其他叫法 count)."""
        index = self.searcher.index
        said = expand_query(normalise(question))
        named = _products(said)  # (柑子 and its 柑橘 alike)
        words = [t for t in index.tokenizer.tokenize(said)
                 if len(t) >= 2 and t not in _GENERIC and t not in _PLANT_PARTS
                 and not any(t in p or p in t for p in named)
                 and index.token_weight("articles", t) >= _TELLING_WEIGHT]
        words = [t for t in words if any(t in d for d in dropped)]
        return not words or any(t in article for t in words)

    def _unknown_product(self, question: str) -> bool:
        """Whether the question names a crop or animal that no vetted article mentions."""
        named = _products(question)
        if not named:
            return False
        index = self.searcher.index
        words = _subject_words(named)
        return not any(w in d.text or w in d.title for d in index.docs("articles").values()
                       for w in words)

    def _shares_the_problem(self, question: str, title: str, body: str) -> bool:
        """A general article (its title names no crop or animal) answers a question about a
        crop or animal only when it shares a telling word beyond the plant's parts: "草莓叶子
        背面起白粉" is not answered by the hail-damage article because both say 果子."""
        named = _products(question)
        # (the crop asked about, named short in the title: "茶小绿叶蝉的防治" for 茶叶)
        if not named or _names_a_product(title) or any(
                w in title for w in _subject_words(named)):
            return True
        index = self.searcher.index
        article = title + body
        # (in the articles' words too: "白色的小飞虫" is the 粉虱 the sticky-board article names)
        return any(t in article for t in index.tokenizer.tokenize(expand_query(question))
                   if len(t) >= 2 and t not in _GENERIC and t not in _PLANT_PARTS
                   and not any(t in p or p in t for p in named)
                   and index.token_weight("articles", t) >= _TELLING_WEIGHT)

    @staticmethod
    def _subjects(hit: Hit) -> set[str]:
        return subjects.classes(hit.title)  # titles say plainly whom an article is for

    def _same_subject(self, q: Query, hits: list[Hit]) -> list[Hit]:
        """A second article joins only when nearly as relevant, about the same subject (it
        shares a word of the question with the first article's title) and adding a word of the
        question the first title lacks: "酸化板结" wants both; a piglet's diarrhoea never
        brings in human medicine."""
        first = hits[:1]
        if len(hits) < 2 or hits[1].score < hits[0].score * SECOND_ARTICLE_SHARE:
            return first
        asked = {t for t in q.tokens if t not in _GENERIC and len(t) >= 2}
        one, two = self._title_words(hits[0].title), self._title_words(hits[1].title)
        if subjects.conflict(self._subjects(hits[0]), self._subjects(hits[1])):
            return first
        # (who it is for adds no subject: the poisoned-child article adds only 儿童 to 诺如's
        # disinfection asked of a kindergarten)
        if asked & one & two and (asked & two) - one - _WHO:
            return hits[:2]
        return first

    def _title_words(self, title: str) -> set[str]:
        return {t for t in self.searcher.index.tokenizer.tokenize(title)
                if t not in _GENERIC and len(t) >= 2}

    def _supports(self, q: Query, title: str, text: str, vectors: Any,
                  confidence: float) -> bool:
        """A doubtful match must share a telling word with the question (an English question:
        one sentence must say nearly the same); otherwise it was noise ("猪热得很" is not
        answered from the piglet-diarrhoea article, "天天熬夜" not from plum gummosis)."""
        if confidence >= SURE_MATCH:
            return True
        index = self.searcher.index
        shared = {t for t in q.tokens if t not in _GENERIC and t in text and t not in _WHO
                  and (len(t) >= 2 or index.token_weight("articles", t) >= 1.5)}
        # a word said in passing is no support ("熬夜" among a check-up's causes, "看电视" in
        # the myopia article): the title's subject, two words, or a sentence saying nearly
        # the same is
        if shared and (any(t in title for t in shared) or len(_distinct(
                {t for t in shared if len(t) >= 2})) >= 2 or (
                len(vectors) > 0 and float((vectors @ q.vector).max()) >= _PASSING_COSINE)):
            return True
        latin = _mostly_latin(q.text)
        return latin and len(vectors) > 0 and float((vectors @ q.vector).max()) >= 0.3

    def _extract(self, q: Query, hits: list[Hit], asked: list[str],
                 confidence: float = 1.0, focus: Query | None = None,
                 lead_first: bool = False, prevention: bool = False,
                 prevent_asked: bool = False, fact_asked: bool = False,
                 chosen: bool = False) -> Answer:
        """Per cited article, the sentences that answer what was asked (the asked fact first),
        then the context they need, within a character budget; the first article leads
        (`prevention`: an emergency's prevention asked after it, whose sentences lead)."""
        index = self.searcher.index
        budget = (EMERGENCY_ANSWER_CHARS if lead_first else MAX_ANSWER_CHARS) - 4 * len(hits)
        parts: list[str] = []
        citations: list[Citation] = []
        # "测了土 pH5.2": the asker's own value ("那隔壁那块才四点几喃": of the pH said before)
        measured = (conditions.stated(focus.text, q.text) if focus is not None else {}) \
            or conditions.stated(q.text)
        places = _places_named((focus or q).text)
        # the words of the clause that asks ("炭火盆" in "我们用炭火盆取暖，…有哪些表现" is
        # where, not what is asked about)
        named = (frozenset() if lead_first and not fact_asked
                 else self._asking_words((focus or q).text))
        for rank, hit in enumerate(hits):
            docs = _article_chunks(index, hit)
            texts, vectors = article_sentences(index, docs)
            if not texts:
                continue
            if rank == 0 and not chosen and not self._supports(
                    q, hit.title, hit.title + "".join(texts), vectors, confidence):
                return Answer(ABSTAIN_TEXT, abstained=True)
            if lead_first:
                # a grown-up choking: the baby's steps (拍背5次) are no help, not even last;
                # a baby: the grown-ups' procedure (up to the baby's label) is left out
                keep = (_for_infants(texts) if _INFANT_ASKED.search(q.text)
                        else [i for i, t in enumerate(texts) if not _FOR_INFANTS.search(t)]
                        if not _CHILD_ASKED.search(q.text) else list(range(len(texts))))
                texts, vectors = [texts[i] for i in keep], vectors[keep]
            if measured:
                # "测了土 pH5.2": the dose for pH < 5.0 is another soil's, not this one's
                keep = [i for i, t in enumerate(texts) if not conditions.fails(t, measured)]
                if keep:
                    texts, vectors = [texts[i] for i in keep], vectors[keep]
            # "绿肉的…测到好多": the 红心 value in the same sentence is another case's
            texts = [conditions.for_case(t, q.text, index.tokenizer.tokenize) for t in texts]
            scores = sentence_scores(index, q.tokens, q.vector, asked, texts, vectors, hit.title)
            bonus = naming_bonus(index, q.tokens, texts, hit.title, named)
            bonus = np.maximum(bonus, label_bonus(texts, (focus or q).text))
            if places and (facts := [a for a in asked if a in SPECIFIC]):
                # "在康定烧开水 水开了是好多度": the sentence naming the place asked about and
                # giving the fact asked ("汉源、茂县等地的花椒很有名" gives no time)
                bonus = bonus + np.array([_PLACE_BONUS * (any(p in t for p in places) and any(
                    intent.answers(t, a) for a in facts)) for t in texts])
            if focus is not None:
                # (what is asked now weighs more than the words of the question before it:
                # "那要打啥子药嘛" after "枝条上流红水水 是不是溃疡病" wants the 铜制剂, not the
                # 流出菌脓 the earlier words match)
                scores = (1 - _FOCUS_WEIGHT) * scores + _FOCUS_WEIGHT * sentence_scores(
                    index, focus.tokens, focus.vector, asked, texts, vectors, hit.title)
                bonus = (bonus + naming_bonus(index, focus.tokens, texts, hit.title, named)) / 2
            if measured:  # and the dose for 5.0–5.5 is this one's: it leads
                scores = scores + np.array([CONDITION_MET_WEIGHT * conditions.meets(t, measured)
                                            for t in texts])
            preventing = _prevention_flags(texts, prevention or prevent_asked) \
                if rank == 0 else []
            if lead_first and rank == 0 and not prevention and not fact_asked:
                # in an emergency, what to do now before the background and the prevention
                # (the whole of a "预防：…；…；…" list, its "不要…" items too)
                scores = scores + np.array([EMERGENCY_ACTION_WEIGHT * (
                    bool(_ACTION.search(t)) - 2 * p) for t, p in zip(texts, preventing,
                                                                      strict=True)])
            # (how to prevent it asked, "包虫病咋个防": the article's prevention leads, not
            # its background)
            leads_prevention = rank == 0 and (prevention or (prevent_asked and any(preventing)))
            if leads_prevention:
                scores = scores + np.array([EMERGENCY_ACTION_WEIGHT * p for p in preventing])
            if not _CHILD_ASKED.search(q.text):
                # a grown-up choking is not helped by the steps for a baby first
                scores = scores - np.array([EMERGENCY_ACTION_WEIGHT * bool(_FOR_INFANTS.search(t))
                                            for t in texts])
            allowance = budget - sum(len(p) for p in parts)
            if rank == 0 and len(hits) > 1:
                allowance = int(budget * 0.65)
            # a how-to answer gives the steps (about 120 characters at least); a fact asked for
            # needs only what is close to it
            enough = 0 if rank else HOW_CHARS if "how" in asked or not any(
                a in SPECIFIC for a in asked) else FACT_CHARS
            text = compose(texts, scores, asked, allowance, floor=0.5 if rank == 0 else 0.8,
                           enough=enough, lead_first=(lead_first or prevention) and rank == 0,
                           telling=self._telling(q),
                           leading=preventing if leads_prevention and not prevention else None,
                           bonus=bonus)
            if not text:
                continue
            citations.append(Citation(hit.id, hit.title, _snippet(docs[0].text)))
            parts.append(f"{text}[{len(citations)}]")
        if not parts:
            return Answer(ABSTAIN_TEXT, abstained=True)
        return Answer("".join(parts), citations)


# a subject the asker rules out ("不是线虫", "又不是猪瘟"); "是不是线虫" asks instead
_DENIED = re.compile(r"(?<![是不])不是(?!很|太|说|要|想|那|这|我|你|他|在|每|所有|一般)"
                     r"([\u4e00-\u9fff]{2,3}?)(?=[，,。！!？?\s]|$|病|哈|哦|嘛|噻)")

CONDITION_MET_WEIGHT = 0.3  # as much as answering the kind of fact asked

# words every title or question has: they say nothing about the subject
# (a word list staff can read and extend)
_GENERIC = frozenset(
    "怎么 怎样 咋个 如何 什么 为什么 啥子 防治 防控 预防 办法 措施 "  # noqa: SIM905
    "要点 技术 管理 注意事项 注意 识别 处理 方法 知道 事项 问题 "
    "关键 应对 恢复 影响 好处 原因 成因 改良 安全 使用 日常 常见 万一 "
    "急救 怎么办 咋办 咋整 可以 需要 一定 哪些 怎么样 "
    # when and how many, said of the asker's case ("啥子情况要马上送医院", "七十多了")
    "马上 立刻 立即 赶紧 现在 回来 回去 十多 几十 好多 "
    # how serious, asked ("小的那几个也拉 要不要紧"): no subject of its own
    "要紧 不要紧 严重 严不严重 最好 "
    # how safe or sure, asked ("药放哪里稳当些"): no subject either
    "稳当 稳妥 妥当 保险 靠谱".split()
)
# doubt in an emergency: the asker is not sure it is one
_DOUBT = re.compile(r"是不是|会不会|先睡|睡一[下哈觉]|等等看|等一?下看|看看再说|观察一?下|要紧不|"
                    r"没事吧|不要紧|感冒|累了|歇一?[下哈]|缓一?[下哈]")
# animals a title may name that are no farm product (pets, and what bites or stings)
_TITLE_ANIMALS = re.compile("狗|猫|蛇|蜂(?!糖)|老鼠|蚊")
# parts of any plant: shared by every article on crops, they say nothing of the problem
# (and what every plant does: "开花", "结果")
_PLANT_PARTS = frozenset("果子 叶子 叶片 树子 枝条 根系 树叶 果实 花朵 苗子 "  # noqa: SIM905
                         "开花 结果 生长 长势".split())
_TELLING_WEIGHT = 1.5
# a crop's symptom, and the words an article that speaks of it uses
_SYMPTOMS = {"黄": ("黄",), "掉": ("落", "掉", "脱"), "落": ("落", "掉", "脱"), "枯": ("枯", "干"),
             "烂": ("烂", "腐", "病斑", "褐", "萎", "死"), "卷": ("卷", "皱"), "斑": ("斑", "点"),
             "霉": ("霉",),
             "蔫": ("蔫", "萎"), "焉": ("蔫", "萎"), "裂": ("裂",), "死": ("死", "枯"),
             "焦": ("焦", "灼", "叶缘", "干枯")}
# breeding troubles, and the word an article on them must use
_BREEDING = re.compile(r"(?P<heat>不发情|发情)|(?P<mate>配不上|配种)|(?P<milk>不下奶|没得?奶|奶水)|"
                       r"(?P<egg>不下蛋|下蛋少|产蛋)")
_BREEDING_WORDS = {"heat": "发情", "mate": "配种|交配|配上",
                   "milk": "下奶|泌乳|奶水|乳汁|缺奶|无乳", "egg": "产蛋|下蛋"}
# the expert turned down before or after the question ("不用找专家 我自己弄", "也不要专家哈")
_NO_EXPERT_WANTED = re.compile(r"(?:^|(?<=[，,。\s]))除了(?:找|请|喊)(?:专家|兽医|医生|技术员)"
                               r"(?:以外|之外)?(?:[，,。\s]+|$)|"
                               r"(?:^|(?<=[，,。\s]))(?:也|就)?(?:不用|不要|不需要|莫|别|我?不是要)"
                               r"(?:找|转|喊|请)?(?:专家|兽医|技术员)来?[了嘛哈哦]*(?:[，,。\s]+|$)|"
                               # ("…不是要喊专家来哈 就问下 娃娃一天看手机好久合适")
                               r"(?:^|(?<=[，,。\s]))就?(?:问下|问一下|问哈|问问)[了嘛哈]*[，,。\s]+|"
                               r"(?:^|(?<=[，,。\s]))我(?:自己|个人)(?:弄|搞|来|整|处理)[了嘛哈]*"
                               r"(?:[，,。\s]+|$)|(?:^|(?<=[，,。\s]))我就问问[了嘛哈]*(?:[，,。\s]+|$)|"
                               # "不消了 娃儿天天看平板…": the offer turned down, then a new
                               # question (不消 is no 消毒)
                               r"^(?:不消得?|不用|不要|不需要|算)了?[嘛哈哦]*[，,。\s]+(?=\S{4})")
_NOT_THAT_BUT = re.compile(r"^(?:哦|不对|搞错了|说错了)?[，,\s]*不是[^，,。\s]{1,8}[，,\s]+"
                           r"(?:是|而是)(?=\S{2})")
# an animal's body part named with what is wrong with it ("烂鳃", "蹄子肿")
_BODY_PART_ILL = re.compile(r"(?:烂|红|白|肿|出血|发黑)(鳃|鳍|蹄|冠)|"
                            r"(鳃|鳍|蹄|冠)子?[^，,。！!？?\s]{0,2}(?:烂|红|白|肿|出血|发黑)")
# a season named by its leaves ("落叶后喷药") is no leaf falling
_LEAF_FALL_SEASON = re.compile(r"落叶(?:后|前|期|时)")
_EATEN = re.compile(r"[吃咬啃蛀]")
# pests on a crop, and the words an article on them uses
# a person's standing condition, named by a question on what they may eat or drink
_CONDITION = re.compile(r"痛风|高血压|糖尿病|高血脂|尿酸|结石|胃炎|胃溃疡|肝炎|脂肪肝|贫血|便秘|"
                        r"失眠|哮喘|湿疹|痔疮|甲亢|鼻炎|关节炎|颈椎病|腰椎间盘|近视|冠心病")
_EATS = re.compile(r"吃|喝")
# how old whoever eats it is, and the may-or-may-not around it: no subject of the question
_WHOSE_AGE = re.compile(r"[\d一两二三四五六七八九十半几]+(?:岁|个月|月龄|周岁)|"
                        r"能不能|不能|可不可以|可以")
# whether something may be eaten or drunk
_EATS_OR_NOT = re.compile(r"(?:能|可以|可)不?(?:能|可以)?(?:吃|喝)|(?:吃|喝)得[不吗]|"
                          r"(?:吃|喝)不得|(?:能|可以)(?:吃|喝)[不吗]")
# a nutrient lacking, and the words of an article on feeding a crop
_NUTRIENT_ASKED = re.compile(r"缺[啥什么子哪种个]{0,3}(?:肥|素|营养|元素|氮|磷|钾|铁|锌|硼|镁|钙)")
_NUTRIENT_WORDS = re.compile(r"肥|缺素|营养元素|缺[氮磷钾铁锌硼镁钙]")
_PESTS_ASKED = re.compile(r"(?:有|长|生|起|遭|招)了?(?:好多|很多|些|点)?"
                          r"(?P<pest>[\u4e00-\u9fff]{0,2}?(?:虫|螨))|(?P<many>虫子?)[多凶]")
# a pest or an illness named (the trouble itself, not what is done about it)
_PEST_OR_ILL = re.compile(r"虫|蚜|螟|蛾|螨|蚧|蓟马|虱|蝇|象甲|天牛|蛆|病|瘟|霉|腐|疫|蚊")
_PEST_WORDS = re.compile(r"虫|蚜|螟|蛾|螨|蚧|蓟马|虱|蝇|象甲|天牛|蛆")
# an animal (or a person) off its food, and the words an article on it uses
# ("他不想吃药" is no animal off its food)
_OFF_FEED = re.compile(r"不(?:吃|进)(?:食|东西|料|草|奶|饭)|"
                       r"不(?:爱|肯|想)吃(?:食|东西|料|草|奶|饭|了|$|[\s，,。！!？?])|"
                       r"没(?:得)?胃口|吃得少")
_OFF_FEED_WORDS = re.compile(r"不吃(?:食|东西|料|草|奶|饭)|不进食|食欲|厌食|采食|吃得少|拒食|胃口")
# ("燃气软管…那根黄的都硬了": 根 counting a hose is no root)
_SYMPTOM = re.compile(r"(?:叶子?|叶片|果子?|苗子?|树|枝条?|(?<![那这一几两每哪])根)"
                      r"[^，,。！!？?\s]{0,3}?"
                      r"([黄掉落枯烂卷斑霉蔫焉裂死焦])")


def _speaks_of_the_symptom(question: str, article: str) -> bool:
    """A crop's symptom asked about ("叶子黄了 还掉得凶") is spoken of in the article (any of
    its words); a question naming none passes."""
    # ("叶子吃得稀烂" is a pest's eating, no rot)
    said = {m.group(1) for m in _SYMPTOM.finditer(question) if not _EATEN.search(m.group(0))}
    if (m := _PESTS_ASKED.search(question)) and not (
            _PEST_WORDS.search(article) if (pest := m.group("pest") or "虫") == "虫"
            else pest[-1] in article):
        # ("四季豆有虫咋个整" is not the leftovers article's undercooked beans, "蜂子长了蜂螨"
        # not the bee-sting article's)
        return False
    if _NUTRIENT_ASKED.search(question) and not _NUTRIENT_WORDS.search(article):
        return False  # ("猕猴桃叶子黄得很 是不是缺啥子肥" is no canker article's: it never says 肥)
    if _OFF_FEED.search(question) and "person" not in subjects.classes(question) \
            and not _OFF_FEED_WORDS.search(article):
        # ("母猪生了崽不吃食" is not the piglets' diarrhoea; "不吃饭血糖就下来了" is a person's)
        return False
    if (m := _BREEDING.search(question)) and not re.search(
            _BREEDING_WORDS[m.lastgroup or ""], article):
        return False  # ("母猪断奶一个多月了还是不发情" is not the piglets' diarrhoea)
    if (m := _BODY_PART_ILL.search(question)) and (m.group(1) or m.group(2)) not in article:
        return False  # ("草鱼烂鳃 一天死十几条": the fish-gasping article never says 鳃)
    article = _LEAF_FALL_SEASON.sub("", article)
    return not said or any(w in article for s in said for w in _SYMPTOMS[s])
# who a question is about says nothing of what is asked ("生吃鱼胆真的能明目吗 我婆婆天天说" is
# no call for the old people's falls article): no support for a doubtful match
_WHO = frozenset("老人 老年 老年人 老人家 小孩 孩子 儿童 娃儿 宝宝 婴儿 大人 病人 "  # noqa: SIM905
                 "婆婆 爷爷 奶奶 外婆 外公 老汉 老妈 老爸 妈妈 爸爸 娃娃 婆娘 老婆 老公 "
                 "媳妇 儿子 女儿 孙子 孙女 孙娃".split())
_HOME = frozenset(("屋头", "家里", "屋里", "家头", "家中"))  # where the asker is, no content
# a message's sentences; the asking ones are the focus when they are at most this share of it
_PARTS = re.compile(r"[。！!？?：:；;]+")
_CLAUSES = re.compile(r"[。！!？?：:；;，,\s]+")
_ASKING_SHARE = 0.7
# an article about the crop asked of may lead from this far behind a general one
_CROP_SHARE = 0.6
# an article naming the crop in its title leads from this far behind one that never names it
_OWN_CROP_SHARE = 0.75
_CROP_POOL = 10
# a second article this close to the first may lead when only it holds the fact asked
_NEARLY_EQUAL = 0.9
# a measure asked in its unit ("好多度"), and the article with none of it: one this close that
# says it leads
_UNITS_ASKED = ((re.compile(r"温度|好多度|多少度|几度|好高的温|摄氏"), re.compile(r"\d\s*(℃|度)")),
                # "茶园冬天基肥一亩施好多有机肥": kilograms a mu
                (re.compile(r"亩.{0,8}(施|撒|用|下)(好多|多少|几)|(施|撒)(好多|多少|几)(?![回次遍道])(公斤|斤)?"),
                 re.compile(r"\d\s*(公斤|斤|千克)")))
_UNIT_SHARE = 0.8


def _unit_asked(text: str) -> re.Pattern[str] | None:
    """The unit a measure is asked in ("好多度" → ℃), as a pattern of the answer's figures."""
    return next((unit for asked_as, unit in _UNITS_ASKED if asked_as.search(text)), None)


# what a thing looks like, not what it is ("灰白色", "梭形的"): no name of its own
_DESCRIBES = re.compile(r"[色形状样]")
_NAMED_SHARE = 0.75  # a runner-up this close that alone names the rare thing asked about leads
_BETTER_SENTENCE = 0.05  # how much better its best sentence must answer
# the facts a question inside an emergency may ask of its first aid, beyond what to do now
_FACTS = ("amount", "time", "duration", "frequency", "call", "bring", "wear", "which", "yesno",
          "why")
_REMEDY_URGED = re.compile(r"(说|讲|喊|叫)[^，,。]{0,3}(喂|灌|吃|喝|抹|涂|敷|擦|放血|刮)")
_BARE_EMERGENCY_FOLLOW_UP = 16  # characters: "吐完好些了 是不是就没得事了"
_ACRONYM = re.compile(r"[a-zA-Z]{2,8}\d{0,3}")
_COMPLAINT = re.compile(subjects.COMPLAINTS)
_HEARD = re.compile(intent.HEARD)
# a hurt told as it happens (the chat's router reads it too: no remark)
HURT_NOW = (r"(遭|被|把)[^，,。！!？?]{0,8}(咬|抓|烫|烧|割|划|蜇|叮)了?|"
            r"烫[伤到了红起出破着]|开水[^，,。]{0,6}(?:打翻|泼|洒|淋)|(咬|抓|割|划)[破伤烂]|"
            r"破了?点?皮|(出|流)了?[点些]?血")
_HURT_NOW = re.compile(HURT_NOW)
_LIKENED = re.compile(r"(?:好?像|跟|和)[^，,。！!？?\s]{1,6}(?:一样|似的)")
_LIVESTOCK_HEADS = "羊牛猪鸡鸭鹅兔鱼虾蟹蜂蚕"


@cache
def _products_named() -> frozenset[str]:
    """Product words of two characters or more (蓝莓, 香肠): what a question is about, or
    only where it is asked from ("香肠里头加的添加剂有没得害" is the additives' question)."""
    return frozenset(p for p in taxonomy.product_codes() if len(p) >= 2)


@cache
def _unreadable_terms() -> frozenset[str]:
    """Research terms and product words a question may name."""
    return frozenset([*taxonomy.field_terms(), *_products_named()])


_SURE_ALONE = 0.75  # a question's own search this sure is no bare follow-up
_CERTAIN_ALONE = 0.95  # sure beyond doubt: no earlier words needed
_SUPPOSED = re.compile(r"要是|如果|万一|假如|假设")  # a case supposed, not what happened
_FOCUS_WEIGHT = 0.7  # a follow-up's own words, against the joined question's
# how chest compressions and rescue breaths are done ("按胸口按好深", "按好快", "吹气吹几口")
_CPR_ASKED = re.compile(r"按(胸口|胸|压)|胸外按压|按(好|多)(深|快|久)|按(几|多少)下|"
                        r"(吹|人工呼吸).{0,4}(几|多少|咋|怎么)|心肺复苏(咋|怎么)")
# "泡了一晚上的木耳呢 我妈舍不得倒": a clause opening with "…呢" asks the same of it (unless
# what follows asks its own: "小绿叶蝉呢 黄板要挂好多张")
_OPENS_WHAT_ABOUT = re.compile(r"[^，,。？?！!\s]{1,14}?(?:呢|嘞|喃)(?:[？?，,\s]|$)")
_BARE_FOLLOW_UP = 8  # characters: "啥时候打药好", "要打几次", "打几回"
# English words dropped into a Chinese question, in the words the articles use
_GLOSSARY = {
    "safety": "安全", "safe": "安全", "operate": "操作", "operation": "操作", "use": "使用",
    "fruit": "果子", "fruits": "果子", "leaf": "叶子", "leaves": "叶子", "tree": "树",
    "trees": "树", "pattern": "样子", "check": "检查", "disease": "病", "pest": "虫",
    "pests": "虫", "soil": "土壤", "fertilizer": "肥料", "pig": "猪", "pigs": "猪",
    "chicken": "鸡", "fish": "鱼", "tea": "茶", "orchard": "果园", "farm": "农场",
    "prune": "修剪", "pruning": "修剪", "spray": "喷药", "water": "水", "fever": "发烧",
    "cough": "咳嗽", "baby": "婴儿", "kid": "孩子", "kids": "孩子", "tips": "注意",
    "prevent": "预防", "prevention": "预防", "symptom": "症状", "symptoms": "症状",
    "dog": "狗", "dogs": "狗", "cat": "猫", "cats": "猫", "snake": "蛇", "bee": "蜂",
    "wasp": "蜂", "bitten": "咬", "bite": "咬", "scratched": "抓伤", "wound": "伤口",
}
_ENGLISH_WORD = re.compile(r"[A-Za-z]+")


def _glossed(question: str) -> str:
    """Known English words in a Chinese question put into Chinese (a question in English
    only is left as it is: the answer says it is answered in Chinese)."""
    if not re.search(r"[\u4e00-\u9fff]", question):
        return question
    return _gloss(question)


# what a sentence naming the place the question names gains (the boiling point at 康定)
_PLACE_BONUS = 0.15


def _places_named(text: str) -> frozenset[str]:
    """The names of the place a question names ("康定", "康定市"), or none."""
    region = gazetteer.find_region(text)
    if region is None or region.level == "province":
        return frozenset()
    return frozenset(n for n in (region.short_name, region.name) if len(n) >= 2)


def _leading(hit: Hit | None, hits: list[Hit]) -> list[Hit]:
    """The hits with `hit` moved to the front (unchanged when it is None)."""
    return hits if hit is None else [hit, *[h for h in hits if h is not hit]]


def reports_aftermath(text: str) -> bool:
    """Whether the text says the emergency is being dealt with or over ("送到医院了")."""
    return bool(_AFTERMATH.search(text))


def _asked_after_news(question: str) -> str:
    """What is asked at the end of news of an emergency that is over: "人送到医院了 医生说没得
    大事 我妈问以后打药要咋个防护", "火灭了 消防来了 那以后秸秆不烧咋处理嘛"."""
    m = _RELAYED_LATER.search(question)
    if m is None and (m := _AFTER_NEWS.search(question)) is not None and not _AFTERMATH.search(
            question[:m.start()]):
        m = None  # ("猪死了两头 以后咋个预防": the pig is the subject, not news)
    return question[m.end():].strip() if m and len(question) - m.end() >= 4 else question


def _gloss(text: str) -> str:
    return _ENGLISH_WORD.sub(lambda m: _GLOSSARY.get(m.group(0).lower(), m.group(0)), text)


_KIN = (r"(?:爷爷|奶奶|外公|外婆|老汉|我爸|我妈|老人家?|家人|邻居|"
        r"我?(?:婆婆|公公|老公|老婆|老妈|老爸|爸|妈|岳父|岳母|丈母娘|幺爸|舅舅|嬢嬢))")
_RELAYED = re.compile(rf"^(?:我?(?:帮|替|给)(?:我家?|屋头)?{_KIN}[^，,：:。！!？?]{{0,6}}"
                      rf"[，,：:\s]*)?(?:他|她|{_KIN})(?:又|还)?(?:想问|问|让我问)(?:一下|哈)?"
                      rf"(?!的)[，,：:\s]*")
# "我是金阳的村医 先问个事 …", "我在红原做草地研究 …": who the asker is, then the question
_WHO_I_AM = re.compile(r"^(?:我|我们)(?:是|在)[^，,。！!？?\s]{2,16}[，,。！!\s]+"
                       r"(?:(?:我?先|我)?(?:问|请教)(?:一?下|哈|一句|个事)[，,。:：\s]+)?")
# who the asker is by trade or office ("村医", "做草地研究的"), not what a firm makes
# ("我们是做PET瓶坯注塑的": that is the subject)
_A_PERSON = re.compile(r"(医|医生|老师|教师|教授|干部|书记|主任|村长|学生|护士|技术员|农技员|"
                       r"农技中心的?|推广中心的?|"
                       r"研究员|家长|志愿者|研究的?|工作的?|上班的?)(?:\s*先问个事|\s*先问一?下)?$")
# what the asker holds, said in passing: "自己有两百亩茶园", "养了三十几头猪"
_HOLDING = re.compile(r"(?:有|种了?|养了?|包了?|承包了?|流转了?)"
                      r"(?:[一二两三四五六七八九十百千万几\d]+多?|好几|几十|几百)"
                      r"(?:亩|头|只|棵|株|箱|群)(?=[\u4e00-\u9fff])")
# "发之前我问哈 …", "先问一句，…": who asks, and when, before the question itself
_FOR_A_TALK = re.compile(r"(?:给[^，,。\s]{1,6})?(?:讲课|上课|培训|开讲座|做讲座|做科普)前?"
                         r"(?:想|要)?(?:核实|确认|问|查)一?下[，,。:：\s]+(?=[^？?]{6,})")
_PREAMBLE = re.compile(r"^(?:不(?:找|用|要|需要|请|喊)(?:专家|人)[哈嘛了]?[，,\s]*)?"
                       r"(?:那|(?:发|填|打|用)?之前|等会儿?)?(?:我|我们)?(?:就|只是?|先|再|顺便)?"
                       r"(?:问|请教)(?:一?下|哈|一句|个事)[，,。:：\s]+(?=[^？?]{6,})")
# a question passed on after the news: "…医生说没得大事 我妈问以后打药要咋个防护"
_RELAYED_LATER = re.compile(rf"[\s，,。！!]+(?:他|她|{_KIN})(?:又|还)?(?:想问|问|让我问)"
                            r"(?:一下|哈)?(?!的)[，,：:\s]*")
# a question after news, said as its consequence: "…消防来了 那以后秸秆不烧咋处理嘛"
_AFTER_NEWS = re.compile(r"[\s，,。！!]+(?=(那|那么)?(以后|今后|下次|往后)[^，,。！!？?\s]{2})|"
                         r"[\s，,。！!]+(?:另外|顺便|对了)?(?:我?再)?(?:问下|问一下|问一哈|问哈|问个事|请问)"
                         r"[\s，,]*|"
                         # "人醒了 送医院了 对了我田里穗颈瘟啥时候打药"
                         r"[\s，,。！!]+(?:对了|另外|顺便)[\s，,]*")
_AFTERMATH = re.compile(r"火(灭|熄|扑灭)|消防|120|救护车|医院|医生|送到|抢救|救过来|醒了|没得?大事|"
                        r"脱离危险|(门窗|窗子)(也|都)?(打开|开)了|透了气|好些了")
# still in the emergency just answered ("120打了 在等车 还要做啥子"), or past it ("以后…")
_STILL_IN_IT = re.compile(r"还要|还该|还能做|接下来|然后(呢|咋|怎么|做)|等(车|救护车|120)|在路上|"
                          # "吸了氧还是难受": what was done has not helped
                          r"还是(难受|不行|痛|疼|喘|晕|吐|没好|不舒服|不见好)|还没(好|醒|缓过来)|"
                          r"不管用|没得用|"
                          r"车来之前|医生来之前|来之前|现在(咋|怎么|该|要)|"
                          # "120打了 去医院要带啥子", "她衣服上全是药水 要不要先洗下"
                          r"(去|到)医院.{0,4}(带|拿)|要不要先|先(洗|冲|脱)|"
                          # "120说二十分钟到 这阵我能做啥子": waiting for the ambulance
                          r"(120|救护车|医生).{0,12}(到|来)|(这阵|这会儿?|这下|现在).{0,3}(能|该|要|可以)"
                          r"(做|干|弄|搞)|"
                          # "我们两个没得啥感觉 要不要也去医院", "圈里头还有羊 我要不要回去牵"
                          r"(要不要|该不该|需不需要|用不用)也?(去|上|到)医院|"
                          # "一起吃了的娃娃没得啥子 也要去医院不"
                          r"也(要|得|该)(去|上|到)医院|"
                          r"(要不要|能不能|该不该|可不可以)(回去|返回|进去|回屋)|"
                          # "等明天天亮了再下山要得不": what to do, put off
                          r"等[^，,。？?]{0,6}(明天|明早|天亮|一哈|一下|一会儿?|好些|好点)"
                          r"[^，,。？?]{0,4}(再|才)|"
                          # "还有一个人吃得少 没得啥感觉": another who was there, no signs yet
                          r"(还有|另外|其他|一起)[^，,。？?]{0,4}(人|娃娃?|孩子).{0,10}"
                          r"(没得?啥|没有?什么|莫得啥?)子?(感觉|反应|事|症状)?|"
                          # "他现在还醒起的", "娃儿吐了两回了": how the person is now
                          r"^(他|她|娃儿?|人|老人|孩子|小孩|老汉儿?|老婆婆|婆婆|爷爷|奶奶|我爸|我妈)"
                          r"(现在|这阵|这会儿?|还|又|已经|开始|刚才)*"
                          r"[^，,。？?]{0,3}(醒|清醒|晕|昏|吐|出气|呼吸|反应|抽|冒|脸色|嘴巴|嘴唇|"
                          r"发青|发紫|说话|喊得答应|叫得醒|喊不醒|叫不醒)")
# something to do to the person in danger, asked now ("要不要给他灌水催吐", "能不能扶她起来")
_FOR_THEM_NOW = re.compile(r"(要不要|能不能|可不可以|该不该|敢不敢|可以|能)(先|马上)?(去|来)?"
                           r"(给|帮|把|扶|背|抱|喂|拉|拖)?"
                           r"(他|她|娃儿?|孩子|小孩|老人|老汉儿?|老婆婆|婆婆|爷爷|奶奶)|"
                           # "这附近莫得医院 要不要用嘴把毒吸出来": what to do with it now
                           r"(要不要|能不能|可不可以|该不该)(先|马上)?(用嘴|把毒|吸|挤|割|绑|扎|冰敷)|"
                           # "要不要拿绳子把脚杆勒紧": a remedy for the bite now
                           r"(要不要|能不能|可不可以|该不该)[^，,。？?]{0,8}(勒紧|绑紧|扎紧|捆紧|割开|吸出)|"
                           # "那我下去把他拉上来嘛": a rescue about to be tried
                           r"(下去|进去|跳下去|爬下去)[^，,。？?]{0,4}(拉|拖|背|抱|救|扶)|"
                           r"把(他|她|人)(拉|拖|背|抱|扶|弄)(上来|出来|起来)")
_THIS_THING = re.compile(r"这种|那种|这个|那个|这样|那样|这类|后面|后头")
# where someone comes from, not where the asker is ("亲戚要从成都上来 高反咋个预防")
_ORIGIN = re.compile(r"从[\u4e00-\u9fff]{2,8}?(?=上来|过来|下来|回来|出发|来|到|去)")
_LATER = re.compile(r"以后|平时|下次|今后|预防|防护|防止|避免")
# prevention asked of a first-aid article ("冬天烤火咋个防煤气中毒"): its prevention leads
_PREVENT_ASKED = re.compile(r"预防|防止|避免|(?:咋个?|怎么|如何|啷个)\s*(?:才能?)?\s*防(?!治)|"
                            # "以后冬天烤火咋个才安全"
                            r"(?:咋个?|怎么|如何|怎样)\s*才(?:能)?\s*(?:安全|不会?出事|不会?中毒)")
# ("屋头老人这种天要注意啥子" after "今天好热哦": the weather said before)
# "这种天", "这个天气": the weather said before (not 天麻, 天牛, 天然)
THIS_WEATHER = r"这(?:种|个|样的?|么)天气?(?![麻牛然敌府])"
_ANAPHORA = re.compile(r"^(那|那么|那个|这个|这种|它|要是|如果是|还有|还要|再)|[呢嘞喃][？?]?$|"
                       + THIS_WEATHER)
# (after a few words: "好了止住了 还有个事 …")
# ("另外一个师傅想下去拉他": another person, the same emergency)
_NEW_TOPIC = re.compile(r"^(.{0,8}[，,\s])?那?(还有个事|还有件事|还有一个事|另外一?个(问题|事)|"
                        r"另外(?!一个|一位|个|的|两|几)|换个问题|换个话题|"
                        r"再问个别的|问个别的|还有个问题|我还想问|另一个问题|"
                        r"再问[个一]?[个下句哈]?[，,\s])|"
                        # ("还有 猪场粪水多 沼液可以直接浇地不": 还有 said apart, then a whole
                        # question of its own — not "还有 那个要打几次")
                        r"^还有[，,。\s]+(?![那这它他她])(?=[^，,。？?]{6})")
_PRONOUN = re.compile(r"[他她它]们?")
_POINTS_BACK_FIRST = re.compile(r"那|这个|这种|它")
_GOING_ASKED = re.compile(r"(能|可以|可不可以|能不能|敢不敢)去[不吗嘛哦]?[？?]?$|去得[不吗][？?]?$|"
                          r"去不去得[？?]?$")
_ASIDE_ASKED = re.compile(r"^(顺便|顺带|另外)(问|请教)(一?下|哈|个事?|一句)|"
                          r"^(问|说)个?(题外话|别的|岔)")
# with what was spoken of before: "跟鸡粪一起撒要得不" after the lime
_TOGETHER = re.compile(r"^(那|那么)?(跟|和|与|同)[^，,。？?\s]{1,6}(一起|一块|一路|混)")


def _bigrams(text: str) -> set[str]:
    return {run[i:i + 2] for run in re.findall(r"[\u4e00-\u9fff]+", text)
            for i in range(len(run) - 1)}


_SAID_BY = re.compile(r"(?:我|我家|屋头|我们)?的?(?:婆婆|公公|妈|爸|老汉儿?|老婆|老公|媳妇|儿子|"
                      r"女儿|邻居|隔壁|别个|别人|朋友|亲戚)(?:也|都|还)?(?:说|讲|喊)")
# "那…呢" asking nothing else: the question before, of what it names
_WHAT_ABOUT = re.compile(r"(?:那|那么)[^，,。？?！!]{1,14}?(?:呢|嘞|喃)[？?]?\s*")
# a crop or animal alone, pointing back: "那猕猴桃呢", "梨子嘞"
_ONLY_A_CROP = re.compile(r"(?:那|那么|还有)?\s*([\u4e00-\u9fff]{1,6}?)(?:树|子)?"
                          r"(?:呢|嘞|喃|咧)[？?]?\s*")
# the one the pronoun means, named before it in the same message ("客人…要我帮他炒来吃")
_ANTECEDENT = re.compile(r"(客人|邻居|朋友|老板|工人|亲戚|隔壁|游客|顾客|同事|老乡)"
                         r"[^。？?]{0,16}[他她]")
_REMARK_AFTER = 30  # characters: a remark after an answer, not a story
# "好大哦", "好冷啊": said of something, not asked
_EXCLAIMED = re.compile(r"好[大多高冷热凶][哦啊呀哟噢]")
# said of the weather or a sight ("今天太阳好大哦"), not after a verb ("挂好高哦" asks how high)
_REMARKED = re.compile(r"(?<![挂长撒打放栽种剪埋施浇喂留切挖盖铺堆插搭养喷要修])"
                       r"好[大多高冷热凶][哦啊呀哟噢]")
_BARE_REMARK = 12  # characters: "不对 不要给电话" (news of a scam call is longer, and in scope)
# a plan said after an answer asks whether it is right ("屋头还剩半盒 留到下回用" after the
# antibiotics): no remark
_PLANNED = re.compile(r"留[到起着]|打算|准备|下[回次](再|又)?[用吃喝打撒]|"
                      r"想[^，,。！!？?\s]{0,4}(用|吃|喝|打|撒|卖|停)")
# any sign of a question, however it is asked
_ASKS_AT_ALL = re.compile(r"[？?吗呢嘛哇]|咋|怎|啥|什么|如何|为什么|为啥|哪|几|多少|好多|要不要|"
                          r"能不能|可不可以|是不是|有没有|有没得|得不得|行不行|[a-zA-Z]")
# an emergency's sentences: steps to take now, and what belongs to another day
_ACTION = re.compile(r"立即|马上|迅速|赶紧|尽快|千万|切勿|不要|拨打|送医|就医|"
                     r"让(患者|病人|伤者|他|其)|按压|冲洗|冲淋|固定|侧卧|平躺|关闭|打开门窗|转移|抓住|挑开|降温|下撤")
_PREVENTION = re.compile(r"^(平时|预防|日常|选购|购买|建议在家|家中常备)|平时|预防：|要提前|"
                         r"放在.{0,6}够不到|不要让孩子|的原因|是指|所谓")
EMERGENCY_ACTION_WEIGHT = 0.3
# sentences for babies, and the words that say a child is the one asked about
_FOR_INFANTS = re.compile(r"婴儿|1岁以下|新生儿")
_FOR_GROWNUPS = re.compile(r"(成人|成年人)(和|及)?(1|一)?岁?以上.{0,6}：")
_INFANT_ASKED = re.compile(r"婴儿|新生儿|奶娃|[0-9一二两三四五六七八九十几]+个?多?月(大)?的?"
                           r"(娃|宝宝|孩子|小孩|婴儿|幺儿)|月大|宝宝|baby|infant")
_CHILD_ASKED = re.compile(r"婴儿|宝宝|娃|孩子|小孩|儿子|女儿|孙|幺儿|月大|几个月|"
                          r"[0-9一二两三四五六七八九十]+岁|baby|infant|child|kid")
_LATIN = re.compile(r"[A-Za-z]")
ENGLISH_NOTE = "（用中文提问，回答会更准确。）"
WHERE_NOT_SAID = ("审核过的科普文章里没有写在哪里买；一般可以问当地农技站、畜牧站，"
                  "或到正规的农资店、种苗站买，认准有资质的。文章里相关的内容：\n")
# what may come before a term to make it the subject asked about ("想用生物炭改良…"; "我那个鱼塘
# 养的草鱼…是不是缺氧" asks about the gasping, "…党支部书记" is who asks)
_UNREAD_LEAD = re.compile(r"(请问|问一?下)?[，,\s]*(我们?|咱们)?(想|打算|准备|听说)?"
                          r"(用|试试|搞|做|施)?")
UNREAD_NOTE = "目前还没有经过专家审核的内容讲到{}。下面是相近的审核内容，仅供参考：\n"
_WHERE_SOLD = re.compile(r"买|购|销售|经销|供应|农资店|种苗站|种子站|药店|药房")
# a second article joins at this share of the first one's score (and only on the same subject)
SECOND_ARTICLE_SHARE = 0.7
# an answer is filled with the article's next most relevant sentences up to this length: a
# how-to needs its steps, a fact asked for only what is close to it
HOW_CHARS, FACT_CHARS = 160, 80
# a chain of follow-ups keeps this much of what came before
MAX_TOPIC_CHARS = 300
# a match this sure needs no further support from shared words
SURE_MATCH = 0.65
# a doubtful match's best sentence at least this close to the question (USE cosine) says more
# than a word it shares in passing
_PASSING_COSINE = 0.4
# emergency kinds → the words of their first-aid article, added to the search, so that
# "嘴巴歪了说话不清楚" finds the stroke (FAST) article, not falls or choking
FIRST_AID: dict[str, str] = {
    "poisoning": "中毒 急救 催吐 就医",
    "stroke": "脑卒中 中风 FAST 口角歪斜",
    "heart": "心梗 胸痛 急救",
    "unconscious": "心肺复苏 胸外按压",
    "seizure": "抽搐 高热 惊厥 重症",
    "drowning": "溺水 施救 心肺复苏",
    "electric": "触电 急救 断电",
    "co": "一氧化碳中毒 通风",
    "burn": "烫伤 冲 脱 泡 盖 送",
    "choking": "海姆立克 异物卡喉",
    "bleeding": "止血 压迫",
    "bite": "",  # the animal named ("竹叶青", "马蜂") finds its own article
    "heat": "中暑 热射病 降温",
    "fall": "跌倒 骨折",
    "altitude": "高原反应 下撤 吸氧",
    # finer topics (`retrieval.safety._REFINE`)
    "mushroom": "中毒 急救 催吐 就医",
    "child_poison": "误服 急救 就医",
    "food": "食物中毒 呕吐 腹泻 就医",
    "gas": "燃气泄漏 关阀 开窗",
    "lightning": "雷击 急救 心肺复苏",
    "snake": "毒蛇 咬伤",
    "sting": "蜜蜂 马蜂 蜇伤",
    "dog": "狗 咬伤 狂犬病",
    "hfmd": "手足口病 重症 送医",
    "nosebleed": "流鼻血 止血",
    "hypo": "低血糖 糖尿病",
    "blunt": "腹部外伤 内脏出血 送医",
    "flood": "山洪 泥石流 避险 高处",
    "buried": "被埋压 敲击 求救 余震",
    "car_flood": "开车 积水 车窗 逃生",
    "lost": "迷路 失温 原地等待 求救",
    "antibiotic": "抗生素 过敏 停药",
}


# product-list words too broad to name a subject ("种子", "大棚", "果园")
_BROAD = frozenset(
    "果树 果园 蔬菜 花卉 粮食 种子 制种 饲料 养殖场 猪场 鸡场 牛场 水产 苗木 林下 林地 森林 "  # noqa: SIM905
    "中药材 药材 牧草 草场 草原 草地 食品 农机 植保无人机 无人机 大棚 温室 滴灌 喷灌 调味品 "
    "竹叶青 鱼塘 竹林".split())


# a title on vegetables in general, and a question about a tree or an orchard
_VEGETABLES = re.compile("蔬菜|菜地|菜园")
_TREES = re.compile("树|果园|(?<!菜)园子")  # 菜园子 is a vegetable garden


def _living(text: str) -> list[str]:
    """The crops and animals a text asks about, not the materials named after them
    ("鸡粪堆起沤肥" asks about manure, not chickens; "猪肉价格" about meat)."""
    return [p for p in _products(text)
            if not re.search(re.escape(p) + "(粪|肉|蛋|骨|皮|毛|油)", text)]


def _in_scope(text: str) -> bool:
    """Whether a question speaks of farming, livestock, health, safety or science at all."""
    return (smalltalk.speaks_of_science(text) or bool(subjects.classes(text))
            or bool(_products(text)))


def _other_product(said: str, title: str) -> bool:
    """Whether the title names crops or animals and none of those said before (茶叶 and 茶树
    are one crop)."""
    before = set(map(subjects.bare_crop, _products(said)))
    named = set(map(subjects.bare_crop, _products(title)))
    return bool(before and named and not before & named)


# asking what something is ("…是不是黄龙病"): the signs said before it are what tells it
_IS_IT = re.compile(r"是不是|是不|算不算|是啥子?病|是什么病")
# words that name no subject ("啥时候撒合适", "那不用去医院嘛", "放哪里好")
_FITTING = re.compile(r"^[不没别莫要能会可该]|合适|适合|正常")
_INTERROGATIVE = re.compile("哪|啥|什么|多少|好久|多久|几")
_CAUSES = ("co", "poisoning", "mushroom", "child_poison", "food", "gas", "heat", "altitude")
_NO_BREATH_NOW = re.compile(r"(?<!还)(没得?|没有|不)(呼吸|出气)|没得?气了|胸口.{0,3}不动")


def _same_crop(read_title: str, title: str) -> bool:
    """Whether a title is about the crop the one read was about (any title, if it was none)."""
    crops = {subjects.bare_crop(p) for p in _products(read_title)}
    return not crops or bool(crops & {subjects.bare_crop(p) for p in _products(title)})


def _title_of(index: Any, article_id: str) -> str:
    return next((d.title for d in index.docs("articles").values() if d.parent == article_id), "")


def _distinct(words: set[str]) -> set[str]:
    """The words not part of a longer one among them ("电视" in "看电视" is one word said)."""
    return {w for w in words if not any(w != o and w in o for o in words)}


def names_its_subject(question: str, title: str, body: str) -> bool:
    """A question about a crop or animal is not answered by an article about another one:
    "核桃树要不要修剪" gets no tea-pruning article, "草莓白粉病" no kiwifruit one. An article
    whose title names no crop or animal ("果园土壤板结怎么疏松") is general and may answer.
    Synonyms count ("柑子" → 柑橘)."""
    if _VEGETABLES.search(title) and _TREES.search(question):
        return False  # "李子树叶子卷起了…打啥子药" is no vegetable's nematode
    # "狂犬疫苗" is the dog-bite article's, and so is "bitten by a neighbor's dog"
    said = _gloss(question).replace("犬", "狗")
    named = _living(question)  # ("送鸡蛋" names the eggs handed out, not hens)
    if (beasts := set(_TITLE_ANIMALS.findall(title))) and not any(b in said for b in beasts) \
            and (named or _TITLE_ANIMALS.search(said)):
        # "小鹅瘟的疫苗" is not the dog-bite (rabies vaccine) article's, "野狗咬了一口" not the
        # bee-sting article's ("被啥子咬了一口 肿起来了" names no animal: any may answer)
        return False
    if not named:
        return True
    if not _names_a_product(title):
        return True
    article = title + body
    return any(w in article for w in _subject_words(named))


def _subject_words(named: list[str]) -> set[str]:
    """The crops and animals named, with the words an article may name them by."""
    words = set(named)
    for term, standard in synonyms().items():
        if term in named:  # the product's own other names ("脑壳" → "头" is no product)
            words.update(standard)
    # "李子" is the 李 of "青脆李"; "鸭子" the 鸭 of "鸭瘟"
    words.update(w[0] for w in list(words) if len(w) == 2 and w.endswith("子"))
    # "茶园" and "茶叶" are the 茶 of "茶树修剪"; "桃园" the 桃 of "桃树"
    words.update(subjects.bare_crop(w) for w in list(words) if len(w) >= 2)
    # "耙耙柑" → "晚熟柑橘" → the 柑橘 an article on citrus names
    words.update(p for p in taxonomy.product_codes() if p not in _BROAD
                 and any(p in w for w in list(words)))
    return words


# the heat of summer and the cold of winter: an article on one is no answer about the other
# ("锡纸包起热得不" asks whether it heats up)
# ("我妈天天热剩菜吃": 天天 and 热 the verb, no hot day)
_HOT = re.compile("热得(?!不[？?]?$|不[？?\\s]|到不)|好热|太热|热天|(?<!天)天热|大热天|高温|"
                  "中暑|防暑|暑天|伏天|三伏|三十[五六七八九]度|四十度")
_HEAT = re.compile("高温|炎热|热应激|中暑|防暑|降温|暑|热射病|热天|天热")
_COLD = re.compile("冬|冷|寒|冻|保暖|取暖|烤火|低温|零下|结冰|下凌|霜")

# a disease by name ("带状疱疹", "腐烂病", "猪瘟"): its last two characters, unless the first of
# them says nothing of which disease ("生病", "啥病", "这病", "发病")
# ("褐色病斑", "病虫害", "病死猪": 病 begins another word there)
_DISEASE = re.compile(r"(?=([\s\S])([\u4e00-\u9fff](?:病|疹|瘟|痘|障|疮)"
                      r"(?![斑害虫菌毒因原株叶果枝部变情人灶程理史例症态死苗树区房床号假友历穴土田])"
                      r"(?!好了|好些|好点)))")  # ("师傅病好了": recovered, no disease named)
# diseases whose last two characters name another's sign (疱疹 of 手足口): said whole
_WHOLE_NAMES = ("带状疱疹",)
# endings many diseases share: the whole name must be said ("大黄根腐病" is no 干腐病)
_SHARED_ENDINGS = frozenset("腐病 枯病 霉病 萎病".split())  # noqa: SIM905
_NO_DISEASE = frozenset("生毛发治看得疾啥么子有防染犯个种的这那怪大小新老传了是病遭非红白黑黄色"
                        "些哪故保屏路长")  # ("要防哪些病" names none; 故障, 保障 are no illness)


def names_the_disease(question: str, article: str) -> bool:
    """A question naming a disease is not answered by an article that never names it:
    "带状疱疹疫苗要打几针" gets no rabies-vaccine article, "苹果树腐烂病" no hail damage.
    Its other names count ("鸡瘟" → 新城疫), and a slip of the pen ("溃杨病" is 溃疡病)."""
    table = synonyms()
    if any(w in question and w not in article for w in _WHOLE_NAMES):
        return False  # ("带状疱疹疫苗" is not the hand-foot-mouth article's 疱疹)
    named = [(before, disease) for before, disease in _DISEASE.findall(" " + question)
             if disease[0] not in _NO_DISEASE]
    # (one of two names is enough: "菌核病 军和病", the voice recogniser's slip said with it)
    return not named or any(
        (before + disease if disease in _SHARED_ENDINGS else disease) in article
        or re.search(re.escape(before) + "[\u4e00-\u9fff]" + disease[-1], article)  # "溃杨病"
        or any(w in article for term, names in table.items() if disease in term for w in names)
        for before, disease in named)


# what is asked to be fed: "酒糟可以喂猪不", "用剩饭喂狗" (what people eat is asked in too many
# ways — "水果还能吃不", "吃头孢期间能不能喝酒" — to read the thing from the words)
_FEED = re.compile(r"(?:^|[，,。\s的了把用拿])([\u4e00-\u9fff]{2,4}?)"
                   r"(?:还|也|都)?(?:可以|能不能|能|可不可以|拿来|拿去|来)喂|"
                   r"(?:用|拿)([\u4e00-\u9fff]{2,4}?)(?:来|去)?喂")
_POINTING = re.compile("^(那|这|还有)")
_NOT_FEED = frozenset(
    "这个 那个 这些 那些 这种 那种 东西 啥子 什么 它们 他们 我们 娃儿 小孩 孩子 "  # noqa: SIM905
    "老人 病人 大人 每天 平时 现在 晚上 早上".split())  # noqa: SIM905


def names_the_feed(question: str, article: str) -> bool:
    """A question whether something may be fed is answered only by an article that names that
    thing: "酒糟可以喂猪不" is not answered by the swine-fever article because it says 泔水 and
    喂猪. Its other names count ("苞谷" → 玉米)."""
    table = synonyms()
    for m in _FEED.finditer(question):
        thing = m.group(1) or m.group(2)
        if thing and len(thing) > 2:
            thing = _POINTING.sub("", thing)  # "那泔水还可不可以喂猪": 泔水
        if not thing or thing in _NOT_FEED or thing in article:
            continue
        # ("肝子肠子拿来喂狗": either word, by its other names too — 内脏)
        said = [thing, *([thing[:2], thing[2:]] if len(thing) == 4 else [])]
        if any(w in article for t in said for w in (t, *table.get(t, ()))):
            continue
        return False
    return True


# "屙的尿像酱油", "颜色跟浓茶一样": a likeness names no subject ("好像是稻瘟病" is a guess)
_SIMILE = re.compile(r"(?:(?<![好就])像(?!是)|颜色跟)$")


def _products(text: str) -> list[str]:
    """Crops and animals named, read left to right, longest first: "核桃树" is 核桃, no 桃树
    (and a pest named after an animal, 天牛, no 牛; nor what a thing looks like: "尿像酱油")."""
    # ("喂点牛奶解毒", "猪肉煮好久": food made of the animal, not the animal)
    text = subjects.FOOD_FROM_ANIMALS.sub("，", subjects.PEST_LOOKALIKES.sub("，", text))
    codes = taxonomy.product_codes()
    longest = max(map(len, codes), default=0)
    found: list[str] = []
    i = 0
    while i < len(text):
        for n in range(min(longest, len(text) - i), 0, -1):
            word = text[i:i + n]
            if word in codes:
                if word not in _BROAD and word not in found and not _SIMILE.search(text[:i]):
                    found.append(word)
                i += n
                break
        else:
            i += 1
    return found


def _said_in(product: str, text: str) -> bool:
    """Whether the text names the product, or the animal a 母/公 one is ("母羊" after 羊子)."""
    return product in text or (len(product) == 2 and product[0] in "母公"
                               and product[1] in text)


def _names_a_product(text: str) -> bool:
    return bool(_products(text))


def _first_aid_words(topic: str, question: str) -> str:
    if topic == "bite":  # which animal bit says which article: wasps and bees, or snakes
        return ("蜜蜂 马蜂 蜇伤" if "蜂" in question else "毒蛇 咬伤" if re.search(
            "蛇|长虫|烙铁头|竹叶", question) else "")
    if not topic and is_scam(question):  # "喊我马上转钱": the fraud article's words
        return "电信网络诈骗 核实 转账"
    return FIRST_AID.get(topic, "")


_FIRE_TITLE = re.compile("火|燃气|用电|充电|触电|烫伤")


def asker_region(question: str) -> str | None:
    """The region a question says the asker is in (its code): a place named, except where
    someone comes from ("亲戚要从成都上来 高反咋个预防" is asked in the highlands)."""
    place = gazetteer.find_region(_ORIGIN.sub(" ", question))
    return place.code if place is not None else None


def _prevention_flags(texts: list[str], turn: bool = False) -> list[bool]:
    """Which sentences speak of prevention: those that say so, and the items of a
    "预防：…；…；…" list that follow one up to the end of its sentence. `turn` (prevention
    asked): when none says so, what comes before the article turns to "万一…"."""
    flags, going = [], False
    for t in texts:
        going = bool(_PREVENTION.search(t)) or (going and not t.startswith("这些做法"))
        flags.append(going)
        going = going and t.rstrip().endswith(("；", ";"))
    if turn and not any(flags) and (after := next(
            (i for i, t in enumerate(texts) if _AFTER_IT.match(t)), 0)) > 0:
        # no sentence says 预防, but the article turns to what to do once it happened
        # ("万一跌倒：…"): what comes before that is how to keep it from happening
        flags = [i < after for i in range(len(texts))]
    return flags


_AFTER_IT = re.compile(r"万一|一旦发生|发生.{0,4}后[，,：:]|发现有人")


def _for_infants(texts: list[str]) -> list[int]:
    """The sentences kept for a baby: all but a grown-ups' procedure, from its label
    ("成人和1岁以上儿童：") to the next label."""
    keep, skipping = [], False
    for i, t in enumerate(texts):
        if _FOR_GROWNUPS.match(t):
            skipping = True
        elif skipping and ("：" in t[:16] or _FOR_INFANTS.search(t)):
            skipping = False
        if not skipping:
            keep.append(i)
    return keep


def _mostly_latin(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text)
    return letters > 0 and len(_LATIN.findall(text)) / letters > 0.6


def _article_text(index: SearchIndex, hit: Hit) -> str:
    """The article's title and whole body."""
    return hit.title + "".join(d.text for d in _article_chunks(index, hit))


def _article_chunks(index: SearchIndex, hit: Hit) -> list[Doc]:
    """All chunks of the cited article, in order (articles are short; the advice may sit in a
    chunk that matched the question less well than the background did)."""
    return article_chunks(index, hit.id) or [
        d for c in hit.chunks if (d := index.doc("articles", c))]


def _snippet(text: str, limit: int = 120) -> str:
    text = text.replace("\n", " ").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
