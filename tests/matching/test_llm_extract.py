"""LLM need extraction against a loopback OpenAI-compatible server: structured output is
validated, hallucinations are refused, failures fall back to the rules."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from core.settings import Settings
from matching.llm_extract import LLMExtractor

from ..fake_openai import FakeOpenAI, running

TEXT = "会理的石榴今年裂果严重，想请专家视频指导一下，费用一万左右，电话13812345678"


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    with running() as fake:
        yield fake


@pytest.fixture
def extractor(fake_llm: FakeOpenAI) -> LLMExtractor:
    settings = Settings(LLM_BASE_URL=fake_llm.url, LLM_MODEL="qwen-test", LLM_API_KEY="k")
    return LLMExtractor(settings, timeout=1.0)


def reply(**fields: object) -> str:
    base = {"kind": "service", "title": "石榴裂果防治", "discipline": "果树栽培",
            "keywords": ["裂果", "石榴"], "products": ["石榴"], "region": "凉山州会理市",
            "urgency": None, "budget": 10000, "budget_text": "一万左右",
            "confidentiality": "public", "contact_consent": None, "remote_ok": True}
    return json.dumps({**base, **fields}, ensure_ascii=False)


def test_structured_output_fills_the_record(extractor: LLMExtractor,
                                            fake_llm: FakeOpenAI) -> None:
    fake_llm.reply = reply()
    d = extractor.extract(TEXT)
    assert d is not None and d.source == "llm"
    assert d.title == "石榴裂果防治" and "裂果" in d.keywords
    assert d.region_code is not None and d.full_region_name().endswith("会理市")
    assert d.budget == 10_000 and d.remote_ok and d.contact == {"phone": "13812345678"}
    body = fake_llm.requests[0]["body"]
    assert body["response_format"] == {"type": "json_object"}
    sent = json.dumps(body["messages"], ensure_ascii=False)
    assert "13812345678" not in sent  # contact details never leave the machine
    assert "需求整理员" in sent  # the prompt template from prompts/


def test_invented_slots_are_refused(extractor: LLMExtractor, fake_llm: FakeOpenAI) -> None:
    fake_llm.reply = reply(region="成都市武侯区", budget=99999, budget_text="十万")
    d = extractor.extract("石榴裂果严重，想请专家指导")
    assert d is not None
    assert d.region_code is None and "region" in d.missing  # not in the user's words
    assert d.budget is None and "budget" in d.missing


@pytest.mark.parametrize("case", ["not json", "bad kind", "http 500", "timeout"])
def test_failures_fall_back_to_the_rules(extractor: LLMExtractor, fake_llm: FakeOpenAI,
                                         case: str) -> None:
    if case == "not json":
        fake_llm.reply = "好的，这是一个石榴的需求"
    elif case == "bad kind":
        fake_llm.reply = reply(kind="shopping")
    elif case == "http 500":
        fake_llm.status = 500
    else:
        fake_llm.delay = 2.0
        fake_llm.reply = reply()
    d = extractor.extract(TEXT)
    assert d is not None and d.source == "rules"
    assert d.budget == 10_000 and d.urgency is None


def test_empty_text_makes_no_model_call(extractor: LLMExtractor, fake_llm: FakeOpenAI) -> None:
    d = extractor.extract("   ")
    assert d is not None and "description" in d.missing
    assert fake_llm.requests == []


def test_fields_the_users_words_do_not_support_are_refused(extractor: LLMExtractor,
                                                           fake_llm: FakeOpenAI) -> None:
    """Urgency, consent and an amount the user never wrote, a district that is only part of
    another word ("厂区东区"), keywords the user never used: none is taken from the model."""
    text = "我们厂区东区的锅炉结焦严重，想请专家来看看，费用可以商量"
    fake_llm.reply = reply(kind="service", region="攀枝花市东区", urgency="urgent",
                           contact_consent=True, budget=500000, budget_text="可以商量",
                           keywords=["锅炉", "量子计算"], products=["锅炉", "光刻机"])
    d = extractor.extract(text)
    assert d is not None and d.source == "llm"
    assert d.region_code is None and d.urgency is None and d.contact_consent is None
    assert d.budget is None and d.budget_text == "可以商量"
    assert "量子计算" not in d.keywords and "光刻机" not in d.products
    assert {"region", "urgency", "contact_consent"} <= set(d.missing)
