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

# Emergencies as people type them: a person in danger now, in Sichuanese and everyday words.
# Each line is one kind (poisoning, stroke …); tuned on bench/data/emergencies_dev.jsonl only,
# measured on the held-out half (bench/emergencies.py).
_TOXIN = ("农药|敌敌[畏维]|百[草早]枯|乐果|甲胺磷|除草剂|杀虫剂|草甘膦|老鼠药|鼠药|毒鼠强|灭鼠|"
          "杀鼠|降压药|降糖药|安眠药|胰岛素|汽油|柴油|洗洁精|消毒液|84|鱼胆|见手青|砒霜|毒药|"
          "氰|硫酸|盐酸|烧碱|火碱|亚硝酸盐|水银|灭害灵|蚊香液|洗衣液|干燥剂|纽扣电池")
_EMERGENCY_KINDS: tuple[tuple[str, str], ...] = (
    # most specific first: "掉水里没得气了" is a drowning before it is "not breathing"
    ("poisoning",
     rf"(喝|吃|吞|服|误服|误食|误喝|喝错|吃错|偷喝|舔|灌|吸入|闻)[了下起到]?.{{0,8}}({_TOXIN})|"
     rf"({_TOXIN}).{{0,8}}(当成?|喝|吃|吞)|"
     "误服|误食|中毒了|农药中毒|食物中毒|口吐白沫|吐白沫|"
     r"(菌子|蘑菇|菌菇).{0,12}(吐|拉|昏|晕|肚子痛|小人|看到|幻觉)|"
     "(吃|吞)了?.{0,6}(好几颗|一把|一瓶|半瓶)"),
    # carbon monoxide (a closed room with a fire or gas heater, and someone dizzy or out)
    ("co",
     r"(煤炉|蜂窝煤|烤火|烧炭|炭火|炭盆|火盆|煤烟|热水器|煤气|燃气).{0,16}"
     r"(昏|晕|喊不醒|叫不醒|软|头痛|想吐|吐)|几个人都.{0,3}(头晕|昏|晕|吐)|一氧化碳|煤气中毒"),
    ("drowning",
     r"溺水|呛水|落水|淹到|淹了|沉下去|冲走|(掉|滑|跌|落)(进|到|下)?.{0,3}(水|河|塘|水窖|井|堰)|"
     r"(水里|河里|河头|塘里|塘头|堰塘|水窖|井里|江里).{0,6}(捞|拉|救|拖)(起来|上来|出来)|救命"),
    ("electric", "触电|触店|遭电|电到了|被电|电打|电击|高压线|漏电.{0,4}(遭|打)|遭雷|雷打"),
    ("stroke",
     r"嘴歪|嘴巴歪|脸歪|口角歪|说话(含含?糊糊?|不清|含糊)|说不出话|口齿不清|听不懂.{0,6}话|"
     r"半边身子|一边手|一边脚|手.{0,3}抬不起|手脚没力|中风|口眼歪|舌头发硬|大舌头|"
     r"突然.{0,6}(看不见|看不清|走不稳|站不稳|说不来话)"),
    ("choking", r"噎住|哽到|卡到|卡住|气都出不来|脸都紫|嘴皮乌|喉咙紧|哭不出声|哭都哭不出|咳不出声|"
                r"(呛|卡|噎|哽)(到|住|着)了?.{0,4}(花生|豆|果冻|糖|枣|东西|鱼刺|骨头|硬币|汤圆)"),
    ("burn", r"烫到|烧到|烫伤|烧伤|起泡|皮都脱|炸起来|灼伤|溅到眼睛"),
    ("bite",
     r"(蛇|长虫|烙铁头|竹叶青|五步蛇|狗|蜂子?|马蜂|胡蜂|黄蜂|蜈蚣|蝎子).{0,4}(咬|叮|蛰|蜇)|"
     r"被蛇|毒蛇咬|遭.{0,4}(咬|叮|蜇|蛰)"),
    ("heat", r"中暑|热晕|晒晕|热射病|烫得很.{0,6}汗|关在车"),
    ("altitude", r"高原反应|高反|粉红色泡沫?痰|粉红色?泡泡痰"),
    ("seizure",
     "抽搐|抽筋|抽风|抽了|全身.{0,3}抽|打摆子|抽经|抽起|痉挛|羊癫疯|癫痫|牙关紧|"
     "高烧|烧糊涂|体温4[0-9]|烧到4[0-9]|说胡话"),
    ("bleeding", r"吐血|咳血|屙血|便血|一滩血|好多血|流血不止|大出血|血止不住|止不住|血.{0,4}喷|"
                 r"冒血|血流不止"),
    ("heart",
     r"上不来气|出不赢气|透不过气|憋得.{0,4}(紫|青)|气紧得很|心梗|心肌梗|心跳.{0,3}(好快|乱)|"
     r"(胸口|心口|胸).{0,4}(痛|疼|闷|绞)|胸痛|心口痛|喘不[上过]气|呼吸困难"),
    ("fall",
     r"骨头.{0,2}(戳|露)|头破|脑壳.{0,3}(破|开)|(砸|压|夹|撞)到.{0,6}(昏|吐|动不得|断|血)|车祸|"
     r"(摔|跌|滑倒|摔倒).{0,10}(断|动不得|起不来|没得?反应|站不起)"),
    ("allergy", r"过敏.{0,8}(喘|肿|晕)|嘴唇肿|喉咙肿"),
    ("unconscious",
     "昏迷|晕倒|晕过去|晕在|昏死|不省人事|叫不醒|喊不醒|叫不应|喊不应|喊不答应|叫不答应|摇不醒|"
     "没得?反应|没有反应|不哭不动|不哭也不出声|人都软|倒在地上|倒地|一下倒了|突然倒了|"
     "没得?呼吸|没有呼吸|没呼吸|没得气|没气了|胸口都?没起伏|叹气那种喘|心跳停|心脏骤停|"
     "人事不省|没知觉|没意识|醒不过来|不醒|翻白眼|眼睛翻白|不动了|昏了|晕了|瘫倒|软起了"),
    ("", "急救"),
)
_EMERGENCY_TOPICS = [(topic, re.compile(pattern)) for topic, pattern in _EMERGENCY_KINDS]
_EMERGENCY = re.compile("|".join(f"(?:{k})" for _, k in _EMERGENCY_KINDS))
# Not happening to a person now: prevention, knowledge, news, what-ifs, figures of speech
_NOT_NOW = re.compile(
    "预防|防止|防范|怎么防|咋个防|咋防|防溺|咋个分辨|怎么分辨|咋分辨|区分|为啥|为什么|新闻|电视上|听说|听别个说过|标语|宣传|"
    "有用不|有用没|有没得用|能不能吃|可不可以吃|好吃|咋个做|咋个炒|吓人|听得我|一点点|有点痒|"
    "其他都好|没起泡|小包|"
    "知识|有哪些|是啥|是什么|啥子症状|早期症状|以前|上个月|去年|前年|万一|如果|要是|假如|"
    "感觉$|的感觉|咋个处理比较好|注意啥|注意些啥|稀释|兑水|打蚜虫|防治|说不出话来|噎得|"
    "气得我|笑死|热死了|累死|股票|心脏病都要犯"
)
_JUST_NOW = re.compile("刚刚|刚才|这会儿|现在还|马上要")
# Animals and crops are not a human emergency (the vet and the farming articles answer them)
_ANIMAL = re.compile("狗儿?|猫|猪|牛|羊|鸡|鸭|鹅|鱼塘|鱼儿|兔|马|蚕|蜜蜂|果树|庄稼|秧苗|苗子|"
                     "叶子|叶片|果子|果实|枝条|茶树|水稻|稻子|秧田|麦子|小麦|蔬菜|菜苗|菜叶|根系")
_PERSON = re.compile("我|娃|宝宝|孩子|老汉|老人|婆婆|爷爷|奶奶|外公|外婆|妈|爸|孙|人|姐|哥|弟|"
                     "妹|老公|老婆|同学|朋友|工人|邻居|同事|师傅")
_BITTEN = re.compile("(遭|被)(一[窝只条])?(狗|蛇|长虫|蜂子?|马蜂|胡蜂|黄蜂|蜈蚣|蝎子)")
_FIRE = re.compile("着火|失火|火灾|起火|烧起来了|浓烟|火.{0,3}烧到|燃气泄漏|煤气泄漏|天然气泄漏|"
                   "(天然气|燃气|煤气)的?(味道?|气味)?.{0,3}(好|很|特别|有点)?(冲|大|重|浓|臭)|"
                   "闻到.{0,4}(天然气|燃气|煤气)")
_HARM = re.compile(
    "怎么?(制造|制作|做)(炸药|炸弹|毒药|毒品)|怎么毒死人|怎样毒死|自杀的方法|怎么自杀"
)


@dataclass(frozen=True)
class SafetyVerdict:
    kind: str  # "emergency" | "fire" | "harm" | ""
    message: str
    topic: str = ""  # for an emergency: "poisoning", "stroke", "drowning" … (or "")


def assess(text: str) -> SafetyVerdict:
    t = normalise(text)
    if _HARM.search(t):
        return SafetyVerdict("harm", HARM_TEXT)
    now = _JUST_NOW.search(t) is not None  # "听说…刚刚吞了两个鱼胆": it is happening
    if _EMERGENCY.search(t) and (now or not _NOT_NOW.search(t)) and not _about_an_animal(t):
        topic = next((name for name, pattern in _EMERGENCY_TOPICS if pattern.search(t)), "")
        return SafetyVerdict("emergency", EMERGENCY_TEXT, topic)
    if _FIRE.search(t):
        return SafetyVerdict("fire", FIRE_TEXT)
    return SafetyVerdict("", "")


def _about_an_animal(t: str) -> bool:
    """"猪热得很", "狗儿吃了老鼠药": an animal in trouble, no person ("遭狗咬了" is a person)."""
    t = _BITTEN.sub("", t)
    return bool(_ANIMAL.search(t)) and not _PERSON.search(_ANIMAL.sub("", t))
