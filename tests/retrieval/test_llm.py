"""LLM mode against a loopback server that speaks the OpenAI chat-completions protocol."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from core.settings import Settings
from retrieval.answer import Answerer
from retrieval.llm import LLMWriter
from retrieval.llm_guard import Breaker
from retrieval.search import Searcher

from ..fake_openai import FakeOpenAI, running


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    with running() as fake:
        yield fake


@pytest.fixture
def llm_answerer(searcher: Searcher, fake_llm: FakeOpenAI) -> Answerer:
    settings = Settings(LLM_BASE_URL=fake_llm.url, LLM_MODEL="qwen-test", LLM_API_KEY="k")
    return Answerer(searcher, LLMWriter(settings, timeout=1.0))


Q = "李子园土壤酸化了，石灰撒多少？"


def test_llm_writes_from_vetted_passages_with_citations(
    llm_answerer: Answerer, fake_llm: FakeOpenAI
) -> None:
    fake_llm.reply = "先测土壤pH，pH低于5.0时每亩撒石灰100到150公斤，分两年施[1]。"
    ans = llm_answerer.ask(Q)
    assert ans.mode == "llm" and ans.answer.startswith("先测土壤pH")
    assert [c.article_id for c in ans.citations] == ["a-acid"]
    sent = fake_llm.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["body"]["model"] == "qwen-test"
    assert sent["auth"] == "Bearer k"
    prompt = json.dumps(sent["body"]["messages"], ensure_ascii=False)
    assert "每亩撒施生石灰50到75公斤" in prompt and Q in prompt
    assert "猕猴桃" not in prompt  # the draft article is never shown to the model


@pytest.mark.parametrize("case", ["no-citation", "bad-citation", "insufficient", "error",
                                  "timeout"])
def test_llm_failures_fall_back_to_the_extractive_answer(
    llm_answerer: Answerer, searcher: Searcher, fake_llm: FakeOpenAI, case: str
) -> None:
    fake_llm.reply = {"no-citation": "撒点石灰就行。", "bad-citation": "撒石灰[7]。",
                      "insufficient": "资料不足"}.get(case, "撒石灰[1]。")
    fake_llm.status = 500 if case == "error" else 200
    fake_llm.delay = 2.0 if case == "timeout" else 0.0
    ans = llm_answerer.ask(Q)
    expected = Answerer(searcher).ask(Q)
    assert ans.mode == "extractive" and ans.answer == expected.answer
    assert [c.article_id for c in ans.citations] == ["a-acid"]
    assert fake_llm.requests, "the model was asked first"


def test_abstention_never_calls_the_model(llm_answerer: Answerer, fake_llm: FakeOpenAI) -> None:
    assert llm_answerer.ask("明天成都到北京的高铁票还有吗").abstained
    assert fake_llm.requests == []


@pytest.mark.parametrize("reply, why", [
    ("每亩撒敌敌畏5公斤就能治好酸化[1]。", "a pesticide and a dose in no passage"),
    ("Spread 50 to 75 kg of quicklime per mu [1].", "English"),
    ("每亩撒施生石灰50到75公斤[1]。然后多浇水，观察一下就好。", "a sentence citing nothing"),
    ("每亩撒施生石灰500公斤[1]。", "a number the passage does not have"),
    ("让果树多喝水，观察一下就好[1]。", "advice the cited passage never gives"),
])
def test_ungrounded_llm_answers_fall_back(llm_answerer: Answerer, searcher: Searcher,
                                          fake_llm: FakeOpenAI, reply: str, why: str) -> None:
    fake_llm.reply = reply
    ans = llm_answerer.ask(Q)
    assert ans.mode == "extractive", why
    assert ans.answer == Answerer(searcher).ask(Q).answer


def test_full_width_citation_marks_count(llm_answerer: Answerer, fake_llm: FakeOpenAI) -> None:
    fake_llm.reply = "pH在5.0到5.5之间，每亩撒施生石灰50到75公斤［1］。"
    ans = llm_answerer.ask(Q)
    assert ans.mode == "llm" and ans.answer.endswith("[1]。")
    assert [c.article_id for c in ans.citations] == ["a-acid"]


def test_contacts_never_reach_the_prompt_and_every_call_is_bounded(
        llm_answerer: Answerer, fake_llm: FakeOpenAI) -> None:
    fake_llm.reply = "每亩撒施生石灰50到75公斤[1]。"
    llm_answerer.ask("我电话13812345678，微信 lzy_farm88，" + Q)
    body = fake_llm.requests[0]["body"]
    prompt = json.dumps(body["messages"], ensure_ascii=False)
    assert "13812345678" not in prompt and "lzy_farm88" not in prompt
    assert 16 <= body["max_tokens"] <= 4096  # the server stops writing when we stop waiting


def test_the_breaker_stops_calling_a_failing_endpoint_then_probes(
        searcher: Searcher, fake_llm: FakeOpenAI) -> None:
    now = [1000.0]
    settings = Settings(LLM_BASE_URL=fake_llm.url, LLM_MODEL="qwen-test")
    breaker = Breaker(failures=3, cooldown=60.0, clock=lambda: now[0])
    answerer = Answerer(searcher, LLMWriter(settings, timeout=1.0, breaker=breaker))
    fake_llm.status = 500
    for _ in range(5):
        assert answerer.ask(Q).mode == "extractive"
    assert len(fake_llm.requests) == 3 and breaker.state == "open"  # no call once open
    now[0] += 61  # cooled down: one probe, which succeeds and closes the breaker
    fake_llm.status, fake_llm.reply = 200, "每亩撒施生石灰50到75公斤[1]。"
    assert breaker.state == "half_open"
    assert answerer.ask(Q).mode == "llm" and breaker.state == "closed"
    assert len(fake_llm.requests) == 4


def test_a_hanging_endpoint_costs_one_timeout_for_a_batch_not_one_per_question(
        searcher: Searcher, fake_llm: FakeOpenAI) -> None:
    settings = Settings(LLM_BASE_URL=fake_llm.url, LLM_MODEL="qwen-test")
    answerer = Answerer(searcher, LLMWriter(settings, timeout=0.5,
                                            breaker=Breaker(failures=3, cooldown=60.0)))
    fake_llm.delay = 3.0
    for _ in range(6):
        assert answerer.ask(Q).mode == "extractive"
    assert len(fake_llm.requests) == 1  # one timeout opened the breaker; the rest skipped it


def test_a_turn_budget_spent_skips_further_calls(llm_answerer: Answerer,
                                                 fake_llm: FakeOpenAI) -> None:
    from retrieval.llm_guard import turn_budget

    fake_llm.reply = "每亩撒施生石灰50到75公斤[1]。"
    with turn_budget(0.1):  # less than half a call's timeout left: no call
        assert llm_answerer.ask(Q).mode == "extractive"
    assert fake_llm.requests == []
    with turn_budget(10.0):
        assert llm_answerer.ask(Q).mode == "llm"


def test_the_breaker_is_shared_by_workers_through_redis(redis_url: str) -> None:
    """Two processes' breakers on one endpoint: failures seen by one open it for both."""
    import os
    import uuid

    import redis

    key = f"{os.environ['REDIS_NAMESPACE']}:llm:breaker:{uuid.uuid4().hex[:8]}"
    now = [0.0]
    one, two = (Breaker(failures=2, cooldown=30.0, clock=lambda: now[0],
                        store=redis.Redis.from_url(redis_url), key=key) for _ in range(2))
    one.failure()
    two.failure()
    assert one.state == "open" and two.state == "open" and not one.allow()
    now[0] = 31.0
    assert two.allow() and two.state == "half_open"  # cooled down: a worker probes
    two.success()
    assert one.state == "closed" and one.allow()


def test_every_process_names_the_shared_breaker_alike() -> None:
    """The Redis key comes from a digest of the endpoint: str hashes differ per process."""
    import os
    import subprocess
    import sys

    code = ("from core.settings import Settings; from retrieval.llm_guard import breaker_for;"
            "print(breaker_for(Settings(LLM_BASE_URL='http://x/v1', LLM_MODEL='m')).key)")
    keys = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")}
    assert len(keys) == 1 and ":llm:breaker:" in keys.pop()


def test_the_llm_mode_passes_the_same_intent_and_safety_gates(
        llm_answerer: Answerer, fake_llm: FakeOpenAI) -> None:
    fake_llm.reply = "撒石灰[1]。"
    for chat in ("你好", "谢谢你哈", "帮我写个请假条"):  # small talk and out of scope: no model
        assert llm_answerer.ask(chat).abstained
    assert fake_llm.requests == []
    said = llm_answerer.ask("我老汉刚刚喝了敌敌畏 人都软了")
    assert said.safety == "emergency" and said.answer.startswith("⚠️") and "120" in said.answer
