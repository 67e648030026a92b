"""Thread pools for the blocking calls webhook handlers make from the event loop.

A turn (retrieval, matching, the store) takes up to seconds; bookkeeping (dedup claims and
leases, held replies) takes milliseconds and decides whether WeChat is answered within its
5 s. Sharing asyncio's default pool, bookkeeping queued behind slow turns under load, so it
has a pool of its own, and each channel's turns have theirs.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
QUICK = ThreadPoolExecutor(max_workers=8, thread_name_prefix="quick")


async def run_in(pool: ThreadPoolExecutor, fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(pool, functools.partial(fn, *args))


async def quick(fn: Callable[..., T], *args: Any) -> T:
    """Short store or Redis bookkeeping, never behind a turn."""
    return await run_in(QUICK, fn, *args)
