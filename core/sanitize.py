"""Text that crosses a trust boundary (chat messages, imported rows) is cleaned the same way:
invisible formatting characters are dropped and unencodable ones replaced.

- Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) can make a stored title
  display reversed or hide part of it from staff; zero-width characters (U+200B–U+200F,
  U+2060–U+2064, U+FEFF) let "联系方式" checks and duplicate detection be dodged. Neither is
  ever needed in Chinese text.
- A lone surrogate ("\\ud800" in JSON) cannot be encoded as UTF-8: PostgreSQL refuses it and
  any later write or log line would fail, so it becomes U+FFFD.
"""

from __future__ import annotations

import re

_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    if not value:
        return value
    value = _INVISIBLE.sub("", value)
    return _SURROGATE.sub("\ufffd", value)


def has_surrogate(value: str) -> bool:
    return bool(_SURROGATE.search(value))
