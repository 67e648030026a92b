"""The learned second opinion on emergencies: it catches phrasings the rules miss, and the
rules' framing gates (what-ifs, the past, animals) still overrule it."""

from __future__ import annotations

import json
from pathlib import Path
from unittest.mock import patch

import pytest

from retrieval.emergency_model import grams, likely_topic, looks_like_emergency, probability
from retrieval.safety import assess

ROOT = Path(__file__).resolve().parents[2]

# written for this test (in no training set); the rules alone miss each of them
NEW_WORDS = [
    "隔壁幺爸在猪圈门口一下子梭倒了 喊他眼睛都不睁",
    "外婆吃饭吃到一半 筷子掉了 半边嘴巴流口水",
]


def _rules_only(text: str) -> str:
    with patch("retrieval.safety.looks_like_emergency", lambda _t: False):
        return assess(text).kind


@pytest.mark.parametrize("text", NEW_WORDS)
def test_the_model_catches_what_the_rules_miss(text: str) -> None:
    assert _rules_only(text) == ""
    assert looks_like_emergency(text)
    assert assess(text).kind == "emergency"


@pytest.mark.parametrize("text", [
    "万一有人胸口痛一头的汗 应该先做啥",  # asked in advance
    "去年外婆吃饭筷子掉了 半边嘴巴流口水 后来好了",  # the past
    "我屋头的猪一下子梭倒了 喊都喊不起来",  # an animal; 我 is its owner
])
def test_framing_gates_overrule_the_model(text: str) -> None:
    assert assess(text).kind == ""


def test_scores_are_probabilities_and_separate_danger_from_chat() -> None:
    danger = probability("老汉儿在田坎上一下子栽倒 脸青乌紫 莫得气了")
    chat = probability("今年的柑橘好久可以摘")
    assert 0.0 <= chat < 0.5 < danger <= 1.0
    assert probability("") == pytest.approx(probability(" "), abs=0.5)  # no crash on nothing


def test_grams_are_normalised_character_ngrams() -> None:
    assert {"喝", "喝了", "喝了农"} <= grams("喝了农药")
    assert grams("ＡＢ") == grams("ab")  # full-width and case folded like the index


def test_the_model_is_trained_on_dev_files_only() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("train", ROOT / "bench/train_emergencies.py")
    train = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(train)  # type: ignore[union-attr]
    files = train.sources(set())
    assert files and all("_dev" in p.stem and "holdout" not in p.stem for p in files)
    shipped = json.loads((ROOT / "retrieval/emergency_ngrams.json").read_text(encoding="utf-8"))
    assert shipped["trained_on"] == len(train.rows(set()))  # the shipped weights are current


@pytest.mark.parametrize(("text", "topic"), [
    ("外婆吃饭吃到一半 筷子掉了 半边嘴巴流口水", "stroke"),
    ("隔壁幺爸在猪圈门口一下子梭倒了 喊他眼睛都不睁", "unconscious"),
])
def test_an_emergency_the_rules_cannot_place_gets_the_nearest_topic(text: str, topic: str) -> None:
    assert likely_topic(text) == topic
    assert assess(text).topic == topic  # so the right first-aid article leads


def test_no_topic_for_words_like_no_labelled_emergency() -> None:
    assert likely_topic("") == ""
    assert likely_topic("xyz") == ""


@pytest.mark.parametrize("text", ["尽快", "同意", "我在苍溪", "确认发布", "宜宾翠屏区",
                                  "两三千的样子", "没得钱哦，能不能免费看嘛"])
def test_short_replies_in_a_form_are_never_emergencies(text: str) -> None:
    # these once scored 0.7–0.97: the model had never seen a slot answer
    assert not looks_like_emergency(text)
    assert assess(text).kind == ""


def test_mild_words_do_not_hide_a_severe_reaction() -> None:
    assert assess("遭蚊子咬了一身包 痒得很").kind == ""
    assert assess("遭蚊子咬了 全身起风团 喘不上气").kind == "emergency"
