"""Need intake in people's words (the dialogs issue, first part): leaving a form with 算了 from
any step, nothing published after it, Sichuanese agreement and refusal at the card, negated
urgency, bare numbers and "没得钱" at the budget prompt, "我在名山" as a place, and a welcome
event that drops a half-filled form. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from delivery.messages import Inbound
from store.models import Conversation, Need, Offer

from ..support import Harness, text

# no place, urgency or budget named: the form asks for each
BARE = "李子园土壤酸化板结，想请专家来现场指导改良"
# everything given at once: the card comes straight away
CARD_READY = "宜宾翠屏区" + BARE + "，很急，预算五千，同意留电话"


def needs(bot: Harness) -> int:
    with Session(bot.engine) as s:
        return s.execute(select(func.count()).select_from(Need)).scalar_one()


@pytest.mark.parametrize("leave", ["算了，不要了", "不搞了", "重新来", "取消吧", "我要取消",
                                   "不找了", "算了算了"])
def test_leaving_the_form_in_peoples_words(bot: Harness, leave: str) -> None:
    assert "哪个市" in text(bot.chat("boss", BARE))  # the region prompt
    assert "已取消" in text(bot.chat("boss", leave))
    bot.chat("boss", "好嘛")  # agreement after leaving publishes nothing
    assert needs(bot) == 0


def test_leaving_at_the_card_keeps_the_description_clean(bot: Harness) -> None:
    card = text(bot.chat("boss", CARD_READY))
    assert "请确认需求信息" in card
    assert "已取消" in text(bot.chat("boss", "算了，不要了"))
    bot.chat("boss", "好嘛")
    assert needs(bot) == 0


def test_refusal_at_the_card_publishes_nothing_and_changes_nothing(bot: Harness) -> None:
    bot.chat("boss", CARD_READY)
    said = text(bot.chat("boss", "不得行"))
    assert "还没有发布" in said and needs(bot) == 0
    assert "莫得问题" not in said
    said = text(bot.chat("boss", "莫得问题"))
    assert "需求已发布" in said and needs(bot) == 1
    with Session(bot.engine) as s:
        assert "不得行" not in s.execute(select(Need.description)).scalar_one()


@pytest.mark.parametrize("urgency, shown, budget, amount", [
    ("不是很急", "不急", "500", "约 500 元"),
    ("不太急", "不急", "没得钱", "没得钱"),
    ("急得很", "紧急", "两三千", "约 2500 元"),
])
def test_colloquial_slot_answers(bot: Harness, urgency: str, shown: str, budget: str,
                                 amount: str) -> None:
    bot.chat("boss", BARE)
    assert "急不急" in text(bot.chat("boss", "我在名山"))
    assert "费用" in text(bot.chat("boss", urgency))
    assert "联系方式" in text(bot.chat("boss", budget))
    card = text(bot.chat("boss", "同意"))
    assert "雅安市名山区" in card and f"紧急程度：{shown}" in card and amount in card


def test_a_welcome_event_drops_the_half_filled_form(bot: Harness) -> None:
    bot.chat("boss", BARE)
    with Session(bot.engine) as s:
        assert s.execute(select(Conversation.state)).scalar_one() == "need:slot:region"
    bot.dialog.handle(Inbound("telegram", "boss", kind="event", text="subscribe"))
    with Session(bot.engine) as s:
        conv = s.execute(select(Conversation)).scalar_one()
        assert conv.state == "start" and "draft" not in conv.data
    assert "哪个市" not in text(bot.chat("boss", "好"))


def test_intake_remembers_what_was_said_just_before(bot: Harness) -> None:
    bot.chat("boss", "我们是绵阳游仙区做泡菜的小厂")
    bot.chat("boss", "袋装泡菜发酵老是胀袋")
    said = text(bot.chat("boss", "想找个专家帮忙解决，预算两万左右"))
    assert "哪个市" not in said and "费用" not in said  # place and budget were given
    assert "急不急" in said
    bot.chat("boss", "不急")
    card = text(bot.chat("boss", "同意"))
    assert "绵阳市游仙区" in card and "约 2 万元" in card and "胀袋" in card


def test_a_request_with_no_problem_asks_what_the_problem_is(bot: Harness) -> None:
    said = text(bot.chat("boss", "想找个专家帮忙，预算两万左右"))
    assert "遇到了什么问题" in said


def test_card_edits_change_fields_not_the_text_experts_read(bot: Harness) -> None:
    bot.chat("boss", CARD_READY)
    assert "约 3 万元" in text(bot.chat("boss", "预算改成三万"))
    assert "仅匹配的专家可见" in text(bot.chat("boss", "这个不要公开哈"))
    bot.chat("boss", "确认")
    with Session(bot.engine) as s:
        need = s.execute(select(Need)).scalar_one()
    assert "三万" not in need.description and "公开" not in need.description
    assert need.budget == 30000 and need.confidentiality == "experts_only"


NEED_CARD = ("宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导改良，很急，预算五千，同意，"
             "电话13800001111")


def _publish(bot: Harness) -> None:
    bot.reachable()
    bot.chat("boss", NEED_CARD)
    assert "已推送给" in text(bot.chat("boss", "确认"))


@pytest.mark.parametrize("say", ["1", "接单", "接单 1", "我接"])
def test_an_offer_is_accepted_by_words_on_wechat(bot: Harness, say: str) -> None:
    bot.bind("sci-w", "s-soil-cp", channel="wechat")
    _publish(bot)
    pushed = text(bot.notes("sci-w", "wechat"))
    assert "13800001111" not in pushed
    said = text(bot.chat("sci-w", say, channel="wechat"))
    assert "接单成功" in said, said
    intro = text(bot.notes("sci-w", "wechat"))  # both introduced; the requester's number
    assert "您已成功接单" in intro and "13800001111" not in intro  # after they agree again
    with Session(bot.engine) as s:
        assert s.execute(select(Need.status)).scalar_one() == "matched"


def test_offers_by_number_after_my_offers_and_decline_by_words(bot: Harness) -> None:
    bot.bind("sci-w", "s-soil-cp", channel="wechat")
    _publish(bot)
    listed = text(bot.chat("sci-w", "我的接单", channel="wechat"))
    assert "【1】" in listed and "接单 1" in listed
    # asked in other words, the same list (not "这个我帮不上忙")
    assert text(bot.chat("sci-w", "查看派单", channel="wechat")) == listed
    assert "【1】" in text(bot.chat("sci-w", "有没有新单子", channel="wechat"))
    assert "需求描述" in text(bot.chat("sci-w", "1", channel="wechat"))  # details first
    assert "婉拒" in text(bot.chat("sci-w", "婉拒 1", channel="wechat"))
    with Session(bot.engine) as s:
        assert "declined" in s.execute(select(Offer.status)).scalars().all()


def test_offer_words_from_someone_who_is_no_scientist_change_nothing(bot: Harness) -> None:
    _publish(bot)
    said = text(bot.chat("stranger", "接单 1", channel="wechat"))
    assert "接单成功" not in said
    with Session(bot.engine) as s:
        assert "accepted" not in s.execute(select(Offer.status)).scalars().all()


@pytest.mark.parametrize("agree", ["就这样发嘛", "发", "OK", "好 发吧", "对头", "要得要得"])
def test_agreement_at_the_card_in_many_words(bot: Harness, agree: str) -> None:
    assert "请确认需求信息" in text(bot.chat("boss", NEED_CARD))
    assert "需求已发布" in text(bot.chat("boss", agree)) and needs(bot) == 1


def test_a_question_at_the_card_is_answered_and_publishes_nothing(bot: Harness) -> None:
    bot.chat("boss", NEED_CARD)
    said = text(bot.chat("boss", "对了，石灰撒多少？"))
    assert "出处" in said and "请确认需求信息" in said  # the answer, then the card again
    assert needs(bot) == 0
    with Session(bot.engine) as s:
        draft = s.execute(select(Conversation.data)).scalar_one()["draft"]
    assert "石灰撒多少" not in draft["description"]
    assert "还没有发布" in text(bot.chat("boss", "等一下 我再想想")) and needs(bot) == 0


def test_asking_to_post_a_need_asks_for_the_problem(bot: Harness) -> None:
    assert "遇到了什么问题" in text(bot.chat("boss", "我想发个需求"))
    assert "哪个市" in text(bot.chat("boss", "李子园土壤酸化板结"))
    bot.chat("boss", "我在名山")
    said = text(bot.chat("boss", "两个月内"))  # months: not urgent, no retry
    assert "急不急" not in said and "请回复" not in said


@pytest.mark.parametrize("typed, shown", [("我是科技工作者", "绑定"), ("发布技术需求", "技术需求"),
                                          ("我要提问", "问题")])
def test_a_menu_label_typed_works_like_the_button(bot: Harness, typed: str, shown: str) -> None:
    said = text(bot.chat("someone", typed))
    assert shown in said and "出处" not in said


def test_offer_words_from_a_non_scientist_say_how_to_become_one(bot: Harness) -> None:
    assert "绑定" in text(bot.chat("someone", "接单"))


def test_a_question_about_a_symptom_is_answered_not_made_a_need(bot: Harness) -> None:
    said = text(bot.chat("farmer", "我家李子园土壤酸化板结 是不是要撒石灰"))
    assert "哪个市" not in said and needs(bot) == 0


def test_an_enterprise_is_asked_on_the_card_whether_the_need_may_be_public(bot: Harness
                                                                            ) -> None:
    """A firm's problem may be a commercial secret: the card asks, "不公开" (typed or the
    button) keeps it to the matched experts; a farmer's card does not ask."""
    card = bot.chat("firm", "我们公司在宜宾翠屏区，" + BARE + "，很急，预算五千，同意留电话")
    assert "不想公开" in text(card) and "need:private" in [b.action for b in card[-1].buttons]
    assert "仅匹配的专家可见" in text(bot.press("firm", "need:private"))
    assert "需求已发布" in text(bot.chat("firm", "确认"))
    with Session(bot.engine) as s:
        assert s.execute(select(Need.confidentiality)).scalar_one() == "experts_only"
    farmer = text(bot.chat("boss", CARD_READY))
    assert "请确认需求信息" in farmer and "不想公开" not in farmer


def test_an_enterprise_that_already_said_public_or_not_is_not_asked_again(bot: Harness
                                                                          ) -> None:
    said = text(bot.chat("firm", "我们公司在宜宾翠屏区，" + BARE + "，很急，预算五千，"
                                 "同意留电话，这个不要公开"))
    assert "仅匹配的专家可见" in said and "不想公开" not in said


def test_leaving_with_a_subject_and_a_reason_at_the_card(bot: Harness) -> None:
    bot.chat("boss", CARD_READY)
    assert "已取消" in text(bot.chat("boss", "我不找了 社长说先打一遍药再看"))
    bot.chat("boss", "好嘛")
    assert needs(bot) == 0


def test_an_aside_at_a_prompt_never_fills_it(bot: Harness) -> None:
    """"明天成都下不下雨哦" at the urgency prompt is declined, not read as 明天 = urgent."""
    bot.chat("boss", "宜宾翠屏区" + BARE)
    said = text(bot.chat("boss", "明天成都下不下雨哦"))
    assert "帮不上忙" in said and "急不急" in said
    said = text(bot.chat("boss", "不急，预算五千"))  # the budget said too: not asked again
    assert "联系方式告诉" in said and "费用" not in said


def test_an_answer_to_another_open_question_is_taken_not_looped(bot: Harness) -> None:
    assert "哪个市" in text(bot.chat("boss", BARE))
    said = text(bot.chat("boss", "很急"))  # the urgency, said at the region prompt
    assert "哪个市" in said and "没有识别出地区" not in said
    said = text(bot.chat("boss", "我在三台"))
    assert "急不急" not in said and "费用" in said


def test_sichuanese_consent_and_a_spaced_correction_at_the_card(bot: Harness) -> None:
    bot.chat("boss", "宜宾翠屏区" + BARE + "，不急，预算两千")
    assert "请确认需求信息" in text(bot.chat("boss", "莫得问题"))  # consent given
    assert "约 4000 元" in text(bot.chat("boss", "不得行 钱写少了 改成四千"))
    assert needs(bot) == 0


def test_the_expert_marks_the_service_done_and_the_requester_rates_it(bot: Harness) -> None:
    """Rating comes when a side says the service is done, never right after matching; the
    expert's word asks the requester, only the requester's stars close the need."""
    bot.bind("sci-w", "s-soil-cp", channel="wechat")
    _publish(bot)
    bot.notes("sci-w", "wechat")
    assert "接单成功" in text(bot.chat("sci-w", "接单", channel="wechat"))
    intro = bot.notes("boss")
    assert not any(b.action.startswith("rate:") for o in intro for b in o.buttons)
    listed = bot.chat("sci-w", "我的接单", channel="wechat")
    assert "服务中" in text(listed)
    assert any(b.action.startswith("served:") for o in listed for b in o.buttons)
    assert "已请需求方" in text(bot.chat("sci-w", "服务完成了", channel="wechat"))
    asked = bot.notes("boss")
    stars = [b.action for o in asked for b in o.buttons if b.action.startswith("rate:")]
    assert "打个分" in text(asked) and len(stars) == 5
    with Session(bot.engine) as s:
        assert s.execute(select(Need.status)).scalar_one() == "matched"  # not closed yet
    assert "等对方打分" in text(bot.chat("sci-w", "搞定了", channel="wechat"))  # asked once
    assert "感谢" in text(bot.press("boss", stars[1]))  # 4 stars
    with Session(bot.engine) as s:
        assert s.execute(select(Need.status)).scalar_one() == "closed"
    # a stranger's "服务完成了" asks nobody
    assert "已请需求方" not in text(bot.chat("stranger", "服务完成了"))


@pytest.mark.parametrize("leave", ["抱歉，公司决定暂不处理，取消吧。",
                                   "那就算了嘛，我先去问下农技站", "算球了，不搞了"])
def test_leaving_with_the_reason_first_or_after_a_particle(bot: Harness, leave: str) -> None:
    bot.chat("boss", CARD_READY)
    assert "已取消" in text(bot.chat("boss", leave))
    bot.chat("boss", "好的。")
    assert needs(bot) == 0


def test_a_knowing_hand_is_asked_for_like_an_expert(bot: Harness) -> None:
    said = text(bot.chat("boss", "玉米地头遭草地贪夜蛾了，心叶都咬烂了，想找个懂行的来地头看一哈"))
    assert "哪个市" in said


def test_a_change_of_mind_at_another_prompt_is_taken(bot: Harness) -> None:
    bot.chat("boss", "宜宾翠屏区" + BARE + "，很急")
    assert "费用" in text(bot.chat("boss", "其实不急"))  # urgency changed, budget asked again
    bot.chat("boss", "五千")
    assert "紧急程度：不急" in text(bot.chat("boss", "同意"))


def test_a_request_naming_only_a_place_on_the_farm_asks_what_the_problem_is(bot: Harness
                                                                             ) -> None:
    """"想请个专家来园子头看一哈" after an aside says where, not what: the card never goes
    out with no problem on it."""
    bot.chat("boss", "明天苍溪落不落雨哦")
    assert "遇到了什么问题" in text(bot.chat("boss", "想请个专家来园子头看一哈"))


def test_an_answer_to_two_prompts_in_one_message(bot: Harness) -> None:
    # "尽快嘛 预算3000" at the urgency prompt: the budget is not asked again
    bot.chat("f5", "李子园土壤酸化板结，想请专家来现场指导改良，宜宾翠屏区")
    said = text(bot.chat("f5", "尽快嘛 预算3000"))
    assert "费用" not in said and "联系方式告诉" in said
    card = text(bot.chat("f5", "可以"))
    assert "约 3000 元" in card and "尽快" in card


@pytest.mark.parametrize("refusal", ["先不告诉 等专家接了再说", "不告诉", "暂时不给"])
def test_consent_refused_in_peoples_words(bot: Harness, refusal: str) -> None:
    bot.chat("f6", BARE + "，宜宾翠屏区，不急，预算五千")
    card = text(bot.chat("f6", refusal))
    assert "请确认需求信息" in card and "联系方式：不直接提供" in card


def test_asking_for_an_expert_again_at_a_prompt_gets_the_question(bot: Harness) -> None:
    bot.chat("f7", "有没得专家会弄李子园土壤酸化 板结得凶")
    said = text(bot.chat("f7", "宜宾翠屏区"))
    assert "急不急" in said
    assert "急不急" in text(bot.chat("f7", "帮我们找个专家嘛"))
    assert needs(bot) == 0


def test_a_request_with_a_greeting_asks_the_problem(bot: Harness) -> None:
    assert "遇到了什么问题" in text(bot.chat("e7", "你好，我们公司想发布一个技术需求"))


def test_the_requester_is_asked_to_rate_once_some_days_after_the_accept(bot: Harness) -> None:
    """With the expert silent, RATE_AFTER_DAYS (14) after the accept the requester is asked
    once; nothing is asked before then, and the stars still close the need."""
    bot.bind("sci-r", "s-soil-cp", channel="wechat")
    _publish(bot)
    bot.notes("sci-r", "wechat")
    assert "接单成功" in text(bot.chat("sci-r", "接单", channel="wechat"))
    bot.notes("boss")
    offers = bot.dialog.offers
    bot.clock.advance(timedelta(days=13))
    assert offers.ask_ratings_due() == 0
    bot.clock.advance(timedelta(days=2))
    assert offers.ask_ratings_due() == 1
    assert offers.ask_ratings_due() == 0  # asked once
    asked = bot.notes("boss")
    stars = [b.action for o in asked for b in o.buttons if b.action.startswith("rate:")]
    assert "接单已经 14 天" in text(asked) and len(stars) == 5
    # the expert saying it is done afterwards is news: the requester hears it
    assert "已请需求方" in text(bot.chat("sci-r", "服务完成了", channel="wechat"))
    assert "服务已经完成" in text(bot.notes("boss"))
    assert "感谢" in text(bot.press("boss", stars[4]))
    with Session(bot.engine) as s:
        assert s.execute(select(Need.status)).scalar_one() == "closed"


def test_fresh_phrasings_from_a_sixth_set(bot: Harness) -> None:
    # "我再名山" (再 for 在) is a place; "看着给" a budget; "先不要把我电话给专家" a refusal
    assert "遇到了什么问题" in text(bot.chat("f8", "想找专家"))
    # "打了除草剂也没得用" is about the weedkiller, not a complaint about the assistant
    said = text(bot.chat("f8", "稻田里头草多得很，打了除草剂也没得用，想请专家现场指导下"))
    assert "哪个市" in said and "不断学习" not in said
    assert "急不急" in text(bot.chat("f8", "我再名山"))
    assert "费用" in text(bot.chat("f8", "不急"))
    assert "联系方式告诉" in text(bot.chat("f8", "看着给"))
    card = text(bot.chat("f8", "先不要把我电话给专家"))
    assert "雅安市名山区" in card and "联系方式：不直接提供" in card and "看着给" in card
    assert needs(bot) == 0


def test_forward_said_in_words_after_an_unanswered_question(bot: Harness) -> None:
    assert "没有经过专家审核" in text(bot.chat("f9", "草莓白粉病咋个防哦 大棚里头白了一片"))
    said = text(bot.chat("f9", "那帮我转给专家嘛"))
    assert "哪个市" in said and "遇到了什么问题" not in said
    bot.chat("f9", "成都双流")
    assert "联系方式告诉" in text(bot.chat("f9", "有点急"))  # a consultation: no budget


def test_fresh_phrasings_from_a_seventh_set(bot: Harness) -> None:
    # a county opening the message ("资中种血橙的") is the place; 得行 agrees to share
    said = text(bot.chat("f10", "资中种血橙的，树叶子发黄，叶脉还是绿的，想请专家来确诊"))
    assert "急不急" in said and "哪个市" not in said
    bot.chat("f10", "不是不急哈，急得很")  # a double negation is urgent
    bot.chat("f10", "看着给嘛")
    card = text(bot.chat("f10", "得行"))
    assert "内江市资中县" in card and "紧急程度：紧急" in card and "面议（看着给）" in card
    # a hold word before a change is the change, not a refusal
    card = text(bot.chat("f10", "莫忙，钱改成八百"))
    assert "约 800 元" in card and needs(bot) == 0
    card = text(bot.chat("f10", "等哈，地区改成乐山市中区，园子在我老丈人那边"))
    assert "乐山市市中区" in card and "约 800 元" in card and needs(bot) == 0
    assert "需求已发布" in text(bot.chat("f10", "好了 发布出去"))


def test_a_corrected_place_and_visibility_said_with_consent(bot: Harness) -> None:
    bot.chat("e7", "我们是做腊肉香肠的小厂，烟熏出来的产品亚硝酸盐检测老是超标，想找食品专家指导",
             )
    assert "急不急" in text(bot.chat("e7", "宣汉的，不对不对，厂子在开江，不是宣汉"))
    bot.chat("e7", "尽快")
    bot.chat("e7", "两万")
    card = text(bot.chat("e7", "可以给他电话，但是需求不要公开"))
    assert "达州市开江县" in card and "仅匹配的专家可见" in card
    card = text(bot.chat("e7", "预算不是两万，是三万"))  # visibility stays as said
    assert "约 3 万元" in card and "仅匹配的专家可见" in card
    assert "需求已发布" in text(bot.chat("e7", "不存在，发嘛"))


def test_a_number_means_the_offer_in_the_list_the_expert_was_shown(bot: Harness) -> None:
    """"接单 1" after "我的接单" takes the first offer listed, even when a newer one has
    arrived since and would now be listed first."""
    bot.bind("sci-w", "s-soil-cp", channel="wechat")
    _publish(bot)
    listed = text(bot.chat("sci-w", "我的接单", channel="wechat"))
    assert "【1】" in listed and "【2】" not in listed
    bot.chat("boss2", NEED_CARD.replace("李子园", "柑橘园"))
    assert "已推送给" in text(bot.chat("boss2", "确认"))
    assert "接单成功" in text(bot.chat("sci-w", "接单 1", channel="wechat"))
    with Session(bot.engine) as s:
        accepted = s.execute(select(Need.description).join(Offer, Offer.need_id == Need.id)
                             .where(Offer.status == "accepted")).scalars().all()
    assert len(accepted) == 1 and "李子园" in accepted[0]


def test_never_mind_before_a_change_is_the_change_and_consent_said_later_in_a_message(
        bot: Harness) -> None:
    bot.chat("e8", "我们厂在德阳旌阳区做塑料管材的，最近挤出来的管子表面老是有气泡，想找个专家")
    bot.chat("e8", "尽快")
    bot.chat("e8", "预算三到五万")
    card = text(bot.chat("e8", "不公开，电话先不给"))  # both said, the refusal not first
    assert "仅匹配的专家可见" in card and "联系方式：不直接提供" in card
    card = text(bot.chat("e8", "算了，预算还是写五万"))  # 算了 = never mind: not leaving
    assert "已取消" not in card and "约 5 万元" in card
    assert "已取消" in text(bot.chat("e8", "算了，不要了"))
    assert needs(bot) == 0


def test_where_were_we_after_an_emergency_asks_the_open_question_again(bot: Harness) -> None:
    assert "哪个市" in text(bot.chat("boss", BARE))
    urgent = text(bot.chat("boss", "等哈 我老汉儿在田坎上一下子栽倒了 脸青乌紫 喊不答应"))
    assert "120" in urgent
    again = text(bot.chat("boss", "好了 医生来了 刚才说到哪了"))
    assert "哪个市" in again  # the open question, and the words are not a description
    draft = text(bot.chat("boss", "宜宾翠屏区"))
    assert "急不急" in draft
    assert "医生来了" not in text(bot.chat("boss", "刚才说到哪里了")) + draft


def test_a_product_alone_is_asked_what_the_problem_is(bot: Harness) -> None:
    # "种了二十亩猕猴桃" says what is grown, not what is wrong: the problem is asked first,
    # and the title experts read is the problem, not the acreage
    said = text(bot.chat("grower", "我是崇州的 种了二十亩猕猴桃 想找个专家"))
    assert "遇到了什么问题" in said
    bot.chat("grower", "叶子黄了 果子也掉得凶")
    bot.chat("grower", "不急")
    bot.chat("grower", "面议")
    card = text(bot.chat("grower", "同意"))
    assert "请确认需求信息" in card and "崇州市" in card
    title = next(line for line in card.splitlines() if line.startswith("【"))
    assert "二十亩" not in title


def test_a_problem_or_a_goal_is_not_asked_again() -> None:
    from matching.extract import extract_need

    for said in ("茶园叶子边边发红焦了", "我们泡菜厂想做低盐泡菜", "养了五百只鸡，最近老是死",
                 "竹荪烘干老是不均匀", "茶叶加工的时候香气不够"):
        assert "description" not in extract_need(said).missing, said
    for said in ("我们是做竹荪的 想找个专家", "养了五百只鸡 想请个兽医",
                 "我们是做竹荪烘干的 想找个专家", "我们是做茶叶加工的"):
        assert extract_need(said).missing[:1] == ["description"], said


@pytest.mark.parametrize(("said", "urgency"), [
    ("猪这几天不吃食 想请个兽医", None),  # when it began, not a deadline: asked
    ("这两天鸡死了好几只 想请专家", None),
    ("这几天要请专家来看看 叶子黄了", "urgent"),
    ("最好这两天能来", "urgent"),
    ("两三天内来看看", "urgent"),
])
def test_these_days_is_a_deadline_only_before_a_request(said: str, urgency: str | None) -> None:
    from matching.extract import extract_need

    assert extract_need(said).urgency == urgency


def test_several_answers_in_one_message_are_all_taken(bot: Harness) -> None:
    # "尽快，两千" at the urgency prompt: the amount is the budget, never asked again;
    # "电话嘛可以给他" is consent
    bot.chat("boss", BARE)
    bot.chat("boss", "我在名山")
    said = text(bot.chat("boss", "尽快，两千"))
    assert "费用" not in said and "联系方式" in said
    card = text(bot.chat("boss", "电话嘛可以给他"))
    assert "紧急程度：尽快" in card and "约 2000 元" in card and "专家接单后告知" in card


@pytest.mark.parametrize(("budget", "amount"), [
    ("三千，不对不对，两千就够了", "约 2000 元"),  # the correction counts
    ("120打了，在往医院走。钱就一千嘛", "约 1000 元"),  # an emergency number is no amount
    ("万把块", "约 1 万元"),
])
def test_the_budget_said_in_peoples_words(bot: Harness, budget: str, amount: str) -> None:
    bot.chat("boss", "宜宾翠屏区" + BARE + "，尽快")
    assert "联系方式" in text(bot.chat("boss", budget))
    assert amount in text(bot.chat("boss", "同意"))


def test_leaving_words_mid_message_and_after_a_pause(bot: Harness) -> None:
    bot.chat("boss", "宜宾翠屏区" + BARE + "，尽快")
    assert "已取消" in text(bot.chat("boss", "钱哦。。唉 算了算了 不要了 我自己撒点石灰"))
    bot.chat("boss", CARD_READY)
    assert "已取消" in text(bot.chat("boss", "等哈，不找了，镇上兽医站的人说下午就过来"))
    bot.chat("boss", "确认")
    assert needs(bot) == 0


def test_two_changes_at_the_card_in_one_message(bot: Harness) -> None:
    bot.chat("boss", "宜宾翠屏区" + BARE + "，尽快，预算五千，同意留电话")
    card = text(bot.chat("boss", "预算改成面议，紧急程度改成紧急"))
    assert "预算：面议" in card and "紧急程度：紧急" in card and needs(bot) == 0
    assert "需求已发布" in text(bot.chat("boss", "可以了，发"))
    with Session(bot.engine) as s:
        assert "改成" not in s.execute(select(Need.description)).scalar_one()


def test_a_trade_and_a_field_is_a_service_that_asks_the_problem_and_the_budget() -> None:
    from matching.extract import extract_need

    draft = extract_need("我们是做农机维修的小作坊 在犍为 想找个专家", role="enterprise")
    assert draft.missing[:1] == ["description"]
    draft = extract_need("眉山东坡区做泡菜的厂 坛子头起白花花 想找食品方面的专家",
                         role="enterprise")
    assert draft.kind == "service" and "budget" in draft.missing


@pytest.mark.parametrize("agree", ["确认无误，请发布", "就按这个来", "嗯嗯，你帮我发出去嘛",
                                   "不用改，就按这个发布", "经核对无误，请予发布。", "整挺好 发"])
def test_agreement_in_any_words_publishes(bot: Harness, agree: str) -> None:
    bot.chat("boss", CARD_READY)
    assert "需求已发布" in text(bot.chat("boss", agree)) and needs(bot) == 1


@pytest.mark.parametrize("said", ["先不发", "再改一下", "不对", "等哈"])
def test_hesitation_at_the_card_publishes_nothing(bot: Harness, said: str) -> None:
    bot.chat("boss", CARD_READY)
    bot.chat("boss", said)
    assert needs(bot) == 0


def test_first_message_slots_in_peoples_words() -> None:
    from matching.extract import extract_need
    from matching.slots import parse_budget, parse_urgency

    draft = extract_need("我在荣县 种的二十亩辣椒 根根那儿黑起烂了 想喊个专家来看 尽快 一千五")
    assert draft.budget == 1500 and draft.urgency == "soon"  # 二十亩 is no budget
    assert parse_budget("预算人民币陆仟元整。").amount == 6000
    assert parse_urgency("鱼浮头咋个急救") is None  # 急救 is first aid, not a deadline
    assert parse_urgency("莫慌 等得起") == "normal"


def test_not_very_urgent_but_soon_is_soon_and_the_price_asked_back_is_explained(
        bot: Harness) -> None:
    from matching.slots import parse_urgency

    assert parse_urgency("不算特别急 但也不能拖 尽快嘛") == "soon"
    assert parse_urgency("不是很急") == "normal"
    bot.chat("boss", "宜宾翠屏区" + BARE + "，尽快")
    said = text(bot.chat("boss", "专家一般要好多钱嘛"))
    assert "商量" in said and "帮不上忙" not in said and "面议" in said
    assert "联系方式" in text(bot.chat("boss", "三万以内"))


def test_fresh_phrasings_from_a_twelfth_set(bot: Harness) -> None:
    # who answers is not the answer; an amount beats 钱不多; a formal cancel leaves
    said = text(bot.chat("e12", "我们是眉山东坡区做泡菜的小厂，坛子泡菜长白膜还有怪味道，"
                                "想请专家来指导"))
    assert "急不急" in said and "哪个市" not in said
    bot.chat("e12", "不急 下个月来都要得")
    assert "联系方式告诉" in text(bot.chat("e12", "钱不多 八百块"))
    # confidentiality said at the consent prompt is kept; the question comes again
    said = text(bot.chat("e12", "这个不要公开哈，我们的配方要保密"))
    assert "联系方式告诉" in said
    card = text(bot.chat("e12", "我们同意"))
    assert "眉山市东坡区" in card and "约 800 元" in card and "仅匹配的专家可见" in card
    assert "联系方式：专家接单后告知" in card
    # an aside at the card is declined and changes nothing (the city never coarsens the county)
    said = text(bot.chat("e12", "哦对了 明天眉山下不下雨"))
    assert "帮不上忙" in said and "眉山市东坡区" in said and needs(bot) == 0
    leave = "领导意见：暂不外请专家，由区农业农村局协助检测。本需求请取消。"
    assert "已取消" in text(bot.chat("e12", leave))
    bot.chat("e12", "以上信息准确，同意发布。")
    assert needs(bot) == 0


@pytest.mark.parametrize(("said", "consent"), [
    ("电话可以提供给专家", True), ("不消得留电话 有事在平台上说", False),
    ("没有不同意的 给嘛", True), ("联系人电话不对外，不同意提供", False)])
def test_consent_in_more_words(said: str, consent: bool) -> None:
    from matching.extract import extract_need, fill_slot

    draft = extract_need("宜宾翠屏区" + BARE + "，很急，预算五千")
    assert fill_slot(draft, "contact_consent", said) and draft.contact_consent is consent


def test_a_bare_ok_after_an_emergency_is_no_consent(bot: Harness) -> None:
    bot.chat("f12", "我家苞谷叶子上好多虫眼眼 芯芯头都是虫屎 想请个农技员来看哈")
    bot.chat("f12", "我在南部县")
    said = text(bot.chat("f12", "哎呀 我老汉在田头打药 突然倒起了 口吐白沫"))
    assert said.startswith("⚠️") and "农药" in said.splitlines()[1]
    bot.chat("f12", "好 120来了")
    bot.chat("f12", "这个月内嘛")
    assert "联系方式告诉" in text(bot.chat("f12", "面议"))  # asked, never assumed


def test_an_expert_offering_to_take_work_is_shown_how_to_join(bot: Harness) -> None:
    said = text(bot.chat("sci9", "我是川农大搞植保的老师 想在你们这接点活"))
    assert "绑定" in said and "注册" in said and "没有经过专家审核" not in said
    assert "哪个市" in text(bot.chat("f13", "我们需要专家提供技术服务，茶园小绿叶蝉多得很"))


def test_fresh_phrasings_from_a_fourteenth_set(bot: Harness) -> None:
    from store import accounts

    for firm in ("e14", "e15"):  # as `kejiyun chat --as enterprise` opens the account
        accounts.account(bot.engine, "telegram", firm, role="enterprise")
    # a firm stating its problem (no question) brings a need, with a budget asked
    said = text(bot.chat("e14", "我们是一家猕猴桃出口企业，基地在广元市青川县，近期果园溃疡病暴发，"
                                "情况十分紧急。"))
    assert "费用" in said and "出处" not in said
    # "where were we" with the answer in the same message: the answer is taken
    bot.chat("f14", "我在大英种了十亩桃子 叶子缩起发红 想请专家来看")
    assert "费用" in text(bot.chat("f14", "哦 晓得了 刚才说到哪了 尽快嘛"))
    # who decided comes first, then the leaving words
    assert "已取消" in text(bot.chat("f14", "爷爷又说算了嘛 莫请了 他自己去镇上问"))
    # a place corrected at the consent prompt; "可提供联系方式" in a first message is consent
    card = text(bot.chat("e15", "我们是资阳市安岳县的柠檬加工企业，合作基地柠檬树冠郁闭、果子偏小，"
                                "需要专家做修剪技术培训。不急，预算1.2万元，可提供联系方式。"))
    assert "请确认需求信息" in card and "专家接单后告知" in card
    assert "资阳市雁江区" in text(bot.chat("e15", "基地地址更正：不在安岳，在雁江区。"))
    assert "需求已发布" in text(bot.chat("e15", "信息没有问题，发布吧"))


def test_fresh_phrasings_from_a_fifteenth_set(bot: Harness) -> None:
    # an urgency changed at the card with 改一下 is an edit, not a question about pests
    bot.chat("f15", "我在大竹种的苎麻 叶子上好多虫子在啃 啃得网网眼眼的 想请专家 不急 一千五 "
                    "电话莫给")
    card = text(bot.chat("f15", "哪个说不急嘛 我刚去地头看了 虫又多了好多 急得很 改一下"))
    assert "紧急程度：紧急" in card and "出处" not in card
    # "算了" inside a change of mind about the phone is no leaving
    assert "专家接单后告知" in text(bot.chat("f15", "电话也给他算了 方便点"))
    assert "需求已发布" in text(bot.chat("f15", "要得 整起"))
    # a place corrected at the budget prompt; an amount one cannot even raise is 面议
    bot.chat("f16", "我在崇州 种了二十亩大棚草莓 今年好多果子上长灰毛 烂了不少 想请个专家")
    bot.chat("f16", "不是特别急 下个月嘛")
    bot.chat("f16", "哦 刚才说错了 大棚不在崇州 在大邑 预算一千八")
    assert "成都市大邑县" in text(bot.chat("f16", "可以"))
    bot.chat("f17", "我是布拖的 种了几亩苦荞 今年苗子长得黄 长不高 想请个专家来看看")
    bot.chat("f17", "你说急不急嘛 不急是假的")
    bot.chat("f17", "莫得钱哦 五百块钱都拿不出来")
    card = text(bot.chat("f17", "也不是说不可以给 给嘛"))
    assert "紧急程度：紧急" in card and "面议" in card and "专家接单后告知" in card
    # taking a yes back at the consent prompt is a no, not leaving the form
    bot.chat("f18", "我在峨眉山种的茶 叶子边边发红发焦 想约个专家")
    bot.chat("f18", "不急")
    bot.chat("f18", "一千二")
    card = text(bot.chat("f18", "可以嘛…… 算了算了 还是不给电话了 怕遭骚扰"))
    assert "联系方式：不直接提供" in card and "已取消" not in card
    # a question asked inside the form changes no field: 应急 is no urgency
    bot.chat("f19", "我在泸县养的加州鲈烂鳃 零星死鱼 想请专家 尽快")
    said = text(bot.chat("f19", "顺便问下，今天早上塘里鱼浮头很厉害，现在应该怎么应急处理？"))
    assert "费用" in said
    bot.chat("f19", "一万")
    assert "紧急程度：尽快" in text(bot.chat("f19", "同意"))


def test_a_growers_short_report_with_no_vetted_answer_starts_the_expert_form(bot: Harness) -> None:
    from store import accounts

    for user, role in (("g16", "farmer"), ("c16", "citizen")):
        accounts.account(bot.engine, "telegram", user, role=role)
    said = text(bot.chat("g16", "鸡死好多"))
    assert "没有经过专家审核" in said and "哪个市" in said  # the expert offered at once
    assert "急不急" in text(bot.chat("g16", "苍溪"))
    assert "已取消" in text(bot.chat("g16", "算了"))
    # a citizen's report, or anyone's question, keeps the offer behind the button
    assert "哪个市" not in text(bot.chat("c16", "鸡死好多"))
    assert "哪个市" not in text(bot.chat("g16", "鸡死好多是啥子原因"))


def test_fresh_phrasings_from_a_sixteenth_set(bot: Harness) -> None:
    from store import accounts

    accounts.account(bot.engine, "telegram", "e16", role="enterprise")
    card = text(bot.chat("e16", "Hi，我们factory收购的雷竹笋，供应基地最近大量出现笋体腐烂，"
                                "需要专家去基地诊断。基地在宜宾市珙县，ASAP，budget 8k，"
                                "phone可以share给expert。"))
    assert "宜宾市珙县" in card and "约 8000 元" in card and "专家接单后告知" in card
    assert "需求已发布" in text(bot.chat("e16", "OK confirmed，go ahead发布"))
    bot.chat("f20", "我在开江种的柑子 叶子黄了好多 想请专家来看")
    bot.chat("f20", "不是ASAP，not urgent，下一季开花前来就行")
    bot.chat("f20", "你让专家自己开价嘛")
    card = text(bot.chat("f20", "恕我直言，我不太愿意把手机号码直接交给陌生人，"
                                "能否请专家通过平台与我联系？另外，这条需求请不要让无关的人看到。"))
    assert "紧急程度：不急" in card and "面议" in card
    assert "联系方式：不直接提供" in card and "仅匹配的专家可见" in card
    leave = "实在抱歉，我学生明天就过来帮我看看，那这次的申请就请您替我撤销吧，给您添麻烦了。"
    assert "已取消" in text(bot.chat("f20", leave))


def test_help_wanted_right_after_an_answer_is_a_need_not_the_same_answer_again(
        bot: Harness) -> None:
    assert "出处" in text(bot.chat("f21", "李子园土壤酸化了，石灰撒多少？"))
    # a place, then how urgent, typed after the answer: the expert form, not the article again
    said = text(bot.chat("f21", "我在蒲江"))
    assert "出处" not in said and "急不急" in said and "请当地专家" in said
    assert "出处" not in text(bot.chat("f21", "急得很"))
    # a follow-up question still gets its answer
    assert "出处" in text(bot.chat("f22", "李子园土壤酸化了，石灰撒多少？"))
    assert "急不急" not in text(bot.chat("f22", "那啥时候撒好"))


def test_a_question_back_about_the_prompt_is_answered_and_the_prompt_asked_again(
        bot: Harness) -> None:
    bot.chat("f23", "我在通江种银耳 今年好多菌棒上长绿霉 想请个专家来看下")
    said = text(bot.chat("f23", "急不急？你们还分急不急的哦？急的是不是要多给钱？"))
    assert "不因为急就多收" in said and "急不急" in said and "费用" not in said.splitlines()[-1]
    assert "费用" in text(bot.chat("f23", "那就尽快嘛"))
    # a 科普 question inside the form is still answered, not explained away
    assert "不因为急就多收" not in text(bot.chat("f24", "我在蒲江种李子 想请专家来看 对了 "
                                                     "溃疡病打啥子药？"))


def test_a_request_said_as_not_wanted_is_no_need() -> None:
    from bot.journeys import words

    said = ("您好，我是蓬安县某柑橘合作社秘书，说明几点：1. 本社不是要找专家上门，只是想了解一下；"
            "2. 问题：柑橘溃疡病主要靠什么传播？")
    assert not words.looks_like_need(said, "enterprise")
    assert words.looks_like_need("想请个专家来看看")
    assert words.looks_like_need("不用打药 想请专家来看")  # only the request itself is negated


def test_fresh_phrasings_from_a_seventeenth_set(bot: Harness) -> None:
    from store import accounts

    # no amount twice at the budget prompt: 面议, never the same question a third time
    bot.chat("f30", "我在盐亭种的核桃 今年好多果子没长大就掉了 想请专家来看")
    bot.chat("f30", "不急")
    assert "费用" in text(bot.chat("f30", "要好多钱嘛"))
    said = text(bot.chat("f30", "这个不好说 你莫问了"))
    assert "联系方式告诉" in said and "费用" not in said
    # "看着给" is the answer however long the message, even with "好多钱" in it
    bot.chat("f31", "我在石棉种的黄果柑 叶子卷起发黄 想请专家来看")
    bot.chat("f31", "不急")
    assert "联系方式告诉" in text(bot.chat("f31", "看着给嘛 我也不晓得该好多钱"))
    card = text(bot.chat("f31", "电话随便给"))
    assert "面议" in card and "专家接单后告知" in card
    # a scale with nothing wrong: what the problem is, asked first
    assert "遇到了什么问题" in text(bot.chat("f32", "你们能找到懂蜜蜂的专家不？我在宝兴县 "
                                                     "养了四十几箱蜂"))
    # a farmer's short report: the cost is asked too, as for any visit
    accounts.account(bot.engine, "telegram", "f33", role="farmer")
    bot.chat("f33", "羊拉稀")
    bot.chat("f33", "美姑")
    assert "费用" in text(bot.chat("f33", "不急"))
    # the sum of the parts, and a correction said at another prompt
    accounts.account(bot.engine, "telegram", "e30", role="enterprise")
    bot.chat("e30", "您好！我社是犍为县茉莉花种植专业合作社，现将需求报告如下："
                    "1. 茉莉花叶片发黄脱落，花苞少；2. 基地位于乐山市犍为县；3. 希望尽快来人。")
    bot.chat("e30", "预算说明：1. 社里出1万；2. 镇上农业项目补贴1万，合计2万元。")
    assert "约 2 万元" in text(bot.chat("e30", "1. 同意提供联系电话；2. 联系人为合作社秘书。"))
    accounts.account(bot.engine, "telegram", "e31", role="enterprise")
    bot.chat("e31", "我们是仁寿县的枇杷合作社，枇杷幼果期大量落果，想请专家，预算3000元")
    bot.chat("e31", "1. 时间：尽快；2. 预算更正为4000元。")
    assert "约 4000 元" in text(bot.chat("e31", "同意提供联系方式"))
    said = text(bot.chat("e31", "Wait，老板说已经联系了农科院的老师，这个request cancel掉吧"))
    assert "已取消" in said
    assert needs(bot) == 0


def test_fresh_phrasings_from_an_eighteenth_set(bot: Harness) -> None:
    from matching.slots import parse_budget, parse_contact_consent
    from store import accounts

    # "我搞昏了" is confusion, not an emergency: the place corrected, the form goes on
    bot.chat("f40", "我种的桃子树流胶流得凶 想请个专家来看")
    said = text(bot.chat("f40", "中江…不是不是 不是中江 是三台 我搞昏了"))
    assert not said.startswith("⚠️") and "急不急" in said
    # owning up to a mistake leaves, and is no emergency either
    said = text(bot.chat("f40", "哦 我问错了 没得事了 娃儿拿我手机乱点的"))
    assert "已取消" in said and "⚠️" not in said
    bot.chat("f41", "我在仪陇种的柑子 叶子卷起 想请专家来看")
    assert "已取消" in text(bot.chat("f41", "先放到嘛 我去问哈村上的农技员再说"))
    assert parse_budget("村上出钱 公家出").amount is None
    assert parse_contact_consent("没说不给电话噻 给嘛") is True
    assert parse_contact_consent("不是说不给钱哈 就是说不准要好多 面议嘛") is None
    # at the card: the phone given and the need kept to experts, in one message
    card = text(bot.chat("f42", "我在茂县种的苹果 树干上烂了好多块 想请专家来看 尽快 预算四千 "
                                "电话不给"))
    assert "不直接提供" in card
    card = text(bot.chat("f42", "电话还是给嘛 不过这个不要公开 只给专家看"))
    assert "专家接单后告知" in card and "仅匹配的专家可见" in card
    # a firm's place and budget corrected at once; the description experts read unchanged
    accounts.account(bot.engine, "telegram", "e40", role="enterprise")
    bot.chat("e40", "我们在德阳旌阳区做豆瓣酱 发酵车间夏天老是胀袋 想请专家 尽快 预算一万 "
                    "同意留电话")
    card = text(bot.chat("e40", "sorry 地方搞错了，工厂不在旌阳，在广汉，预算也改成1.5万"))
    assert "德阳市广汉市" in card and "约 1.5 万元" in card
    assert needs(bot) == 0
    assert "需求已发布" in text(bot.chat("e40", "确认"))
    with Session(bot.engine) as s:
        assert "搞错" not in s.execute(select(Need.description)).scalar_one()


def test_fresh_phrasings_from_a_nineteenth_set(bot: Harness) -> None:
    from matching.slots import parse_urgency
    from store import accounts

    # a hotpot-base factory asking for a food expert is a need, not a recipe question
    accounts.account(bot.engine, "telegram", "e50", role="enterprise")
    said = text(bot.chat("e50", "我们是做火锅底料的厂，在郫县，最近一批牛油底料放了两个月"
                                "就有哈喇味了，想找食品方面的专家帮忙看下工艺"))
    assert "急不急" in said and "帮不上忙" not in said
    # when the trouble began is not how urgent; "莫说不急" is urgent
    said = "塘子里的鱼老是浮头，今天早上起来死了几十斤，想找个水产专家来塘边看下"
    assert parse_urgency(said) is None
    assert parse_urgency("莫说不急哦，急得很，天一闷又要浮") == "urgent"
    # the phone taken back at the card, said before another change in the same message
    bot.chat("f50", "我在荣县种香菇 菌棒这两个月污染率很高 想请专家 急 预算五千 电话可以给")
    card = text(bot.chat("f50", "联系方式还是不要直接给，公开范围也改成不公开"))
    assert "联系方式：不直接提供" in card and "仅匹配的专家可见" in card and "补充" not in card
    assert "补充：还有叶子发白" in text(bot.chat("f50", "补充一下 还有叶子发白"))


def test_played_in_the_terminal(bot: Harness) -> None:
    """Found by playing `kejiyun chat`: a question asked by the way is not the need; the
    service's hours get an answer; "算了" with nothing open is no "帮不上忙"."""
    from store import accounts

    accounts.account(bot.engine, "telegram", "e60", role="enterprise")
    bot.chat("e60", "你好 我们是眉山做泡菜的厂")
    bot.chat("e60", "最近袋装泡菜老是胀袋 退货好多")
    bot.chat("e60", "顺便问一下 泡菜亚硝酸盐好久最高")
    bot.chat("e60", "想找个专家来厂里看下工艺")
    bot.chat("e60", "不急")
    bot.chat("e60", "面议")
    card = text(bot.chat("e60", "同意"))
    assert "胀袋" in card.splitlines()[1] and "亚硝酸盐" not in card
    said = text(bot.chat("f60", "算了"))
    assert "帮不上忙" not in said and "随时" in said
    assert "全天在线" in text(bot.chat("f60", "你们周末上班吗"))


def test_a_place_taken_back_a_mind_changed_and_no_form_wanted(bot: Harness) -> None:
    from bot.journeys import words
    from matching.slots import region_meant

    said = "那个那个 我是犍为的 哦不是 就是说我屋头在沐川县 种了几亩魔芋 想请个专家来"
    assert region_meant(said).name == "沐川县"
    assert region_meant("我在犍为 哦 不是很急").name == "犍为县"  # 不是很急 takes nothing back
    bot.chat("f70", "想请专家来看看我的李子园，土壤酸化得厉害，撒石灰也不晓得撒好多")
    bot.chat("f70", "江油")
    bot.chat("f70", "很急")
    bot.chat("f70", "哦不对，其实不急，预算五千")
    card = text(bot.chat("f70", "同意"))
    assert "紧急程度：不急" in card and "约 5000 元" in card
    assert not words.answers_a_form("再说明：1. 暂时不需要发布需求；2. 不需要专家联系。谢谢。")
    assert words.answers_a_form("电话可以给专家")


def test_fresh_phrasings_from_a_twentieth_set(bot: Harness) -> None:
    from retrieval import smalltalk
    from store import accounts

    # the problem asked twice at most: then the form goes on with what was said
    assert "遇到了什么问题" in text(bot.chat("f80", "想找个专家"))
    assert "遇到了什么问题" in text(bot.chat("f80", "南江"))
    assert "急不急" in text(bot.chat("f80", "不晓得咋说"))
    # a swarm gone is trouble; the reply is the form, not the problem asked again
    assert "哪个市" in text(bot.chat("f81", "蜂子跑了 找专家"))
    # "expert" in English asks for one
    said = text(bot.chat("f82", "Hi 我们在蒲江做 farm stay，果园里几十棵猕猴桃每年开花的时候授粉都"
                                "不好，想找个 expert 来教一下人工授粉"))
    assert "急不急" in said
    # a field corrected in many words changes the field, not the text experts read
    bot.chat("f83", "我们雅安雨城区做茶的 茶园的茶树好多年没修剪了 想请专家 尽快 预算五千 "
                    "同意留电话")
    card = text(bot.chat("f83", "哦不对不对，我说错了哈，厂子是在雨城区，但是要修剪的那个茶园是在"
                                "名山那边的，地区改成名山嘛"))
    assert "雅安市名山区" in card and "补充" not in card
    joke = "您好。请讲一个与食品安全有关的笑话，用于活跃部门例会气氛。"
    assert smalltalk.classify(joke) == "joke"
    accounts.account(bot.engine, "telegram", "e80", role="enterprise")
    said = text(bot.chat("e80", "好的。另请教一个问题：食品添加剂是否都对人体有害？"))
    assert "哪个市" not in said


def test_fresh_phrasings_from_a_twenty_first_set(bot: Harness) -> None:
    from matching.extract import extract_need
    from matching.slots import parse_urgency

    # fifty mu is how much land, not a budget of 50 yuan: the budget is still asked
    draft = extract_need("我们在石棉种了 50 亩黄果柑，今年果子掉得好厉害，想找个专家来园子里看看",
                         role="farmer")
    assert draft.budget is None and "budget" in draft.missing
    # a disease named alone is the problem; a relayed question is a question, not a need
    assert "哪个市" in text(bot.chat("f90", "鸡瘟 找专家"))
    said = text(bot.chat("f91", "我帮我爷爷打字哈：他问李子园土壤酸化了该咋个改良"))
    assert "《李子园土壤酸化的改良办法》" in said and "哪个市" not in said
    # (an old man named first does not make the follow-up about a person)
    said = text(bot.chat("f91", "爷爷又问，那石灰一亩撒好多"))
    assert "《李子园土壤酸化的改良办法》" in said and "哪个市" not in said
    # urgency: the question said back and the field's name are not the answer
    assert parse_urgency("急不急？下个月就要套袋了，算尽快嘛") == "soon"
    assert parse_urgency("紧急程度能不能改成尽快？也没到火烧眉毛那一步") == "soon"
    assert parse_urgency("紧急程度：紧急") == "urgent"
    # "先问一句" inside the form: answered, then the pending question again
    bot.chat("f92", "我在名山种李子 果子长不大 想请专家来指导")
    said = text(bot.chat("f92", "等哈 先问一句 果园土壤板结了一般有几种办法"))
    assert "出处" in said and "急不急" in said
    # a formal withdrawal, and a yes after a question back, with its reason
    bot.chat("f93", "我们村种了三百亩柑橘 好多树叶子黄 想请专家来看看")
    assert "已取消" in text(bot.chat("f93", "经村两委研究，该需求撤销。"))
    bot.chat("f94", "我在蒲江种耙耙柑 果皮上好多疤疤 想请专家来看 尽快 三千 电话可以给")
    # a pause, then a question at the card: answered, the card shown again, nothing published
    said = text(bot.chat("f94", "等哈 先问一句 果园土壤板结了咋个疏松"))
    assert "出处" in said and "请确认需求信息" in said and "需求已发布" not in said
    assert "需求已发布" in text(bot.chat("f94", "发？发嘛，早点有人来"))
    # a change asked for as a question at the card is a change
    bot.chat("f95", "我在三台种的小麦 叶子发黄 想请专家来看 很急 两千 电话可以给")
    card = text(bot.chat("f95", "紧急程度能不能改成尽快？也没到火烧眉毛那一步"))
    assert "紧急程度：尽快" in card and "出处" not in card
    with Session(bot.engine) as s:
        assert s.execute(select(func.count()).select_from(Need).where(
            Need.title.contains("小麦"))).scalar_one() == 0  # the card, not published


def test_fresh_phrasings_from_a_twenty_second_set(bot: Harness) -> None:
    from matching.slots import parse_budget
    from retrieval import smalltalk
    from retrieval.answer import _glossed

    # spoken without punctuation, leaving starts and ends the message: nothing published after
    bot.chat("f96", "我在仁寿种了十几亩枇杷 好多果子烂在树上 想找个专家来看一下 很急 两千块")
    said = text(bot.chat("f96", "算了嘛我婆娘说她已经喊了镇上的农技员明天就来看这里就不弄了"))
    assert "已取消" in said
    bot.chat("f96", "要得要得")
    with Session(bot.engine) as s:
        assert s.execute(select(func.count()).select_from(Need)).scalar_one() == 0
    # "出现黄一块绿一块": 出 of 出现 is no money word, so no budget of one yuan
    assert parse_budget("最近叶子出现黄一块绿一块的 pattern") is None
    assert parse_budget("愿意花一千块") is not None and parse_budget("花椒叶子黄一块") is None
    # thanks after an ok, with a word of praise, is thanks; "那预算呢" after thanks asks
    assert smalltalk.classify("要得，谢谢你哈，你们这个还有点用") == "thanks"
    assert smalltalk.classify("好的，谢谢，那预算呢") is None
    # going to the high plateau as a tourist is still a health question
    trip = "您好，我下个月想和老伴去稻城亚丁旅游，请问去高原之前要做哪些准备？"
    assert smalltalk.classify(trip) is None
    # English words dropped into a Chinese question are read in Chinese
    glossed = _glossed("想问下 operate 的时候有啥子 safety 要注意")
    assert glossed == "想问下 操作 的时候有啥子 安全 要注意"
    assert _glossed("How do I treat a fever?") == "How do I treat a fever?"


def test_card_shows_what_was_added_not_requests_or_corrections(bot: Harness) -> None:
    from store import accounts

    accounts.account(bot.engine, "telegram", "e90", role="enterprise")
    bot.chat("e90", "你们好，我们是宜宾翠屏区做芽菜的厂，最近几批芽菜发酸发臭")
    bot.chat("e90", "想找个食品发酵方面的专家来厂里看看")
    bot.chat("e90", "不急")
    bot.chat("e90", "八千")
    card = text(bot.chat("e90", "可以给"))
    assert "请确认需求信息" in card and "补充" not in card  # a request is no addition
    card = text(bot.chat("e90", "地区写错了 厂子其实在南溪"))
    assert "宜宾市南溪区" in card and "补充" not in card  # a correction changes the field


def test_fresh_phrasings_from_a_twenty_third_set(bot: Harness) -> None:
    from bot.journeys import words
    from matching.extract import extract_need
    from matching.slots import parse_urgency
    from retrieval import smalltalk
    from retrieval.safety import assess

    # who decided comes first, and a grandmother decides too
    assert words.leaves("婆婆说算了，不得麻烦人家专家跑一趟，她明天喊隔壁幺爸帮她看")
    # a rhetorical question is urgent; "还是尽快吧" said later changes the urgency
    assert parse_urgency("咋个不急嘛，急得很") == "urgent"
    bot.chat("f97", "我在荥经有个茶园 茶叶上好多小绿叶蝉 想请专家来指导防治")
    bot.chat("f97", "不急吧")
    said = text(bot.chat("f97", "哦哦好的。我妈说还是尽快吧，虫越来越多了。钱的话两千"))
    assert "联系方式告诉" in said
    assert "紧急程度：尽快" in text(bot.chat("f97", "可以给我妈的电话"))
    # who typed and who asks name no problem: the problem is asked
    for intro in ("孙女帮我打的字哈。我想找个专家", "你好，我是康定一家酒店的老板，想找个专家"):
        assert "description" in extract_need(intro, role="farmer").missing
    # "喊个兽医来场里" is a service; "费用？…那就四百" answers after the question back
    assert extract_need("直接喊个兽医来场里", role="farmer").kind == "service"
    bot.chat("f98", "我在合江种荔枝 果子裂口了好多 想请专家来看 尽快")
    assert "联系方式告诉" in text(bot.chat("f98", "费用？婆婆问要好多钱嘛……那就四百"))
    # an urgency answered first is the answer, even with a trip mentioned
    bot.chat("f99", "我在康定开酒店 后厨的泡菜坛子老是生花 想请专家来看看")
    assert "费用" in text(bot.chat("f99", "尽快，旅游旺季之前要弄完"))
    # science for homework is science; 忙昏了 is no emergency
    assert smalltalk.classify("对了，彩虹是怎么形成的呀，我物理作业要写") is None
    assert not assess("先给我讲个笑话嘛，今天忙昏了").kind


def test_fresh_phrasings_from_the_twenty_fourth_to_sixth_sets(bot: Harness) -> None:
    from bot.journeys import words
    from knowledge import gazetteer
    from matching.extract import extract_need
    from matching.slots import parse_urgency
    from retrieval import smalltalk
    from retrieval.intent import asks

    # "不急不急" is an answer, not the question said back; "不是好急" with this month is soon,
    # and so is "这个月底之前" after "不是很急" (three later writers of four read the month's
    # end as this month, the card's 尽快); a week denied is no week
    assert parse_urgency("不急不急") == "normal"
    assert parse_urgency("急倒不是好急 这个月来就行") == "soon"
    assert parse_urgency("不是很急 这个月底之前来都可以的") == "soon"
    assert parse_urgency("不是很急 下个月底前来就行") == "normal"
    assert parse_urgency("不对不对 我说错了 不是这周 这个月来就行") == "soon"
    # after a correction, the place said as where one is, not the one the correction explains
    draft = extract_need("我喂的鸡死了好几只 想请个专家来看下 我在汉源 不对不对 汉源是我女儿屋头 "
                         "我是石棉的", role="farmer")
    assert gazetteer.display_name(draft.region_code) == "雅安市石棉县"
    # a need named as "刚才那个" is left; a disowned question is no question
    assert words.leaves("120以经打了，人拉走了。刚才那个需求算了不要了")
    assert words.looks_like_need("我不是要问怎么防 就想找个人来现场看下 桃树叶子卷成疙瘩", "farmer")
    # market prices are declined whatever they name; these ask, with no question mark
    assert smalltalk.classify("那今天猪肉批发价多少") == "out_of_scope"
    assert smalltalk.classify("猪价明年涨不涨，给我说个准话") == "out_of_scope"
    for said in ("那智能手表测血氧准不准", "酵母一般回收用几代就要换", "幽门螺旋杆菌咋查啊",
                 "长期熬夜对身体有啥影响"):
        assert asks(said), said
    # not knowing the amount is 面议, at once; a question that says 不晓得 is still a question
    bot.chat("f101", "我在荥经有个茶园 茶叶上好多小绿叶蝉 想请专家来指导防治")
    bot.chat("f101", "尽快")
    assert "联系方式告诉" in text(bot.chat("f101", "这个我真的不晓得要好多钱 你们说嘛"))
    assert "预算：面议" in text(bot.chat("f101", "同意"))
    bot.chat("f102", "我在荥经有个茶园 茶叶上好多小绿叶蝉 想请专家来指导防治")
    said = text(bot.chat("f102", "莫名堂，啥子都不晓得。那茶园冬天咋个管？"))
    assert "急不急" in said and "联系方式告诉" not in said
    # at the card: "还是两千五", "不要写面议了，写六千" change the budget and add nothing
    bot.chat("f103", "我在丹棱种葡萄 叶子背面长白霉 想请专家来看")
    bot.chat("f103", "尽快")
    bot.chat("f103", "三千")
    assert "预算：约 3000 元" in text(bot.chat("f103", "同意"))
    said = text(bot.chat("f103", "哎不对 还是两千五"))
    assert "预算：约 2500 元" in said and "补充" not in said
    said = text(bot.chat("f103", "预算不要写面议了，写六千"))
    assert "预算：约 6000 元" in said and "补充" not in said


def test_fresh_phrasings_from_the_twenty_seventh_and_eighth_sets(bot: Harness) -> None:
    from bot.journeys import words
    from matching.extract import extract_need, fill_slot

    # a station or a cadre asking on someone's behalf is asking for a service
    for said in ("我是农技站的，帮青神县一个返乡种竹子的小伙子申请技术服务，"
                 "他那片竹林今年好多竹子枯梢。",
                 "我是平昌县的，返乡养了两百只兔子，最近好几只眼睛流脓，想对接个兽医。"):
        assert words.looks_like_need(said, "farmer") and extract_need(said).kind == "service"
    # who asks, and that there is something, is no problem: it is asked
    for said in ("你好，我是丹棱县农技站的，有个事情想请你帮忙对接一下专家",
                 "我想找专家，我是回乡开小酒坊的"):
        assert "description" in extract_need(said, role="farmer").missing, said
    # leaving with a pause or a reason first, or naming the expert business
    assert words.leaves("想了一下还是不搞了，成本太高，谢谢你哈")
    assert words.leaves("人救出来了，在去医院的路上。专家的事情先算了")
    # several fields changed in one message, each applied, none added to the description
    draft = extract_need("达州渠县 村集体有口二十亩的鱼塘 鱼老是浮头 想请专家来看 尽快 三千 "
                         "电话可以给专家")
    before = draft.description
    fill_slot(draft, "description",
              "搞错了，我们村是大竹县的，不是渠县；电话也先不要给专家；预算写面议")
    assert draft.region_code == "511724" and draft.contact_consent is False
    assert draft.budget_text == "面议"
    assert draft.description == before
    draft = extract_need("泸州古蔺 酒糟发酵老是发酸 想请专家指导 不急 同意", role="enterprise")
    fill_slot(draft, "description",
              "改三个地方：不公开；预算写三万；紧急程度改成尽快，这个月要落实")
    assert (draft.confidentiality, draft.budget, draft.urgency) == ("experts_only", 30000, "soon")
    # the prompt answered, then an aside by the way: both
    bot.chat("f104", "我在旺苍 腊肉作坊的腊肉发霉 想请专家来看 尽快 一万五")
    said = text(bot.chat("f104", "同意。对了，明天旺苍下不下雨？我要晒肉"))
    assert "帮不上忙" in said and "请确认需求信息" in said and "联系方式：专家接单后告知" in said


def test_fresh_phrasings_from_the_twenty_ninth_and_thirtieth_sets(bot: Harness) -> None:
    import copy

    from matching.extract import extract_need, fill_slot
    from matching.need import NeedDraft
    from matching.slots import parse_urgency
    from retrieval.intent import asks
    from retrieval.safety import assess

    # thanks at the card publishes nothing; a yes with a question about what comes next does
    for user, last in (("f105", "谢谢哈"), ("f106", "可以 发嘛 发了专家啥时候联系我？")):
        bot.chat(user, "我在眉山东坡区 柑橘溃疡病 想请专家来看")
        bot.chat(user, "不急")
        bot.chat(user, "两千")
        assert "请确认需求信息" in text(bot.chat(user, "同意"))
        said = text(bot.chat(user, last))
        assert ("需求已发布" in said) == (user == "f106"), said
    # a phone call is no electric shock; the homophone 不及 is 不急
    assert not assess("不得行，我不想遭电话骚扰").kind
    assert assess("我老汉遭电了 倒在地上不动").kind == "emergency"
    assert parse_urgency("不及") == "normal"
    # "1万5" is fifteen thousand; "有疫苗没得" asks
    draft = NeedDraft(description="x")
    fill_slot(draft, "budget", "1万5")
    assert draft.budget == 15000
    assert asks("非洲猪瘟有疫苗没得")
    # at the card: public again, consent changed by its own word, three changes in one line
    draft = extract_need("南充西充 鸡场想找专家做一套新城疫免疫方案 尽快 两万 不给电话 不公开")
    changed = copy.deepcopy(draft)
    fill_slot(changed, "description", "想了下 改回公开")
    assert changed.confidentiality == "public"
    fill_slot(changed, "description", "改成同意 然后预算三万 地区是营山不是西充")
    assert (changed.contact_consent, changed.budget, changed.region_code) == (True, 30000,
                                                                             "511322")
    assert changed.description == draft.description


def test_a_scientist_saying_who_they_are_is_told_how_to_register_not_asked_for_a_need(
        bot: Harness) -> None:
    from store import accounts

    accounts.account(bot.engine, "telegram", "sci-new", role="scientist")
    said = text(bot.chat("sci-new", "我叫王老师 在雅安雨城区 研究茶树病虫害"))
    assert "回复“注册”" in said and "急不急" not in said
    assert "请输入您的姓名" in text(bot.chat("sci-new", "注册"))
    # a farmer saying the same kind of thing about a problem still gets the need form
    said = text(bot.chat("f107", "我在雅安雨城区 茶树病虫害严重 想请专家来看"))
    assert "急不急" in said


def test_fresh_phrasings_from_the_thirty_first_to_fifth_sets(bot: Harness) -> None:

    from matching import slots
    from matching.extract import extract_need
    from matching.need import problem_size
    from retrieval.safety import assess
    from retrieval.tokenize import normalise
    from store import accounts

    # the commonest homophone typos put right: "找砖家" asks for an expert
    assert normalise("找砖家 米猴桃溃疡病") == "找专家 猕猴桃溃疡病"
    assert "遇到了什么问题" in text(bot.chat("g1", "找砖家"))
    # no budget, said many ways; "打了除草剂都没得用" says nothing of money
    for said in ("没得预算", "你们看到定嘛 按行情走", "我一个老婆婆 莫得啥子钱哦"):
        budget = slots.parse_budget(said)
        assert budget is not None and budget.amount is None, said
    assert slots.parse_budget("打了除草剂都没得用") is None
    # the month's end is this month; "不是说好急" is not urgent
    assert slots.parse_urgency("不是好急 但是这个月底之前要搞定 下个月就开始摘了") == "soon"
    assert slots.parse_urgency("也不是说好急 月底之前能来就行") == "soon"
    assert slots.parse_urgency("不是那么急 两三个月内都行") == "normal"
    assert slots.parse_contact_consent("电话可以直接给专家") is True
    assert slots.parse_contact_consent("电话号码不得给哈 上回遭骗了") is False
    # at the card: secrecy and its reason, or a place given up for remote help, change the
    # fields and add nothing to what experts read
    draft = extract_need("我们是沐川做竹笋加工的 软包装竹笋放一段时间就发酸 想找专家 尽快 预算4万",
                         role="enterprise")
    for edit, field, value in (("不公开哈 我们的配方要保密", "confidentiality", "experts_only"),
                               ("商量了 公开不得行 只给专家看", "confidentiality", "experts_only"),
                               ("地区就写不限 远程就行", "remote_ok", True)):
        changed = _edited_only(draft, edit)
        assert getattr(changed, field) == value, edit
    assert changed.region_code is None
    # "我们石棉的樱桃" is the county; hurry is no problem
    draft = extract_need("请问有没得专家懂樱桃的 我们石棉的樱桃今年坐果差得很")
    assert draft.region_code == "511824"
    assert problem_size("急得很 快点帮我找个专家 我是江油的") == 0
    assert "遇到了什么问题" in text(bot.chat("g2", "急得很 快点帮我找个专家 我是江油的"))
    # a kiln's tiles blistering are no burn
    assert not assess("我们是夹江的瓷砖厂 最近烧出来有一批釉面起泡 想找陶瓷材料方面的专家").kind
    assert assess("娃儿遭稀饭烫了 起了好多泡").kind == "emergency"
    # an amount with talk of money, or a month with talk of tourists, answers the prompt
    bot.chat("g3", "奶奶在丹巴 想请个专家教下咋个修剪苹果树 不急")
    assert "联系方式" in text(bot.chat("g3", "奶奶说给不起好多钱 五百嘛"))
    bot.chat("g4", "我们是理塘的牧家乐合作社 想请专家来给员工搞个高原急救培训")
    assert "费用" in text(bot.chat("g4", "下个月旅游旺季 这个月要搞完"))
    assert "已取消" in text(bot.chat("g4", "算了"))
    # "有没有搞饲料配方的专家" asks for one
    accounts.account(bot.engine, "telegram", "g5", role="enterprise")
    said = text(bot.chat("g5", "有没有搞饲料配方的专家，我们是绵阳游仙的饲料厂，"
                               "育肥猪料料肉比偏高"))
    assert "急不急" in said and "出处" not in said
    # at the card: "那先发出去嘛" and "问了 他说找专家 发嘛" publish; a murmur then a question
    # about what comes next is told and publishes nothing
    for user, last, published in (("g6", "那先发出去嘛", True),
                                  ("g7", "问了 他说找专家 发嘛", True),
                                  ("g8", "嗯 然后发布了以后好久有人接哦", False)):
        assert "请确认需求信息" in text(bot.chat(user, "我在眉山东坡区 柑橘溃疡病 想请专家来看 "
                                                      "不急 两千 同意给电话"))
        said = text(bot.chat(user, last))
        assert ("需求已发布" in said) == published, said
        if not published:
            assert "推送给匹配的专家" in said and "请确认需求信息" in said
    # a consultation's cost is not asked; said anyway, it is on the card
    from matching.need import NeedDraft

    lines = NeedDraft(description="笋子罐头开盖有股怪味", kind="question").summary_lines()
    assert not any(line.startswith("预算") for line in lines)
    lines = NeedDraft(description="笋子罐头开盖有股怪味", kind="question",
                      budget=6000).summary_lines()
    assert "预算：约 6000 元" in lines


def test_fresh_phrasings_from_the_thirty_sixth_and_seventh_sets() -> None:

    from bot.journeys import words
    from matching import slots
    from matching.extract import extract_need, fill_slot
    from matching.need import NeedDraft, problem_size

    # leaving: a firm's "这单先撤销掉，不提交了"; more than 算了 leaves whatever was said of
    # the phone before it; 算了 that only takes back a yes does not
    assert words.leaves("费用这块还要走公司审批流程，现在定不下来，这单先撤销掉，不提交了。")
    assert words.leaves("电话号码还要给别个哦 那算了 我不搞了 现在骗子多得很 一天到晚打电话来")
    assert not words.leaves("可以嘛…… 算了算了 还是不给电话了")
    # urgency: this week beats a hedge; what follows a correction; no time asked is no hurry
    assert slots.parse_urgency("比较急，这周内最好") == "urgent"
    assert slots.parse_urgency("有点急") == "soon"
    assert slots.parse_urgency("不急吧 哦不对 虫子长得快 还是这周要来") == "urgent"
    assert slots.parse_urgency("时间上没有要求，专家什么时候方便都行。") == "normal"
    # money: a total after 就是; land counted near 攀枝花 is no money
    draft = NeedDraft(description="x")
    fill_slot(draft, "budget", "按亩算嘛 一亩一百 三十亩就是三千块")
    assert draft.budget == 3000
    assert slots.parse_budget("我司在攀枝花市仁和区有五百亩芒果基地，今年花期落花严重") is None
    # at the card: several ways of changing a field, none of them added to the description
    base = extract_need("遂宁射洪 鱼塘里的鱼最近天天死 想请专家 急得很 一千 同意")
    for edit, field, value in (("五百怕是少了 改一千五嘛", "budget", 1500),
                               ("预算更正一下：领导刚批了，最高可以到三万五。", "budget", 35000),
                               ("不好意思 基地是在犍为县 钱也改成两万五", "region_code", "511123"),
                               ("哦其实也没那么急 改成不急嘛", "urgency", "normal"),
                               ("钱的事情见面再说 预算那里改一下", "budget", None)):
        assert getattr(_edited_only(base, edit), field) == value, edit
    changed = _edited_only(base, "专家来不了的话网上指导也行 远程可以")
    assert (changed.region_code, changed.remote_ok) == (None, True)
    # "需要兽医专家" asks for one; a firm saying what it is names no problem
    assert words.NEED_REQUEST.search("最近仔猪腹泻比较多，需要兽医专家")
    assert not words.NEED_REQUEST.search("专家说要打药")
    assert problem_size("您好，我们是一家中药饮片生产企业，想申请专家技术服务。") == 0
    # a farm product made into food is food science
    made = extract_need("我们是沐川做竹笋加工的 软包装竹笋放一段时间就发酸")
    assert made.discipline == "食品科学与工程"
    assert extract_need("竹笋林下种植 笋子长得细").discipline == "林学"


def test_a_city_said_alone_gets_its_county_asked_once(bot: Harness) -> None:
    """"泸州的": which county is asked once (the county's staff handle its needs); a county
    answers it, anything else keeps the city and the form goes on; at the card a city is
    taken as said."""
    bot.chat("c1", "塘里的鱼身上好多白点点 想找专家")
    said = text(bot.chat("c1", "泸州的"))
    assert "泸州市的话，是哪个县（区）" in said
    assert "急不急" in text(bot.chat("c1", "合江"))
    bot.chat("c1", "很急")
    bot.chat("c1", "两千")
    assert "泸州市合江县" in text(bot.chat("c1", "同意"))
    bot.chat("c2", "找专家 鱼身上好多白点点")
    bot.chat("c2", "泸州的")
    assert "急不急" in text(bot.chat("c2", "不清楚"))
    bot.chat("c3", "我在眉山东坡区 柑橘溃疡病 想请专家来看 不急 两千 同意给电话")
    card = text(bot.chat("c3", "地区改成乐山"))
    assert "请确认需求信息" in card and "地区：乐山市" in card


def test_fresh_phrasings_from_the_thirty_eighth_and_ninth_sets() -> None:
    from bot.journeys import words
    from matching import slots
    from matching.need import problem_size

    # a hedge with this month is 尽快; a plain "不急，这个月有人来就行" stays 不急
    assert slots.parse_urgency("急倒是不急 但是下个月要下新一批料 这个月能来最好") == "soon"
    assert slots.parse_urgency("不甚紧急，本月内能来即可。") == "soon"
    assert slots.parse_urgency("这周 算了这个月嘛 不得那么快") == "soon"
    assert slots.parse_urgency("不急，这个月有人来就行") == "normal"
    assert slots.parse_urgency("没那么急 这个月来看都要得") == "normal"
    assert slots.parse_contact_consent("想了哈还是给嘛 不然专家联系不到我") is True
    # asking whether there is an expert names no problem
    assert problem_size("有没得专家哦 帮我找一个") == 0
    assert problem_size("有专家没得 想约一个") == 0
    assert problem_size("有没得专家会弄魔芋软腐病") > 4
    assert words.leaves("补充说明：领导刚开会定了，此事先由公司技术中心内部攻关，"
                        "本次专家服务申请请予取消。")


def test_slang_thanks_and_a_question_by_the_way_with_no_answer_yet(bot: Harness) -> None:
    from retrieval import smalltalk

    assert smalltalk.classify("xs 学到了") == "ok"
    assert smalltalk.classify("学到了怎么施肥吗") is None
    # at the budget prompt: "等哈 先问个 …要紧不" is answered, and the budget asked again
    bot.chat("s1", "我想找专家 鸡瘟了 死了十几只 在大邑")
    bot.chat("s1", "急得很")
    said = text(bot.chat("s1", "等哈 先问个 我爸血压量出来160/100 要紧不 他不想吃药"))
    assert "费用" in said and "联系方式" not in said


def _edited_only(draft, edit: str):  # type: ignore[no-untyped-def]
    """The draft after `edit` at the card, asserting the description experts read is as before."""
    import copy

    from matching.extract import fill_slot

    changed = copy.deepcopy(draft)
    fill_slot(changed, "description", edit)
    assert changed.description == draft.description, edit
    return changed


def test_fresh_phrasings_from_the_fortieth_to_second_sets(bot: Harness) -> None:
    from matching import slots
    from matching.extract import extract_need
    from matching.need import NeedDraft

    # the amount said after "哦不对" in the first message is the budget
    draft = extract_need("我们荣县做腊肉香肠的 想请专家帮忙出个烟熏房改造方案 很急 这周之内 "
                         "预算一万二 哦不对 一万八")
    assert draft.budget == 18000
    assert extract_need("预算五千 我们是做豆瓣的").budget == 5000
    # a vet asked to come is a service, with its budget asked
    draft = extract_need("射洪县的 喂了三百只土鸡 拉绿屎 死了二十多只了 急得很 这周能不能来个兽医")
    assert draft.kind == "service" and "budget" in draft.missing
    # no objection is consent
    from matching.extract import fill_slot

    consent = NeedDraft(description="鱼塘死鱼", region_code="511025", urgency="urgent",
                        budget=2000)
    consent.recompute_missing()
    assert fill_slot(consent, "contact_consent", "不反对") and consent.contact_consent is True
    # 元坝 is the old name of 昭化区
    assert slots.region_meant("元坝的 我们那儿喂的黑山羊")
    # a request, then a question by the way: the answer, then the form without the question
    said = text(bot.chat("v1", "我们是射洪的养殖合作社 粪污一直处理不好 想找专家设计粪污处理 "
                               "另外问下沼液可以直接排到河沟头不"))
    assert "急不急" in said
    bot.chat("v1", "这个月")
    bot.chat("v1", "三万")
    card = text(bot.chat("v1", "同意"))
    assert "请确认需求信息" in card and "沼液" not in card


def test_fresh_phrasings_from_the_forty_third_to_fifth_sets(bot: Harness) -> None:
    from matching import slots
    from matching.extract import _budget_answer, extract_need
    from retrieval import smalltalk

    assert slots.parse_contact_consent("没得啥子不同意的 给他嘛") is True
    assert _budget_answer("八千 哦等哈 我爸在旁边说最多五千").amount == 5000
    assert _budget_answer("最多八千").amount == 8000
    assert extract_need("李子树叶子发黄 想找人来测下土 看是不是酸了 我在宜宾县").kind == "service"
    assert smalltalk.classify("早上好 忙不忙") == "greeting"
    assert smalltalk.classify("你们是机器人还是真人哦 回得好快") == "capabilities"
    # "我是西充的" at the region prompt is the answer, not an introduction
    assert smalltalk.classify("我是西充的") is None
    # a question at the urgency prompt sets no deadline from its 之前; a change of mind does
    bot.chat("u1", "我种的春见 冬天下霜 怕果子冻坏了 想找个专家指导下")
    bot.chat("u1", "丹棱")
    said = text(bot.chat("u1", "春见果子挂在树上 寒潮来之前要做啥子"))
    assert "急不急" in said and "费用" not in said
    bot.chat("u2", "柑子树冬天怕冻 想请专家来教一下咋个防冻 我是会理的")
    bot.chat("u2", "不着急")
    said = text(bot.chat("u2", "哦不对不对 天气预报说下个月要降温了 还是这个月就来嘛"))
    assert "费用" in said
    bot.chat("u2", "一千")
    assert "紧急程度：尽快" in text(bot.chat("u2", "同意"))
    # where they are from, said at rest with a greeting, is kept for the need
    bot.chat("u3", "你好 我是南江的")
    said = text(bot.chat("u3", "黄羊身上寄生虫多 想请个兽医来整个驱虫方案"))
    assert "哪个市" not in said and "急不急" in said


@pytest.mark.parametrize("said, meant", [
    ("不咋个急", "normal"), ("不用那么急", "normal"), ("不是那么紧急", "normal"),
    ("等得", "normal"), ("有空再来", "normal"), ("明年开春前来就行", "normal"),
    ("随时都可以", "normal"), ("不紧不慢", "normal"), ("等不得了", "urgent"),
    ("尽快嘛，拖不得", "soon"), ("拖不得", "soon"), ("下周就要", "soon"), ("半个月内", "soon"),
    ("这周不行 下周来嘛", "soon"), ("今天不行 明天来", "urgent"),  # (the day ruled out)
])
def test_more_ways_of_saying_how_urgent(said: str, meant: str) -> None:
    from matching import slots

    assert slots.parse_urgency(said) == meant


@pytest.mark.parametrize("leave", ["暂时不需要了", "不用找专家了", "问题已经解决了", "改天再说",
                                   "拉倒", "取消发布", "不想搞了"])
def test_more_ways_of_leaving(leave: str) -> None:
    from bot.journeys import words

    assert words.leaves(leave)


@pytest.mark.parametrize("said", ["预算改天再说", "专家不用太远的", "地址已经改好了"])
def test_words_of_leaving_inside_a_change_or_a_wish_do_not_leave(said: str) -> None:
    from bot.journeys import words

    assert not words.leaves(said)


def test_money_left_open_and_a_card_amount_written_in_words(bot: Harness) -> None:
    from matching.extract import fill_slot, says_no_amount
    from matching.need import NeedDraft

    for said in ("看效果给钱", "钱好说", "不要钱最好"):
        draft = NeedDraft(description="李子树流胶", region_code="511102", urgency="soon",
                          kind="service")
        draft.recompute_missing()
        assert fill_slot(draft, "budget", said) and draft.budget is None, said
    assert says_no_amount("还没想好")
    bot.chat("w1", CARD_READY)
    card = text(bot.chat("w1", "预算多写点 写一万"))
    assert "约 1 万元" in card and "补充" not in card
    card = text(bot.chat("w1", "时间改一下 下周就要"))
    assert "紧急程度：尽快" in card and "补充" not in card


def test_never_mind_with_an_answer_and_a_place_written_after_another(bot: Harness) -> None:
    from bot.journeys import words
    from matching.need import problem_size
    from retrieval.intent import asks

    assert not words.leaves("唉 算了 就两千嘛") and not words.leaves("算了算了 还是不急")
    assert words.leaves("算了 不急了 不找了") and words.leaves("算了算了")
    assert problem_size("你好，我们是合江县一家荔枝种植公司，想找专家。") == 0
    assert asks("我老汉有糖尿病 水果可以吃不嘛") and not asks("先不嘛")
    bot.chat("x1", CARD_READY)
    card = text(bot.chat("x1", "地区改一下 公司注册在简阳 但是基地在乐至 写乐至"))
    assert "资阳市乐至县" in card and "补充" not in card


def test_by_the_way_at_the_card_is_a_question_and_publishes_nothing(bot: Harness) -> None:
    bot.chat("y1", CARD_READY)
    said = text(bot.chat("y1", "对了 泡菜亚硝酸盐好久最高"))
    assert needs(bot) == 0 and "需求已发布" not in said and "请确认需求信息" in said
    assert "需求已发布" in text(bot.chat("y1", "好 发布")) and needs(bot) == 1


def test_a_place_said_with_its_produce_or_before_thanks_is_kept(bot: Harness) -> None:
    # "通江银耳", "会理石榴": a county opening a message with its produce is the place
    said = text(bot.chat("z1", "通江银耳 段木的 今年好多耳棒上长绿霉 想请专家来指导下"))
    assert "哪个市" not in said and "急不急" in said
    # the place said with a question, then thanks, then the request: not asked again
    bot.chat("z2", "我合江的 鱼塘里头的鱼早上都浮到水面上张起嘴巴 咋回事哦")
    bot.chat("z2", "好 开了增氧机好些了 谢谢哈")
    said = text(bot.chat("z2", "不过塘子底下淤泥太厚了 想请专家来帮忙出个清淤改造的方案"))
    assert "哪个市" not in said and "急不急" in said
    # a greeting and what one runs there is who and where, kept for the need
    bot.chat("z3", "在吗 我在大邑山上开了个小民宿")
    said = text(bot.chat("z3", "化粪池那边客人多就臭得很 想找个专家来给我做个污水处理的方案"))
    assert "哪个市" not in said and "急不急" in said


def test_an_earlier_question_on_another_subject_is_not_the_need(bot: Harness) -> None:
    bot.chat("z4", "打农药要咋个防护")
    bot.chat("z4", "我家李子树流胶 想找专家来看下")
    for said in ("石棉", "不急", "面议"):
        bot.chat("z4", said)
    card = text(bot.chat("z4", "同意"))
    assert "【技术服务】我家李子树流胶" in card and "农药" not in card


def test_grouped_digits_formal_leaving_and_questions_about_the_experts(bot: Harness) -> None:
    from bot.journeys import words
    from matching import slots

    assert slots.parse_budget("我社预算为3,000元。").amount == 3000
    assert words.leaves("经研究，暂不申请，待理事会开会后再议。谢谢。")
    assert words.leaves("经公司研究，该事项暂缓，本次不予发布。")
    assert words.leaves("等一哈 先不弄这个了 老板说工艺的事明年再说")
    assert slots.parse_urgency("没那么急哈 这个月内来就行") == "soon"
    assert slots.parse_urgency("没那么急 这个月来看都要得") == "normal"
    bot.chat("z5", "我们是宣汉一家养殖公司 保育猪咳嗽喘气的多了 想找兽医专家来场里做个诊断 "
                   "这周就要来 费用5,000元以内")
    said = text(bot.chat("z5", "你们的专家是哪里的 省里头的还是县里的"))
    assert "请确认需求信息" not in said and "联系方式告诉" in said and needs(bot) == 0
    card = text(bot.chat("z5", "同意"))
    assert "请确认需求信息" in card and "约 5000 元" in card and needs(bot) == 0
    # with no problem named, the problem is asked first
    assert "遇到了什么问题" in text(bot.chat("z6", "家人们 我想找个专家 咋个弄哦"))
    # an emergency right after an answer is the 120 line, never the need for that answer
    bot.chat("z7", "客人老是问山上的野生菌能不能捡来吃")
    said = text(bot.chat("z7", "急急急 两个客人吃了山上捡的菌子 吐得厉害 有一个喊都喊不答应了"))
    assert said.startswith("⚠️") and "120" in said


def test_word_spaced_typing_greetings_and_second_language_typos(bot: Harness) -> None:
    from matching import slots
    from retrieval import smalltalk
    from retrieval.tokenize import fix_typos

    # "你是 机器人 还是 真人": read without the spaces between words, small talk, no need
    assert smalltalk.classify("你是 机器人 还是 真人") == "capabilities"
    assert smalltalk.classify("扎西德勒") == "greeting"
    assert smalltalk.classify("那 我们村 书记 是不是 要调走了 你晓得不") == "out_of_scope"
    said = text(bot.chat("s1", "你是 机器人 还是 真人"))
    assert "哪个市" not in said and needs(bot) == 0
    assert fix_typos("毛牛 也要 区虫吗") == "牦牛 也要 驱虫吗"
    # "哦不急了" is not "哦不" and then 急; "电话 也可以给" agrees
    assert slots.parse_urgency("哦不急了 刚看了天气这周都下雨 下个月来都行") == "normal"
    assert slots.parse_contact_consent("乡上兽医 已经 打了针 好些了 电话 也可以给") is True
    assert slots.parse_urgency("不是很急 这个月底之前来都可以的") == "soon"


@pytest.mark.parametrize("said, meant", [
    ("不要紧 给他嘛", True), ("不介意 给嘛", True), ("无所谓", True),
    ("莫把我电话给别个", False), ("别把电话给别人", False),
    ("不同意 哦 打错了 同意", True), ("同意 哦 打错了 不同意", False),
])
def test_consent_in_more_words_and_a_slip_taken_back(said: str, meant: bool) -> None:
    from matching.extract import fill_slot
    from matching.need import NeedDraft

    draft = NeedDraft(description="李子树流胶")
    assert fill_slot(draft, "contact_consent", said) and draft.contact_consent is meant


def test_money_in_more_words_and_a_correction_at_the_consent_prompt(bot: Harness) -> None:
    from matching.extract import fill_slot
    from matching.need import NeedDraft, problem_size

    for said, amount, shown in (("去年请农技站的人来看花了五百 今年多出点嘛 一千二", 1200, None),
                                ("钱先不说嘛 来了看了再说", None, "钱先不说"),
                                ("先不说钱", None, "先不说钱")):
        draft = NeedDraft(description="柑橘落果")
        assert fill_slot(draft, "budget", said), said
        assert draft.budget == amount and (shown is None or draft.budget_text == shown), said
    assert problem_size("你好，我们公司想对接一位中药材方面的专家。") == 0
    # a budget corrected at the consent prompt is the budget, never a yes to sharing the phone
    for said in ("李子裂果 想请专家来看 青神", "不急", "两千"):
        bot.chat("m1", said)
    said = text(bot.chat("m1", "哦说错了，是两千五"))
    assert "请确认需求信息" not in said and "联系方式告诉" in said
    assert "约 2500 元" in text(bot.chat("m1", "要得嘛")) and needs(bot) == 0


def test_a_prompt_not_understood_is_said_again_more_plainly(bot: Harness) -> None:
    """"啥意思" at the urgency prompt once got the soil-testing article; "你说啥子" anywhere in
    the form now gets the same question in plainer words, and nothing is answered or kept."""
    said = text(bot.chat("c1", "我们是做腊肉香肠的小作坊 今年做的香肠好多发酸 想找食品专家看下"))
    assert "哪个市" in said
    said = text(bot.chat("c1", "你说啥子"))
    assert "就是问您在哪个市" in said and "出处" not in said
    assert "急不急" in text(bot.chat("c1", "宣汉"))
    said = text(bot.chat("c1", "啥意思"))
    assert "急不急" in said and "回数字" in said and "出处" not in said
    assert "费用" in text(bot.chat("c1", "3"))
    assert "就是问请专家的费用" in text(bot.chat("c1", "没听懂"))
    assert "联系方式告诉" in text(bot.chat("c1", "五千"))
    assert "能不能把您的联系方式" in text(bot.chat("c1", "咋个回"))
    assert "请确认需求信息" in text(bot.chat("c1", "同意"))
    said = text(bot.chat("c1", "啥意思哦"))
    assert "对就回“确认”" in said and "请确认需求信息" in said and needs(bot) == 0
    assert "约 5000 元" in said and "紧急程度：不急" in said
    assert "需求已发布" in text(bot.chat("c1", "确认")) and needs(bot) == 1


def test_the_farm_not_the_office_and_what_began_this_month(bot: Harness) -> None:
    """Two counties in one message: the one where the farm or base is, not where the writer
    works; "这个月死了三只" says when the trouble came, not when help is wanted."""
    from matching import slots

    for said, meant in (("我在绵阳涪城上班 我妈在梓潼老家种了二十亩苞谷", "梓潼县"),
                        ("做柑橘的公司 公司办公室在眉山东坡 基地在夹江 柑子长斑", "夹江县"),
                        ("她在井研县 我在乐山城头上班 周末才回去", "井研县"),
                        ("我们是蔬菜种植公司 新都基地的辣椒成片成片蔫死", "新都区")):
        region = slots.region_meant(said)
        assert region is not None and region.name == meant, said
    assert slots.parse_urgency("二十几只兔儿这个月死了三只 想找个兽医来屋头看下") is None
    assert slots.parse_urgency("这个月内来") == "soon"
    said = text(bot.chat("t1", "我妈说她喂的二十几只兔儿这个月死了三只 死之前鼻子流血 "
                               "想找个兽医来屋头看下 她在井研县 我在乐山城头上班"))
    assert "急不急" in said and "哪个市" not in said


def test_never_mind_after_a_clause_and_someone_else_calling_it_off(bot: Harness) -> None:
    from bot.journeys import words

    assert not words.leaves("要好多钱哦我们也不晓得 算了 就两千嘛")
    assert words.leaves("等下 理事长说先不找了 3")
    assert words.leaves("我们书记讲不搞了")
    for said in ("蒲江那边杨大哥的猕猴桃开花了 想请个技术员来教下人工授粉 这周就要",):
        bot.chat("u1", said)
    assert "联系方式告诉" in text(bot.chat("u1", "要好多钱哦我们也不晓得 算了 就两千嘛"))
    assert "约 2000 元" in text(bot.chat("u1", "要得"))
    assert "已取消" in text(bot.chat("u1", "等下 理事长说先不找了 3")) and needs(bot) == 0


def test_a_question_at_the_consent_prompt_is_no_refusal(bot: Harness) -> None:
    """"仔猪拉稀要不要喂抗生素" at the consent prompt was guessed a no (its 不要); a question
    there is answered and the consent asked again."""
    for said in ("宣汉的 仔猪拉稀 想请兽医来看下", "很急", "两千"):
        bot.chat("w1", said)
    said = text(bot.chat("w1", "仔猪拉稀要不要喂抗生素"))
    assert "联系方式告诉" in said and "请确认需求信息" not in said
    assert "专家接单后告知" in text(bot.chat("w1", "要得")) and needs(bot) == 0


def test_advice_asked_is_no_service_and_what_it_costs_is_answered_in_the_form(bot: Harness
                                                                              ) -> None:
    """"想找个专家咨询下" asks advice: no budget is asked; "要不要钱哦" at a prompt is told what
    costs money, and the prompt asked again; "1" at the region prompt is never 1 yuan."""
    from matching.slots import parse_kind

    assert parse_kind("想找个专家咨询下 我养的兔儿一到热天就死") == "question"
    assert parse_kind("请教下专家 猪不吃食") == "question"
    assert parse_kind("想咨询专家做个方案") == "service"
    assert parse_kind("找专家来看下") == "service"
    for said in ("想找个专家咨询下 我养的兔儿一到热天就死", "仁寿"):
        bot.chat("x1", said)
    said = text(bot.chat("x1", "要不要钱哦"))
    assert "不收钱" in said and "急不急" in said
    assert "联系方式告诉" in text(bot.chat("x1", "尽快嘛"))
    said = text(bot.chat("x1", "中"))
    assert "【技术咨询】" in said and "预算" not in said
    for said in ("我想找专家来指导下种魔芋 魔芋烂了好多 臭得很", "1", "巴中 通江"):
        bot.chat("x2", said)
    assert "费用" in text(bot.chat("x2", "1"))
    bot.chat("x2", "5000块")
    said = text(bot.chat("x2", "1"))
    assert "约 5000 元" in said
    said = text(bot.chat("x2", "你说啥子 看不懂"))
    assert "对就回“确认”" in said and needs(bot) == 0
    # "啥子县哦 没听懂" after a city alone: the county asked again, plainly
    for said in ("想请农技员来看下我的水稻 叶子上好多梭梭形的斑", "乐山"):
        bot.chat("x3", said)
    assert "就是问您在哪个市" in text(bot.chat("x3", "啥子县哦 没听懂"))
    assert "急不急" in text(bot.chat("x3", "井研"))


def test_hardly_any_died_is_no_question_at_the_card(bot: Harness) -> None:
    for said in ("苍溪的 鸡拉稀死了好几只 想请兽医来看下", "很急", "五百", "同意"):
        bot.chat("y1", said)
    said = text(bot.chat("y1", "不急了 这两天没咋死了"))
    assert "紧急程度：不急" in said and "出处" not in said and needs(bot) == 0



def test_everything_said_at_once_goes_straight_to_the_card(bot: Harness) -> None:
    """"…想请专家来看下 尽快 1500 同意": the lone amount and the last 同意 are answers too;
    "联系方式同意", "电话同意给", "两个w" and "预算还是给个800嘛" likewise; a bare "3" at the
    budget prompt is no budget of 3 yuan."""
    from matching.slots import parse_budget, parse_confidentiality, parse_contact_consent

    said = text(bot.chat("o1", "合江的 荔枝树叶子卷 结的果少 想请专家来看下 尽快 1500 同意"))
    assert "请确认需求信息" in said and "约 1500 元" in said and "专家接单后告知" in said
    for consent in ("很急 预算2万 联系方式同意", "很急 一千 电话同意给"):
        assert parse_contact_consent(consent) is True, consent
    assert parse_contact_consent("联系方式不同意给") is False
    assert parse_budget("两个w左右").amount == 20000
    assert parse_budget("预算还是给个800嘛").amount == 800
    assert parse_budget("养了 200 头猪 想请兽医") is None
    assert parse_confidentiality("4 这个事不想让别个晓得") == "experts_only"
    for said in ("东坡的 泡菜厂想找专家做个降低亚硝酸盐的工艺方案", "尽快"):
        bot.chat("o2", said)
    said = text(bot.chat("o2", "3"))
    assert "费用" in said and "联系方式告诉" not in said
    assert "联系方式告诉" in text(bot.chat("o2", "两个w"))
    assert "约 2 万元" in text(bot.chat("o2", "同意")) and needs(bot) == 0


def test_more_from_the_sixty_second_to_sixty_sixth_sets(bot: Harness) -> None:
    """The urgency said first, then how bad it got; 地方 in a question is no field; a budget
    said as "最多出得起1500"; advice by phone is a need of its own, with no budget asked."""
    from bot.journeys import words
    from matching.slots import parse_budget, parse_kind

    for said in ("想请技术员来给我的葡萄园看下 叶子背面一层白霜霜", "我在彭山"):
        bot.chat("v1", said)
    assert "费用" in text(bot.chat("v1", "这周嘛 落了好几天雨了 越来越凶"))
    assert words.asks_inside_form("冬天仔猪睡的地方要好多度")
    assert words.FIELD_EDIT.search("地方写错了 是雨城区")
    assert parse_budget("养了五十只兔 最多出得起1500 想找个人来看下").amount == 1500
    assert parse_kind("柑橘溃疡病咋个防 我们基地想找专家电话里指导下 不用上门") == "question"
    assert words.looks_like_need("想问下专家 我的山羊老是掉毛 不用上门 电话里说就行")
    assert words.asks_inside_form("人工授粉是上午弄还是下午弄")


def test_a_place_said_alone_is_noted_not_declined(bot: Harness) -> None:
    """"成都市温江区" alone once got "这个我帮不上忙"; it is noted, and the need that follows
    is not asked the place again."""
    said = text(bot.chat("pl1", "成都市温江区"))
    assert "帮不上忙" not in said and "成都市温江区" in said
    said = text(bot.chat("pl1", "李子树流胶 想请专家来看下"))
    assert "急不急" in said and "哪个市" not in said


def test_more_from_the_sixty_seventh_to_seventieth_sets(bot: Harness) -> None:
    """A firm's advice by phone is a consultation (no budget); a question back about the
    experts at the consent prompt is no refusal; "是不是" is no correction; a farm's county
    before 大棚; who asks for whom is no problem; 专家那个事不搞了 leaves."""
    from bot.journeys import words
    from matching.extract import extract_need
    from matching.slots import region_meant
    from store import accounts

    for firm in ("w1", "w2"):  # as `kejiyun chat --as enterprise` opens the account
        accounts.account(bot.engine, "telegram", firm, role="enterprise")
    bot.chat("w1", "我们是德阳广汉的饲料厂，想找专家咨询一下颗粒饲料粉化率高的问题，"
                   "电话里说一下就行，不用上门")
    said = text(bot.chat("w1", "不太急"))
    assert "联系方式告诉" in said and "费用" not in said
    bot.chat("w2", "我们是简阳的火锅底料厂，炒料车间油烟处理不达标，想请专家来做个改造方案，"
                   "预算大概6万，这个月内要弄好")
    said = text(bot.chat("w2", "你们平台上的专家靠得住不哦"))
    assert "联系方式告诉" in said and "请确认需求信息" not in said
    assert "约 6 万元" in text(bot.chat("w2", "要得")) and needs(bot) == 0
    assert words.asks_inside_form("顺便问下 食品添加剂是不是都有害哦 客户老是问")
    assert words.FIELD_EDIT.search("不对不对 不是仁寿 是青神")
    assert region_meant("我在中江大棚种的黄瓜 长得焉焉的").code == "510623"
    assert "description" in extract_need("我在外头打工 屋头老汉喊我帮他在网上找个技术员来指导下"
                                         ).missing
    assert "description" in extract_need("想请个专家来看看我的弥猴桃园").missing
    assert "description" not in extract_need("公司想找专家指导羊肚菌种植 基地在彭山").missing
    assert words.leaves("火灭了 专家那个事不搞了")
    assert words.leaves("培训的事先不搞了")


def test_a_consultation_by_phone_still_asks_where_only_remote_help_does_not(bot: Harness
                                                                              ) -> None:
    """Four writers who were told nothing about it expected the county asked of a farmer who
    wants advice by phone (local experts know the soil and season); "远程请教" needs no
    place. A yes at the consent prompt with "how long" after it is taken, and told."""
    from matching.extract import extract_need
    from matching.slots import parse_kind

    said = text(bot.chat("x1", "想请教专家一下 我们这边稻田镉超标 电话里说一下就行"))
    assert "哪个市" in said
    assert "region" not in extract_need("想远程请教一下专家，数控机床刀具磨损太快").missing
    assert parse_kind("帮我们村李嬢嬢问下，我们是宣汉县的，她屋头的小猪儿拉稀，"
                      "想电话里请教下兽医，不用上门") == "question"
    for said in ("柑橘落果落得凶 帮我找个专家嘛", "我在资中县", "这周", "一千五"):
        bot.chat("x2", said)
    said = text(bot.chat("x2", "行嘛，专家大概好久能到嘛？"))
    assert "科协工作人员" in said and "请确认需求信息" in said and "专家接单后告知" in said
    assert needs(bot) == 0
    # a bare "不" at the consent prompt refuses; an altitude is no budget
    from matching.slots import parse_budget

    for said in ("李子树打啥药都不管用 请个专家来果园看 我在宜宾江安", "急", "2k"):
        bot.chat("x3", said)
    said = text(bot.chat("x3", "不"))
    assert "请确认需求信息" in said and "联系方式：不直接提供" in said
    assert parse_budget("我们石渠这边海拔四千多 牦牛老是掉膘 想请专家来看下") is None


def test_more_from_the_seventy_fifth_to_eightieth_sets(bot: Harness) -> None:
    """Asking to consult an expert is a need (a firm's too, with no budget asked); a follow-up
    "那…呢" that names a place is no request; "菌棒那个不搞了" leaves; thanks and a request
    are a request; remote help from a named city asks no county; "莫得钱" on the card is said
    one way; the phone's yes in two words."""
    from bot.journeys import words
    from store import accounts

    said = text(bot.chat("v1", "想咨询一下专家 我在蓬安 屋头羊子好久驱一次虫哦"))
    assert "急不急" in said and "哪个市" not in said and needs(bot) == 0
    accounts.account(bot.engine, "telegram", "v2", role="enterprise")
    bot.chat("v2", "峨眉的茶企 想请教一哈专家绿茶揉捻的问题")
    said = text(bot.chat("v2", "不急"))
    assert "联系方式告诉" in said and "费用" not in said
    bot.chat("v3", "红苕放在窖头烂了好多 咋个办哦 年年都烂")
    said = text(bot.chat("v3", "那李子树流胶呢 我是巴中南江的"))
    assert "急不急" not in said and "哪个市" not in said
    assert words.leaves("阀门关了 人都出来了。菌棒那个不搞了")
    said = text(bot.chat("v4", "要得 谢了。我屋头辣椒死秧 想请个技术员来看看 在西充"))
    assert "急不急" in said and "不客气" not in said
    said = text(bot.chat("v5", "我在凉山 想视频咨询下专家 魔芋叶柄烂了 还臭得很"))
    assert "急不急" in said and "哪个县" not in said
    for said in ("我在达州宣汉 养了三十几只羊子 好几只瘦得很 毛也在掉 想找个兽医来看下",
                 "尽快嘛", "我莫得钱哦 七十几了"):
        bot.chat("v6", said)
    said = text(bot.chat("v6", "行"))
    assert "预算：面议（没得钱）" in said and needs(bot) == 0
    for said in ("梨树长虫 请个技术员来指导打药 我在旺苍", "不急"):
        bot.chat("v7", said)
    said = text(bot.chat("v7", "面议 电话莫得问题"))
    assert "请确认需求信息" in said and "联系方式：专家接单后告知" in said


def test_more_from_the_eighty_seventh_to_ninety_second_sets(bot: Harness) -> None:
    """Words typed one by one with spaces are one sentence; a firm that only says what it
    makes is asked its problem, and its introduction never becomes the card's title; "放两三天
    就发粘" sets no deadline; "电话就算了" refuses; "公开没关系" is said of the need, not the
    phone; the amount said with who pays; an answer taken in with a remark is no question."""
    from retrieval.tokenize import plain
    from store import accounts

    assert plain("牦牛 瘦 掉毛 想要 兽医 zhuanjia 来 看 红原 的") == \
        "牦牛瘦掉毛想要兽医专家来看红原的"
    assert plain("不是 很 急") == "不是很急" and plain("遂宁 蓬溪") == "遂宁 蓬溪"
    said = text(bot.chat("w1", "羊 肚子 胀 死了 两只 要 兽医 来"))
    assert "哪个市" in said and needs(bot) == 0
    accounts.account(bot.engine, "telegram", "w2", role="enterprise")
    said = text(bot.chat("w2", "你好 我们是乐山五通桥一个做豆腐干的小厂"))
    assert "豆腐干遇到了什么问题" in said and "急不急" not in said
    said = text(bot.chat("w2", "最近豆腐干放两三天就发粘 有股酸味 想找个专家帮我们看看工艺"))
    assert "急不急" in said  # (放两三天 is how long it keeps, not when help is wanted)
    for said in ("尽快嘛 下个月有个大单", "村里能拿一万五出来"):
        bot.chat("w2", said)
    said = text(bot.chat("w2", "电话就算了嘛"))
    assert "【技术服务】最近豆腐干放两三天就发粘" in said and "预算：约 1.5 万元" in said
    assert "联系方式：不直接提供" in said and "紧急程度：尽快" in said
    accounts.account(bot.engine, "telegram", "w3", role="enterprise")
    bot.chat("w3", "我们是红原瓦切镇的牦牛肉加工厂")
    said = text(bot.chat("w3",
                         "牦牛肉干 保质期 太 短 想 找 专家 合作研发 延长 预算 3万 公开没关系"))
    assert "急不急" in said
    said = text(bot.chat("w3", "不急"))
    assert "联系方式告诉" in said  # ("公开没关系" gave no consent)
    said = text(bot.chat("w3", "同意"))
    assert "【技术攻关】牦牛肉干保质期太短" in said and "地区：阿坝藏族羌族自治州红原县" in said
    bot.chat("w4", "我老汉在坡上挖地 热得脑壳昏 是不是中暑了")
    said = text(bot.chat("w4", "晓得了 我喊他下午再去"))
    assert "出处" not in said and "专家" not in said and needs(bot) == 0


def test_more_from_the_ninety_ninth_to_hundred_and_fourth_sets(bot: Harness) -> None:
    """Formal withdrawals at the card never publish; consent said in a firm's first message;
    the kind changed in words; amounts said with why not 面议 and the amount "written"; the
    last 同意 wins; a count of households is no budget; 万五 is 1.5万; a bare 不 answers
    "急不急"; advice by phone said at the region prompt asks no budget; 老板喊先莫弄了 leaves."""
    from store import accounts

    accounts.account(bot.engine, "telegram", "f1", role="enterprise")
    said = text(bot.chat("f1", "我司为龙泉驿区一家汽车线束企业，端子压接后拉脱力不稳定，"
                               "不良率约3%，拟请专家来厂进行工艺诊断。时间上尽快，预算约三万元，"
                               "同意专家接单后告知我司联系方式。"))
    assert "请确认需求信息" in said and "联系方式：专家接单后告知" in said
    said = text(bot.chat("f1", "经研究，此事需长期合作，需求类型更正为技术攻关；"
                               "预算上限更正为十五万元；另，本需求不公开。"))
    assert "【技术攻关】" in said and "约 15 万元" in said and "仅匹配的专家可见" in said
    assert "补充" not in said
    said = text(bot.chat("f1", "经公司领导研究，该事项暂缓实施，请取消本次发布。"))
    assert "已取消" in said
    bot.chat("f1", "发布")
    assert needs(bot) == 0
    for n, (words, budget) in enumerate((("预算写五百嘛 写面议怕人家不来", "约 500 元"),
                                         ("一个月六千 一年七万多 你就写七万嘛", "约 7 万元"))):
        for said in ("我屋头红苕挖起来都是细根根 想请个人来看下 巴州区的", "尽快", "面议", "同意"):
            bot.chat(f"b{n}", said)
        said = text(bot.chat(f"b{n}", words))
        assert f"预算：{budget}" in said and "补充" not in said, words
    for said in ("鸭子脚杆软起站不起来 想找兽医来看 岳池的", "很急", "面议"):
        bot.chat("c1", said)
    said = text(bot.chat("c1", "不同意……算了算了 不告诉他他咋个联系我嘛 同意"))
    assert "联系方式：专家接单后告知" in said
    accounts.account(bot.engine, "telegram", "c2", role="enterprise")
    said = text(bot.chat("c2", "我们是大邑县一个镇政府的农业服务中心 想请专家来给两百来户种粮大户"
                               "讲一堂水稻病虫害绿色防控"))
    assert "急不急" in said
    assert "费用" in text(bot.chat("c2", "不急 冬闲的时候搞"))  # (两百来户 is no budget)
    assert "联系方式告诉" in text(bot.chat("c2", "万五左右 多了老板不得批"))
    assert "约 1.5 万元" in text(bot.chat("c2", "同意"))
    for said, asked in (("猪不吃食 想找兽医来看 资中的", "急不急"), ("不", "费用"),
                        ("五百", "联系方式告诉")):
        assert asked in text(bot.chat("c3", said)), said
    assert "联系方式：不直接提供" in text(bot.chat("c3", "莫"))
    bot.chat("c4", "屋头是八几年修的老房子 电线还是那种铝线 想找个专家问问要不要全部换成铜线")
    bot.chat("c4", "都江堰的 不是要人上门哈 打个电话问一哈就行了")
    assert "联系方式告诉" in text(bot.chat("c4", "不是很急 这个月之内回我就要得"))
    accounts.account(bot.engine, "telegram", "c5", role="enterprise")
    for said in ("我们是郫都区的豆瓣厂 发酵池长白膜 想请专家来厂里看 尽快 两万 同意",):
        bot.chat("c5", said)
    said = text(bot.chat("c5", "等哈 老板喊先莫弄了 川农的老师下个月本来就要来厂头"))
    assert "已取消" in said
    bot.chat("c5", "发布")
    assert needs(bot) == 0


@pytest.mark.parametrize("said,budget", [("一千块 不是不是 山路远得很 两千嘛", "约 2000 元"),
                                         ("八百 哦 手机打错了 是一千八", "约 1800 元"),
                                         ("一个人六千 两个人就一万二嘛", "约 1.2 万元"),
                                         ("三万 算了 吃住路费也是我们出 写五万吧", "约 5 万元"),
                                         ("两千……不对不对，打错了，不是两千，是两万", "约 2 万元")])
def test_the_amount_meant_after_a_correction_or_a_sum(bot: Harness, said: str,
                                                      budget: str) -> None:
    """The amount said after a correction or as the whole sum is the budget; "算了" before
    an amount to write is no leaving."""
    for line in ("我屋头六十多只黑山羊拉稀 想请个兽医上山来看下 盐源的", "很急"):
        bot.chat("m1", line)
    assert "联系方式告诉" in text(bot.chat("m1", said))
    assert f"预算：{budget}" in text(bot.chat("m1", "同意"))


def test_pushback_money_talk_and_a_cost_question_in_the_form(bot: Harness) -> None:
    """"你问那么多干啥子" is told why and asked again; "不是不愿意出钱" is no phone consent;
    "收不收钱" with a request is answered and the problem asked."""
    bot.chat("p1", "喊个专家来 快点")
    said = text(bot.chat("p1", "你问那么多干啥子 来了就晓得了 快点"))
    assert "作物或牲畜" in said and "遇到了什么问题" in said and "哪个市" not in said
    for line in ("竹片堆起没几天就长霉发黑 想请人来看下 青神的", "不急"):
        bot.chat("p2", line)
    said = text(bot.chat("p2", "舅公说不是不愿意出钱哈，是不晓得行情，面议嘛"))
    assert "联系方式告诉" in said and "请确认需求信息" not in said
    said = text(bot.chat("p3", "我要找专家 你们这个收不收钱哦 先说清楚"))
    assert "免费" in said and "遇到了什么问题" in said and "哪个市" not in said


def test_an_answer_put_off_is_no_consent(bot: Harness) -> None:
    """"联系方式的话…let me check with my manager first" leaves the consent open (the learned
    second opinion once read it as a yes, and the next message published the need)."""
    from store import accounts

    accounts.account(bot.engine, "telegram", "d1", role="enterprise")
    bot.chat("d1", "Hi，我们是广汉市一家vegetable基地，大棚黄瓜叶子上出现angular leaf spot，"
                   "潮湿时有菌脓，需要植保专家onsite诊断，尽快，budget 6k。")
    said = text(bot.chat("d1", "联系方式的话…let me check with my manager first"))
    assert "联系方式告诉" in said and "请确认需求信息" not in said
    said = text(bot.chat("d1", "Manager OK了，可以把我的phone给接单的expert"))
    assert "请确认需求信息" in said and "联系方式：专家接单后告知" in said and needs(bot) == 0


def test_a_deferral_at_the_card_and_an_old_question_are_left_alone(bot: Harness) -> None:
    """"好的 我问下老板再说" at the card publishes and adds nothing; a form word long after an
    answer carries no old question into the need."""
    from retrieval.safety import assess
    from store import accounts

    accounts.account(bot.engine, "telegram", "k1", role="enterprise")
    bot.chat("k1", "我们是郫都区的豆瓣厂 发酵池长白膜 想请专家来厂里看 尽快 两万 同意")
    said = text(bot.chat("k1", "好的 我问下老板再说"))
    assert "请确认需求信息" in said and "补充" not in said and needs(bot) == 0
    assert "需求已发布" in text(bot.chat("k1", "老板说可以 发"))
    for line in ("猕猴桃啥时候摘最好", "谢谢", "好的", "你好", "嗯"):
        bot.chat("k2", line)
    said = text(bot.chat("k2", "急得很 想找个兽医来看下猪"))
    assert "遇到了什么问题" in said  # (the kiwifruit question is not the pig's problem)
    assert assess("稻田遭淹了 咋个办").kind == ""  # a flooded field is no drowning
    assert assess("他差点掉进粪池 现在叫不醒").topic == "pit"


def test_batch_five_faults_leaving_with_a_question_and_never_mind(bot: Harness) -> None:
    """"那算了 还是找个专家来看下嘛" after a cost question is never mind, not leaving; a
    correction at another prompt is applied and said."""

    bot.chat("b6", "我在筠连 茶树叶子发黄 想找专家来看")
    bot.chat("b6", "你们收钱不")
    said = text(bot.chat("b6", "那算了 还是找个专家来看下嘛"))
    assert "已取消" not in said and "急不急" in said
    bot.chat("b7", "我们是眉山东坡区的 做豆瓣酱 酱表面长白膜 有没有专家能帮忙看下")
    bot.chat("b7", "下个月之前搞定就行")
    said = text(bot.chat("b7", "地区错了 厂在彭山"))
    assert "眉山市彭山区" in said and "费用" in said
    assert needs(bot) == 0


def test_batch_five_faults_what_is_asked_and_what_is_not(bot: Harness) -> None:
    """A request naming only who and where asks the problem; people to hire need none; the
    platform's cost and trust are answered, not an article."""
    from retrieval import smalltalk
    from store import accounts

    for user, role in (("c1", "farmer"), ("c2", "enterprise")):
        accounts.account(bot.engine, "telegram", user, role=role)
    assert "遇到了什么问题" in text(bot.chat("c1", "我在若尔盖 家里有一百二十多头牦牛 想找专家"))
    said = text(bot.chat("c2", "你好 我们是一家做醋的小厂 想招两个懂发酵的技术员"))
    assert "哪个市" in said and "遇到了什么问题" not in said
    assert smalltalk.classify("你们这个要不要收钱哦 不得是骗子嘛") == "cost"
    assert smalltalk.classify("先问下你们这个平台是干啥子的") == "capabilities"
    assert smalltalk.classify("这个药是干啥子的") is None
    assert smalltalk.classify("你帮我写个申请嘛 我想申请那个危房改造的补助") == "out_of_scope"
    assert needs(bot) == 0


def test_batch_five_faults_emergencies_places_and_sounds() -> None:
    """A place is no flood and guests who eat the chickens are no patients, but 理塘 still tells
    altitude; words typed by ear are read by their sound, a common word is left alone."""
    from retrieval.homophones import fix_homophones
    from retrieval.safety import assess

    assert assess("眉山洪雅的").kind == ""
    assert assess("屋头还养了几十只土鸡给客人吃 最近死了好几只 拉绿稀屎 想请个兽医来看下"
                  ).kind == ""
    assert assess("在理塘 朋友咳起粉红色的泡泡痰 气喘得凶").topic == "altitude"
    assert assess("眉山洪水冲到屋头了 人被冲走了").kind == "emergency"
    assert fix_homophones("查叶上那个小绿虫虫") == "茶叶上那个小绿虫虫"
    assert fix_homophones("羊肚君一般好久下种") == "羊肚菌一般好久下种"
    assert fix_homophones("检查叶子") == "检查叶子"  # (检查 is a word: no 茶叶)
    assert fix_homophones("我家例子树") == "我家例子树"  # (例子 is a word of its own)


def test_batch_five_faults_the_card(bot: Harness) -> None:
    """At the card: 改成同意 changes the consent; 只是电话不给 可以 发了 publishes what is on the
    card; 你们的专家都是哪里的 is answered and adds nothing; 全部重新来 leaves."""
    from store import accounts

    accounts.account(bot.engine, "telegram", "e1", role="enterprise")
    bot.chat("e1", "我们夹江的瓷砖厂 抛釉砖烧出来釉面有针孔 想找专家")
    for line in ("尽快", "面议", "不同意"):
        bot.chat("e1", line)
    said = text(bot.chat("e1", "你们的专家都是哪里的"))
    assert "高校" in said and "补充" not in said
    said = text(bot.chat("e1", "联系方式那个还是改成同意嘛 不然来回麻烦"))
    assert "联系方式：专家接单后告知" in said and needs(bot) == 0
    said = text(bot.chat("e1", "我不是说不发哈 只是电话给 可以 发了"))
    assert "需求已发布" in said and needs(bot) == 1
    accounts.account(bot.engine, "telegram", "e2", role="enterprise")
    for line in ("医院锅炉房想改成空气源热泵 想找专家 富顺县", "尽快", "五万", "同意"):
        bot.chat("e2", line)
    said = text(bot.chat("e2", "不对 全部重新来 我搞混了 是另外一个院区的事"))
    assert "已取消" in said and needs(bot) == 1


def test_batch_six_faults_the_card(bot: Harness) -> None:
    """At the card: 不对 联系方式可以给 我点错了 changes the consent (never cancels); 预算是二十万
    不是两万 is 20 万; 那不公开 电话可以给专家 keeps the phone given; 老板刚说今年不搞了 leaves."""
    from store import accounts

    accounts.account(bot.engine, "telegram", "f1", role="enterprise")
    for line in ("长宁 做竹笋罐头的 胀罐率高 想找专家", "很急", "面议", "不同意"):
        bot.chat("f1", line)
    said = text(bot.chat("f1", "不对 联系方式可以给 我点错了"))
    assert "已取消" not in said and "联系方式：专家接单后告知" in said
    assert "【技术服务】胀罐率高" in said and "补充" not in said
    said = text(bot.chat("f1", "不对不对 预算是二十万 不是两万"))
    assert "预算：约 20 万元" in said
    said = text(bot.chat("f1", "那不公开 电话可以给专家"))
    assert "仅匹配的专家可见" in said and "联系方式：专家接单后告知" in said
    said = text(bot.chat("f1", "等哈 老板刚说今年不搞了"))
    assert "已取消" in said and needs(bot) == 0


def test_batch_six_faults_what_is_asked(bot: Harness) -> None:
    """郫县 (郫都区's old name) and a crop only: the problem asked; 南江黄羊 names 南江; a
    region answered before an emergency told by the way is taken, then the next question."""
    from knowledge import gazetteer
    from matching.extract import extract_need
    from store import accounts

    accounts.account(bot.engine, "telegram", "g1", role="farmer")
    assert "遇到了什么问题" in text(bot.chat("g1", "我是郫县的 种了几亩韭黄 想找个专家"))
    region = gazetteer.find_region("我们是南江黄羊养殖合作社 想请专家来给社员培训牛羊驱虫")
    assert region is not None and region.name == "南江县"
    assert gazetteer.find_region("我是石棉瓦厂的") is None
    assert extract_need("会理县一家石榴合作社 想请专家帮我们搞石榴汁深加工 两万块").title == \
        "想请专家帮我们搞石榴汁深加工"
    accounts.account(bot.engine, "telegram", "g2", role="farmer")
    bot.chat("g2", "想请个专家来我们村讲讲防溺水 暑假到了娃娃天天往河边跑")
    said = text(bot.chat("g2", "九寨沟县 对了 有人落水救起来了 是不是要把他倒起来控水"))
    assert said.startswith("⚠️") and "急不急" in said
    bot.chat("g2", "很急")
    bot.chat("g2", "一千左右")
    assert "阿坝藏族羌族自治州九寨沟县" in text(bot.chat("g2", "同意"))
    assert needs(bot) == 0


def test_batch_seven_form_words(bot: Harness) -> None:
    """"具体哪个县我不清楚" is not knowing, not a question; "这个要不要紧" asked before a
    request is no consent to share the phone; "上午弄还是下午弄" at the budget prompt asks;
    a guarded county (长宁) counts when its own city is named anywhere in the message."""
    from knowledge import gazetteer
    from matching import slots
    from store import accounts

    accounts.account(bot.engine, "telegram", "h1", role="farmer")
    bot.chat("h1", "红薯堆起就烂 想找专家看下储存的问题 在达州")
    said = text(bot.chat("h1", "具体哪个县我不清楚 我没回去过"))
    assert "急不急" in said
    assert slots.parse_contact_consent("下了几天雨 墙上裂了一条斜缝 这个要不要紧") is None
    assert slots.parse_contact_consent("不要紧 给他嘛") is True
    from bot.journeys import need

    assert need._ASKING_WORDS.search("人工授粉是上午弄还是下午弄")
    assert not need._ASKING_WORDS.search("还是五千嘛")
    assert need._ASKING_WORDS.search("夏秋蚕蚕室温度控制在好多")
    region = gazetteer.find_region("我是宜宾一个高校的老师 想找专家一起去长宁的社区搞防震演练")
    assert region is not None and region.name == "长宁县"
    # (a direction stays a direction, its city named or not)
    region = gazetteer.find_region("南充的南部山区")
    assert region is not None and region.name == "南充市"


def test_batch_eight_form_words(bot: Harness) -> None:
    """Budget words (看效果再说, 没得这笔预算, "费用出三千 人在会东县"), 不用很急, a video
    consultation (no budget asked), the budget asked twice then answered otherwise (面议, no
    third ask), "等哈" before a change at the card, "算了先不发" leaving."""
    from matching import slots
    from store import accounts

    assert slots.parse_budget("看效果再说").amount is None
    assert slots.parse_budget("学校没得这笔预算") is not None
    assert slots.NO_MONEY.search("学校没得这笔预算")
    assert slots.parse_budget("费用出三千 人在会东县").amount == 3000
    assert slots.parse_urgency("不用很急，下学期开学前完成即可") == "normal"
    assert slots.advice_only("想找个专家打视频帮我们看一哈严不严重 不用专门跑过来")
    accounts.account(bot.engine, "telegram", "k1", role="enterprise")
    bot.chat("k1", "我们是大邑县的县医院 想请专家来培训护士")
    bot.chat("k1", "不急")
    assert "费用" in text(bot.chat("k1", "这个要看领导"))
    card = text(bot.chat("k1", "同意"))
    assert "预算：面议" in card and "费用" not in card.split("\n")[0]
    accounts.account(bot.engine, "telegram", "k2", role="farmer")
    bot.chat("k2", CARD_READY)
    card = text(bot.chat("k2", "等哈 也不是好急 这个月来就行"))
    assert "紧急程度：尽快" in card
    assert "已取消" in text(bot.chat("k2", "算了先不发 等老板回来再说")) and needs(bot) == 0
    bot.chat("k3", CARD_READY)
    said = text(bot.chat("k3", "算了先不发 我问下我老汉"))  # who they will ask: no question
    assert "已取消" in said and "审核" not in said and needs(bot) == 0


def test_batch_eight_turns_outside_the_form(bot: Harness) -> None:
    """A firm's question in words no ask list holds is answered, not taken as a need; a
    scientist's own 成果转化 is a need; who made the assistant is small talk; registration
    takes no phone for a field."""
    from bot.journeys import words
    from retrieval import smalltalk
    from store import accounts

    for asked in ("泡发的木耳放一晚上呢", "后厨防漏气还要装啥子设备",
                  "厂里用完的纽扣电池算啥子垃圾",
                  "摘果子的时候袋子要先取下来不 怕碰伤了买家给差评"):
        assert not words.looks_like_need(asked, "enterprise"), asked
    assert words.looks_like_need("我们是做豆瓣酱的 今年发酵老是发黑 损失很大", "enterprise")
    assert smalltalk.classify("你们这个助手是哪个单位搞的") == "capabilities"
    assert not words.answers_a_form("理塘呢") and words.answers_a_form("理塘的")
    accounts.account(bot.engine, "telegram", "s1", role="scientist")
    said = text(bot.chat("s1", "您好，我是绵阳涪城区一所高校的老师，有一项茶多酚提取的专利，"
                               "想找企业做成果转化。"))
    assert "急不急" in said
    accounts.account(bot.engine, "telegram", "s2", role="scientist")
    bot.chat("s2", "注册")
    bot.chat("s2", "张明")
    bot.chat("s2", "四川农业大学")
    assert "用文字" in text(bot.chat("s2", "13800001111"))
    assert "研究方向" in text(bot.chat("s2", "果树病害"))
    assert "用文字" in text(bot.chat("s2", "雅安市雨城区"))


def test_batch_nine_form_words(bot: Harness) -> None:
    """Getting up and seeing is no one coming to look; 不用帮我找专家 declines; money spent on
    a purchase and a lecture attended are no need; a range of thousands, 个把万 and "改成七八千"
    are budgets; 想找人来设计 is a request; a township after its county opening a message;
    "还有 …不" inside the form is answered."""
    from bot.journeys import words
    from matching import slots
    from store import accounts

    assert not words.WANTS_EXPERT.search("早上起来看到塘里的鱼全部浮起来张起嘴巴 咋回事")
    assert words.WANTS_EXPERT.search("想请人来看一下")
    assert words.declines_need("好 晓得了 不用帮我找专家哈")
    assert not words.looks_like_need("我妈去听了个讲座 花了八千买保健品 说能降三高", "farmer")
    assert slots.parse_budget("花了两千块钱买的药") is None
    assert slots.parse_budget("请食品专家来厂里帮我们搞配方 三千到五千 不急").amount == 4000
    assert slots.parse_budget("种了三千到五千棵") is None
    assert slots.parse_budget("个把万嘛").amount == 10000
    assert slots.parse_budget("钱再加点 改成七八千").amount == 7500
    assert words.looks_like_need("我在稻城开民宿的 厕所污水不晓得咋处理 想找人来设计个小型处理的",
                                 "enterprise")
    assert slots.region_meant("米易撒莲的 枇杷果子上好多锈斑").name == "米易县"
    accounts.account(bot.engine, "telegram", "n1", role="farmer")
    said = text(bot.chat("n1", "早上起来看到塘里的鱼全部浮起来张起嘴巴 咋回事"))
    assert "市、县" not in said and "急不急" not in said  # a question, not a request
    said = text(bot.chat("n1", "谢谢 你们这个比我们村头那个技术员还快"))
    assert "急不急" not in said and "专家" not in said.split("\n")[0]
    accounts.account(bot.engine, "telegram", "n2", role="farmer")
    bot.chat("n2", "我屋头老汉糖尿病 想问下一天吃好多蔬菜 还有想请个营养师上门给他定个食谱 "
                   "我们在新都")
    said = text(bot.chat("n2", "很急 这周内哈 还有 他可以吃水果不"))
    assert "审核" in said and "费用" in said  # the question answered (none vetted here), then
    # the form goes on


def test_batch_ten_form_words(bot: Harness) -> None:
    """"一个月之内" is soon; "有疫苗没得哦" asks; "不用来人 电话或者视频给我说哈就行" at the
    budget prompt makes a consultation, which asks no budget; a scientist's technology for a
    firm is a transfer; "先问个 …" inside a form is answered and the form goes on; 三台 counting
    machines is no place."""
    from bot.journeys import words
    from matching import slots
    from store import accounts

    assert slots.parse_urgency("一个月之内") == "soon"
    assert slots.parse_urgency("一个礼拜以内") == "urgent"
    assert slots.parse_urgency("两个月之内") == "normal"
    assert slots.parse_urgency("两三天之内") == "urgent"
    assert slots.parse_urgency("二十天之内") == "soon"
    assert slots.parse_urgency("下了半个月内的雨") is None
    assert words.asks_inside_form("非洲猪瘟现在有疫苗没得哦")
    assert slots.parse_kind("有项技术想找企业转化") == "achievement_transfer"
    assert slots.region_meant("三台机器的 老是坏 想找个人来修") is None  # three machines
    accounts.account(bot.engine, "telegram", "t1", role="farmer")
    bot.chat("t1", "我养了两百头猪 最近小猪儿拉稀 想找个兽医专家")
    bot.chat("t1", "内江东兴区")
    assert "费用" in text(bot.chat("t1", "很急"))
    said = text(bot.chat("t1", "不用来人 电话或者视频给我说哈就行"))
    assert "费用" not in said and "联系方式告诉" in said
    said = text(bot.chat("t1", "同意"))
    assert "【技术咨询】" in said and "紧急程度：紧急" in said
    accounts.account(bot.engine, "telegram", "t2", role="scientist")
    said = text(bot.chat("t2", "你好 我是涪城区一个高校做柑橘无病苗木繁育的 有项技术想找企业转化"))
    assert "急不急" in said and "出处" not in said
    accounts.account(bot.engine, "telegram", "t3", role="enterprise")
    bot.chat("t3", "我们是乡镇的小诊所 想请专家来培训下医生的急救技能 心肺复苏这些")
    bot.chat("t3", "在会理")
    bot.chat("t3", "尽快")
    said = text(bot.chat("t3", "先问个 被狗咬了伤口要冲好久"))
    assert said.startswith("⚠️") and "费用" in said  # (the bite's article is the demo's)
    before = needs(bot)
    accounts.account(bot.engine, "telegram", "t4", role="farmer")
    bot.chat("t4", "康定县的 养了两百多头牦牛 想请畜牧专家来培训下咋个育肥")
    assert "费用" in text(bot.chat("t4", "一个月之内"))
    assert needs(bot) == before


def test_batch_eleven_form_words(bot: Harness) -> None:
    """The card's budget changed by so much ("再加两千", "砍一半"); several changes in one line
    each applied ("电话不给了" too); "地区改成不限"; "并不是特别着急…本月内" is soon; "无需公开";
    "不用不用 不需要专家" starts no form; "我们老板说暂时不要了" leaves; a budget asked twice is
    never asked a third time; advice by phone after a report is a consultation."""
    from bot.journeys import words
    from matching import slots
    from matching.extract import fill_slot
    from matching.need import NeedDraft
    from retrieval.intent import asks
    from store import accounts

    draft = NeedDraft(description="发酵池今年老是长白膜", budget=6500.0, budget_text="六七千")
    assert fill_slot(draft, "description", "预算再加两千") and draft.budget == 8500
    assert "预算" not in draft.description  # an edit, not more of the problem
    assert fill_slot(draft, "description", "预算砍一半") and draft.budget == 4250
    assert fill_slot(draft, "description", "预算再加两千 五千嘛") and draft.budget == 5000
    draft = NeedDraft(description="蜂糖李想请人来教修枝", urgency="normal", budget=1500.0,
                      budget_text="一千五", contact_consent=True)
    assert fill_slot(draft, "description", "改成很急 钱改成两千 电话不给了")
    assert (draft.urgency, draft.budget, draft.contact_consent) == ("urgent", 2000, False)
    draft = NeedDraft(description="有个生防菌剂成果", region_code="511802", urgency="normal")
    assert fill_slot(draft, "description", "时间改成尽快 地区改成不限")
    assert draft.region_code is None and draft.remote_ok and draft.urgency == "soon"
    assert slots.parse_urgency("并不是特别着急，但希望能在本月内完成。") == "soon"
    assert slots.parse_confidentiality("无需公开，谢谢。") == "experts_only"
    assert asks("不用不用 不需要专家") == [] and asks("用不用打药") == ["yesno"]
    assert words.declines_need("不用不用 不需要专家")
    assert words.leaves("等一下 我们老板说暂时不要了")
    assert slots.parse_kind("我们团队有个魔芋软腐病的生防菌剂 想找企业合作转化") \
        == "achievement_transfer"
    accounts.account(bot.engine, "telegram", "t1", role="farmer")
    bot.chat("t1", "我家猪场的猪老是拉稀 想请个兽医来看下 我在仁寿")
    assert "费用" in text(bot.chat("t1", "不急"))
    assert "费用" in text(bot.chat("t1", "同意"))
    said = text(bot.chat("t1", "莫公开哈"))  # the budget asked twice: 面议, and the card
    assert "请确认需求信息" in said and "预算：面议" in said and "仅匹配的专家可见" in said
    accounts.account(bot.engine, "telegram", "t2", role="farmer")
    said = text(bot.chat("t2", "我在屏山 魔芋烂得凶 臭得很 不要专家跑过来 电话头指导一哈就行 急"))
    assert "费用" not in said and "联系方式告诉" in said
    assert "【技术咨询】" in text(bot.chat("t2", "同意"))
    before = needs(bot)
    accounts.account(bot.engine, "telegram", "t3", role="enterprise")
    bot.chat("t3", "在吗 问下核桃树咋个嫁接成活率高 我们网店卖核桃的 想自己种点")
    assert "哪个市" not in text(bot.chat("t3", "不用不用 不需要专家"))
    assert "已取消" not in text(bot.chat("t3", "非常感谢您的耐心解答。"))
    assert needs(bot) == before


def test_batch_twelve_form_words(bot: Harness) -> None:
    """Deadlines in digits ("1个月内") and 这个礼拜; a county typed by ear (望苍) or placed
    beside another ("金堂旁边的青白江"); 语算该成 typed by ear; an amount after 看着给; two
    negations allow publishing; "不找专家" opens no form; 取样 is work; 研究所 is no R&D; the
    urgency is never asked a fourth time."""
    from bot.journeys import words
    from matching import slots
    from matching.extract import fill_others, fill_slot
    from matching.need import NeedDraft
    from retrieval.intent import asks
    from retrieval.tokenize import plain
    from store import accounts

    assert slots.parse_urgency("1个月内") == "soon" and slots.parse_urgency("15天内") == "soon"
    assert slots.parse_urgency("这个礼拜就要") == "urgent"
    assert slots.parse_urgency("产房里头的仔猪拉黄水 这半个月死了二十几头了") is None
    assert slots.region_meant("我们是望苍的天麻公司").name == "旺苍县"  # type: ignore[union-attr]
    assert slots.region_meant("不同意") is None and slots.region_meant("两三千") is None
    beside = slots.region_meant("不是金堂 是金堂旁边的青白江")
    assert beside is not None and beside.name == "青白江区"
    assert plain("语算该成八千") == "预算改成八千" and plain("应该成功了") == "应该成功了"
    draft = NeedDraft(description="花椒树流胶", budget=None, budget_text="看着给")
    fill_others(draft, "同意 哦对了 最多五百块钱哈")
    assert draft.budget == 500
    draft = NeedDraft(description="想买苦荞黄酮提取技术", budget=None, budget_text="面议")
    fill_others(draft, "五十万以内 哦不 还是不要写死 写面议")
    assert draft.budget is None  # 面议 said last stays
    assert slots.parse_confidentiality("哎 想了下 也不是不能公开 还是公开嘛") == "public"
    assert slots.parse_confidentiality("还是不公开") == "experts_only"
    draft = NeedDraft(description="想请专家来指导大棚番茄灰霉病", region_code="510121")
    assert fill_slot(draft, "description", "不是金堂 是金堂旁边的青白江")
    assert draft.region_code == "510113" and "旁边" not in draft.description
    assert words.declines_need("不找专家 我问村头老师傅就是了")
    assert not words.looks_like_need("不找专家哈 就问一下 油菜杆杆上长黑的 是啥子", "farmer")
    assert slots.parse_kind("橙子树叶子斑驳发黄 怕是黄龙病 想请植保的来取样") == "service"
    assert not words.looks_like_need(
        "我们研究所楼顶要装5G基站，同事担心辐射致癌，想找点科学依据跟他们解释一下", "scientist")
    assert asks("林下天麻种了几年块茎越来越小") == [] and asks("要种几年") == ["duration"]
    assert words.asked_after_leaving("不搞了 院里说要走学校的平台 我先去问下") is None
    accounts.account(bot.engine, "telegram", "t1", role="enterprise")
    bot.chat("t1", "我们是泸州江阳的酒厂 想请人来做窖泥老化的检测分析")
    for said in ("八九千", "同意"):  # answers to other questions: the urgency asked again
        assert "急不急" in text(bot.chat("t1", said))
    said = text(bot.chat("t1", "确认"))  # three times unanswered: 不急, on the card to change
    assert "请确认需求信息" in said and "紧急程度：不急" in said
    accounts.account(bot.engine, "telegram", "t2", role="farmer")
    said = text(bot.chat("t2", "我在红原养牦牛 想请兽医来给牛驱虫 顺便教下咋个驱 急得很 "
                               "一千左右 同意"))
    assert "请确认需求信息" in said and "紧急程度：紧急" in said and "约 1000 元" in said
    draft = NeedDraft(description="天麻种源复壮", budget=None, budget_text="看着给")
    fill_others(draft, "同意 哦对了 最多三万哈")  # an upper bound, said without 元
    assert draft.budget == 30000


def test_batch_thirteen_form_words(bot: Harness) -> None:
    """At the card: "要改" asks what to change and publishes nothing; "地区不对" with no new
    value asks for the right one, and the next words change it; "预算多加两千 怕五千请不到人"
    adds to the amount on the card. A county typed by ear before a verb (皮都 种); "远程就
    行" drops a place named in an earlier question; leaving with "不麻烦你们了" or "先放到
    起"; "你们这有没有专家" names no problem; remote advice at the place prompt asks no
    budget."""
    from bot.journeys import words
    from matching import slots
    from matching.extract import fill_slot, find_products
    from matching.need import NeedDraft, problem_size
    from store import accounts

    assert slots.region_meant("我在皮都种韭黄的").name == "郫都区"  # type: ignore[union-attr]
    assert slots.region_meant("我在这里种菜") is None
    yaan = slots.region_meant("地点改一下 应该是雨城区 我们茶叶所在雅安")
    assert yaan is not None and yaan.name == "雨城区"
    assert slots.parse_budget("万多块").amount == 10000  # type: ignore[union-attr]
    assert words.leaves("还要把电话给专家哦 那算了 不麻烦你们了")
    assert words.leaves("先放到起 我跟老板商量下")
    assert not words.leaves("不要公开")
    assert problem_size("喂 你们这有没有专家嘛 想找个人") == 0
    assert problem_size("你们这里的葡萄烂了") > 0
    assert find_products("玉米叶子上好多窗孔 是不是草地贪夜蛾") == ["玉米"]
    assert not words.looks_like_need("四季豆喃 炒断生就行了噻", "enterprise")
    draft = NeedDraft(description="茶叶样品要测农残", region_code="510104", budget=5000)
    assert fill_slot(draft, "description", "预算多加两千嘛 怕五千请不到人")
    assert draft.budget == 7000 and "怕五千" not in draft.description
    accounts.account(bot.engine, "telegram", "c1", role="farmer")
    for said in ("我的柑橘树叶子发黄 想找专家来看 我在蒲江 不急", "五千", "同意"):
        bot.chat("c1", said)
    for said in ("要改", "还要改"):
        assert "请直接说要修改或补充的内容" in text(bot.chat("c1", said))
    assert "正确的市、县" in text(bot.chat("c1", "地区不对"))
    said = text(bot.chat("c1", "是彭山"))
    assert "地区：眉山市彭山区" in said and "补充" not in said
    assert "正确的预算" in text(bot.chat("c1", "预算写错了"))
    assert "预算：约 8000 元" in text(bot.chat("c1", "八千"))
    said = text(bot.chat("c1", "问题再补充一句 去年也黄过"))
    assert "补充：去年也黄过" in said
    assert needs(bot) == 0
    accounts.account(bot.engine, "telegram", "c2", role="scientist")
    bot.chat("c2", "做个科普讲座要用 请问康定水的沸点大概好多度")
    bot.chat("c2", "另外 我们实验室想找个会做科普视频剪辑的人 远程就行 不急 三千块")
    assert "地区：不限（可远程）" in text(bot.chat("c2", "同意"))
    accounts.account(bot.engine, "telegram", "c4", role="farmer")
    bot.chat("c4", "玉米心叶里头全是虫屎 想找个专家帮我确认下是不是草地贪夜蛾")
    bot.chat("c4", "不用找附近的 我发照片远程看就行")
    said = text(bot.chat("c4", "很急"))
    assert "是否同意" in said and "费用" not in said
    from bot.journeys.ask import only_a_place

    assert only_a_place("我在梓童") == "绵阳市梓潼县" and only_a_place("梓童") == "绵阳市梓潼县"
    assert slots.parse_kind("我们实验室想找个企业合作 把茶饼病的生物防治技术转化一下") == \
        "achievement_transfer"
    accounts.account(bot.engine, "telegram", "c5", role="farmer")
    bot.chat("c5", "我家的鸭子脚杆肿了 走路一瘸一瘸的 想请兽医来看")
    said = text(bot.chat("c5", "算了 帮我喊个兽医来看看"))  # never mind the question, not leaving
    assert "已取消" not in said and "哪个市" in said
    accounts.account(bot.engine, "telegram", "c6", role="farmer")
    for said in ("我的柑橘树叶子发黄 想找专家来看 我在蒲江 不急", "五千", "同意"):
        bot.chat("c6", said)
    for said in ("好像不对", "不是这样的"):  # a learned yes never publishes a doubt
        assert "还没有发布" in text(bot.chat("c6", said))
    assert "正确的预算" in text(bot.chat("c6", "好 但是钱要改一下"))
    assert needs(bot) == 0
    assert slots.parse_contact_consent("最好别给") is False
    accounts.account(bot.engine, "telegram", "c7", role="farmer")
    for said in ("我的柑橘树叶子发黄 想找专家来看 我在蒲江 不急", "五千"):
        bot.chat("c7", said)
    said = text(bot.chat("c7", "好像不太好吧"))  # a doubt gives no phone away
    assert "是否同意" in said and "请确认需求信息" not in said
    said = text(bot.chat("c7", "你们会不会乱打"))  # a worry: why, then the question again
    assert "不会公开" in said and "出处" not in said
    for said in ("我不想填了", "懒得弄了", "我先走了", "等我想好了再来", "问题解决了"):
        assert words.leaves(said), said
    assert slots.region_meant("我在九寨").name == "九寨沟县"  # type: ignore[union-attr]
    accounts.account(bot.engine, "telegram", "c8", role="farmer")
    bot.chat("c8", "我的柑橘树叶子发黄 想找专家来看 我在蒲江")
    said = text(bot.chat("c8", "急倒起的"))  # how urgent, not someone fallen down
    assert not said.startswith("⚠️") and "费用" in said
    draft = NeedDraft(description="柑橘叶子黄")
    assert fill_slot(draft, "urgency", "这两天") and draft.urgency == "urgent"
    assert not fill_slot(NeedDraft(description="柑橘叶子黄"), "urgency", "这几天热惨了")


def test_batch_fourteen_form_words(bot: Harness) -> None:
    """Leaving with thanks or "问题自己解决了"; hiring is a need, not out of scope; "取消公开"
    is a visibility, no addition; 修改 then "算了不改了 就这样发布" publishes, a bare "不改了"
    shows the card; a field put back ("预算还是按原来的嘛"); "算了 还是要找个人来看下" after
    an unanswered question starts the form with the place said; a what-if after an answer is
    a question; an amount after what it pays for; a county and its township; "出3500"."""
    from bot.journeys import words
    from matching import slots
    from matching.extract import extract_need, fill_slot
    from matching.need import NeedDraft
    from retrieval.homophones import fix_homophones
    from store import accounts

    for said in ("刚刚师傅来看了 加了就好了 问题自己解决了",
                 "哦 刚刚老板说已经跟江南大学那边联系好了 不用了谢谢"):
        assert words.leaves(said), said
    assert not words.leaves("不用急")
    assert slots.parse_confidentiality("取消公开 我们不想让同行晓得") == "experts_only"
    assert slots.parse_urgency("改成尽快就行 不用那么急") == "soon"
    assert slots.parse_urgency("不用那么急") == "normal"
    draft = NeedDraft(description="给村民搞个黄龙病防控培训")
    assert fill_slot(draft, "budget", "我们村主任算了一下 场地加路费大概要三千")
    assert draft.budget == 3000
    assert slots.parse_budget("想请专家来看看 出3500 在洪雅").amount == 3500  # type: ignore[union-attr]
    assert slots.parse_budget("每天出300斤") is None
    assert slots.region_meant("石棉安顺场这边 黄果柑流胶").name == "石棉县"  # type: ignore[union-attr]
    assert slots.region_meant("喂 米易撒莲这边 芒果").name == "米易县"  # type: ignore[union-attr]
    assert slots.region_meant("石棉瓦厂这边漏雨") is None
    said = slots.region_meant("在崇州有块稻瘟病的试验田 哦不对 田在大邑 我记错了")
    assert said is not None and said.name == "大邑县"  # the correction that names a place
    assert slots.parse_budget("我们菌厂今年菌棒污染了两万多棒") is None  # 棒 counts, no money
    assert slots.parse_urgency("这个礼拜每天早上鱼都浮头 想请个懂行的来看下水") is None
    assert fix_homophones("这个月内出结果就行") == "这个月内出结果就行"
    assert extract_need("想找个懂分子检测的专家视频交流一下 不用到现场").kind == "question"
    assert words.looks_like_need("我是川农的老师 课题组想找人帮忙测一批土壤样品的重金属",
                                 "scientist")
    assert not words.introduces_an_expert("我是川农的老师 课题组想找人帮忙测一批土壤样品")

    accounts.account(bot.engine, "telegram", "h1", role="enterprise")
    said = text(bot.chat("h1", "我们是做火锅底料的公司 想招一个食品研发方面的人才 最好是硕士"))
    assert "哪个市" in said and "帮不上忙" not in said
    for said in ("成都郫县", "尽快", "年薪十五万左右", "同意"):
        bot.chat("h1", said)
    said = text(bot.chat("h1", "取消公开 我们不想让同行晓得"))
    assert "公开范围：仅匹配的专家可见" in said and "补充" not in said
    accounts.account(bot.engine, "telegram", "h2", role="farmer")
    for said in ("安岳的 柠檬树长得太密了 想请个师傅来帮我修剪", "不急", "两千", "要得"):
        bot.chat("h2", said)
    assert "预算：约 3000 元" in text(bot.chat("h2", "钱改成三千"))
    said = text(bot.chat("h2", "预算还是按原来的嘛"))
    assert "预算：约 2000 元" in said and "补充" not in said
    bot.chat("h2", "2")
    assert "请确认需求信息" in text(bot.chat("h2", "不改了"))
    assert needs(bot) == 0
    bot.chat("h2", "2")
    assert "需求已发布" in text(bot.chat("h2", "算了不改了 就这样发布"))
    assert slots.parse_contact_consent("给是可以给 莫乱打就行") is True
    assert slots.parse_contact_consent("我怕骚扰 还是算了") is False
    assert slots.parse_urgency("过完年再说") == "normal"
    assert slots.parse_urgency("看专家时间") == "normal"
    assert words.leaves("没得必要了")
    draft = NeedDraft(description="柑橘叶子黄")
    assert fill_slot(draft, "budget", "你们说好多就好多") and draft.budget_text.startswith("面议")
    accounts.account(bot.engine, "telegram", "h6", role="farmer")
    for said in ("我家柑橘树叶子发黄 想请专家来看 我在蒲江", "不急", "两千"):
        bot.chat("h6", said)
    said = text(bot.chat("h6", "我怕骚扰 还是算了"))  # the phone kept back, not the need
    assert "已取消" not in said and "联系方式：不直接提供" in said
    for said, shown in (("专家收费不", "预算：约 2000 元"), ("等我问下老公", "预算：约 2000 元"),
                        ("可以是可以 就是预算再加点 三千", "预算：约 3000 元"),
                        ("不急了 下个月来都得行", "紧急程度：不急")):
        reply = text(bot.chat("h6", said))
        assert shown in reply and "补充" not in reply and "出处" not in reply, said
    assert "还没有发布" in text(bot.chat("h6", "要不得"))
    said = text(bot.chat("h6", "问题改成柑橘叶子黄还掉果"))
    assert "【技术服务】柑橘叶子黄还掉果" in said and "预算：约 3000 元" in said
    assert "补充：去年也这样" in text(bot.chat("h6", "还要加一句 去年也这样"))
    assert needs(bot) == 1  # (h2's only)
    accounts.account(bot.engine, "telegram", "h7", role="farmer")
    for said in ("我家柑橘树叶子发黄 想请专家来看 我在蒲江", "不急"):
        bot.chat("h7", said)
    said = text(bot.chat("h7", "这个要问下我们老板"))  # the form waits; nothing answered
    assert "问好了" in said and "出处" not in said and "费用" in said
    accounts.account(bot.engine, "telegram", "h3", role="farmer")
    bot.chat("h3", "我家蓝莓叶子发红 果子也小 是啥子原因")
    said = text(bot.chat("h3", "算了 还是要找个人来看下 我在会理"))
    assert "急不急" in said
    accounts.account(bot.engine, "telegram", "h4", role="farmer")
    bot.chat("h4", "李子快熟的时候一下雨就裂口子 咋个办")
    said = text(bot.chat("h4", "要是马上要熟了又遇到连阴雨喃"))  # asked on; 马上 no urgency
    assert "哪个市" not in said and "请当地专家来看看" not in said


def test_batch_fifteen_form_words(bot: Harness) -> None:
    """A county name two cities share (市中区) asks which city, and the city said next settles
    it; a farm's county beats where one lives; a county then its township is a place; 面议
    typed by ear; the amount put in place of one ruled out; the consent question said back;
    a yes given in with 算了; 不及 typed for 不急; this month beats 马上要; a particle is no
    homophone; 莫来哭 rules out no visit."""
    from matching import slots
    from matching.extract import extract_need, fill_slot
    from matching.need import NeedDraft
    from retrieval.homophones import fix_homophones
    from store import accounts

    accounts.account(bot.engine, "telegram", "f1", role="farmer")
    bot.chat("f1", "想找专家帮我看哈我的葡萄 叶子背后长白毛")
    said = text(bot.chat("f1", "市中区"))
    assert "乐山市" in said and "内江市" in said and "没有识别出地区" not in said
    assert "急不急" in text(bot.chat("f1", "乐山的"))
    for said in ("尽快", "面意吧 见面再说"):
        bot.chat("f1", said)
    said = text(bot.chat("f1", "同意"))
    assert "地区：乐山市市中区" in said and "预算：面议" in said
    accounts.account(bot.engine, "telegram", "f2", role="farmer")
    said = text(bot.chat("f2", "我在市中区 想请专家来看下我的猕猴桃 叶子焦边"))
    assert "内江市、乐山市都有市中区" in said
    bot.chat("f2", "内江的")
    for said in ("不慌", "两百", "同意"):
        reply = text(bot.chat("f2", said))
    assert "地区：内江市市中区" in reply
    accounts.account(bot.engine, "telegram", "f3", role="farmer")
    said = text(bot.chat("f3", "乐山的 柑橘烂根 想找人来看"))  # a city: which county
    assert "乐山市的话，是哪个县" in said and "都有市中区" not in said
    for said, county in (("哦不对 果园在木里那边 我是住盐源", "木里藏族自治县"),
                         ("地区错了 地在隔壁三台 我人是在中江打工", "三台县"),
                         ("不对不对 汉源是我女儿屋头 我是石棉的", "石棉县")):
        region = slots.region_meant(said)
        assert region is not None and region.name == county, said
    assert extract_need("我是合江福宝镇的 问下柑橘落果咋个办").region_code is not None
    assert extract_need("我是石棉瓦厂的 屋顶漏雨").region_code is None
    draft = NeedDraft(description="枇杷套袋")
    assert fill_slot(draft, "budget", "预算不是五万哈 是五千") and draft.budget == 5000
    assert slots.parse_budget("养了两千只 是五千") is None
    assert slots.parse_contact_consent("哦 就是给不给电话嘛 给嘛") is True
    assert slots.parse_contact_consent("给不给电话 不给") is False
    assert slots.parse_contact_consent("算了同意嘛 方便些") is True
    assert slots.parse_urgency("不及的 等冬天嘛") == "normal"
    assert slots.parse_urgency("来不及的") != "normal"
    assert slots.parse_urgency("这个月内吧 马上要开采了") == "soon"
    assert slots.parse_urgency("马上要采收了") == "urgent"
    assert fix_homophones("不及的 等冬天嘛") == "不及的 等冬天嘛"
    assert not slots.NO_VISIT.search("到时候亏了莫来哭")
    assert slots.NO_VISIT.search("莫来了 电话头说就行")
    # the place asked three times and never said: left open, said so, the form goes on
    accounts.account(bot.engine, "telegram", "f5", role="farmer")
    for said in ("想请专家来看下我的柑橘 叶子黄", "不慌", "三四千"):
        assert "哪个市" in text(bot.chat("f5", said))
    said = text(bot.chat("f5", "同意"))
    assert "不限（可远程）" in said and "请确认需求信息" in said and "【技术服务】" in said
    assert "地区：成都市蒲江县" in text(bot.chat("f5", "地区改成蒲江"))
    # a scientist hiring is a need of their own (人才需求), not an introduction
    accounts.account(bot.engine, "telegram", "f4", role="scientist")
    said = text(bot.chat("f4", "我是西南科大的研究员 在绵阳涪城区 "
                               "实验室想招一个搞微生物发酵的博士后"))
    assert "急不急" in said and "注册" not in said


def test_batch_sixteen_form_words(bot: Harness) -> None:
    """News that an emergency is over, then the form's answer; a question why at any prompt
    (its 不想说 no budget); the consent question said back with 嗦; leaving in more words
    than 算了 at the consent prompt, and a place named after it is no question; the week it
    cannot be done in is no urgency; a cap, then the amount within it."""
    from matching import slots
    from store import accounts

    accounts.account(bot.engine, "telegram", "g1", role="farmer")
    for said in ("请个专家来看下我的水稻 抽穗的时候遇到高温 结实率低得很", "泸县"):
        bot.chat("g1", said)
    assert text(bot.chat("g1", "哎呀我屋男人在田头晕倒了 一身滚烫 喊不答应")).startswith("⚠️")
    said = text(bot.chat("g1", "送到医院了 医生说是热射病 还好送得快 刚才专家那个事 很急 这周就要"))
    assert "费用" in said and "⚠️" not in said
    accounts.account(bot.engine, "telegram", "g2", role="farmer")
    bot.chat("g2", "我想找专家 水稻叶子上起梭梭形的斑 中间灰白色")
    said = text(bot.chat("g2", "你问那么多做啥子 不想说"))
    assert "附近的专家" in said and "预算" not in said
    for said in ("营山", "尽快"):
        bot.chat("g2", said)
    said = text(bot.chat("g2", "你问那么多做啥子"))  # at the budget prompt: why, and again
    assert "面议" in said and "费用" in said
    bot.chat("g2", "面议")
    assert "补充" not in text(bot.chat("g2", "同意"))
    accounts.account(bot.engine, "telegram", "g3", role="enterprise")
    bot.chat("g3", "射洪县的饲料厂 玉米原料霉菌毒素老是超标 想请专家来建个检测流程 "
             "很急 预算八万")
    said = text(bot.chat("g3", "你这个意思是要把我电话给专家嗦"))
    assert "联系方式告诉" in said and "请确认需求信息" not in said
    accounts.account(bot.engine, "telegram", "g4", role="farmer")
    for said in ("我养的兔子这几天突然死了好几只 想找兽医来看看 我在乐至", "急得很",
                 "两三百块钱嘛"):
        bot.chat("g4", said)
    said = text(bot.chat("g4", "电话不想给 算了不弄了 我自己拿去兽医站"))
    assert "已取消" in said and "出处" not in said
    assert slots.parse_urgency("紧急程度改成尽快 这周怕搞不赢") == "soon"
    assert slots.parse_budget("一万以内 八千嘛").amount == 8000
    assert slots.parse_budget("一万以内").amount == 10000



def test_batch_seventeen_form_words(bot: Harness) -> None:
    """A call to us is no phone given, and advice by phone asks no budget; a loss counted or
    "看情况" at the urgency prompt is no budget, "2k" is; a remote need keeps the place said
    later; the farm's place beats the firm's office; 下个月都行 is not urgent; 谈了再说 leaves
    the money open; a trip asked for names no problem."""
    from matching import slots
    from store import accounts

    accounts.account(bot.engine, "telegram", "h1", role="enterprise")
    bot.chat("h1", "我们公司在邛崃搞稻虾 想请个专家电话给我们讲下具体方案 不用来 不急")
    said = text(bot.chat("h1", "邛崃"))
    assert "联系方式告诉" in said and "费用" not in said
    accounts.account(bot.engine, "telegram", "h2", role="enterprise")
    bot.chat("h2", "宜宾叙州区的罐头厂 罐头放一段时间就胀罐 想请专家来厂里找原因")
    said = text(bot.chat("h2", "看情况 不是很急"))
    assert "费用" in said
    accounts.account(bot.engine, "telegram", "h3", role="farmer")
    bot.chat("h3", "母猪下的崽崽拉稀 找兽医来看 米易")
    bot.chat("h3", "2k")
    assert "费用" not in text(bot.chat("h3", "不急"))
    accounts.account(bot.engine, "telegram", "h4", role="scientist")
    said = text(bot.chat("h4", "我是西南科大的老师 实验室想找人帮忙开发鱼塘溶氧在线监测的设备"))
    assert "注册" not in said and "急不急" in said
    for said in ("绵阳涪城 急倒是不急", "课题经费十万左右"):
        bot.chat("h4", said)
    assert "地区：绵阳市涪城区" in text(bot.chat("h4", "可以"))
    accounts.account(bot.engine, "telegram", "h5", role="farmer")
    assert "遇到了什么问题" in text(bot.chat("h5", "你好 我想请个专家到我们兔场来一趟"))
    assert slots.region_meant("地区错了 场子在阆中 公司在南部").short_name == "阆中"
    assert slots.parse_urgency("下个月都行") == "normal"
    assert slots.parse_urgency("下个月之前") == "soon"
    assert slots.says_negotiable("这个谈了再说")
    assert slots.parse_remote("不想说在哪 打电话问问就行")


def test_batch_eighteen_form_words(bot: Harness) -> None:
    """A scientist seeking growers for a demonstration brings a need (成果转化, budget asked);
    "好 刚才那个需求 确认发布" publishes; "算了还是不发了" leaves, "算了还是公开嘛" does not;
    a cough of two weeks and more is no deadline; a plan to grow names a problem, a factory
    opened does not; "不是丹棱 是青神" at another prompt moves the place."""
    from bot.journeys import words
    from matching import slots
    from matching.need import NeedDraft
    from store import accounts

    accounts.account(bot.engine, "telegram", "i1", role="scientist")
    said = text(bot.chat("i1", "省农科院作物所的 有个再生稻新栽培模式 想找合作社做示范推广"))
    assert "哪个市" in said and "注册" not in said
    bot.chat("i1", "泸县")
    assert "费用" in text(bot.chat("i1", "尽快 头季稻马上要收了"))
    assert slots.parse_kind("想找芒果园做一个水肥一体化的示范 需要当地合作社配合") \
        == "achievement_transfer"
    accounts.account(bot.engine, "telegram", "i2", role="enterprise")
    bot.chat("i2", "我们是东坡区做腊肠的 厂里自己检出来亚硝酸盐有时候偏高 想请个专家来帮我们调配方 "
                   "这个事不急 等过了年再说")
    assert "请确认需求信息" in text(bot.chat("i2", "两万 专家来了电话可以给他"))
    assert "需求已发布" in text(bot.chat("i2", "好 刚才那个需求 确认发布"))
    assert words.leaves("算了还是不发了 我先问下老板")
    assert not words.leaves("算了还是公开嘛 多几个专家看到好些")
    assert not words.leaves("算了还是给五千嘛 怕人家不来")
    assert slots.parse_urgency("辖区咳嗽两周以上的老人多 想请专家帮我们建个肺结核筛查流程") is None
    assert slots.says_negotiable("预算等专家来了再谈")
    planned = NeedDraft(description="我是宜宾县的 想在竹林里种天麻 想找个专家来指导",
                        products=["竹林", "天麻"])
    assert "description" not in planned.recompute_missing()
    opened = NeedDraft(description="你好 我们在乐山市中区开了个豆腐乳厂 想请个专家来厂里看看")
    assert "description" in opened.recompute_missing()
    accounts.account(bot.engine, "telegram", "i3", role="farmer")
    for said in ("我屋头桃树叶子皱起发红 帮我找个专家来看 我在丹棱",
                 "不是丹棱 是青神 丹棱是我老丈人屋头", "不急", "五六百"):
        bot.chat("i3", said)
    assert "地区：眉山市青神县" in text(bot.chat("i3", "同意"))
