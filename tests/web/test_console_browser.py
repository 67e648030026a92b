"""The console in a real browser (headless Debian Chromium via Playwright, phone viewport):
log in → the dashboard shows its charts → a draft article goes through review → a separate
`kejiyun ask` process cites it → it is retired → it is never cited again.

Screenshots are kept under KEJIYUN_TEST_ARTIFACTS (default: var/test-artifacts in the checkout).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from web.staff import add_staff

from ..support import CHROMIUM, Harness, need_browser
from .test_console import PASSWORD
from .test_console_pages import BODY, QUESTION

ARTIFACTS = Path(os.environ.get("KEJIYUN_TEST_ARTIFACTS")
                 or Path(__file__).resolve().parents[2] / "var" / "test-artifacts")


def ask(bot: Harness, question: str) -> dict:  # type: ignore[type-arg]
    """`kejiyun ask --json` in its own process, over the same store and index as the server."""
    env = {**os.environ, "DATABASE_URL": str(bot.engine.url.render_as_string(
        hide_password=False))}
    done = subprocess.run([sys.executable, "-m", "kejiyun.cli", "ask", question, "--json"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_vet_an_article_in_the_browser_then_ask_cites_it(server: str,  # noqa: F811
                                                         bot: Harness) -> None:
    need_browser()
    from playwright.sync_api import sync_playwright

    add_staff(bot.engine, "admin", PASSWORD, "province", "四川省", "省科协审核员")
    bot.chat("farmer-b", QUESTION)  # abstained: shows up among the answered/abstained figures
    shots = ARTIFACTS / f"console-{bot.engine.dialect.name}"
    shots.mkdir(parents=True, exist_ok=True)
    assert ask(bot, QUESTION)["abstained"]

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{server}/console/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.get_by_text("需求看板").first.wait_for(timeout=30_000)

        page.goto(f"{server}/console/dashboard")
        page.locator(".chart svg").first.wait_for(timeout=30_000)
        assert page.locator(".chart svg").count() >= 3
        page.screenshot(path=str(shots / "1-dashboard.png"), full_page=True)

        page.goto(f"{server}/console/articles/new")
        page.fill("input[name=title]", "魔芋软腐病的防治")
        page.fill("textarea[name=body]", BODY)
        page.fill("input[name=tags]", "魔芋、软腐病")
        page.get_by_role("button", name="保存草稿").click()
        page.get_by_text("草稿已保存").wait_for(timeout=30_000)
        ext_id = page.url.split("/console/articles/")[1].split("?")[0]
        page.get_by_role("button", name="提交审核").click()
        page.get_by_text("已提交审核").wait_for(timeout=30_000)
        page.get_by_role("button", name="审核通过").click()
        page.get_by_text("已审核通过").wait_for(timeout=30_000)
        assert page.inner_text("#article-status") == "已审核"
        page.screenshot(path=str(shots / "2-vetted.png"), full_page=True)

        answer = ask(bot, QUESTION)
        assert not answer["abstained"] and answer["citations"][0]["article_id"] == ext_id

        page.get_by_role("button", name="下线").click()
        page.get_by_text("不会再用于回答").wait_for(timeout=30_000)
        assert page.inner_text("#article-status") == "已下线"
        page.screenshot(path=str(shots / "3-retired.png"), full_page=True)
        browser.close()

    for question in (QUESTION, "魔芋得了软腐病怎么办", "种魔芋用什么药防软腐"):
        answer = ask(bot, question)
        assert all(c["article_id"] != ext_id for c in answer["citations"]), answer
    for shot in shots.glob("*.png"):
        assert shot.stat().st_size > 10_000
