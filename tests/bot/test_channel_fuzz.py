"""Property tests for the two platform callbacks, posted into the running app with valid
credentials: whatever the body, `/wechat` and `/telegram/webhook` answer with a normal reply or
a 4xx, never a 5xx and never an exception escaping (the TestClient re-raises server errors),
and a refused body stores nothing. XML entity tricks are refused and never read local files."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.handlers.wechat import MAX_BODY, signature
from core.settings import Settings
from store.models import (
    ChannelAccount,
    Conversation,
    DedupKey,
    Need,
    Outbox,
    Person,
    QuestionLog,
)
from web.app import create_app

from ..fake_telegram import running as telegram_running
from ..fake_wechat import running as wechat_running
from ..support import Harness

TOKEN = "fuzz-token"
SECRET = "fuzz-secret"
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
_TABLES = (Person, ChannelAccount, Conversation, Need, Outbox, QuestionLog, DedupKey)


def _stored(bot: Harness) -> dict[str, int]:
    """Row counts of what a message may leave behind. A signed callback's nonce is claimed
    (replay protection) even when its message is then refused, so those keys are not counted."""
    with Session(bot.engine) as s:
        counts = {t.__name__: s.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in _TABLES}
        counts["DedupKey"] = s.execute(select(func.count()).select_from(DedupKey).where(
            DedupKey.key.not_like("wxnonce:%"))).scalar_one()  # type: ignore[attr-defined]
        return counts


# ---- WeChat -------------------------------------------------------------------------------------
class WeChat:
    def __init__(self, client: TestClient, bot: Harness, app: Any) -> None:
        self.client, self.bot, self.app, self.n = client, bot, app, 0

    def post(self, body: bytes) -> Any:
        self.n += 1
        ts, nonce = str(int(self.bot.clock.now().timestamp())), f"fz{self.n}-{time.time_ns()}"
        params = {"timestamp": ts, "nonce": nonce, "signature": signature(TOKEN, ts, nonce)}
        return self.client.post("/wechat", params=params, content=body)

    def settle(self) -> None:
        """Wait for turns still running past the passive window, so counts are stable."""
        turns = self.app.state.wechat._turns
        for f in [turns.submit(time.sleep, 0.01) for _ in range(8)]:
            f.result(timeout=60)


@pytest.fixture
def wechat(bot: Harness) -> Iterator[WeChat]:
    with wechat_running() as api:
        settings_ = Settings(WECHAT_TOKEN=TOKEN, WECHAT_APP_ID="wxfuzz", WECHAT_APP_SECRET="s",
                             WECHAT_API_BASE_URL=api.url, WECHAT_REPLY_TIMEOUT="4.5")
        app = create_app(settings_, engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                         background=False)
        with TestClient(app) as client:
            yield WeChat(client, bot, app)


_field_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "]]>", "<b>", "&amp;", "&lt;", "李子园土壤酸化了怎么改良", "subscribe",
                     "CLICK", "ASK", "menu:need", "event", "text", "image", "-1", "1e99"]),
    st.integers(0, 70_000).map(lambda n: "长" * n),   # huge fields, some past MAX_BODY
    st.integers().map(str),
)
_TAGS = ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event",
         "EventKey", "bizmsgmenuid", "Encrypt"]


def _xml_value(value: str, cdata: bool) -> str:
    if cdata:
        return f"<![CDATA[{value}]]>"
    return value.replace("&", "&amp;").replace("<", "&lt;")


@st.composite
def _message(draw: st.DrawFn) -> str:
    """A WeChat message with arbitrary values (some required fields missing, wrong types)."""
    fields = {"ToUserName": "gh_kejiyun", "FromUserName": draw(st.sampled_from(
        ["openid-fuzz", "openid-other"]) | _field_text),
        "CreateTime": str(int(time.time())), "MsgType": "text", "Content": "你好",
        "MsgId": str(draw(st.integers(0, 10**6)))}
    for tag in draw(st.lists(st.sampled_from(_TAGS), max_size=4)):
        fields[tag] = draw(_field_text)
    for tag in draw(st.lists(st.sampled_from(list(fields)), max_size=2)):
        fields.pop(tag, None)
    root = draw(st.sampled_from(["xml", "xml", "xml", "XML", "root"]))
    inner = "".join(f"<{k}>{_xml_value(v, draw(st.booleans()))}</{k}>"
                    for k, v in fields.items())
    return f"<{root}>{inner}</{root}>"


_ENTITY_TRICKS = [
    # billion laughs
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'
              for i in range(1, 10))
    + "]><xml><FromUserName>u</FromUserName><Content>&lol9;</Content></xml>",
    # external entities (a local file, a URL) and external DTDs
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file://{path}">]>'
    "<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>&xxe;</Content></xml>",
    '<!DOCTYPE xml [<!ENTITY % p SYSTEM "file://{path}"> %p;]><xml><Content>x</Content></xml>',
    '<!DOCTYPE xml SYSTEM "file://{path}"><xml><FromUserName>u</FromUserName></xml>',
    '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/x">]><xml><Content>&xxe;</Content>'
    "</xml>",
    # the same, hidden from a byte-level check: lower/mixed case, after a long comment
    '<!doctype xml [<!entity a "PWNED">]><xml><FromUserName>u</FromUserName>'
    "<Content>&a;</Content></xml>",
    "<!--" + "x" * 5000 + '--><!DOCTYPE xml SYSTEM "file://{path}"><xml><FromUserName>u'
    "</FromUserName><Content>x</Content></xml>",
]
_ENCODINGS = ["utf-8", "utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"]


@st.composite
def _wechat_body(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["message", "message", "trick", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    text = draw(_message()) if kind == "message" else draw(st.sampled_from(_ENTITY_TRICKS))
    encoding = draw(st.sampled_from(_ENCODINGS))
    if encoding.startswith(("utf-16", "utf-32")):
        text = f'<?xml version="1.0" encoding="{encoding.upper()}"?>' + text
    body = text.encode(encoding)
    mutation = draw(st.sampled_from(["none", "none", "truncate", "insert"]))
    if mutation == "truncate":
        body = body[:draw(st.integers(0, max(len(body) - 1, 0)))]
    elif mutation == "insert":
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.binary(min_size=1, max_size=8)) + body[at:]
    return body


SECRET_FILE_TEXT = "KEJIYUN-FUZZ-SECRET-7f3a"


@FUZZ
@given(body=_wechat_body())
@example(body=('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE xml [<!ENTITY a "PWNED">]>'
               "<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>&a;</Content>"
               "</xml>").encode("utf-16"))
@example(body=("<xml><FromUserName>" + "u" * 300 + "</FromUserName><MsgType>text</MsgType>"
               "<Content>你好</Content><MsgId>1</MsgId></xml>").encode())
def test_any_signed_wechat_body_gets_a_reply_or_a_4xx_and_refusals_store_nothing(
    wechat: WeChat, tmp_path: Path, body: bytes
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET_FILE_TEXT)
    body = body.replace(b"{path}", str(secret).encode())
    wechat.settle()
    before = _stored(wechat.bot)
    resp = wechat.post(body)
    assert resp.status_code in (200, 400, 413), (resp.status_code, body[:300])
    assert SECRET_FILE_TEXT not in resp.text
    if b"<!doctype" in body.lower() or b"<!entity" in body.lower() or b"PWNED" not in body:
        assert "PWNED" not in resp.text  # no entity was ever expanded
    if resp.status_code != 200:
        wechat.settle()
        assert _stored(wechat.bot) == before
    if len(body) > MAX_BODY:
        assert resp.status_code == 413


def test_entity_tricks_in_any_encoding_are_refused(wechat: WeChat, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET_FILE_TEXT)
    before = _stored(wechat.bot)
    for trick in _ENTITY_TRICKS:
        text = trick.replace("{path}", str(secret))
        for encoding in ("utf-8", "utf-16", "utf-16-le", "utf-32"):
            decl = f'<?xml version="1.0" encoding="{encoding.upper()}"?>' \
                if encoding != "utf-8" else ""
            resp = wechat.post((decl + text).encode(encoding))
            assert resp.status_code == 400, (encoding, trick[:60], resp.text[:200])
    assert _stored(wechat.bot) == before


# ---- Telegram -----------------------------------------------------------------------------------
class TelegramHook:
    def __init__(self, client: TestClient, bot: Harness) -> None:
        self.client, self.bot = client, bot

    def post(self, content: bytes) -> Any:
        return self.client.post("/telegram/webhook", content=content, headers={
            "X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"})


@pytest.fixture
def telegram(bot: Harness) -> Iterator[TelegramHook]:
    with telegram_running() as fake:
        settings_ = Settings(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.url,
                             TELEGRAM_WEBHOOK_SECRET=SECRET,
                             TELEGRAM_WEBHOOK_URL="https://example.invalid/telegram/webhook")
        app = create_app(settings_, engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                         background=False)
        with TestClient(app) as client:
            yield TelegramHook(client, bot)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)
_BASE_UPDATES: list[dict[str, Any]] = [
    {"update_id": 1, "message": {"message_id": 1, "date": 1_700_000_000, "text": "你好",
                                 "chat": {"id": 4242, "type": "private"},
                                 "from": {"id": 4242, "is_bot": False, "first_name": "农户"}}},
    {"update_id": 2, "callback_query": {
        "id": "cq1", "chat_instance": "ci", "data": "menu:ask",
        "from": {"id": 4242, "is_bot": False, "first_name": "农户"},
        "message": {"message_id": 2, "date": 1_700_000_000, "text": "…",
                    "chat": {"id": 4242, "type": "private"},
                    "from": {"id": 777000, "is_bot": True, "first_name": "科技云助手"}}}},
    {"update_id": 3, "edited_message": {"message_id": 3, "date": 1_700_000_000, "text": "改",
                                        "chat": {"id": 4242, "type": "private"},
                                        "from": {"id": 4242, "is_bot": False,
                                                 "first_name": "农户"}}},
]
_PATHS = [("update_id",), ("message",), ("message", "text"), ("message", "chat"),
          ("message", "chat", "id"), ("message", "from"), ("message", "from", "id"),
          ("message", "date"), ("message", "photo"), ("message", "entities"),
          ("callback_query", "data"), ("callback_query", "from"), ("callback_query", "message"),
          ("callback_query", "from", "id"), ("edited_message", "text")]


@st.composite
def _mutated_update(draw: st.DrawFn) -> dict[str, Any]:
    update = json.loads(json.dumps(draw(st.sampled_from(_BASE_UPDATES))))
    update["update_id"] = draw(st.integers(10, 10**9))
    for path in draw(st.lists(st.sampled_from(_PATHS), max_size=3)):
        node = update
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            continue
        if draw(st.booleans()):
            node.pop(path[-1], None)
        else:
            node[path[-1]] = draw(st.one_of(_json, st.integers(-(2**70), 2**70),
                                            st.text(min_size=190, max_size=400)))
    return update


@st.composite
def _telegram_body(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["mutated", "mutated", "json", "bytes", "object"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "json":
        return json.dumps(draw(_json)).encode()
    value = draw(_mutated_update()) if kind == "mutated" else draw(
        st.dictionaries(st.sampled_from(["update_id", "message", "callback_query", "x"]), _json))
    return json.dumps(value, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")


@FUZZ
@given(body=_telegram_body())
@example(body=json.dumps({**_BASE_UPDATES[0], "update_id": "x" * 300}).encode())
@example(body=json.dumps({**_BASE_UPDATES[0], "update_id": "0" * 90 + "\u0000"}).encode())
def test_any_telegram_body_gets_200_or_400_and_a_refused_one_stores_nothing(
    telegram: TelegramHook, body: bytes
) -> None:
    before = _stored(telegram.bot)
    resp = telegram.post(body)
    assert resp.status_code in (200, 400), (resp.status_code, body[:300])
    if resp.status_code == 400:
        assert _stored(telegram.bot) == before
