"""Region scopes for queries: `None` is everywhere (province staff, unlimited API keys),
otherwise the set of region codes a reader may see (a region and everything inside it)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

Codes = Collection[str] | None


def within(stmt: Any, column: Any, codes: Codes) -> Any:
    """`stmt` limited to rows whose `column` lies in `codes`."""
    return stmt if codes is None else stmt.where(column.in_(sorted(codes)))
