"""Wiring: everything one process needs, built once from the settings.

`build(settings)` is used by `kejiyun serve` (the web app), `kejiyun worker`, the CLI's chat,
the demo player and the tests. It opens the store and the search index, builds the answerer,
the matcher, the offer service and the dialog core from them, the channels the settings
configure (web chat always; Telegram and WeChat when their tokens are set) and the outbox
worker that delivers through those channels. `Services.tick` is the one job runner: the
embedded default's in-process loop and `kejiyun worker` both call it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from bot.dialog import Dialog
from bot.handlers.base import Channel, Sender
from core.clock import Clock, system_clock
from core.settings import Settings, get_settings
from delivery.dedup import Claims, make_dedup
from delivery.outbox import OutboxWorker
from delivery.router import ChannelRouter
from matching.offers import OfferService
from matching.service import Matcher, make_matcher
from retrieval.answer import Answerer
from retrieval.index import SearchIndex
from retrieval.service import make_answerer, open_index

log = logging.getLogger(__name__)
CHANNELS = ("web", "telegram", "wechat")  # those `build` makes by default (when configured)


@dataclass
class Services:
    settings: Settings
    clock: Clock
    engine: Engine
    index: SearchIndex
    answerer: Answerer
    matcher: Matcher
    offers: OfferService
    dialog: Dialog
    dedup: Claims
    outbox: OutboxWorker
    channels: dict[str, Channel] = field(default_factory=dict)
    senders: dict[str, Sender] = field(default_factory=dict)  # the outbox router's, by channel

    def add(self, channel: Channel) -> Channel:
        """A channel this process receives on and the outbox delivers through."""
        self.channels[channel.name] = channel
        self.senders[channel.name] = channel.sender()
        return channel

    def tick(self, jobs: bool = True) -> None:
        """One pass of what runs every few seconds. `jobs=False` (a web worker beside a
        `kejiyun worker` on Redis) only keeps this process's search index in step with the
        store, so an article vetted or a profile imported elsewhere takes effect here too."""
        if jobs:
            self.offers.expire_due()  # offers past their deadline; needs stranded `open`
            self.outbox.run_once()
            for channel in self.channels.values():  # turns a crashed worker left unfinished
                channel.recover()
        self.index.sync_all()

    async def start(self, background: bool) -> None:
        for channel in self.channels.values():
            await channel.start(background)

    async def stop(self) -> None:
        for channel in self.channels.values():
            with contextlib.suppress(Exception):
                await channel.stop()


def make_dialog(engine: Engine, settings: Settings, clock: Clock = system_clock) -> Dialog:
    """The dialog core alone (benches, the demo player): `build` without channels."""
    return build(settings, engine=engine, clock=clock, channels=()).dialog


def build(settings: Settings | None = None, *, engine: Engine | None = None,
          dialog: Dialog | None = None, clock: Clock = system_clock,
          channels: Iterable[str] = CHANNELS, gate: object | None = None) -> Services:
    """`engine`/`dialog`: ones already made (tests); `gate`: the web app's rate limits and
    busy gate for the web chat (`web.limits.ChatGate`)."""
    settings = settings or get_settings()
    if engine is None:
        from store.db import ensure_schema, make_engine

        engine = make_engine(settings=settings)
        ensure_schema(engine)
    if dialog is None:
        index = open_index(engine, settings)
        matcher = make_matcher(index, engine, settings, clock)
        offers = OfferService(engine, matcher.ranker, settings, clock)
        dialog = Dialog(engine, answerer=make_answerer(index, settings), matcher=matcher,
                        offers=offers, clock=clock)
    senders: dict[str, Sender] = {}
    services = Services(settings, clock, engine, dialog.matcher.index, dialog.answerer,
                        dialog.matcher, dialog.offers, dialog, make_dedup(engine, settings, clock),
                        OutboxWorker(engine, ChannelRouter(engine, senders), settings, clock),
                        senders=senders)
    wanted = set(channels)
    if "web" in wanted:
        from bot.handlers.web import WebChannel

        services.add(WebChannel(dialog, engine, clock, gate))  # type: ignore[arg-type]
    if "telegram" in wanted and settings.telegram_bot_token:
        from bot.handlers.telegram import TelegramChannel

        services.add(TelegramChannel(dialog, settings, services.dedup, engine, clock))
    if "wechat" in wanted and settings.wechat_token:
        from bot.handlers.wechat import WeChatChannel

        services.add(WeChatChannel(dialog, settings, services.dedup, engine, clock))
    return services
