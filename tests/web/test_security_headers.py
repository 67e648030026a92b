"""Security headers on every response (`web/headers.py`) and the offline /docs page
(`web/docs.py`); in a real browser, the pages run under the policy without a violation."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from web.app import create_app
from web.headers import script_hashes
from web.staff import add_staff

from ..support import CHROMIUM, Harness, need_browser
from .test_console import PASSWORD, login

FIXED = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
         "Referrer-Policy": "same-origin"}


@pytest.fixture
def client(bot: Harness) -> Iterator[TestClient]:
    add_staff(bot.engine, "admin", PASSWORD, "province", "四川省")
    app = create_app(Settings(), engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                     background=False)
    with TestClient(app) as c:
        yield c


def directives(csp: str) -> dict[str, list[str]]:
    return {name: rest for name, *rest in (d.split() for d in csp.split(";") if d.strip())}


def test_every_response_carries_the_headers(client: TestClient) -> None:
    responses = [client.get("/console/login"), client.get("/console", follow_redirects=False),
                 client.get("/chat"), client.get("/healthz"), client.get("/api/v1/needs"),
                 client.get("/no-such-page"), client.get("/docs"), client.get("/openapi.json")]
    login(client, "admin")
    responses += [client.get("/console"), client.get("/console/dashboard")]
    for resp in responses:
        where = f"{resp.request.method} {resp.request.url.path} → {resp.status_code}"
        for name, value in FIXED.items():
            assert resp.headers.get(name) == value, where
        csp = directives(resp.headers["Content-Security-Policy"])
        assert csp["default-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"], where
        assert "'unsafe-inline'" not in csp["script-src"], where
        assert "'unsafe-eval'" not in csp["script-src"], where
        assert csp["object-src"] == ["'none'"], where


def test_only_the_chat_pages_own_script_may_run_inline(client: TestClient) -> None:
    chat = client.get("/chat")
    served = script_hashes(chat.text)
    assert len(served) == 1  # the page has one inline script, allowed by its hash
    assert directives(chat.headers["Content-Security-Policy"])["script-src"] == [
        "'self'", *served]
    # the console has no inline script at all, and no page but /chat allows that one
    login(client, "admin")
    for path in ("/console", "/console/dashboard", "/console/articles", "/console/login"):
        page = client.get(path)
        assert "<script" not in page.text, path
        assert directives(page.headers["Content-Security-Policy"])["script-src"] == ["'self'"]


def test_docs_work_offline(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and 'id="swagger-ui"' in page.text
    # no asset from anywhere else (jsdelivr, Google fonts …), and nothing inline to allow
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page.text), page.text
    assert "<script>" not in page.text
    assets = re.findall(r"""(?:src|href)="(/[^"]+)\"""", page.text)
    assert {"/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css",
            "/docs/init.js"} <= set(assets)
    for path in assets:
        got = client.get(path)
        assert got.status_code == 200 and len(got.content) > 10, path
    init = client.get("/docs/init.js").text
    assert '"url": "/openapi.json"' in init and '"validatorUrl": null' in init
    assert client.get("/redoc").status_code == 404  # ReDoc would load its fonts from Google
    paths = client.get("/openapi.json").json()["paths"]
    assert not any(p.startswith("/docs") for p in paths)  # the docs are not in the docs


def test_pages_run_under_the_policy_in_a_browser(server: str,  # noqa: F811
                                                 bot: Harness) -> None:
    """Swagger UI renders the partner API from local files; the web chat's inline script
    runs; the console renders its charts — and the browser reports no CSP violation."""
    need_browser()
    from playwright.sync_api import sync_playwright

    add_staff(bot.engine, "admin", PASSWORD, "province", "四川省")
    violations: list[str] = []
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.on("console", lambda m: violations.append(m.text)
                if "Content Security Policy" in m.text else None)
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith((server, "data:")) else None)
        page.goto(f"{server}/docs")
        page.locator(".opblock").first.wait_for(timeout=60_000)
        assert page.get_by_text("/api/v1/needs").count() >= 1

        page.goto(f"{server}/chat")
        page.get_by_role("button", name="我要提问").wait_for(timeout=30_000)  # the script ran

        page.goto(f"{server}/console/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.get_by_text("需求看板").first.wait_for(timeout=30_000)
        page.goto(f"{server}/console/dashboard")
        page.locator(".chart svg").first.wait_for(timeout=30_000)
        browser.close()
    assert violations == [] and outside == []


def test_script_hashes_match_what_browsers_compute() -> None:
    """CSP hashes cover the exact text between the tags, whitespace included (values from
    `openssl dgst -sha256 -binary | base64`)."""
    assert script_hashes("<script>a()</script><p>x</p><script>\nb();\n</script>") == [
        "'sha256-qVpDBgj7bpq5hMAcGp3AOc79J3Y1Z4HvySTwKrWDoy4='",
        "'sha256-TvPPzoyp7lxDWeE7u3ArZZlOLzRUQlBVOuKFeRDm+EM='"]
