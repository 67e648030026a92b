"""Streaming readers for import files (JSON Lines and CSV), one record at a time.

They never hold the whole file: memory stays flat on million-line imports. Problems with a
single line (bad encoding, bad JSON) are yielded as that line's error so the importer can
report it and carry on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from core.errors import BadInput
from knowledge.records import coerce_csv_row


@dataclass(slots=True)
class RawRecord:
    line: int
    data: dict[str, Any] | None
    error: str | None
    size: int  # bytes consumed, for the progress bar


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    with path.open("rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return "jsonl" if head.startswith(b"{") else "csv"


def read_records(path: Path, required_columns: tuple[str, ...] = ()) -> Iterator[RawRecord]:
    if not path.exists():
        raise BadInput(f"找不到文件 {path} (file not found)")
    if not path.is_file():
        raise BadInput(f"{path} 不是文件 (not a regular file)")
    fmt = detect_format(path)
    fh = path.open("rb")
    try:
        if fmt == "jsonl":
            yield from _read_jsonl(fh)
        else:
            yield from _read_csv(fh, path, required_columns)
    finally:
        fh.close()


def _decode(raw: bytes, lineno: int) -> str:
    if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.decode("utf-8")


_ENCODING_ERROR = "该行不是 UTF-8 编码 (line is not valid UTF-8)"
NOT_AN_OBJECT = "每行应是一个 JSON 对象 (expected a JSON object)"


def _read_jsonl(fh: BinaryIO) -> Iterator[RawRecord]:
    for lineno, raw in enumerate(fh, start=1):
        size = len(raw)
        try:
            text = _decode(raw, lineno).strip()
        except UnicodeDecodeError:
            yield RawRecord(lineno, None, _ENCODING_ERROR, size)
            continue
        if not text:
            yield RawRecord(lineno, None, None, size)
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield RawRecord(lineno, None, f"不是合法的 JSON：{exc.msg} (invalid JSON)", size)
            continue
        except RecursionError:
            yield RawRecord(lineno, None, "JSON 嵌套过深 (JSON nested too deeply)", size)
            continue
        except ValueError:  # an integer past Python's 4300-digit conversion limit
            yield RawRecord(lineno, None, "JSON 中的数字过长 (number too long)", size)
            continue
        if not isinstance(obj, dict):
            yield RawRecord(lineno, None, NOT_AN_OBJECT, size)
            continue
        yield RawRecord(lineno, obj, None, size)


def _read_csv(fh: BinaryIO, path: Path, required: tuple[str, ...]) -> Iterator[RawRecord]:
    pending: list[RawRecord] = []  # per-line decoding errors, reported in order
    sizes = [0]

    def lines() -> Iterator[str]:
        for lineno, raw in enumerate(fh, start=1):
            sizes[0] += len(raw)
            try:
                yield _decode(raw, lineno)
            except UnicodeDecodeError:
                pending.append(RawRecord(lineno, None, _ENCODING_ERROR, 0))
                yield "\n"  # a blank line: the csv module skips it

    reader = csv.DictReader(lines())
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise BadInput(f"{path}: 无法读取 CSV 表头：{exc} (cannot read CSV header)") from exc
    if not header:
        raise BadInput(f"{path}: 文件为空或没有表头 (empty file or no header)")
    missing = [c for c in required if c not in {h.strip() for h in header if h}]
    if missing:
        raise BadInput(f"{path}: CSV 表头缺少列 {', '.join(missing)} (missing header columns)")
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield RawRecord(reader.line_num, None, f"CSV 格式错误：{exc} (malformed CSV)", 0)
            continue
        yield from pending
        pending.clear()
        size, sizes[0] = sizes[0], 0
        try:
            yield RawRecord(reader.line_num, coerce_csv_row(row), None, size)
        except ValueError as exc:
            yield RawRecord(reader.line_num, dict(row), str(exc), size)
    yield from pending
