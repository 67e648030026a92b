"""`kejiyun import scientists|articles` (and the REST API's bulk import, `import_rows`):
validate, resolve, upsert by external id, report.

Rows stream from the file in batches; each batch is one bulk upsert. Without `strict` every
batch commits on its own and invalid rows are only reported. With `strict` the whole import is
one transaction that is rolled back if any row was invalid, so nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, select

from knowledge import gazetteer, taxonomy
from knowledge.readers import NOT_AN_OBJECT, RawRecord, read_records
from knowledge.records import ROW_MODELS, ArticleRow, ScientistRow, describe_validation_error
from store.db import ensure_schema
from store.models import Article, AuditLog, Scientist
from store.upsert import existing_keys, upsert

KINDS = ("scientists", "articles")
REQUIRED_COLUMNS = {"scientists": ("id", "name", "discipline"), "articles": ("id", "title", "body")}
# Reports keep at most this many rejected rows / warnings in full; the counts are always exact.
MAX_REPORTED = 1000

# Columns an import may overwrite; the rest (verification, track record, bound person,
# creation time) belong to the platform and survive re-imports.
SCIENTIST_UPDATE = (
    "name", "kind", "discipline", "discipline_code", "directions", "services", "achievements",
    "region_text", "region_code", "organization", "title", "contact", "available", "updated_at",
)
ARTICLE_UPDATE = (
    "title", "body", "source", "tags", "audience", "region_text", "region_code", "status",
    "reviewed_by", "reviewed_at", "updated_at",
)


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    rejected_count: int = 0
    warning_count: int = 0
    strict: bool = False

    def reject(self, line: int, ext_id: Any, error: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_REPORTED:
            self.rejected.append({"line": line, "id": ext_id, "error": error})

    def warn(self, line: int, ext_id: Any, warning: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_REPORTED:
            self.warnings.append({"line": line, "id": ext_id, "warning": warning})

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "rejected_count": self.rejected_count,
            "warning_count": self.warning_count,
        }


@dataclass(slots=True)
class _Valid:
    line: int
    values: dict[str, Any]


def import_file(
    engine: Engine,
    kind: str,
    path: Path,
    *,
    strict: bool = False,
    batch_size: int = 2000,
    on_progress: Callable[[int], None] | None = None,
    actor: str = "cli",
) -> ImportReport:
    if kind not in KINDS:
        raise ValueError(kind)
    ensure_schema(engine)
    return _import(engine, kind, read_records(path, REQUIRED_COLUMNS[kind]), path.name,
                   strict=strict, batch_size=batch_size, on_progress=on_progress, actor=actor)


def import_rows(
    engine: Engine,
    kind: str,
    rows: Iterable[Any],
    *,
    source: str,
    strict: bool = False,
    batch_size: int = 2000,
    actor: str = "api",
    refuse: Callable[[dict[str, Any]], str | None] | None = None,
    review: bool = False,
) -> ImportReport:
    """Import already-parsed rows (the REST API's JSON array) with the same validation, upsert,
    audit and report as a file; a row's `line` is its 1-based position in `rows`. `refuse`
    may turn a row away before validation (its message becomes the row's error). With
    `review` (partner platforms), an article sent as vetted lands in staff review instead:
    only the association's own staff decide what the assistant may answer with."""
    if kind not in KINDS:
        raise ValueError(kind)
    ensure_schema(engine)

    def record(line: int, row: Any) -> RawRecord:
        if not isinstance(row, dict):
            return RawRecord(line, None, NOT_AN_OBJECT, 0)
        return RawRecord(line, row, refuse(row) if refuse else None, 0)

    records = (record(i, row) for i, row in enumerate(rows, start=1))
    return _import(engine, kind, records, source, strict=strict, batch_size=batch_size,
                   on_progress=None, actor=actor, review=review)


def _import(
    engine: Engine,
    kind: str,
    records: Iterator[RawRecord],
    source: str,
    *,
    strict: bool,
    batch_size: int,
    on_progress: Callable[[int], None] | None,
    actor: str,
    review: bool = False,
) -> ImportReport:
    report = ImportReport(strict=strict)
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            valid = _validated(kind, records, report, on_progress, review)
            for batch in _batches(valid, batch_size):
                if strict and report.rejected_count:
                    continue  # keep validating to report every bad row, but write no more
                _write_batch(conn, kind, batch, report, actor)
                if not strict:
                    trans.commit()
                    trans = conn.begin()
            if strict and report.rejected_count:
                trans.rollback()
                report.imported = report.updated = 0
            else:
                _audit_run(conn, kind, source, report, actor)
                trans.commit()
        except BaseException:
            if trans.is_active:
                trans.rollback()
            raise
    if strict and report.rejected_count:
        with engine.begin() as conn:
            _audit_run(conn, kind, source, report, actor)
    return report


def _batches(items: Iterator[_Valid], size: int) -> Iterator[list[_Valid]]:
    batch: list[_Valid] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


TO_REVIEW = ("已审核的文章须经科协工作人员复核后才用于回答，已转为待审核 "
             "(partner articles wait for staff review)")


def _validated(
    kind: str, records: Iterator[Any], report: ImportReport,
    on_progress: Callable[[int], None] | None, review: bool = False,
) -> Iterator[_Valid]:
    model = ROW_MODELS[kind]
    now = datetime.now(UTC)
    for rec in records:
        if on_progress and rec.size:
            on_progress(rec.size)
        if rec.error:
            report.reject(rec.line, _raw_id(rec.data), rec.error)
            continue
        if rec.data is None:  # blank line
            continue
        try:
            row = model.model_validate(rec.data)
        except ValidationError as exc:
            report.reject(rec.line, _raw_id(rec.data), describe_validation_error(exc))
            continue
        if isinstance(row, ArticleRow) and (problem := row.vetting_problem()):
            report.reject(rec.line, row.id, problem)
            continue
        region_code = None
        if row.region:  # type: ignore[attr-defined]
            region = gazetteer.resolve(row.region)  # type: ignore[attr-defined]
            if region is None:
                report.warn(rec.line, row.id,
                            f"未知地区“{row.region}”，已保留该行但未关联地区 "  # type: ignore[attr-defined]
                            "(unknown region; row kept without a region)")
            else:
                region_code = region.code
        values = (_scientist_values(row, region_code, now) if isinstance(row, ScientistRow)
                  else _article_values(row, region_code, now))  # type: ignore[arg-type]
        if review and values.get("status") == "vetted":
            values.update(status="review", reviewed_by="", reviewed_at=None)
            report.warn(rec.line, row.id, TO_REVIEW)
        yield _Valid(rec.line, values)


def _raw_id(data: dict[str, Any] | None) -> Any:
    if not data:
        return None
    value = data.get("id")
    if isinstance(value, str):  # reported back as UTF-8: lone surrogates become escapes
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _scientist_values(row: ScientistRow, region_code: str | None, now: datetime) -> dict:
    discipline = taxonomy.map_discipline(row.discipline)
    return {
        "external_id": row.id, "name": row.name, "kind": row.kind,
        "discipline": row.discipline,
        "discipline_code": discipline.code if discipline else None,
        "directions": row.directions, "services": row.services,
        "achievements": row.achievements, "region_text": row.region,
        "region_code": region_code, "organization": row.organization, "title": row.title,
        "contact": row.contact, "available": row.available,
        "verified": False, "offers_received": 0, "offers_accepted": 0,
        "services_completed": 0, "rating_sum": 0, "rating_count": 0,
        "response_seconds_total": 0, "created_at": now, "updated_at": now,
    }


def _article_values(row: ArticleRow, region_code: str | None, now: datetime) -> dict:
    return {
        "external_id": row.id, "title": row.title, "body": row.body, "source": row.source,
        "tags": row.tags, "audience": row.audience, "region_text": row.region,
        "region_code": region_code, "status": row.status, "reviewed_by": row.reviewed_by,
        "reviewed_at": row.reviewed_at, "created_at": now, "updated_at": now,
    }


def _write_batch(
    conn: Connection, kind: str, batch: list[_Valid], report: ImportReport, actor: str
) -> None:
    table = (Scientist if kind == "scientists" else Article).__table__  # type: ignore[attr-defined]
    ids = list(dict.fromkeys(v.values["external_id"] for v in batch))
    if kind == "articles":
        before = dict(conn.execute(select(table.c.external_id, table.c.status)
                                   .where(table.c.external_id.in_(ids))).all())
        known = set(before)
    else:
        before, known = {}, existing_keys(conn, table, "external_id", ids)
    # One timestamp per committed batch: the search index syncs rows newer than the last
    # timestamp it saw, and a batch becomes visible all at once.
    now = datetime.now(UTC)
    last: dict[str, dict[str, Any]] = {}
    for item in batch:
        item.values["created_at"] = item.values["updated_at"] = now
        ext_id = item.values["external_id"]
        if ext_id in known:
            report.updated += 1
        else:
            report.imported += 1
            known.add(ext_id)  # a later duplicate in the same file is an update
        last[ext_id] = item.values
    rows = list(last.values())
    upsert(conn, table, rows, "external_id",
           SCIENTIST_UPDATE if kind == "scientists" else ARTICLE_UPDATE)
    if kind == "articles":
        _audit_article_status(conn, rows, before, actor)


def _audit_article_status(
    conn: Connection, rows: list[dict[str, Any]], before: dict[str, str], actor: str
) -> None:
    """Vetting state decides what may answer questions, so each change is audited per article."""
    entries = [
        {"at": row["updated_at"], "actor": actor, "entity": "article",
         "entity_id": row["external_id"], "action": "import",
         "before": {"status": before[row["external_id"]]} if row["external_id"] in before
         else None,
         "after": {"status": row["status"]}}
        for row in rows
        if before.get(row["external_id"]) != row["status"]
    ]
    if entries:
        conn.execute(AuditLog.__table__.insert(), entries)  # type: ignore[attr-defined]


def _audit_run(
    conn: Connection, kind: str, source: str, report: ImportReport, actor: str
) -> None:
    action = f"import_{kind}" + ("_rejected" if report.strict and report.rejected_count else "")
    conn.execute(AuditLog.__table__.insert(), [{  # type: ignore[attr-defined]
        "at": datetime.now(UTC), "actor": actor, "entity": "import", "entity_id": source[:128],
        "action": action, "before": None,
        "after": {"imported": report.imported, "updated": report.updated,
                  "rejected": report.rejected_count, "warnings": report.warning_count,
                  "strict": report.strict},
    }])
