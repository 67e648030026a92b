"""Telegram journeys through python-telegram-bot itself, polling a loopback Bot API server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from bot.handlers.telegram import TelegramChannel, split_text
from core.settings import Settings
from delivery.dedup import Dedup
from delivery.outbox import OutboxWorker
from delivery.router import ChannelRouter

from ..fake_telegram import FakeBotAPI, running
from ..support import Harness, wait_until

NEED = ("宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导改良，很急，预算五千，"
        "同意，电话13800001111")
FARMER, BOSS, SCI_A, SCI_B, SCI_C = 1001, 1002, 2001, 2002, 2003


class Running:
    def __init__(self, channel: TelegramChannel, fake: FakeBotAPI, worker: OutboxWorker) -> None:
        self.channel, self.fake, self.worker = channel, fake, worker

    def texts(self, chat: int) -> list[str]:
        return [m["text"] for m in self.fake.sent(chat)]

    def wait_text(self, chat: int, needle: str) -> str:
        wait_until(lambda: any(needle in t for t in self.texts(chat)), interval=0.05,
                   message=lambda: f"no message with {needle!r} to {chat}: {self.texts(chat)}")
        return next(t for t in reversed(self.texts(chat)) if needle in t)

    def buttons(self, chat: int) -> list[str]:
        for msg in reversed(self.fake.sent(chat)):
            markup = msg.get("reply_markup")
            if markup:
                return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
        return []

    def deliver(self) -> None:
        self.worker.run_once()


@pytest.fixture
def tg(bot: Harness) -> Iterator[Running]:
    with running() as fake:
        settings = Settings(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.url)
        channel = TelegramChannel(bot.dialog, settings, Dedup(bot.engine, bot.clock),
                                  bot.engine, bot.clock)
        worker = OutboxWorker(bot.engine, ChannelRouter(bot.engine, {"telegram":
                                                                     channel.sender()}),
                              settings, bot.clock)
        stop = threading.Event()
        started = threading.Event()

        async def main() -> None:
            async with channel.app:
                await channel.app.start()
                await channel.app.updater.start_polling(poll_interval=0.0, timeout=1)
                channel.loop = asyncio.get_running_loop()
                started.set()
                while not stop.is_set():
                    await asyncio.sleep(0.05)
                await channel.app.updater.stop()
                await channel.app.stop()

        thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
        thread.start()
        assert started.wait(30), "the bot did not start"
        yield Running(channel, fake, worker)
        stop.set()
        thread.join(timeout=30)


def test_farmer_question_gets_a_cited_answer(tg: Running) -> None:
    tg.fake.text(FARMER, "/start")
    tg.wait_text(FARMER, "科技云助手")
    assert tg.buttons(FARMER) == ["menu:ask", "menu:need", "menu:scientist"]
    tg.fake.text(FARMER, "李子园土壤酸化了怎么改良")
    answer = tg.wait_text(FARMER, "出处：")
    assert "石灰" in answer and "李子园土壤酸化的改良办法" in answer


def test_need_to_offers_to_one_accept(tg: Running, bot: Harness) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from store.accounts import new_code
    from store.models import Scientist

    for uid, ext in ((SCI_A, "s-soil-cp"), (SCI_B, "s-soil-xz"), (SCI_C, "s-soil-coop")):
        with Session(bot.engine) as s:
            sid = s.execute(select(Scientist.id).where(Scientist.external_id == ext)
                            ).scalar_one()
        code = new_code(bot.engine, "bind", bot.clock.now(), scientist_id=sid)
        tg.fake.text(uid, f"绑定 {code}")
        tg.wait_text(uid, "绑定成功")
    bot.reachable()  # the other scientists have chat accounts elsewhere: all three are pushed
    tg.fake.text(BOSS, NEED)
    tg.wait_text(BOSS, "请确认")
    assert tg.buttons(BOSS) == ["need:confirm", "need:edit", "need:cancel"]
    tg.fake.press(BOSS, "need:confirm")
    tg.wait_text(BOSS, "已推送给 3 位专家")
    answered = [p for m, p in tg.fake.calls if m == "answerCallbackQuery"]
    assert answered  # the button was answered
    tg.deliver()
    offers = {}
    for uid in (SCI_A, SCI_B, SCI_C):
        tg.wait_text(uid, "新的需求邀请")
        assert "13800001111" not in tg.texts(uid)[-1]
        offers[uid] = next(b for b in tg.buttons(uid) if b.startswith("accept:"))
    # a scientist pressing another's button: refused, nothing changes
    tg.fake.press(SCI_B, offers[SCI_A])
    tg.wait_text(SCI_B, "不是发给您的")
    # two scientists press 接单 in the same batch of updates
    tg.fake.press(SCI_A, offers[SCI_A])
    tg.fake.press(SCI_B, offers[SCI_B])
    wait_until(lambda: any("接单成功" in t for u in (SCI_A, SCI_B) for t in tg.texts(u))
               and any("已被接单" in t for u in (SCI_A, SCI_B) for t in tg.texts(u)),
               interval=0.05, message="one scientist was not told 接单成功 and the other 已被接单")
    winners = [u for u in (SCI_A, SCI_B) if any("接单成功" in t for t in tg.texts(u))]
    assert len(winners) == 1
    tg.deliver()
    intro = tg.wait_text(BOSS, "已由")
    assert "1990000000" in intro  # the winner's contact, shared now
    # the requester consented; the expert is not verified, so they are asked once more
    share = [b for b in tg.buttons(BOSS) if b.startswith("share:")]
    assert share and "13800001111" not in " ".join(tg.texts(winners[0]))
    tg.fake.press(BOSS, share[0])
    tg.wait_text(BOSS, "发给专家")
    tg.deliver()
    tg.wait_text(winners[0], "13800001111")
    tg.wait_text(SCI_C, "已被其他专家接单")


def test_redelivered_update_is_processed_once(tg: Running) -> None:
    uid = tg.fake.text(FARMER, "李子园土壤酸化了怎么改良")
    tg.fake.text(FARMER, "李子园土壤酸化了怎么改良", update_id=uid)  # the same update again
    tg.wait_text(FARMER, "出处：")
    tg.fake.text(FARMER, "/help")
    tg.wait_text(FARMER, "使用说明")
    assert sum("出处：" in t for t in tg.texts(FARMER)) == 1


def test_media_and_unknown_buttons_get_a_clear_answer(tg: Running) -> None:
    tg.fake.media(FARMER, "sticker", {"file_id": "s1", "file_unique_id": "u1", "type": "regular",
                                      "width": 512, "height": 512, "is_animated": False,
                                      "is_video": False})
    tg.wait_text(FARMER, "只能看懂文字")
    tg.fake.media(FARMER, "location", {"latitude": 28.77, "longitude": 104.63})
    wait_until(lambda: sum("只能看懂文字" in t for t in tg.texts(FARMER)) == 2, interval=0.05,
               message=lambda: f"not two 只能看懂文字 answers: {tg.texts(FARMER)}")
    tg.fake.press(FARMER, "accept:forged-token")
    tg.wait_text(FARMER, "绑定")  # not a scientist: told how to become one; nothing changed


def test_429_is_waited_out(tg: Running) -> None:
    tg.fake.too_many = 1
    tg.fake.text(FARMER, "/start")
    tg.wait_text(FARMER, "科技云助手")


def test_long_replies_are_split() -> None:
    parts = split_text("甲" * 5000 + "\n" + "乙" * 5000)
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)
    assert "".join(parts).replace("\n", "") == "甲" * 5000 + "乙" * 5000
