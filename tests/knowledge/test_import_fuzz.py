"""Property tests: whatever bytes arrive, an import never crashes and never stores a bad row."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, func
from sqlmodel import Session, select

from knowledge.importers import import_file
from store.models import AuditLog, Scientist

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


FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(lines=st.lists(_line, max_size=12))
def test_any_jsonl_bytes_are_accounted_for_and_never_half_stored(
    store: Engine, tmp_path: Path, lines: list[bytes]
) -> None:
    with Session(store) as s:
        s.exec(delete(Scientist))
        s.exec(delete(AuditLog))
        s.commit()
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = import_file(store, "scientists", path, batch_size=3)
    accounted = report.imported + report.updated + report.rejected_count
    assert accounted == sum(_is_record(b, first=i == 0) for i, b in enumerate(lines))
    with Session(store) as s:
        stored = s.exec(select(Scientist)).all()
        assert len(stored) == report.imported
        for sc in stored:
            assert sc.name.strip() and sc.discipline.strip() and sc.external_id.strip()
            assert isinstance(sc.directions, list) and all(isinstance(d, str)
                                                           for d in sc.directions)
        assert s.exec(select(func.count()).select_from(AuditLog)).one() == 1
