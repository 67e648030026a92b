"""Optional LLM answer writing (LangChain + an OpenAI-compatible endpoint).

The model sees only the retrieved vetted passages and must cite them as [n]. A timeout, an
error, an answer citing nothing (or citing a passage it was not given) or "资料不足" all fall
back to the extractive answer, so enabling an LLM can never make answers less grounded.
"""

from __future__ import annotations

import logging
import re
from importlib import resources
from typing import TYPE_CHECKING

from kejiyun.settings import Settings

if TYPE_CHECKING:
    from retrieval.answer import Answer
    from retrieval.index import SearchIndex
    from retrieval.search import Hit

log = logging.getLogger(__name__)
_MARK = re.compile(r"\[(\d{1,2})\]")
MAX_CHARS = 300


def load_prompt(name: str) -> str:
    return (resources.files("prompts") / name).read_text(encoding="utf-8")


def chat_model(settings: Settings, timeout: float, temperature: float):  # type: ignore[no-untyped-def]
    """LangChain's ChatOpenAI on the configured OpenAI-compatible endpoint; no retries (the
    callers fall back to their rule-based path instead of waiting)."""
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:  # pragma: no cover - depends on the `llm` extra
        raise RuntimeError("LLM_BASE_URL is set but the `llm` extra is not installed: "
                           "pip install 'kejiyun[llm]'") from exc
    return ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model,
                      api_key=settings.llm_api_key or "not-needed", timeout=timeout,
                      max_retries=0, temperature=temperature)


class LLMWriter:
    def __init__(self, settings: Settings, timeout: float = 20.0) -> None:
        self._chat = chat_model(settings, timeout, temperature=0.2)
        self._system = load_prompt("answer_system.txt")
        self._user = load_prompt("answer_user.txt")

    def rewrite(self, question: str, hits: list[Hit], index: SearchIndex,
                fallback: Answer) -> Answer:
        from retrieval.answer import Answer, Citation, _snippet

        passages: list[tuple[Hit, str]] = []
        for hit in hits:
            texts = [d.text for c in hit.chunks[:2] if (d := index.doc("articles", c))]
            passages.append((hit, "".join(texts)))
        context = "\n".join(f"[{i}] 《{h.title}》{text}"
                            for i, (h, text) in enumerate(passages, start=1))
        try:
            reply = self._chat.invoke([
                ("system", self._system),
                ("human", self._user.format(context=context, question=question)),
            ])
            text = str(reply.content).strip()
        except Exception as exc:  # noqa: BLE001 - any model failure means: fall back
            log.warning("LLM answer failed, using the extractive answer: %s",
                        type(exc).__name__)
            return fallback
        cited = sorted({int(n) for n in _MARK.findall(text)})
        if (not text or "资料不足" in text or not cited
                or any(n < 1 or n > len(passages) for n in cited)):
            log.info("LLM answer cited nothing usable; using the extractive answer")
            return fallback
        if len(text) > MAX_CHARS:
            cut = max(text.rfind(p, 0, MAX_CHARS) for p in "。！？]")
            text = text[: cut + 1] if cut > 0 else text[: MAX_CHARS - 1] + "…"
        citations = [Citation(passages[n - 1][0].id, passages[n - 1][0].title,
                              _snippet(passages[n - 1][1])) for n in cited]
        # Renumber so [1] is the first citation listed.
        mapping = {n: i for i, n in enumerate(cited, start=1)}
        text = _MARK.sub(lambda m: f"[{mapping.get(int(m.group(1)), m.group(1))}]", text)
        return Answer(text, citations, mode="llm")
