"""`kejiyun ask`: short answers grounded in vetted 科普 articles, or an honest abstention.

Extractive by default: the sentences of the best vetted chunks that best match the question,
in the article's own order, at most 300 characters, each article cited as [n]. With an LLM
configured (retrieval/llm.py) the model rewrites from the same vetted text and must cite it;
anything else falls back to the extractive answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from retrieval.chunking import sentences
from retrieval.safety import assess
from retrieval.search import Hit, Query, Searcher

log = logging.getLogger(__name__)

MAX_ANSWER_CHARS = 300
MAX_QUESTION_CHARS = 2000
ABSTAIN_TEXT = ("抱歉，目前还没有经过专家审核的科普内容能回答这个问题。"
                "需要的话，我可以把您的问题转给当地专家，请他们来解答。")
EMPTY_TEXT = "请用文字描述您的问题，例如：“李子园土壤酸化板结怎么办？”"


@dataclass
class Citation:
    article_id: str
    title: str
    snippet: str

    def to_json(self) -> dict[str, str]:
        return {"article_id": self.article_id, "title": self.title, "snippet": self.snippet}


@dataclass
class Answer:
    answer: str
    citations: list[Citation] = field(default_factory=list)
    confidence: float = 0.0
    abstained: bool = False
    safety: str = ""
    mode: str = "extractive"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "answer": self.answer, "citations": [c.to_json() for c in self.citations],
            "confidence": round(self.confidence, 4), "abstained": self.abstained,
        }
        if self.safety:
            out["safety"] = self.safety
        return out


class Answerer:
    def __init__(self, searcher: Searcher, llm: Any = None) -> None:
        self.searcher = searcher
        self.llm = llm

    def ask(self, question: str) -> Answer:
        question = (question or "").strip()[:MAX_QUESTION_CHARS]
        verdict = assess(question)
        if verdict.kind == "harm":
            return Answer(verdict.message, abstained=True, safety="harm")
        q = self.searcher.prepare(question)
        if not q.tokens and not any(ch.isalnum() for ch in q.text):
            return Answer(EMPTY_TEXT, abstained=True, safety=verdict.kind)
        # The index holds vetted articles only, so nothing else can be cited.
        hits, confidence, _ = self.searcher.search_with_confidence("articles", q, k=3)
        confident = bool(hits) and confidence >= self.searcher.cal.abstain_below
        if not confident:
            if verdict.kind:
                return Answer(verdict.message, confidence=confidence, safety=verdict.kind)
            return Answer(ABSTAIN_TEXT, confidence=confidence, abstained=True)
        used = [h for h in hits if h.score >= hits[0].score * 0.8][:2]
        answer = self._extract(q, used)
        if self.llm is not None:
            answer = self.llm.rewrite(question, used, self.searcher.index, fallback=answer)
        prefix = verdict.message + "\n" if verdict.kind else ""
        answer.answer = prefix + answer.answer
        answer.confidence = confidence
        answer.safety = verdict.kind
        return answer

    def _extract(self, q: Query, hits: list[Hit]) -> Answer:
        index = self.searcher.index
        candidates: list[tuple[int, int, str]] = []  # (hit rank, order in article, sentence)
        citations: list[Citation] = []
        for rank, hit in enumerate(hits):
            chunk_ids = sorted(hit.chunks[:2], key=lambda c: int(c.rsplit("#", 1)[1]))
            texts = [index.doc("articles", c).text for c in chunk_ids if index.doc("articles", c)]
            for order, sent in enumerate(s for t in texts for s in sentences(t)):
                candidates.append((rank, order, sent))
            best = index.doc("articles", hit.chunks[0])
            citations.append(Citation(hit.id, hit.title, _snippet(best.text if best else "")))
        if not candidates:
            return Answer(ABSTAIN_TEXT, abstained=True)
        scores = self._sentence_scores(q, [c[2] for c in candidates])
        budget = MAX_ANSWER_CHARS - 8 * len(hits)
        chosen: list[int] = []
        used = 0
        for i in np.argsort(-scores):
            sent = candidates[i][2]
            if used + len(sent) > budget:
                continue
            chosen.append(int(i))
            used += len(sent)
            if used > budget * 0.7:
                break
        if not chosen:  # even the best sentence is too long: cut it
            i = int(np.argmax(scores))
            candidates[i] = (*candidates[i][:2], candidates[i][2][: budget - 1] + "…")
            chosen = [i]
        chosen.sort(key=lambda i: (candidates[i][0], candidates[i][1]))
        parts: list[str] = []
        for rank in sorted({candidates[i][0] for i in chosen}):
            text = "".join(candidates[i][2] for i in chosen if candidates[i][0] == rank)
            parts.append(f"{text}[{rank + 1}]")
        cited = sorted({candidates[i][0] for i in chosen})
        return Answer("".join(parts)[:MAX_ANSWER_CHARS], [citations[r] for r in cited])

    def _sentence_scores(self, q: Query, sents: list[str]) -> np.ndarray:
        tok = self.searcher.index.tokenizer
        qset = set(q.tokens)
        overlap = np.array([len(qset & set(tok.tokenize(s))) / max(1, len(qset))
                            for s in sents])
        vectors = self.searcher.index.encoder.encode(sents)
        cosine = vectors @ q.vector
        position = np.array([0.05 if i == 0 else 0.0 for i in range(len(sents))])
        return 0.5 * cosine + 0.5 * overlap + position


def _snippet(text: str, limit: int = 120) -> str:
    text = text.replace("\n", " ").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
