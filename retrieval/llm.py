"""Optional LLM answer writing (LangChain + an OpenAI-compatible endpoint).

The model sees only the retrieved vetted passages (and the question with contact details
masked) and must cite them as [n]. A timeout, an error, an open circuit breaker, an answer
citing nothing (or a passage it was not given), "资料不足", a sentence without a citation, a
number, dose or chemical not in the cited passages, or an answer not in Chinese all fall back
to the extractive answer, so enabling an LLM can never make answers less grounded.
"""

from __future__ import annotations

import logging
import re
import time
from importlib import resources
from typing import TYPE_CHECKING, Any

from core.settings import Settings
from retrieval.llm_guard import (
    LLM_CALLS,
    LLM_LATENCY,
    Breaker,
    breaker_for,
    budget_left,
    normalise_marks,
    ungrounded,
)

if TYPE_CHECKING:
    from retrieval.answer import Answer
    from retrieval.index import SearchIndex
    from retrieval.search import Hit

log = logging.getLogger(__name__)
_MARK = re.compile(r"\[(\d{1,2})\]")
MAX_CHARS = 300


def load_prompt(name: str) -> str:
    return (resources.files("prompts") / name).read_text(encoding="utf-8")


def chat_model(settings: Settings, timeout: float | None, temperature: float,
               max_tokens: int | None = None):  # type: ignore[no-untyped-def]
    """LangChain's ChatOpenAI on the configured OpenAI-compatible endpoint: no retries (the
    callers fall back to their rule-based path instead of waiting), the time budget of
    LLM_TIMEOUT / LLM_CONNECT_TIMEOUT and at most LLM_MAX_TOKENS written."""
    # (the OpenAI client's own Timeout: the client moved from httpx to httpx2 in openai
    # 3.63, and a Timeout of the other library is refused)
    try:
        from langchain_openai import ChatOpenAI
        from openai import Timeout
    except ImportError as exc:  # pragma: no cover - depends on the `llm` extra
        raise RuntimeError("LLM_BASE_URL is set but the `llm` extra is not installed: "
                           "pip install 'kejiyun[llm]'") from exc
    total = timeout if timeout is not None else settings.llm_timeout
    budget = Timeout(total, connect=min(total, settings.llm_connect_timeout))
    limit = max_tokens or settings.llm_max_tokens
    # langchain sends OpenAI's newer "max_completion_tokens"; llama.cpp, Ollama and many
    # compatible servers read only "max_tokens": both are sent
    return ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model,
                      api_key=settings.llm_api_key or "not-needed", timeout=budget,
                      max_retries=0, temperature=temperature, max_tokens=limit,
                      extra_body={"max_tokens": limit})


def call(chat: Any, messages: list[tuple[str, str]], breaker: Breaker, purpose: str,
         endpoint: str, timeout: float = 0.0) -> Any:
    """One guarded call: skipped while the breaker is open or when less than half of its
    `timeout` is left of the turn's budget; failures and timeouts counted. Raises `Skipped`
    or the model's error; the log names endpoint, reason and time only."""
    left = budget_left()
    if left is not None and left < timeout / 2:
        LLM_CALLS.labels(purpose, "turn_budget").inc()
        raise Skipped("turn_budget")
    if not breaker.allow():
        LLM_CALLS.labels(purpose, "breaker_open").inc()
        raise Skipped("breaker_open")
    start = time.monotonic()
    try:
        reply = chat.invoke(messages)
    except Exception as exc:
        elapsed = time.monotonic() - start
        reason = "timeout" if "timeout" in type(exc).__name__.lower() else "error"
        breaker.failure(timeout=reason == "timeout")
        status = getattr(getattr(exc, "response", None), "status_code", None) or \
            getattr(exc, "status_code", None)
        LLM_CALLS.labels(purpose, reason).inc()
        LLM_LATENCY.labels(purpose).observe(elapsed)
        log.warning("LLM %s failed (%s %s, status %s, %.1f s): using the rules", purpose,
                    endpoint, reason, status, elapsed)
        raise
    breaker.success()
    LLM_LATENCY.labels(purpose).observe(time.monotonic() - start)
    return reply


class Skipped(Exception):
    """The LLM was not called (the breaker is open)."""


class LLMWriter:
    def __init__(self, settings: Settings, timeout: float | None = None,
                 breaker: Breaker | None = None) -> None:
        self._chat = chat_model(settings, timeout, temperature=0.2)
        self._timeout = timeout if timeout is not None else settings.llm_timeout
        self._system = load_prompt("answer_system.txt")
        self._user = load_prompt("answer_user.txt")
        self.breaker = breaker or breaker_for(settings)
        self._endpoint = settings.llm_base_url or ""

    def rewrite(self, question: str, hits: list[Hit], index: SearchIndex,
                fallback: Answer) -> Answer:
        from core.contacts import mask_contacts
        from retrieval.answer import Answer, Citation, _snippet

        passages: list[tuple[Hit, str]] = []
        for hit in hits:
            texts = [d.text for c in hit.chunks[:2] if (d := index.doc("articles", c))]
            passages.append((hit, "".join(texts)))
        context = "\n".join(f"[{i}] 《{h.title}》{text}"
                            for i, (h, text) in enumerate(passages, start=1))
        # the same detector as the logs and need records: no phone or WeChat id leaves
        asked = mask_contacts(question)
        try:
            reply = call(self._chat, [("system", self._system),
                                      ("human", self._user.format(context=context,
                                                                  question=asked))],
                         self.breaker, "answer", self._endpoint, self._timeout)
            text = normalise_marks(str(reply.content).strip())
        except Exception:  # noqa: BLE001 - any model failure (or a skip) means: fall back
            return fallback
        cited = sorted({int(n) for n in _MARK.findall(text)})
        if (not text or "资料不足" in text or not cited
                or any(n < 1 or n > len(passages) for n in cited)):
            LLM_CALLS.labels("answer", "uncited").inc()
            log.info("LLM answer cited nothing usable; using the extractive answer")
            return fallback
        if len(text) > MAX_CHARS:  # cut at a sentence end; citations follow what is kept
            cut = max(text.rfind(p, 0, MAX_CHARS) for p in "。！？")
            text = text[: cut + 1] if cut > 0 else ""
        why = ungrounded(text, [p for _, p in passages]) if text else "too_long"
        if why:
            LLM_CALLS.labels("answer", why).inc()
            log.info("LLM answer not grounded (%s); using the extractive answer", why)
            return fallback
        LLM_CALLS.labels("answer", "used").inc()
        cited = sorted({int(n) for n in _MARK.findall(text)})
        citations = [Citation(passages[n - 1][0].id, passages[n - 1][0].title,
                              _snippet(passages[n - 1][1])) for n in cited]
        # Renumber so [1] is the first citation listed.
        mapping = {n: i for i, n in enumerate(cited, start=1)}
        text = _MARK.sub(lambda m: f"[{mapping.get(int(m.group(1)), m.group(1))}]", text)
        return Answer(text, citations, mode="llm")
