"""Questions that must not wait for retrieval: emergencies and requests for harm.

An emergency gets the fixed safe instruction first (call 120 …) and vetted material after it
when there is some; a request for harm gets a refusal. Kept as plain lists so staff can read
and extend them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.tokenize import normalise

EMERGENCY_TEXT = (
    "⚠️ 如果有人出现昏迷、抽搐、呼吸困难、胸痛、大出血、误服农药或毒物等情况，"
    "请立即拨打 120 急救电话，不要等待网上答复。误服农药时请带上农药包装一起就医。"
)
FIRE_TEXT = (
    "⚠️ 如遇火灾请立即拨打 119；燃气泄漏请先关阀开窗、不要开关电器，"
    "撤离到安全地方后再打电话求助。"
)
HARM_TEXT = (
    "这个问题涉及可能伤害他人或自己的内容，科技云助手不能提供帮助。"
    "如果您正处于危险或痛苦中，请拨打 110 或心理援助热线 12356。"
)

_EMERGENCY = re.compile(
    "喝了农药|喝农药|吃了农药|误服|误食|中毒了|农药中毒|食物中毒|一氧化碳中毒|煤气中毒|昏迷|晕倒|不省人事|"
    "抽搐|呼吸困难|喘不上气|胸口痛|胸痛|心口痛|大出血|血止不住|被蛇咬|毒蛇|心脏骤停|没有呼吸|没呼吸|"
    "心跳停|溺水|触电|烧伤|烫伤严重|中风|嘴歪|嘴巴歪|口角歪斜|说不出话|说话不清|口齿不清|"
    "半边身子|一边手脚|急救"
)
_FIRE = re.compile("着火|失火|火灾|燃气泄漏|煤气泄漏|天然气泄漏")
_HARM = re.compile(
    "怎么?(制造|制作|做)(炸药|炸弹|毒药|毒品)|怎么毒死人|怎样毒死|自杀的方法|怎么自杀"
)


@dataclass(frozen=True)
class SafetyVerdict:
    kind: str  # "emergency" | "fire" | "harm" | ""
    message: str


def assess(text: str) -> SafetyVerdict:
    t = normalise(text)
    if _HARM.search(t):
        return SafetyVerdict("harm", HARM_TEXT)
    if _EMERGENCY.search(t):
        return SafetyVerdict("emergency", EMERGENCY_TEXT)
    if _FIRE.search(t):
        return SafetyVerdict("fire", FIRE_TEXT)
    return SafetyVerdict("", "")
