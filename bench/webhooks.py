"""What the HTTP benches (bench/dialog.py, bench/load.py) share: the bench data, percentiles,
free loopback ports, waiting for a server, and WeChat/Telegram webhook requests as the
platforms send them (signed WeChat XML, Telegram updates with the secret header).

Imported by path-less name from the bench scripts (`python bench/x.py` puts bench/ on
sys.path), so it must not share a name with a top-level package.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import subprocess
import time
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines()
            if line.strip()]


def pct(values: list[float]) -> str:
    return (f"p50 {np.percentile(values, 50):6.1f} ms  p99 {np.percentile(values, 99):6.1f} ms"
            f"  (n={len(values)})")


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen[Any] | None = None,
              timeout: float = 60.0) -> None:
    """Until something accepts connections on 127.0.0.1:port (RuntimeError if `proc` exits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"process exited with {proc.returncode} during start-up") \
                    from None
            time.sleep(0.2)
    raise RuntimeError(f"nothing listening on port {port} after {timeout:g} s")


def wait_healthy(base_url: str, proc: subprocess.Popen[Any] | None = None,
                 timeout: float = 120.0) -> None:
    """Until GET /healthz answers 200 (RuntimeError if `proc` exits or time runs out)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} during start-up")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{base_url}/healthz not healthy after {timeout:g} s")


# ---- WeChat -----------------------------------------------------------------------------------
def wechat_params(token: str, timestamp: str, nonce: str) -> dict[str, str]:
    """Query string of a signed (plain-mode) WeChat callback."""
    sig = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return {"timestamp": timestamp, "nonce": nonce, "signature": sig}


def wechat_text(openid: str, content: str, msg_id: int, create_time: int,
                menu_id: str | None = None) -> bytes:
    """A text message; with `menu_id`, the tap on a `weixin://bizmsgmenu` link (WeChat sends
    the link's label as Content and its id as bizmsgmenuid)."""
    menu = f"<bizmsgmenuid>{escape(menu_id)}</bizmsgmenuid>" if menu_id else ""
    return (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId>{menu}"
            f"</xml>").encode()


def wechat_event(openid: str, event: str, key: str, create_time: int) -> bytes:
    """`subscribe` (key "") or a menu `CLICK` (key = the menu's EventKey)."""
    return (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey>"
            f"</xml>").encode()


def is_passive_reply(body: bytes) -> bool:
    """A WeChat callback answer that carries a message (not the bare `success` ack)."""
    return body.strip() not in (b"", b"success")


def passive_text(body: bytes) -> str:
    """The Content of a passive text reply ("" if there is none)."""
    import xml.etree.ElementTree as ET

    try:
        return ET.fromstring(body).findtext("Content") or ""
    except ET.ParseError:
        return ""


_MENU_LINK = re.compile(r"msgmenucontent=([^&\"]*)&msgmenuid=([^\"]+)\"")


def wechat_menu_links(text: str) -> list[tuple[str, str]]:
    """(label, action) of each `weixin://bizmsgmenu` link in a reply."""
    return [(unquote(label), unquote(action)) for label, action in _MENU_LINK.findall(text)]


# ---- Telegram ---------------------------------------------------------------------------------
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _tg_user(uid: int) -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": f"用户{uid}", "language_code": "zh"}


def telegram_text(update_id: int, uid: int, text: str, message_id: int) -> dict[str, Any]:
    msg: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "text": text,
                           "chat": {"id": uid, "type": "private"}, "from": _tg_user(uid)}
    if text.startswith("/"):
        msg["entities"] = [{"type": "bot_command", "offset": 0,
                            "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": msg}


def telegram_press(update_id: int, uid: int, data: str, message_id: int,
                   bot_id: int = 777000) -> dict[str, Any]:
    """An inline-keyboard button press (callback query) on one of the bot's messages."""
    msg = {"message_id": message_id, "date": int(time.time()), "text": "…",
           "chat": {"id": uid, "type": "private"},
           "from": {"id": bot_id, "is_bot": True, "first_name": "科技云助手"}}
    return {"update_id": update_id,
            "callback_query": {"id": f"cq{update_id}", "from": _tg_user(uid),
                               "chat_instance": "ci", "data": data, "message": msg}}
