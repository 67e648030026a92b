"""Transactional outbox: written with the state change or not at all; delivered later with
retries and back-off; claimed by one worker at a time; nothing lost when a channel is down."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.clock import ManualClock
from core.settings import Settings
from delivery.outbox import DeliveryError, OutboxWorker, RecordingSink, enqueue
from store.models import Need, Outbox


def add(engine: Engine, clock: ManualClock, n: int = 1, fail: bool = False) -> None:
    with Session(engine) as s, s.begin():
        need = Need(title="测试需求", status="open")
        s.add(need)
        s.flush()
        for i in range(n):
            enqueue(s, "offer", f"scientist:s{i}", {"text": f"消息{i}", "buttons": []},
                    now=clock.now(), need_id=need.id)
        if fail:
            raise RuntimeError("the state change failed")


def count(engine: Engine, status: str | None = None) -> int:
    stmt = select(func.count()).select_from(Outbox)
    if status:
        stmt = stmt.where(Outbox.status == status)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def test_rolled_back_change_leaves_no_message(pool: Engine, clock: ManualClock) -> None:
    with pytest.raises(RuntimeError):
        add(pool, clock, 3, fail=True)
    assert count(pool) == 0
    add(pool, clock, 3)
    assert count(pool, "pending") == 3


def test_outage_delays_but_loses_nothing(pool: Engine, clock: ManualClock,
                                         worker: OutboxWorker, sink: RecordingSink,
                                         settings: Settings) -> None:
    add(pool, clock, 2)
    sink.fail_next = 10**6  # the channel is down
    stats = worker.run_once()
    assert stats.retried == 2 and stats.sent == 0
    assert worker.run_once().attempted == 0  # not due again yet: back-off
    clock.advance(seconds=settings.outbox_backoff_seconds)
    assert worker.run_once().retried == 2  # second attempt, now waiting twice as long
    clock.advance(seconds=settings.outbox_backoff_seconds)
    assert worker.run_once().attempted == 0
    clock.advance(seconds=settings.outbox_backoff_seconds)
    sink.fail_next = 0  # the channel is back
    assert worker.run_once().sent == 2
    assert [m.payload["text"] for m in sink.delivered] == ["消息0", "消息1"]
    assert all(m.attempt == 3 for m in sink.delivered)
    assert count(pool, "sent") == 2


def test_gives_up_after_the_last_attempt(pool: Engine, clock: ManualClock,
                                         sink: RecordingSink, settings: Settings) -> None:
    settings.outbox_max_attempts = 3
    worker = OutboxWorker(pool, sink, settings, clock)
    add(pool, clock)
    sink.fail_next = 10**6
    for _ in range(5):
        worker.run_once()
        clock.advance(hours=2)
    assert count(pool, "dead") == 1
    with Session(pool) as s:
        row = s.execute(select(Outbox)).scalar_one()
        assert row.attempts == 3 and "通道暂时不可用" in row.last_error


def test_permanent_errors_and_retry_after(pool: Engine, clock: ManualClock,
                                          worker: OutboxWorker, sink: RecordingSink) -> None:
    add(pool, clock)
    sink.fail_next = 1
    sink.error = DeliveryError("user blocked the bot", permanent=True)
    assert worker.run_once().dead == 1
    add(pool, clock)
    sink.fail_next = 1
    sink.error = DeliveryError("429 Too Many Requests", retry_after=7)
    assert worker.run_once().retried == 1
    clock.advance(seconds=6)
    assert worker.run_once().attempted == 0
    clock.advance(seconds=1)
    assert worker.run_once().sent == 1


def test_a_crashed_delivery_is_retried_after_its_lease(pool: Engine, clock: ManualClock,
                                                       worker: OutboxWorker,
                                                       sink: RecordingSink) -> None:
    add(pool, clock)
    message = worker._claim(1, clock.now())  # a worker claimed it, then died
    assert message is not None
    assert worker.run_once().attempted == 0  # leased to the dead worker
    clock.advance(minutes=3)
    assert worker.run_once().sent == 1


def test_concurrent_workers_deliver_each_message_once(pool: Engine, clock: ManualClock,
                                                      settings: Settings) -> None:
    add(pool, clock, 40)
    sink = RecordingSink()
    lock = threading.Lock()

    def deliver(message) -> None:  # type: ignore[no-untyped-def]
        with lock:
            sink(message)

    workers = [OutboxWorker(pool, deliver, settings, clock) for _ in range(4)]
    barrier = threading.Barrier(4)

    def run(w: OutboxWorker) -> None:
        barrier.wait()
        w.run_once()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    ids = [m.id for m in sink.delivered]
    assert len(ids) == 40 and len(set(ids)) == 40
    assert count(pool, "sent") == 40


def test_backoff_doubles_up_to_an_hour(pool: Engine, worker: OutboxWorker,
                                       settings: Settings) -> None:
    base = settings.outbox_backoff_seconds
    assert worker.backoff(1) == timedelta(seconds=base)
    assert worker.backoff(3) == timedelta(seconds=base * 4)
    assert worker.backoff(30) == timedelta(hours=1)
