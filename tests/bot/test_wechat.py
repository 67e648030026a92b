"""WeChat: signed XML posted into the running app (plain and safe mode), the customer-service
API answered by a loopback server."""

from __future__ import annotations

import html
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from wechatpy.crypto import WeChatCrypto

from bot.handlers.wechat import BYTE_LIMIT, chunks, parse_xml, render_text, signature
from core.errors import StoreUnavailable
from core.settings import Settings
from delivery.messages import Button, Inbound, Outbound
from delivery.outbox import OutboxWorker
from delivery.pending import MAX_ATTEMPTS
from delivery.router import ChannelRouter
from store.models import Conversation, Outbox, PendingTurn
from web.app import create_app

from ..fake_wechat import FakeWeChatAPI, running
from ..support import Harness, wait_until

TOKEN, APP_ID = "kejiyun-token", "wx1234567890abcdef"
KEY_NEW = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
KEY_OLD = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg"


@dataclass
class WX:
    client: TestClient
    api: FakeWeChatAPI
    bot: Harness
    app: object
    n: int = 0

    def params(self, **extra: str) -> dict[str, str]:
        self.n += 1
        ts, nonce = str(int(self.bot.clock.now().timestamp())), f"n{self.n}{time.time_ns()}"
        return {"timestamp": ts, "nonce": nonce,
                "signature": signature(TOKEN, ts, nonce), **extra}

    def xml(self, user: str, content: str = "", msg_id: int | None = None,
            msg_type: str = "text", **fields: str) -> str:
        self.n += 1
        extra = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
        return (f"<xml><ToUserName><![CDATA[gh_kejiyun]]></ToUserName>"
                f"<FromUserName><![CDATA[{user}]]></FromUserName>"
                f"<CreateTime>{int(self.bot.clock.now().timestamp())}</CreateTime>"
                f"<MsgType><![CDATA[{msg_type}]]></MsgType>"
                f"<Content><![CDATA[{content}]]></Content>"
                f"<MsgId>{msg_id if msg_id is not None else 9000 + self.n}</MsgId>{extra}</xml>")

    def post(self, body: str, params: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return self.client.post("/wechat", params=params or self.params(),
                                content=body.encode())

    def reply_text(self, resp) -> str:  # type: ignore[no-untyped-def]
        assert resp.status_code == 200, resp.status_code
        return parse_xml(resp.content).get("Content", "")

    def deliver(self) -> None:
        wechat = self.app.state.wechat  # type: ignore[attr-defined]
        router = ChannelRouter(self.bot.engine, {"wechat": wechat.sender()})
        OutboxWorker(self.bot.engine, router, Settings(), self.bot.clock).run_once()

    def pushed(self, user: str, seconds: float = 30) -> list[str]:
        """Texts pushed to `user`, delivering the outbox until one arrives (a late answer is
        queued by the turn's thread when it finishes)."""
        def delivered() -> list[str]:
            self.deliver()
            return [m["text"]["content"] for m in self.api.sent if m.get("touser") == user]

        return wait_until(delivered, timeout=seconds, message=f"nothing was pushed to {user}")


def _outbox_rows(bot: Harness, status: str | None = None) -> int:
    """Outbox rows (with this status): a turn that answers late queues its answer there."""
    query = select(func.count()).select_from(Outbox)
    if status is not None:
        query = query.where(Outbox.status == status)
    with Session(bot.engine) as s:
        return s.execute(query).scalar_one()


@pytest.fixture
def wx(bot: Harness) -> Iterator[WX]:
    with running() as api:
        # The passive-reply window is WeChat's 5 s, not the production 0.8 s: on a loaded CI
        # machine a first turn can take longer, and these tests are about what is answered.
        # The tests of the slow path set `reply_timeout` themselves.
        settings = Settings(WECHAT_TOKEN=TOKEN, WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET="s",
                            WECHAT_AES_KEY=f"{KEY_NEW},{KEY_OLD}", WECHAT_API_BASE_URL=api.url,
                            WECHAT_REPLY_TIMEOUT="4.5")
        app = create_app(settings, engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                         background=False)
        with TestClient(app) as client:
            yield WX(client, api, bot, app)


def conversations(bot: Harness) -> int:
    with Session(bot.engine) as s:
        return s.execute(select(func.count()).select_from(Conversation)).scalar_one()


def test_get_verification(wx: WX) -> None:
    p = wx.params(echostr="hello-echo")
    assert wx.client.get("/wechat", params=p).text == "hello-echo"
    p["signature"] = "0" * 40
    assert wx.client.get("/wechat", params=p).status_code == 403


def _signed_at(ts: int, nonce: str, **extra: str) -> dict[str, str]:
    return {"timestamp": str(ts), "nonce": nonce,
            "signature": signature(TOKEN, str(ts), nonce), **extra}


def test_get_verification_refuses_a_stale_or_future_timestamp(wx: WX) -> None:
    """A captured verification URL must not be replayable for ever: like POST, GET accepts a
    timestamp at most five minutes off."""
    now = int(wx.bot.clock.now().timestamp())
    for skew in (-3600, -301, 301, 86_400):
        p = _signed_at(now + skew, f"g{skew}", echostr="hello-echo")
        resp = wx.client.get("/wechat", params=p)
        assert resp.status_code == 403 and "hello-echo" not in resp.text, skew
    for skew in (-299, 0, 299):
        p = _signed_at(now + skew, f"g{skew}", echostr="hello-echo")
        assert wx.client.get("/wechat", params=p).text == "hello-echo", skew
    p = {**_signed_at(now, "gx", echostr="hello-echo"), "timestamp": "soon"}
    assert wx.client.get("/wechat", params=p).status_code == 403


def test_plain_text_gets_a_passive_cited_answer(wx: WX) -> None:
    resp = wx.post(wx.xml("openid-farmer", "李子园土壤酸化了怎么改良"))
    fields = parse_xml(resp.content)
    assert fields["ToUserName"] == "openid-farmer" and fields["FromUserName"] == "gh_kejiyun"
    assert "石灰" in fields["Content"] and "出处：" in fields["Content"]


def test_refusals_store_nothing(wx: WX) -> None:
    body = wx.xml("openid-x", "你好")
    bad = wx.params()
    bad["signature"] = "f" * 40
    assert wx.post(body, bad).status_code == 403
    stale = wx.params()
    stale["timestamp"] = str(int(stale["timestamp"]) - 3600)
    stale["signature"] = signature(TOKEN, stale["timestamp"], stale["nonce"])
    assert wx.post(body, stale).status_code == 403
    doctype = ('<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]>'
               "<xml><Content>&a;</Content></xml>")
    assert wx.post(doctype).status_code == 400
    assert wx.post("<xml><Content>unclosed</xml>").status_code == 400
    assert wx.post("not xml at all").status_code == 400
    assert wx.post(body, wx.params(encrypt_type="aes", msg_signature="x")).status_code == 400
    big = "<xml>" + "a" * 70_000 + "</xml>"
    assert wx.post(big).status_code == 413
    assert conversations(wx.bot) == 0
    ok = wx.params()
    assert wx.post(body, ok).status_code == 200
    assert wx.post(wx.xml("openid-x", "再来"), ok).status_code == 403  # replayed nonce


def test_duplicates_once_but_same_msgid_from_two_users_twice(wx: WX) -> None:
    first = wx.post(wx.xml("openid-a", "李子园土壤酸化了怎么改良", msg_id=42))
    again = wx.post(wx.xml("openid-a", "李子园土壤酸化了怎么改良", msg_id=42))
    other = wx.post(wx.xml("openid-b", "李子园土壤酸化了怎么改良", msg_id=42))
    assert "石灰" in wx.reply_text(first)
    assert again.text == "success"
    assert "石灰" in wx.reply_text(other)


def test_safe_mode_with_current_and_previous_key(wx: WX) -> None:
    for key in (KEY_NEW, KEY_OLD):
        crypto = WeChatCrypto(TOKEN, key, APP_ID)
        p = wx.params()
        encrypted = crypto.encrypt_message(wx.xml(f"openid-{key[:3]}", "李子园土壤酸化了怎么改良"),
                                           p["nonce"], p["timestamp"])
        enc = parse_xml(encrypted.encode())["Encrypt"]
        p.update(encrypt_type="aes",
                 msg_signature=signature(TOKEN, p["timestamp"], p["nonce"], enc))
        resp = wx.post(encrypted, p)
        assert resp.status_code == 200
        outer = parse_xml(resp.content)
        plain = WeChatCrypto(TOKEN, KEY_NEW, APP_ID).decrypt_message(
            resp.text, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
        assert "石灰" in parse_xml(plain.encode())["Content"]
    bad = wx.params(encrypt_type="aes", msg_signature="0" * 40)
    body = "<xml><Encrypt><![CDATA[abcd]]></Encrypt></xml>"
    assert wx.post(body, bad).status_code == 403


def test_subscribe_menu_click_and_media(wx: WX) -> None:
    welcome = wx.reply_text(wx.post(wx.xml("openid-new", msg_type="event", Event="subscribe",
                                           EventKey="")))
    assert "科技云助手" in welcome and "weixin://bizmsgmenu" in welcome
    click = wx.reply_text(wx.post(wx.xml("openid-new", msg_type="event", Event="CLICK",
                                         EventKey="ASK")))
    assert "请直接输入您的问题" in click
    image = wx.reply_text(wx.post(wx.xml("openid-new", msg_type="image",
                                         PicUrl="http://127.0.0.1/x.jpg")))
    assert "只能看懂文字" in image
    # a bizmsgmenu tap arrives as text with the menu id: the button's action
    menu = wx.reply_text(wx.post(wx.xml("openid-new", "发布技术需求",
                                        bizmsgmenuid="menu:need")))
    assert "请描述您的技术需求" in menu


def test_slow_turn_answers_success_then_pushes(wx: WX) -> None:
    wx.app.state.wechat.reply_timeout = 0.0  # type: ignore[attr-defined]
    resp = wx.post(wx.xml("openid-slow", "李子园土壤酸化了怎么改良"))
    assert resp.text == "success"
    wait_until(lambda: _outbox_rows(wx.bot), timeout=30, interval=0.05,
               message="the slow turn queued no answer")
    wx.deliver()
    assert wx.api.token_requests == 1
    texts = [m["text"]["content"] for m in wx.api.sent if m.get("touser") == "openid-slow"]
    assert texts and "石灰" in "".join(texts)
    assert all(len(t.encode()) <= 2047 for t in texts)


def test_a_request_that_waited_is_answered_by_push_not_late(wx: WX) -> None:
    """The window counts from the request's arrival: a request that sat in a busy worker for
    longer than the window answers "success" at once and pushes the answer — a passive reply
    written after WeChat gave up (and its retry was told "success") would be lost."""
    wechat = wx.app.state.wechat  # type: ignore[attr-defined]
    assert wechat.reply_timeout >= 4  # this fixture's window; a fresh request gets it all
    long_ago = time.monotonic() - 10
    resp = wx.client.portal.call(  # type: ignore[union-attr]
        wechat.handle, wx.params(), wx.xml("openid-waited", "李子园土壤酸化了怎么改良").encode(),
        long_ago)
    assert resp.body == b"success"
    wait_until(lambda: _outbox_rows(wx.bot), timeout=30, interval=0.05,
               message="the waited request's turn queued no answer")
    wx.deliver()
    texts = [m["text"]["content"] for m in wx.api.sent if m.get("touser") == "openid-waited"]
    assert texts and "石灰" in "".join(texts)


def test_a_request_stamped_seconds_ago_is_answered_by_push(wx: WX) -> None:
    """WeChat stamps each callback when it sends it. One that sat in a saturated server's
    socket queue for seconds reaches the handler "fresh" by our clock, but WeChat may already
    have given up on it: its answer is pushed, not written into a reply nobody reads."""
    wechat = wx.app.state.wechat  # type: ignore[attr-defined]
    wechat.reply_timeout = 2.5  # under 4 − 1 s: at least that old, it is past the window
    ts = str(int(wx.bot.clock.now().timestamp()) - 4)
    nonce = f"old{time.time_ns()}"
    params = {"timestamp": ts, "nonce": nonce, "signature": signature(TOKEN, ts, nonce)}
    resp = wx.post(wx.xml("openid-queued", "李子园土壤酸化了怎么改良"), params)
    assert resp.text == "success"
    assert "石灰" in "".join(wx.pushed("openid-queued"))
    # one second old is what any fresh request may look like: answered passively
    ts = str(int(wx.bot.clock.now().timestamp()) - 1)
    params = {"timestamp": ts, "nonce": f"new{time.time_ns()}"}
    params["signature"] = signature(TOKEN, ts, params["nonce"])
    assert "石灰" in wx.reply_text(wx.post(wx.xml("openid-fresh", "李子园土壤酸化了怎么改良"),
                                          params))


def test_with_every_turn_thread_busy_a_message_is_acknowledged_at_once(wx: WX) -> None:
    """Under load a new message would only queue behind the running turns and miss the
    window: it is acknowledged at once ("success") and its answer pushed when it is done."""
    wechat = wx.app.state.wechat  # type: ignore[attr-defined]
    busy: list[threading.Thread] = []
    with wx.bot.dialog._locks.hold(("wechat", "openid-busy")):
        # four turns of one user wait for that user's conversation lock: all threads taken
        for i in range(4):
            body = wx.xml("openid-busy", f"第{i}个问题：李子园土壤酸化了怎么改良")
            busy.append(threading.Thread(target=wx.post, args=(body,)))
            busy[-1].start()
        wait_until(lambda: wechat._running >= 4, timeout=10, interval=0.02,
                   message=lambda: f"only {wechat._running} of 4 turn threads busy")
        started = time.monotonic()
        resp = wx.post(wx.xml("openid-next", "果园土壤板结怎么办"))
        assert resp.text == "success" and time.monotonic() - started < 2.0
    for t in busy:
        t.join(timeout=60)
    assert "板结" in "".join(wx.pushed("openid-next"))


def test_token_refresh_and_undeliverable(wx: WX) -> None:
    wx.app.state.wechat.reply_timeout = 0.0  # type: ignore[attr-defined]
    wx.api.fail_codes = [40001]  # the cached token was revoked: refresh once, retry once
    wx.post(wx.xml("openid-t", "李子园土壤酸化了怎么改良"))
    time.sleep(0.5)
    wait_until(lambda: _outbox_rows(wx.bot), timeout=30,
               message="the turn queued no answer")
    wx.deliver()
    assert wx.api.token_requests == 2 and wx.api.sent
    wx.api.fail_codes = [45015]  # outside the 48-hour window
    wx.post(wx.xml("openid-u", "果园土壤板结怎么办"))
    wait_until(lambda: _outbox_rows(wx.bot, "pending"), timeout=30,
               message="the turn queued no answer")
    wx.deliver()
    with Session(wx.bot.engine) as s:
        held = s.execute(select(Outbox).where(Outbox.status == "held")).scalars().all()
        assert held and "45015" in held[0].last_error  # undelivered, never "sent"
    assert not any(m.get("touser") == "openid-u" for m in wx.api.sent)
    # the user writes again: the window is open, the waiting answer goes out
    wx.app.state.wechat.reply_timeout = 5.0  # type: ignore[attr-defined]
    assert wx.post(wx.xml("openid-u", "/help")).status_code == 200
    wx.deliver()
    assert any(m.get("touser") == "openid-u" and "深翻" in m["text"]["content"]
               for m in wx.api.sent)


def test_split_under_the_byte_limit() -> None:
    parts = chunks(Outbound("酸" * 2000))
    rendered = [render_text(p) for p in parts]
    assert all(len(r.encode()) <= BYTE_LIMIT for r in rendered)
    assert "".join(rendered) == "酸" * 2000


def test_split_counts_escaped_bytes_and_never_cuts_an_entity_or_a_link() -> None:
    """`<` is sent as `&lt;` (4 bytes): the limit holds for what is sent, an entity is never
    cut in two, and the button links come whole, after the last piece of text."""
    text = "<&>" * 700 + "尾"
    buttons = [Button("接单", "accept:tok"), Button("婉拒", "decline:tok")]
    parts = chunks(Outbound(text, buttons))
    rendered = [render_text(p) for p in parts]
    assert len(rendered) > 1 and all(len(r.encode()) <= BYTE_LIMIT for r in rendered)
    assert html.unescape("".join(render_text(Outbound(p.text)) for p in parts)) == text
    assert all(not p.buttons for p in parts[:-1]) and parts[-1].buttons == buttons
    assert rendered[-1].count('<a href="weixin://bizmsgmenu') == 2
    # a text that just fits leaves no room for the menu: the menu is a piece of its own
    full = chunks(Outbound("酸" * 682, buttons))
    assert [p.text for p in full] == ["酸" * 682, ""] and full[-1].buttons == buttons


def eight_workers_send_at_once(api: FakeWeChatAPI, bot: Harness) -> None:
    """Eight workers (each its own API client) find no token at the same moment and each
    send a message: the token must be fetched once and shared."""
    import threading

    from bot.handlers.wechat import APIClient

    settings = Settings(WECHAT_TOKEN=TOKEN, WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET="s",
                        WECHAT_API_BASE_URL=api.url)
    clients = [APIClient(settings, bot.engine, bot.clock) for _ in range(8)]
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        barrier.wait()
        try:
            clients[i].call("message.send_text", f"openid-{i}", f"第 {i} 条")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert api.token_requests == 1
    assert len(api.sent) == 8 and {m["token"] for m in api.sent} == {"TOKEN1"}


def test_eight_workers_share_one_token_refresh(wx: WX) -> None:
    """...through the store (no Redis configured)."""
    eight_workers_send_at_once(wx.api, wx.bot)


def test_subscription_account_answer_waits_for_any_text(bot: Harness) -> None:
    with running() as api:
        settings = Settings(WECHAT_TOKEN=TOKEN, WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET="s",
                            WECHAT_API_BASE_URL=api.url, WECHAT_CAN_PUSH="false",
                            WECHAT_REPLY_TIMEOUT="0.001")
        app = create_app(settings, engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                         background=False)
        with TestClient(app) as client:
            wx = WX(client, api, bot, app)
            first = wx.reply_text(wx.post(wx.xml("openid-sub", "李子园土壤酸化了怎么改良")))
            assert "回复任意文字获取答案" in first
            wait_until(lambda: _outbox_rows(bot, "held"), timeout=30, interval=0.05,
                       message="the answer was not held for the user's next message")
            answer = wx.reply_text(wx.post(wx.xml("openid-sub", "1")))
            assert "石灰" in answer
            assert api.sent == []  # nothing was pushed: this account may not


def test_need_journey_on_wechat(wx: WX) -> None:
    """Enterprise need on WeChat → offers pushed to scientists on WeChat → two tap 接单 →
    one wins, the other is told → the requester is introduced."""
    from sqlalchemy import select as sel

    from store.accounts import new_code
    from store.models import Scientist

    for openid, ext in (("wx-sci-a", "s-soil-cp"), ("wx-sci-b", "s-soil-xz")):
        with Session(wx.bot.engine) as s, s.begin():
            sci = s.execute(sel(Scientist).where(Scientist.external_id == ext)).scalar_one()
            sid, sci.verified = sci.id, True  # staff verified them: the contact goes at once
        code = new_code(wx.bot.engine, "bind", wx.bot.clock.now(), scientist_id=sid)
        assert "绑定成功" in wx.reply_text(wx.post(wx.xml(openid, f"绑定 {code}")))
    card = wx.reply_text(wx.post(wx.xml(
        "wx-boss", "宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导改良，很急，预算五千，"
        "同意，电话13800001111")))
    assert "请确认" in card and "msgmenuid=need%3Aconfirm" in card
    done = wx.reply_text(wx.post(wx.xml("wx-boss", "确认发布", bizmsgmenuid="need:confirm")))
    assert "已推送给" in done
    wx.deliver()
    offers = {m["touser"]: m["text"]["content"] for m in wx.api.sent}
    assert {"wx-sci-a", "wx-sci-b"} <= set(offers)
    assert "13800001111" not in offers["wx-sci-a"]

    def token(text: str) -> str:
        return text.split("msgmenuid=accept%3A", 1)[1].split('"', 1)[0]

    first = wx.reply_text(wx.post(wx.xml("wx-sci-a", "接单",
                                         bizmsgmenuid=f"accept:{token(offers['wx-sci-a'])}")))
    second = wx.reply_text(wx.post(wx.xml("wx-sci-b", "接单",
                                          bizmsgmenuid=f"accept:{token(offers['wx-sci-b'])}")))
    assert "接单成功" in first and "已被接单" in second
    wx.deliver()
    intro = [m["text"]["content"] for m in wx.api.sent if m["touser"] == "wx-boss"]
    assert intro and "19900000001" in intro[-1]
    to_a = [m["text"]["content"] for m in wx.api.sent if m["touser"] == "wx-sci-a"]
    assert "13800001111" in to_a[-1]


def test_an_offer_held_outside_the_window_reaches_the_scientist_when_they_write(wx: WX) -> None:
    """An offer is addressed to `scientist:<id>`, not to the scientist's person: it is released
    too when the scientist writes again (the 48-hour window is open)."""
    from store.accounts import new_code
    from store.models import Scientist

    with Session(wx.bot.engine) as s:
        sid = s.execute(select(Scientist.id).where(Scientist.external_id == "s-soil-cp")
                        ).scalar_one()
    code = new_code(wx.bot.engine, "bind", wx.bot.clock.now(), scientist_id=sid)
    assert "绑定成功" in wx.reply_text(wx.post(wx.xml("wx-sci-held", f"绑定 {code}")))
    card = wx.reply_text(wx.post(wx.xml(
        "wx-boss2", "宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导改良，很急，预算五千，"
        "同意，电话13800001111")))
    assert "请确认" in card
    done = wx.reply_text(wx.post(wx.xml("wx-boss2", "确认发布", bizmsgmenuid="need:confirm")))
    assert "已推送给" in done
    wx.api.fail_codes = [45015]  # the scientist has not written for two days
    wx.deliver()
    with Session(wx.bot.engine) as s:
        held = s.execute(select(Outbox).where(Outbox.status == "held")).scalars().all()
    assert [h.recipient for h in held] == ["scientist:s-soil-cp"]
    assert not any(m.get("touser") == "wx-sci-held" for m in wx.api.sent)
    wx.post(wx.xml("wx-sci-held", "你好"))
    wx.deliver()
    offers = [m["text"]["content"] for m in wx.api.sent if m.get("touser") == "wx-sci-held"]
    assert offers and "接单" in offers[0]


# ---- a worker killed mid-turn: the message is kept until its turn is saved -----------------
def _version(bot: Harness, user: str) -> int:
    with Session(bot.engine) as s:
        v = s.execute(select(Conversation.version).where(
            Conversation.platform_user_id == user)).scalar_one_or_none()
    return v or 0


def _pending(bot: Harness) -> int:
    with Session(bot.engine) as s:
        return s.execute(select(func.count()).select_from(PendingTurn)).scalar_one()


def test_a_message_whose_worker_died_is_answered_once_after_the_lease(wx: WX) -> None:
    """The worker took the message (claimed, kept) and died before the turn was saved.
    WeChat's retries find it claimed and stop; once the lease runs out the background job
    runs the turn and pushes the answer — once, however often it runs."""
    wechat = wx.app.state.wechat  # type: ignore[attr-defined]
    body = wx.xml("openid-crash", "李子园土壤酸化了怎么改良", msg_id=4242)
    key = "wx:openid-crash:4242"
    wechat.dedup.claim(key)
    wechat.pending.open(Inbound("wechat", "openid-crash", text="李子园土壤酸化了怎么改良",
                                key=key))
    assert wx.post(body).content == b"success"  # WeChat's retry: taken, so nothing runs
    assert _version(wx.bot, "openid-crash") == 0
    assert wechat.recover() == 0  # the lease still holds: that worker may be alive
    wx.bot.clock.advance(wechat.pending.lease + timedelta(seconds=1))
    assert wechat.recover() == 1
    assert _version(wx.bot, "openid-crash") == 1 and _pending(wx.bot) == 0
    texts = wx.pushed("openid-crash")
    assert len(texts) == 1 and "石灰" in texts[0]
    wx.bot.clock.advance(wechat.pending.lease + timedelta(seconds=1))
    assert wechat.recover() == 0 and _version(wx.bot, "openid-crash") == 1


def test_a_turn_saved_just_before_the_crash_is_not_applied_twice(wx: WX) -> None:
    wechat = wx.app.state.wechat  # type: ignore[attr-defined]
    msg = Inbound("wechat", "openid-saved", text="李子园土壤酸化了怎么改良",
                  key="wx:openid-saved:7")
    wechat.pending.open(msg)
    assert wx.bot.dialog.handle(msg)  # saved; the worker died before forgetting the message
    assert _version(wx.bot, "openid-saved") == 1
    wx.bot.clock.advance(wechat.pending.lease + timedelta(seconds=1))
    assert wechat.recover() == 1 and _pending(wx.bot) == 0
    assert _version(wx.bot, "openid-saved") == 1  # not run again
    with Session(wx.bot.engine) as s:
        assert s.execute(select(func.count()).select_from(Outbox)).scalar_one() == 0


def test_a_message_that_keeps_killing_its_worker_is_given_up(wx: WX) -> None:
    wechat = wx.app.state.wechat  # type: ignore[attr-defined]
    wechat.pending.open(Inbound("wechat", "openid-poison", text="你好", key="wx:poison:1"))
    taken = 0
    for _ in range(5):  # each recovery "dies" too: nobody closes the message
        wx.bot.clock.advance(wechat.pending.lease + timedelta(seconds=1))
        taken += len(wechat.pending.due("wechat"))
    assert taken == MAX_ATTEMPTS - 1 and _pending(wx.bot) == 0


def test_answered_messages_leave_nothing_pending_and_erasure_drops_kept_ones(wx: WX) -> None:
    assert "石灰" in wx.reply_text(wx.post(wx.xml("openid-kept", "李子园土壤酸化了怎么改良")))
    assert _pending(wx.bot) == 0
    wechat = wx.app.state.wechat  # type: ignore[attr-defined]
    wechat.pending.open(Inbound("wechat", "openid-kept", text="我的电话 13912345678",
                                key="wx:openid-kept:99"))
    wx.post(wx.xml("openid-kept", "删除我的数据"))
    wx.reply_text(wx.post(wx.xml("openid-kept", "确认删除")))
    assert _pending(wx.bot) == 0


# ---- WeChat's own retry: same query, same body ---------------------------------------------
def identical_retry_is_a_duplicate(wx: WX, user: str) -> None:
    body = wx.xml(user, "李子园土壤酸化了怎么改良", msg_id=5150)
    p = wx.params()
    assert "石灰" in wx.reply_text(wx.post(body, p))
    for _ in range(3):  # WeChat retries up to three times
        again = wx.post(body, dict(p))
        assert again.status_code == 200 and again.text == "success"
    assert _version(wx.bot, user) == 1  # one turn
    forged = wx.xml(user, "把我的需求改成别的", msg_id=5151)
    for _ in range(3):  # refused every time, not only the first
        assert wx.post(forged, dict(p)).status_code == 403
    other = wx.xml(f"{user}-other", "李子园土壤酸化了怎么改良", msg_id=5150)
    assert wx.post(other, dict(p)).status_code == 403
    assert wx.post(body, dict(p)).text == "success"  # the original's retry still passes
    assert _version(wx.bot, user) == 1 and _version(wx.bot, f"{user}-other") == 0
    assert not any(m.get("touser") == user for m in wx.api.sent)  # nothing pushed either


def test_wechats_identical_retry_is_a_duplicate_not_a_replay(wx: WX) -> None:
    """WeChat re-sends a callback it got no answer to within 5 s byte for byte (signature,
    timestamp, nonce, body). That retry is a duplicate — 200, the message processed once —
    while another body under a used nonce (a captured signature) stays refused, however often
    it is tried."""
    identical_retry_is_a_duplicate(wx, "openid-retry")


def test_identical_retry_through_redis(redis_url: str, bot: Harness) -> None:
    """...with the claims in Redis (many workers)."""
    from delivery.dedup import RedisDedup

    with running() as api:
        settings = Settings(WECHAT_TOKEN=TOKEN, WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET="s",
                            WECHAT_API_BASE_URL=api.url, WECHAT_REPLY_TIMEOUT="4.5")
        app = create_app(settings, engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                         background=False)
        with TestClient(app) as client:
            assert isinstance(app.state.wechat.dedup, RedisDedup)  # type: ignore[attr-defined]
            identical_retry_is_a_duplicate(WX(client, api, bot, app), "openid-redis-retry")


def test_identical_retry_in_safe_mode(wx: WX) -> None:
    crypto = WeChatCrypto(TOKEN, KEY_NEW, APP_ID)
    p = wx.params()
    encrypted = crypto.encrypt_message(wx.xml("openid-aes-retry", "李子园土壤酸化了怎么改良"),
                                       p["nonce"], p["timestamp"])
    enc = parse_xml(encrypted.encode())["Encrypt"]
    p.update(encrypt_type="aes", msg_signature=signature(TOKEN, p["timestamp"], p["nonce"], enc))
    assert wx.post(encrypted, p).status_code == 200
    again = wx.post(encrypted, dict(p))
    assert again.status_code == 200 and again.text == "success"
    assert _version(wx.bot, "openid-aes-retry") == 1


def test_a_retry_after_a_store_outage_is_processed(wx: WX, monkeypatch: pytest.MonkeyPatch
                                                   ) -> None:
    """The store failed mid-turn (503): WeChat's identical retry must be processed, not refused
    as a replay and not dropped as a duplicate."""
    real = wx.bot.dialog.handle
    calls: list[int] = []

    def down_once(msg: Inbound) -> list[Outbound]:
        calls.append(1)
        if len(calls) == 1:
            raise StoreUnavailable()
        return real(msg)

    monkeypatch.setattr(wx.bot.dialog, "handle", down_once)
    body, p = wx.xml("openid-outage", "李子园土壤酸化了怎么改良"), wx.params()
    assert wx.post(body, p).status_code == 503
    assert "石灰" in wx.reply_text(wx.post(body, dict(p)))
    assert wx.post(body, dict(p)).text == "success" and len(calls) == 2
    assert _version(wx.bot, "openid-outage") == 1


def test_a_store_failure_while_binding_the_nonce_does_not_refuse_the_retry(
    wx: WX, monkeypatch: pytest.MonkeyPatch
) -> None:
    dedup = wx.app.state.wechat.dedup  # type: ignore[attr-defined]
    real = dedup.finish
    failed: list[str] = []

    def finish_fails_once(key: str, ttl: timedelta = timedelta(days=1)) -> None:
        if not failed:
            failed.append(key)
            raise StoreUnavailable()
        real(key, ttl)

    monkeypatch.setattr(dedup, "finish", finish_fails_once)
    body, p = wx.xml("openid-half", "李子园土壤酸化了怎么改良"), wx.params()
    assert wx.post(body, p).status_code == 503 and failed
    assert "石灰" in wx.reply_text(wx.post(body, dict(p)))
    assert wx.post(wx.xml("openid-half", "别的内容"), dict(p)).status_code == 403
    assert _version(wx.bot, "openid-half") == 1


def test_identical_retry_against_a_real_server(bot: Harness) -> None:
    """`kejiyun serve` on loopback: the exact same request twice → 200 both times, one turn;
    another body under that nonce → 403."""
    import httpx

    from .test_worker_killed import serve

    user = "openid-serve-retry"
    with running() as api:
        env = {**os.environ, "DATABASE_URL": bot.engine.url.render_as_string(hide_password=False),
               "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": "s",
               "WECHAT_API_BASE_URL": api.url, "WECHAT_REPLY_TIMEOUT": "4.5"}
        proc, url = serve(env)
        try:
            ts, nonce = str(int(time.time())), f"serve{time.time_ns()}"
            params = {"timestamp": ts, "nonce": nonce, "signature": signature(TOKEN, ts, nonce)}
            body = ("<xml><ToUserName><![CDATA[gh_kejiyun]]></ToUserName>"
                    f"<FromUserName><![CDATA[{user}]]></FromUserName>"
                    f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                    "<Content><![CDATA[李子园土壤酸化了怎么改良]]></Content>"
                    "<MsgId>880001</MsgId></xml>").encode()
            with httpx.Client(base_url=url, timeout=60) as client:
                first = client.post("/wechat", params=params, content=body)
                assert first.status_code == 200
                if first.content != b"success":  # answered in the window (else pushed)
                    assert "石灰" in parse_xml(first.content)["Content"]
                # a late answer's turn finishes in the background
                wait_until(lambda: _version(bot, user) != 0, timeout=60, interval=0.2,
                           message="the turn was never saved")
                retry = client.post("/wechat", params=params, content=body)
                assert retry.status_code == 200 and retry.content == b"success"
                forged = body.replace("李子园土壤酸化了怎么改良".encode(), "别的".encode())
                assert client.post("/wechat", params=params, content=forged).status_code == 403
            assert _version(bot, user) == 1
        finally:
            proc.terminate()
            proc.wait(timeout=30)


# ---- text that goes out: escaped, and a passive reply that is always well-formed ------------
NASTY = ('需求：<a href="https://evil.example/x">点我</a> & R&D <b>粗体</b> 结尾 ]]> '
         '再一个 ]]]]> 和 <![CDATA[ 以及 &lt;已转义&gt;')
NASTY_BUTTONS = [Button("确认 <发布>", "need:confirm"), Button("取消 & 重来", "need:cancel")]


def _shown(content: str) -> tuple[str, str]:
    """What WeChat displays: the message text (entities decoded) and our menu markup."""
    text, _, menu = content.partition("\n\n")
    return html.unescape(text), menu


def _check_shown(content: str) -> None:
    text, menu = _shown(content)
    assert text == NASTY  # shown exactly as written, nothing of it is markup
    assert "<a href=\"https://evil" not in content and "<b>" not in content
    assert menu.count('<a href="weixin://bizmsgmenu') == 2  # our own links still work
    assert "msgmenuid=need%3Aconfirm" in menu and ">确认 &lt;发布&gt;</a>" in menu


def test_user_html_and_cdata_end_in_a_passive_reply(wx: WX,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A need containing `<a href>` must not reach anyone as a link in the account's name,
    and a `]]>` must not end the reply's CDATA (plain and safe mode)."""
    monkeypatch.setattr(wx.bot.dialog, "handle",
                        lambda msg: [Outbound(NASTY + "\x01\x0b", NASTY_BUTTONS)])
    resp = wx.post(wx.xml("openid-html", "随便"))
    assert resp.status_code == 200
    fields = parse_xml(resp.content)  # well-formed
    assert fields["ToUserName"] == "openid-html" and fields["MsgType"] == "text"
    _check_shown(fields["Content"])

    crypto = WeChatCrypto(TOKEN, KEY_NEW, APP_ID)
    p = wx.params()
    encrypted = crypto.encrypt_message(wx.xml("openid-html-aes", "随便"), p["nonce"],
                                       p["timestamp"])
    enc = parse_xml(encrypted.encode())["Encrypt"]
    p.update(encrypt_type="aes", msg_signature=signature(TOKEN, p["timestamp"], p["nonce"], enc))
    resp = wx.post(encrypted, p)
    outer = parse_xml(resp.content)
    plain = crypto.decrypt_message(resp.text, outer["MsgSignature"], outer["TimeStamp"],
                                   outer["Nonce"])
    _check_shown(parse_xml(plain.encode())["Content"])


def test_a_cdata_end_in_the_senders_id_keeps_the_reply_well_formed(wx: WX) -> None:
    body = wx.xml("openid-]]>x", "/help").replace(
        "<FromUserName><![CDATA[openid-]]>x]]></FromUserName>",
        "<FromUserName>openid-]]&gt;x</FromUserName>")
    resp = wx.post(body)
    assert resp.status_code == 200
    assert parse_xml(resp.content)["ToUserName"] == "openid-]]>x"


def test_pushed_text_is_escaped_too(wx: WX) -> None:
    wechat = wx.app.state.wechat  # type: ignore[attr-defined]
    wechat.sender()("openid-push-html", Outbound(NASTY, NASTY_BUTTONS))
    sent = [m["text"]["content"] for m in wx.api.sent if m["touser"] == "openid-push-html"]
    assert len(sent) == 1
    _check_shown(sent[0])


def test_a_long_reply_is_cut_before_escaping_and_queued_unrendered(
    wx: WX, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The passive reply takes the first part; the rest goes to the outbox as a plain message
    (rendered once, by the sender): nothing is escaped twice and no entity is cut."""
    long = NASTY * 40
    monkeypatch.setattr(wx.bot.dialog, "handle", lambda msg: [Outbound(long, NASTY_BUTTONS)])
    first = wx.reply_text(wx.post(wx.xml("openid-long", "随便")))
    assert len(first.encode()) <= BYTE_LIMIT
    wx.deliver()
    rest = [m["text"]["content"] for m in wx.api.sent if m["touser"] == "openid-long"]
    assert rest and all(len(t.encode()) <= BYTE_LIMIT for t in rest)
    text, menu = _shown("".join([first, *rest]))
    assert text == long and menu.count('<a href="weixin://bizmsgmenu') == 2
