"""`kejiyun init`: schema, the gazetteer's regions, and optionally the demo corpus."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine

from knowledge import gazetteer
from knowledge.importers import ImportReport, import_file
from store import db
from store.models import Region
from store.upsert import upsert


@dataclass
class InitResult:
    revision_before: str | None
    revision_after: str | None
    regions: int
    demo: dict[str, ImportReport] = field(default_factory=dict)


def demo_files(kind: str) -> list[Path]:
    folder = resources.files("knowledge") / "corpus" / kind
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".jsonl"))


def sync_regions(engine: Engine) -> int:
    # Parents first, so the self-referencing foreign key always finds its row.
    order = {"province": 0, "city": 1, "county": 2}
    regions = sorted(gazetteer.all_regions(), key=lambda r: order[r.level])
    rows = [{"code": r.code, "name": r.name, "short_name": r.short_name, "level": r.level,
             "parent_code": r.parent_code} for r in regions]
    with engine.begin() as conn:
        upsert(conn, Region.__table__, rows, "code",  # type: ignore[attr-defined]
               ("name", "short_name", "level", "parent_code"))
    return len(rows)


def init_store(engine: Engine, demo: bool = False, batch_size: int = 2000) -> InitResult:
    before = db.current_revision(engine)
    db.upgrade(engine)
    result = InitResult(before, db.current_revision(engine), sync_regions(engine))
    if demo:
        for kind in ("scientists", "articles"):
            total = ImportReport()
            for path in demo_files(kind):
                rep = import_file(engine, kind, path, batch_size=batch_size, actor="demo")
                total.imported += rep.imported
                total.updated += rep.updated
                total.rejected_count += rep.rejected_count
                total.warning_count += rep.warning_count
                total.rejected += rep.rejected
                total.warnings += rep.warnings
            result.demo[kind] = total
    return result
