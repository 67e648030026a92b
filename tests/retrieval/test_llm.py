"""LLM mode against a loopback server that speaks the OpenAI chat-completions protocol."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from kejiyun.settings import Settings
from retrieval.answer import Answerer
from retrieval.llm import LLMWriter
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
