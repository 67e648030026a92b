"""Safety triage: a person in danger now is an emergency; learning, the past, animals, crops
and figures of speech are not."""

from __future__ import annotations

import pytest

from retrieval.safety import assess

# the issue's own examples, with the topic that routes to the first-aid article
EMERGENCIES = [
    ("兑药溅到眼睛里头了 辣得很 睁都睁不开 咋整", "poisoning"),
    ("吃了酒席回来 一家五口都在吐在拉 老的小的都倒了", "food"),
    ("河头有个人遭冲起走了 几个娃儿想手拉手下去拉", "drowning"),
    ("快 塘子头有个娃儿掉下去了 捞起来没得气了", "drowning"),
    ("大风把电线刮断了掉在田坎上 有个人倒在旁边 动都不动", "electric"),
    ("我有糖尿病 打了胰岛素还没吃饭 现在手抖心慌 出冷汗", "hypo"),
    ("老汉儿高血压 流鼻血 仰起脑壳的 还在流 一手的血", "nosebleed"),
    ("下了一晚上大雨 沟头轰隆隆的响 水一下子变浑了 我们还在屋头", "flood"),
    ("喝了一口敌敌畏", "poisoning"),
    ("喝了百草枯", "poisoning"),
    ("娃儿发高烧抽筋了", "seizure"),
    ("吃了菌子上吐下泻", "mushroom"),
    ("屋头老人突然嘴巴歪了说话不清楚", "stroke"),
    ("一边手脚没力气", "stroke"),
    ("掉水里没得气了", "drowning"),
    ("有人触电了", "electric"),
    ("煤炉烤火几个人都头晕", "co"),
    # signs and situations by kind, in new words
    ("去稻城耍 我妈嘴皮乌起 出不来气", "altitude"),
    ("有人抓到电线 粘起放不脱", "electric"),
    ("房子垮了 有人埋在下面", "buried"),
    ("My grandma drank pesticide", "poisoning"),
    ("my dad's face is drooping", "stroke"),
    # finer topics: each names its own first-aid article
    ("放羊的时候旁边那个人遭雷打了 倒地上", "lightning"),
    ("厨房好大一股臭鸡蛋味 我妈晕在灶台边上", "gas"),
    ("洗澡的时候老婆晕在厕所头了 燃气热水器就在里面", "co"),
    ("两岁的孙女把我的降糖药吃了几颗 现在看起还精神得很", "child_poison"),
    ("单位食堂吃完午饭 十几个人都在吐在拉", "food"),
    ("被咬了一口 不痛也不肿 但是看到是黑白一圈一圈的蛇", "snake"),
    ("工地上一个师傅晒得抽筋了 喊他都迷迷糊糊的", "heat"),
    ("我老汉儿打了胰岛素没吃饭 现在叫不答应 出冷汗", "hypo"),
    # a fresh helper-written set (answers_dev11–13): new situations and words
    ("幺爸在田头抽水机那碰到电线倒了 电线还搭在他身上", "electric"),
    ("大棚关起打了一上午药 我兄弟出来就倒起了 出气有点喘 救命", "poisoning"),
    ("我老婆怀起七个多月 吃鸡块哽到了 出不到气", "choking"),
    ("路边的野狗把我儿子腿杆咬了 几个牙齿洞洞在冒血", "dog"),
    ("房子垮了 我遭压在下头 腿动不了", "buried"),
    ("车子开到桥洞下头熄火了 水涨到窗子了 门推不开", "car_flood"),
    ("四姑娘山走迷路了 同伴一直打摆子 说话都说不清楚了", "lost"),
    ("娃儿在河头遭淹了 刚拖上岸 没得气了", "drowning"),
    ("我老汉突然倒了 喊不应 胸口也不动了 胸口按压咋个按", "unconscious"),
]


def test_mushrooms_stay_urgent_when_the_vomiting_stops() -> None:
    """Deadly amanitas act 6 hours and more after the meal, after a false recovery."""
    text = "吃了菌子七八个钟头了 吐过一阵 现在好了 还要去医院不"
    assert assess(text).kind == "emergency"
    assert assess("去年吃菌子吐过一回 现在好了").kind == ""


def test_a_caller_asking_for_money_is_fraud_not_an_emergency() -> None:
    assert assess("电话里说我儿子出车祸了 要我马上转钱过去").kind == ""


@pytest.mark.parametrize(("text", "topic"), EMERGENCIES)
def test_emergencies_are_recognised_with_their_topic(text: str, topic: str) -> None:
    verdict = assess(text)
    assert verdict.kind == "emergency"
    assert verdict.topic == topic


@pytest.mark.parametrize("text", [
    "猪热得很",
    "猪热得很不吃食",
    # the speaker who calls a vet is not the patient
    "那个 我在江油 屋头的猪 那个 好几头都在咳 喘得凶 急得很 想请个兽医",
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
    "农药兑好多水",
    "糖尿病人能吃西瓜不",
    "河坎上那棵树倒下去了",
    "在理塘用高压锅煮饭 锅头的水能烧到好多度",
    "昨晚遭蚊子咬了一腿的包 痒得睡不着",
    "药箱漏了 要换个喷雾器不",
])
def test_animals_crops_learning_past_and_figures_of_speech_are_not(text: str) -> None:
    assert assess(text).kind == ""


def test_just_now_overrides_hearsay() -> None:
    assert assess("听说鱼胆清火 我老汉刚刚吞了两个草鱼胆").kind == "emergency"


def test_a_named_person_turns_a_first_aid_question_into_an_emergency() -> None:
    assert assess("娃儿溺水了 要先控水吗").kind == "emergency"


def test_a_question_about_later_is_no_emergency_and_heating_means_co() -> None:
    assert assess("吃了头孢 停药几天可以喝酒").kind == ""
    assert assess("屋头关起门烤炭火 一家人都脑壳痛想吐 婆婆喊不醒了").topic == "co"


@pytest.mark.parametrize("said", [
    "救命 塘头的鱼全部浮到水面上张起嘴巴喘气 好像要憋死了 先咋个整",  # fish, not a person
    "那生吃鱼胆能不能清火明目？我妈喊我吃",                              # offered, not taken
    "中江…不是不是 不是中江 是三台 我搞昏了",                             # confused, not fainting
    "哦 我问错了 没得事了 娃儿拿我手机乱点的",                            # a mistake owned up to
    "屋头的燃气灶用的橡胶软管 好长算合适",                                # a hose, not a faint
])
def test_fresh_phrasings_that_are_no_emergency(said: str) -> None:
    assert assess(said).kind != "emergency"


def test_fresh_phrasings_that_still_are() -> None:
    assert assess("我老汉吃了鱼胆 现在吐得凶").kind == "emergency"
    assert assess("娃儿喝了敌敌畏 能不能喝牛奶").kind == "emergency"


@pytest.mark.parametrize(("text", "urgent"), [
    ("学校好几个娃娃又吐又拉 说是诺如病毒 一般好久发病", False),
    ("先问下 女儿学校好几个娃儿又吐又拉 是不是诺如病毒 在家咋个弄", False),
    ("娃儿得了手足口 现在一直吐 手脚发抖 老是想睡", True),
    ("娃娃得了手足口 喊不醒了", True),
    # a cold is what carbon monoxide is taken for: never an illness named
    ("屋头烧了一盆炭烤火 门窗都关起的 全家人都脑壳痛想吐 是不是一起感冒了", True),
])
def test_an_illness_named_is_an_emergency_only_with_its_danger_signs(text: str,
                                                                     urgent: bool) -> None:
    assert (assess(text).kind == "emergency") is urgent
