"""A loopback HTTP server for the WeChat API calls we make: token and customer-service
messages. It can answer 40001 (invalid token) or 45015 (outside the 48-hour window)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


class FakeWeChatAPI:
    def __init__(self) -> None:
        self.token_requests = 0
        self.sent: list[dict[str, Any]] = []
        self.fail_codes: list[int] = []  # errcodes to answer the next send calls with
        self._n = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer._route(self, None)

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer._route(self, json.loads(body or b"{}"))

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _json(self, req: BaseHTTPRequestHandler, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        req.send_response(200)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    def _route(self, req: BaseHTTPRequestHandler, body: dict[str, Any] | None) -> None:
        url = urlparse(req.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/cgi-bin/token":
            self.token_requests += 1
            self._n += 1
            self._json(req, {"access_token": f"TOKEN{self._n}", "expires_in": 7200})
        elif url.path == "/cgi-bin/message/custom/send":
            if self.fail_codes:
                code = self.fail_codes.pop(0)
                self._json(req, {"errcode": code, "errmsg": "fake error"})
                return
            self.sent.append({"token": query.get("access_token"), **(body or {})})
            self._json(req, {"errcode": 0, "errmsg": "ok"})
        else:
            self._json(req, {"errcode": 404, "errmsg": "unknown api"})


@contextmanager
def running() -> Iterator[FakeWeChatAPI]:
    fake = FakeWeChatAPI()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
