"""What keeps LLM mode safe to leave switched on: a circuit breaker (shared by the workers
through Redis when configured) so a dead endpoint costs one timeout, not one per turn, and
the checks an LLM answer must pass before anyone reads it (grounded in the cited passages,
Chinese, every sentence cited).

Breaker states: closed (calls go through); after `failures` failures in a row, or one
timeout, open for `cooldown` seconds (no calls: the rule-based path answers at once); then
half-open: one caller probes, a success closes it, a failure opens it again.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import Counter, Histogram

log = logging.getLogger(__name__)

LLM_CALLS = Counter("kejiyun_llm_calls_total", "LLM calls by purpose and outcome.",
                    ["purpose", "outcome"])
LLM_LATENCY = Histogram("kejiyun_llm_call_seconds", "LLM call latency (successful or not).",
                        ["purpose"], buckets=(0.25, 0.5, 1, 2, 4, 8, 16, 32))


class Breaker:
    """A circuit breaker on the LLM endpoint. `store` (a Redis client) shares its state
    between processes; without one it lives in this process."""

    def __init__(self, failures: int = 3, cooldown: float = 60.0,
                 clock: Callable[[], float] = time.time, store: Any = None,
                 key: str = "kejiyun:llm:breaker") -> None:
        self.failures = max(1, failures)
        self.cooldown = cooldown
        self.clock = clock
        self.store = store
        self.key = key
        self._lock = threading.Lock()
        self._count = 0
        self._open_until = 0.0
        self._probing = False

    # ---- shared state (Redis) or local -------------------------------------------------------
    def _get(self) -> tuple[int, float]:
        if self.store is None:
            return self._count, self._open_until
        try:
            raw = self.store.hmget(self.key, "count", "open_until")
            return int(raw[0] or 0), float(raw[1] or 0.0)
        except Exception:  # noqa: BLE001 - Redis down: this process decides alone
            return self._count, self._open_until

    def _set(self, count: int, open_until: float) -> None:
        self._count, self._open_until = count, open_until
        if self.store is not None:
            try:
                self.store.hset(self.key, mapping={"count": count, "open_until": open_until})
                self.store.expire(self.key, int(self.cooldown * 10) + 60)
            except Exception:  # noqa: BLE001
                log.debug("LLM breaker state not shared", exc_info=True)

    @property
    def state(self) -> str:
        count, open_until = self._get()
        if count < self.failures:
            return "closed"
        return "open" if self.clock() < open_until else "half_open"

    def allow(self) -> bool:
        """Whether to call the endpoint now (in half-open state: one probe at a time)."""
        with self._lock:
            state = self.state
            if state == "closed":
                return True
            if state == "open" or self._probing:
                return False
            self._probing = True
            return True

    def success(self) -> None:
        with self._lock:
            self._probing = False
            self._set(0, 0.0)

    def failure(self, timeout: bool = False) -> None:
        """A failed call. A timeout opens the breaker at once: a hung endpoint would cost
        every waiting turn the whole budget (a batch would take one timeout per question)."""
        with self._lock:
            self._probing = False
            count, _ = self._get()
            count = max(count + 1, self.failures if timeout else 0)
            self._set(count, self.clock() + self.cooldown if count >= self.failures else 0.0)


_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "kejiyun_llm_deadline", default=None)


@contextmanager
def turn_budget(seconds: float) -> Iterator[None]:
    """All LLM calls inside share `seconds` (one chat turn)."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def budget_left() -> float | None:
    """Seconds left of the current turn's LLM budget (None: no turn budget applies)."""
    deadline = _DEADLINE.get()
    return None if deadline is None else deadline - time.monotonic()


_BREAKERS: dict[str, Breaker] = {}
_BREAKERS_LOCK = threading.Lock()


def breaker_for(settings: Any) -> Breaker:
    """One breaker per endpoint and process (shared across processes through Redis)."""
    key = f"{settings.llm_base_url}|{settings.llm_model}"
    with _BREAKERS_LOCK:
        breaker = _BREAKERS.get(key)
        if breaker is None:
            store = None
            if settings.redis_url:
                from store.redis import client

                store = client(settings.redis_url)
            # a digest, not hash(): str hashes differ between processes, and the key is
            # what the workers share
            digest = hashlib.sha1(key.encode()).hexdigest()[:16]
            breaker = Breaker(settings.llm_breaker_failures, settings.llm_breaker_cooldown,
                              store=store, key=f"{settings.redis_namespace}:llm:breaker:{digest}")
            _BREAKERS[key] = breaker
        return breaker


# ---- grounded answers ------------------------------------------------------------------------
_FULL_WIDTH_MARK = re.compile(r"[［【\[]\s*(\d{1,2})\s*[］】\]]")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CN_AMOUNT = re.compile(r"[一二两三四五六七八九十百千万半]+"
                        r"(?:公斤|千克|斤|克|毫升|升|亩|倍|次|天|小时|分钟)")
# names of pesticides, drugs and chemicals: the ones an answer may never invent
_CHEMICAL = re.compile(r"[\u4e00-\u9fff]{1,6}(?:磷|威|菊酯|霉素|唑|灵|畏|枯|膦|胺|酮|嗪|铜|锌|"
                       r"硫磺|石灰|合剂|乳油|可湿性粉剂|悬浮剂|片|胶囊|注射液)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


# share of a sentence's character pairs that its cited passages contain: a faithful
# paraphrase of vetted text keeps most of its words, an invented sentence few of them
MIN_SUPPORT = 0.35


def _support(sentence: str, source: str) -> float:
    chars = "".join(_CJK.findall(sentence))
    pairs = {chars[i:i + 2] for i in range(len(chars) - 1)}
    if not pairs:
        return 1.0
    return sum(p in source for p in pairs) / len(pairs)


def normalise_marks(text: str) -> str:
    """［1］, 【1】 and [ 1 ] are all the citation mark [1]."""
    return _FULL_WIDTH_MARK.sub(lambda m: f"[{m.group(1)}]", text)


def ungrounded(text: str, passages: list[str]) -> str:
    """Why an LLM answer may not be shown ("" = it may): not Chinese, a sentence citing
    nothing, or a number, amount or chemical that the cited passages do not contain."""
    cjk, latin = len(_CJK.findall(text)), len(_LATIN.findall(text))
    if cjk == 0 or latin > cjk:
        return "not_chinese"
    marks = re.compile(r"\[(\d{1,2})\]")
    for sentence in _SENTENCE.findall(text):
        body = marks.sub("", sentence).strip(" ，,。；;")
        if len(body) < 4:
            continue
        cited = [int(n) for n in marks.findall(sentence)]
        if not cited:
            return "uncited_sentence"
        source = "".join(passages[n - 1] for n in cited if 1 <= n <= len(passages))
        if not source:
            return "bad_citation"
        plain = source.replace(" ", "")
        if _support(body, plain) < MIN_SUPPORT:
            return "not_in_source"  # "让孩子多喝水，观察一下就好[1]" for a poisoning
        for number in _NUMBER.findall(body):
            if number not in plain:
                return "number_not_in_source"
        for amount in _CN_AMOUNT.findall(body):
            if amount not in plain:
                return "number_not_in_source"
        for name in _CHEMICAL.findall(body):
            if not any(name[i:] in plain for i in range(len(name) - 1)):
                return "chemical_not_in_source"
    return ""
