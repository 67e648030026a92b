"""Need extraction by rules: the record, the missing slots, and odd input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.extract import extract_need, fill_slot


def test_a_full_need_from_one_message() -> None:
    d = extract_need("我们是宜宾翠屏区的李子合作社，200亩李子树叶子黄果子小，想找专家来现场看看，"
                     "预算两三千块，这周内，电话13812345678")
    assert d.kind == "service"
    assert d.region_code == "511502" and d.full_region_name() == "宜宾市翠屏区"
    assert d.urgency == "urgent" and d.budget == 2500 and d.budget_text == "两三千块"
    assert d.products == ["李子"] and d.discipline_code == "0902"
    assert d.contact == {"phone": "13812345678"} and d.contact_consent is True
    assert "13812345678" not in d.description and "13812345678" not in str(d.to_json())
    assert d.requester_role == "enterprise"
    assert d.missing == []
    assert "李子" in d.title and "合作社" not in d.title
    assert not any("三千" in k or "联系" in k for k in d.keywords)


def test_missing_slots_in_asking_order() -> None:
    d = extract_need("李子园土壤酸化板结怎么办？")
    assert d.kind == "question"
    assert d.missing == ["region", "urgency", "contact_consent"]  # no budget for a question
    d = extract_need("我司磷酸铁锂压实密度偏低，寻求联合攻关")
    assert d.kind == "rd_challenge" and "budget" in d.missing


def test_several_messages_make_one_need() -> None:
    d = extract_need(["猕猴桃溃疡病又发了", "我们在蒲江", "尽快，费用面议，可以留电话"])
    assert d.region_code == "510131" and d.urgency == "soon"
    assert d.budget is None and d.budget_text == "面议"
    assert "budget" not in d.missing and d.contact_consent is True


def test_bad_input_gives_missing_slots_not_errors() -> None:
    for text in ("", "   ", "asdf", "😀😀😀", "？？？"):
        d = extract_need(text)
        assert "description" in d.missing, text
    d = extract_need("火星市的猪生病了，费用面议")
    assert d.region_code is None and "region" in d.missing
    assert d.budget_text == "面议" and "budget" not in d.missing
    long = extract_need("猪不吃食" * 5000)
    assert len(long.description) <= 4000


def test_fill_slot_answers_one_question_at_a_time() -> None:
    d = extract_need("李子树叶子发黄，想请专家来看看")
    assert d.missing == ["region", "urgency", "budget", "contact_consent"]
    assert not fill_slot(d, "region", "在火星")
    assert fill_slot(d, "region", "宜宾翠屏区")
    assert fill_slot(d, "urgency", "不急")
    assert not fill_slot(d, "budget", "不知道")
    assert fill_slot(d, "budget", "五千")
    assert d.budget == 5000
    assert fill_slot(d, "contact_consent", "同意，13900001111")
    assert d.missing == [] and d.contact["phone"] == "13900001111"
    # no amount and none coming ("你莫问了", "专家说了算"): 面议, not the question again
    for unsaid in ("这个不好说 你莫问了", "专家说了算"):
        d = extract_need("李子树叶子发黄，想请专家来看看")
        assert fill_slot(d, "budget", unsaid) and d.budget is None and d.budget_text == "面议"


def test_contacts_in_every_form_move_into_the_private_contact() -> None:
    d = extract_need("我们是宜宾翠屏区的李子合作社，两百亩李子树叶子发黄，预算五千左右，"
                     "电话+86 138 1234 5678，QQ 12345678，WeChat: abc123，座机(0831)2345678")
    assert d.contact == {"phone": "13812345678、0831-2345678", "qq": "12345678",
                         "wechat": "abc123"}
    shown = " ".join([d.description, d.title, *d.keywords, str(d.to_json())])
    for secret in ("5678", "12345678", "abc123", "2345678"):
        assert secret not in shown, secret
    assert not {"qq", "wechat", "86"} & set(d.keywords), d.keywords
    # what the rest of the record reads is unchanged by the masking
    assert d.region_code == "511502" and d.budget == 5000 and d.products == ["李子"]
    assert d.contact_consent is True


def test_contacts_added_in_a_later_message_are_kept() -> None:
    d = extract_need("李子树叶子发黄，想请专家来看看，电话13812345678")
    assert fill_slot(d, "description", "补充一下：两百亩，QQ号：87654321")
    assert d.contact == {"phone": "13812345678", "qq": "87654321"}
    assert "87654321" not in d.description


def test_summary_card_is_chinese_and_private() -> None:
    d = extract_need("宜宾翠屏区李子园土壤酸化，预算五万左右，尽快，电话13812345678")
    card = "\n".join(d.summary_lines())
    assert "宜宾市翠屏区" in card and "约 5 万元" in card and "13812345678" not in card


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_extraction_never_crashes(text: str) -> None:
    d = extract_need(text)
    assert set(d.missing) <= {"description", "region", "urgency", "budget", "contact_consent"}
    assert d.kind in ("question", "service", "rd_challenge", "talent", "achievement_transfer")
    for value in d.contact.values():
        assert value not in d.description
