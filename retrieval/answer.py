"""`kejiyun ask`: short answers grounded in vetted 科普 articles, or an honest abstention.

Extractive by default: the sentences of the best vetted chunks that best match the question,
in the article's own order, at most 300 characters, each article cited as [n]. With an LLM
configured (retrieval/llm.py) the model rewrites from the same vetted text and must cite it;
anything else falls back to the extractive answer.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from knowledge import gazetteer
from retrieval.chunking import sentences
from retrieval.documents import Doc
from retrieval.index import SearchIndex
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

    def ask(self, question: str, region: str | None = None) -> Answer:
        """`region`: where the asker is (a code), when known from elsewhere; otherwise a place
        named in the question counts. Other regions' articles never answer them."""
        question = (question or "").strip()[:MAX_QUESTION_CHARS]
        verdict = assess(question)
        if verdict.kind == "harm":
            return Answer(verdict.message, abstained=True, safety="harm")
        q = self.searcher.prepare(question)
        if not q.tokens and not any(ch.isalnum() for ch in q.text):
            return Answer(EMPTY_TEXT, abstained=True, safety=verdict.kind)
        # The index holds vetted articles only, so nothing else can be cited.
        if region is None:
            place = gazetteer.find_region(question)
            region = place.code if place is not None else None
        hits, confidence, _ = self.searcher.search_with_confidence("articles", q, k=3,
                                                                   asker_region=region)
        confident = bool(hits) and confidence >= self.searcher.cal.abstain_below
        if not confident:
            if verdict.kind:
                return Answer(verdict.message, confidence=confidence, safety=verdict.kind)
            return Answer(ABSTAIN_TEXT, confidence=confidence, abstained=True)
        # A second article joins when it is nearly as relevant ("酸化板结" wants both).
        used = [h for h in hits if h.score >= hits[0].score * 0.7][:2]
        answer = self._extract(q, used)
        if self.llm is not None:
            answer = self.llm.rewrite(question, used, self.searcher.index, fallback=answer)
        prefix = verdict.message + "\n" if verdict.kind else ""
        answer.answer = prefix + answer.answer
        answer.confidence = confidence
        answer.safety = verdict.kind
        return answer

    def _extract(self, q: Query, hits: list[Hit]) -> Answer:
        """Best-matching sentences of each cited article, in the article's order, within a
        character budget shared 60/40 when two articles are cited."""
        index = self.searcher.index
        budget = MAX_ANSWER_CHARS - 4 * len(hits)
        shares = [1.0] if len(hits) == 1 else [0.6, 0.4]
        parts: list[str] = []
        citations: list[Citation] = []
        spare = 0
        for rank, hit in enumerate(hits):
            docs = _article_chunks(index, hit)
            sents = list(dict.fromkeys(s for d in docs for s in sentences(d.text)))
            if not sents:
                continue
            allowance = int(budget * shares[rank]) + spare
            chosen = self._pick(q, sents, allowance)
            text = "".join(sents[i] for i in chosen)
            spare = max(0, allowance - len(text))
            citations.append(Citation(hit.id, hit.title, _snippet(docs[0].text)))
            parts.append(f"{text}[{len(citations)}]")
        if not parts:
            return Answer(ABSTAIN_TEXT, abstained=True)
        return Answer("".join(parts)[:MAX_ANSWER_CHARS], citations)

    def _pick(self, q: Query, sents: list[str], allowance: int) -> list[int]:
        scores = self._sentence_scores(q, sents)
        chosen: list[int] = []
        used = 0
        for i in np.argsort(-scores):
            if used + len(sents[i]) > allowance:
                continue
            chosen.append(int(i))
            used += len(sents[i])
        if not chosen:  # even the best sentence is too long: cut it at the allowance
            i = int(np.argmax(scores))
            sents[i] = sents[i][: max(10, allowance - 1)] + "…"
            chosen = [i]
        return sorted(chosen)

    def _sentence_scores(self, q: Query, sents: list[str]) -> np.ndarray:
        tok = self.searcher.index.tokenizer
        qset = set(q.tokens)
        overlap = np.array([len(qset & set(tok.tokenize(s))) / max(1, len(qset))
                            for s in sents])
        vectors = self.searcher.index.encoder.encode(sents)
        cosine = vectors @ q.vector
        # "怎么办" questions want the advice, not the background: favour sentences that say
        # what to do or give amounts.
        how_to = bool(_HOW_TO.search(q.text))
        action = np.array([0.3 if how_to and _ACTION.search(s) else 0.0 for s in sents])
        return 0.5 * cosine + 0.5 * overlap + action


_HOW_TO = re.compile("怎么|怎样|咋|如何|办法|措施|注意|要不要|能不能|多少|几")
_ACTION = re.compile(r"\d|每亩|施用|撒施|喷|用量|及时|立即|可以|要先|第一|一是|二是|拨打|不要")


def _article_chunks(index: SearchIndex, hit: Hit) -> list[Doc]:
    """All chunks of the cited article, in order (articles are short; the advice may sit in a
    chunk that matched the question less well than the background did)."""
    docs: list[Doc] = []
    while (doc := index.doc("articles", f"{hit.id}#{len(docs)}")) is not None:
        docs.append(doc)
    return docs or [d for c in hit.chunks if (d := index.doc("articles", c))]


def _snippet(text: str, limit: int = 120) -> str:
    text = text.replace("\n", " ").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
