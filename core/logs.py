"""Logging for every process: text or JSON Lines (`LOG_FORMAT`), request/turn context, and a
filter on every handler that masks contact details and secrets before anything is written.

Contact details are found by the same detector that keeps them out of need descriptions
(`core.contacts`: phone numbers via libphonenumber, e-mail, WeChat ids, QQ numbers), so a
log line never shows more than a scientist would see. API keys (`kjy_…`) and Telegram bot
tokens (also inside Bot API URLs that HTTP clients log) are masked as well.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Our own packages log at INFO; libraries at WARNING.
APP_LOGGERS = ("kejiyun", "knowledge", "retrieval", "matching", "store", "bot", "web", "reports")

_API_KEY = re.compile(r"kjy_[0-9A-Za-z]{4,16}_[A-Za-z0-9_-]{8,}")
_TELEGRAM_TOKEN = re.compile(r"(?<!\d)\d{5,12}:[A-Za-z0-9_-]{30,}")
_HIDDEN_KEY = "kjy_［密钥已隐藏］"
_HIDDEN_TOKEN = "［令牌已隐藏］"

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "kejiyun_log_context", default=None)
_mask_contacts: list[Callable[[str], str]] = []


def mask(text: str) -> str:
    """The text with secrets and contact details replaced by placeholders."""
    if not _mask_contacts:  # imported on first use: phonenumbers costs ~30 ms at start-up
        from core.contacts import mask_contacts

        _mask_contacts.append(mask_contacts)
    # Secrets first: a token's digits could otherwise look like a phone number.
    text = _API_KEY.sub(_HIDDEN_KEY, text)
    text = _TELEGRAM_TOKEN.sub(_HIDDEN_TOKEN, text)
    return _mask_contacts[0](text)


class MaskingFilter(logging.Filter):
    """Renders the message with its args, masks it, and masks the traceback text, so neither
    formatters nor later handlers see the clear values. Attach to handlers, not loggers:
    a logger's filters do not run for records propagated from its children."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_kejiyun_masked", False):
            return True  # the same record reaches several handlers
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not hide the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = mask(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        record._kejiyun_masked = True
        return True


@contextlib.contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Fields added to every JSON log line written inside the block (and in threads started
    with a copy of the context, such as `asyncio.to_thread`)."""
    current = _context.get() or {}
    token = _context.set({**current, **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> dict[str, Any]:
    return dict(_context.get() or {})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC, ISO 8601), level, logger, message, the request/turn
    context, and the traceback as `exc` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update(current_context())
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = record.stack_info
        return json.dumps(out, ensure_ascii=False, default=str)


def make_formatter(kind: str = "text") -> logging.Formatter:
    return JsonFormatter() if kind == "json" else logging.Formatter(TEXT_FORMAT)


def make_handler(kind: str = "text", *, path: Path | None = None,
                 stream: Any = None) -> logging.Handler:
    """A file handler (or a stream handler, stderr by default) with our format and mask."""
    handler: logging.Handler
    if path is not None:
        handler = logging.FileHandler(path, encoding="utf-8")
    else:
        handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(make_formatter(kind))
    handler.addFilter(MaskingFilter())
    return handler


def log_file(home: Path) -> Path | None:
    """KEJIYUN_HOME/logs/kejiyun.log, or None when the directory cannot be created."""
    logs = home / "logs"
    try:
        logs.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return logs / "kejiyun.log"


def uvicorn_log_config(kind: str, path: Path | None) -> dict[str, Any]:
    """`log_config` for uvicorn: applied by uvicorn in every worker process (which do not
    inherit the parent's handlers), so the web app's own loggers and uvicorn's go through
    the same format and mask. App logs go to the log file, uvicorn's to stderr, as before."""
    app_handler: dict[str, Any] = (
        {"class": "logging.FileHandler", "filename": str(path), "encoding": "utf-8"}
        if path is not None else {"class": "logging.StreamHandler",
                                  "stream": "ext://sys.stderr"})
    common = {"formatter": "main", "filters": ["mask"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"mask": {"()": MaskingFilter}},
        "formatters": {"main": {"()": make_formatter, "kind": kind}},
        "handlers": {
            "app": {**app_handler, **common},
            "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                       **common},
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            **{name: {"level": "INFO"} for name in APP_LOGGERS},
        },
        "root": {"handlers": ["app"], "level": "WARNING"},
    }
