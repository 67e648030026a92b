"""The dialog core over a real store (SQLite and PostgreSQL), real index and real matching,
driven in one line per turn: `bot.chat("farmer-1", "李子园土壤酸化怎么办")`."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.accounts import new_code
from bot.dialog import Dialog
from core.clock import ManualClock
from core.settings import Settings, get_settings
from delivery.messages import Inbound, Outbound
from delivery.outbox import OutboxWorker
from delivery.router import ChannelRouter
from knowledge.importers import import_file
from matching.offers import OfferService
from matching.service import Matcher
from retrieval.answer import Answerer
from retrieval.index import SearchIndex
from retrieval.search import Searcher

from ..matching.conftest import SCIENTISTS, give_chat_accounts, write_jsonl
from ..retrieval.conftest import ARTICLES


class Harness:
    def __init__(self, dialog: Dialog, engine: Engine, settings: Settings,
                 clock: ManualClock) -> None:
        self.dialog, self.engine, self.clock = dialog, engine, clock
        self.inbox: dict[tuple[str, str], list[Outbound]] = defaultdict(list)
        senders = {ch: self._sender(ch) for ch in ("telegram", "wechat", "web", "cli")}
        self.worker = OutboxWorker(engine, ChannelRouter(engine, senders), settings, clock)

    def _sender(self, channel: str):  # type: ignore[no-untyped-def]
        def send(user: str, out: Outbound) -> None:
            self.inbox[(channel, user)].append(out)
        return send

    def chat(self, user: str, text: str, channel: str = "telegram",
             kind: str = "text") -> list[Outbound]:
        return self.dialog.handle(Inbound(channel, user, text=text, kind=kind))

    def press(self, user: str, action: str, channel: str = "telegram") -> list[Outbound]:
        return self.dialog.handle(Inbound(channel, user, action=action, kind="button"))

    def deliver(self) -> None:
        self.worker.run_once()

    def notes(self, user: str, channel: str = "telegram") -> list[Outbound]:
        self.deliver()
        return self.inbox[(channel, user)]

    def bind(self, user: str, scientist_external_id: str, channel: str = "telegram") -> None:
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from store.models import Scientist

        with Session(self.engine) as s:
            sid = s.execute(select(Scientist.id).where(
                Scientist.external_id == scientist_external_id)).scalar_one()
        code = new_code(self.engine, "bind", self.clock.now(), scientist_id=sid)
        reply = self.chat(user, f"绑定 {code}", channel)
        assert "绑定成功" in reply[0].text, reply


    def reachable(self) -> None:
        """Every scientist not bound by the test gets a chat account: offers are pushed to
        all of them (by default imported scientists have none, and staff phone them)."""
        give_chat_accounts(self.engine)


def text(replies: list[Outbound]) -> str:
    return "\n".join(r.text for r in replies)


def actions(replies: list[Outbound]) -> list[str]:
    return [b.action for r in replies for b in r.buttons]


@pytest.fixture
def bot(store: Engine, tmp_path: Path) -> Harness:
    import_file(store, "articles", write_jsonl(tmp_path / "a.jsonl", ARTICLES))
    import_file(store, "scientists", write_jsonl(tmp_path / "s.jsonl", SCIENTISTS))
    settings = get_settings()
    clock = ManualClock()
    index = SearchIndex(store, settings)
    index.sync_all()
    matcher = Matcher(index, store, settings, clock)
    dialog = Dialog(store, answerer=Answerer(Searcher(index)), matcher=matcher,
                    offers=OfferService(store, matcher.ranker, settings, clock), clock=clock)
    return Harness(dialog, store, settings, clock)
