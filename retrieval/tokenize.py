"""Chinese tokenisation for BM25: jieba with a domain dictionary, plus normalisation.

The domain dictionary (discipline lexicon, place names, article tags, crop and pest terms)
keeps words such as 土壤酸化, 黄龙病 or 猕猴桃溃疡病 whole, so BM25 matches them as units.
Queries and documents go through the same `tokenize` so they always agree.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import jieba
import zhconv

from knowledge import gazetteer, taxonomy

jieba.setLogLevel(logging.WARNING)

_STOPWORDS = frozenset(
    """
        的 了 呢 吗 吧 啊 呀 哦 嘛 么 和 与 及 或
        而 并 也 还 就 都 又 在 是 有 个 这 那 之
        其 把 被 给 让 从 对 向 为 以 于 上 下 里
        中 时 后 前 要 会 能 可 可以 可能 应该 需要 怎么 怎么办
        怎样 如何 什么 为什么 哪些 哪个 多少 几 请问 请 你好 您好 谢谢 我
        我们 你 你们 他 她 它 他们 家 咱 俺 自己 一下 一些 一个
        一种 这个 那个 这样 那样 有没有 是不是 能不能 好 不 没 没有 很 太
        最 更 比较 非常 已经 正在 现在 今年 最近 老是 总是 一直 办 问
        问题 情况 东西 时候 知道 想 想问 帮 帮忙 看看 说 告诉 大家 朋友
        老师 专家 到 得 着 过 啥 咋 咋办 咋整 咋个 嘞 哈 噻
        撒 哇 喃 还有 还是 就是 但是 所以 因为 如果 然后 那么 这么 怎么样
        行不行 好不好 一点 有点 啥子 啥时候 好多 好久 怎么弄 咋个办 些 做些 一下子 好几
        有啥 法子 办法 要不要 会不会 能不能 可不可以 是啥 弄 整 搞 一哈 想学 学一哈
        扎西德勒 卡沙沙
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
_MAX_QUERY_CHARS = 2000  # longer text adds noise, not signal, and costs time


# homophones that pinyin and voice input put in place of a word ("找砖家", "米猴桃", "军核病")
_TYPOS = {"砖家": "专家", "zhuanjia": "专家", "专加": "专家", "米猴桃": "猕猴桃",
          "弥猴桃": "猕猴桃",
          "迷猴桃": "猕猴桃", "军核病": "菌核病", "稻温病": "稻瘟病", "非州猪瘟": "非洲猪瘟",
          "红蜘珠": "红蜘蛛", "溃痒病": "溃疡病", "碳疽病": "炭疽病",
          "霜梅病": "霜霉病", "白粉并": "白粉病", "菌和病": "菌核病", "非洲猪温": "非洲猪瘟",
          "兔温": "兔瘟", "新城役": "新城疫", "齐橙": "脐橙", "魔玉": "魔芋",
          "毛牛": "牦牛", "区虫": "驱虫", "花交": "花椒", "合桃": "核桃", "苦乔": "苦荞",
          "军和病": "菌核病", "到温病": "稻瘟病", "叶婵": "叶蝉", "辣交": "辣椒",
          "菌合病": "菌核病", "穗颈温": "穗颈瘟", "zj": "专家", "ZJ": "专家",
          "留感": "流感", "流敢": "流感", "敌敌为": "敌敌畏", "敌敌卫": "敌敌畏"}
# (letters only as a word of their own: "zj" is 专家, never a part of "zjsq", nor of a
# binding code such as "Y3B5ZJ2J")
_TYPO = re.compile("|".join(rf"(?<![A-Za-z0-9]){k}(?![A-Za-z0-9])" if k.isascii() else k
                            for k in _TYPOS))


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), traditional → simplified, lower-case, and the
    commonest homophone typos put right."""
    text = unicodedata.normalize("NFKC", text)
    return fix_typos(zhconv.convert(text, "zh-cn").lower())


# full-width digits and Latin letters ("２０００", "ＯＫ"); punctuation stays as typed
_FULL_WIDTH = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
               for c in range(r[0], r[1] + 1)}


def plain(text: str) -> str:
    """What a message says, as the dialog reads it: full-width digits half-width ("２０００"),
    traditional characters simplified ("請個技術員"), homophone typos put right (the common
    ones, and words typed by ear: "查叶" → 茶叶); case and punctuation kept."""
    from retrieval.homophones import fix_homophones  # (pypinyin, loaded when first read)

    text = fix_homophones(fix_typos(zhconv.convert(text.translate(_FULL_WIDTH), "zh-cn")))
    return _unspaced(_NEI.sub("呢", text) if _ASKS_ON.match(text) else text)


# "那羊内", "要放冷库放久点的内": 内 typed by ear for the particle 呢, ending a message that asks
# on ("三天内", "这个月内", "国内" keep theirs)
_ASKS_ON = re.compile(r"^(那|那么|要是|如果)|.*的内[？?。！!\s]*$")
_NEI = re.compile(r"(?<![国省县市区室体域校院境海业队组村镇乡厂场天月周年期间时日圈棚屋家])内"
                  r"(?=[？?。！!\s]*$)")


# "牦牛 瘦 掉毛 想要 兽医 来 看": typed word by word (a second language, a voice keyboard);
# the spaces are no clause breaks there, so the words are read as one sentence — except after a
# place ("雅江 松茸公司": the county said alone) and around a word that leaves ("不搞了 自己找到
# 兽医了"), where the break is what makes them read as such
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD_BY_WORD = 2.4  # mean characters per space-separated Chinese word, at most
_MIN_WORDS = 5
_CHAR_BY_CHAR = 1.5  # fewer words, nearly all one character: "不是 很 急"
_KEEP_AFTER = re.compile(r"(?:算了|不搞了|不找了|不要了|不弄了|取消)[了嘛哈]*$")


def _unspaced(text: str) -> str:
    words = re.split(r"([ \u3000]+)", text.strip())
    parts = [p for p in words[::2] if _CJK_RUN.search(p)]
    if len(parts) < 3:
        return text
    sizes = [sum(len(r) for r in _CJK_RUN.findall(p)) for p in parts]
    if sum(sizes) / len(sizes) > (_WORD_BY_WORD if len(parts) >= _MIN_WORDS else _CHAR_BY_CHAR):
        return text
    from knowledge import gazetteer

    out = words[0]
    for gap, word in zip(words[1::2], words[2::2], strict=True):
        last = re.split(r"[ \u3000]+", out)[-1]  # the word before the gap
        joins = (_CJK_RUN.match(out[-1:]) and _CJK_RUN.match(word)
                 and not _KEEP_AFTER.search(last) and not _KEEP_AFTER.match(word)
                 and gazetteer.resolve(last) is None)
        out += word if joins else gap + word
    return out


def fix_typos(text: str) -> str:
    """The commonest homophone typos put right ("找砖家" → "找专家")."""
    return _TYPO.sub(lambda m: _TYPOS[m.group(0)], text)


@lru_cache(maxsize=4)
def synonyms(name: str = "synonyms.csv") -> dict[str, list[str]]:
    """Colloquial and dialect words → the standard words articles use (data/synonyms.csv);
    `matching_synonyms.csv` holds more, for needs read against expert profiles."""
    path = resources.files("knowledge") / "data" / name
    table: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[2:]:
        if line.strip() and not line.startswith("#"):
            term, _, standard = line.partition(",")
            table[term.strip()] = [w for w in standard.split(";") if w.strip()]
    return table


# questions that name a term of art without its words: "打了药过后好久才能摘来卖" asks for the
# 安全间隔期, "猪打了抗生素 要等多久才能卖" for the 休药期
_WAIT = r".{0,12}(好久|多久|几天|多少天|好多天|隔|等).{0,8}"
_LIVESTOCK = r"(猪|牛|羊|鸡|鸭|鹅|兔)"
_TERMS_ASKED = (
    (re.compile(r"(打|喷|施|用)[了完过]?(药|农药|杀虫剂|杀菌剂)(?![^，,。]*(杀|宰|出栏))" + _WAIT
                + r"(摘|采|卖|收|吃|上市)"),
     "安全间隔期"),
    # "打了药的麦子磨成面 娃娃能吃不": the sprayed crop eaten
    (re.compile(r"(打|喷|施)[了过]?(农药|药|杀虫剂|杀菌剂)的[^，,。\s]{1,4}"
                r"[^，,。]{0,8}(能|可以)?(吃|卖)"), "安全间隔期"),
    # ("打了好久能摘" after a question on which pesticide: the spray is the one asked about)
    (re.compile(r"^\s*(打|喷)(了|完|过)(?![^，,。]*(杀|宰|出栏))" + _WAIT
                + r"(摘|采|卖|收|吃|上市)"), "安全间隔期"),
    (re.compile(r"(打|用|喂|注射)了?(抗生素|兽药|针|消炎药)" + _WAIT + r"(卖|杀|宰|出栏|吃)"),
     "休药期"),
    # "打了药好久能杀来卖" after deworming: what is slaughtered was dosed, not sprayed
    (re.compile(r"(打|用|喂|注射)[了完过]?[^，,。]{0,4}药" + _WAIT + r"(杀|宰|出栏)"), "休药期"),
    # "刚喂了驱虫药的羊可以马上卖不": sold right after a drug, the same wait
    (re.compile(r"(打|用|喂|注射|吃)[了完过]?[^，,。]{0,4}(抗生素|兽药|针|消炎药|驱虫药|药)[^，,。]{0,8}"
                r"(马上|立马|立刻|就|直接)(卖|杀|宰|出栏|上市)"), "休药期"),
    # "打了药的羊好久能拉去卖", "羊子打了驱虫药好久能卖": a dosed animal, not a sprayed crop
    (re.compile(r"(打|用|喂|注射)[了完过]?[^，,。]{0,4}药的?" + _LIVESTOCK + "|" + _LIVESTOCK
                + r"[^，,。]{0,6}(打|用|喂|注射)[了完过]?[^，,。]{0,4}药" + _WAIT
                + r"(卖|吃|上市|杀|宰)"), "休药期"),
    # "那要吃好久的药", "吃药要吃好多天": how long a course of treatment lasts
    (re.compile(r"(吃|服|打)(好久|多久|几天|好多天|多少天|多长时间)的?(药|针)|"
                r"(药|针|治疗[^，,。]{0,4})要?(吃|打|服)(好久|多久|几天|好多天|多少天|多长时间)"),
     "疗程"),
    # "那青菜呢" after leftovers: the leafy greens the articles name (青菜头 is a tuber)
    (re.compile(r"青菜(?!头)"), "绿叶蔬菜"),
    # "高压到好多就要喊救护车": 高压/低压 are how people say the two blood-pressure numbers
    # (not 高压锅, 高压线, 高压氧, 高压喷雾)
    # (as 血压, not 收缩压: "自己量 高压低压多少算高" is the home reading, 135/85)
    (re.compile(r"(?<![血电])[高低]压(?![锅线氧电水枪泵喷])"), "血压"),
)


def terms_asked(text: str) -> list[str]:
    """The terms a question asks about in other words ("打了药的麦子…能吃不": 安全间隔期)."""
    found = [term for pattern, term in _TERMS_ASKED if pattern.search(text)]
    # (an animal dosed is the 休药期 whatever else the words fit)
    return [t for t in found if not (t == "安全间隔期" and "休药期" in found)]


def expand_query(text: str, table: str = "synonyms.csv") -> str:
    """Append the standard words for colloquial ones ("洋芋叶子烂了" → "… 马铃薯 土豆"), so
    both the dense and the sparse side see the vocabulary the articles are written in."""
    found = [term for term in synonyms(table) if term in text]
    # a term said only inside a longer one is that one's ("怀起儿" is 怀孕, not 怀起's 孕晚期)
    found = [t for t in found if not any(
        t in longer and t != longer and text.count(t) == text.count(longer)
        for longer in found)]
    extra = [w for term in found for w in synonyms(table)[term] if w not in text]
    if table == "synonyms.csv":
        extra += [term for term in terms_asked(text) if term not in text]
    return f"{text} {' '.join(dict.fromkeys(extra))}" if extra else text


@cache
def domain_term_list() -> tuple[str, ...]:
    """The hand-kept words of knowledge/data/domain_terms.txt (comments and blanks left out)."""
    path = resources.files("knowledge") / "data" / "domain_terms.txt"
    if not path.is_file():
        return ()
    return tuple(w.strip() for w in path.read_text(encoding="utf-8").splitlines()
                 if w.strip() and not w.startswith("#"))


def domain_terms(extra: Iterable[str] = ()) -> set[str]:
    terms = set(taxonomy.lexicon())
    for region in gazetteer.all_regions():
        terms.update({region.name, region.short_name})
    terms.update(domain_term_list())
    terms.update(synonyms())
    for words in synonyms().values():
        terms.update(words)
    terms.update(extra)
    return {normalise(t) for t in terms if 2 <= len(t) <= 12 and " " not in t}


_BASE: list[tuple[dict[str, int], int]] = []
_BASE_LOCK = threading.Lock()


def _read_jieba_cache(base: jieba.Tokenizer) -> tuple[dict[str, int], int] | None:
    """jieba's own cache file of its default dictionary, read the way `initialize` would but
    in one piece: `marshal.load` on a file reads it item by item (≈0.45 s for its 500,000
    prefixes), `marshal.loads` on the bytes takes a third of that. None: let jieba do it."""
    if base.dictionary != jieba.DEFAULT_DICT or base.cache_file:
        return None
    path = Path(base.tmp_dir or tempfile.gettempdir()) / "jieba.cache"
    try:
        freq, total = marshal.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - missing, partly written or foreign: jieba rebuilds it
        return None
    return (freq, total) if isinstance(freq, dict) and freq else None


def _base_dictionary(tmp_dir: str | None) -> tuple[dict[str, int], int]:
    """jieba's prefix dictionary and total frequency, loaded once (never modified)."""
    with _BASE_LOCK:
        if not _BASE:
            base = jieba.Tokenizer()
            base.tmp_dir = tmp_dir
            cached = _read_jieba_cache(base)
            if cached is None:
                base.initialize()
                cached = (base.FREQ, base.total)
            _BASE.append(cached)
        return _BASE[0]


def common_words() -> dict[str, int]:
    """jieba's general dictionary, word → frequency (0 for a prefix that is no word)."""
    return _base_dictionary(None)[0]


class Tokenizer:
    """A private jieba instance (the global one is shared with other libraries)."""

    def __init__(self, terms: Iterable[str] = (), cache_dir: Path | None = None) -> None:
        self._jieba = jieba.Tokenizer()
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            self._jieba.tmp_dir = str(cache_dir)
        self._lock = threading.Lock()
        self._terms = domain_terms(terms)
        self._ready = False
        # what the tokens depend on besides jieba itself: cached tokens are only reused
        # under the same signature
        self.signature = hashlib.sha1("\n".join(sorted(self._terms)).encode()).hexdigest()

    def warm(self) -> None:
        """Load the dictionaries now (about 0.2 s) rather than on the first text."""
        self._ensure_ready()

    def _ensure_ready(self) -> None:
        with self._lock:
            if not self._ready:
                # jieba's own dictionary is the same for every instance: loaded once per
                # process (about a second) and copied; only our terms differ
                freq, total = _base_dictionary(self._jieba.tmp_dir)
                self._jieba.FREQ, self._jieba.total = dict(freq), total
                self._jieba.initialized = True
                for term in self._terms:
                    self._jieba.add_word(term, freq=2000)
                self._ready = True

    def tokenize(self, text: str) -> list[str]:
        self._ensure_ready()
        text = normalise(text[:_MAX_QUERY_CHARS * 50])
        return [t for t in self._jieba.cut_for_search(text)
                if t.strip() and t not in _STOPWORDS and not _PUNCT.match(t)]

    def tokenize_query(self, text: str) -> list[str]:
        return self.tokenize(text[:_MAX_QUERY_CHARS])
