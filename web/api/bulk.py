"""Bulk import (POST a JSON array in the import format) and bulk export (JSON Lines in the same
format, so an export can be fed to `kejiyun import` elsewhere), shared by the scientists and
articles routers. Import runs the importer's own validation and upsert
(`knowledge.importers.import_rows`) and then syncs the search index, as `kejiyun import` does."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import Query, Request
from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from knowledge import gazetteer
from knowledge.importers import import_rows
from store.models import Article, Scientist
from web import apikeys
from web.api.common import JSONL, MAX_BODY, MAX_ROWS, ApiContext, ApiError, error_doc

log = logging.getLogger(__name__)
_EXPORT_CHUNK = 500
region_name = gazetteer.display_name
Strict = Query(False, description="为 true 时只要有一行无效就什么都不写")


async def read_rows(request: Request) -> list[Any]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiError(413, "请求体超过 32 MB，请分批提交 (request body too large)")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ApiError(413, "请求体超过 32 MB，请分批提交 (request body too large)")
        chunks.append(chunk)
    try:
        rows = json.loads(b"".join(chunks))
    except (ValueError, RecursionError):
        raise ApiError(400, "请求体不是合法的 JSON (body is not valid JSON)") from None
    if not isinstance(rows, list):
        raise ApiError(400, "请求体应是 JSON 数组，每个元素一行 (body must be a JSON array)")
    if len(rows) > MAX_ROWS:
        raise ApiError(413, f"一次最多提交 {MAX_ROWS} 行，请分批提交 "
                            f"(at most {MAX_ROWS} rows per request)")
    return rows


def run_import(ctx: ApiContext, kind: str, rows: list[Any], key: apikeys.Key,
               strict: bool) -> dict[str, Any]:
    refuse = _region_guard(ctx.engine, kind, rows, key)
    report = import_rows(ctx.engine, kind, rows, source=f"api:{key.prefix}", strict=strict,
                         actor=f"apikey:{key.prefix}", refuse=refuse, review=True)
    if (report.imported or report.updated) and ctx.sync_index is not None:
        try:
            ctx.sync_index(kind)  # searchable and matchable at once, as after `kejiyun import`
        except Exception:  # noqa: BLE001 - the store has the rows; `kejiyun reindex` heals
            log.exception("index sync after API import of %s failed", kind)
    return report.to_json()


def rows_body(model: type[BaseModel], what: str) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema.pop("title", None)
    return {"requestBody": {
        "required": True,
        "description": f"{what}：导入格式（docs/contracts.md）的 JSON 数组，最多 {MAX_ROWS} 行。"
                       "无效行不会导致整个请求失败，而是在报告中按行号列出。",
        "content": {"application/json": {"schema": {
            "type": "array", "maxItems": MAX_ROWS, "items": schema}}}}}


def export_responses(what: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": f"{what}，每行一个 JSON 对象（导入格式，docs/contracts.md）",
                  "content": {JSONL: {"schema": {"type": "string"}}}},
            400: error_doc("请求无效（例如 Content-Length 无效）"),
            401: error_doc("缺少、错误或已吊销的密钥"), 403: error_doc("密钥没有所需的权限范围")}


def stream(ctx: ApiContext, stmt: Any, model: Any, render: Callable[[Any], dict[str, Any]]
           ) -> Iterator[bytes]:
    after = 0
    while True:
        with Session(ctx.engine) as s:
            rows = list(s.execute(stmt.where(model.id > after).order_by(model.id)
                                  .limit(_EXPORT_CHUNK)).scalars())
        if not rows:
            return
        yield "".join(json.dumps(render(x), ensure_ascii=False) + "\n"
                      for x in rows).encode()
        after = rows[-1].id


def _region_guard(engine: Engine, kind: str, rows: list[Any], key: apikeys.Key
                  ) -> Callable[[dict[str, Any]], str | None] | None:
    """A region-limited key may only write records inside its region: each row's `region` must
    resolve there, and an existing record with the same id must already be there."""
    if key.region_code is None:
        return None
    model = Scientist if kind == "scientists" else Article
    ids = {_row_id(row) for row in rows if isinstance(row, dict)} - {None}
    where: dict[str, str | None] = {}
    id_list = sorted(i for i in ids if i is not None)
    with Session(engine) as s:
        for start in range(0, len(id_list), 500):
            where.update(s.execute(select(model.external_id, model.region_code).where(
                model.external_id.in_(id_list[start:start + 500]))).tuples().all())
    outside = (f"只能导入本密钥地区（{region_name(key.region_code)}）内的记录 "
               "(row outside the API key's region)")

    def refuse(row: dict[str, Any]) -> str | None:
        ext_id = _row_id(row)
        if ext_id in where and not key.can_see(where[ext_id]):
            return outside
        value = row.get("region")
        if not isinstance(value, str):
            return None if value is not None else outside  # a wrong type: validation says so
        found = gazetteer.resolve(value)
        return None if found is not None and key.can_see(found.code) else outside

    return refuse


def _row_id(row: dict[str, Any]) -> str | None:
    value = row.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None
