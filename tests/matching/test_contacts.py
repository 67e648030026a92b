"""The contact detector (core/contacts.py): a labelled set of the ways people write phone
numbers, QQ numbers, WeChat ids and e-mail addresses in Chinese chat, and of numbers that are
not contacts and must survive (years, amounts, dates, region codes, ids). The log masker is
checked against the same set in tests/test_logs.py."""

from __future__ import annotations

import re
import unicodedata

import pytest

from core.contacts import HIDDEN, extract_contacts, find_contacts, mask_contacts
from matching import slots
from matching.extract import extract_need

# (as typed inside a sentence, kind, the value stored in the contact dict)
POSITIVES: list[tuple[str, str, str]] = [
    # mobile numbers: country code, grouping, full width
    ("电话+86 138 1234 5678", "phone", "13812345678"),
    ("手机：+8613812345678。", "phone", "13812345678"),
    ("打 0086 138 1234 5678 找老李", "phone", "13812345678"),
    ("联系 86-138-1234-5678", "phone", "13812345678"),
    ("号码 138.1234.5678 白天打", "phone", "13812345678"),
    ("号码 138 1234 5678 白天打", "phone", "13812345678"),
    ("号码 138-1234-5678", "phone", "13812345678"),
    ("电话１３８１２３４５６７８，谢谢", "phone", "13812345678"),
    ("电话：１３８－１２３４－５６７８", "phone", "13812345678"),
    ("＋８６　１３８　１２３４　５６７８", "phone", "13812345678"),
    ("（13812345678）", "phone", "13812345678"),
    ("tel:+86-138-1234-5678", "phone", "13812345678"),
    ("物联网卡 14012345678 也行", "phone", "14012345678"),  # a block libphonenumber omits
    ("2026 138 1234 5678", "phone", "13812345678"),  # the matcher gives up on the whole run
    ("138\u200b1234\u200b5678", "phone", "13812345678"),  # zero-width spaces to dodge a filter
    # landlines: area code with dash, space, brackets
    ("办公室 028-8888 6666", "phone", "028-88886666"),
    ("座机(028)88886666", "phone", "028-88886666"),
    ("座机（028）88886666", "phone", "028-88886666"),
    ("宜宾 0831 1234567", "phone", "0831-1234567"),
    ("宜宾0831-2345678转", "phone", "0831-2345678"),
    ("北京 010 1234 5678", "phone", "010-12345678"),
    ("+86 (28) 8888 6666", "phone", "028-88886666"),
    ("客服热线 400-820-8820", "phone", "4008208820"),
    ("座机 8888 6666", "phone", "88886666"),  # no area code: only the label says so
    ("电话：6688999", "phone", "6688999"),
    ("海外 +1 415 555 2671", "phone", "+14155552671"),
    # QQ
    ("QQ 12345678", "qq", "12345678"),
    ("QQ号：12345678", "qq", "12345678"),
    ("qq:12345678", "qq", "12345678"),
    ("加扣扣 123456 聊", "qq", "123456"),
    ("QQ号码是 1234567890", "qq", "1234567890"),
    ("ＱＱ：１２３４５６７８", "qq", "12345678"),
    ("qq13812345678", "qq", "13812345678"),  # an 11-digit QQ number is a QQ number
    # WeChat
    ("weixin: abc_123", "wechat", "abc_123"),
    ("WeChat: abc123", "wechat", "abc123"),
    ("微信 abc123", "wechat", "abc123"),
    ("微信号：lizi_2024", "wechat", "lizi_2024"),
    ("微信号是 lizi-2024", "wechat", "lizi-2024"),
    ("加vx lizi_2024", "wechat", "lizi_2024"),
    ("ｖｘ：ＬｉＺｉ＿２０２４", "wechat", "LiZi_2024"),
    ("微信號 LiZi_2024", "wechat", "LiZi_2024"),
    ("V信 lizi2024", "wechat", "lizi2024"),
    ("wxid_abc12345", "wechat", "wxid_abc12345"),
    ("微信 12345678", "wechat", "12345678"),  # an old account bound to a QQ number
    # e-mail
    ("邮箱 zhang.san@example.com", "email", "zhang.san@example.com"),
    ("ｌｉｚｉ＿２０２４＠ｑｑ．ｃｏｍ", "email", "lizi_2024@qq.com"),
    ("12345678@qq.com", "email", "12345678@qq.com"),  # an e-mail, not a QQ number
]

NEGATIVES: list[str] = [
    "2026年种的李子",
    "预算50000元",
    "预算五万",
    "两百亩，200亩李子",
    "2026-12-03 之前",
    "2026.12.03 之前",
    "2026/12/03 之前",
    "20261203 那天",
    "pH 4.8，有机质 1.2%",
    "型号 KX-2000 和 ZY3000",
    "需求编号 100234",
    "行政区划代码 510100",
    "511502 翠屏区",
    "身份证号 510104199001011234",
    "订单 20261203001234",
    "ts=1767225600.123",
    "编号 2026120301",  # ten digits that libphonenumber reads as a Guangzhou landline
    "IP 192.168.1.100",
    "共 1234567 株",
    "版本 v1.2.3",
    "12:30 到",
    "3.1415926535",
    "need 42 offered to 3 scientists in 0.25 s",
    "95588 是银行客服",
    "微信上联系",
    "QQ群里说过",
    "电话联系我",
    "wechat 上联系",
]

_SEPARATORS = re.compile(r"[\s\-.()（）]")


def flat(text: str) -> str:
    """The text as a reader would copy it: half width, lower case, no grouping."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).lower()


def secret_of(value: str) -> str:
    return flat(value).lstrip("+")


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
