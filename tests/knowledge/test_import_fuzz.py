"""Property tests: whatever bytes arrive, an import never crashes and never stores a bad row.

On hostile JSON Lines and CSV (lone surrogates, NUL, huge numbers, objects where text belongs,
BOMs, CRLF, very long lines) every record line is imported, updated or rejected with its line
number; what is stored is exactly the last accepted version of each id; re-importing changes
nothing; `--strict` stores nothing when any row is bad.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import Engine, delete, func
from sqlmodel import Session, select

from core.errors import BadInput
from knowledge.importers import ImportReport, import_file
from knowledge.records import ScientistRow
from store.models import Article, AuditLog, Scientist

_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_text, children, max_size=3),
    max_leaves=6,
)
_row = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(_text, st.integers(), st.sampled_from(["a", "b", "c"])),
        "name": _text, "discipline": st.one_of(_text, st.sampled_from(["植保", "土肥"])),
        "directions": st.one_of(st.lists(_text, max_size=3), _value),
        "region": st.one_of(_text, st.sampled_from(["温江", "510115", "凉山州西昌市"])),
        "contact": st.one_of(st.dictionaries(_text, _text, max_size=2), _value),
        "available": _value,
    },
)
_line = st.one_of(
    _row.map(lambda r: json.dumps(r, ensure_ascii=False).encode()),
    st.binary(max_size=60).filter(lambda b: b"\n" not in b and b"\r" not in b),
)


def _is_record(raw: bytes, first: bool) -> bool:
    """Every line but a blank one is either stored or rejected."""
    if first:
        raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return bool(raw.decode("utf-8").strip())
    except UnicodeDecodeError:
        return True


def _visible(value: str) -> bool:
    """Not blank in the validator's sense (Unicode White_Space). Python's str.strip also
    drops the separators U+001C..U+001F, which the validator lets through: a name made of
    one of them is stored (known, reported; not treated as a crash or data loss here)."""
    return bool(value.strip(" \t\n\r\x0b\x0c\x85\xa0\u1680\u2000\u2001\u2002\u2003"
                            "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029"
                            "\u202f\u205f\u3000"))


FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
FEW = settings(max_examples=40, deadline=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture])


def _empty(store: Engine) -> None:
    with Session(store) as s:
        s.exec(delete(Scientist))  # type: ignore[call-overload]
        s.exec(delete(Article))  # type: ignore[call-overload]
        s.exec(delete(AuditLog))  # type: ignore[call-overload]
        s.commit()


@FUZZ
@given(lines=st.lists(_line, max_size=12))
def test_any_jsonl_bytes_are_accounted_for_and_never_half_stored(
    store: Engine, tmp_path: Path, lines: list[bytes]
) -> None:
    _empty(store)
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = import_file(store, "scientists", path, batch_size=3)
    accounted = report.imported + report.updated + report.rejected_count
    assert accounted == sum(_is_record(b, first=i == 0) for i, b in enumerate(lines))
    with Session(store) as s:
        stored = s.exec(select(Scientist)).all()
        assert len(stored) == report.imported
        for sc in stored:
            assert _visible(sc.name) and _visible(sc.discipline) and _visible(sc.external_id)
            assert isinstance(sc.directions, list) and all(isinstance(d, str)
                                                           for d in sc.directions)
        assert s.exec(select(func.count()).select_from(AuditLog)).one() == 1


# ---- hostile JSON Lines ------------------------------------------------------------------------
_SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
_nasty_char = st.one_of(
    st.characters(codec="utf-8"), _SURROGATES,
    st.sampled_from(["\x00", "\ufeff", "\r", "\u2028", "\u3000", "\x1c", " ", "\t", "\"", "\\"]),
)
_nasty_text = st.one_of(
    st.text(alphabet=_nasty_char, max_size=30),
    st.integers(0, 20_000).map(lambda n: "长" * n),      # long lines, some over the column limits
    st.sampled_from(["", "   ", "\u3000", "王建华", "果树栽培", "宜宾市翠屏区", "510115"]),
)
# JSON-level values where text is expected: nested objects, huge numbers, NaN and Infinity
_RAW_NUMBERS = st.one_of(
    st.integers(1, 6000).map(lambda n: "9" * n),          # past Python's 4300-digit int limit
    st.sampled_from(["1e400", "-1e400", "NaN", "Infinity", "-Infinity", "1.5", "-0", "0"]),
)
_FIELDS = ("id", "name", "discipline", "directions", "services", "achievements", "region",
           "organization", "title", "contact", "available", "kind")
_IDS = st.one_of(st.sampled_from(["s-1", "s-2", " s-3 ", "S-1", "1", "s-1\u3000"]),
                 st.integers(-3, 3), _nasty_text)


@st.composite
def _hostile_json_line(draw: st.DrawFn) -> bytes:
    """One JSON Lines record, as raw text so it can hold what json.dumps would never write."""
    kind = draw(st.sampled_from(["row", "row", "row", "good", "deep", "scalar", "bytes"]))
    if kind == "good":
        row = {"id": draw(st.sampled_from(["s-1", "s-2", "s-3"])),
               "name": draw(st.sampled_from(["王建华", "李梅", "Zhang Wei"])),
               "discipline": draw(st.sampled_from(["果树栽培", "土肥", "植保"])),
               "directions": draw(st.lists(st.sampled_from(["李树", "土壤改良"]), max_size=2))}
        return json.dumps(row, ensure_ascii=draw(st.booleans())).encode()
    if kind == "deep":
        depth = draw(st.integers(1, 5000))
        return ('{"id": "d", "name": "x", "discipline": "y", "contact": '
                + "[" * depth + "]" * depth + "}").encode()
    if kind == "scalar":
        return draw(st.sampled_from([b"[]", b"null", b"1", b'"text"', b"true", b"{", b"}",
                                     b'{"id": "x"', b"\xef\xbb\xbf{}", b"{}"]))
    if kind == "bytes":
        return draw(st.binary(max_size=40).filter(lambda b: b"\n" not in b))
    parts = []
    for name in draw(st.lists(st.sampled_from(_FIELDS), max_size=6)):
        how = draw(st.sampled_from(["text", "text", "number", "nested", "list"]))
        if name == "id" and how == "text":
            value: Any = draw(_IDS)
        elif how == "text":
            value = draw(_nasty_text)
        elif how == "nested":
            value = draw(_value)
        elif how == "list":
            value = draw(st.lists(_nasty_text, max_size=3))
        else:
            parts.append(f'"{name}": {draw(_RAW_NUMBERS)}')
            continue
        # ensure_ascii writes lone surrogates as \ud800 escapes, which json.loads turns back
        # into lone surrogates; without it they become bytes that are not UTF-8
        parts.append(f'"{name}": {json.dumps(value, ensure_ascii=draw(st.booleans()))}')
    return ("{" + ", ".join(parts) + "}").encode("utf-8", "surrogatepass")


@st.composite
def _jsonl_file(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(_hostile_json_line(), max_size=10))
    lines = [ln.replace(b"\n", b" ") for ln in lines]
    eol = draw(st.sampled_from([b"\n", b"\r\n"]))
    data = eol.join(lines) + (eol if draw(st.booleans()) else b"")
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + data


def _physical_lines(data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def _parsed(raw: bytes, first: bool) -> Any:
    """The line as the reader sees it, or None if it cannot be a row."""
    if first:
        raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return None


def _snapshot(store: Engine) -> dict[str, tuple[Any, ...]]:
    with Session(store) as s:
        return {sc.external_id: (sc.name, sc.discipline, sc.directions, sc.services,
                                 sc.region_text, sc.region_code, sc.contact, sc.available)
                for sc in s.exec(select(Scientist)).all()}


def _check_report(report: ImportReport, record_lines: set[int]) -> set[int]:
    """Counts add up and every rejection names a distinct record line; returns those lines."""
    rejected = [r["line"] for r in report.rejected]
    assert report.rejected_count == len(rejected)
    assert len(set(rejected)) == len(rejected), report.rejected
    assert set(rejected) <= record_lines
    assert report.imported + report.updated + report.rejected_count == len(record_lines)
    for r in report.rejected:
        assert r["error"] and isinstance(r["error"], str)
        json.dumps(r, ensure_ascii=False).encode("utf-8")  # reportable as UTF-8 JSON
    json.dumps(report.to_json(), ensure_ascii=False).encode("utf-8")
    return set(rejected)


@FEW
@given(data=_jsonl_file())
def test_hostile_jsonl_keeps_exactly_the_last_accepted_version_of_each_id(
    store: Engine, tmp_path: Path, data: bytes
) -> None:
    _empty(store)
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(data)
    report = import_file(store, "scientists", path, batch_size=2)
    lines = _physical_lines(data)
    record_lines = {i for i, raw in enumerate(lines, start=1) if _is_record(raw, i == 1)}
    rejected = _check_report(report, record_lines)
    # every accepted line is a valid row; the store holds the last accepted version of each id
    expected: dict[str, ScientistRow] = {}
    for n in sorted(record_lines - rejected):
        obj = _parsed(lines[n - 1], n == 1)
        assert isinstance(obj, dict), (n, lines[n - 1][:200])
        row = ScientistRow.model_validate(obj)
        expected[row.id] = row
    for n in rejected:  # and every rejected one is not
        obj = _parsed(lines[n - 1], n == 1)
        if isinstance(obj, dict):
            with pytest.raises(ValidationError):
                ScientistRow.model_validate(obj)
    stored = _snapshot(store)
    assert set(stored) == set(expected)
    assert report.imported == len(expected)
    for ext_id, row in expected.items():
        name, discipline, directions, _, region_text, _, contact, available = stored[ext_id]
        assert (name, discipline, directions, region_text, contact, available) == (
            row.name, row.discipline, row.directions, row.region, row.contact, row.available)


@FEW
@given(data=_jsonl_file())
def test_reimporting_the_same_jsonl_changes_nothing(
    store: Engine, tmp_path: Path, data: bytes
) -> None:
    _empty(store)
    path = tmp_path / "again.jsonl"
    path.write_bytes(data)
    first = import_file(store, "scientists", path, batch_size=3)
    before = _snapshot(store)
    second = import_file(store, "scientists", path, batch_size=3)
    assert _snapshot(store) == before
    assert second.imported == 0
    assert second.updated == first.imported + first.updated
    assert [r["line"] for r in second.rejected] == [r["line"] for r in first.rejected]


_BASE = {"id": "s-1", "name": "原来的名字", "discipline": "果树栽培", "region": "温江"}


@FEW
@given(data=_jsonl_file())
def test_strict_stores_nothing_when_any_row_is_bad(
    store: Engine, tmp_path: Path, data: bytes
) -> None:
    _empty(store)
    base = tmp_path / "base.jsonl"
    base.write_text(json.dumps(_BASE, ensure_ascii=False) + "\n", encoding="utf-8")
    assert import_file(store, "scientists", base).imported == 1
    before = _snapshot(store)
    path = tmp_path / "strict.jsonl"
    path.write_bytes(data)
    report = import_file(store, "scientists", path, strict=True, batch_size=2)
    if report.rejected_count:
        assert report.imported == report.updated == 0
        assert _snapshot(store) == before
    else:  # all good: the same as a lenient import
        lines = _physical_lines(data)
        ids = {ScientistRow.model_validate(_parsed(raw, i == 1)).id
               for i, raw in enumerate(lines, start=1) if _is_record(raw, i == 1)}
        assert set(_snapshot(store)) == ids | {"s-1"}
    with Session(store) as s:  # the run is audited either way, once
        actions = [a.action for a in s.exec(select(AuditLog)
                                            .where(AuditLog.entity == "import")).all()]
        assert actions[1:] == ["import_scientists" + ("_rejected" if report.rejected_count
                                                      else "")]


# ---- articles: dates and statuses --------------------------------------------------------------
_EDGE_DATES = ["0001-01-01", "9999-12-31", "0001-01-01T00:00:00+14:00",
               "9999-12-31T23:59:59-14:00", "0001-01-01T13:00:00+14:00"]
_dates = st.one_of(
    st.none(), st.sampled_from(_EDGE_DATES), st.sampled_from(_EDGE_DATES),
    st.sampled_from(["", "2024-02-30", "2024-13-01", "2024-06-01T08:00:00+08:00",
                     "2024-06-01 08:00", "昨天", "2024-06-01T25:00"]),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                 timezones=st.sampled_from([None, UTC])).map(lambda d: d.isoformat()),
    st.integers(), _value,
)
_article = st.fixed_dictionaries(
    {"id": st.sampled_from(["a-1", "a-2", "a-3"]), "title": st.one_of(st.just("李子园土壤酸化"),
                                                                        _nasty_text),
     "body": st.one_of(st.just("撒石灰改良。"), _nasty_text)},
    optional={"status": st.sampled_from(["vetted", "draft", "retired", "VETTED", "", None]),
              "reviewed_by": st.one_of(st.just("张审核"), _nasty_text, _value),
              "reviewed_at": _dates, "tags": st.one_of(st.lists(_nasty_text, max_size=3), _value),
              "region": _nasty_text},
)


@FEW
@given(rows=st.lists(_article, max_size=8))
@example(rows=[{"id": "a-1", "title": "t", "body": "b",
                "reviewed_at": "0001-01-01T00:00:00+14:00"}])
def test_hostile_articles_are_accounted_for_and_read_back(
    store: Engine, tmp_path: Path, rows: list[dict[str, Any]]
) -> None:
    _empty(store)
    path = tmp_path / "articles.jsonl"
    path.write_bytes(b"".join(json.dumps(r).encode() + b"\n" for r in rows))
    report = import_file(store, "articles", path, batch_size=2)
    _check_report(report, set(range(1, len(rows) + 1)))
    with Session(store) as s:  # everything stored can be read back on this engine
        stored = s.exec(select(Article)).all()
        assert len(stored) == report.imported
        for a in stored:
            assert _visible(a.title) and _visible(a.body)
            assert a.reviewed_at is None or isinstance(a.reviewed_at, datetime), a.reviewed_at
            assert a.status != "vetted" or _visible(a.reviewed_by)


# ---- hostile CSV ------------------------------------------------------------------------------
_OPTIONAL_COLUMNS = ["directions", "services", "region", "available", "organization",
                     "kind", "备注"]
_cell = st.one_of(
    st.text(alphabet=st.one_of(st.characters(codec="utf-8"),
                               st.sampled_from(["\x00", ";", "=", ":", ",", '"', "\r", "\n"])),
            max_size=25),
    st.sampled_from(["", "true", "否", "yes", "maybe", "phone=13800001111;email=a@b.cn",
                     "no-separator", '{"phone": "1"}', "{bad json", '{"a": [1, {"b": 2}]}',
                     '{"phone": ' + "9" * 5000 + "}", "李树;;土壤改良; ", "510115", "温江"]),
    st.sampled_from([2, 900, 1200, 3000]).map(lambda d: "{" + '"a": ' + "[" * d + "]" * d + "}"),
    st.integers(0, 140_000).map(lambda n: "x" * n),       # past the csv module's field limit
)


@st.composite
def _csv_file(draw: st.DrawFn) -> tuple[bytes, int]:
    """A CSV file and how many records the csv module itself finds in it (rows plus lines
    that are not UTF-8, which the reader reports as rejected)."""
    header = ["id", "name", "discipline", "contact"] + draw(
        st.lists(st.sampled_from(_OPTIONAL_COLUMNS), unique=True, max_size=4))
    if draw(st.integers(0, 3)) == 0:
        header.remove("contact")
    header = draw(st.permutations(header))
    if draw(st.booleans()):
        header = [f" {h} " for h in header]
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    out = io.StringIO()
    csv.writer(out, lineterminator=eol).writerow(header)
    chunks = [out.getvalue()]
    bad_lines = 0
    for _ in range(draw(st.integers(0, 6))):
        width = len(header) + draw(st.sampled_from([0, 0, 0, -1, 1]))
        row = [draw(st.sampled_from(["s-1", "s-2", "", " "]) | _cell) if i == 0
               else draw(_cell) for i in range(max(width, 1))]
        out = io.StringIO()
        csv.writer(out, lineterminator=eol).writerow(row)
        chunks.append(out.getvalue())
        if draw(st.integers(0, 4)) == 0:
            chunks.append(None)  # a line that is not UTF-8
            bad_lines += 1
    bad = b"\xff\xfe not utf-8 \xc3" + eol.encode()
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    data = bom + b"".join(bad if c is None else c.encode() for c in chunks)
    # the csv module's own count of records, fed line by line (split at \n only, as the
    # importer reads bytes) with each line that is not UTF-8 as a blank line
    text = "".join("\n" if c is None else c for c in chunks)
    pieces = text.split("\n")
    fed = [p + "\n" for p in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    reader = csv.DictReader(iter(fed))
    records = 0
    while True:
        try:
            next(reader)
        except StopIteration:
            break
        except csv.Error:
            pass
        records += 1
    return data, records + bad_lines


@FEW
@given(spec=_csv_file())
def test_hostile_csv_is_accounted_for_and_reimport_is_idempotent(
    store: Engine, tmp_path: Path, spec: tuple[bytes, int]
) -> None:
    data, records = spec
    _empty(store)
    path = tmp_path / "hostile.csv"
    path.write_bytes(data)
    try:
        report = import_file(store, "scientists", path, batch_size=2)
    except BadInput:  # only a header problem may refuse the whole file
        pytest.fail("a file with the required header was refused")
    lines = len(_physical_lines(data))
    assert report.imported + report.updated + report.rejected_count == records
    assert all(1 <= r["line"] <= lines for r in report.rejected)
    json.dumps(report.to_json(), ensure_ascii=False).encode("utf-8")
    stored = _snapshot(store)
    assert len(stored) == report.imported
    for ext_id, (name, discipline, directions, *_rest) in stored.items():
        assert _visible(ext_id) and _visible(name) and _visible(discipline)
        assert all(_visible(d) and ";" not in d for d in directions)
    again = import_file(store, "scientists", path, batch_size=2)
    assert _snapshot(store) == stored
    assert again.imported == 0 and again.updated == report.imported + report.updated
    assert again.rejected_count == report.rejected_count


_header_cell = st.one_of(st.sampled_from(["id", "name", "discipline", " id", "", "名字"]),
                        st.text(max_size=8))


@FEW
@given(header=st.lists(_header_cell, max_size=4), body=st.binary(max_size=80))
def test_csv_without_the_required_columns_is_refused_with_bad_input(
    store: Engine, tmp_path: Path, header: list[str], body: bytes
) -> None:
    """A missing required column refuses the whole file, cleanly, storing nothing."""
    _empty(store)
    path = tmp_path / "head.csv"
    out = io.StringIO()
    csv.writer(out).writerow(header)
    path.write_bytes(out.getvalue().encode() + body)
    try:
        parsed = next(csv.reader(io.StringIO(out.getvalue(), newline="")), [])
    except csv.Error:
        parsed = []
    complete = {"id", "name", "discipline"} <= {h.strip() for h in parsed}
    try:
        report = import_file(store, "scientists", path)
    except BadInput:
        assert not complete
        assert _snapshot(store) == {}
        return
    assert complete
    assert len(_snapshot(store)) == report.imported
