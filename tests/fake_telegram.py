"""A loopback HTTP server speaking enough of the Telegram Bot API for python-telegram-bot:
getMe, getUpdates (long polling over a queue the test fills), sendMessage,
answerCallbackQuery, editMessageText, deleteWebhook; it can answer 429 on demand. Wait for what
the bot sends with tests/support.py's `wait_until`."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_ID = 777000


class FakeBotAPI:
    def __init__(self, token: str = "123456:TEST", port: int = 0) -> None:
        self.token = token
        self.updates: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.too_many = 0  # answer this many sendMessage calls with 429
        self._next_update = 1
        self._next_message = 100
        self._cond = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                outer._handle(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    # ---- what the test does ----------------------------------------------------------------
    def user(self, uid: int) -> dict[str, Any]:
        return {"id": uid, "is_bot": False, "first_name": f"用户{uid}", "language_code": "zh"}

    def push(self, update: dict[str, Any], update_id: int | None = None) -> int:
        with self._cond:
            if update_id is None:
                update_id = self._next_update
                self._next_update += 1
            self.updates.append({"update_id": update_id, **update})
            self._cond.notify_all()
            return update_id

    def text(self, uid: int, text: str, update_id: int | None = None) -> int:
        msg = {"message_id": self._msg_id(), "date": int(time.time()), "text": text,
               "chat": {"id": uid, "type": "private"}, "from": self.user(uid)}
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(text.split()[0])}]
        return self.push({"message": msg}, update_id)

    def media(self, uid: int, field: str, value: Any) -> int:
        msg = {"message_id": self._msg_id(), "date": int(time.time()), field: value,
               "chat": {"id": uid, "type": "private"}, "from": self.user(uid)}
        return self.push({"message": msg})

    def press(self, uid: int, data: str) -> int:
        msg = {"message_id": self._msg_id(), "date": int(time.time()), "text": "…",
               "chat": {"id": uid, "type": "private"},
               "from": {"id": BOT_ID, "is_bot": True, "first_name": "科技云助手"}}
        return self.push({"callback_query": {"id": f"cq{self._msg_id()}", "from": self.user(uid),
                                             "chat_instance": "ci", "data": data,
                                             "message": msg}})

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        return [p for m, p in self.calls if m == "sendMessage"
                and (chat_id is None or int(p["chat_id"]) == chat_id)]

    # ---- the Bot API -----------------------------------------------------------------------
    def _msg_id(self) -> int:
        self._next_message += 1
        return self._next_message

    def _params(self, req: BaseHTTPRequestHandler) -> dict[str, Any]:
        body = req.rfile.read(int(req.headers.get("Content-Length") or 0)).decode()
        ctype = req.headers.get("Content-Type", "")
        if "json" in ctype:
            return json.loads(body or "{}")
        params: dict[str, Any] = {}
        for key, values in parse_qs(body).items():
            value = values[0]
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        return params

    def _reply(self, req: BaseHTTPRequestHandler, payload: dict[str, Any], status: int = 200
               ) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            req.send_response(status)
            req.send_header("Content-Type", "application/json")
            req.send_header("Content-Length", str(len(data)))
            req.end_headers()
            req.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        prefix = f"/bot{self.token}/"
        if not req.path.startswith(prefix):
            self._reply(req, {"ok": False, "error_code": 401, "description": "Unauthorized"},
                        401)
            return
        method = req.path[len(prefix):]
        params = self._params(req)
        if method != "getUpdates":
            self.calls.append((method, params))
        if method == "getMe":
            result: Any = {"id": BOT_ID, "is_bot": True, "first_name": "科技云助手",
                           "username": "kejiyun_test_bot", "can_join_groups": False,
                           "can_read_all_group_messages": False,
                           "supports_inline_queries": False}
        elif method == "getUpdates":
            result = self._get_updates(params)
        elif method == "sendMessage":
            if self.too_many > 0:
                self.too_many -= 1
                self._reply(req, {"ok": False, "error_code": 429,
                                  "description": "Too Many Requests: retry after 1",
                                  "parameters": {"retry_after": 1}}, 429)
                return
            result = {"message_id": self._msg_id(), "date": int(time.time()),
                      "chat": {"id": int(params["chat_id"]), "type": "private"},
                      "text": params.get("text", "")}
        elif method in ("answerCallbackQuery", "deleteWebhook", "setWebhook", "close",
                        "logOut"):
            result = True
        elif method == "editMessageText":
            result = {"message_id": int(params.get("message_id", 1)), "date": int(time.time()),
                      "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                      "text": params.get("text", "")}
        else:
            self._reply(req, {"ok": False, "error_code": 404, "description": "Not Found"}, 404)
            return
        self._reply(req, {"ok": True, "result": result})

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 0.5)
        with self._cond:
            # confirmed updates (below offset) are gone, as with the real API
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            if not self.updates and timeout:
                self._cond.wait(timeout)
            return list(self.updates[: int(params.get("limit") or 100)])


@contextmanager
def running(token: str = "123456:TEST") -> Iterator[FakeBotAPI]:
    fake = FakeBotAPI(token)
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
