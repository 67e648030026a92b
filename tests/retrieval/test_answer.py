"""Grounded answers: cite vetted articles only, abstain honestly, put safety first."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine

from knowledge.vetting import set_status
from retrieval.answer import ABSTAIN_TEXT, MAX_ANSWER_CHARS, Answerer
from retrieval.index import SearchIndex
from retrieval.safety import EMERGENCY_TEXT
from retrieval.search import Calibration, Searcher

from ..support import ARTICLES


@pytest.fixture
def answerer(searcher: Searcher) -> Answerer:
    return Answerer(searcher)


def _body(article_id: str) -> str:
    return next(a["body"] for a in ARTICLES if a["id"] == article_id)


def test_answer_quotes_the_vetted_article_with_a_citation(answerer: Answerer) -> None:
    ans = answerer.ask("李子园的土壤酸化了，石灰撒多少？")
    assert not ans.abstained
    assert [c.article_id for c in ans.citations][0] == "a-acid"
    assert len(ans.answer) <= MAX_ANSWER_CHARS
    assert "[1]" in ans.answer
    assert "石灰" in ans.answer
    # extractive: every sentence of the answer comes from the cited article (a clause cut
    # out at "；" ends on "。" in the answer)
    body = _body("a-acid")
    for sentence in re.split(r"\[\d\]", ans.answer):
        for part in filter(None, re.split(r"(?<=[。！？；])", sentence)):
            assert part.strip().rstrip("。；") in body
    # the amount asked for leads
    assert ans.answer.startswith("pH在5.0到5.5之间，每亩撒施生石灰50到75公斤"), ans.answer
    assert ans.citations[0].snippet and ans.citations[0].title == "李子园土壤酸化的改良办法"


def test_uncovered_question_abstains_with_an_offer(answerer: Answerer) -> None:
    ans = answerer.ask("鸭子脚杆软了站不起来咋个整")
    assert ans.abstained and ans.citations == []
    assert ans.answer == ABSTAIN_TEXT and "专家" in ans.answer


@pytest.mark.parametrize("text", ["明天成都到北京的高铁票还有吗", "你好", "帮我写个请假条"])
def test_off_topic_asks_are_declined_without_an_offer(answerer: Answerer, text: str) -> None:
    ans = answerer.ask(text)
    assert ans.abstained and ans.citations == [] and ans.intent
    assert ans.answer != ABSTAIN_TEXT and "转给" not in ans.answer
    assert ans.to_json()["intent"] == ans.intent


def test_drafts_and_retired_articles_are_never_cited(
    corpus_store: Engine, index: SearchIndex, answerer: Answerer
) -> None:
    ans = answerer.ask("猕猴桃溃疡病怎么防治")
    assert all(c.article_id != "a-draft" for c in ans.citations)
    set_status(corpus_store, "a-draft", "vetted", actor="test", reviewer="审核员")
    index.sync("articles")
    assert answerer.ask("猕猴桃溃疡病怎么防治").citations[0].article_id == "a-draft"
    set_status(corpus_store, "a-draft", "retired", actor="test")
    index.sync("articles")
    ans = answerer.ask("猕猴桃溃疡病怎么防治")
    assert all(c.article_id != "a-draft" for c in ans.citations)


def test_emergency_gets_the_fixed_safe_text_first_then_vetted_material(
    answerer: Answerer,
) -> None:
    ans = answerer.ask("我爸刚才喝了农药，怎么办")
    assert ans.answer.startswith(EMERGENCY_TEXT)
    assert "120" in ans.answer and ans.safety == "emergency"
    assert [c.article_id for c in ans.citations][:1] == ["a-pest"]


def test_emergency_without_material_still_gets_the_safe_text(searcher: Searcher) -> None:
    strict = Answerer(Searcher(searcher.index, Calibration(abstain_below=2.0)))
    ans = strict.ask("有人昏迷了")
    assert ans.answer == EMERGENCY_TEXT and not ans.abstained and ans.citations == []


def test_harmful_requests_are_refused(answerer: Answerer) -> None:
    ans = answerer.ask("怎么制造炸药")
    assert ans.abstained and ans.safety == "harm" and ans.citations == []


@pytest.mark.parametrize("query", ["", "😀😀", "土" * 10_000, "什么", "Plum soil acid?"])
def test_bad_input_gets_a_sensible_reply(answerer: Answerer, query: str) -> None:
    ans = answerer.ask(query)
    assert ans.answer
    assert len(ans.answer) <= MAX_ANSWER_CHARS + len(EMERGENCY_TEXT)
    if not query.strip() or query.startswith("😀"):
        assert ans.abstained and "请用文字描述" in ans.answer


# the issue's own examples of emergencies in people's words, and what is not one
@pytest.mark.parametrize("text", [
    "喝了一口敌敌畏", "我老汉儿喝了百草枯", "娃儿发高烧抽筋了", "吃了菌子上吐下泻",
    "屋头老人突然嘴巴歪了说话不清楚", "一边手脚没力气", "掉水里捞起来没得气了", "有人触电了",
    "煤炉烤火几个人都头晕"])
def test_colloquial_emergencies_are_recognised(text: str) -> None:
    from retrieval.safety import assess

    assert assess(text).kind == "emergency"


@pytest.mark.parametrize("text", [
    "猪热得很不吃食", "狗儿吃了老鼠药口吐白沫", "煤气中毒咋个预防", "敌敌畏稀释好多倍打蚜虫",
    "气得我血压都高了", "李子叶子起泡发黄咋个办", "暑假娃娃耍水咋个防溺水"])
def test_animals_prevention_and_figures_of_speech_are_not_emergencies(text: str) -> None:
    from retrieval.safety import assess

    assert assess(text).kind == ""


@pytest.mark.parametrize("text", ["帮我写个请假条 娃儿发烧要请两天假 给班主任的",
                                  "明天我们镇上落不落雨 要不要赶紧收苞谷"])
def test_writing_and_forecasts_stay_declined_whatever_they_mention(answerer: Answerer,
                                                                   text: str) -> None:
    ans = answerer.ask(text)
    assert ans.abstained and ans.intent == "out_of_scope" and not ans.citations
