"""Web chat in a real browser: headless Debian Chromium driven by Playwright.

Skips (saying why) where Chromium or Playwright is missing; CI sets KEJIYUN_REQUIRE_BROWSER=1,
which turns that skip into a failure. The `server` fixture (uvicorn over the dialog harness) is
in tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

from ..support import CHROMIUM, need_browser


def test_web_chat_in_headless_chromium(server: str, tmp_path: Path) -> None:
    need_browser()
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
