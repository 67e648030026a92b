"""Scale-out load: the real `kejiyun serve --workers N` (+ one `kejiyun worker`) on PostgreSQL,
a Chroma server and Redis, all on loopback, driven by simulated WeChat and Telegram users.

    python bench/load.py --quick                      # 1,2 workers × 50,200 users, 30 s each
    python bench/load.py [--workers 1,2,4] [--users 50,200,1000] [--duration 45]
                         [--think 5,15] [--telegram-share 0.4] [--redeliver 0.05] [--json FILE]

Set-up (torn down at the end): a fresh PostgreSQL database (or schema, if the role may not
create databases) loaded with `kejiyun init --demo`; `chroma run` on a free port with its own
data directory; a unique REDIS_NAMESPACE; the loopback fakes of the WeChat and Telegram APIs
(tests/fake_*.py) receiving the customer-service pushes and sendMessage calls; Telegram in
webhook mode (TELEGRAM_WEBHOOK_URL set, so no polling).

Users: each arrives at a random moment, subscribes (WeChat) or sends /start (Telegram), then
asks farmers' questions, describes needs, answers slot questions and taps buttons of the last
reply or the menu, with a think time between reading the answer and the next message, until
the duration ends. WeChat callbacks time out after 5 s and are retried unchanged (the same
query string and body: timestamp, nonce, MsgId) up to three times, as WeChat does; Telegram
updates are retried on errors. A sample of messages is re-delivered on purpose (during or
after processing) — they must be answered once.
A Telegram copy sent while its original is still being processed gets 503 (retry later: the
processing lease); that answer is counted apart, not as an error, since the original is
answered once and real Telegram never sends such a copy (it waits for the webhook's answer).

Accounting, per configuration: every message has a unique MsgId / update_id. Each dialog turn
bumps its conversation's `version` once, so for every user the store must show exactly as many
turns as messages acknowledged (fewer: lost; more: processed twice). Replies are counted too:
passive WeChat replies, pushes seen by the fake WeChat API, sendMessage seen by the fake
Telegram API — a message with none is unanswered; a re-delivery that is answered again is a
duplicate answer.

Printed per configuration: messages, throughput, WeChat acknowledgement p50/p99, WeChat time to
the first reply (passive or pushed), Telegram webhook p50/p99, /healthz under the same load
and idle (the baseline: read the figures as ratios), error rate, lost/duplicated, RSS per
process, load average.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from webhooks import (
    ROOT,
    TELEGRAM_SECRET_HEADER,
    free_port,
    is_passive_reply,
    load,
    passive_text,
    percentile,
    telegram_press,
    telegram_text,
    wait_healthy,
    wait_port,
    wechat_event,
    wechat_menu_links,
    wechat_params,
    wechat_text,
)

sys.path.insert(0, str(ROOT))

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
WECHAT_TOKEN, WECHAT_APP_ID, WECHAT_SECRET = "bench-token", "wxbench0000000001", "bench-secret"
TG_TOKEN, TG_SECRET = "123456:BENCH", "bench-webhook-secret"
WECHAT_TIMEOUT = 5.0   # WeChat drops the callback after 5 s and retries
WECHAT_ATTEMPTS = 3
TG_TIMEOUT = 30.0
TG_ATTEMPTS = 3
SLOT_TEXTS = ["宜宾市翠屏区", "凉山州会理市", "不急", "尽快", "五千左右", "面议", "同意", "确认"]
EXE = Path(sys.executable).parent
T = TypeVar("T")


# ---- what the fake platform APIs receive --------------------------------------------------------
@dataclass
class Reply:
    at: float            # time.monotonic() when the fake API received it
    text: str
    actions: list[str]   # button actions the user could tap next


class Replies:
    """Messages the fake APIs received, per user, with arrival times; wakes the waiting user."""

    def __init__(self) -> None:
        self.by_user: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.events: dict[str, asyncio.Event] = {}
        self.set_webhook = 0
        self.last_at = 0.0

    def record(self, user: str, text: str, actions: list[str]) -> None:
        now = time.monotonic()
        with self._lock:
            self.by_user.setdefault(user, []).append(Reply(now, text, actions))
            self.last_at = now
        loop = self.loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake, user)

    def _wake(self, user: str) -> None:
        event = self.events.get(user)
        if event is not None:
            event.set()

    def between(self, user: str, start: float, end: float = float("inf")) -> list[Reply]:
        with self._lock:
            return [r for r in self.by_user.get(user, []) if start <= r.at < end]

    async def wait(self, user: str, since: float, timeout: float) -> Reply | None:
        """The first reply to `user` received at or after `since`, waiting up to `timeout`."""
        event = self.events.setdefault(user, asyncio.Event())
        deadline = time.monotonic() + timeout
        while True:
            event.clear()
            got = self.between(user, since)
            if got:
                return got[0]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


class RecordingList(list):  # type: ignore[type-arg]
    """Stands in for a fake's list of calls: same list, plus a hook on every append."""

    def __init__(self, on_append: Callable[[Any], None]) -> None:
        super().__init__()
        self.on_append = on_append

    def append(self, item: Any) -> None:
        super().append(item)
        self.on_append(item)


def start_fakes(replies: Replies, stack: contextlib.ExitStack) -> tuple[str, str]:
    from tests import fake_telegram, fake_wechat

    wx = stack.enter_context(fake_wechat.running())
    tg = stack.enter_context(fake_telegram.running(TG_TOKEN))

    def on_push(item: dict[str, Any]) -> None:
        text = (item.get("text") or {}).get("content", "")
        replies.record(str(item.get("touser")), text, [a for _, a in wechat_menu_links(text)])

    def on_call(call: tuple[str, dict[str, Any]]) -> None:
        method, params = call
        if method == "setWebhook":
            replies.set_webhook += 1
        if method != "sendMessage":
            return
        markup = params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        actions = [b.get("callback_data", "") for row in markup.get("inline_keyboard", [])
                   for b in row if b.get("callback_data")]
        replies.record(str(params.get("chat_id")), str(params.get("text", "")), actions)

    wx.sent = RecordingList(on_push)
    tg.calls = RecordingList(on_call)
    return wx.url, tg.url


# ---- PostgreSQL, Chroma, Redis, processes --------------------------------------------------
class Database:
    """A fresh database for the run (or a schema in the admin database if the role may not
    create databases), dropped at the end."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.name = f"kejiyun_load_{os.getpid()}_{secrets.token_hex(3)}"
        self.kind = "database"

    def create(self) -> str:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            try:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            except psycopg.errors.InsufficientPrivilege:
                self.kind = "schema"
                conn.execute(f'CREATE SCHEMA "{self.name}"')
        parts = urlsplit(self.admin_url)
        if self.kind == "database":
            return urlunsplit(parts._replace(path=f"/{self.name}"))
        sep = "&" if parts.query else ""
        return urlunsplit(parts._replace(
            query=f"{parts.query}{sep}options=-csearch_path%3D{self.name}"))

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            if self.kind == "database":
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            else:
                conn.execute(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')


def start_process(cmd: list[str], env: dict[str, str], log: Path, cwd: Path
                  ) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    try:
        # its own process group, so stopping it also stops the workers it spawned
        return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    finally:
        out.close()


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    # spawned uvicorn workers left behind (they are in the same process group)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def children(pid: int) -> list[int]:
    """Direct children of `pid`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def rss_mb(pid: int) -> float | None:
    try:
        import psutil  # type: ignore[import-untyped]

        return psutil.Process(pid).memory_info().rss / 2**20
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - gone
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def web_workers(serve_pid: int, n: int) -> list[int]:
    """The processes serving HTTP: `kejiyun serve` itself with one worker, else its spawned
    children (not multiprocessing's resource tracker)."""
    if n == 1:
        return [serve_pid]
    pids = []
    for pid in children(serve_pid):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in cmd:
            pids.append(pid)
    return pids


def subprocess_env(home: Path, db_url: str, chroma_url: str, namespace: str, wx_url: str,
                   tg_url: str, port: int) -> dict[str, str]:
    from core.settings import Settings

    env = dict(os.environ)
    for f in Settings.model_fields.values():  # nothing from the caller's own configuration
        if f.alias:
            env.pop(f.alias, None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update({
        "KEJIYUN_HOME": str(home), "DATABASE_URL": db_url, "CHROMA_URL": chroma_url,
        "REDIS_URL": REDIS_URL, "REDIS_NAMESPACE": namespace,
        "WECHAT_TOKEN": WECHAT_TOKEN, "WECHAT_APP_ID": WECHAT_APP_ID,
        "WECHAT_APP_SECRET": WECHAT_SECRET, "WECHAT_API_BASE_URL": wx_url,
        "TELEGRAM_BOT_TOKEN": TG_TOKEN, "TELEGRAM_API_BASE_URL": tg_url,
        "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
        # webhook mode: with a webhook URL the server registers it and never polls
        "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
        "PROMETHEUS_MULTIPROC_DIR": str(home / "prometheus"),
        "LOG_FORMAT": "text",
    })
    return env


# ---- the simulated users -------------------------------------------------------------------
@dataclass
class Msg:
    channel: str
    user: str
    mid: int                    # WeChat MsgId / Telegram update_id
    kind: str
    sent_at: float
    acked: bool = False
    failed: bool = False        # every attempt failed: the server may or may not have it
    attempts: int = 0
    first_reply_at: float | None = None
    redelivered: str = ""       # "", "during" or "after"
    answered_twice: bool = False
    text: str = ""              # what was sent (for the examples of problems)


@dataclass
class Run:
    """One configuration's load: shared state of the users and what they measured."""

    base_url: str
    tag: str
    users: int
    duration: float
    think: tuple[float, float]
    tg_share: float
    redeliver: float
    reply_wait: float
    replies: Replies
    ids: Iterator[int]
    questions: list[str]
    needs: list[str]
    stop_at: float = 0.0
    msgs: list[Msg] = field(default_factory=list)
    wechat_ack_ms: list[float] = field(default_factory=list)
    wechat_reply_ms: list[float] = field(default_factory=list)
    tg_ms: list[float] = field(default_factory=list)
    health_ms: list[float] = field(default_factory=list)
    requests: int = 0
    errors: int = 0
    status: dict[str, int] = field(default_factory=dict)
    idle_ms: list[float] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0
    client: Any = None

    def count(self, outcome: str, failed: bool) -> None:
        self.requests += 1
        self.errors += failed
        self.status[outcome] = self.status.get(outcome, 0) + 1


def choose(rnd: random.Random, run: Run, actions: list[str]) -> tuple[str, str]:
    """(kind, text or action) of a user's next message."""
    r = rnd.random()
    actions = [a for a in actions if not a.startswith("delete:")]
    if r < 0.45:
        return "question", rnd.choice(run.questions)
    if r < 0.60:
        return "need", rnd.choice(run.needs)
    if r < 0.70:
        return "slot", rnd.choice(SLOT_TEXTS)
    if r < 0.90 and actions:
        return "tap", rnd.choice(actions)
    return "menu", rnd.choice(["ask", "need"])


def signed_query() -> dict[str, str]:
    """One message's query string. WeChat's own retries resend the request unchanged (same
    timestamp, nonce and signature), so a message keeps its query across deliveries."""
    return wechat_params(WECHAT_TOKEN, str(int(time.time())), secrets.token_hex(8))


async def post_wechat(run: Run, body: bytes, query: dict[str, str]
                      ) -> tuple[int | None, bytes]:
    import httpx

    t = time.perf_counter()
    status: int | None = None
    content = b""
    try:
        async with asyncio.timeout(WECHAT_TIMEOUT):  # in all, not per connect/read/pool wait
            r = await run.client.post("/wechat", content=body, timeout=WECHAT_TIMEOUT,
                                      params=query)
        status, content = r.status_code, r.content
        run.count(str(status), status != 200)
    except (httpx.TimeoutException, TimeoutError):
        run.count("timeout", True)
    except httpx.HTTPError as exc:
        run.count(type(exc).__name__, True)
    run.wechat_ack_ms.append((time.perf_counter() - t) * 1000)
    return status, content


async def post_telegram(run: Run, update: dict[str, Any], concurrent_copy: bool = False
                        ) -> int | None:
    """`concurrent_copy`: a deliberate duplicate sent while the original is still being
    processed. Its 503 is the protocol's "retry later" (the original is answered, once; real
    Telegram never sends such a copy, it waits for the webhook's answer): counted apart."""
    import httpx

    t = time.perf_counter()
    status = None
    try:
        async with asyncio.timeout(TG_TIMEOUT):
            r = await run.client.post("/telegram/webhook", json=update, timeout=TG_TIMEOUT,
                                      headers={TELEGRAM_SECRET_HEADER: TG_SECRET})
        status = r.status_code
        if status == 503 and concurrent_copy:
            run.count("503 busy (concurrent copy)", False)
        else:
            run.count(str(status), status != 200)
    except (httpx.TimeoutException, TimeoutError):
        run.count("timeout", True)
    except httpx.HTTPError as exc:
        run.count(type(exc).__name__, True)
    run.tg_ms.append((time.perf_counter() - t) * 1000)
    return status


def redelivery(rnd: random.Random, run: Run) -> str:
    """Whether this message is re-delivered on purpose: "" (no), "during" or "after"."""
    return rnd.choice(["during", "after"]) if rnd.random() < run.redeliver else ""


async def later(delay: float, coro: Coroutine[Any, Any, T]) -> T:
    await asyncio.sleep(delay)
    return await coro


async def wechat_user(run: Run, i: int) -> None:
    rnd = random.Random(f"{run.tag}-wx-{i}")
    openid = f"o{run.tag}x{i:05d}"
    actions: list[str] = []
    await asyncio.sleep(rnd.uniform(0, run.think[1]))  # users do not all arrive at once
    first = True
    while True:
        if first:
            kind, what = "subscribe", ""
        else:
            think = rnd.uniform(*run.think)  # reading the answer, typing the next message
            if time.monotonic() + think >= run.stop_at:
                return
            await asyncio.sleep(think)
            kind, what = choose(rnd, run, actions)
        first = False
        now = int(time.time())
        mid = next(run.ids)
        if kind == "subscribe":
            body = wechat_event(openid, "subscribe", "", now)
        elif kind == "menu":
            body = wechat_event(openid, "CLICK", what.upper(), now)
        elif kind == "tap":
            body = wechat_text(openid, "选项", mid, now, menu_id=what)
        else:
            body = wechat_text(openid, what, mid, now)
        msg = Msg("wechat", openid, mid, kind, time.monotonic(), text=what)
        run.msgs.append(msg)
        mode = redelivery(rnd, run)
        again: asyncio.Task[tuple[int | None, bytes]] | None = None
        query = signed_query()
        if mode == "during":  # the platform's retry arrives while the first is being handled
            again = asyncio.create_task(later(0.2, post_wechat(run, body, query)))
        content = b""
        for _ in range(WECHAT_ATTEMPTS):
            msg.attempts += 1
            status, content = await post_wechat(run, body, query)
            if status == 200:
                msg.acked = True
                break
        msg.failed = not msg.acked
        passive = 1 if msg.acked and is_passive_reply(content) else 0
        texts = [passive_text(content)] if passive else []
        if again is not None:
            status2, content2 = await again
            if status2 == 200 and is_passive_reply(content2):
                passive += 1
                texts.append(passive_text(content2))
        if passive:
            msg.first_reply_at = time.monotonic()
        elif msg.acked:
            got = await run.replies.wait(openid, msg.sent_at, run.reply_wait)
            if got is not None:
                msg.first_reply_at = got.at
        if msg.first_reply_at is not None:
            run.wechat_reply_ms.append((msg.first_reply_at - msg.sent_at) * 1000)
        if mode == "after" and msg.acked:
            status2, content2 = await post_wechat(run, body, query)
            if status2 == 200 and is_passive_reply(content2):
                passive += 1
        msg.redelivered = mode
        msg.answered_twice = passive > 1
        await asyncio.sleep(0.3)  # let the rest of a multi-part answer arrive
        texts += [r.text for r in run.replies.between(openid, msg.sent_at)]
        actions = [a for t in texts for _, a in wechat_menu_links(t)]


async def telegram_user(run: Run, i: int, uid: int) -> None:
    rnd = random.Random(f"{run.tag}-tg-{i}")
    chat = str(uid)
    actions: list[str] = []
    await asyncio.sleep(rnd.uniform(0, run.think[1]))
    first = True
    while True:
        if first:
            kind, what = "start", "/start"
        else:
            think = rnd.uniform(*run.think)
            if time.monotonic() + think >= run.stop_at:
                return
            await asyncio.sleep(think)
            kind, what = choose(rnd, run, actions)
        first = False
        mid = next(run.ids)
        message_id = mid % 1_000_000_000
        if kind == "tap":
            update = telegram_press(mid, uid, what, message_id)
        elif kind == "menu":
            update = telegram_press(mid, uid, f"menu:{what}", message_id)
        else:
            update = telegram_text(mid, uid, what, message_id)
        msg = Msg("telegram", chat, mid, kind, time.monotonic(), text=what)
        run.msgs.append(msg)
        mode = redelivery(rnd, run)
        again: asyncio.Task[int | None] | None = None
        if mode == "during":
            again = asyncio.create_task(later(0.2, post_telegram(run, update, True)))
        for attempt in range(TG_ATTEMPTS):
            msg.attempts += 1
            if await post_telegram(run, update) == 200:
                msg.acked = True
                break
            await asyncio.sleep(1.0 + attempt)  # Telegram backs off before re-delivering
        msg.failed = not msg.acked
        if again is not None:
            await again
        if msg.acked:
            got = await run.replies.wait(chat, msg.sent_at, min(2.0, run.reply_wait))
            if got is not None:
                msg.first_reply_at = got.at
        if mode == "after" and msg.acked:
            before = time.monotonic()
            await post_telegram(run, update)
            await asyncio.sleep(0.3)
            msg.answered_twice = bool(run.replies.between(chat, before))
        msg.redelivered = mode
        actions = [a for r in run.replies.between(chat, msg.sent_at) for a in r.actions]


async def probe_health(run: Run, stop: asyncio.Event) -> None:
    """The baseline under the same load: GET /healthz four times a second."""
    import httpx

    async with httpx.AsyncClient(base_url=run.base_url) as client:
        while not stop.is_set():
            t = time.perf_counter()
            try:
                r = await client.get("/healthz", timeout=10)
                if r.status_code == 200:
                    run.health_ms.append((time.perf_counter() - t) * 1000)
            except httpx.HTTPError:
                pass
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.25)


async def idle_health(base_url: str, n: int = 40) -> list[float]:
    import httpx

    out = []
    async with httpx.AsyncClient(base_url=base_url) as client:
        for _ in range(n):
            t = time.perf_counter()
            await client.get("/healthz", timeout=10)
            out.append((time.perf_counter() - t) * 1000)
            await asyncio.sleep(0.02)
    return out


async def warm_up(run: Run, workers: int) -> None:
    """A few turns on every web worker first (token fetch, first search), not counted."""
    import httpx

    async with httpx.AsyncClient(base_url=run.base_url) as client:
        async def one(k: int) -> None:
            body = wechat_text(f"owarm{run.tag}{k}", run.questions[k % len(run.questions)],
                               next(run.ids), int(time.time()))
            ts, nonce = str(int(time.time())), secrets.token_hex(8)
            await client.post("/wechat", params=wechat_params(WECHAT_TOKEN, ts, nonce),
                              content=body, timeout=30)
        await asyncio.gather(*(one(k) for k in range(4 * workers)))


async def drive(run: Run, workers: int, tg_base: int, mem: MemorySampler) -> None:
    import httpx

    run.replies.loop = asyncio.get_running_loop()
    run.replies.events = {}
    await warm_up(run, workers)
    run.idle_ms = await idle_health(run.base_url)
    n_tg = round(run.users * run.tg_share)
    limits = httpx.Limits(max_connections=run.users + 20, max_keepalive_connections=run.users)
    stop = asyncio.Event()
    mem.start()
    async with httpx.AsyncClient(base_url=run.base_url, limits=limits) as client:
        run.client = client
        run.started = time.monotonic()
        run.stop_at = run.started + run.duration
        probe = asyncio.create_task(probe_health(run, stop))
        users = [telegram_user(run, i, tg_base + i) for i in range(n_tg)]
        users += [wechat_user(run, i) for i in range(run.users - n_tg)]
        await asyncio.gather(*users)
        run.ended = time.monotonic()
        stop.set()
        await probe
    mem.stop()


class MemorySampler:
    """Peak RSS per process (web workers, the serve supervisor, the job worker), every 2 s."""

    def __init__(self, serve: subprocess.Popen[bytes], worker: subprocess.Popen[bytes],
                 n: int) -> None:
        self.serve, self.worker, self.n = serve, worker, n
        self.peak: dict[str, dict[int, float]] = {"web": {}, "supervisor": {}, "worker": {}}
        self.load: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        groups = {"web": web_workers(self.serve.pid, self.n), "worker": [self.worker.pid],
                  "supervisor": [self.serve.pid] if self.n > 1 else []}
        for name, pids in groups.items():
            for pid in pids:
                mb = rss_mb(pid)
                if mb is not None:
                    self.peak[name][pid] = max(mb, self.peak[name].get(pid, 0.0))
        self.load.append(os.getloadavg()[0])

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(2.0)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


# ---- accounting ------------------------------------------------------------------------------
def conversation_versions(db_url: str) -> dict[tuple[str, str], int]:
    from sqlalchemy import create_engine, text

    from core.settings import normalise_database_url

    engine = create_engine(normalise_database_url(db_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT channel, platform_user_id, version "
                                     "FROM conversation")).all()
    finally:
        engine.dispose()
    return {(c, u): v for c, u, v in rows}


def query(db_url: str, sql: str, **params: Any) -> list[Any]:
    from sqlalchemy import create_engine, text

    from core.settings import normalise_database_url

    engine = create_engine(normalise_database_url(db_url))
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params).all())
    finally:
        engine.dispose()


def outbox_report(db_url: str, since_id: int) -> dict[str, Any]:
    """This configuration's outbox rows by status, how long late replies waited there, and
    why the undelivered ones failed."""
    from sqlalchemy import create_engine, text

    from core.settings import normalise_database_url

    engine = create_engine(normalise_database_url(db_url))
    try:
        with engine.connect() as conn:
            counts = conn.execute(text("SELECT kind, status, count(*) FROM outbox WHERE id > :i "
                                       "GROUP BY kind, status ORDER BY kind, status"),
                                  {"i": since_id}).all()
            lags = [float(x) for x in conn.execute(text(
                "SELECT EXTRACT(EPOCH FROM sent_at - created_at) FROM outbox "
                "WHERE kind = 'reply' AND status = 'sent' AND sent_at IS NOT NULL AND id > :i"),
                {"i": since_id}).scalars()]
            errors = conn.execute(text(
                "SELECT id, kind, recipient, status, attempts, last_error FROM outbox "
                "WHERE kind = 'reply' AND status <> 'sent' AND id > :i ORDER BY id LIMIT 5"),
                {"i": since_id}).all()
    finally:
        engine.dispose()
    return {"counts": {f"{k}:{st}": n for k, st, n in counts},
            "reply_lag_s": {"p50": percentile(lags, 50), "p99": percentile(lags, 99),
                            "max": max(lags, default=None), "n": len(lags)},
            "reply_not_sent": [dict(r._mapping) for r in errors]}


def account(run: Run, versions: dict[tuple[str, str], int]) -> dict[str, Any]:
    by_user: dict[tuple[str, str], list[Msg]] = {}
    for m in run.msgs:
        by_user.setdefault((m.channel, m.user), []).append(m)
    lost = dup = unanswered = failed = 0
    examples: list[str] = []
    for key, msgs in by_user.items():
        msgs.sort(key=lambda m: m.sent_at)
        acked = sum(m.acked for m in msgs)
        maybe = sum(m.failed for m in msgs)
        failed += maybe
        turns = versions.get(key, 0)
        if turns < acked:
            lost += acked - turns
            examples.append(f"{key[0]} {key[1]}: {acked} acknowledged, {turns} turns stored")
        if turns > acked + maybe:
            dup += turns - acked - maybe
            examples.append(f"{key[0]} {key[1]}: {acked + maybe} sent, {turns} turns stored")
        for k, m in enumerate(msgs):
            end = msgs[k + 1].sent_at if k + 1 < len(msgs) else float("inf")
            if m.acked and m.first_reply_at is None and not run.replies.between(
                    m.user, m.sent_at, end):
                unanswered += 1
                if len(examples) < 20:
                    again = f", re-delivered {m.redelivered}" if m.redelivered else ""
                    examples.append(f"{m.channel} {m.user} {m.kind} {m.text[:20]!r} "
                                    f"id={m.mid}: no reply ({m.attempts} deliveries{again})")
    return {"lost": lost, "duplicated": dup, "unanswered": unanswered, "failed": failed,
            "answered_twice": sum(m.answered_twice for m in run.msgs),
            "redelivered": sum(bool(m.redelivered) for m in run.msgs),
            "examples": examples[:20]}


def log_tail(path: Path, chars: int = 4000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-chars:] if path.exists() else ""


def log_errors(path: Path, offset: int = 0) -> dict[str, Any]:
    """ERROR lines and tracebacks the processes logged during this configuration."""
    if not path.exists():
        return {"tracebacks": 0, "error_lines": 0, "first": []}
    with path.open("rb") as f:
        f.seek(offset)
        lines = f.read().decode("utf-8", errors="replace").splitlines()
    errors = [ln for ln in lines if " ERROR " in ln or ln.startswith("ERROR")]
    return {"tracebacks": sum(ln.startswith("Traceback") for ln in lines),
            "error_lines": len(errors), "first": errors[:5]}


# ---- one configuration --------------------------------------------------------------------------
def run_config(workers: int, users: int, args: argparse.Namespace, ctx: dict[str, Any],
               index: int) -> dict[str, Any]:
    tag = f"w{workers}u{users}"
    home = ctx["home"]  # one data home for every configuration, as in a deployment
    port = free_port()
    env = subprocess_env(home, ctx["db_url"], ctx["chroma_url"], ctx["namespace"],
                         ctx["wx_url"], ctx["tg_url"], port)
    replies: Replies = ctx["replies"]
    log = home / "logs" / "kejiyun.log"  # where the processes log (text, masked)
    offset = log.stat().st_size if log.exists() else 0
    load0 = os.getloadavg()[0]
    outbox_id = query(ctx["db_url"], "SELECT coalesce(max(id), 0) FROM outbox")[0][0]
    out = ctx["tmp"] / f"{tag}.out"  # stdout/stderr of the processes
    worker = start_process([str(EXE / "kejiyun"), "worker"], env, out, home)
    serve = None
    try:
        wait_worker(ctx["namespace"], worker)
        hooks = replies.set_webhook
        serve = start_process([str(EXE / "kejiyun"), "serve", "--port", str(port),
                               "--workers", str(workers)], env, out, home)
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, serve, timeout=180)
        deadline = time.monotonic() + 180
        while replies.set_webhook - hooks < workers:  # every web worker has started
            if time.monotonic() > deadline or serve.poll() is not None:
                raise RuntimeError(f"only {replies.set_webhook - hooks}/{workers} web workers "
                                   f"started (see {out})")
            time.sleep(0.2)
        run = Run(base, tag, users, args.duration, args.think_range, args.telegram_share,
                  args.redeliver, args.reply_wait, replies, ctx["ids"], ctx["questions"],
                  ctx["needs"])
        mem = MemorySampler(serve, worker, workers)
        tg_base = 7_000_000_000 + index * 100_000
        asyncio.run(drive(run, workers, tg_base, mem))
        drain(replies, ctx["db_url"], outbox_id, args.drain)
        versions = conversation_versions(ctx["db_url"])
        acct = account(run, versions)
        outbox = outbox_report(ctx["db_url"], outbox_id)
    finally:
        if serve is not None:
            stop_process(serve)
        stop_process(worker)
    elapsed = run.ended - run.started
    acked = sum(m.acked for m in run.msgs)
    wx = run.wechat_ack_ms
    result = {
        "workers": workers, "users": users, "duration_s": round(elapsed, 1),
        "telegram_users": round(users * args.telegram_share),
        "messages": len(run.msgs), "acknowledged": acked,
        "throughput_msg_s": acked / max(elapsed, 1e-9),
        "http_requests": run.requests, "errors": run.errors,
        "error_rate": run.errors / max(1, run.requests), "status": run.status,
        "wechat_ack_ms": {"p50": percentile(wx, 50), "p99": percentile(wx, 99), "n": len(wx)},
        "wechat_reply_ms": {"p50": percentile(run.wechat_reply_ms, 50),
                            "p99": percentile(run.wechat_reply_ms, 99),
                            "n": len(run.wechat_reply_ms)},
        "telegram_ms": {"p50": percentile(run.tg_ms, 50), "p99": percentile(run.tg_ms, 99),
                        "n": len(run.tg_ms)},
        "healthz_ms": {"p50": percentile(run.health_ms, 50),
                       "p99": percentile(run.health_ms, 99), "n": len(run.health_ms)},
        "healthz_idle_ms": {"p50": percentile(run.idle_ms, 50),
                            "p99": percentile(run.idle_ms, 99)},
        "rss_mb": {k: sorted(round(v) for v in d.values()) for k, d in mem.peak.items()},
        "load_avg_1m": {"before": load0, "max": max(mem.load, default=load0),
                        "mean": sum(mem.load) / max(1, len(mem.load))},
        "server_log": log_errors(log, offset),
        "outbox": outbox,
        **acct,
    }
    return result


def wait_worker(namespace: str, proc: subprocess.Popen[bytes], timeout: float = 180) -> None:
    """Until `kejiyun worker` has written its heartbeat to Redis (its app is up)."""
    import redis

    r = redis.Redis.from_url(REDIS_URL)
    key = f"{namespace}:worker:heartbeat"
    r.delete(key)
    deadline = time.monotonic() + timeout
    while not r.exists(key):
        if proc.poll() is not None:
            raise RuntimeError(f"kejiyun worker exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError("kejiyun worker wrote no heartbeat")
        time.sleep(0.3)


def drain(replies: Replies, db_url: str, since_id: int, most: float, quiet: float = 3.0
          ) -> None:
    """Late replies still in the outbox (the job worker delivers them): wait until none is
    pending and no push has come for `quiet` seconds, at most `most` seconds."""
    end = time.monotonic() + most
    while time.monotonic() < end:
        pending = query(db_url, "SELECT count(*) FROM outbox WHERE kind = 'reply' AND "
                        "status = 'pending' AND id > :i", i=since_id)[0][0]
        if not pending and time.monotonic() - replies.last_at >= quiet:
            return
        time.sleep(1.0)


# ---- output --------------------------------------------------------------------------------------
def _ms(d: dict[str, Any]) -> str:
    if d.get("p50") is None:
        return "–"
    return f"{d['p50']:.0f} / {d['p99']:.0f}"


def table(results: list[dict[str, Any]]) -> str:
    head = ["进程 (workers)", "用户 (users)", "消息 (msgs)", "吞吐 (msg/s)",
            "微信确认 p50/p99 ms (WeChat ack)", "微信首条回复 p50/p99 ms (WeChat reply)",
            "Telegram p50/p99 ms (webhook)", "/healthz 负载下 p50/p99 ms (baseline)",
            "/healthz 空载 p50/p99 ms (idle)", "确认p99 ÷ healthz p99 (ratio)",
            "错误率 (errors)", "丢失 (lost)", "重复 (dup)", "无回复 (unanswered)",
            "重投 (redelivered)", "RSS MB web / supervisor / worker", "负载 1m (load)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        ratio = ("–" if not r["healthz_ms"]["p99"] or r["wechat_ack_ms"]["p99"] is None else
                 f"{r['wechat_ack_ms']['p99'] / r['healthz_ms']['p99']:.1f}×")
        rss = r["rss_mb"]
        mem = " / ".join(", ".join(map(str, rss[k])) or "–"
                         for k in ("web", "supervisor", "worker"))
        lines.append("| " + " | ".join([
            str(r["workers"]), str(r["users"]), str(r["messages"]),
            f"{r['throughput_msg_s']:.2f}", _ms(r["wechat_ack_ms"]), _ms(r["wechat_reply_ms"]),
            _ms(r["telegram_ms"]), _ms(r["healthz_ms"]), _ms(r["healthz_idle_ms"]), ratio,
            f"{r['error_rate']:.2%} ({r['errors']}/{r['http_requests']})",
            str(r["lost"]), str(r["duplicated"] + r["answered_twice"]), str(r["unanswered"]),
            str(r["redelivered"]), mem,
            f"{r['load_avg_1m']['before']:.1f}→{r['load_avg_1m']['max']:.1f}",
        ]) + " |")
    return "\n".join(lines)


def verdicts(results: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in results:
        if r["users"] != 200:
            continue
        checks = {
            "0 丢失 (lost)": r["lost"] == 0 and r["unanswered"] == 0,
            "0 重复 (duplicated)": r["duplicated"] == 0 and r["answered_twice"] == 0,
            "错误率 < 0.1%": r["error_rate"] < 0.001,
            "微信确认 p99 < 1 s": (r["wechat_ack_ms"]["p99"] or 0) < 1000,
        }
        out.append(f"{r['workers']} 进程 × 200 用户：" + "；".join(
            f"{k} {'✔' if ok else '✘'}" for k, ok in checks.items()))
    return out


def parse_list(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", default="1,2,4", help="web worker counts, e.g. 1,2,4")
    ap.add_argument("--users", default="50,200,1000", help="simulated users, e.g. 50,200")
    ap.add_argument("--duration", type=float, default=45.0,
                    help="seconds of load per configuration")
    ap.add_argument("--think", default="5,15", help="think time range in seconds")
    ap.add_argument("--telegram-share", type=float, default=0.4,
                    help="share of Telegram users (the rest use WeChat)")
    ap.add_argument("--redeliver", type=float, default=0.05,
                    help="share of messages re-delivered on purpose")
    ap.add_argument("--reply-wait", type=float, default=60.0,
                    help="seconds a WeChat user waits for a pushed answer")
    ap.add_argument("--drain", type=float, default=90.0,
                    help="seconds to wait at most for late replies after the load")
    ap.add_argument("--quick", action="store_true",
                    help="1,2 workers × 50,200 users, 30 s each (a few minutes)")
    ap.add_argument("--json", type=Path, help="also write the results as JSON here")
    ap.add_argument("--admin-database-url", default=os.environ.get(
        "KEJIYUN_BENCH_DATABASE_URL", ADMIN_URL),
        help="PostgreSQL to create the bench database in")
    args = ap.parse_args()
    if args.quick:
        args.workers, args.users, args.duration = "1,2", "50,200", 30.0
    lo, hi = (float(x) for x in args.think.split(","))
    args.think_range = (lo, hi)
    configs = [(w, u) for w in parse_list(args.workers) for u in parse_list(args.users)]

    results: list[dict[str, Any]] = []
    db = Database(args.admin_database_url)
    namespace = f"kejiyun-load-{os.getpid()}-{secrets.token_hex(3)}"
    chroma = None
    with tempfile.TemporaryDirectory(prefix="kejiyun-load-") as tmp, \
            contextlib.ExitStack() as stack:
        tmpdir = Path(tmp)
        replies = Replies()
        wx_url, tg_url = start_fakes(replies, stack)
        db_url = db.create()
        try:
            chroma_port = free_port()
            chroma = start_process([str(EXE / "chroma"), "run", "--path", str(tmpdir / "chroma"),
                                    "--host", "127.0.0.1", "--port", str(chroma_port)],
                                   dict(os.environ), tmpdir / "chroma.log", tmpdir)
            wait_port(chroma_port, chroma)
            chroma_url = f"http://127.0.0.1:{chroma_port}"
            home = tmpdir / "home"
            # created here: only `serve` creates it, and a metric made at import time fails
            # in any other command when it is missing
            (home / "prometheus").mkdir(parents=True)
            env = subprocess_env(home, db_url, chroma_url, namespace, wx_url, tg_url, free_port())
            t = time.monotonic()
            init = subprocess.run([str(EXE / "kejiyun"), "init", "--demo"], env=env, cwd=home,
                                  capture_output=True, text=True)
            if init.returncode != 0:
                raise SystemExit(f"kejiyun init --demo failed ({init.returncode}):\n"
                                 f"{init.stdout[-2000:]}{init.stderr[-2000:]}"
                                 f"{log_tail(home / 'logs' / 'kejiyun.log')}")
            print(f"准备 (setup): PostgreSQL {db.kind} {db.name}, Chroma {chroma_url}, "
                  f"Redis namespace {namespace}; kejiyun init --demo {time.monotonic() - t:.0f} s",
                  flush=True)
            ctx = {"tmp": tmpdir, "home": home, "db_url": db_url, "chroma_url": chroma_url,
                   "namespace": namespace, "wx_url": wx_url, "tg_url": tg_url,
                   "replies": replies, "ids": itertools.count(int(time.time()) * 1000),
                   "questions": [q["text"] for q in load("questions_dev_agri.jsonl")
                                 + load("questions_dev_citizen.jsonl")],
                   "needs": [n["text"] for n in load("needs_dev.jsonl")]}
            for k, (w, u) in enumerate(configs):
                print(f"… {w} 进程 (workers) × {u} 用户 (users), {args.duration:g} s, "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
                try:
                    results.append(run_config(w, u, args, ctx, k))
                except RuntimeError as exc:
                    print(f"  失败 (failed): {exc}", flush=True)
                    continue
                r = results[-1]
                print(f"  {r['messages']} msgs, {r['throughput_msg_s']:.2f} msg/s, "
                      f"ack {_ms(r['wechat_ack_ms'])} ms, lost {r['lost']}, "
                      f"dup {r['duplicated']}, errors {r['errors']}", flush=True)
                for ex in r["examples"][:5]:
                    print(f"    {ex}")
                for line in r["server_log"]["first"][:3]:
                    print(f"    log: {line[:200]}")
                print(f"    outbox: {r['outbox']['counts']}, late replies queued→sent (s): "
                      f"{r['outbox']['reply_lag_s']}")
                for row in r["outbox"]["reply_not_sent"][:3]:
                    print(f"    outbox reply not sent: {row}")
        finally:
            if chroma is not None:
                stop_process(chroma)
            with contextlib.suppress(Exception):
                db.drop()
            with contextlib.suppress(Exception):
                import redis

                r = redis.Redis.from_url(REDIS_URL)
                for key in r.scan_iter(f"*{namespace}*"):
                    r.delete(key)
            if os.environ.get("KEJIYUN_BENCH_KEEP"):
                shutil.copytree(tmpdir, Path(os.environ["KEJIYUN_BENCH_KEEP"]),
                                dirs_exist_ok=True, ignore=shutil.ignore_patterns("chroma"))

    print(f"\n负载测试 (scale-out load): think {args.think} s, Telegram {args.telegram_share:.0%}, "
          f"re-delivered {args.redeliver:.0%}, {args.duration:g} s per configuration, "
          f"{os.cpu_count()} CPU\n")
    print(table(results))
    print()
    for line in verdicts(results):
        print(line)
    if args.json:
        args.json.write_text(json.dumps({"args": {k: v for k, v in vars(args).items()
                                                  if k != "json"}, "results": results},
                                        ensure_ascii=False, indent=2, default=str),
                             encoding="utf-8")


if __name__ == "__main__":
    main()
