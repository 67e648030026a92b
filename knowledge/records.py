"""The import formats of DESIGN.md as pydantic models, plus CSV → JSON-shape coercion.

Length limits mirror the store's column sizes so a row that validates here can always be
written, on SQLite (which would not complain) and on PostgreSQL (which would).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from core.sanitize import clean_text


def _id_to_str(v: Any) -> Any:
    # Numeric ids are common in spreadsheets; keep them, as text.
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return v


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_nul(v: Any) -> Any:
    if isinstance(v, str):
        if "\x00" in v:
            raise ValueError("包含非法的空字符 (contains a NUL character)")
        if _SURROGATE.search(v):  # "\ud800" in JSON: no store can keep it as UTF-8
            raise ValueError("包含无法编码的字符（孤立的代理项） (contains a lone surrogate)")
        v = clean_text(v)  # no bidi overrides or zero-width characters in stored text
    return v


def _drop_nulls(data: Any) -> Any:
    """JSON null in an optional field means absent (exports from other platforms write it):
    top-level keys, list items and contact entries that are null are dropped, so a required
    field that is null is reported as missing."""
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, list):
            value = [item for item in value if item is not None]
        elif isinstance(value, dict) and key == "contact":
            value = {k: v for k, v in value.items() if v is not None}
        out[key] = value
    return out


Text = Annotated[StrictStr, BeforeValidator(_no_nul)]
ExternalId = Annotated[
    StrictStr, BeforeValidator(_no_nul), BeforeValidator(_id_to_str),
    Field(min_length=1, max_length=128, pattern=r"\S"),
]
TextList = list[Annotated[Text, Field(max_length=500)]]


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _nulls_are_absent(cls, data: Any) -> Any:
        return _drop_nulls(data)


class ScientistRow(_Row):
    id: ExternalId
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    discipline: Annotated[Text, Field(min_length=1, max_length=200)]
    directions: TextList = Field(default_factory=list, max_length=50)
    services: TextList = Field(default_factory=list, max_length=50)
    achievements: TextList = Field(default_factory=list, max_length=100)
    region: Annotated[Text, Field(max_length=200)] = ""
    organization: Annotated[Text, Field(max_length=200)] = ""
    title: Annotated[Text, Field(max_length=100)] = ""
    contact: dict[Annotated[Text, Field(max_length=50)], Annotated[Text, Field(max_length=200)]] = (
        Field(default_factory=dict)
    )
    available: StrictBool = True
    kind: Literal["individual", "team", "student"] = "individual"


_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)


class ArticleRow(_Row):
    id: ExternalId
    title: Annotated[Text, Field(min_length=1, max_length=300)]
    body: Annotated[Text, Field(min_length=1, max_length=200_000)]
    source: Annotated[Text, Field(max_length=300)] = ""
    tags: TextList = Field(default_factory=list, max_length=50)
    audience: Annotated[Text, Field(max_length=64)] = ""
    region: Annotated[Text, Field(max_length=200)] = ""
    status: Literal["vetted", "draft", "retired"] = "draft"
    reviewed_by: Annotated[Text, Field(max_length=100)] = ""
    reviewed_at: datetime | None = None

    @field_validator("reviewed_at", mode="before")
    @classmethod
    def _parse_date(cls, v: Any) -> Any:
        if v is None or v == "":
            return None
        if isinstance(v, str):
            try:
                if len(v) == 10:
                    d = date.fromisoformat(v)
                    dt = datetime(d.year, d.month, d.day, tzinfo=UTC)
                else:
                    dt = datetime.fromisoformat(v)
            except ValueError as exc:
                raise ValueError("日期格式应为 YYYY-MM-DD (expected an ISO date)") from exc
            dt = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
            # PostgreSQL stores year 1 +14:00 (that is, 1 BC in UTC) but no driver can read it
            # back; a day's margin keeps it readable in any session time zone.
            if not _EARLIEST <= dt <= _LATEST:
                raise ValueError("日期超出范围 (date out of range)")
            return dt
        raise ValueError("日期应为文本 YYYY-MM-DD (expected an ISO date string)")

    def vetting_problem(self) -> str | None:
        if self.status == "vetted" and not self.reviewed_by:
            return ("已审核(vetted)的文章必须填写审核人 reviewed_by "
                    "(a vetted article needs a reviewer)")
        return None


ROW_MODELS: dict[str, type[_Row]] = {"scientists": ScientistRow, "articles": ArticleRow}
LIST_FIELDS = {"directions", "services", "achievements", "tags"}
BOOL_TRUE = {"true", "1", "yes", "y", "是", "t"}
BOOL_FALSE = {"false", "0", "no", "n", "否", "f"}


def coerce_csv_row(row: dict[str, str]) -> dict[str, Any]:
    """Turn CSV text cells into the JSON shapes: `;`-joined lists, booleans, contact object."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key is None:  # more cells than header columns
            raise ValueError("该行的列数多于表头 (more cells than header columns)")
        key = key.strip()
        if value is None:
            continue
        value = value.strip()
        if key in LIST_FIELDS:
            out[key] = [p.strip() for p in value.split(";") if p.strip()]
        elif key == "available":
            if value == "":
                continue
            low = value.lower()
            if low in BOOL_TRUE:
                out[key] = True
            elif low in BOOL_FALSE:
                out[key] = False
            else:
                out[key] = value  # left as text: validation reports the wrong type
        elif key == "contact":
            out[key] = _parse_contact_cell(value)
        else:
            out[key] = value
    return out


def _parse_contact_cell(value: str) -> Any:
    if not value:
        return {}
    if value.startswith("{"):
        try:
            return json.loads(value)
        except (ValueError, RecursionError) as exc:  # bad JSON, huge number, deep nesting
            raise ValueError("contact 列不是合法的 JSON 对象 (contact is not valid JSON)") from exc
    pairs: dict[str, str] = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        k, sep, v = part.partition("=")
        if not sep:
            k, sep, v = part.partition(":")
        if not sep:
            raise ValueError("contact 列应写成 phone=…;email=… (contact must be key=value pairs)")
        pairs[k.strip()] = v.strip()
    return pairs


_MESSAGES = {
    "missing": "缺少必填字段 {f} (missing required field)",
    "string_type": "字段 {f} 应为文本 (expected a string)",
    "list_type": "字段 {f} 应为列表 (expected a list)",
    "bool_type": "字段 {f} 应为 true/false (expected a boolean)",
    "dict_type": "字段 {f} 应为对象 (expected an object)",
    "string_too_short": "字段 {f} 不能为空 (must not be empty)",
    "string_too_long": "字段 {f} 过长 (too long)",
    "too_short": "字段 {f} 不能为空 (must not be empty)",
    "too_long": "字段 {f} 过长或条目过多 (too long)",
    "literal_error": "字段 {f} 的取值无效：{msg}",
    "string_pattern_mismatch": "字段 {f} 不能为空白 (must not be blank)",
}


def describe_validation_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(row)"
        template = _MESSAGES.get(err["type"])
        if template:
            parts.append(template.format(f=field, msg=err["msg"]))
        else:
            msg = err["msg"].removeprefix("Value error, ")
            parts.append(f"字段 {field}：{msg}")
    return "；".join(parts)
