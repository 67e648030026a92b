"""The dialog core: the journeys of DESIGN.md §1, platform-free.

`Dialog.handle(Inbound) -> list[Outbound]` runs one turn. Conversation state (`state`, `data`)
lives in the store, so any worker can continue a conversation after a restart; turns of one
conversation run one at a time (a keyed lock here, plus the row's `version` as a guard against
a second process). Free text is understood in any state; buttons carry opaque actions that are
checked against the store.

States: `start` (menu), `ask` (next text is a question), `need:describe`, `need:slot:<name>`
(asking for one missing slot), `need:confirm` (summary card), `register:<step>`,
`delete:confirm`.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bot import accounts, texts
from bot.messages import MAX_TEXT, Button, Inbound, Outbound
from kejiyun.clock import Clock, system_clock
from kejiyun.errors import KejiyunError, StoreUnavailable, is_store_outage
from kejiyun.logs import log_context
from kejiyun.metrics import observe_turn
from kejiyun.settings import get_settings
from knowledge import gazetteer, taxonomy
from matching.contacts import find_contacts
from matching.extract import fill_others, fill_slot
from matching.need import SLOT_QUESTIONS, NeedDraft, problem_size
from matching.offers import OfferService, sent_message
from matching.service import Matcher
from matching.slots import extract_contacts, parse_kind
from retrieval import smalltalk
from retrieval.answer import Answerer
from retrieval.intent import asks
from retrieval.llm_guard import turn_budget
from retrieval.safety import assess
from store.models import MAX_ID, Conversation, Need, Offer, Person, QuestionLog, Scientist

log = logging.getLogger(__name__)
_CMD = re.compile(r"^\s*/?(start|help|帮助|菜单|cancel|取消|delete|删除我的数据|mine|我的需求|"
                  r"我的接单|link|关联|bind|绑定|注册)\b\s*(.*)$", re.IGNORECASE)
# platform chat between the two sides of a match: "留言 明天上午来", "给专家留言：…"
_RELAY = re.compile(r"^\s*(?:给(?:专家|老师|需求方|对方|老板)留言\s*[:：，,]?"
                    r"|留言(?:\s+|\s*[:：，,]|$))\s*(.*)$", re.S)
_PARTICLES = r"[呀啊嘛哈哦噢啦了呢的吧～~!！。,，.\s]*"
# the requester's "yes, tell that expert my number" typed instead of the button
_SHARE_WORDS = re.compile(r"^\s*(?:可以|同意|好的?|行|要得)?" + _PARTICLES
                          + r"(?:把(?:我的)?(?:联系方式|电话)?)?告诉(?:专家|他|她|老师)"
                          r"(?:我的)?(?:联系方式|电话)?" + _PARTICLES + "$")
# Sichuanese and everyday agreement and refusal, as a whole message
_AGREE_WORDS = (r"莫得问题|没得问题|没问题|没啥问题|要得|可以嘛?|中|行|对头|对的|是的|好的?|"
                r"好嘛|嗯+|确认|确定|发|发嘛|发吧|发布|发出去|就这样|就这么办|ok|okay|yes")
# Sichuanese and everyday agreement, as a whole message: "莫得问题", "好 发吧", "就这样发嘛"
_AGREE = re.compile(rf"^({_AGREE_WORDS})([\s，,]*({_AGREE_WORDS}))*{_PARTICLES}$", re.IGNORECASE)
_REFUSE = re.compile(rf"^(不得行|不行|不对|不要发|先不发|莫发|别发){_PARTICLES}$"
                     r"|^(等一下|等哈|等等|我再想想|再想想|考虑一下|我考虑一下)")
_REFUSE_AND_FIX = re.compile(r"^((不得行|不行|不对|错了|写错了)[，,\s]*)+[，,。！!\s]*"
                             r"(?P<fix>[^呀啊嘛哈哦了的。！!，,\s].*)$")
# leaving a form in people's words, from any step: "算了，不要了", "不搞了", "重新来"
_LEAVE_WORDS = (r"算了|算球了|算逑了|不要了|不搞了|不整了|莫搞了|不弄了|不做了|不找了|不发了|"
                r"不用了|不需要了|重新来|重来|取消吧|我要取消|取消了|撤销|作废|退出|不想发了|"
                r"不想弄了|先不弄了|先不搞了|暂不处理|先不处理|不处理了")
_LEAVE = re.compile(rf"^(我|我们|那|那就|还是|那我)?({_LEAVE_WORDS})"
                    rf"(([，,\s]*({_LEAVE_WORDS}|吧|哈))*{_PARTICLES}$"
                    # "取消吧，老板说先不弄了", "那就算了嘛，我先去问下农技站": a reason may follow
                    rf"|{_PARTICLES}[，,。！!\s]+(?!还是|又)|({_LEAVE_WORDS}))"
                    # "抱歉，公司决定暂不处理，取消吧。": the reason first
                    rf"|.*[，,。！!？?\s](那|那就|我|还是)?({_LEAVE_WORDS}|取消){_PARTICLES}$")
_QUICK: dict[str, list[tuple[str, str]]] = {
    "urgency": [("很急（这周内）", "urgent"), ("尽快（这个月）", "soon"), ("不急", "normal")],
    "budget": [("面议", "面议")],
    "contact_consent": [("同意", "同意"), ("不同意", "不同意")],
}
_LABELS = {texts.CONFIRM, texts.EDIT, "接单", "婉拒", "详情", texts.FORWARD, texts.DELETE_YES}
_MENU_WORDS = {"我要提问": "menu:ask", "发布技术需求": "menu:need", "我要发布需求": "menu:need",
               "我是科技工作者": "menu:scientist", "我是专家": "menu:scientist"}
# a scientist's words for the offer buttons, with the number "我的接单" shows
_OFFER_WORDS = re.compile(r"^(接单|接了|我接|接|婉拒|拒绝|不接|推掉|详情|看看|看下|看一下)\s*第?"
                          r"([1-5])?\s*(个|号|条)?[呀啊嘛哈哦吧了。！!]*$")
_OFFER_VERBS = {"接单": "accept", "接了": "accept", "我接": "accept", "接": "accept",
                "婉拒": "decline", "拒绝": "decline", "不接": "decline", "推掉": "decline",
                "详情": "details", "看看": "details", "看下": "details", "看一下": "details"}
# an expert saying the service is done, as a whole message
_SERVED = re.compile(r"^(服务|活儿?|事情|那边|那个需求)?(已经)?"
                     r"(完成|做完|弄完|搞完|搞定|结束|弄好|整完)了?(的)?[呀啊嘛哈哦了。！!]*$")
# "我想发个需求", "帮我找个专家": a need, even with no problem said yet (asked next)
_NEED_REQUEST = re.compile(r"(发|发布|提|登记)(个|一个)?(技术)?需求|找(个|位)?专家|请(个|位)?专家|"
                           r"专家(来|帮)|(找|请)(个|位)?(懂行|内行|懂的|技术员|老师)")
_FIELD_EDIT = re.compile(r"改成|改为|换成|不是.{0,8}是|预算|地区|地方|公开|联系方式|电话")
_WANTS_EXPERT = re.compile(r"专家|帮忙|来看|上门|指导|请个|请人|对接")
_SENTENCES = re.compile(r"(?<=[？?。！!])|[，,]\s*(?=(?:我|我们|想|能不能|可不可以|请))")
# a need's intake reads this many earlier messages, said within this long
RECENT_MESSAGES = 3
RECENT_WINDOW = timedelta(minutes=30)
# asides inside a form: answered with a word, the form's question asked again
_ASIDE = ("out_of_scope", "joke", "chat", "capabilities")
_SLOT_ANSWER = {"urgent": "很急", "soon": "尽快", "normal": "不急"}


class KeyedLocks:
    """One lock per conversation key, so one user's turns run in order and others' do not
    wait. (Across processes the conversation `version` check catches what this cannot.)"""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, str], tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: tuple[str, str]) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users <= 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


_LOCKS = KeyedLocks()  # one per process, shared by every Dialog in it
_DELIVERED_KEPT = 20  # delivery ids remembered per conversation (recovery runs within minutes)


@dataclass
class Turn:
    person_id: int
    role: str
    conversation_id: int
    state: str
    data: dict[str, Any]
    replies: list[Outbound] = field(default_factory=list)
    channel: str = ""
    # Written with the conversation's new state, so a retried turn never logs twice.
    questions: list[QuestionLog] = field(default_factory=list)
    outcome: str = "other"  # for metrics: answered | abstained | need | other
    key: str = ""  # the message's delivery id (Inbound.key), when the channel has one

    def say(self, text: str, buttons: list[Button] | None = None) -> None:
        self.replies.append(Outbound(text, buttons or []))


class ConversationConflict(Exception):
    """Another process changed the conversation during this turn."""


class Dialog:
    def __init__(self, engine: Engine, *, answerer: Answerer, matcher: Matcher,
                 offers: OfferService, clock: Clock = system_clock) -> None:
        self.engine = engine
        self.answerer = answerer
        self.matcher = matcher
        self.offers = offers
        self.clock = clock
        self._llm_budget = get_settings().llm_turn_budget  # all LLM calls of one turn
        self._locks = _LOCKS
        # Across processes (PostgreSQL), one conversation's turns are serialised by an
        # advisory lock held for the turn, on a connection of its own (never the pool the
        # turn itself needs, so many waiting turns cannot starve it).
        self._pg_locks = None
        if engine.dialect.name == "postgresql":
            from sqlalchemy import create_engine
            from sqlalchemy.pool import NullPool

            self._pg_locks = create_engine(engine.url, poolclass=NullPool)

    # ---- entry point -------------------------------------------------------------------------
    def handle(self, msg: Inbound) -> list[Outbound]:
        """One turn. Domain errors become their Chinese message, anything else is logged and
        the user gets a polite fallback (state unchanged) — except a database outage, which
        raises `StoreUnavailable` so the message is retried rather than answered with "sorry"."""
        started, outcome = time.perf_counter(), "error"
        with log_context(channel=msg.channel, turn=secrets.token_hex(4)):
            try:
                with self._locks.hold((msg.channel, msg.user_id)), self._cross_process(msg), \
                        turn_budget(self._llm_budget):
                    for _attempt in range(3):
                        try:
                            turn = self._turn(msg)
                            outcome = turn.outcome
                            return turn.replies
                        except ConversationConflict:
                            continue
                    return [Outbound(texts.SORRY)]
            except KejiyunError as exc:
                outcome = "other"  # the user gets the domain error's own message
                return [Outbound(str(exc))]
            except Exception as exc:
                if is_store_outage(exc):
                    # nothing of this turn was saved (the conversation is written last);
                    # the caller answers 503 and the platform brings the message back
                    log.warning("store unavailable during a turn on %s", msg.channel)
                    raise StoreUnavailable() from exc
                log.exception("dialog turn failed on %s", msg.channel)
                return [Outbound(texts.SORRY)]
            finally:
                observe_turn(msg.channel, outcome, time.perf_counter() - started)

    @contextmanager
    def _cross_process(self, msg: Inbound) -> Iterator[None]:
        if self._pg_locks is None:
            yield
            return
        from sqlalchemy import text

        with self._pg_locks.connect() as conn, conn.begin():
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                         {"k": f"conversation:{msg.channel}:{msg.user_id}"})
            yield

    def _turn(self, msg: Inbound) -> Turn:
        person_id, role = accounts.account(self.engine, msg.channel, msg.user_id,
                                           msg.display_name)
        conv = self._conversation(msg.channel, msg.user_id, person_id)
        turn = Turn(person_id, role, conv.id or 0, conv.state, dict(conv.data),
                    channel=msg.channel, key=msg.key)
        if msg.key and msg.key in conv.data.get("delivered", []):
            turn.outcome = "duplicate"  # saved before its worker died: do not apply it twice
            return turn
        self._route(msg, turn)
        if msg.key:  # saved with the turn, in the same update of the conversation row
            # (from conv.data: the route may have started the data afresh)
            turn.data["delivered"] = [*conv.data.get("delivered", []),
                                      msg.key][-_DELIVERED_KEPT:]
        if msg.text and turn.state.startswith("need:"):
            # what the requester wrote while the need took shape: staff read it on the need's
            # page ("对话摘录"); contacts are masked as in the description
            if not conv.state.startswith("need:"):
                turn.data["transcript"] = []  # a new need starts a new excerpt
            kept = turn.data.setdefault("transcript", [])
            kept.append(extract_contacts(msg.text.strip())[0][:500])
            del kept[:-20]
        if turn.state != "deleted":
            self._save(conv, turn)
        return turn

    def _conversation(self, channel: str, user_id: str, person_id: int) -> Conversation:
        with Session(self.engine, expire_on_commit=False) as s:
            conv = s.execute(select(Conversation).where(
                Conversation.channel == channel,
                Conversation.platform_user_id == user_id)).scalar_one_or_none()
            if conv is None:
                conv = Conversation(channel=channel, platform_user_id=user_id,
                                    person_id=person_id, state="start", data={},
                                    updated_at=self.clock.now())
                s.add(conv)
                try:
                    s.commit()
                except Exception:  # noqa: BLE001 - created concurrently: read it back
                    s.rollback()
                    raise ConversationConflict() from None
            s.expunge(conv)
            return conv

    def _save(self, conv: Conversation, turn: Turn) -> None:
        with Session(self.engine) as s, s.begin():
            done = s.execute(
                update(Conversation).where(Conversation.id == conv.id,
                                           Conversation.version == conv.version)
                .values(state=turn.state, data=turn.data, version=conv.version + 1,
                        person_id=turn.person_id, updated_at=self.clock.now())
                .execution_options(synchronize_session=False)).rowcount
            if done != 1:
                raise ConversationConflict()
            s.add_all(turn.questions)

    # ---- routing -----------------------------------------------------------------------------
    def _route(self, msg: Inbound, t: Turn) -> None:
        options = t.data.pop("options", None)  # buttons of the previous reply only
        if msg.action:
            self._button(msg.action, t)
            return
        if msg.kind not in ("text", "event"):
            t.say(texts.NOT_TEXT)
            return
        text = (msg.text or "").strip()
        if msg.kind == "event":  # welcome, subscribe, menu: a fresh start, no hidden form
            t.state = "start"
            t.data = {k: v for k, v in t.data.items() if k == "last_question"}
            self._menu(t, welcome=True)
            return
        if len(text) > MAX_TEXT:
            t.say(texts.TOO_LONG.format(n=MAX_TEXT))
            text = text[:MAX_TEXT]
        if not text:
            t.say(texts.EMPTY)
            return
        if text.isdigit() and len(text) <= 2:
            i = int(text) - 1
            if options and 0 <= i < len(options):  # a numbered reply (WeChat, terminal)
                self._button(options[i], t)
                return
            if not options and t.state in ("start", "ask") and self._offer_by_number(i, t):
                return
            if t.state in ("start", "ask"):
                t.say(texts.NO_OPTION)
                return
        if _LEAVE.match(text) and t.state not in ("start", "ask"):
            self._command("取消", "", t)  # "算了，不要了" ends the form, from any step
            return
        if _SHARE_WORDS.match(text) and t.state in ("start", "ask"):
            offer_id = self._accepted_offer_of_my_need(t)
            if offer_id is not None:
                t.say(self.offers.share_contact(offer_id, t.person_id).message)
                return
        relay = _RELAY.match(text)
        if relay and t.state in ("start", "ask"):
            t.say(self.offers.relay(t.person_id, relay.group(1)).message)
            return
        m = _CMD.match(text)
        if m and (text.startswith("/") or len(text) <= 12 or m.group(1) in ("绑定", "关联")):
            self._command(m.group(1).lower(), m.group(2).strip(), t)
            return
        self._text(text, t)

    def _command(self, cmd: str, arg: str, t: Turn) -> None:
        if cmd in ("start", "help", "帮助", "菜单"):
            t.state = "start"
            self._menu(t, welcome=cmd == "start")
        elif cmd in ("cancel", "取消"):
            busy = t.state not in ("start", "ask")
            t.state, t.data = "start", {}
            t.say(texts.CANCELLED if busy else texts.NOTHING_TO_CANCEL)
        elif cmd in ("delete", "删除我的数据"):
            t.state = "delete:confirm"
            t.say(texts.DELETE_CONFIRM, [Button(texts.DELETE_YES, "delete:yes"),
                                         Button(texts.DELETE_NO, "delete:no")])
        elif cmd in ("mine", "我的需求"):
            self._my_needs(t)
        elif cmd == "我的接单":
            self._my_offers(t)
        elif cmd in ("link", "关联"):
            if arg:
                problem = accounts.redeem(self.engine, arg, "link", t.person_id, self.clock)
                t.say(problem or texts.LINKED)
            else:
                code = accounts.new_code(self.engine, "link", self.clock.now(),
                                         person_id=t.person_id)
                t.say(texts.LINK_CODE.format(code=code))
        elif cmd in ("bind", "绑定"):
            if not arg:
                t.say(texts.SCIENTIST_MENU)
                return
            problem = accounts.redeem(self.engine, arg, "bind", t.person_id, self.clock)
            if problem:
                t.say(problem)
                return
            sci = accounts.scientist_of(self.engine, t.person_id)
            t.role = "scientist"
            t.say(texts.BOUND.format(name=sci.name if sci else ""))
        elif cmd == "注册":
            if accounts.scientist_of(self.engine, t.person_id) is not None:
                t.say("您已经有科技工作者档案了。回复“我的接单”查看邀请。")
                return
            t.state, t.data = "register:name", {"register": {}}
            t.say(texts.REGISTER_STEPS["name"])

    def _menu(self, t: Turn, welcome: bool = False, text: str | None = None) -> None:
        t.say(text or (texts.WELCOME if welcome else texts.HELP),
              self._options(t, [Button("我要提问", "menu:ask"),
                                Button("发布技术需求", "menu:need"),
                                Button("我是科技工作者", "menu:scientist")]))

    def _options(self, t: Turn, buttons: list[Button]) -> list[Button]:
        """Remember the buttons just shown, so "1", "2" … can press them on text channels."""
        t.data["options"] = [b.action for b in buttons]
        return buttons

    # ---- buttons -----------------------------------------------------------------------------
    def _button(self, action: str, t: Turn) -> None:
        verb, _, arg = action.partition(":")
        if verb == "menu":
            if arg == "ask":
                t.state = "ask"
                t.say(texts.ASK_PROMPT)
            elif arg == "need":
                t.state = "need:describe"
                t.say(texts.NEED_PROMPT)
            elif arg == "scientist":
                if accounts.scientist_of(self.engine, t.person_id) is not None:
                    self._my_offers(t)
                else:
                    t.say(texts.SCIENTIST_MENU)
            else:
                t.say(texts.STALE_BUTTON)
        elif verb == "forward":
            question = t.data.get("last_question")
            if not question:
                t.say(texts.NO_QUESTION)
                return
            t.say(texts.FORWARD_START)
            draft = self.matcher.extract(question, role=t.role)
            draft.kind = "question"
            draft.recompute_missing()
            self._continue_need(draft, t)
        elif verb == "slot" and t.state.startswith("need:slot:"):
            slot, _, value = arg.partition(":")
            if slot != t.state.removeprefix("need:slot:"):
                t.say(texts.STALE_BUTTON)
                return
            self._slot_answer(_SLOT_ANSWER.get(value, value), t)
        elif verb == "need" and t.state == "need:confirm":
            if arg == "confirm":
                self._publish(t)
            elif arg == "edit":
                t.state = "need:edit"
                t.say(texts.EDIT_PROMPT)
            elif arg == "private":
                draft = NeedDraft(**t.data["draft"])
                draft.confidentiality, draft.visibility_set = "experts_only", True
                self._continue_need(draft, t)
            else:
                t.state, t.data = "start", {}
                t.say(texts.CANCELLED)
        elif verb in ("accept", "decline", "details"):
            self._offer_button(verb, arg, t)
        elif verb == "share":  # the requester releases their contact to an unverified expert
            if not (arg.isascii() and arg.isdigit() and int(arg) <= MAX_ID):
                t.say(texts.STALE_BUTTON)
                return
            t.say(self.offers.share_contact(int(arg), t.person_id).message)
        elif verb == "done":  # the requester says the service is done: now the rating
            need = self._own_open_need(arg, t)
            if need is None:
                t.say(texts.STALE_BUTTON)
                return
            t.say(texts.RATE_PROMPT + f"（#{need.id} {need.title}）", self._options(
                t, [Button(label, f"rate:{need.id}:{stars}") for stars, label in texts.STARS]))
        elif verb == "served":  # the expert: the service is done, ask the requester to rate
            if not (arg.isascii() and arg.isdigit() and int(arg) <= MAX_ID):
                t.say(texts.STALE_BUTTON)
                return
            t.say(self.offers.service_done(t.person_id, int(arg)).message)
        elif verb == "rate":
            need_id, _, stars = arg.partition(":")
            if not (need_id.isascii() and need_id.isdigit() and int(need_id) <= MAX_ID
                    and stars in ("1", "2", "3", "4", "5")):
                t.say(texts.STALE_BUTTON)
                return
            out = self.offers.close(int(need_id), int(stars), person_id=t.person_id,
                                    actor=f"person:{t.person_id}")
            t.say(texts.RATED if out.ok else out.message)
        elif verb == "delete" and t.state == "delete:confirm":
            if arg == "yes":
                accounts.erase(self.engine, t.person_id, self.clock.now())
                t.state = "deleted"
                t.say(texts.DELETED)
            else:
                t.state = "start"
                t.say(texts.NOTHING_TO_CANCEL)
        else:
            t.say(texts.STALE_BUTTON)

    def _pending_offers(self, t: Turn) -> list[tuple[Offer, Need]]:
        sci = accounts.scientist_of(self.engine, t.person_id)
        if sci is None:
            return []
        with Session(self.engine) as s:
            rows = s.execute(select(Offer, Need).join(Need, Need.id == Offer.need_id)
                             .where(Offer.scientist_id == sci.id, Offer.status == "pending")
                             .order_by(Offer.id.desc()).limit(5)).all()
        return [(o, n) for o, n in rows]

    def _offer_by_number(self, i: int, t: Turn) -> bool:
        """"1" typed under a pushed offer (its buttons were listed 1 接单, 2 婉拒, 3 详情, but a
        push is no turn, so no options were kept): with one offer waiting it means that
        offer's button; with several, the list comes first."""
        pending = self._pending_offers(t)
        if not pending or not 0 <= i < 3:
            return False
        if len(pending) > 1:
            self._my_offers(t)
            return True
        self._offer_button(("accept", "decline", "details")[i], pending[0][0].token, t)
        return True

    def _offer_by_text(self, m: re.Match[str], t: Turn) -> bool:
        """Offers answered in words on text channels (WeChat, the terminal): the number is
        the one "我的接单" shows; with one offer waiting, no number is needed. The offer is
        looked up for this scientist in the store, as a button's token is."""
        if accounts.scientist_of(self.engine, t.person_id) is None:
            t.say(texts.NOT_SCIENTIST)  # "接单" from someone with no scientist profile
            return True
        verb = _OFFER_VERBS[m.group(1)]
        pending = self._pending_offers(t)
        if not pending:
            t.say(texts.OFFERS_EMPTY)
            return True
        number = m.group(2)
        if number is None and len(pending) > 1:
            self._my_offers(t)
            return True
        i = int(number) - 1 if number else 0
        if not 0 <= i < len(pending):
            t.say(texts.NO_OPTION)
            return True
        self._offer_button(verb, pending[i][0].token, t)
        return True

    def _offer_button(self, verb: str, token: str, t: Turn) -> None:
        sci = accounts.scientist_of(self.engine, t.person_id)
        if sci is None or sci.id is None:
            t.say(texts.NOT_SCIENTIST)
            return
        if verb == "accept":
            t.say(self.offers.accept(token, sci.id, actor=f"person:{t.person_id}").message)
        elif verb == "decline":
            t.say(self.offers.decline(token, sci.id, actor=f"person:{t.person_id}").message)
        else:
            t.say(self._offer_details(token, sci.id), self._options(t, [
                Button("接单", f"accept:{token}"), Button("婉拒", f"decline:{token}")]))

    def _offer_details(self, token: str, scientist_id: int) -> str:
        with Session(self.engine) as s:
            offer = s.execute(select(Offer).where(Offer.token == token)).scalar_one_or_none()
            if offer is None or offer.scientist_id != scientist_id:
                return "这个邀请不存在，或不是发给您的。"
            need = s.get(Need, offer.need_id)
            assert need is not None
            draft = _draft(need)
        lines = draft.summary_lines()[:-1]  # everything but the contact line
        lines.append(f"需求描述：{need.description[:500]}")
        lines.append(f"当前状态：{texts.STATUS.get(need.status, need.status)}")
        return "\n".join(lines)

    # ---- free text ---------------------------------------------------------------------------
    def _text(self, text: str, t: Turn) -> None:
        state = t.state
        if state.startswith(("need:", "register:")) and assess(text).kind in ("emergency", "fire"):
            # "我孙娃把消毒液喝了一口！" in the middle of a form: the 120 line now, the form
            # waits where it was
            self._answer(text, t, inside_form=True)
            return
        if state.startswith("need:slot:"):
            self._slot_answer(text, t)
        elif state == "need:describe":
            self._continue_need(self.matcher.extract(text, role=t.role), t)
        elif state == "need:edit":
            draft = NeedDraft(**t.data["draft"])
            fill_slot(draft, "description", text)
            self._continue_need(draft, t)
        elif state == "need:confirm":
            if _AGREE.match(text) or text == texts.CONFIRM:
                # the whole message agrees: "对了，仔猪要补液不" is a question, not a yes
                self._publish(t)
            elif (m := _REFUSE_AND_FIX.match(text)) and m.group("fix").strip():
                # "不得行，不是两千，是800": not published; what follows is the correction
                draft = NeedDraft(**t.data["draft"])
                fill_slot(draft, "description", m.group("fix"))
                self._continue_need(draft, t)
            elif _REFUSE.match(text):  # "不得行": nothing published, nothing appended
                t.say(texts.NOT_PUBLISHED, self._options(t, [
                    Button(texts.CONFIRM, "need:confirm"), Button(texts.EDIT, "need:edit"),
                    Button(texts.DROP, "need:cancel")]))
            elif self._asks_inside_form(text):  # "对了，仔猪要补液不": answered, card again
                self._answer(text, t, inside_form=True)
                self._continue_need(NeedDraft(**t.data["draft"]), t)
            else:  # anything else is a change to the need
                draft = NeedDraft(**t.data["draft"])
                fill_slot(draft, "description", text)
                self._continue_need(draft, t)
        elif state.startswith("register:"):
            self._register(state.removeprefix("register:"), text, t)
        elif state == "delete:confirm":
            if text in (texts.DELETE_YES, "确认", "确定"):
                self._button("delete:yes", t)
            else:
                t.state = "start"
                t.say(texts.NOTHING_TO_CANCEL)
        elif (door := _MENU_WORDS.get(text.rstrip("。！!"))) is not None:
            self._button(door, t)  # a menu label typed instead of pressed
        elif (m := _OFFER_WORDS.match(text)) and self._offer_by_text(m, t):
            pass  # "接单", "婉拒 2", "详情": a scientist answering an offer by words
        elif _SERVED.match(text) and accounts.scientist_of(self.engine, t.person_id):
            t.say(self.offers.service_done(t.person_id).message)  # "服务完成了", "弄完了"
        elif text in _LABELS:  # a button label typed where that button is not on offer
            t.say(texts.STALE_BUTTON)
        elif (small := smalltalk.classify(text)) is not None:
            # a greeting, thanks or an off-topic ask: a friendly word and the menu, never
            # "no vetted content" with a forward button, never logged as an unmet question;
            # what was said before it no longer describes a need to come
            t.data.pop("recent", None)
            t.state = "start"
            self._menu(t, text=smalltalk.REPLY[small])
        elif state == "ask" or not self._looks_like_need(text, t):
            self._answer(text, t)
        else:
            # what they said just before belongs to the need: "我们是绵阳游仙区做泡菜的小厂",
            # "袋装泡菜发酵老是胀袋", then "想找个专家帮忙解决，预算两万左右"
            said = [*self._recent(t), text]
            t.data.pop("recent", None)
            # "溃疡病打啥子药？想请个专家来看看": the question is answered, then the form
            asked = [p for p in _SENTENCES.split(text) if p and asks(p)
                     and parse_kind(p) == "question"]
            if asked and len(asked[0]) < len(text):
                self._answer(asked[0], t, inside_form=True)
            self._continue_need(self.matcher.extract("。".join(said), role=t.role), t)

    def _recent(self, t: Turn) -> list[str]:
        """What the user said in the last minutes that was not a need yet (kept for intake)."""
        recent = t.data.get("recent") or {}
        try:
            at = datetime.fromisoformat(recent.get("at", ""))
        except ValueError:
            return []
        if self.clock.now() - at > RECENT_WINDOW:
            return []
        return [str(x)[:500] for x in recent.get("texts", [])][-RECENT_MESSAGES:]

    def _looks_like_need(self, text: str, t: Turn) -> bool:
        """A request for service, R&D, people or a technology is a need; a how/why is a
        question (which can still go to an expert if no vetted article answers it)."""
        if _NEED_REQUEST.search(text):
            return True
        if asks(text) and not _WANTS_EXPERT.search(text):
            return False  # "叶子黄一块绿一块 是不是黄龙病" asks; it wants no expert yet
        return parse_kind(text) != "question"

    @staticmethod
    def _asks_inside_form(text: str) -> bool:
        """A 科普 question typed while filling in a need, not a field or a request."""
        return (bool(asks(text)) and not _WANTS_EXPERT.search(text)
                and not _FIELD_EDIT.search(text) and smalltalk.classify(text) is None)

    def _answer(self, text: str, t: Turn, inside_form: bool = False) -> None:
        """A cited answer, or an honest "no vetted answer" with a forward-to-expert button.
        `inside_form`: asked while filling in a need; the form's state stays, no buttons."""
        if not inside_form:
            t.state = "start"
        logged = self._question_log(text, False, 0.0, [], t)
        # a place named in the question, else the asker's profile: other regions' local
        # articles (a county's calendar, a city's subsidy) never answer them; the question
        # before gives a follow-up ("那石灰撒多少？") its topic
        # inside a form the need being described gives the question its subject ("溃疡病打啥子
        # 药" while asking for a kiwifruit expert is about kiwifruit canker)
        previous = (t.data.get("draft") or {}).get("description") if inside_form else None
        result = self.answerer.ask(text, logged.region_code,
                                   previous=previous or t.data.get("last_question"))
        if result.intent:  # small talk or off-topic, seen by the answerer: not a 科普 need
            if inside_form:
                t.say(result.answer)
            else:
                t.data.pop("recent", None)
                self._menu(t, text=result.answer)
            return
        t.data["last_question"] = (result.topic or text)[:2000]
        if not inside_form:
            recent = [*self._recent(t), text][-RECENT_MESSAGES:]
            t.data["recent"] = {"at": self.clock.now().isoformat(), "texts": recent}
        lines = [result.answer]
        if result.citations:
            lines.append("出处：" + "；".join(f"[{i}]《{c.title}》"
                                           for i, c in enumerate(result.citations, start=1)))
        buttons = [Button(texts.FORWARD, "forward")] if result.abstained and not inside_form \
            else []
        if not inside_form:
            t.outcome = "abstained" if result.abstained else "answered"
        logged.abstained, logged.confidence = result.abstained, round(float(result.confidence), 4)
        logged.citations = [c.article_id for c in result.citations]
        t.questions.append(logged)
        t.say("\n".join(lines), self._options(t, buttons) if buttons else [])

    def _question_log(self, text: str, abstained: bool, confidence: float,
                      citations: list[str], t: Turn) -> QuestionLog:
        """The dashboards count answered and abstained questions, and gap mining clusters the
        abstained ones by topic and region; contact details never reach the log."""
        place = gazetteer.find_region(text)
        region = place.code if place is not None else None
        if region is None:
            with Session(self.engine) as s:
                person = s.get(Person, t.person_id)
                region = person.region_code if person is not None else None
        return QuestionLog(at=self.clock.now(), channel=t.channel, person_id=t.person_id,
                           region_code=region, text=extract_contacts(text)[0][:2000],
                           abstained=abstained, confidence=round(float(confidence), 4),
                           citations=citations)

    # ---- need intake -------------------------------------------------------------------------
    def _continue_need(self, draft: NeedDraft, t: Turn) -> None:
        t.outcome = "need"
        draft.requester_role = t.role if t.role != "citizen" else draft.requester_role
        t.data["draft"] = asdict(draft)
        if draft.missing:
            slot = draft.missing[0]
            t.state = f"need:slot:{slot}"
            t.say(SLOT_QUESTIONS[slot], self._options(t, _slot_buttons(slot)))
            return
        t.state = "need:confirm"
        lines = [texts.SUMMARY_HEAD, *draft.summary_lines()]
        buttons = [Button(texts.CONFIRM, "need:confirm"), Button(texts.EDIT, "need:edit"),
                   Button(texts.DROP, "need:cancel")]
        if draft.requester_role == "enterprise" and not draft.visibility_set:
            # a firm's problem may be a commercial secret: asked on the card, before publishing
            # (last button, so that 1–3 mean the same on every card)
            lines.append(texts.VISIBILITY_ASK)
            buttons.append(Button(texts.PRIVATE, "need:private"))
        t.say("\n".join(lines), self._options(t, buttons))

    def _slot_answer(self, text: str, t: Turn) -> None:
        t.outcome = "need"
        slot = t.state.removeprefix("need:slot:")
        draft = NeedDraft(**t.data["draft"])
        if (aside := smalltalk.classify(text)) in _ASIDE:
            # "明天成都下不下雨哦" at the urgency prompt: declined, never read as "明天" = urgent
            t.say(smalltalk.REPLY[aside or "chat"])
            t.say(SLOT_QUESTIONS.get(slot, ""), self._options(t, _slot_buttons(slot)))
            return
        if not fill_slot(draft, slot, text):
            # "很急" at the region prompt, "三千" at the consent prompt: an answer to another
            # question still open is taken, and the open one asked again (never a loop)
            # (a filled one too: "其实不急" when asked the budget is a change of mind)
            others = [o for o in (*draft.missing, "urgency", "budget")
                      if o not in (slot, "description")]
            for other in dict.fromkeys(others):
                if fill_slot(draft, other, text):
                    fill_others(draft, text)
                    self._continue_need(draft, t)
                    return
            if problem_size(text) >= 6 and not self._asks_inside_form(text):
                # "猪圈里好几头母猪不吃食还发烧…" at the region prompt: more about the problem
                fill_slot(draft, "description", text)
                self._continue_need(draft, t)
                return
            buttons = _slot_buttons(slot)
            if self._asks_inside_form(text):
                # "对了，溃疡病现在打啥子药？" inside the form: answered, then the form goes on
                self._answer(text, t, inside_form=True)
                t.say(SLOT_QUESTIONS.get(slot, ""), self._options(t, buttons))
                return
            t.say(texts.SLOT_RETRY.get(slot, SLOT_QUESTIONS.get(slot, "")),
                  self._options(t, buttons))
            return
        fill_others(draft, text)
        self._continue_need(draft, t)

    def _publish(self, t: Turn) -> None:
        t.outcome = "need"
        draft = NeedDraft(**t.data["draft"])
        need_id = self.offers.create_need(draft, requester_id=t.person_id,
                                          conversation_id=t.conversation_id,
                                          actor=f"person:{t.person_id}",
                                          transcript=t.data.get("transcript", []),
                                          source_key=f"{t.channel}:{t.key}" if t.key else None)
        outcome = self.offers.confirm(need_id, actor=f"person:{t.person_id}")
        if outcome.code == "not_draft" and t.key:
            # this message published it before its worker died: say where it stands (and
            # dispatch it, if the worker died before that), never send anything twice
            outcome = self.offers.published(need_id)
        t.state, t.data = "start", {}
        # say only what happened: offers sent, handed to staff (nobody to ask), or — the
        # dispatch failed — published and waiting for the background job to dispatch it
        if outcome.code == "offered" and outcome.offers:
            t.say(texts.PUBLISHED.format(sent=sent_message(len(outcome.offers) - outcome.calls,
                                                           outcome.calls)))
        elif outcome.code == "unmatched":
            t.say(texts.PUBLISHED_NONE)
        else:
            t.say(outcome.message)

    def _accepted_offer_of_my_need(self, t: Turn) -> int | None:
        with Session(self.engine) as s:
            return s.execute(select(Offer.id).join(Need, Need.id == Offer.need_id).where(
                Need.requester_id == t.person_id, Offer.status == "accepted",
                Need.status.in_(("matched", "in_service")))
                .order_by(Offer.responded_at.desc(), Offer.id.desc()).limit(1)
            ).scalar_one_or_none()

    def _own_open_need(self, arg: str, t: Turn) -> Need | None:
        """The requester's own matched need named by a button (checked in the store)."""
        if not (arg.isascii() and arg.isdigit() and int(arg) <= MAX_ID):
            return None
        with Session(self.engine) as s:
            need = s.get(Need, int(arg))
            if (need is None or need.requester_id != t.person_id
                    or need.status not in ("matched", "in_service")):
                return None
            s.expunge(need)
            return need

    # ---- lists -------------------------------------------------------------------------------
    def _my_needs(self, t: Turn) -> None:
        with Session(self.engine) as s:
            needs = list(s.execute(select(Need).where(Need.requester_id == t.person_id)
                                   .order_by(Need.id.desc()).limit(10)).scalars())
        if not needs:
            t.say(texts.MINE_EMPTY)
            return
        lines = ["您最近的需求："]
        buttons: list[Button] = []
        for n in needs:
            lines.append(f"#{n.id} {n.title}（{texts.STATUS.get(n.status, n.status)}）")
            if n.status in ("matched", "in_service") and not buttons:
                # rated only once the service is done, and said so: never a bare "1" → 5★
                buttons = [Button(texts.SERVICE_DONE.format(id=n.id), f"done:{n.id}")]
                lines.append(texts.DONE_PROMPT.format(id=n.id))
        t.say("\n".join(lines), self._options(t, buttons) if buttons else [])

    def _my_offers(self, t: Turn) -> None:
        sci = accounts.scientist_of(self.engine, t.person_id)
        if sci is None:
            t.say(texts.NOT_SCIENTIST)
            return
        with Session(self.engine) as s:
            rows = s.execute(select(Offer, Need).join(Need, Need.id == Offer.need_id)
                             .where(Offer.scientist_id == sci.id, Offer.status == "pending")
                             .order_by(Offer.id.desc()).limit(5)).all()
            serving = s.execute(select(Need).join(Offer, Offer.need_id == Need.id).where(
                Offer.scientist_id == sci.id, Offer.status == "accepted",
                Need.status.in_(("matched", "in_service"))).order_by(Need.id.desc())
                .limit(3)).scalars().all()
        for need in serving:  # the expert says when it is done: then the requester rates
            t.say(texts.SERVING.format(id=need.id, title=need.title),
                  [Button(texts.SERVED, f"served:{need.id}")])
        if not rows:
            if not serving:
                t.say(texts.OFFERS_EMPTY)
            return
        for i, (offer, need) in enumerate(rows, start=1):
            t.say(f"【{i}】【待答复】{need.title}\n{need.description[:200]}",
                  [Button("接单", f"accept:{offer.token}"),
                   Button("婉拒", f"decline:{offer.token}"),
                   Button("详情", f"details:{offer.token}")])
        # on text channels: "1" opens the first, "接单 1" / "婉拒 2" answer directly
        self._options(t, [Button("详情", f"details:{offer.token}") for offer, _ in rows])
        t.say(texts.OFFERS_BY_TEXT)

    # ---- self-registration -------------------------------------------------------------------
    def _register(self, step: str, text: str, t: Turn) -> None:
        reg = dict(t.data.get("register", {}))
        if step == "name":
            reg["name"] = text[:100]
            nxt = "workplace"
        elif step == "workplace":
            reg["organization"] = text[:200]
            nxt = "discipline"
        elif step == "discipline":
            reg["discipline"] = text[:100]
            nxt = "directions"
        elif step == "directions":
            reg["directions"] = [d.strip() for d in re.split(r"[，,、;；\n]", text)
                                 if d.strip()][:10]
            nxt = "region"
        elif step == "region":
            region = gazetteer.resolve(text) or gazetteer.find_region(text)
            if region is None:
                t.say(texts.SLOT_RETRY["region"].split("；")[0] + "。")
                return
            reg["region_code"] = region.code
            nxt = "phone"
        else:  # requesters must be able to reach an expert who accepts: a phone is required
            phones = [c.value for c in find_contacts(text) if c.kind == "phone"]
            if not phones:
                t.say(texts.REGISTER_PHONE_RETRY)
                return
            reg["phone"] = phones[0]
            nxt = ""
        t.data["register"] = reg
        if nxt:
            t.state = f"register:{nxt}"
            t.say(texts.REGISTER_STEPS[nxt])
            return
        self._create_profile(reg, t)
        t.state, t.data = "start", {}
        t.say(texts.REGISTERED)

    def _create_profile(self, reg: dict[str, Any], t: Turn) -> None:
        disc = taxonomy.map_discipline(reg.get("discipline", ""))
        region = gazetteer.get(reg["region_code"])
        now = self.clock.now()
        with Session(self.engine) as s, s.begin():
            s.add(Scientist(external_id=f"self-{t.person_id}", person_id=t.person_id,
                            name=reg.get("name", ""), discipline=reg.get("discipline", ""),
                            discipline_code=disc.code if disc else None,
                            directions=reg.get("directions", []),
                            region_text=region.name if region else "",
                            region_code=reg["region_code"], verified=False,
                            organization=reg.get("organization", ""),
                            contact={"phone": reg["phone"]} if reg.get("phone") else {},
                            created_at=now, updated_at=now))
        accounts.set_role(self.engine, t.person_id, "scientist")
        t.role = "scientist"
        self.matcher.index.sync("scientists")  # matchable at once


def _slot_buttons(slot: str) -> list[Button]:
    """The quick answers offered with a form's question ("很急（这周内）", "面议", "同意")."""
    return [Button(label, f"slot:{slot}:{value}") for label, value in _QUICK.get(slot, [])]


def _draft(need: Need) -> NeedDraft:
    from matching.offers import draft_from_need

    return draft_from_need(need)
