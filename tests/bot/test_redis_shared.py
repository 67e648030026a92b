"""With REDIS_URL set, delivery claims and the WeChat access token live in Redis (the real
server on 127.0.0.1:6379, each test in a namespace of its own), shared by every worker."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.settings import Settings
from delivery.dedup import RedisDedup, make_dedup
from store.models import DedupKey, SharedValue
from store.redis import client
from web.app import create_app

from ..fake_wechat import running
from ..support import Harness
from .test_wechat import APP_ID, TOKEN, WX, eight_workers_send_at_once


def test_claims_are_shared_and_expire(redis_url: str, bot: Harness) -> None:
    settings = Settings()
    a, b = make_dedup(bot.engine, settings), make_dedup(bot.engine, settings)
    assert isinstance(a, RedisDedup)
    assert a.claim("tg:1") and not b.claim("tg:1") and not a.claim("tg:1")
    assert b.claim("tg:2", timedelta(milliseconds=150))
    time.sleep(0.3)
    assert a.claim("tg:2")  # the old claim expired
    a.release("tg:1")
    assert b.claim("tg:1")
    assert client(redis_url).exists(f"{settings.redis_namespace}:dedup:tg:1")
    with Session(bot.engine) as s:  # nothing went to the store's table
        assert s.execute(select(func.count()).select_from(DedupKey)).scalar_one() == 0


def test_eight_workers_share_one_token_refresh_through_redis(redis_url: str,
                                                             bot: Harness) -> None:
    with running() as api:
        eight_workers_send_at_once(api, bot)
        settings = Settings()
        keys = list(client(redis_url).scan_iter(f"{settings.redis_namespace}:shared:*"))
        assert keys and client(redis_url).ttl(keys[0]) > 0  # the token expires in Redis
    with Session(bot.engine) as s:
        assert s.execute(select(func.count()).select_from(SharedValue)).scalar_one() == 0


def test_webhook_duplicates_are_dropped_through_redis(redis_url: str, bot: Harness) -> None:
    with running() as api:
        # a slow first turn (index warm-up on a loaded machine) must still answer passively
        settings = Settings(WECHAT_TOKEN=TOKEN, WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET="s",
                            WECHAT_API_BASE_URL=api.url, WECHAT_REPLY_TIMEOUT="4.5")
        # two web workers: two apps over the same store and the same Redis
        apps = [create_app(settings, engine=bot.engine, dialog=bot.dialog, clock=bot.clock,
                           background=False) for _ in range(2)]
        with TestClient(apps[0]) as one, TestClient(apps[1]) as two:
            first, second = WX(one, api, bot, apps[0]), WX(two, api, bot, apps[1])
            body = first.xml("openid-r", "李子园土壤酸化了怎么改良", msg_id=77)
            assert "石灰" in first.reply_text(first.post(body))
            assert second.post(body).text == "success"  # the other worker sees the claim
    with Session(bot.engine) as s:
        assert s.execute(select(func.count()).select_from(DedupKey)).scalar_one() == 0


@pytest.mark.parametrize("backend", ["store", "redis"])
def test_processing_leases(backend: str, bot: Harness, request: pytest.FixtureRequest) -> None:
    """begin → busy for everyone else while the lease lasts → done after finish; a lease
    nobody finished (its worker died) runs out and the key can be begun again."""
    if backend == "redis":
        request.getfixturevalue("redis_url")
    dedup = make_dedup(bot.engine, Settings(), bot.clock)
    lease = timedelta(milliseconds=300)
    assert dedup.begin("tg:7", lease) == "new"
    assert dedup.begin("tg:7", lease) == "busy"
    dedup.finish("tg:7")
    assert dedup.begin("tg:7", lease) == "done"
    assert dedup.begin("tg:8", lease) == "new"
    if backend == "store":
        bot.clock.advance(timedelta(seconds=1))  # the store's expiry follows the clock
    else:
        time.sleep(0.5)
    assert dedup.begin("tg:8", lease) == "new"  # the dead worker's lease ran out
