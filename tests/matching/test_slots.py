"""Slot parsers: budgets in Chinese numerals, urgency, kind, consent, contact details."""

from __future__ import annotations

import pytest

from matching import slots


@pytest.mark.parametrize("text,amount", [
    ("预算五万左右", 50_000), ("两三千块", 2_500), ("预算一万五", 15_000),
    ("预算3-5万", 40_000), ("10万以内", 100_000), ("1.5万元", 15_000),
    ("一万五千元", 15_000), ("给个一两万", 15_000), ("预算五到八万", 65_000),
    ("能出个八千块钱", 8_000), ("预算20万-30万", 250_000), ("月薪六千", 6_000),
    ("预算10w", 100_000), ("报酬 3000 元", 3_000),
])
def test_budget_amounts(text: str, amount: float) -> None:
    budget = slots.parse_budget(text)
    assert budget is not None and budget.amount == pytest.approx(amount)


def test_a_range_from_zero_ends() -> None:
    """"0到5万" once looped for ever scaling 0 up to the second number's unit (CI's fuzzing
    found it); a range from nothing is read as its midpoint."""
    budget = slots.parse_budget("预算0到5万")
    assert budget is not None and budget.amount == pytest.approx(25_000)


@pytest.mark.parametrize("text", ["费用面议", "价格好商量", "预算待定"])
def test_negotiable_budget_is_an_answer_without_a_number(text: str) -> None:
    budget = slots.parse_budget(text)
    assert budget is not None and budget.amount is None and budget.text


@pytest.mark.parametrize("text", ["种了50亩李子", "养了200头猪", "2022年开始种", "一共500株",
                                  "三万只鸡", "叶子黄了"])
def test_counts_and_years_are_not_money(text: str) -> None:
    assert slots.parse_budget(text) is None


@pytest.mark.parametrize("text,urgency", [
    ("急！鱼死了好多", "urgent"), ("这周内要来人", "urgent"), ("马上要采收了", "urgent"),
    ("尽快安排", "soon"), ("这个月之内", "soon"), ("不急，慢慢来", "normal"),
    ("李子树叶子发黄", None),
])
def test_urgency(text: str, urgency: str | None) -> None:
    assert slots.parse_urgency(text) == urgency


@pytest.mark.parametrize("text,kind", [
    ("李子树叶子发黄咋个办？", "question"),
    ("想请专家来现场看看李子园", "service"),
    ("我司寻求高校联合攻关，解决磷酸铁锂压实密度偏低的问题", "rd_challenge"),
    ("想引进一项无卤阻燃电缆料的专利技术", "achievement_transfer"),
    ("酒厂想长期聘请一位勾调师", "talent"),
])
def test_kind(text: str, kind: str) -> None:
    assert slots.parse_kind(text) == kind


def test_consent_and_contacts() -> None:
    assert slots.parse_contact_consent("可以留电话") is True
    assert slots.parse_contact_consent("不方便留电话，平台上联系") is False
    assert slots.parse_contact_consent("李子树黄叶") is None
    assert slots.parse_contact_consent("电话13812345678") is True
    text, found = slots.extract_contacts("电话13812345678，微信号 lizi_2024，邮箱 a@b.cn")
    assert "13812345678" not in text and "lizi_2024" not in text and "a@b.cn" not in text
    assert found == {"phone": "13812345678", "wechat": "lizi_2024", "email": "a@b.cn"}
    text, found = slots.extract_contacts("电话 +86 139 0000 1111 或 028-8888 6666，QQ：24681357")
    assert found == {"phone": "13900001111、028-88886666", "qq": "24681357"}
    assert not any(ch.isdigit() for ch in text), text


def test_confidentiality_and_remote() -> None:
    assert slots.parse_confidentiality("配方保密，仅专家可见") == "experts_only"
    assert slots.parse_confidentiality("猪不长肉") == "public"
    assert slots.parse_remote("先视频看一下也行")
    assert not slots.parse_remote("请专家来现场")


@pytest.mark.parametrize(("said", "amount"), [
    ("尽快嘛 预算3000", 3000), ("不急 三千左右", 3000), ("能出 800", 800),
    ("叶子黄一块绿一块的", None), ("种了三千多棵", None), ("养了三千左右只鸡", None),
    ("三块地", None), ("500块", 500),
])
def test_budgets_said_in_passing(said: str, amount: float | None) -> None:
    budget = slots.parse_budget(said)
    assert (budget.amount if budget else None) == amount


@pytest.mark.parametrize(("said", "amount"), [
    ("急得很 钱的话三千", 3000), ("钱嘛两千左右", 2000), ("预算十来万吧 看效果", 100000),
    ("花了好多钱 种了三千棵", None), ("十来个人", None),
])
def test_money_named_by_the_word_money_and_about_ten(said: str, amount: float | None) -> None:
    budget = slots.parse_budget(said)
    assert (budget.amount if budget else None) == amount


def test_no_money_however_said_and_the_phone_yes_or_no_in_few_words() -> None:
    for said in ("我莫得钱哦", "不出钱 没得钱", "没钱"):
        assert slots.NO_MONEY.search(said), said
    assert not slots.NO_MONEY.search("看着给")
    for said in ("电话要得", "面议 电话莫得问题", "不太急 1000块 电话要得"):
        assert slots.parse_contact_consent(said) is True, said
    for said in ("莫给电话 我怕骚扰", "电话不得行", "电话算了"):
        assert slots.parse_contact_consent(said) is False, said
    # 长期 of what is wanted is no urgency: the 很急 said after it is
    assert slots.parse_urgency("请专家评估一下边坡的长期稳定性，做个监测方案，很急") == "urgent"
    assert slots.parse_urgency("长期都可以") == "normal"
    # advice asked in so many words is a consultation, a firm's too; work to do is a service
    assert slots.advice_only("峨眉的茶企 想请教一哈专家绿茶揉捻的问题")
    assert slots.advice_only("想找专家咨询一下原因，不需要来现场，就是请教一下")
    assert slots.advice_only("那帮我找个专家请教一下嘛，我们在中江，不急")
    assert not slots.advice_only("想找专家做酿酒高粱品种筛选方面的技术咨询")
    assert slots.parse_kind("我们蒲江的猕猴桃合作社 溃疡病又冒出来了 先说下咋个防嘛") != "service"


@pytest.mark.parametrize(("said", "amount"), [
    ("预算是二十万 不是两万", 200000), ("不对 预算再加两千 五千嘛", 5000), ("预算至少五千", 5000),
    ("预算再加两千", 2000)])  # (an amount added on, said alone, is all there is)
def test_an_amount_ruled_out_or_added_on_is_not_the_budget(said: str, amount: float) -> None:
    budget = slots.parse_budget(said)
    assert budget is not None and budget.amount == amount


@pytest.mark.parametrize(("said", "amount", "written"), [
    ("3,000元", 3000, "3,000元"), ("0,001元", 1, "0,001元"), ("0.001元", None, None),
    ("个把万嘛", 10000, "个把万"),
])
def test_the_budget_text_is_as_written_and_never_zero(said: str, amount: float | None,
                                                       written: str | None) -> None:
    # (the fuzz found "0.001元" read as 0 yuan and "0,001元" cut as "0001元")
    budget = slots.parse_budget(said)
    assert (budget.amount if budget else None) == amount
    assert (budget.text if budget else None) == written
