"""Which part of the province a figure covers: the province (everything), a city with its
counties, or one county; and the SQL filter for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.errors import BadInput
from knowledge import gazetteer

PROVINCE_CODE = "510000"


@dataclass(frozen=True, slots=True)
class Scope:
    code: str  # the province's code when the scope is everything
    name: str  # full Chinese name: "四川省", "宜宾市", "宜宾市翠屏区"
    level: str  # province | city | county
    codes: frozenset[str] | None  # None: no filter (rows without a region count too)

    @property
    def is_province(self) -> bool:
        return self.codes is None

    def where(self, column: Any) -> Any:
        """A filter on a region_code column, or None for the whole province. `IN` over the
        subtree's codes uses the column's index, unlike a prefix LIKE on PostgreSQL."""
        if self.codes is None:
            return None
        return column.in_(sorted(self.codes))


def resolve_scope(region: str | Scope | None) -> Scope:
    """A code ("511502"), a Chinese name ("宜宾市", "翠屏区", "宜宾市翠屏区") or None/"" for the
    whole province. BadInput for an unknown or ambiguous name."""
    if isinstance(region, Scope):
        return region
    value = (region or "").strip()
    if not value:
        value = PROVINCE_CODE
    found = gazetteer.resolve(value)
    if found is None:
        raise BadInput(f"找不到地区 {value!r}，请写行政区划代码或完整名称，如 510000、宜宾市、"
                       f"宜宾市翠屏区 (unknown or ambiguous region)")
    if found.level == gazetteer.PROVINCE:
        return Scope(found.code, found.name, found.level, None)
    return Scope(found.code, found.full_name, found.level, gazetteer.subtree_codes(found.code))


def city_name(code: str | None) -> str:
    """The city (市/州) a region lies in, for grouping: "宜宾市"; the province or no region
    give "省级/未注明"."""
    if code:
        for region in gazetteer.ancestors(code):
            if region.level == gazetteer.CITY:
                return region.name
    return "省级/未注明"
