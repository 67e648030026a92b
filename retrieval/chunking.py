"""Cut article bodies into retrieval chunks on Chinese sentence boundaries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

# Paragraphs first, then sentence ends (kept with their sentence), then clause marks.
_SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "……", "，", " ", ""]
CHUNK_CHARS = 220
_SENTENCE_END = re.compile(r"(?<=[。！？；!?])|\n+")


@dataclass(frozen=True, slots=True)
class Chunk:
    article_id: str
    index: int
    text: str

    @property
    def chunk_id(self) -> str:
        return f"{self.article_id}#{self.index}"


@cache
def _splitter() -> Any:
    # imported when articles are cut (import, reindex), not by every command that reads
    # sentences: langchain costs a tenth of a second at start-up
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_CHARS, chunk_overlap=30, separators=_SEPARATORS,
        keep_separator="end", strip_whitespace=True,
    )


def chunk_article(article_id: str, body: str) -> list[Chunk]:
    pieces = [p for p in _splitter().split_text(body) if p.strip()]
    return [Chunk(article_id, i, p) for i, p in enumerate(pieces)]


def sentences(text: str) -> list[str]:
    """Split into sentences, each keeping its closing punctuation."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
