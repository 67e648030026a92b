"""`--batch FILE`: JSON Lines of {"id": …, "text": …} in, one JSON object per line out, in order.

A bad line yields {"id": …, "error": "…"} in its place (so outputs still line up with inputs)
and makes the command exit 2 once every line is done.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from core.errors import BadInput


def read_batch(path: Path) -> Iterator[tuple[int, Any, str | None, str | None]]:
    """Yield (line, id, text, error) for each non-blank line."""
    if not path.is_file():
        raise BadInput(f"找不到批量输入文件 {path} (batch file not found)")
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8").strip()
            except UnicodeDecodeError:
                yield lineno, None, None, f"第 {lineno} 行不是 UTF-8 编码 (not UTF-8)"
                continue
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                yield lineno, None, None, f"第 {lineno} 行不是合法的 JSON (invalid JSON)"
                continue
            if not isinstance(obj, dict):
                yield lineno, None, None, f"第 {lineno} 行应为 JSON 对象 (expected an object)"
                continue
            text = obj.get("text")
            if not isinstance(text, str):
                yield lineno, obj.get("id"), None, \
                    f"第 {lineno} 行缺少文本字段 text (missing string field 'text')"
                continue
            yield lineno, obj.get("id"), text, None


def run_batch(path: Path, handle: Callable[[str], dict[str, Any]],
              emit: Callable[[str], None]) -> int:
    """Process every line; return the number of bad lines."""
    bad = 0
    for _line, item_id, text, error in read_batch(path):
        if error is not None:
            bad += 1
            out: dict[str, Any] = {"id": item_id, "error": error}
        else:
            try:
                out = {"id": item_id, **handle(text or "")}
            except BadInput as exc:
                bad += 1
                out = {"id": item_id, "error": str(exc)}
        emit(json.dumps(out, ensure_ascii=False))
    return bad
