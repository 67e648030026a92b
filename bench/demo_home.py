"""A throwaway KEJIYUN_HOME holding the embedded store with the demo corpus, for the benches
that judge replies (answers, dialogs): no DATABASE_URL and no LLM, whatever the shell has set."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any


def demo_store(prefix: str) -> tuple[Any, Any]:
    """(settings, engine) of a fresh demo store in a new temporary home."""
    os.environ["KEJIYUN_HOME"] = str(Path(tempfile.mkdtemp(prefix=prefix)))
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("LLM_BASE_URL", None)
    from core.settings import get_settings
    from knowledge.bootstrap import init_store
    from store.db import make_engine

    get_settings.cache_clear()
    settings = get_settings()
    engine = make_engine(settings.effective_database_url)
    init_store(engine, demo=True)
    return settings, engine
