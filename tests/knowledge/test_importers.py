"""Importers on SQLite and PostgreSQL: valid rows stored, invalid rows reported by line,
upsert by id, `--strict` all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from core.errors import BadInput, NotInitialised
from knowledge.importers import import_file
from store.models import Article, AuditLog, Scientist

GOOD = {"id": "s-1", "name": "王建华", "discipline": "果树栽培",
        "directions": ["酸性土壤改良", "李树丰产栽培"], "services": ["现场指导"],
        "region": "宜宾市翠屏区", "organization": "宜宾市农业科学院", "title": "研究员",
        "contact": {"phone": "19900000001"}, "available": True}


def _jsonl(path: Path, lines: list[object]) -> Path:
    with path.open("wb") as fh:
        for line in lines:
            if isinstance(line, bytes):
                fh.write(line + b"\n")
            elif isinstance(line, str):
                fh.write(line.encode() + b"\n")
            else:
                fh.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
    return path


def _mixed(tmp_path: Path) -> Path:
    return _jsonl(tmp_path / "mixed.jsonl", [
        GOOD,                                                        # 1 ok
        {"id": "s-2", "name": "李梅", "discipline": "土肥", "region": "温江"},  # 2 ok
        {"id": "s-3", "discipline": "植保"},                          # 3 missing name
        "{not json",                                                 # 4 malformed
        {"id": "s-5", "name": "赵强", "discipline": "农机", "directions": "微耕机"},  # 5 wrong type
        b'{"id": "s-6", "name": "\xd5\xc5", "discipline": "x"}',     # 6 GBK bytes, not UTF-8
        {"id": "s-7", "name": "钱进", "discipline": "水产", "region": "火星市"},  # 7 unknown region
        "",                                                          # 8 blank: ignored
        [1, 2],                                                      # 9 not an object
        {"id": "s-10", "name": "孙\u0000丽", "discipline": "食品"},    # 10 NUL character
        {"id": "s-11", "name": "周" * 201, "discipline": "食品"},      # 11 too long for the column
        {"id": "s-12", "name": "吴敏", "discipline": "中药材", "available": "yes"},  # 12 bad bool
    ])


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_mixed_file_stores_exactly_the_valid_rows_and_reports_each_bad_line(
    store: Engine, tmp_path: Path
) -> None:
    report = import_file(store, "scientists", _mixed(tmp_path), batch_size=2)
    assert (report.imported, report.updated) == (3, 0)
    assert [r["line"] for r in report.rejected] == [3, 4, 5, 6, 9, 10, 11, 12]
    by_line = {r["line"]: r for r in report.rejected}
    assert "name" in by_line[3]["error"] and by_line[3]["id"] == "s-3"
    assert "JSON" in by_line[4]["error"]
    assert "directions" in by_line[5]["error"]
    assert "UTF-8" in by_line[6]["error"]
    assert "available" in by_line[12]["error"]
    assert [(w["line"], w["id"]) for w in report.warnings] == [(7, "s-7")]
    with Session(store) as s:
        rows = {sc.external_id: sc for sc in s.exec(select(Scientist)).all()}
    assert set(rows) == {"s-1", "s-2", "s-7"}
    assert rows["s-1"].region_code == "511502" and rows["s-1"].discipline_code == "0902"
    assert rows["s-2"].region_code == "510115" and rows["s-2"].discipline_code == "0903"
    assert rows["s-7"].region_code is None and rows["s-7"].region_text == "火星市"
    assert rows["s-1"].directions == ["酸性土壤改良", "李树丰产栽培"]
    assert rows["s-1"].contact == {"phone": "19900000001"}


def test_reimport_updates_and_never_duplicates(store: Engine, tmp_path: Path) -> None:
    path = _mixed(tmp_path)
    import_file(store, "scientists", path)
    with Session(store) as s:  # platform-owned fields must survive a re-import
        sc = s.exec(select(Scientist).where(Scientist.external_id == "s-1")).one()
        sc.verified = True
        s.commit()
    again = import_file(store, "scientists", path)
    assert (again.imported, again.updated) == (0, 3)
    assert _count(store, Scientist) == 3
    changed = _jsonl(tmp_path / "changed.jsonl", [{**GOOD, "name": "王建华（更新）",
                                                   "available": False}])
    import_file(store, "scientists", changed)
    with Session(store) as s:
        sc = s.exec(select(Scientist).where(Scientist.external_id == "s-1")).one()
        assert (sc.name, sc.available, sc.verified) == ("王建华（更新）", False, True)


def test_duplicate_ids_within_one_file_count_once_as_new(store: Engine, tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "dup.jsonl", [GOOD, {**GOOD, "title": "教授"}, GOOD | {"id": "z"}])
    for size in (1, 10):  # the duplicate in another batch or in the same one
        with Session(store) as s:
            for sc in s.exec(select(Scientist)).all():
                s.delete(sc)
            s.commit()
        rep = import_file(store, "scientists", path, batch_size=size)
        assert (rep.imported, rep.updated) == (2, 1)
        with Session(store) as s:
            assert s.exec(select(Scientist.title).where(Scientist.external_id == "s-1")).one() \
                == "教授"


def test_strict_stores_nothing_when_any_row_is_bad(store: Engine, tmp_path: Path) -> None:
    report = import_file(store, "scientists", _mixed(tmp_path), strict=True, batch_size=1)
    assert report.rejected_count == 8 and len(report.rejected) == 8
    assert (report.imported, report.updated) == (0, 0)
    assert _count(store, Scientist) == 0
    with Session(store) as s:
        actions = s.exec(select(AuditLog.action).where(AuditLog.entity == "import")).all()
    assert actions == ["import_scientists_rejected"]


def test_strict_on_a_clean_file_imports_everything(store: Engine, tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "ok.jsonl", [GOOD, {**GOOD, "id": "s-9"}])
    rep = import_file(store, "scientists", path, strict=True)
    assert (rep.imported, rep.rejected_count) == (2, 0)
    assert _count(store, Scientist) == 2


def test_csv_uses_the_same_columns_with_semicolon_lists(store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "sci.csv"
    path.write_text(
        "\ufeffid,name,discipline,directions,region,available,contact\n"
        "c-1,陈立,植物保护,柑橘黄龙病防控;木虱监测,511602,否,phone=19900000009;email=c@example.cn\n"
        'c-2,"刘洋",茶学,"名优茶加工",雅安市名山区,true,\n'
        "c-3,,茶学,,雅安市,true,\n"
        "c-4,何静,茶学,,雅安市,maybe,\n",
        encoding="utf-8",
    )
    rep = import_file(store, "scientists", path)
    assert (rep.imported, [r["line"] for r in rep.rejected]) == (2, [4, 5])
    with Session(store) as s:
        c1 = s.exec(select(Scientist).where(Scientist.external_id == "c-1")).one()
        c2 = s.exec(select(Scientist).where(Scientist.external_id == "c-2")).one()
    assert c1.directions == ["柑橘黄龙病防控", "木虱监测"] and c1.available is False
    assert c1.region_code == "511602"
    assert c1.contact == {"phone": "19900000009", "email": "c@example.cn"}
    assert c2.region_code == "511803" and c2.available is True


def test_csv_without_required_columns_is_bad_input(store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("名字,学科\n张三,植保\n", encoding="utf-8")
    with pytest.raises(BadInput, match="id"):
        import_file(store, "scientists", path)
    assert _count(store, Scientist) == 0


def test_articles_need_a_reviewer_to_be_vetted_and_status_changes_are_audited(
    store: Engine, tmp_path: Path
) -> None:
    art = {"id": "a-1", "title": "李子园土壤酸化怎么改良", "body": "先测 pH……",
           "source": "宜宾市农技中心", "tags": ["土壤酸化"], "audience": "果农",
           "status": "draft", "reviewed_by": "", "reviewed_at": ""}
    path = _jsonl(tmp_path / "a.jsonl", [
        art,
        {**art, "id": "a-2", "status": "vetted"},                       # no reviewer
        {**art, "id": "a-3", "status": "published"},                    # unknown status
        {**art, "id": "a-4", "status": "vetted", "reviewed_by": "王研究员",
         "reviewed_at": "2026-13-01"},                                   # bad date
    ])
    rep = import_file(store, "articles", path)
    assert rep.imported == 1 and [r["line"] for r in rep.rejected] == [2, 3, 4]
    vetted = _jsonl(tmp_path / "b.jsonl", [{**art, "status": "vetted", "reviewed_by": "王研究员",
                                            "reviewed_at": "2026-03-18"}])
    assert import_file(store, "articles", vetted).updated == 1
    import_file(store, "articles", vetted)  # unchanged status: no new audit entry
    with Session(store) as s:
        trail = s.exec(select(AuditLog.before, AuditLog.after)
                       .where(AuditLog.entity == "article").order_by(AuditLog.id)).all()
        stored = s.exec(select(Article)).one()
    assert trail == [(None, {"status": "draft"}), ({"status": "draft"}, {"status": "vetted"})]
    assert stored.status == "vetted" and stored.reviewed_at is not None


def test_import_before_init_says_so(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(NotInitialised, match="kejiyun init"):
        import_file(engine, "scientists", _jsonl(tmp_path / "x.jsonl", [GOOD]))


def test_missing_file_is_bad_input(store: Engine, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="找不到文件"):
        import_file(store, "articles", tmp_path / "nope.jsonl")


def test_lone_surrogate_escapes_are_rejected_rows_not_crashes(store: Engine, tmp_path: Path
                                                              ) -> None:
    # "\ud800" is valid JSON, but no store can keep it as UTF-8
    path = _jsonl(tmp_path / "s.jsonl", [rb'{"id": "s-1\ud800", "name": "a", "discipline": "b"}',
                                         rb'{"id": "s-2", "name": "\udfff", "discipline": "b"}',
                                         GOOD])
    report = import_file(store, "scientists", path)
    assert report.imported == 1
    assert [(r["line"], r["id"]) for r in report.rejected] == [(1, "s-1\\ud800"), (2, "s-2")]
    assert all("代理项" in r["error"] for r in report.rejected)
    json.dumps(report.to_json(), ensure_ascii=False).encode("utf-8")  # reportable as UTF-8


def test_json_null_in_optional_fields_means_absent(store: Engine, tmp_path: Path) -> None:
    """Exports from other platforms write null for empty fields."""
    path = _jsonl(tmp_path / "nulls.jsonl", [
        {"id": "a-null", "title": "茶园冬管", "body": "清园，修剪。", "status": "draft",
         "reviewed_by": None, "reviewed_at": None, "region": None, "source": None,
         "tags": ["茶叶", None], "audience": None},
        {"id": "s-null", "name": "王\u202e建华\u200b", "discipline": "茶学", "region": None,
         "organization": None, "title": None, "directions": None,
         "contact": {"phone": None, "email": "w@example.cn"}, "available": None},
        {"id": "s-nameless", "name": None, "discipline": "茶学"}])
    report = import_file(store, "articles", path)
    assert (report.imported, report.rejected_count) == (1, 2)  # the two scientist rows
    report = import_file(store, "scientists", path)
    assert report.imported == 1
    assert [r["line"] for r in report.to_json()["rejected"]] == [1, 3]
    assert "缺少必填字段 name" in report.to_json()["rejected"][1]["error"]
    with Session(store) as s:
        art = s.exec(select(Article).where(Article.external_id == "a-null")).one()
        assert (art.reviewed_by, art.region_code, art.tags) == ("", None, ["茶叶"])
        sci = s.exec(select(Scientist).where(Scientist.external_id == "s-null")).one()
        assert sci.name == "王建华"  # bidi override and zero-width space dropped
        assert sci.contact == {"email": "w@example.cn"} and sci.available is True
