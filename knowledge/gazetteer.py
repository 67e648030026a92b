"""Sichuan administrative-division gazetteer (四川省行政区划) and a free-text place finder.

Data: ``knowledge/data/sichuan_regions.csv`` — the province, its 21 prefecture-level divisions
(18 地级市 + 阿坝/甘孜/凉山 自治州) and its 183 county-level divisions (55 市辖区, 19 县级市,
105 县, 4 自治县) with their current official codes (as of 2024/2025). The 市辖区 placeholder
codes (xx01) and the statistical "经济开发区" codes (511071, 511771, 511971) are not
administrative divisions and are left out. Every county's code starts with its city's first four
digits (510185 简阳市 included: it was moved from 资阳 to 成都 in 2016 and recoded then).

Cross-check against the division table shipped by ``cpca`` 0.5.5 (``resources/adcodes.csv``).
Its Sichuan rows are a mid-2016 snapshot (马尔康市, 康定市, 安州区 and 简阳市 510185 are there,
郫县 is not yet 郫都区). Besides its 18 "市辖区" placeholder rows, every difference is a later
official change:

====================  ====================  ==========================================
cpca                  this table            change
====================  ====================  ==========================================
510124 郫县           510117 郫都区         撤县设区, 2016
510132 新津县         510118 新津区         撤县设区, 2020
510626 罗江县         510604 罗江区         撤县设区, 2017
510922 射洪县         510981 射洪市         撤县设市, 2019
511028 隆昌县         511083 隆昌市         撤县设市, 2017
511521 宜宾县         511504 叙州区         撤县设区 (renamed), 2018
513425 会理县         513402 会理市         撤县设市, 2021
====================  ====================  ==========================================

The old names are kept as aliases of the new divisions, so older data still resolves.

Free-text rules (``find_region``), documented here because they are heuristics:

* Every name, short name and alias is a *surface form*. The text is scanned once, taking the
  longest surface form at each position (a dict lookup per candidate length, so the cost grows
  with the text, not with the number of regions); a match inside a longer match is dropped
  ("峨眉山" hides "眉山", "甘孜县" hides "甘孜"). Overlapping matches are both kept, so
  "乐山市中区" yields 乐山市 and 市中区. Six-digit codes standing alone are matched too.
* Short names that are common words or common substrings (``_GUARDED``: 南部, 东区, 西区, 金川,
  大英, 安居, 东坡, 朝天, …) count only when their parent city comes immediately before them
  ("南充南部", "攀枝花东区"). Followed by 县/区/市 they are the full name, which always counts.
* ``_LEFT_WORDS`` are ordinary words whose last character is the first character of a place
  name ("推广|安全" hides 广安, "投资|中心" hides 资中, "变成|都市" hides 成都); such a word
  hides a place that starts inside it, unless the word itself starts inside an earlier place
  ("四川省|内江市": 省内 is void). ``_RIGHT_WORDS`` (县域, 县级) hide a place that ends inside
  them ("提高县域" is not 高县).
* A name shared by several regions (市中区 in 内江 and 乐山) counts only when exactly one of
  them lies in a city mentioned in the text.
* The answer is the most specific region: a county (preferring one whose city is mentioned),
  else a city, else the province; ties go to the first mention.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

__all__ = [
    "CITY",
    "COUNTY",
    "PROVINCE",
    "Region",
    "all_regions",
    "ancestors",
    "cities",
    "counties",
    "find_region",
    "get",
    "is_within",
    "resolve",
    "subtree_codes",
]

PROVINCE = "province"
CITY = "city"
COUNTY = "county"
_LEVELS = (PROVINCE, CITY, COUNTY)
_PROVINCE_PREFIXES = ("四川省", "四川")


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# Short names and aliases that are everyday words or frequent substrings of them: they count in
# free text only right after their parent city. resolve() (a whole-value lookup) accepts them.
_GUARDED = _words(
    "南部 东区 西区 前锋 名山 东坡 龙泉 沙湾 石棉 九龙 白玉 黑水 安居 金川 大安 金牛 三台 江安"
    " 小金 安县 达县 仁和 大竹 大英 东兴 嘉陵 合江 中江 青川 天全 资中 会理 会东 朝天 高坪"
    " 平昌 通江 南江 武胜 乐至 江阳 罗江 游仙 新都 新龙 乡城 雅江 金阳 木里 平武 长宁 兴文"
    " 宁南 米易 达川 得荣"
)

# guarded names that are directions more than places even with their city named ("南充的南部山区")
_DIRECTIONS = _words("南部 东区 西区")

# Words ending with the first character of a place name: "推广安全" is not 广安.
_LEFT_WORDS = _words(
    "完成 建成 形成 变成 组成 造成 构成 达成 做成 养成 生成 促成 赞成 合成 制成 改成 换成 分成"
    " 长成 落成 当成 看成 集成 收成 推广 宽广 国内 境内 省内 体内 室内 域内 业内 海内 校内"
    " 投资 融资 工资 物资 师资 外资 出资 集资 合资 筹资 独资 增资 引资"
    " 嘴巴 尾巴 下巴 泥巴 结巴 锅巴 盐巴 哑巴 内华达 佛罗里达 明尼苏达 便宜 适宜 事宜"
    " 优雅 高雅 文雅 典雅 道德 品德 美德 公德 师德 快乐 音乐 欢乐 娱乐"
    " 来自 各自 独自 亲自 擅自 暗自 私自 东北 西北 湖北 河北 华北 浙江 长江 珠江 黑龙江 松花江"
    " 东西 健康 安康 小康 特色 颜色 绿色 出色 角色 景色 黄色 红色 白色 黑色 本色"
    " 管理 处理 治理 整理 办理 代理 经理 修理 清理 护理 道理 合理 物理 地理 心理 原理"
    " 提高 升高 增高 较高 最高 更高 很高 太高 过高 偏高 拔高 抬高 繁荣 光荣 虚荣 殊荣 尊荣"
    " 繁茂 丰茂 水渠 沟渠 西南部 东南部 中南部"
)

# Words starting with the last character of a place name: "提高县域" is not 高县.
_RIGHT_WORDS = frozenset(("县域", "县级"))

_CODE_RE = re.compile(r"(?<!\d)\d{6}(?!\d)")
_PLACE, _LEFT, _RIGHT = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Region:
    """One administrative division. ``aliases`` are other spellings (old names, "凉山州")."""

    code: str
    name: str
    level: str  # "province" | "city" | "county"
    parent_code: str | None
    short_name: str
    aliases: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        """E.g. "宜宾市翠屏区" for a county, "宜宾市" for a city, "四川省" for the province."""
        if self.level == COUNTY and self.parent_code is not None:
            parent = get(self.parent_code)
            if parent is not None:
                return parent.name + self.name
        return self.name


def display_name(code: str | None, empty: str = "") -> str:
    """How a region is written for people, everywhere: "宜宾市翠屏区" (city and county, as
    several cities have a 市中区), "宜宾市", "四川省"; `empty` when there is no such code."""
    region = get(code) if code else None
    if region is None:
        return empty
    return "".join(r.name for r in ancestors(region.code) if r.level != PROVINCE) or region.name


@dataclass(frozen=True, slots=True)
class _Entry:
    """What a surface form stands for in free text."""

    regions: tuple[Region, ...]  # empty for the non-place words
    kind: int  # _PLACE, _LEFT or _RIGHT
    guarded: bool


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    entry: _Entry


@dataclass(frozen=True, slots=True)
class _Index:
    regions: tuple[Region, ...]
    by_code: dict[str, Region]
    children: dict[str, tuple[Region, ...]]
    subtree: dict[str, frozenset[str]]
    lookup: dict[str, Region | None]  # resolve(): None marks an ambiguous key
    surfaces: dict[str, _Entry]  # find_region()
    first_chars: frozenset[str]
    lengths: tuple[int, ...]  # surface lengths, longest first


def _read_csv() -> list[Region]:
    text = (files("knowledge") / "data" / "sichuan_regions.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    expected = ["code", "name", "level", "parent_code", "short_name", "aliases"]
    if reader.fieldnames != expected:
        raise ValueError(f"sichuan_regions.csv: header {reader.fieldnames} != {expected}")
    regions = []
    for line, row in enumerate(reader, start=2):
        code, level = row["code"].strip(), row["level"].strip()
        if not (len(code) == 6 and code.isdigit()) or level not in _LEVELS:
            raise ValueError(f"sichuan_regions.csv line {line}: bad code or level")
        aliases = tuple(a.strip() for a in row["aliases"].split(";") if a.strip())
        regions.append(
            Region(
                code=code,
                name=row["name"].strip(),
                level=level,
                parent_code=row["parent_code"].strip() or None,
                short_name=row["short_name"].strip() or row["name"].strip(),
                aliases=aliases,
            )
        )
    return regions


def _forms(region: Region) -> set[str]:
    return {region.name, region.short_name, *region.aliases}


def _build_lookup(
    regions: Iterable[Region], by_code: dict[str, Region]
) -> dict[str, Region | None]:
    keys: dict[str, set[str]] = {}

    def add(key: str, region: Region) -> None:
        keys.setdefault(key, set()).add(region.code)

    for region in regions:
        add(region.code, region)
        add(region.code + "000000", region)  # 12-digit statistical code
        own = _forms(region)
        if region.level == COUNTY and region.parent_code in by_code:
            city_forms = _forms(by_code[region.parent_code])
            own |= {c + f for c in city_forms for f in own}
        if region.level != PROVINCE:
            own |= {p + f for p in _PROVINCE_PREFIXES for f in own}
        for key in own:
            add(key, region)
    return {k: by_code[next(iter(v))] if len(v) == 1 else None for k, v in keys.items()}


def _build_surfaces(regions: Iterable[Region]) -> dict[str, _Entry]:
    places: dict[str, list[Region]] = {}
    for region in regions:
        for form in sorted(_forms(region)):
            places.setdefault(form, []).append(region)
    surfaces = {form: _Entry(tuple(rs), _PLACE, form in _GUARDED) for form, rs in places.items()}
    for words, kind in ((_LEFT_WORDS, _LEFT), (_RIGHT_WORDS, _RIGHT)):
        for word in words:
            if word in surfaces:
                raise ValueError(f"gazetteer: {word!r} is both a place and a non-place word")
            surfaces[word] = _Entry((), kind, False)
    return surfaces


@cache
def _index() -> _Index:
    regions = sorted(_read_csv(), key=lambda r: r.code)
    by_code = {r.code: r for r in regions}
    if len(by_code) != len(regions):
        raise ValueError("sichuan_regions.csv: duplicate codes")
    children: dict[str, list[Region]] = {}
    for r in regions:
        if r.parent_code is not None:
            if r.parent_code not in by_code:
                raise ValueError(f"sichuan_regions.csv: {r.code} has unknown parent")
            children.setdefault(r.parent_code, []).append(r)

    subtree: dict[str, frozenset[str]] = {}

    def collect(code: str) -> frozenset[str]:
        codes = {code}
        for child in children.get(code, []):
            codes |= collect(child.code)
        subtree[code] = frozenset(codes)
        return subtree[code]

    for r in regions:
        if r.parent_code is None:
            collect(r.code)

    surfaces = _build_surfaces(regions)
    return _Index(
        regions=tuple(regions),
        by_code=by_code,
        children={k: tuple(v) for k, v in children.items()},
        subtree=subtree,
        lookup=_build_lookup(regions, by_code),
        surfaces=surfaces,
        first_chars=frozenset(s[0] for s in surfaces),
        lengths=tuple(sorted({len(s) for s in surfaces}, reverse=True)),
    )


def place_names() -> re.Pattern[str]:
    """Every way a region is written (longest first), as one pattern: to mask place names
    where their characters would read as words ("眉山洪雅" holds 山洪, a flash flood)."""
    return _place_pattern()


@lru_cache(maxsize=1)
def _place_pattern() -> re.Pattern[str]:
    surfaces = sorted((s for s in _index().surfaces if len(s) >= 2), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, surfaces)))


def all_regions() -> list[Region]:
    """Every region, in code order (the province first)."""
    return list(_index().regions)


def get(code: str) -> Region | None:
    """The region with this 6-digit code, or None."""
    return _index().by_code.get(code)


def cities() -> list[Region]:
    """The 21 prefecture-level divisions (市/州), in code order."""
    return [r for r in _index().regions if r.level == CITY]


def counties(city_code: str | None = None) -> list[Region]:
    """All 183 county-level divisions, or those of one city (empty for an unknown code)."""
    idx = _index()
    if city_code is None:
        return [r for r in idx.regions if r.level == COUNTY]
    return [r for r in idx.children.get(city_code, ()) if r.level == COUNTY]


def ancestors(code: str) -> list[Region]:
    """From the province down to and including the region; empty for an unknown code."""
    chain: list[Region] = []
    region = get(code)
    while region is not None:
        chain.append(region)
        region = get(region.parent_code) if region.parent_code is not None else None
    chain.reverse()
    return chain


def subtree_codes(code: str) -> frozenset[str]:
    """The region's code and all its descendants' codes; empty for an unknown code."""
    return _index().subtree.get(code, frozenset())


def is_within(code: str, ancestor_code: str) -> bool:
    """True if ``code`` is ``ancestor_code`` or lies inside it."""
    return code in subtree_codes(ancestor_code)


def resolve(value: str) -> Region | None:
    """Strict lookup of a whole value, for importers.

    Accepts a 6-digit code (or the 12-digit statistical form), a name ("温江区", "宜宾市"), a
    full name with or without the province ("成都市温江区", "四川省成都市温江区", "成都温江"),
    or a short name / alias. Whitespace is ignored. None if unknown or ambiguous ("市中区").
    """
    lookup = _index().lookup
    key = value.strip()
    if key in lookup:
        return lookup[key]
    return lookup.get("".join(key.split()))


def _scan(text: str, idx: _Index) -> list[_Match]:
    """Longest surface form at each position, minus those inside an earlier, longer match."""
    matches: list[_Match] = []
    surfaces, lengths, n = idx.surfaces, idx.lengths, len(text)
    covered = 0  # end of the furthest-reaching match so far
    for i, ch in enumerate(text):
        if ch not in idx.first_chars:
            continue
        for length in lengths:
            end = i + length
            if end > n:
                continue
            entry = surfaces.get(text[i:end])
            if entry is not None:
                if end > covered:
                    matches.append(_Match(i, end, entry))
                    covered = end
                break
    return matches


def _places(matches: list[_Match]) -> list[_Match]:
    """The place matches that no non-place word claims.

    ``_scan`` yields matches whose starts and ends both strictly increase, so the only earlier
    match that can overlap a match is the latest one of its kind, and the only later one is the
    next one: two linear passes suffice.
    """
    keep: list[_Match] = []
    place_end = left_end = 0  # ends of the latest place match and of the latest live left word
    for m in matches:
        if m.entry.kind == _LEFT:
            if place_end <= m.start:  # a word starting inside a place ("四川省|内江") is void
                left_end = m.end
        elif m.entry.kind == _PLACE:
            place_end = m.end
            if left_end <= m.start:
                keep.append(m)
    rights = [m.start for m in matches if m.entry.kind == _RIGHT]
    if not rights:
        return keep
    kept: list[_Match] = []
    for p in keep:  # drop a place whose last character the next right word claims
        i = bisect_right(rights, p.start)
        if i == len(rights) or rights[i] >= p.end:
            kept.append(p)
    return kept


# "我们在三台有个猪场", "我们是石棉一家茶厂": a guarded name said as where someone is (after
# 在/是/住…, before a pause or what one does there), not "三台机器" or "石棉瓦"
_PLACE_CUE = ("在", "再", "是", "住", "到", "来自", "回",  # 再: the common typo for 在
              "改成", "改为", "换成",  # "地区改成名山嘛"
              "我们", "咱们", "俺们", "我",  # "我们石棉的樱桃", "我三台的"
              "隔壁", "隔壁的")  # "地在隔壁三台"
_PLACE_NEXT = re.compile(r"(县|区|市|的|这边|那边|这里|那里|那块|一家|一个|有|开|种|养|喂|栽|做|"
                         r"搞|办|"
                         r"承包|流转|经营|上班|住|基地|老家|园区|片区|"
                         # "我在中江大棚种的黄瓜", "我在会东山上": where on the farm
                         r"大棚|果园|茶园|园子|山上|山里|乡下|农村|屋头|家里|"
                         r"乡|镇|村|\s|[，,。.！!？?]|$|"
                         # "我是合江福宝镇的": the county, then its township
                         r"[\u4e00-\u9fff]{1,3}(?:镇|乡|街道)|"
                         # "名山嘛", "蒲江噻": a place said as the answer
                         r"(嘛|噻|哈|吧|哦|呀|啊)([，,。.！!？?\s]|$))")


_PLACE_AFTER = re.compile(r"这边|那边|这里|那里|这块|那块")


def _said_as_a_place(text: str, start: int, end: int) -> bool:
    """"在三台有个猪场", "三台这边的猪场", "资中种血橙的，…": a place by the words around it
    (a message or clause may open with where one is and what one does there)."""
    opens = start == 0 or text[start - 1] in "，,。.！!？?；;\n "
    cued = opens or text[:start].endswith(_PLACE_CUE)
    # "通江银耳 段木的…", "会理石榴 今年裂果": a clause opening with a place and its produce;
    # "我们是南江黄羊养殖合作社": after 是/在… as well
    return bool(_PLACE_AFTER.match(text, end)) or (
        cued and (bool(_PLACE_NEXT.match(text, end)) or _names_produce(text, end))) or (
        # "米易撒莲的 枇杷…", "喂 石棉安顺场这边 …": opening a clause, the county and its
        # township
        opens and bool(_TOWNSHIP_NEXT.match(text, end)))


# (not what 三台 counts: "三台机器的 老是坏" is three machines)
_TOWNSHIP_NEXT = re.compile(r"(?!机器|机子|车子|电脑|设备|冰箱|空调|电视)"
                            r"[\u4e00-\u9fff]{2,3}(?:的|这边|那边|这里|那里|这块|那块)(?:[\s，,]|$)")


def _names_produce(text: str, at: int) -> bool:
    """Whether a crop, animal or food (products.csv) is named starting at ``at``."""
    from knowledge.taxonomy import product_codes  # the gazetteer loads without the taxonomy

    codes = product_codes()
    return any(text[at:at + n] in codes for n in range(1, 7))


def named_in(text: str, region: Region) -> bool:
    """Whether the text names this region as a place: its full name, or its short name
    where the words around it say it is a place ("会理的石榴" at the start, "在三台"), never
    a short name inside other words ("厂区东区" is no 攀枝花东区)."""
    entries = _index().surfaces
    for form in dict.fromkeys((region.name, region.short_name)):
        entry = entries.get(form)
        if not form or entry is None or region not in entry.regions:
            continue
        start = text.find(form)
        while start >= 0:
            end = start + len(form)
            if not entry.guarded and form == region.name:
                return True
            if _said_as_a_place(text, start, end) or (
                    start == 0 and _PLACE_NEXT.match(text, end)):
                return True
            start = text.find(form, start + 1)
    return False


def _mentions(text: str) -> list[tuple[int, Region]]:
    """The regions mentioned in ``text``, in order, after the rules in the module docstring."""
    idx = _index()
    places = _places(_scan(text, idx))
    city_at_end = {p.end: {r.code for r in p.entry.regions if r.level == CITY} for p in places}
    named_cities = set().union(*city_at_end.values())

    found: list[tuple[int, tuple[Region, ...]]] = []
    for p in places:
        regions = p.entry.regions
        if p.entry.guarded and not _said_as_a_place(text, p.start, p.end):
            # only right after its city ("南充南部", "南充市 南部"), or said as where one is
            before = p.start
            while before > 0 and text[before - 1].isspace():
                before -= 1
            cities_before = city_at_end.get(before, set())
            # (or its own city named anywhere in the text: "宜宾一个高校…去长宁的社区")
            lifted = text[p.start:p.end] not in _DIRECTIONS
            regions = tuple(r for r in regions if r.parent_code in cities_before
                            or (lifted and r.parent_code in named_cities))
        if regions:
            found.append((p.start, regions))
    for m in _CODE_RE.finditer(text):
        region = idx.by_code.get(m.group())
        if region is not None:
            found.append((m.start(), (region,)))

    mentioned_cities = {rs[0].code for _, rs in found if len(rs) == 1 and rs[0].level == CITY}
    result: list[tuple[int, Region]] = []
    for start, regions in found:
        if len(regions) > 1:  # 市中区: only if exactly one of them is in a mentioned city
            regions = tuple(r for r in regions if r.parent_code in mentioned_cities)
        if len(regions) == 1:
            result.append((start, regions[0]))
    result.sort(key=lambda item: item[0])
    return result


def same_named(text: str) -> tuple[Region, ...]:
    """The counties of one name in several cities that the text names without saying which
    ("我在市中区": 乐山市's and 内江市's), or () when it names none or a place outright."""
    if find_region(text) is not None:
        return ()
    for p in _places(_scan(text, _index())):
        if len(p.entry.regions) > 1 and all(r.level == COUNTY for r in p.entry.regions):
            return p.entry.regions
    return ()


@lru_cache(maxsize=4096)
def regions_named(text: str) -> frozenset[str]:
    """The codes of the cities and counties a text names as places (never the province: a
    text that says 四川 names no one place)."""
    return frozenset(r.code for _, r in _mentions(text) if r.level in (CITY, COUNTY))


# a county named to say where another is ("金堂旁边的青白江", "挨到郫都的温江")
_BESIDE = re.compile(r"[县区市]?(?:旁边|隔壁|附近|边上|挨到|挨着|靠近)的")


@lru_cache(maxsize=65536)
def find_region(text: str) -> Region | None:
    """The most specific Sichuan region mentioned in free text, or None.

    "宜宾市翠屏区的李子园" → 翠屏区; "我在温江那边" → 温江区; "乐山市中区" → 乐山市市中区;
    "甘孜" → 甘孜藏族自治州; "四川" → 四川省; "土壤酸化怎么办" → None.
    """
    mentions = _mentions(text)
    if not mentions:
        return None
    city_codes = {r.code for _, r in mentions if r.level == CITY}
    county_list = [r for _, r in mentions if r.level == COUNTY]
    if county_list:
        in_city = [r for r in county_list if r.parent_code in city_codes]
        counties_at = [(at, r) for at, r in mentions if r.level == COUNTY]
        for (at, first), (_, then) in itertools.pairwise(counties_at):
            if _BESIDE.match(text, at + len(first.short_name)):
                return then  # "金堂旁边的青白江": the place beside the landmark
        return (in_city or county_list)[0]
    for level in (CITY, PROVINCE):
        for _, region in mentions:
            if region.level == level:
                return region
    return None
