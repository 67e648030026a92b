"""Security headers on every response: a Content-Security-Policy, no framing, no MIME sniffing,
and no full URLs leaked to other sites in the Referer.

The policy allows scripts from this origin only. The one inline script the app serves, the web
chat's (`web/chat.html`), is allowed by its hash, computed from the file at start-up, so the
page needs no change and no other inline script can run on any page. Styles may be inline:
the console's charts are SVG with `style` attributes, and style is not where XSS runs. A route
that needs a policy of its own sets the header itself; it is then left as it is.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib import resources

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def script_hashes(html: str) -> list[str]:
    """CSP source expressions ('sha256-…') for the inline <script> blocks of a page."""
    return [f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
            for body in _SCRIPT.findall(html)]


def policy(script_sources: list[str] | None = None) -> str:
    scripts = " ".join(["'self'", *(script_sources or [])])
    return ("default-src 'self'; "
            f"script-src {scripts}; "
            "style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class SecurityHeaders:
    """Plain ASGI middleware (not BaseHTTPMiddleware): it only adds headers to the response
    start, so streaming responses and background tasks are untouched."""

    def __init__(self, app: ASGIApp, chat_hashes: list[str]) -> None:
        self.app = app
        self.default = policy()
        self.chat = policy(chat_hashes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = self.chat if scope.get("path") == "/chat" else self.default

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    chat = (resources.files("web") / "chat.html").read_text(encoding="utf-8")
    app.add_middleware(SecurityHeaders, chat_hashes=script_hashes(chat))
