"""Safety triage: a person in danger now is an emergency; learning, the past, animals, crops
and figures of speech are not."""

from __future__ import annotations

import pytest

from retrieval.safety import assess

# the issue's own examples, with the topic that routes to the first-aid article
EMERGENCIES = [
    ("喝了一口敌敌畏", "poisoning"),
    ("喝了百草枯", "poisoning"),
    ("娃儿发高烧抽筋了", "seizure"),
    ("吃了菌子上吐下泻", "poisoning"),
    ("屋头老人突然嘴巴歪了说话不清楚", "stroke"),
    ("一边手脚没力气", "stroke"),
    ("掉水里没得气了", "drowning"),
    ("有人触电了", "electric"),
    ("煤炉烤火几个人都头晕", "co"),
    # signs and situations by kind, in new words
    ("去稻城耍 我妈嘴皮乌起 出不来气", "altitude"),
    ("有人抓到电线 粘起放不脱", "electric"),
    ("房子垮了 有人埋在下面", "other"),
    ("My grandma drank pesticide", "poisoning"),
    ("my dad's face is drooping", "stroke"),
]


@pytest.mark.parametrize(("text", "topic"), EMERGENCIES)
def test_emergencies_are_recognised_with_their_topic(text: str, topic: str) -> None:
    verdict = assess(text)
    assert verdict.kind == "emergency"
    assert verdict.topic == topic


@pytest.mark.parametrize("text", [
    "猪热得很",
    "猪热得很不吃食",
    "鸡抽风 脑壳往后仰",
    "李子树流胶流得好凶",
    "早上起来腿抽筋 是不是缺钙",
    "笑得我抽筋",
    "这个剧好看到我心脏骤停",
    "被蛇咬了应该先做啥子 提前学一哈",
    "家里的急救箱应该准备些啥",
    "一氧化碳报警器装在哪里合适",
    "小时候遭电打过一次 现在手偶尔麻",
    "急救电话是120还是119",
    "降压药漏吃一顿要不要补",
    "溺水的人救起来要先控水吗",
])
def test_animals_crops_learning_past_and_figures_of_speech_are_not(text: str) -> None:
    assert assess(text).kind == ""


def test_just_now_overrides_hearsay() -> None:
    assert assess("听说鱼胆清火 我老汉刚刚吞了两个草鱼胆").kind == "emergency"


def test_a_named_person_turns_a_first_aid_question_into_an_emergency() -> None:
    assert assess("娃儿溺水了 要先控水吗").kind == "emergency"
