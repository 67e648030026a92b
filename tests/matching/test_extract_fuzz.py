"""Property tests for need extraction: any text (and Chinese-heavy text full of numerals,
money words and contact details) gives a well-formed need record, never an exception, and
the contact details it pulls out never travel in what scientists see."""

from __future__ import annotations

import json
import math
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from matching import slots
from matching.extract import extract_need, fill_slot
from matching.need import CONFIDENTIALITY, KINDS, SLOT_QUESTIONS, URGENCIES, NeedDraft
from retrieval.tokenize import normalise

FUZZ = settings(max_examples=150, deadline=None)

_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_PIECES = st.sampled_from([
    "一", "二", "两", "三", "四", "五", "六", "七", "八", "九", "十", "百", "千", "万", "亿", "零",
    "〇", "几", "元", "块", "块钱", "万元", "w", "k", "RMB", "预算", "能出", "费用", "面议",
    "左右", "以内", "到", "-", "~", "～", "至", "，", "。", "！", "？", "、", "；", "\n", " ",
    "急", "不急", "尽快", "这周", "李子", "土壤酸化", "温江", "宜宾市翠屏区", "专家", "保密",
    "同意", "不同意", "电话", "微信", "邮箱", "@", ".", "１", "２", "０", "．", "，", "：",
    "猕猴桃溃疡病", "合作社", "研发", "转让", "招聘", "远程", "亩",
])
_DIGITS = st.text(alphabet="0123456789.,", min_size=1, max_size=14)
_chinese = st.lists(st.one_of(_PIECES, _DIGITS, _CJK), max_size=40).map("".join)
_anything = st.text(max_size=200)
_text = st.one_of(_chinese, _anything)


def _check_draft(draft: NeedDraft) -> None:
    assert draft.budget is None or (math.isfinite(draft.budget) and draft.budget >= 0)
    assert set(draft.missing) <= set(SLOT_QUESTIONS)
    assert draft.missing == sorted(draft.missing, key=list(SLOT_QUESTIONS).index)
    assert draft.kind in KINDS
    assert draft.urgency is None or draft.urgency in URGENCIES
    assert draft.confidentiality in CONFIDENTIALITY
    assert draft.contact_consent in (None, True, False)
    assert all(isinstance(k, str) and k for k in draft.keywords) and len(draft.keywords) <= 8
    data = draft.to_json()
    assert "contact" not in data
    json.dumps(data, ensure_ascii=False, allow_nan=False)
    draft.summary_lines()


@FUZZ
@given(text=_text)
def test_any_text_gives_a_well_formed_need(text: str) -> None:
    _check_draft(extract_need(text))


@FUZZ
@given(messages=st.lists(_text, max_size=4), role=st.sampled_from([None, "farmer", "enterprise"]))
def test_several_messages_give_a_well_formed_need(messages: list[str], role: str | None) -> None:
    draft = extract_need(messages, role=role)
    _check_draft(draft)
    assert role is None or draft.requester_role == role


@FUZZ
@given(text=_text)
def test_budget_is_none_or_a_finite_positive_amount_written_in_the_text(text: str) -> None:
    budget = slots.parse_budget(text)
    if budget is None:
        return
    assert budget.amount is None or (math.isfinite(budget.amount) and 0 < budget.amount <= 1e10)
    assert budget.text and budget.text in text


@FUZZ
@given(text=_text)
def test_urgency_is_one_of_the_known_values_or_none(text: str) -> None:
    assert slots.parse_urgency(text) in (None, *URGENCIES)


# ---- the privacy invariant ---------------------------------------------------------------------
_FULL = str.maketrans("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@.-_",
                      "０１２３４５６７８９ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
                      "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ＠．－＿")


@st.composite
def _phone(draw: st.DrawFn) -> tuple[str, str]:
    """(as typed, its digits): ASCII or full-width (an IME in full-width mode), whole or
    grouped 3-4-4 the way numbers are written on cards."""
    digits = "1" + draw(st.sampled_from("3456789")) + draw(
        st.text(alphabet="0123456789", min_size=9, max_size=9))
    sep = draw(st.sampled_from(["", "", " ", "-"]))
    typed = f"{digits[:3]}{sep}{digits[3:7]}{sep}{digits[7:]}"
    return (typed.translate(_FULL) if draw(st.booleans()) else typed), digits


@st.composite
def _email(draw: st.DrawFn) -> tuple[str, str]:
    local = draw(st.from_regex(r"[a-z][a-z0-9._]{2,10}", fullmatch=True))
    address = f"{local}@{draw(st.sampled_from(['qq.com', 'example.cn', 'sc.edu.cn']))}"
    return (address.translate(_FULL) if draw(st.booleans()) else address), address


@st.composite
def _wechat(draw: st.DrawFn) -> tuple[str, str]:
    wxid = draw(st.from_regex(r"[a-zA-Z][a-zA-Z0-9_-]{5,15}", fullmatch=True))
    prefix = draw(st.sampled_from(["微信", "微信号", "微信號", "vx", "VX", "wx", "ｖｘ", "v信"]))
    sep = draw(st.sampled_from(["", " ", "：", ":", "是"]))
    typed = wxid.translate(_FULL) if draw(st.booleans()) else wxid
    return f"{prefix}{sep}{typed}", wxid.lower()


_contact = st.one_of(_phone(), _email(), _wechat())
_BOUNDARY = st.sampled_from(["，", "。", " ", "\n", "！", "；", "（", "）"])


def _leaks(secret: str, shown: str) -> bool:
    """Whether `shown` still carries the secret, in any width, case or grouping."""
    flat = re.sub(r"[\s\-－]", "", normalise(shown))
    return secret in flat


@FUZZ
@given(before=_chinese, contact=_contact, b1=_BOUNDARY, b2=_BOUNDARY, after=_chinese)
@example(before="李子园土壤酸化", contact=("１３８００００１１１１", "13800001111"),
         b1="，", b2="，", after="预算五千")  # full-width digits, as a full-width IME types them
@example(before="李子园土壤酸化", contact=("138 0000 1111", "13800001111"), b1="，电话 ",
         b2="。", after="")
@example(before="", contact=("微信號 LiZi_2024", "lizi_2024"), b1=" ", b2="，", after="李子")
@example(before="", contact=("ｌｉｚｉ＿２０２４＠ｑｑ．ｃｏｍ", "lizi_2024@qq.com"), b1="，",
         b2="，", after="")
def test_contact_details_never_stay_in_what_scientists_see(
    before: str, contact: tuple[str, str], b1: str, b2: str, after: str
) -> None:
    typed, secret = contact
    draft = extract_need(f"{before}{b1}{typed}{b2}{after}")
    _check_draft(draft)
    assert draft.contact, "the contact detail was not recognised"
    shown = [draft.description, draft.title, *draft.keywords, draft.budget_text,
             json.dumps(draft.to_json(), ensure_ascii=False)]
    for piece in shown:
        assert not _leaks(secret, piece), (typed, piece)


_CHINESE_ALPHABET = st.one_of(_chinese, st.lists(st.one_of(_PIECES, _contact.map(lambda c: c[0]),
                                                           _BOUNDARY), max_size=12).map("".join))


@FUZZ
@given(text=_CHINESE_ALPHABET)
@example(text="加微信 lizi_2024，再说一遍 lizi_2024")  # the id again, without 微信 before it
def test_nothing_the_extractor_recognises_survives_in_the_description(text: str) -> None:
    """Self-consistency: what the rules read as a contact in the normalised text (the view
    every other slot is read from) is gone from the description shown to scientists."""
    draft = extract_need(text)
    for extracted in slots.extract_contacts(normalise(draft.description))[1].values():
        raise AssertionError(f"{extracted!r} is still in {draft.description!r}")
    _no_extracted_contact_shown(draft)


def _no_extracted_contact_shown(draft: NeedDraft) -> None:
    """No extracted value stands on its own in the description or title (it may still be part
    of a longer number or word that is not a contact: "130000000001" is no phone number)."""
    for value in draft.contact.values():
        alone = re.compile(rf"(?<!\w){re.escape(value)}(?!\w)")
        assert not alone.search(draft.description), (value, draft.description)
        assert not alone.search(draft.title), (value, draft.title)


# ---- answers to the dialog's questions ---------------------------------------------------------
_SLOTS = st.sampled_from([*SLOT_QUESTIONS, "kind", "", "unknown"])


@FUZZ
@given(first=_text, slot=_SLOTS, answer=st.one_of(_text, _contact.map(lambda c: c[0])))
def test_filling_any_slot_with_any_answer_keeps_the_need_well_formed(
    first: str, slot: str, answer: str
) -> None:
    draft = extract_need(first)
    contact_before = dict(draft.contact)
    ok = fill_slot(draft, slot, answer)
    assert isinstance(ok, bool)
    if slot not in SLOT_QUESTIONS:
        assert ok is False
    _check_draft(draft)
    assert contact_before.items() <= draft.contact.items() or slot == "description"
    _no_extracted_contact_shown(draft)
