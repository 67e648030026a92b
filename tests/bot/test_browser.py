"""Web chat in a real browser: headless Debian Chromium driven by Playwright.

Skips (saying why) where Chromium or Playwright is missing; CI sets KEJIYUN_REQUIRE_BROWSER=1,
which turns that skip into a failure."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from web.app import create_app

from .conftest import Harness

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRE = os.environ.get("KEJIYUN_REQUIRE_BROWSER") == "1"


def _need_browser() -> None:
    problem = None
    if CHROMIUM is None:
        problem = "Debian's chromium is not installed (apt-get install chromium)"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            problem = "playwright is not installed (pip install 'kejiyun[dev]')"
    if problem:
        if REQUIRE:
            pytest.fail(problem + " — KEJIYUN_REQUIRE_BROWSER=1, so this is a failure")
        pytest.skip(problem)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(bot: Harness) -> Iterator[str]:
    import uvicorn

    app = create_app(Settings(), engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                     background=False)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=30)


def test_web_chat_in_headless_chromium(server: str, tmp_path: Path) -> None:
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        page.goto(f"{server}/chat")
        page.get_by_text("科技云助手 🌱", exact=False).first.wait_for(timeout=30_000)
        page.get_by_role("button", name="我要提问").click()
        page.get_by_text("请直接输入您的问题").wait_for(timeout=30_000)
        page.fill("#text", "李子园土壤酸化了怎么改良")
        page.press("#text", "Enter")
        page.get_by_text("出处：", exact=False).wait_for(timeout=30_000)
        assert "石灰" in page.inner_text("#log")
        page.fill("#text", "鸭子脚杆软了站不起来咋个整")
        page.click("#send")
        forward = page.get_by_role("button", name="请当地专家解答")
        forward.wait_for(timeout=30_000)
        forward.click()
        page.get_by_text("哪个市、县", exact=False).wait_for(timeout=30_000)
        shot = tmp_path / "web-chat.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        browser.close()
