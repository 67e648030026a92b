"""Shared fixtures: a socket guard, an isolated KEJIYUN_HOME, stores on SQLite and PostgreSQL,
the test Redis, the dialog harness (`bot`) and servers more than one test package uses. Plain
helpers shared between packages live in tests/support.py.

PostgreSQL: tests marked `postgres` use KEJIYUN_TEST_DATABASE_URL (default: the local server at
127.0.0.1:5432, database `test`, trust auth). Each test gets its own schema, dropped afterwards.
Where no server runs (a fresh laptop) they skip and say why; CI sets KEJIYUN_REQUIRE_POSTGRES=1,
which turns that skip into a failure so the PostgreSQL suite can never silently vanish.
"""

from __future__ import annotations

import contextlib
import gc
import ipaddress
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from core import settings as settings_mod
from store.db import make_engine

from .support import (
    ARTICLES,
    PG_URL,
    POOL_SCIENTISTS,
    REDIS_URL,
    REQUIRE_PG,
    REQUIRE_REDIS,
    Harness,
    free_port,
    start_chroma,
    stop_chroma,
    wait_until,
    write_jsonl,
)

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check_address(sock: socket.socket, address: object) -> None:
    if sock.family == socket.AF_UNIX:
        return
    host = address[0] if isinstance(address, tuple) else address
    try:
        if ipaddress.ip_address(str(host)).is_loopback:
            return
    except ValueError:
        if host == "localhost":
            return
    raise RuntimeError(f"test tried to reach {address!r}: only loopback is allowed in tests")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check_address(self, address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check_address(self, address)
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def _socket_guard() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _unfreeze_heap() -> Iterator[None]:
    """`open_index` freezes the heap (a server's index lives as long as the process); frozen
    objects are never collected, so each test's cyclic garbage is handed back to the GC."""
    yield
    gc.unfreeze()
    _release_chroma_systems()


def _release_chroma_systems() -> None:
    """Chroma keeps every client's system (SQLite, HNSW segments) in a class-level cache keyed
    by path for the life of the process: one per test index, ≈12 MB each, never freed."""
    from chromadb.api.shared_system_client import SharedSystemClient

    systems = list(SharedSystemClient._identifier_to_system.values())
    SharedSystemClient.clear_system_cache()
    for system in systems:
        with contextlib.suppress(Exception):  # half-started by a failed test: nothing to keep
            system.stop()


@pytest.fixture(autouse=True)
def kejiyun_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test runs against its own data directory and the embedded default store."""
    home = tmp_path / "home"
    monkeypatch.setenv("KEJIYUN_HOME", str(home))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    settings_mod.get_settings.cache_clear()
    yield home
    settings_mod.get_settings.cache_clear()


def _pg_available() -> str | None:
    try:
        eng = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


_PG_PROBLEM: list[str | None] = []


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped after the test."""
    if not _PG_PROBLEM:
        _PG_PROBLEM.append(_pg_available())
    problem = _PG_PROBLEM[0]
    if problem:
        msg = f"PostgreSQL not reachable at {PG_URL} ({problem})"
        if REQUIRE_PG:
            pytest.fail(msg + " — KEJIYUN_REQUIRE_POSTGRES=1, so this is a failure")
        pytest.skip(msg + " — start PostgreSQL or set KEJIYUN_TEST_DATABASE_URL")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, kejiyun_home: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{kejiyun_home / 'kejiyun.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An empty (unmigrated) store on each engine."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def store(engine: Engine) -> Engine:
    """A migrated store with the gazetteer's regions loaded."""
    from knowledge.bootstrap import init_store

    init_store(engine)
    return engine


@pytest.fixture
def redis_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The test Redis with a namespace of its own (REDIS_NAMESPACE), removed afterwards, so
    tests running at the same time never see each other's keys."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        msg = f"Redis not reachable at {REDIS_URL} ({type(exc).__name__})"
        if REQUIRE_REDIS:
            pytest.fail(msg + " — KEJIYUN_REQUIRE_REDIS=1, so this is a failure")
        pytest.skip(msg + " — start Redis or set KEJIYUN_TEST_REDIS_URL")
    namespace = f"kjytest{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("REDIS_NAMESPACE", namespace)
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    settings_mod.get_settings.cache_clear()
    yield REDIS_URL
    for key in client.scan_iter(f"{namespace}:*"):
        client.delete(key)
    settings_mod.get_settings.cache_clear()


@pytest.fixture
def bot(store: Engine, tmp_path: Path) -> Harness:
    """The dialog core over a real store (SQLite and PostgreSQL), real index and real matching
    (the articles and the matching pool of tests/support.py), driven in one line per turn:
    `bot.chat("farmer-1", "李子园土壤酸化怎么办")`."""
    from bot.dialog import Dialog
    from core.clock import ManualClock
    from core.settings import get_settings
    from knowledge.importers import import_file
    from matching.offers import OfferService
    from matching.service import Matcher
    from retrieval.answer import Answerer
    from retrieval.index import SearchIndex
    from retrieval.search import Searcher

    import_file(store, "articles", write_jsonl(tmp_path / "a.jsonl", ARTICLES))
    import_file(store, "scientists", write_jsonl(tmp_path / "s.jsonl", POOL_SCIENTISTS))
    settings = get_settings()
    clock = ManualClock()
    index = SearchIndex(store, settings)
    index.sync_all()
    matcher = Matcher(index, store, settings, clock)
    dialog = Dialog(store, answerer=Answerer(Searcher(index)), matcher=matcher,
                    offers=OfferService(store, matcher.ranker, settings, clock), clock=clock)
    return Harness(dialog, store, settings, clock)


@pytest.fixture
def server(bot: Harness) -> Iterator[str]:
    """The web app over `bot` in a real uvicorn server on loopback: its base URL."""
    import uvicorn

    from core.settings import Settings
    from web.app import create_app

    app = create_app(Settings(), engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                     background=False)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: srv.started, timeout=30, interval=0.05,
                   message="the web app's uvicorn server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on loopback, started and stopped by the fixture."""
    proc, url = start_chroma(tmp_path_factory.mktemp("chroma-server"))
    yield url
    stop_chroma(proc)
