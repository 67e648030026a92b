"""PostgreSQL restarts under a running app: requests get 503 with Retry-After (not a 500, not
"sorry"), a Telegram update that arrived during the outage is given back and processed exactly
once when Telegram re-delivers it, and the app recovers without anyone touching it.

The cluster is a private one (initdb in a temporary directory, its own port), so stopping it
disturbs nothing else. Needs the PostgreSQL server binaries; CI requires them
(KEJIYUN_REQUIRE_POSTGRES=1), elsewhere the test says why it skips.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.dialog import Dialog
from core.clock import ManualClock
from core.settings import Settings, get_settings
from knowledge.bootstrap import init_store
from knowledge.importers import import_file
from matching.offers import OfferService
from matching.service import Matcher
from retrieval.answer import Answerer
from retrieval.index import SearchIndex
from retrieval.search import Searcher
from store.db import make_engine
from store.models import QuestionLog
from web.app import create_app

from ..fake_telegram import running
from ..support import ARTICLES, POOL_SCIENTISTS, REQUIRE_PG, free_port, wait_until, write_jsonl

QUESTION = "李子园土壤酸化了怎么改良"


class Cluster:
    def __init__(self, bindir: str, data: Path, port: int) -> None:
        self.bindir, self.data, self.port = bindir, data, port
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, *args: str) -> None:
        cmd = [os.path.join(self.bindir, args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.data / "log"),
                  "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 "
                        f"-c unix_socket_directories={self.data}", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    problem = None
    if not found:
        problem = "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin)"
    elif os.geteuid() == 0 and shutil.which("runuser") is None:
        problem = "running as root without runuser to start PostgreSQL as postgres"
    if problem:
        if REQUIRE_PG:
            pytest.fail(problem + " — KEJIYUN_REQUIRE_POSTGRES=1, so this is a failure")
        pytest.skip(problem)
    root = Path(tempfile.mkdtemp(prefix="kjy-pg-", dir="/tmp"))
    root.chmod(0o755)
    data = root / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    cl = Cluster(os.path.dirname(found[-1]), data, free_port())
    cl._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    cl.start()
    try:
        yield cl
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            cl.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("dedup", ["store", "redis"])
def test_postgres_restart_503_then_recovery(dedup: str, cluster: Cluster, tmp_path: Path,
                                            request: pytest.FixtureRequest) -> None:
    """With the store's dedup table the claim itself fails during the outage; with Redis the
    claim succeeds, the turn fails, and the claim is handed back — both end processed once."""
    if dedup == "redis":
        request.getfixturevalue("redis_url")  # REDIS_URL and a namespace of its own
    engine = make_engine(cluster.url)
    init_store(engine)
    import_file(engine, "articles", write_jsonl(tmp_path / "a.jsonl", ARTICLES))
    import_file(engine, "scientists", write_jsonl(tmp_path / "s.jsonl", POOL_SCIENTISTS))
    settings, clock = get_settings(), ManualClock()
    index = SearchIndex(engine, settings)
    index.sync_all()
    matcher = Matcher(index, engine, settings, clock)
    dialog = Dialog(engine, answerer=Answerer(Searcher(index)), matcher=matcher,
                    offers=OfferService(engine, matcher.ranker, settings, clock), clock=clock)
    update = {"update_id": 77, "message": {
        "message_id": 1, "date": int(time.time()), "text": QUESTION,
        "chat": {"id": 4343, "type": "private"},
        "from": {"id": 4343, "is_bot": False, "first_name": "农户"}}}
    secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
    with running() as fake:
        app_settings = Settings(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.url,
                                TELEGRAM_WEBHOOK_SECRET="s3cret",
                                TELEGRAM_WEBHOOK_URL="https://example.invalid/telegram/webhook")
        assert bool(app_settings.redis_url) == (dedup == "redis")
        app = create_app(app_settings, engine=engine, dialog=dialog, clock=clock,
                         background=False)
        with TestClient(app) as client:
            ok = client.post("/chat/api/message", json={"text": QUESTION})
            assert ok.status_code == 200 and "石灰" in ok.json()["replies"][0]["text"]

            cluster.stop()  # PostgreSQL goes down (a restart, a failover)
            down = client.post("/chat/api/message", json={"text": QUESTION})
            assert down.status_code == 503 and down.headers["Retry-After"] == "5"
            assert "稍后再试" in down.json()["error"]
            assert client.get("/readyz").status_code == 503
            webhook = client.post("/telegram/webhook", json=update, headers=secret)
            assert webhook.status_code == 503  # Telegram keeps the update and re-delivers
            assert fake.sent(4343) == []

            cluster.start()  # back, and nobody restarts the app
            wait_until(lambda: client.get("/readyz").status_code == 200, timeout=30,
                       interval=0.5, message="the app did not recover")
            again = client.post("/telegram/webhook", json=update, headers=secret)
            assert again.status_code == 200 and "石灰" in fake.sent(4343)[-1]["text"]
            twice = client.post("/telegram/webhook", json=update, headers=secret)
            assert twice.status_code == 200 and len(fake.sent(4343)) == 1  # exactly once
            back = client.post("/chat/api/message", json={"text": QUESTION})
            assert back.status_code == 200 and "石灰" in back.json()["replies"][0]["text"]
    with Session(engine) as s:  # the failed turns left nothing behind
        assert s.execute(select(func.count()).select_from(QuestionLog)).scalar_one() == 3
    engine.dispose()
