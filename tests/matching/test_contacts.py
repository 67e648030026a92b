"""The contact detector (core/contacts.py): a labelled set of the ways people write phone
numbers, QQ numbers, WeChat ids and e-mail addresses in Chinese chat, and of numbers that are
not contacts and must survive (years, amounts, dates, region codes, ids). The set lives in
tests/support.py: the log masker is checked against it in tests/test_logs.py."""

from __future__ import annotations

import re

import pytest

from core.contacts import HIDDEN, extract_contacts, find_contacts, mask_contacts
from matching import slots
from matching.extract import extract_need

from ..support import NEGATIVES, POSITIVES, flat, secret_of


@pytest.mark.parametrize("typed,kind,value", POSITIVES)
def test_labelled_contacts_are_found_with_their_kind_and_removed(typed: str, kind: str,
                                                                  value: str) -> None:
    text = f"李子树叶子发黄，{typed}，请专家看看"
    found = find_contacts(text)
    assert [c.kind for c in found] == [kind], [(c.kind, text[c.start:c.end]) for c in found]
    cleaned, contact = extract_contacts(text)
    assert contact == {kind: value}
    assert secret_of(value) not in flat(cleaned), cleaned
    assert cleaned.startswith("李子树叶子发黄，") and cleaned.endswith("，请专家看看")
    assert HIDDEN in cleaned


@pytest.mark.parametrize("text", NEGATIVES)
def test_numbers_that_are_not_contacts_survive(text: str) -> None:
    assert find_contacts(text) == []
    assert extract_contacts(text) == (text, {})
    assert mask_contacts(text) == text


def test_spans_map_back_to_the_original_full_width_text() -> None:
    text = "电话：１３８ １２３４ ５６７８，微信：ｌｉｚｉ＿２０２４"
    found = find_contacts(text)
    assert [(c.kind, text[c.start:c.end]) for c in found] == [
        ("phone", "１３８ １２３４ ５６７８"), ("wechat", "微信：ｌｉｚｉ＿２０２４")]


def test_several_values_of_one_kind_are_all_kept() -> None:
    text = "电话13812345678，或者 139-1234-5678，座机 028-8888 6666，QQ 12345678 或 QQ 87654321"
    cleaned, contact = extract_contacts(text)
    assert contact == {"phone": "13812345678、13912345678、028-88886666",
                       "qq": "12345678、87654321"}
    assert not re.search(r"\d{4}", cleaned), cleaned


def test_the_same_id_again_without_its_label_is_hidden_too() -> None:
    cleaned, contact = extract_contacts("加微信 lizi_2024，再说一遍 LIZI_2024；"
                                        "QQ 1234567，就是 1234567")
    assert contact == {"wechat": "lizi_2024", "qq": "1234567"}
    assert "lizi" not in cleaned.lower() and "1234567" not in cleaned


def test_a_label_cut_off_by_a_neighbour_is_read_once_the_neighbour_is_masked() -> None:
    # "vx" right after the digits is no label at first; once they are hidden, it is one
    cleaned, contact = extract_contacts("13800001111vx abc123")
    assert contact == {"phone": "13800001111", "wechat": "abc123"}
    assert extract_contacts(cleaned) == (cleaned, {})


def test_the_old_pattern_names_still_answer_search() -> None:
    assert slots.PHONE.search("电话 138 1234 5678") is not None
    assert slots.PHONE.search("QQ 12345678") is None
    assert slots.QQ.search("QQ 12345678") is not None
    assert slots.WECHAT.search("weixin: abc_123") is not None
    assert slots.EMAIL.search("a@b.cn") is not None


def test_a_contact_written_into_the_need_counts_as_consent() -> None:
    assert slots.parse_contact_consent("李子树黄叶，QQ 12345678") is True
    assert slots.parse_contact_consent("李子树黄叶，2026年种的") is None


@pytest.mark.parametrize("typed,kind,value", [
    ("电话+86 138 1234 5678", "phone", "13812345678"), ("QQ 12345678", "qq", "12345678"),
    ("QQ号：12345678", "qq", "12345678"), ("qq:12345678", "qq", "12345678"),
    ("weixin: abc_123", "wechat", "abc_123"), ("WeChat: abc123", "wechat", "abc123"),
    ("微信 abc123", "wechat", "abc123"), ("座机 (028)88886666", "phone", "028-88886666"),
    ("0831 1234567", "phone", "0831-1234567"),
])
def test_need_records_never_carry_the_contact(typed: str, kind: str, value: str) -> None:
    """The need record's description, title and keywords are shown to scientists before
    anyone accepts: the contact moves into the private contact dict."""
    draft = extract_need("我们是宜宾翠屏区的李子合作社，两百亩李子树叶子发黄，预算五千左右，"
                         + typed)
    assert draft.contact == {kind: value}
    for shown in (draft.description, draft.title, " ".join(draft.keywords)):
        assert secret_of(value) not in flat(shown), (typed, shown)
    # the label goes with the id: "qq" or "weixin" left behind would become a keyword
    assert not {"qq", "weixin", "wechat"} & set(draft.keywords), draft.keywords
