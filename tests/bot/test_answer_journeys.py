"""The answers a farmer reads, on the demo corpus, through the dialog: each example from the
answers issue as a journey (the asked fact first, one subject, whole lists, emergencies in
people's words, small talk and off-topic asks, follow-ups), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.dialog import Dialog
from core.clock import ManualClock
from core.settings import get_settings
from knowledge.importers import import_file
from matching.offers import OfferService
from matching.service import Matcher
from retrieval.answer import Answerer
from retrieval.encoders import get_encoder
from retrieval.index import SearchIndex
from retrieval.search import Searcher
from store.models import QuestionLog

from ..support import Harness, actions, text

CORPUS = Path(__file__).resolve().parents[2] / "knowledge" / "corpus" / "articles"
MENU = ["menu:ask", "menu:need", "menu:scientist"]


class _RememberingEncoder:
    """The real encoder, remembering what it encoded: each test builds its own store and
    index from the same 139 articles, which need encoding once per run, not once per test."""

    def __init__(self) -> None:
        self._real = get_encoder(None)
        self.name, self.dim = self._real.name, self._real.dim
        self._seen: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if missing:
            self._seen.update(zip(missing, self._real.encode(missing), strict=True))
        return np.stack([self._seen[t] for t in texts]) if texts else self._real.encode([])


_ENCODER: list[_RememberingEncoder] = []


@pytest.fixture
def demo(store: Engine) -> Harness:
    for path in sorted(CORPUS.glob("*.jsonl")):
        import_file(store, "articles", path)
    settings = get_settings()
    clock = ManualClock()
    if not _ENCODER:
        _ENCODER.append(_RememberingEncoder())
    index = SearchIndex(store, settings, encoder=_ENCODER[0])
    index.sync("articles")
    matcher = Matcher(index, store, settings, clock)
    dialog = Dialog(store, answerer=Answerer(Searcher(index)), matcher=matcher,
                    offers=OfferService(store, matcher.ranker, settings, clock), clock=clock)
    return Harness(dialog, store, settings, clock)


def cited(reply_text: str) -> list[str]:
    """Titles in the "出处：[1]《…》；[2]《…》" line."""
    if "出处：" not in reply_text:
        return []
    return re.findall(r"《(.+?)》", reply_text.split("出处：")[-1])


def body(reply_text: str) -> str:
    return reply_text.split("\n出处：")[0]


def test_a_piglet_question_cites_the_piglet_article_only(demo: Harness) -> None:
    said = text(demo.chat("f1", "才生下来十几天的猪儿拉稀，拉的黄汤汤，咋个办"))
    assert cited(said) == ["仔猪腹泻的防治"]
    for human in ("幽门螺杆菌", "奥美拉唑", "胃镜"):
        assert human not in said


def test_a_sick_pig_in_peoples_words_and_a_follow_up_naming_no_one(demo: Harness) -> None:
    """"不吃食…发紫…红点点" is the swine-fever article's "厌食、皮肤发红发紫"; "那要打啥子针"
    right after is still about the pig: never the rabies-vaccine article for people."""
    said = text(demo.chat("f11", "猪儿不吃食，耳朵发紫，身上有红点点"))
    assert cited(said) == ["非洲猪瘟生物安全防控"], said
    said = text(demo.chat("f11", "那要打啥子针"))
    assert "狂犬" not in said and all("狂犬" not in c for c in cited(said)), said


def test_a_coughing_pig_never_gets_the_tuberculosis_article(demo: Harness) -> None:
    said = text(demo.chat("f12", "猪儿一直咳嗽喘粗气"))
    assert "结核" not in said, said


def test_how_much_lime_leads_with_the_amount(demo: Harness) -> None:
    said = body(text(demo.chat("f2", "李子树土壤酸化了撒石灰可以吗，撒多少")))
    first = re.split(r"(?<=。)", said)[0]
    assert "50到75公斤" in first, said
    assert "100到150公斤" in said and "分两年" in said


def test_a_stroke_in_peoples_words_gets_120_and_the_fast_article(demo: Harness) -> None:
    said = text(demo.chat("f3", "屋头老人突然嘴巴歪了说话不清楚"))
    assert said.startswith("⚠️") and "120" in said.splitlines()[0]
    assert cited(said)[0].startswith("心梗和脑卒中的早期信号")
    assert "海姆立克" not in said and "跌倒" not in said


def test_tea_leafhopper_list_is_whole_and_about_tea(demo: Harness) -> None:
    said = text(demo.chat("f4", "茶树上有好多小绿虫虫 打啥子药"))
    assert cited(said) == ["茶小绿叶蝉的防治"]
    assert "贪夜蛾" not in said and "玉米" not in said
    numbers = re.findall(r"([一二三四五六])是", said)
    assert numbers == list("一二三四五六"[:len(numbers)])  # no gap: 一是, 二是, 三是 …
    assert not body(said).rstrip("[1]").endswith(("；", "：", "，"))


@pytest.mark.parametrize("said", ["你好", "谢谢", "帮我写个请假条", "明天成都天气咋样",
                                  # no rule knows these; nothing vetted answers them and
                                  # they speak of no farming, health, safety or science
                                  "工地老板欠我三个月工资 去哪里要",
                                  "are you a robot or a real person"])
def test_small_talk_and_off_topic_are_not_unmet_questions(demo: Harness, said: str) -> None:
    reply = demo.chat("f5", said)
    assert actions(reply) == MENU and "forward" not in actions(reply)
    assert "没有经过专家审核" not in text(reply) and "降水概率" not in text(reply)
    with Session(demo.engine) as s:
        assert s.execute(select(func.count()).select_from(QuestionLog)).scalar_one() == 0


def test_a_follow_up_keeps_its_topic(demo: Harness) -> None:
    demo.chat("f6", "李子园土壤酸化了咋整")
    said = text(demo.chat("f6", "啥时候撒好"))
    assert cited(said)[0] == "李子园土壤酸化的成因与改良"
    assert re.split(r"(?<=。)", body(said))[0].find("秋冬季") >= 0, said  # the time, first
    said = text(demo.chat("f6", "那石灰撒好多"))
    assert "50到75公斤" in re.split(r"(?<=。)", body(said))[0], said


def test_a_new_subject_is_not_read_as_a_follow_up(demo: Harness) -> None:
    demo.chat("f7", "流感疫苗哪些人该打")
    said = text(demo.chat("f7", "鸡不下蛋是啥原因"))
    assert "流感" not in said  # a chicken question never gets the flu-vaccine article


def test_a_hot_pig_is_not_a_human_emergency(demo: Harness) -> None:
    said = text(demo.chat("f8", "猪热得很不吃食"))
    assert "120" not in said and "中暑" not in said
    assert "仔猪腹泻" not in said  # and not another pig article that does not answer it


@pytest.mark.parametrize("said, article", [
    ("我妈喝了一口敌敌畏", "农药中毒急救"),
    ("有人触电了", "家庭用电安全"),
    ("煤炉烤火几个人都头晕", "冬季取暖防范一氧化碳中毒"),
    # the article of the topic, found by its title, though other words pull elsewhere
    ("放羊的时候旁边那个人遭雷打了 倒地上", "雷电防护"),
    ("爷爷左手突然抬不起来 碗都端不住", "心梗和脑卒中的早期信号"),
    ("厨房好大一股臭鸡蛋味 我妈晕在灶台边上", "闻到燃气味怎么办"),
    ("娃儿把奶奶的降压药吃了 现在想睡 叫不咋醒", "儿童误服药物和消毒液"),
])
def test_emergencies_in_peoples_words_put_120_first(demo: Harness, said: str,
                                                    article: str) -> None:
    reply = text(demo.chat("f9", said))
    assert reply.startswith("⚠️") and "120" in reply.splitlines()[0]
    if article:
        assert cited(reply) and cited(reply)[0].startswith(article), reply


def test_an_emergency_without_its_article_gets_120_and_what_to_do_only(demo: Harness) -> None:
    """No febrile-fit article in the corpus: the hand-foot-mouth article must not stand in."""
    reply = text(demo.chat("f11", "娃儿发高烧抽筋了"))
    assert reply.startswith("⚠️") and "120" in reply.splitlines()[0]
    assert "侧躺" in reply and not cited(reply)
    assert "手足口" not in reply


@pytest.mark.parametrize("said", ["", "😀😀😀", "土" * 10_000, "Лиза 李子 ñ 🍑 酸化??"])
def test_bad_input_gets_a_clear_reply(demo: Harness, said: str) -> None:
    reply = demo.chat("f10", said)
    assert reply and all(r.text.strip() for r in reply)


def test_a_question_inside_the_form_is_answered_and_the_form_goes_on(demo: Harness) -> None:
    # (the orchard alone names no problem: what is wrong is asked first)
    assert "遇到了什么问题" in text(demo.chat("f10", "我们合作社想请专家来看看猕猴桃园"))
    assert "哪个市" in text(demo.chat("f11", "我们合作社想请专家来看看猕猴桃园 叶子发黄"))
    said = text(demo.chat("f11", "对了，溃疡病现在打啥子药？"))
    assert cited(said) == ["猕猴桃细菌性溃疡病防控"] and "柑橘" not in said
    assert said.rstrip().endswith("我们优先为您找附近的专家。")  # the pending question again
    assert "急不急" in text(demo.chat("f11", "我在蒲江"))


def test_a_question_with_a_request_gets_the_answer_then_the_form(demo: Harness) -> None:
    said = text(demo.chat("f12", "猕猴桃溃疡病打啥子药？我们合作社想请个专家来现场看看"))
    assert cited(said) == ["猕猴桃细菌性溃疡病防控"]
    assert said.rstrip().endswith("我们优先为您找附近的专家。")


def test_a_yes_or_no_leads_with_its_fact_not_the_articles_opening(demo: Harness) -> None:
    # yes/no marks (会, 最好, 没有…) are in most sentences: the ones before the fact asked are
    # not more of it, and "最好在开饭前…" must not lead an answer about sprouted potatoes
    said = body(text(demo.chat("p1", "吃了发芽的洋芋会不会中毒")))
    assert re.split(r"(?<=。)", said)[0].startswith("发芽较多或大面积变绿的土豆不要吃"), said


@pytest.mark.parametrize("said", ["酒糟可以喂猪不", "对了 用酒糟喂猪要得不"])
def test_a_feed_no_article_names_gets_no_swine_fever_article(demo: Harness, said: str) -> None:
    # the swine-fever article says 喂猪 and 泔水, never 酒糟: it does not answer the question
    reply = text(demo.chat("p3", said))
    assert "没有经过专家审核" in reply and "非洲猪瘟" not in reply, reply


def test_swill_by_its_sichuan_name_still_gets_the_swine_fever_article(demo: Harness) -> None:
    said = text(demo.chat("p4", "隔壁村在传非洲猪瘟 馆子头的潲水还能喂猪不"))
    assert cited(said)[:1] == ["非洲猪瘟生物安全防控"] and "泔水" in said, said


@pytest.mark.parametrize("said", ["核桃树嫁接朗个嫁 好久嫁最好",
                                  "还有熬夜对身体有啥子影响 他天天看电视看到半夜"])
def test_a_word_shared_in_passing_is_no_answer(demo: Harness, said: str) -> None:
    # "最好", "看电视" are in the orchard-grass and myopia articles, which answer neither
    reply = text(demo.chat("p5", said))
    assert "没有经过专家审核" in reply and "出处" not in reply, reply


def test_a_prompt_answered_with_a_question_by_the_way_gets_both(demo: Harness) -> None:
    demo.chat("p6", "我在眉山东坡区 柑橘园落果多 想请个专家来看下")
    said = text(demo.chat("p6", "尽快。顺便问下，柑橘冬季清园要喷啥子药"))
    assert cited(said) == ["柑橘冬季清园怎么做"] and "石硫合剂" in said
    assert said.rstrip().endswith("也可以说“面议”。")  # the urgency taken, the budget asked


def test_a_question_then_a_request_without_punctuation_gets_both(demo: Harness) -> None:
    said = text(demo.chat("p7", "我们基地李树流胶严重 先说下咋防 再帮我们找个专家到现场看"))
    assert cited(said) == ["李树流胶病怎么防治"]
    assert "哪个市" in said


def test_how_to_be_tested_leads_to_the_test(demo: Harness) -> None:
    said = body(text(demo.chat("p8", "幽门螺旋杆菌咋查啊 要抽血不 我外婆要去查")))
    assert "呼气试验" in said


def test_collapsing_after_spraying_a_pesticide_is_the_poisoning_not_the_heat(
        demo: Harness) -> None:
    said = text(demo.chat("p9", "快点快点 我老汉儿在地头打敌敌畏 回来就倒了 口吐白沫 喊都喊不答应"))
    assert said.startswith("⚠️") and cited(said)[:1] == ["农药中毒急救：拨打120，带上农药包装"]
    said = text(demo.chat("p9", "打了打了 120说马上来 现在要不要给他灌点水让他吐出来"))
    assert cited(said)[:1] == ["农药中毒急救：拨打120，带上农药包装"] and "催吐" in said


@pytest.mark.parametrize("said", ["员工被公司门口的野狗咬了一口 破了点皮 咋处理",
                                  "狂犬疫苗打了两针了 后头的能不能不打了"])
def test_a_dog_is_never_answered_with_the_bee_sting_article(demo: Harness, said: str) -> None:
    assert cited(text(demo.chat("p10", said)))[:1] == ["被狗猫咬伤抓伤怎么办：伤口处理与狂犬病疫苗"]


def test_that_pointing_back_yields_to_a_question_naming_another_article(demo: Harness) -> None:
    demo.chat("p11", "茶树上有好多小绿虫虫 打啥子药")
    said = text(demo.chat("p11", "那名优茶采摘，一芽一叶初展是啥子标准哦"))
    assert cited(said) == ["名优茶采摘标准"], said


def test_a_question_about_effects_at_the_card_is_answered_and_changes_nothing(
        demo: Harness) -> None:
    # "有啥影响" asks; it is neither the need's new title nor text the experts read
    for line in ("屋头猕猴桃得了溃疡病，想请个专家来看下", "蒲江", "不急", "两千", "同意"):
        said = text(demo.chat("p2", line))
    assert "请确认需求信息" in said
    card = said[said.index("请确认需求信息"):]
    said = text(demo.chat("p2", "长期熬夜对身体有啥影响"))
    assert "没有经过专家审核" in said  # the sleep article is a draft: nothing vetted answers
    assert said.endswith(card) and "熬夜" not in said[said.index("请确认需求信息"):]


def test_a_follow_up_after_an_emergency_stays_with_its_first_aid(demo: Harness) -> None:
    # "给她吃颗阿司匹林不" after a stroke: the stroke article (which says not to), not choking
    assert cited(text(demo.chat("s1", "我妈刚才突然嘴巴歪了 说话都说不清楚 一只手也抬不起来")))
    said = text(demo.chat("s1", "等救护车的时候可以给她吃颗阿司匹林不"))
    assert cited(said)[:1] == ["心梗和脑卒中的早期信号：记住FAST，立即打120"]
    assert "阿司匹林" in body(said)


def test_a_follow_up_inside_a_form_after_an_emergency_is_about_the_emergency(
        demo: Harness) -> None:
    # a drowning typed in the middle of a need, then "控水?": about the child, not the manure
    demo.chat("e1", "我们养殖场想找专家搞粪污处理 做沼气")
    said = text(demo.chat("e1", "快 塘子头有个娃儿掉下去了 捞起来没得气了"))
    assert said.startswith("⚠️") and "溺水" in "".join(cited(said))
    said = text(demo.chat("e1", "要不要把他倒起来控水"))
    assert "溺水" in "".join(cited(said)[:1]) and "控水" in body(said)


def test_a_crop_no_article_is_about_gets_an_honest_no(demo: Harness) -> None:
    # lychee is not citrus: no citrus article answers it
    said = text(demo.chat("f9", "合江这边荔枝树今年花开得多 就是不挂果 啥原因哦"))
    assert not cited(said) and "没有经过专家审核" in said


def test_a_scam_call_gets_the_fraud_article_not_120(demo: Harness) -> None:
    said = text(demo.chat("c3", "有人打电话说我儿子出车祸了 喊我马上转钱 咋个办"))
    assert not said.startswith("⚠️")
    assert cited(said)[:1] == ["防范电信网络诈骗：识破冒充公检法和刷单返利"]


def test_a_reaction_to_an_antibiotic_gets_120_and_the_antibiotics_article(
        demo: Harness) -> None:
    said = text(demo.chat("c4", "输了头孢 浑身起红疙瘩 喉咙发紧 出气不赢"))
    assert said.startswith("⚠️") and "120" in said.splitlines()[0]
    assert cited(said)[:1] == ["合理使用抗生素：感冒不用吃“消炎药”"]
    assert "停药" in body(said)


def test_an_emergency_answer_leads_with_what_to_do_now(demo: Harness) -> None:
    # a diabetic's low sugar: sugar by mouth, and no forcing food on someone who cannot wake
    said = body(text(demo.chat(
        "c5", "老汉儿糖尿病 早上打了针没吃东西 现在喊不醒 要不要给他灌糖水")))
    assert said.startswith("⚠️")
    assert "不要强行喂食" in said


def test_an_emergency_after_another_is_its_own_question(demo: Harness) -> None:
    # a cut that will not stop bleeding, then a drunk man who cannot be woken: the second
    # gets the CPR article, not a follow-up of the first (which once gave fall prevention)
    first = text(demo.chat("c6", "我婆婆切菜 刀把手指头切深了 包了三层布还在往外浸"))
    assert first.startswith("⚠️") and "按住伤口" in first
    said = text(demo.chat("c6", "我们村头有个老汉儿喝了酒睡在路边 喊都喊不醒 出气呼噜呼噜的"))
    assert said.startswith("⚠️")
    assert cited(said)[:1] == ["心肺复苏（CPR）：人人都该会的救命技能"]


def test_words_no_rule_knows_still_reach_the_right_first_aid_article(demo: Harness) -> None:
    said = text(demo.chat("c7", "外婆吃饭吃到一半 筷子掉了 半边嘴巴流口水"))
    assert said.startswith("⚠️")
    assert cited(said)[:1] == ["心梗和脑卒中的早期信号：记住FAST，立即打120"]


def test_a_follow_up_about_a_tree_never_gets_a_vegetable_article(demo: Harness) -> None:
    # no vetted article on plum aphids: the follow-up once got vegetable root-knot nematodes
    demo.chat("c8", "老师 我屋头李子树叶子卷起了 上面有好多小虫虫")
    said = text(demo.chat("c8", "那打啥子药嘛"))
    assert "蔬菜" not in said and "线虫" not in said


def test_doubt_in_an_emergency_is_answered_with_the_signs_then_what_to_do(demo: Harness) -> None:
    # "是不是一起感冒了": the sign that says it is carbon monoxide comes first, the windows soon
    said = body(text(demo.chat("c9", "屋头烧了一盆炭烤火 门窗都关起的 全家人都脑壳痛想吐 "
                                     "是不是一起感冒了")))
    assert said.startswith("⚠️")
    lines = said.splitlines()
    assert "容易被当成感冒" in lines[1][:80]
    assert "立即打开门窗通风" in said


def test_a_grown_up_choking_gets_the_adult_steps_whole(demo: Harness) -> None:
    # the fist above the navel (once cut off), and the late-pregnancy variant the wife needs
    said = body(text(demo.chat("c10", "我老婆怀起的八个多月了 吃东西噎到了 说不出话 肚子大咋个冲")))
    assert said.startswith("⚠️")
    assert "拳眼放在肚脐上方" in said and "在胸骨下半部冲击" in said


def test_a_field_worker_who_collapses_hot_and_fitting_gets_heat_stroke(demo: Harness) -> None:
    said = text(demo.chat("c11", "请的工人在田头割谷子倒起了 身上烫得很 说胡话 还抽了两下"))
    assert said.startswith("⚠️")
    assert cited(said)[:1] == ["中暑的识别与急救"] and "持续给病人降温" in said


def test_a_bare_follow_up_stays_with_the_disease_just_named(demo: Harness) -> None:
    # "那啥时候打药好" after a colloquial rapeseed question once got pesticide poisoning
    demo.chat("c12", "油菜杆杆上长白霉，剖开里头有黑的像老鼠屎一样的东西，是啥子病")
    said = text(demo.chat("c12", "那啥时候打药好"))
    assert cited(said)[:1] == ["油菜菌核病的防治"] and "初花期" in said


def test_a_follow_up_naming_its_own_crop_and_problem_stands_alone(demo: Harness) -> None:
    demo.chat("c13", "青花椒修枝是不是摘的时候一起剪")
    said = text(demo.chat("c13", "花椒树杆上流胶又咋个整"))
    assert cited(said)[:1] == ["花椒流胶病怎么办"]


def test_a_crop_named_in_an_introduction_is_the_subject_of_the_next_question(
        demo: Harness) -> None:
    # "我是苍溪的 种了三十亩红心猕猴桃" asks nothing: no answer is pushed on it, the crop is
    # asked about; then "是不是溃疡病" is kiwifruit canker, never citrus canker
    said = text(demo.chat("c14", "老师好 我是苍溪的 种了三十亩红心猕猴桃"))
    assert "出处" not in said and "猕猴桃遇到了什么问题" in said
    said = text(demo.chat("c14", "今年开春枝条上流红水水 叶子也有褐斑斑 是不是溃疡病哦"))
    assert cited(said)[:1] == ["猕猴桃细菌性溃疡病防控"]
    said = text(demo.chat("c14", "那要打啥子药"))
    assert cited(said)[:1] == ["猕猴桃细菌性溃疡病防控"] and "柑橘" not in said


def test_a_crop_question_gets_the_crop_article_not_a_general_one(demo: Harness) -> None:
    # the spraying words once brought pesticide-handling safety ahead of rapeseed sclerotinia
    said = text(demo.chat("c15", "油菜杆杆上一块一块灰白的 剖开头有黑色的像耗子屎一样的东西 "
                                 "啥子时候打药最关键"))
    assert cited(said)[:1] == ["油菜菌核病的防治"] and "初花期" in said


def test_not_breathing_in_the_sun_is_cpr_not_heat_stroke(demo: Harness) -> None:
    said = text(demo.chat("c16", "救命 我老汉在院坝晒谷子一头栽下去了 喊不答应 胸口也不动了"))
    assert said.startswith("⚠️")
    assert cited(said)[:1] == ["心肺复苏（CPR）：人人都该会的救命技能"]


def test_fresh_answers_from_an_eleventh_set(demo: Harness) -> None:
    # the asking sentence after a preamble is what the answer is chosen for
    said = text(demo.chat("c17", "我在省地震局做科普工作，想了解你们的内容："
                                 "室内发生地震来不及跑出去该怎么做？"))
    assert "伏地、遮挡、手抓牢" in said
    # a wasp nest met at field work is the stings article ("地里" is a place, not a crop)
    assert "绕道走" in text(demo.chat("c18", "夏天去地里干活 碰到马蜂窝咋个办"))
    # a grown-up choking: the baby's back blows are left out
    said = text(demo.chat("c19", "老汉吃汤圆哽到了 说不出话 两只手掐起喉咙 脸都青了 "
                                 "快教我咋个弄"))
    assert said.startswith("⚠️") and "肚脐上方" in said and "拍背5次" not in said
    # touching a live wire at the pump is electric shock, not heat stroke
    said = text(demo.chat("c20", "幺爸在田头抽水机那碰到电线倒了 电线还搭在他身上 "
                                 "电闸不晓得在哪"))
    assert said.startswith("⚠️") and "干燥的木棍" in said
    # a goose vaccine is not the rabies vaccine; a pressure cooker's heat is no burn
    said = text(demo.chat("c21", "今年抓了两百只鹅儿 小鹅瘟的疫苗是出壳好多天打"))
    assert "没有经过专家审核" in said and "狂犬" not in said
    said = text(demo.chat("c22", "在理塘用高压锅煮饭 锅头的水能烧到好多度"))
    assert not said.startswith("⚠️") and "110℃左右" in said
    # a greeting and a forecast in Sichuanese are small talk, never an article
    assert "出处" not in text(demo.chat("c23", "在不在 有人没得"))
    assert "出处" not in text(demo.chat("c24", "明天成都会不会落雨 我要把被子拿出去晒"))


def test_fresh_answers_from_a_twelfth_and_thirteenth_set(demo: Harness) -> None:
    # a baby choking: the baby's steps, not the grown-ups' abdominal thrusts
    said = text(demo.chat("c25", "八个月的娃儿嘴巴头含了颗花生 突然哭不出声 脸憋得发紫 快点教我"))
    assert said.startswith("⚠️") and "拍背5次" in said and "肚脐上方" not in said
    # buried under rubble: the earthquake article's "被埋压时"; a car in floodwater: 内涝
    said = text(demo.chat("c26", "房子垮了 我遭压在下头 腿动不了 外头没得声音 手机电不多了"))
    assert said.startswith("⚠️") and "敲击管道或墙壁" in said
    said = text(demo.chat("c27", "车子开到桥洞下头熄火了 水涨到窗子了 门推不开 救命"))
    assert said.startswith("⚠️") and cited(said)[:1] == ["暴雨天城市内涝避险：步行、开车和地下空间"]
    # the amount asked of one plant, not the next plant's in the same article
    said = text(demo.chat("c28", "冬水田空起也是空起 想撒点紫云英肥田 一亩地下好多种子合适"))
    assert "每亩用种2到3公斤" in said and "3到4公斤" not in said
    # a pig's dehydration: what to give it, first
    said = text(demo.chat("c29", "猪儿拉稀脱水了先喂点啥子"))
    assert "口服补液盐" in said


def test_a_subject_the_asker_rules_out_is_not_the_answer() -> None:
    from retrieval.answer import _DENIED

    assert _DENIED.findall("农技员来看了说是根肿病 不是线虫 这个病地头要撒啥子") == ["线虫"]
    assert _DENIED.findall("这个不是猪瘟哈 是拉稀") == ["猪瘟"]
    for said in ("是不是线虫", "不是很急", "不是说要打药吗"):
        assert _DENIED.findall(said) == []


def test_near_misses_are_not_answers_and_the_askers_case_is_kept(demo: Harness) -> None:
    """From a fifteenth answers set: a disease the article never names, a hot pig and a winter
    or human article, a frost question read as a forecast, a gas hose read as an emergency, and
    the value for another variety in the same sentence."""
    no_vetted = "没有经过专家审核"
    said = text(demo.chat("n1", "我今年五十几了 带状疱疹疫苗要不要打 要打几针"))
    assert no_vetted in said and "狂犬" not in said
    said = text(demo.chat("n2", "苹果树枝干上树皮烂了 一块一块的发褐 是腐烂病不 咋个刮咋个涂药"))
    assert no_vetted in said and "冰雹" not in said
    said = text(demo.chat("n3", "这两天热得很 猪儿在圈头一直喘粗气 趴起不吃东西 是不是中暑了 "
                                "咋个给猪降温"))
    assert no_vetted in said and not said.startswith("⚠️")
    # a disease's other name and a slip of the pen still find its article
    assert cited(text(demo.chat("n4", "猕猴桃树干上流红水水，是不是溃杨病哦")))[:1] == [
        "猕猴桃细菌性溃疡病防控"]
    said = text(demo.chat("n5", "今晚上要降温到零下 李子正在开花 听说可以熏烟 一亩地烧几堆"))
    assert "4到6堆" in said
    said = text(demo.chat("n6", "屋头的燃气灶用的橡胶软管 好长算合适"))
    assert "2米" in said and not said.startswith("⚠️")
    said = text(demo.chat("n7", "我们种的是绿肉的猕猴桃 糖度计测到好多就可以开始摘了"))
    assert "6.5%以上" in said and "7%以上" not in said
    said = text(demo.chat("n8", "仔猪睡觉那块地方 冬天温度要保持好多度才合适 刚下的小猪儿"))
    assert "28到32℃" in said and "22到26℃" not in said
    said = text(demo.chat("n9", "你们周末上班吗？"))
    assert "出处" not in said and no_vetted not in said


def test_another_matter_after_an_answer_is_a_new_question(demo: Harness) -> None:
    assert "鼻翼" in text(demo.chat("n10", "娃儿流鼻血了 咋个止"))
    said = text(demo.chat("n10", "好了止住了 还有个事 前两天他手遭开水烫了 当时应该冲好久冷水喃"))
    assert "15到30分钟" in said and "鼻翼" not in said
    # boiling water on the plateau asked by a travel agency: physics, not tourism
    said = text(demo.chat("n11", "hello 我们是做川西自驾游的旅行社，客人老问为啥子到了康定烧开水"
                                 "泡茶不香，水开的时候大概好多度？"))
    assert "出处" in said
    # the air a child with asthma breathes is health, not a trip out
    said = text(demo.chat("n12", "今天AQI 160 是啥子级别 我娃儿有哮喘 能出去耍不"))
    assert "中度污染" in said


def test_season_greetings_forecasts_and_weather_told_of_a_pig(demo: Harness) -> None:
    from retrieval import smalltalk

    assert smalltalk.classify("早上好！祝你新年快乐，身体健康！") == "greeting"
    assert smalltalk.classify("明天早上跑雅西高速 泥巴山会不会下雪结冰") == "out_of_scope"
    assert smalltalk.classify("明天我们镇上落不落雨 要不要赶紧收苞谷") == "out_of_scope"
    # the weather told, not asked for: a question about the pigs
    assert smalltalk.classify("这几天天气热 猪儿热得喘气咋个办") is None
    said = text(demo.chat("n13", "我屋头李子数种了八年了叶子黄果子小测了土说是ph五点二"
                                 "那个石灰一亩地撒好多合适"))
    assert "50到75公斤" in said and "100到150公斤" not in said


def test_asking_whether_the_service_costs_money_is_answered_not_declined(demo: Harness) -> None:
    from retrieval import smalltalk

    for ask in ("你们这个要钱不", "问问题收不收费哦", "在这儿问要钱不"):
        assert smalltalk.classify(ask) == "cost", ask
    # what an expert costs is a budget, asked in the form, not small talk
    assert smalltalk.classify("请专家来一趟要好多钱") is None
    said = text(demo.chat("cost1", "你们这个要钱不"))
    assert "免费" in said and "帮不上忙" not in said


def test_fresh_questions_from_the_thirty_first_to_fifth_dialog_sets(demo: Harness) -> None:
    from store import accounts

    # people named with a zoonosis are no conflict with its article's dog; how one catches
    # it leads; 高反 is altitude sickness, and what to do once it happens comes first
    said = text(demo.chat("h1", "包虫病是咋个得的 我们石渠这边好多人有"))
    assert "包虫病" in said and "传染源" in said
    said = text(demo.chat("h2", "游客来了经常高反 咋个处理比较好"))
    assert "高原反应" in said and "吸氧" in said
    # the one sentence naming the mushroom asked about is in the answer
    assert "炒熟" in text(demo.chat("h3", "见手青要炒好久才不得中毒"))
    # a longhorn beetle is no animal: the pepper tree of the form is the subject
    demo.chat("h4", "花椒树流胶流得凶 想请专家来看")
    demo.chat("h4", "金阳县")
    said = text(demo.chat("h4", "问一下 流胶是不是天牛搞的嘛"))
    assert "花椒流胶病" in said and "急不急" in said
    # gout is a person's: not answered from the piglet article of the pig form
    demo.chat("h5", "找专家 猪儿发烧不吃食 雷波")
    said = text(demo.chat("h5", "问下 我有痛风 豆腐吃得不"))
    assert "仔猪" not in said and "急不急" in said
    # "那溃疡病呢" after kiwifruit questions is kiwifruit canker; "那兔子呢" after vaccines asks
    demo.chat("h6", "猕猴桃人工授粉 用毛笔点还是用机器喷好点")
    assert "猕猴桃细菌性溃疡病" in text(demo.chat("h6", "那溃疡病呢"))
    demo.chat("h7", "鸡要打啥子疫苗 好久打")
    assert "兔" in text(demo.chat("h7", "那兔子呢")) and "遇到了什么问题" not in text(
        demo.chat("h7", "那兔子呢"))
    # a question then a request with no punctuation: the answer, then the form
    said = text(demo.chat("h8", "你好 油菜菌核病用药关键期是啥时候 我们合作社在渠县有八百亩油菜 "
                                "想请专家来做个统防统治的方案"))
    assert "出处" in said and "急不急" in said
    # no answer at the budget prompt, a question by the way: answered, the budget asked again
    demo.chat("h9", "我们是屏山县的一家茶企，小绿叶蝉危害重，想请植保专家现场制定防控方案")
    demo.chat("h9", "尽快吧")
    said = text(demo.chat("h9", "预算还在报批，先问一下，茶小绿叶蝉一年当中啥时候最凶？"))
    assert said.index("九十月") < said.index("费用")
    # a firm saying it asks is answered, not given the form; tea fermentation is not in it
    accounts.account(demo.engine, "telegram", "h10", role="enterprise")
    said = text(demo.chat("h10", "我们合作社是做名优绿茶的 想问下采茶的标准 "
                                 "一芽一叶 一芽二叶有啥子讲究"))
    assert "名优茶采摘标准" in said and "哪个市" not in said
    assert "出处" not in text(demo.chat("h10", "我们还想做个红茶新产品 红茶发酵有没得资料"))


def test_a_crop_named_with_a_trouble_only_another_crops_article_names_is_not_answered(
        demo: Harness) -> None:
    # gummosis is written up for plums and peppers only: the citrus fruit-set article, about
    # citrus but silent on 流胶, is no answer; kiwifruit's "white sap" is its canker's ooze
    said = text(demo.chat("t1", "柑子树流胶咋整"))
    assert "保果" not in said and "出处" not in said
    said = text(demo.chat("t2", "我屋头米猴桃树杆杆上流白浆浆 咋个办"))
    assert "猕猴桃细菌性溃疡病" in said and "人工授粉" not in said


def test_fresh_questions_from_the_fortieth_to_second_dialog_sets(demo: Harness) -> None:
    # a crop named with a general article on top: the crop's own article answers
    assert "天麻林下种植" in text(demo.chat("k1", "天麻栽下去好久能挖"))
    # "那泔水还可不可以喂猪" after swine fever: the swill is named there, not a new feed
    demo.chat("k2", "非洲猪温有没有疫苗打哦")
    said = text(demo.chat("k2", "那泔水还可不可以喂猪"))
    assert "不使用泔水喂猪" in said
    # what to take to hospital leads: the pesticide's bottle
    demo.chat("k3", "我老汉打了农药晕倒了 喊不醒")
    said = text(demo.chat("k3", "打了120说马上来 要带啥子去"))
    # (still the emergency while the ambulance comes: the 120 line, then the bottle leads)
    answer = said.split("\n", 1)[1] if said.startswith("⚠️") else said
    assert answer.index("瓶子") < 40
    # how fast to press is the rate
    demo.chat("k4", "我老汉突然倒起了 喊不答应 咋个办")
    said = text(demo.chat("k4", "心肺复苏按好快啊"))
    assert said.index("每分钟100到120次") < 40
    # a short question naming its own pest is not a follow-up of the wheat one before
    demo.chat("k5", "小麦叶子上黄色的条条 一摸一手黄粉 是啥子病")
    said = text(demo.chat("k5", "草地贪夜蛾咋个认"))
    assert "草地贪夜蛾" in said and "条锈病" not in said
    # the safe interval asked at the budget prompt, with a parcel mentioned, is answered
    demo.chat("k6", "我家李子树叶子发黄 想找个专家来看下")
    demo.chat("k6", "蒲江")
    demo.chat("k6", "不急")
    said = text(demo.chat("k6", "问一哈 打了药好多天才能摘果卖 我要发快递的"))
    assert "安全间隔期" in said and "费用" in said
    # trading futures is declined, whatever it trades; gossip however it is asked
    assert "出处" not in text(demo.chat("k7", "顺便帮我看下这两天生猪期货会不会涨"))
    assert "出处" not in text(demo.chat("k7", "听说有个明星离婚了，真的假的"))
    # how two kinds of tea leaf differ, asked inside a form, is answered there
    from store import accounts

    accounts.account(demo.engine, "telegram", "k8", role="enterprise")
    demo.chat("k8", "我们公司在雅安雨城区做茶叶加工 想请专家来培训名优茶采摘标准")
    said = text(demo.chat("k8", "单芽和一芽一叶有啥子区别"))
    assert "名优茶采摘标准" in said and "急不急" in said


def test_after_an_emergency_and_news_then_a_question(demo: Harness) -> None:
    # a fire with no one named hurt is the 119 line, never carbon monoxide
    said = text(demo.chat("m1", "救命 我爸烧油菜杆杆 火燃到屋后头竹林了"))
    assert said.startswith("⚠️") and "119" in said.splitlines()[0] and "一氧化碳" not in said
    # while waiting for the ambulance, what else to do is the same first aid
    demo.chat("m2", "快点 我老汉打完药在吐 头晕站都站不稳了 咋办")
    said = text(demo.chat("m2", "120打了 在等车 还要做啥子"))
    assert "农药中毒急救" in said
    # once it is over, a question about later is a new one: safe spraying, not first aid
    said = text(demo.chat("m2", "人送到医院了 医生说没得大事 我妈问以后打药要咋个防护"))
    assert "配兑和喷洒农药时怎么保护自己" in said
    # the straw article, not the bee sting one whose title says 处理
    assert "秸秆" in text(demo.chat("m3", "秸秆不烧咋处理嘛"))
    # a rapeseed question whose best hits are citrus: the rapeseed article
    assert "油菜菌核病" in text(demo.chat("m4", "油菜杆杆上长黑颗颗 像老鼠屎那种 是啥子病"))
    # a question passed on by a mother-in-law is about sweet potatoes, not old people falling
    assert "防跌倒" not in text(demo.chat("m5", "我婆婆问红薯咋个储存才不烂"))
    # a firm asking whether something is true is answered, not given the form
    from store import accounts

    accounts.account(demo.engine, "telegram", "m6", role="enterprise")
    said = text(demo.chat("m6", "我们是涪城区做湿米粉的 听说米粉变质了会产生啥子米酵菌酸 是真的吗"))
    assert "急不急" not in said and "哪个市" not in said


def test_fresh_questions_from_the_forty_sixth_to_eighth_sets(demo: Harness) -> None:
    # 人工授粉 is farm work, not a person: the kiwifruit pollination article answers
    assert "雌花开放当天" in text(demo.chat("p1", "人工授粉一般在雌花开放后什么时间进行？"))
    # an old woman named is no support for the falls article when 鱼胆 is what is asked
    assert "防跌倒" not in text(demo.chat("p2", "生吃鱼胆真的能明目吗 我婆婆天天说"))
    # the method's steps after its colon come with it
    assert "安静坐5分钟" in text(demo.chat("p3", "在屋头咋个量血压才准嘛"))


def test_a_feverish_pig_is_never_answered_from_the_wild_mushroom_article(demo: Harness) -> None:
    said = text(demo.chat("q1", "我屋头猪儿这几天不吃食 还发烧 咋个整"))
    assert "野生菌" not in said
    assert "野生菌" in text(demo.chat("q2", "吃了野生菌 头晕想吐 咋办"))


def test_fresh_questions_from_the_forty_ninth_to_fifty_second_sets(demo: Harness) -> None:
    # a research term no article uses is a new subject, not a follow-up on the one before
    assert cited(text(demo.chat("r1", "柑橘黄龙病咋个防")))
    said = text(demo.chat("r1", "生物炭咋个做"))
    assert "黄龙病" not in said and "没有经过专家审核" in said
    # a named medicine's dose is for the label or a doctor, never an article or an expert
    said = text(demo.chat("r2", "我们员工发烧了 布洛芬混悬液大人喝好多毫升 一天几次"))
    assert "医生" in said and "出处" not in said and "转给当地专家" not in said
    # gossip and politics are declined, whatever crop they name
    for asked in ("你晓得那个卖耙耙柑的大网红是不是塌房了 听说偷税 细说",
                  "你们觉得美国大选哪个会赢 对我们出口有没有影响"):
        said = text(demo.chat("r3", asked))
        assert "帮不上忙" in said and "出处" not in said, asked
    # worried about poisoning while spraying is protection, not first aid
    said = text(demo.chat("r4", "打农药要戴些啥子 社员怕中毒"))
    assert cited(said)[0] == "配兑和喷洒农药时怎么保护自己"


def test_citrus_by_its_other_names_and_food_additives_asked_by_a_firm(demo: Harness) -> None:
    # 脐橙 is citrus: its canker is the citrus canker article, and a follow-up stays there
    said = text(demo.chat("t1", "邻水的 种脐橙 果子上好多粗糙凸起的黄褐色斑 周围一圈黄晕 "
                                "是啥子病哦"))
    assert cited(said)[0] == "柑橘溃疡病的防治"
    assert cited(text(demo.chat("t1", "那要喷几次")))[0] == "柑橘溃疡病的防治"
    # a hotpot-base maker asking about preservatives asks about additives, not cooking
    said = text(demo.chat("t2", "我们富顺做火锅底料的 配料表上有防腐剂 直播间有人刷屏说有毒 "
                                "这个咋个回应嘛"))
    assert cited(said)[0] == "食品添加剂不等于有害物质"


def test_family_health_questions_asked_in_the_middle_of_a_farm_need(demo: Harness) -> None:
    # leftovers for a child are the leftovers article, not a child's poisoning
    said = text(demo.chat("u1", "昨天晚上剩的饭炒来给娃儿吃要不要得"))
    assert cited(said)[0] == "隔夜菜能吃吗：剩菜保存与食物中毒预防"
    # three weeks of coughing is the TB article, not choking
    said = text(demo.chat("u2", "稍等 我爸咳嗽咳了三个礼拜了 一直不见好 要不要去查一下"))
    assert cited(said)[0].startswith("肺结核")
    # eggs handed out at a sales talk do not make a health-product scam a question on hens
    said = text(demo.chat("u3", "我们村头有人来开健康讲座 送鸡蛋 卖降三高的保健品 三千多一盒 "
                                "说吃了降压药都可以不吃了 这个靠不靠得住哦"))
    assert cited(said)[0] == "老年人警惕保健品骗局"
    # the voice recogniser's slip said with the right name: answered
    said = text(demo.chat("u4", "嗯我是蓬溪的 问一下 那个油菜 菌核病 军和病 咋个防嘛"))
    assert cited(said)[0] == "油菜菌核病的防治"
    said = text(demo.chat("u5", "魔芋杆杆底下烂了 一股臭味 一片一片的倒 咋个搞哦 我南江的"))
    assert cited(said)[0] == "魔芋软腐病的防治"
    # giving a pill at all is asked, not its dose: the emergency answer, not a refusal
    said = text(demo.chat("u6", "我血压高 医生开的硝苯地平 一天一颗 我想一天吃三颗 得不得行"))
    assert "出处" not in said and "医生" in said


def test_fresh_questions_from_the_fifty_seventh_to_sixty_first_sets(demo: Harness) -> None:
    # someone asking for others says who they are: a welcome, no article on scams
    said = text(demo.chat("s2", "你好 我是村上的文书 专门帮老年人问事情的"))
    assert "出处" not in said and "转给当地专家" not in said
    said = text(demo.chat("s2", "那打农药的时候人要咋个防护 好多老年人喷药啥子都不代"))
    assert cited(said) == ["配兑和喷洒农药时怎么保护自己"], said
    # "四季豆呢" after a food question asks the same of 四季豆, not "what is wrong with it"
    demo.chat("s3", "隔夜菜到底吃得不 我妈说会致癌")
    said = text(demo.chat("s3", "四季豆呢"))
    assert cited(said) and "遇到了什么问题" not in said
    # colloquial signs and words: 拉绿稀 歪脑壳 (Newcastle disease), 盐巴 (salt), 稻田里养鱼
    said = text(demo.chat("s4", "朝天这边鸡拉绿稀 还歪脑壳 是啥子病"))
    assert cited(said) == ["鸡新城疫的免疫"], said
    assert "5克" in text(demo.chat("s5", "屋头老汉儿血压高 盐巴一天吃好多合适"))
    said = text(demo.chat("s6", "我们合作社想在稻田里养鱼 田块咋个改造"))
    assert cited(said) == ["稻渔综合种养：稻鱼和稻虾"], said
    # a vet drug's dose is for the label and the vet; gossip about a boss is declined
    said = text(demo.chat("s7", "给猪打青霉素打好多支"))
    assert "兽医" in said and "出处" not in said and "转给当地专家" not in said
    said = text(demo.chat("s8", "听说隔壁茶厂老板跑路了 真的假的"))
    assert "帮不上忙" in said and "出处" not in said


def test_a_firms_yes_or_no_question_is_answered_and_advice_by_phone_is_no_service(
        demo: Harness) -> None:
    """A pharmacy's "该不该卖给他" is a question, not a need; "…另外我们民宿想请专家来…" gets
    the answer and then the form; "不用上门 电话里说下就行" asks no budget."""
    from matching.slots import parse_kind
    from store import accounts

    for firm in ("z1", "z2"):  # as `kejiyun chat --as enterprise` opens the account
        accounts.account(demo.engine, "telegram", firm, role="enterprise")
    said = text(demo.chat("z1", "我们药房的 顾客感冒了非要买消炎药 该不该卖给他"))
    assert "出处" in said and "哪个市" not in said
    said = text(demo.chat("z2", "微波炉热饭用塑料盒子安不安全 另外我们民宿想请专家来做个厨房检查"))
    assert "出处" in said and "哪个市" in said
    assert parse_kind("想找专家问一下 我家的羊子老是拉稀 不用上门 电话里说下就行") == "question"
    assert parse_kind("想请专家上门 电话里说不清楚") == "service"
    # a child's medicine dose is the label's or the doctor's
    said = text(demo.chat("z3", "娃娃拉肚子 蒙脱石散吃几包"))
    assert "医生" in said and "出处" not in said


def test_another_regions_article_is_no_licence_for_the_next_best(demo: Harness) -> None:
    """The 再生稻 article is 泸州's: an asker from 南溪 gets "no vetted answer", never the
    cadmium article that comes next; an asker from 泸州 gets the article."""
    said = text(demo.chat("g1", "我是南溪的 再生稻咋个管 留桩留好高"))
    assert "没有经过专家审核" in said and "镉" not in said
    said = text(demo.chat("g2", "我是泸州的 再生稻咋个管"))
    assert cited(said) == ["再生稻怎么管"], said
    # a vet drug asked without a unit, thanks in Yi and Tibetan, the fruit market
    assert "兽医" in text(demo.chat("z4", "我们猪场仔猪拉稀 土霉素喂好多"))
    for thanks in ("卡莎莎", "突几切"):
        said = text(demo.chat("z5", thanks))
        assert "出处" not in said and "转给当地专家" not in said, thanks
    assert "帮不上忙" in text(demo.chat("z6", "今年桃子卖得好不好哦"))
    # fish drugs are vet doses too; selling the farmer's goods is no science; a child by the pond
    assert "兽医" in text(demo.chat("z7", "鱼得了肠炎 恩诺沙星一包拌好多斤饲料"))
    assert "帮不上忙" in text(demo.chat("z8", "你们能不能帮我们卖饲料"))
    said = text(demo.chat("z9", "以后塘边咋个防娃娃掉下去"))
    assert cited(said) == ["防溺水：牢记“六不”，学会正确施救"], said


def test_fresh_questions_from_the_sixty_seventh_to_seventieth_sets(demo: Harness) -> None:
    """Loans and selling are declined; how publishing goes is told, not searched; an emergency
    asked about again leads with 120; "那修剪呢" moves to the pruning article of the same
    crop; "那猕猴桃呢" asks the canker question of kiwifruit; a guest's mushrooms are no
    follow-up of a septic tank."""
    for ask in ("能不能帮我贷点款 屋头要修房子", "能不能帮我们卖点包装袋 我们是做食品包装的"):
        assert "帮不上忙" in text(demo.chat("y1", ask)), ask
    said = text(demo.chat("y2", "发了之后专家好久会联系我们哦"))
    assert "科协工作人员" in said and "出处" not in said and "转给当地专家" not in said
    demo.chat("y3", "救命！娃儿把农药喝了")
    said = text(demo.chat("y3", "是敌敌畏 要不要给他灌水催吐"))
    assert said.startswith("⚠️") and "120" in said.splitlines()[0] and "催吐" in said
    demo.chat("y4", "我们茶叶公司在雅安雨城区，名优茶的采摘标准是啥子")
    assert cited(text(demo.chat("y4", "那修剪呢"))) == ["茶树修剪的几种方法"]
    demo.chat("y5", "柑橘溃疡病咋个防")
    assert cited(text(demo.chat("y5", "那猕猴桃呢"))) == ["猕猴桃细菌性溃疡病防控"]
    demo.chat("y6", "我屋头开了个小民宿 想问下三格式化粪池平时要注意啥子")
    said = text(demo.chat("y6", "客人在山上捡了些菌子 要我帮他炒来吃 炒得不"))
    assert "野生菌" in said and "化粪池" not in said
    demo.chat("y7", "我在仁和 芒果开花前后要打啥子药")
    assert "安全间隔期" in text(demo.chat("y7", "打了好久能摘"))
    assert "疫病" in text(demo.chat("y8", "辣交秧子茎秆底下发黑 一片一片地死 咋个搞"))


def test_fresh_questions_from_the_seventy_first_to_fourth_sets(demo: Harness) -> None:
    """Prevention asked after an emergency is the emergency's article; "那…木耳呢" after
    leftovers stays with the leftovers article that speaks of it; a typed-by-ear disease; a
    crop's symptom no article speaks of is no pruning article; a list announced by its count
    is kept whole."""
    demo.chat("u1", "快帮忙！隔壁屋头两个老人烤炭火睡觉，现在叫不醒了")
    said = text(demo.chat("u1", "人送走了，后面咋个预防这种事"))
    assert cited(said) == ["冬季取暖防范一氧化碳中毒"], said
    demo.chat("u2", "帮我妈问下，隔夜菜到底能不能吃")
    said = text(demo.chat("u2", "那泡了一晚上的木耳呢"))
    assert cited(said) == ["隔夜菜能吃吗：剩菜保存与食物中毒预防"] and "木耳" in said
    assert cited(text(demo.chat("u3", "油菜菌合病啥时候打药最好"))) == ["油菜菌核病的防治"]
    said = text(demo.chat("u4", "老师 我屋头的花椒叶子黄了 还掉得凶 咋个搞哦"))
    assert "没有经过专家审核" in said and "修剪" not in said
    said = text(demo.chat("u5", "我们茶叶公司在雅安雨城区，名优茶的采摘标准是啥子"))
    assert "一芽一叶初展" in said and "一芽二叶初展" in said
    # "以后冬天咋个取暖才安全" after charcoal fumes is still that article's; "那羊子呢" after yak
    # deworming is the same question of sheep
    demo.chat("u6", "屋头冷 昨晚烧了炭火盆关起门睡 早上起来婆娘喊不醒")
    assert cited(text(demo.chat("u6", "以后冬天咋个取暖才安全"))) == ["冬季取暖防范一氧化碳中毒"]
    demo.chat("u7", "牦牛一年要驱几次虫")
    assert cited(text(demo.chat("u7", "那羊子呢"))) == ["牛羊定期驱虫"]


def test_fresh_questions_from_the_seventy_fifth_to_eightieth_sets(demo: Harness) -> None:
    """Prevention after an emergency leads with the prevention, whatever else is said with it
    ("这几天还要收苞谷"), and an emergency's own reply does not; a heat stroke at field work;
    a landslide now is an emergency; pests, a sow off her food and gout are not answered by
    articles that never speak of them; a what-if inside a form is answered and the form goes
    on; the question said with the price asked back is answered too."""
    demo.chat("t1", "我老汉在坡上掰苞谷 回来就说脑壳昏 现在人都迷迷糊糊的 身上烫得很")
    said = text(demo.chat("t1", "他还清醒 要不要给他喝点水"))
    assert cited(said) == ["中暑的识别与急救"] and "淡盐水" in said
    said = text(demo.chat("t1", "后头咋个预防 这几天还要收苞谷"))
    assert cited(said) == ["中暑的识别与急救"] and said.startswith("预防")
    said = text(demo.chat("t2", "采茶遭蛇咬了 脚杆肿起来了 好像是竹叶青"))
    assert said.startswith("⚠️") and "\n预防" not in said
    said = text(demo.chat("t2", "这附近莫得医院 要不要用嘴把毒吸出来"))
    assert said.startswith("⚠️") and "不要用嘴吸毒" in said
    said = text(demo.chat("t3", "后山那个坡坡在垮 泥巴石头一直往下滚"))
    assert said.startswith("⚠️") and cited(said) == ["山洪泥石流来临前的征兆与避险"]
    for ask in ("四季豆有虫咋个整", "母猪生了崽不吃食是啥子原因嘛", "痛风能不能吃豆腐"):
        assert "没有经过专家审核" in text(demo.chat("t4", ask)), ask
    demo.chat("t5", "微波炉热饭会不会有辐射哦 我妈不敢用")
    assert "锡纸" in text(demo.chat("t5", "那用锡纸包起热得不"))
    said = text(demo.chat("t6", "亲戚要从成都上来 高反咋个预防"))
    assert cited(said) == ["高原反应：去川西高原前要知道的事"] and "500米" in said
    said = text(demo.chat("t7", "屋头大娃儿在学校得了手足口 会不会传给屋头小的"))
    assert cited(said) == ["手足口病：症状、预防与重症信号"]
    demo.chat("t8", "绵竹的一家酒类企业，想请专家来给锅炉房的操作人员做一次安全培训，尽快")
    said = text(demo.chat("t8", "培训之前我先了解一下，万一闻到燃气味，正确的处置顺序是啥子"))
    assert "燃气" in said and "费用" in said
    for said in ("水稻穗颈瘟严重 想请专家来田里看下 我在营山", "急"):
        demo.chat("t9", said)
    said = text(demo.chat("t9", "要好多钱嘛 先问下 穗颈瘟啥时候打药最好"))
    assert "破口" in said and "费用" in said


def test_fresh_questions_from_the_eighty_seventh_to_ninety_second_sets(demo: Harness) -> None:
    """Leaf scorch and gill rot, a sow not in heat: no article that never speaks of them;
    a greeting before the question is not searched for; prevention asked leads with the
    article's prevention; "哪些病" names no disease; the same emergency going on is not the
    one its words resemble; a remedy for a bite asked now; an answer taken in with a remark."""
    for ask in ("我屋头那个米猴桃 今年叶子边边焦了 果子也掉得多 是咋回事嘛",
                "我们合作社塘子里的草鱼这几天烂鳃，一天死十几条，咋个治？",
                "我喂了两头老母猪 断奶一个多月了还是不发情 这是咋个回事嘛"):
        assert "没有经过专家审核" in text(demo.chat("s1", ask)), ask
    said = text(demo.chat("s2", "扎西德勒 包虫病 咋个 防"))
    assert cited(said) == ["包虫病防治：管好狗、勤洗手、喝开水"] and said.startswith("预防")
    said = text(demo.chat("s3", "芒果花期遇到阴雨要防哪些病"))
    assert cited(said) == ["攀枝花芒果花期管理"] and "炭疽病" in said
    demo.chat("s4", "我妈在屋头烤炭火 门窗都关起的 现在头痛想吐 人迷迷糊糊的 是不是煤气中读了")
    said = text(demo.chat("s4", "人抬到院坝头了 她说好些了 还要去医院不"))
    assert cited(said) == ["冬季取暖防范一氧化碳中毒"] and "高压氧" in said
    demo.chat("s5", "采茶遭蛇咬了 脚杆肿起来了")
    said = text(demo.chat("s5", "要不要拿绳子把脚杆勒紧 我们这里老辈子都是这么搞的"))
    assert said.startswith("⚠️") and "蛇" in "".join(cited(said))
    demo.chat("s6", "我家的辣椒秆秆底下发黑 整根都焉了 是啥子病")
    said = text(demo.chat("s6", "不用找专家 我自己弄 药要隔几天打一次"))
    assert cited(said) == ["辣椒疫病怎么防"]
    assert "帮不上忙" in text(demo.chat("s7", "明年松茸价格会涨不"))


def test_a_plain_yes_takes_up_the_offer_to_ask_a_local_expert(demo: Harness) -> None:
    """"要得", "需要", "好 麻烦你了" to "需要的话，我可以把您的问题转给当地专家" start the
    consultation with the question asked; thanks or "晓得了" close it; a bare follow-up to the
    unanswered question is unanswered too, never an article its joined words reach."""
    question = "我家花生叶子上有白粉是啥子问题"
    for n, yes in enumerate(("要得", "需要", "好 麻烦你了", "转嘛", "可以")):
        assert "没有经过专家审核" in text(demo.chat(f"y{n}", question))
        said = text(demo.chat(f"y{n}", yes))
        assert "转给当地专家" not in said and "哪个市" in said, yes
    for n, no in enumerate(("好的谢谢", "晓得了", "好嘛 谢了", "算了")):
        demo.chat(f"n{n}", question)
        assert "哪个市" not in text(demo.chat(f"n{n}", no)), no
    for said in (question, "要得", "苍溪的", "不急", "不同意"):
        card = text(demo.chat("f1", said))
    assert "【技术咨询】" in card and "花生" in card and "广元市苍溪县" in card
    demo.chat("f2", "柑子树叶子卷起 背面有些小虫虫 咋个整")
    said = text(demo.chat("f2", "要打几次药"))
    assert "没有经过专家审核" in said and "出处" not in said


def test_fresh_questions_from_the_ninety_ninth_to_hundred_and_fourth_sets(demo: Harness) -> None:
    """A man down a cellar: never climb in after him, and the plan to is still the
    emergency; a gas-leak follow-up is answered, never a form; waiting for 120 goes on with
    first aid; a sick flock with 要人来看 is no human poisoning; a nest nearly stinging a
    child is no emergency; a question before the request is answered; leftovers go to the
    doctor; 啥时候摘 is the harvest; buyers and 人工还是机器人 are no 科普 question."""
    said = text(demo.chat("e1", "我老汉儿下红苕窖去捡红苕 喊他半天不答应 "
                                "打手电看到他倒在窖底下 不动了"))
    assert said.startswith("⚠️") and "不要直接下去" in said
    said = text(demo.chat("e1", "那我下去把他拉上来嘛"))
    assert said.startswith("⚠️") and "不要直接下去" in said and "哪个市" not in said
    demo.chat("e2", "刚下班回来 一开门屋头好大一股臭鸡蛋的味道 像是燃气")
    said = text(demo.chat("e2", "那我先把灯打开看一下是哪点漏的"))
    assert "不要开关任何电器" in said and "哪个市" not in said
    demo.chat("e3", "我家公七十几了 下午在坝子头收玉米 刚才突然倒了 喊他答应得含含糊糊的 "
                    "身上烫得很 也没得汗")
    said = text(demo.chat("e3", "120说二十分钟到 这阵我能做啥子"))
    assert cited(said) == ["中暑的识别与急救"] and "降温" in said
    said = text(demo.chat("e4", "我屋头喂的土鸡 两百多只 这几天鸡冠发紫 不吃食 死了好几只了 "
                                "钱的话一千块以内都要得 要人来看"))
    assert not said.startswith("⚠️") and "哪个市" in said
    said = text(demo.chat("e5", "屋檐下头有个好大的马蜂窝 娃娃差点遭叮 我能不能自己拿火把把它烧了 "
                                "不行的话帮我找个人来弄 我在苍溪"))
    assert not said.startswith("⚠️") and "不要捅、打、烧蜂窝" in said and "急不急" in said
    said = text(demo.chat("e6", "我们是北川的 自己修的房子墙上出现了斜起的裂缝 还越来越宽 "
                                "这个要紧不 能不能喊个专家来看下"))
    assert "农村自建房" in "".join(cited(said)) and "急不急" in said
    demo.chat("e7", "我老汉中午吃了他在山上捡的菌子 刚才说看到桌子上有好多小人在跳 还一直在吐")
    assert "一同到医院检查" in text(demo.chat("e7", "我们一家都吃了的 我跟我妈还没得啥子感觉"))
    assert "剩余的蘑菇" in text(demo.chat("e7", "剩下的菌子还要不要"))
    said = text(demo.chat("e8", "想问下猕猴桃啥时候摘最好"))
    assert cited(said) == ["猕猴桃什么时候采收最合适"]
    for ask in ("那你帮我问下有没有收猪的老板 我有五头肥猪要卖", "你好，你是人工客服还是机器人？"):
        said = text(demo.chat("e9", ask))
        assert "出处：" not in said and "转给当地专家" not in said, ask


def test_fresh_questions_from_the_hundred_and_fifth_to_eighth_sets(demo: Harness) -> None:
    """"同意之前先问下…" asks before agreeing; waiting for 120 with breathing feared to stop
    is CPR; going back for the sheep in a landslide is answered; a tool's help is no
    expert wanted."""
    for said in ("青川的香菇菌棒厂 年产80万棒 污染率高 想请专家来厂里看 很急 一万五",):
        demo.chat("g1", said)
    said = text(demo.chat("g1", "同意之前先问下，常压灭菌到底要保持好久才够？"
                                "我们现在是100℃保持12个小时"))
    assert "16小时" in said and "联系方式告诉" in said and "请确认需求信息" not in said
    demo.chat("g2", "救命 我哥打核桃从树上摔下来了 喊他不答应 脑壳在流血 我们在美姑山上")
    said = text(demo.chat("g2", "120打了 说要一个多钟头才到得了 他要是不出气了我咋办"))
    assert said.startswith("⚠️") and cited(said) == ["心肺复苏（CPR）：人人都该会的救命技能"]
    demo.chat("g3", "冕宁这边落了一晚上的雨 后山一直在掉石头 沟里头轰隆隆地响 河水都变浑了 "
                    "屋头还有老人和娃娃 咋办")
    said = text(demo.chat("g3", "圈里头还有十几只羊 我要不要回去牵"))
    assert "山洪泥石流" in "".join(cited(said))
    said = text(demo.chat("g4", "我们合作社会计想把社员的身份证号、银行卡号都发给AI帮忙整理 "
                                "行不行"))
    assert "不要向AI工具输入身份证号" in said and "哪个市" not in said


def test_leaving_with_a_question_and_a_question_wanting_no_expert(demo: Harness) -> None:
    """"算了 …好久可以回来上班" leaves the form and answers; "不用给我找专家哈 你就告诉我咋个弄"
    gets the answer and no form; a hospital ward is no disease ("医院病区…诺如")."""
    demo.chat("b5", "蒲江的 柑子树叶子发黄 想找专家来看")
    said = text(demo.chat("b5", "算了 问你个正事 我们店有个服务员得了诺如 吐了两天现在好了 "
                                "她好久可以回来上班"))
    assert "已取消" in said and "72小时" in body(said.split("已取消。", 1)[1])
    said = text(demo.chat("c3", "我在米易种了几亩芒果 开花的时候花穗上长白粉粉 是不是白粉病哦 "
                                "不用给我找专家哈 你就告诉我咋个弄"))
    assert "急不急" not in said and cited(said)
    said = text(demo.chat("c4", "医院病区有病人呕吐 怀疑诺如 呕吐物咋个消毒"))
    assert "含氯消毒剂" in body(said) and cited(said) == ["诺如病毒感染：呕吐腹泻的预防与消毒"]


def test_a_follow_up_keeps_the_article_just_read(demo: Harness) -> None:
    """"那开花的时候能不能打杀虫药嘛 我婆婆说虫子多" after the mango's flowering stays with the
    mango article (盛花期不要喷杀虫剂), not the sticky boards the new words reach; who said it
    (我婆婆) is no person the question is about."""
    demo.chat("m1", "我在米易种了几亩芒果 开花的时候花穗上长白粉粉 是不是白粉病哦 你就告诉我咋个弄")
    said = text(demo.chat("m1", "那开花的时候能不能打杀虫药嘛 我婆婆说虫子多"))
    assert cited(said) == ["攀枝花芒果花期管理"] and "盛花期" in body(said)


def test_batch_six_emergency_follow_ups_and_places(demo: Harness) -> None:
    """A short question right after first aid stays in it (要不要用刀划开放毒血); a stove in the
    house is carbon monoxide; a regional article answers where its own text names the asker's
    place (茂县's pepper, 红原's 包虫病), and who the asker is is not searched."""
    demo.chat("s1", "被蛇咬了 在芒果地头 脚背肿起来了 好像是竹叶青 咋个班")
    said = text(demo.chat("s1", "要不要用刀划开放毒血"))
    assert "不要用刀" in body(said) and cited(said) == ["被毒蛇咬伤怎么办：野外急救要点"]
    said = text(demo.chat("s2", "屋头烧的牛粪炉子 早上 阿爸 喊不答应了 我脑壳也痛"))
    assert said.startswith("⚠️") and cited(said) == ["冬季取暖防范一氧化碳中毒"]
    said = text(demo.chat("s2", "窗子 要开吗"))
    assert "打开门窗通风" in body(said)
    said = text(demo.chat("s3", "茂县的花椒啥时候摘最好"))
    assert cited(said) == ["花椒修剪和采收"] and body(said).startswith("采收：")
    said = text(demo.chat("s4", "我是在红原做草地研究的 想给牧民讲讲包虫病 潜伏期一般多长"))
    assert "数年甚至十几年" in body(said)
    # (凉山 is named by neither: the 雅安 article still answers only its own region)
    said = text(demo.chat("s5", "我们凉山的花椒咋个修剪"))
    assert "花椒修剪和采收" not in cited(said)


def test_batch_six_what_is_asked_leads(demo: Harness) -> None:
    """The sentence that answers leads: 稀饭 is the 白粥 a diabetes sentence names, 吃好多盐 the
    5 克 of salt, not the diagnosis figures; 好久摘 the 糖度 at which kiwis are picked; what a
    check costs, 免费; a why, its cause."""
    said = text(demo.chat("t1", "我有糖尿并 早上吃稀饭可以不"))
    assert body(said).startswith("少吃白粥")
    said = text(demo.chat("t2", "我老汉血压高 一天吃好多盐合适"))
    assert "不超过5克" in body(said).split("。")[0]
    said = text(demo.chat("t3", "猕猴桃好久摘最合适？"))
    assert "6.5%以上开始采收" in body(said)
    demo.chat("t4", "包虫病咋个查")
    assert "免费B超" in body(text(demo.chat("t4", "检查 要钱不")))


def test_batch_seven_answers(demo: Harness) -> None:
    """Still pressing after CPR: when to stop leads; sprouted potatoes are the leftovers
    article's (it says 发芽 with the potato); 高压 is systolic pressure; one list item answers
    "是不是猪瘟"; a term no vetted article uses (生物炭) is said truly, the near article after;
    the signs that call for a doctor stay whole; hours count as a time."""
    demo.chat("c1", "我老汉突然倒了 喊不应 也不出气了")
    said = text(demo.chat("c1", "还要按好久"))
    assert said.startswith("⚠️") and said.splitlines()[1].startswith("一直坚持到")
    said = text(demo.chat("c2", "屋头放的洋芋发芽了 还吃得不"))
    assert cited(said)[0].startswith("隔夜菜") and "发芽较多" in body(said)
    said = text(demo.chat("c3", "高压到好多就要喊救护车"))
    assert cited(said)[0].startswith("高血压") and "180" in body(said)
    said = text(demo.chat("c4", "猪不吃食 发烧 耳朵发紫 是不是猪瘟"))
    assert body(said).startswith("每天观察猪群") and "一是" not in body(said)
    said = text(demo.chat("c5", "生物炭改良酸性土壤效果咋样"))
    assert said.startswith("目前还没有经过专家审核的内容讲到“生物炭”") and cited(said)
    demo.chat("c6", "幼儿园有娃娃得了手足口病 会不会传给我家的")
    said = text(demo.chat("c6", "哪些情况要赶紧送医院"))
    assert "持续高热不退；精神差" in body(said) and "面色苍灰" in body(said)


def test_batch_seven_follow_ups_and_small_talk(demo: Harness) -> None:
    """Follow-ups naming nothing of their own stay with the article (娃娃好大就可以打了, 那青菜呢,
    咋个打嘛); 师傅病好了 names no disease; an illness named without danger signs is no
    poisoning emergency; thanks and questions about the assistant are small talk."""
    demo.chat("d1", "流感疫苗老年人是不是每年都要打")
    said = text(demo.chat("d1", "娃娃好大就可以打了"))
    assert "6月龄以上" in body(said)
    demo.chat("d2", "冰箱头的剩菜放好久还吃得")
    assert "当餐吃完" in body(text(demo.chat("d2", "那青菜呢")))
    demo.chat("d3", "听说要打新城疫疫苗 小鸡好多天打第一针哦")
    said = text(demo.chat("d3", "咋个打嘛 是打针还是喂到水头"))
    assert cited(said) == ["鸡新城疫的免疫"]
    said = text(demo.chat("d4", "学校好几个娃娃又吐又拉 说是诺如病毒 染上了一般好久发病"))
    assert not said.startswith("⚠️") and cited(said)[0].startswith("诺如病毒")
    said = text(demo.chat("d4", "娃娃好了好久可以回学校"))
    assert "72小时后再返校" in body(said)
    assert "72小时" in body(text(demo.chat("d4", "食堂师傅病好了好久能回来上班")))
    for line in ("好嘞 巴适得板", "行 谢了老铁", "你是不是机器人哦 回得这么快",
                 "你好 你是AI还是人工"):
        said = text(demo.chat("d5", line))
        assert "出处：" not in said and "转给当地专家" not in said, line


def test_batch_eight_answers(demo: Harness) -> None:
    """The place asked about lifts its sentence (康定 91℃); a pH is an amount; farm size is no
    word of the question; the pruning asked leads, not its neighbours; 小鸡儿 is a chick;
    起夜 is the night-light; 白内障 and 冻疮 must be named; "喝得酒不" asks in advance; a weak
    sentence naming nothing asked is not glued after a fact's answer."""
    said = text(demo.chat("e1", "在康定烧开水 水开了是好多度哦"))
    assert body(said).startswith("到了海拔约2500米的康定")
    said = text(demo.chat("e2", "我们在荣县有个茶厂 自己有两百亩茶园 茶园土壤pH好多比较合适"))
    assert body(said).startswith("茶园土壤pH在4.5到5.5")
    assert body(text(demo.chat("e3", "茶树轻修剪剪好多"))).startswith("轻修剪")
    assert "7日龄" in body(text(demo.chat("e4", "小鸡儿买回来好多天打第一针")))
    assert "小夜灯" in body(text(demo.chat("e5", "屋头老人八十多了 晚上起夜怕摔 有啥子办法没得")))
    assert "没有经过专家审核" in text(demo.chat("e6", "我妈眼睛白内障 好久做手术合适"))
    assert "没有经过专家审核" in text(demo.chat("e7", "娃娃手上长冻疮了 痒得很 咋个整"))
    said = text(demo.chat("e8", "吃头孢那几天喝得酒不"))
    assert not said.startswith("⚠️") and "不要饮酒" in body(said)
    assert text(demo.chat("e8b", "娃娃喝农药 喝得不")).startswith("⚠️")
    said = text(demo.chat("e9", "豆瓣酱亚硝酸盐会不会超标"))
    assert "亚硝酸盐的增加很有限" in body(said) and "四季豆" not in body(said)


def test_batch_eight_follow_ups(demo: Harness) -> None:
    """"啥子情况要马上送医院" after hand-foot-mouth stays with it (马上 tells nothing); after
    altitude sickness's 120 line, "好 我们马上往下走" starts no form; the same answer asked
    for again with a request is not repeated before the form; 诺如 disinfection is said."""
    demo.chat("f1", "娃娃幼儿园好几个得了手足口 那个EV71疫苗几岁可以打")
    said = text(demo.chat("f1", "啥子情况要马上送医院"))
    assert cited(said)[0].startswith("手足口病") and "持续高热不退" in body(said)
    demo.chat("f2", "我们在色达 同伴昨晚开始喘不上气 躺到都喘 刚才咳出来的是粉红色的泡泡")
    said = text(demo.chat("f2", "好 我们马上往下走"))
    assert "市、县" not in said and "专家" not in said
    demo.chat("f3", "是不是猪瘟哦")
    said = text(demo.chat("f3", "那咋个办嘛 找个专家来看下"))
    assert "上面那条回答" in said and "出处" not in said and "市、县" in said
    said = text(demo.chat("f4", "我们是幼儿园 娃娃吐了一地 怕是诺如 咋个消毒"))
    assert "含氯消毒剂" in body(said)


def test_batch_nine_answers(demo: Harness) -> None:
    """要不要紧 is no subject of its own; a hose's colour is no crop symptom; only the
    mushroom article names 见手青; no article names 虫草; 戒烟限酒 answers whether he may
    drink; where a vaccine is given is asked and answered."""
    demo.chat("a1", "我屋头养了二十几个猪儿 这两天有几个拉稀 拉的黄汤汤")
    said = text(demo.chat("a1", "小的那几个也拉 要不要紧"))
    assert cited(said) == ["仔猪腹泻的防治"], said
    assert "隔离" in body(text(demo.chat("a1", "那要隔开不")))
    said = text(demo.chat("a2", "燃气软管好久换一次 我看屋头那根黄的都硬了"))
    assert "定期更换" in body(said)
    said = text(demo.chat("a3", "会东的 见手青要炒好久才能吃 去年隔壁吃了看到小人"))
    assert cited(said)[0].startswith("野生菌中毒")
    assert "没有经过专家审核" in text(demo.chat("a4", "挖虫草好久上山最好 若尔盖这边"))
    demo.chat("a5", "我老汉血压有点高 一百六 要不要紧")
    assert body(text(demo.chat("a5", "他还爱喝酒 喝得不"))).startswith("戒烟限酒")
    demo.chat("a6", "我妈72了 流感疫苗有必要年年打不")
    assert "预防接种门诊" in body(text(demo.chat("a6", "在哪里打嘛 我们金堂这边")))


def test_batch_nine_emergencies(demo: Harness) -> None:
    """Cold exposure is not a stroke; a hypertensive crisis gets the 120 line; altitude
    sickness in 红原 gets its article though it is filed under 甘孜; CPR asked after a
    drowning is CPR; a sign the model likens to a heart attack after a fall is the fall."""
    from retrieval.safety import assess

    said = text(demo.chat("e1", "色达 放牦牛的娃娃昨晚在山上遭雪困了 刚找到 手指拇发黑 "
                                "一直打抖 说话都说不清楚 迷迷糊糊的"))
    assert said.startswith("⚠️") and "换上干衣服" in said and "FAST" not in said
    assert "温热饮料" in text(demo.chat("e1", "能喝点热的不"))
    assert assess("她今天说脑壳痛得很 高压量出来185").topic == "bp_crisis"
    assert assess("万一血压190 头痛咋办").kind == ""
    said = text(demo.chat("e2", "朋友刚到红原 脑壳痛得炸 走路偏偏倒倒 吐了好几回 喊他反应慢得很"))
    assert said.startswith("⚠️") and "下撤" in said
    demo.chat("e3", "娃娃在堰塘头耍掉下去了 刚捞起来 不出气了 嘴巴都乌了")
    assert "5到6厘米" in text(demo.chat("e3", "按胸口按好深"))
    demo.chat("e4", "我妈在院坝头摔倒了 人是清醒的 说腿痛 我要不要马上把她扶起来")
    assert "不要随意搬动" in text(demo.chat("e4", "她说大腿根根痛得很 动都动不得"))


def test_batch_ten_answers(demo: Harness) -> None:
    """内 typed for 呢 asks on; who it is for (娃娃) keeps the article just read; a word the
    article read never says moves on to its own article of the same crop, not to a spraying
    article after pruning; 那 points back to the article read; a list of signs comes whole;
    a kindergarten's outbreak gets no poisoned-child article glued on."""
    demo.chat("a1", "我们理塘烧开水只有好多度")
    assert "91℃" in body(text(demo.chat("a1", "那康定内")))
    demo.chat("a2", "流感疫苗是不是打一次管好几年哦")
    assert "6月龄以上" in body(text(demo.chat("a2", "我屋头娃娃才8个月 可以打不")))
    demo.chat("a3", "旺苍的茶园 冬天施基肥一亩要施好多农家肥")
    assert cited(text(demo.chat("a3", "修剪剪好多下去"))) == ["茶树修剪的几种方法"]
    demo.chat("a4", "公司在安岳种柠檬的 柠檬树啥时候修剪最好")
    assert "铜制剂" in body(text(demo.chat("a4", "剪完要不要打药")))
    demo.chat("a5", "我屋头油菜杆杆上起白毛毛 剥开里头有黑颗颗 像耗子屎一样 这是啥子病哦")
    assert "初花期到盛花期" in body(text(demo.chat("a5", "那好久打药合适嘛")))
    said = body(text(demo.chat("a6", "山洪来之前有啥子征兆")))
    assert "河水突然变浑浊" in said and "泉水突然变浑" in said
    said = text(demo.chat("a7", "幼儿园有几个娃娃吐了拉肚子 老师说可能是诺如 吐的东西咋个消毒"))
    assert cited(said) == ["诺如病毒感染：呕吐腹泻的预防与消毒"] and "含氯消毒剂" in said
    assert "休药期" in body(text(demo.chat("a8", "刚喂了驱虫药的羊可以马上卖不")))
    demo.chat("a9", "娃娃近视了 还能恢复不")
    assert "2小时以上" in body(text(demo.chat("a9", "每天要出去耍好久")))  # no travel talk


def test_batch_ten_emergencies(demo: Harness) -> None:
    """A talk on preventing food poisoning is no emergency, vomiting going on is one; a
    kitchen fire gets the 119 line and no pressure-cooker article; unconsciousness after
    charcoal fumes stays with the fumes; putting off the descent is still altitude sickness."""
    from retrieval.safety import assess

    assert assess("我们是个火锅店 想请专家来给员工讲一下食品安全 防食物中毒那些").kind == ""
    assert assess("一家人吃了菌子 都在吐 防止中毒咋个办").kind == "emergency"
    said = text(demo.chat("e1", "食堂锅里的油燃起来了 火冲好高 咋个整"))
    assert "119" in said and "高压锅" not in said
    assert assess("火压灭了 师傅手背遭燎到了 红了一块").topic == "burn"
    demo.chat("e2", "民宿客人昨晚上在房间头烧炭火盆 早上喊不醒 脸红红的")
    said = text(demo.chat("e2", "人抬到院坝头了 还在出气 但是还是喊不醒"))
    assert cited(said) == ["冬季取暖防范一氧化碳中毒"], said
    assert "醒过来也要就医" in text(demo.chat("e2", "救护车来之前醒了 还要去医院不"))
    demo.chat("e3", "我侄儿从成都开车来理塘 晚上喘不过气 咳起粉红色的泡泡痰")
    said = text(demo.chat("e3", "等明天天亮了再下山要得不"))
    assert said.startswith("⚠️") and "尽快下撤" in said


def test_batch_eleven_answers(demo: Harness) -> None:
    """A likeness names no subject (尿像酱油); a 母羊 is the sheep said before; the crop of the
    article just read keeps its article (剪刀消毒 after kiwifruit canker); a sprayed crop eaten
    is the 安全间隔期; a dog named again after 包虫病 stays with it; the asked-for fact leads."""
    demo.chat("a1", "我们昭觉这边放的羊子瘦得很 毛也在掉 是不是肚子头有虫")
    demo.chat("a1", "驱虫药好久打一回")
    assert body(text(demo.chat("a1", "怀起儿的母羊能打不"))).startswith("怀孕母畜要选择安全的药物")
    demo.chat("a2", "苍溪红心猕猴桃好久摘得 去年摘早了一点都不甜")
    demo.chat("a2", "还有个事 开春藤藤上流红水水 是啥子病")
    said = text(demo.chat("a2", "剪枝的剪刀要消毒不"))
    assert cited(said) == ["猕猴桃细菌性溃疡病防控"] and "酒精消毒" in said
    said = text(demo.chat("a3", "打了药的麦子磨成面 娃娃能吃不"))
    assert cited(said) == ["农药安全间隔期是什么"]
    demo.chat("a4", "我们石渠牧区家家都喂狗 听说包虫病是狗传的 狗要好久喂一回打虫药")
    assert "不要喂狗" in text(demo.chat("a4", "宰牛的时候那些烂了的肝子肠子拿来喂狗得不得行"))
    assert "免费B超筛查" in text(demo.chat("a4", "乡上说的那个筛查要钱不"))
    demo.chat("a5", "大竹的 娃娃手板心脚板心起红疱疱 嘴巴头也有 还在发烧")
    assert "一周左右" in body(text(demo.chat("a5", "要好久才得好")))
    assert body(text(demo.chat("a5", "还送得到幼儿园不"))).startswith("孩子得病后应居家隔离")
    said = body(text(demo.chat("a6", "流感疫苗好久去打")))
    assert "10月底前" in said and not said.startswith("抗流感病毒药物")
    demo.chat("a7", "青川 娃娃在山上遭马蜂叮了七八个包 脸肿了 说喉咙紧")
    demo.chat("a7", "屋后头那个马蜂窝我自己拿火去烧了要得不")
    assert "肾脏受损" in text(demo.chat("a7", "第二天屙的尿像酱油 要紧不"))


def test_batch_eleven_emergencies(demo: Harness) -> None:
    """敌敌为 is 敌敌畏: the pesticide first aid, not CPR; a remedy someone urges is asked
    about; "不吐了好点了" and another who ate with no signs stay in the mushroom emergency."""
    demo.chat("e1", "救命 我屋头那个喝了敌敌为 嘴巴冒泡泡 喊都喊不醒了")
    said = text(demo.chat("e1", "婆婆说喂点牛奶解毒"))
    assert said.startswith("⚠️") and "不要喂牛奶" in said
    demo.chat("e2", "快点快点 我们屋头中午吃了山上捡的菌子 老汉吐得凶 婆婆说看到小人儿在跳")
    assert "假愈期" in text(demo.chat("e2", "老汉现在不吐了好点了 是不是就莫得事了"))
    assert "一同到医院" in text(demo.chat("e2", "一起吃了的娃娃没得啥子 也要去医院不"))


def test_batch_twelve_answers(demo: Harness) -> None:
    """A bare pH after a pH question picks its dose, first; "那X嘞" points back; a dosed animal
    sold is the 休药期; soaked wood ear overnight, raw chicken manure and 病穴 are answered; a
    new subject after a scald is no first aid; thanks to the doctor is small talk."""
    demo.chat("a1", "李子园土壤酸化 测出来pH五点二 每亩撒好多石灰")
    assert body(text(demo.chat("a1", "要是四点八呢"))).startswith("pH低于5.0，每亩100到150公斤")
    demo.chat("a2", "猪场冬天保育舍温度搞好多度合适")
    assert "28到32℃" in text(demo.chat("a2", "产房小猪睡的那块嘞"))
    demo.chat("a3", "羊子好久打一次去虫药")
    assert "休药期" in text(demo.chat("a3", "打了药的羊好久能拉去卖"))
    assert "米酵菌酸" in text(demo.chat("a4", "木耳头天晚上泡起第二天用 有没得问题"))
    assert "烧根烧苗" in text(demo.chat("a5", "鸡粪拉回来直接撒到菜地头要得不"))
    assert "病穴撒石灰" in text(demo.chat("a6", "魔芋地里发现病株挖了以后病穴咋个处理"))
    demo.chat("a7", "问下 烫伤了一般用冷水冲好久")
    said = text(demo.chat("a7", "查幽门螺杆菌之前要停啥子药"))
    assert not said.startswith("⚠️") and "至少2周" in said
    assert "出处" not in text(demo.chat("a7", "谢谢医生"))
    demo.chat("a8", "单位体检有人查出幽门螺杆菌阳性 这个是咋个传染的")
    assert "10到14天" in text(demo.chat("a8", "那治疗一般要吃好多天"))
    said = text(demo.chat("a9", "我们种的红心迷猴桃好久摘合适哦 隔壁说看日子就得行"))
    assert "7%以上" in said


def test_batch_thirteen_answers(demo: Harness) -> None:
    """An answer and a question with no "顺便" at the urgency prompt: both taken; boiling
    water on a trip and a drone job's fish pond are no weather or homework; "四季豆喃 炒断生就
    行了噻" asks, so a firm is answered, not given a form."""
    from retrieval import smalltalk
    from store import accounts

    accounts.account(demo.engine, "telegram", "b1", role="farmer")
    demo.chat("b1", "我家柑子树有几棵叶子黄一块绿一块的 左右还不一样 果子屁股那点红了其他还是"
                    "青的 怕是黄龙病 想请植保专家来取样看下")
    demo.chat("b1", "我在宜宾县")
    said = text(demo.chat("b1", "很急 那个木虱要啥时候打药哦"))
    assert "新梢抽发期" in said and "大概能承担多少费用" in said
    assert smalltalk.classify("我下周去理塘出差 那边水烧开大概好多度") is None
    assert smalltalk.classify("作业的田边上有鱼塘咋办") is None
    assert smalltalk.classify("明天成都好多度") == "out_of_scope"
    assert "87℃" in text(demo.chat("b2", "我下周去理塘出差 那边水烧开大概好多度"))
    accounts.account(demo.engine, "telegram", "b3", role="enterprise")
    demo.chat("b3", "我们厂里食堂剩的菜放冰箱头 最多放好久要吃完")
    said = text(demo.chat("b3", "四季豆喃 炒断生就行了噻"))
    assert "炒熟炒透" in said and "哪个市" not in said


def test_batch_fourteen_answers(demo: Harness) -> None:
    """A pest named after another subject is asked of its own article; "停工" is 离岗; a
    what-if after an answer is asked on, 马上 no urgency; a firm asking for the weather for
    its outing is still declined (hiring words, not 公司, are in scope); a question after
    leaving a form keeps the form's crop."""
    from retrieval import smalltalk

    demo.chat("c1", "玉米大豆带状种 行比咋个配")
    said = text(demo.chat("c1", "草地贪夜蛾啥时候打药效果好"))
    assert "低龄幼虫期" in said
    demo.chat("c2", "我们是学校食堂 有几个学生上吐下泻 说是诺如 学生好久可以返校")
    assert "暂时离岗" in text(demo.chat("c2", "食堂师傅有一个也吐了 他要不要停工"))
    demo.chat("c3", "李子快熟的时候一下雨就裂口子 咋个办")
    said = text(demo.chat("c3", "要是马上要熟了又遇到连阴雨喃"))
    assert "提前采收" in said and "哪个市" not in said
    for said in ("我的再生稻头季收了 稻桩发芽少 想找个专家来看看咋回事", "泸县"):
        demo.chat("c4", said)
    assert "已取消" in text(demo.chat("c4", "最近收谷子没得空 这个事不弄了"))
    said = text(demo.chat("c4", "那明年头季收的时候桩留好高"))  # still about the rice
    assert "30到40厘米" in said
    assert smalltalk.classify("明天成都下不下雨 公司要搞团建") == "out_of_scope"
    assert smalltalk.classify("我们是做火锅底料的公司 想招一个食品研发方面的人才") is None


def test_batch_fifteen_answers(demo: Harness) -> None:
    """A remark after an answer is no follow-up (nor the article just read again), while a
    choice asked of it still is; whether a food may be eaten is answered only by an article
    that names it; "开采" of tea is its plucking; "不消了" before a new question is no 消毒;
    a farewell after "好了"."""
    from retrieval import smalltalk

    demo.chat("d1", "孙子问我彩虹是咋个来的")
    said = text(demo.chat("d1", "今天成都雾好大哦 对面楼都看不到"))
    assert "出处" not in said and "彩虹" not in said
    demo.chat("d2", "闻到燃气味了咋个办")
    said = text(demo.chat("d2", "吓死我了 还好有你"))
    assert "出处" not in said and "燃气" not in said
    demo.chat("d3", "石硫合剂咋个熬")
    assert "出处" in text(demo.chat("d3", "石硫合剂是挑晴天打还是阴天打"))
    said = text(demo.chat("d4", "一岁的娃儿能不能喝蜂蜜水"))
    assert "没有经过专家审核" in said and "误服" not in said
    assert "发芽" in text(demo.chat("d5", "发芽的土豆还能不能吃"))
    assert "5%到10%" in text(demo.chat("d6", "春茶好久开采"))
    said = text(demo.chat("d7", "不消了 娃儿天天抱起平板看 一天看好久合适"))
    assert "1小时" in said and "误服" not in said
    assert smalltalk.classify("好了拜拜") == "greeting"
    assert "再见" in text(demo.chat("d8", "好了拜拜"))  # a goodbye, not a welcome
    assert "再见" not in text(demo.chat("d9", "你好"))
    assert "完全不同" in text(demo.chat("d10", "地震预警跟地震预报是不是一回事哦"))


def test_batch_sixteen_answers(demo: Harness) -> None:
    """Question chains: a worry that names what the article said is no remark; thanks end an
    emergency, so the next question is of its subject without the 120 line; medicines taken
    as prescribed are no poisoning; a question the earlier article never speaks of, surely
    answered by another, goes there; one answered beyond doubt alone leaves the chain's words
    behind; an acronym no article uses is said so; "跟鸡粪一起撒" is about the lime; where a
    thing is kept is asked and answered."""
    demo.chat("c1", "娃儿流鼻血了 是不是要把脑壳仰起")
    demo.chat("c1", "捏哪里 要捏好久")
    assert "20分钟以上" in text(demo.chat("c1", "捏了二十多分钟了还在流"))
    demo.chat("c2", "雨季到了 山上捡的菌子咋个分有没得毒")
    assert "炒熟炒透" in text(demo.chat("c2", "见手青炒熟了总没得事噻"))
    demo.chat("c3", "这两天掰苞谷热得遭不住 人中暑了咋个整")
    demo.chat("c3", "谢谢哈 晓得了")
    said = text(demo.chat("c3", "那一天头哪个时候最好莫下地"))
    assert "中午到午后" in said and not said.startswith("⚠️")
    demo.chat("c4", "屋头老人家八十了 咋个防摔跤")
    said = text(demo.chat("c4", "她还在吃安眠药跟降压药"))
    assert not said.startswith("⚠️") and "农药" not in said
    demo.chat("c5", "屋头娃儿又吐又拉 学校说是诺如 会传染不")
    assert "抗生素" in text(demo.chat("c5", "要不要给他吃点头孢"))
    for said in ("五一想开车去稻城亚丁 高反咋个预防", "到了好久会开始难受"):
        demo.chat("c6", said)
    assert "沸点" in text(demo.chat("c6", "那边水烧开了煮面还是夹生的 为啥子嘞"))
    demo.chat("c7", "流感疫苗是不是每年都要打 去年打过了的")
    said = text(demo.chat("c7", "HPV疫苗呢 我女子13岁了 几岁打最好"))
    assert "没有经过专家审核" in said and "HPV" in said
    for said in ("李子树叶子发黄 果子越结越小 是不是土出问题了", "测了ph是5.2 石灰一亩撒好多"):
        demo.chat("c8", said)
    assert "半个月以上" in text(demo.chat("c8", "跟鸡粪一起撒要得不"))
    demo.chat("c9", "问一哈哈 没出事哈 就是怕 万一娃儿把他奶奶的降压药当糖吃了该咋个办")
    assert "够不着的高处" in text(demo.chat("c9", "平时药放哪里稳当点"))
    demo.chat("c10", "我们旅行社带的团在理塘 有个游客头痛得凶 一直吐 走路都打偏偏")
    assert "500米" in text(demo.chat("c10", "下回带团 上了三千米以后每天往上走好多米合适"))
    demo.chat("c11", "心肺复苏按压和人工呼吸的比例是好多")
    said = text(demo.chat("c11", "没培训过的人呢"))
    assert "持续胸外按压" in said and "哪个市" not in said


def test_a_question_before_a_need_about_something_else_is_no_part_of_it(demo: Harness) -> None:
    """Heat asked about (and thanked for), then a request naming its own trouble (testing the
    soil): the heat is not in the need, and a question in the form is about the soil."""
    for said in ("这两天掰苞谷热得遭不住 人中暑了咋个整", "谢谢哈 晓得了",
                 "那一天头哪个时候最好莫下地"):
        demo.chat("m1", said)
    assert "急不急" in text(demo.chat("m1", "我想找人来测下土 看看缺啥子肥 在绵阳三台"))
    said = text(demo.chat("m1", "测土配方是咋个取土的"))
    assert "梅花形" in said and "急不急" in said
    for said in ("不急", "面议"):
        demo.chat("m1", said)
    card = text(demo.chat("m1", "同意"))
    assert "请确认需求信息" in card and "中暑" not in card and "下地" not in card


def test_batch_seventeen_answers(demo: Harness) -> None:
    """Colloquial emergencies and worries that are not; a hurt is no remark; a crop or a
    complaint no article speaks of gets no stranger's article; a measure asked in its unit
    goes to the article that gives it, in a chain too; advice heard asks whether it is right;
    a bee-keeper's question is no sting."""
    assert text(demo.chat("e1", "割兔草遭蛇咬了 脚杆上两个牙印 是根青色的蛇")).startswith("⚠️")
    said = text(demo.chat("e2", "救命 农庄鱼塘头一个钓鱼的游客栽下去了 捞起来没得气了"))
    assert said.startswith("⚠️") and "倒挂" in said
    said = text(demo.chat("e3", "上山摘茶崴了脚 肿起来了 冰敷还是热敷哦"))
    assert not said.startswith("⚠️") and "没有经过专家审核" in said and "烫伤" not in said
    said = text(demo.chat("e4", "我们在泸定开民宿 冬天客人房间用炭火盆 "
                                "想请人来做个一氧化碳安全评估"))
    assert not said.startswith("⚠️") and "急不急" in said
    assert not text(demo.chat("e5", "我昨天吃了头孢 今晚有个酒席 喝点酒没得事吧")).startswith("⚠️")
    assert "出处：" in text(demo.chat("e6", "娃娃遭邻居屋头的狗抓了一爪 破了点皮 有点血"))
    said = text(demo.chat("e7", "请问蓝莓果实的花青素含量跟海拔有没有关系"))
    assert "没有经过专家审核" in said and "高原" not in said
    assert "28到32℃" in text(demo.chat("e8", "我们猪场产房仔猪躺的那块温度要保持好多度"))
    assert "1000到1500公斤" in text(demo.chat("e9", "茶园冬天基肥一亩施好多有机肥"))
    demo.chat("e10", "下个月要去理塘耍 怕高反 要注意啥子")
    assert "87℃" in text(demo.chat("e10", "那到了理塘水烧开是好多度"))
    assert "高压锅" in text(demo.chat("e10", "那煮饭咋整 听说饭都煮不熟"))
    demo.chat("e11", "爬山遭蛇咬了 脚杆肿起来了 是条青绿色的蛇")
    assert "不要用嘴吸毒" in text(demo.chat("e11", "同伴说用嘴巴把毒吸出来"))
    said = text(demo.chat("e12", "我是达县的 养了几箱中蜂 蜜蜂冬天要不要喂白糖"))
    assert "蜇" not in said
    assert "出处：" not in text(demo.chat("e13", "今天好热哦 你们那边热不"))
    assert "出处：" in text(demo.chat("e14", "植保无人机作业 旁边有蜂场和鱼塘 有啥要求"))


def test_batch_eighteen_answers(demo: Harness) -> None:
    """A hurt told as it happens gets what to do now; drinking on 头孢 asked beforehand is no
    emergency; 茶 in a title is the tea asked about; a follow-up stays with the article just
    read though it shares no word; "还有 …" said apart opens a new question; a pH below the
    range keeps the sentence that says so; the weather said before is read only by "这种天"."""
    said = text(demo.chat("f1", "不得了 娃娃把开水瓶打翻了 手背烫红了一块 五角钱硬币那么大"))
    assert "出处：" in said and "15到30分钟" in said
    said = text(demo.chat("f2", "我自己在吃头孢 今天晚上有个酒席 可以喝两口不"))
    assert not said.startswith("⚠️") and "7天内" in said
    assert "小绿叶蝉" in text(demo.chat("f3", "茶叶尖尖卷起来了 叶子边边红起焦了 是啥子虫"))
    demo.chat("f4", "磨芋秆秆底下烂了 水浸浸的 臭得很 倒了好几窝")
    assert "撒石灰" in text(demo.chat("f4", "烂了的那几窝挖了 坑坑要咋个处理"))
    demo.chat("f5", "这两天有几头小猪拉稀 咋整")
    assert "按比例稀释" in text(demo.chat("f5", "还有 猪场粪水多 沼液可以直接浇地不"))
    demo.chat("f6", "茶园土壤pH好多合适")
    assert "低于4.0" in text(demo.chat("f6", "测出来3.8 低不低"))
    demo.chat("f7", "今天太阳大得很 我刚从地头回来")
    said = text(demo.chat("f7", "我那个稻子叶子上有梭子形的斑，中间灰白的，是不是稻瘟病？"))
    assert "稻瘟" in said and "中暑" not in said
    demo.chat("f8", "今天好热哦 热得遭不住")
    assert "中暑" in text(demo.chat("f8", "屋头老人这种天要注意啥子"))
    said = text(demo.chat("f8", "遭了 我孙孙遭隔壁的狗咬了一口 破了点皮"))
    assert "狂犬病" in said and "哪个市" not in said
    assert "没有经过专家审核" in text(demo.chat("f9", "我婆婆腰杆上长了一圈泡泡 痛得睡不着 "
                                                     "听说是缠腰龙 要咋个治"))
