"""Logging (core/logs.py): text and JSON Lines, request/turn context, and the filter that
masks contact details and secrets — through our handlers, the CLI's `_setup_logging` and the
uvicorn configuration `kejiyun serve` passes to every worker (the last two in a fresh Python
process, as they configure the root logger)."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.logs import log_context, make_handler, mask

from .support import NEGATIVES, POSITIVES, flat, secret_of

PHONE, LANDLINE, EMAIL = "13812345678", "028-87654321", "zhang.san@example.com"
WECHAT_ID = "zhangsan_1988"
API_KEY = "kjy_0a1b2c3d_" + "S" * 32
TG_TOKEN = "123456789:AAH" + "x" * 32
SECRETS = (PHONE, LANDLINE, EMAIL, WECHAT_ID, API_KEY, TG_TOKEN, "AAH" + "x" * 32)


def _clear(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret} in {text!r}"


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, dict[str, io.StringIO]]]:
    """A logger with one text and one JSON handler writing to strings."""
    logger = logging.getLogger("bot.test_logs")
    streams = {kind: io.StringIO() for kind in ("text", "json")}
    handlers = [make_handler(kind, stream=s) for kind, s in streams.items()]
    for h in handlers:
        logger.addHandler(h)
    logger.setLevel(logging.INFO)
    yield logger, streams
    for h in handlers:
        logger.removeHandler(h)


def test_contact_details_and_secrets_are_masked_in_text_and_json(capture) -> None:  # type: ignore[no-untyped-def]
    logger, streams = capture
    logger.warning("用户留言：电话 %s，座机 %s，邮箱 %s，微信号：%s", PHONE, LANDLINE, EMAIL,
                   WECHAT_ID)
    logger.info("partner call with %s failed", API_KEY)
    logger.error("GET https://api.telegram.org/bot%s/getUpdates 409", TG_TOKEN)
    text, lines = streams["text"].getvalue(), streams["json"].getvalue().splitlines()
    _clear(text)
    _clear("\n".join(lines))
    assert "［联系方式已隐藏］" in text and "kjy_［密钥已隐藏］" in text
    assert "bot［令牌已隐藏］/getUpdates" in text
    assert " WARNING bot.test_logs 用户留言：电话 ［联系方式已隐藏］" in text
    records = [json.loads(line) for line in lines]
    assert len(records) == 3
    assert records[0]["level"] == "WARNING" and records[0]["logger"] == "bot.test_logs"
    assert records[0]["message"].startswith("用户留言：电话 ［联系方式已隐藏］")
    assert records[0]["ts"].endswith("+00:00")


def test_tracebacks_are_masked_too(capture) -> None:  # type: ignore[no-untyped-def]
    logger, streams = capture
    try:
        raise ValueError(f"bad contact {PHONE} / {EMAIL}")
    except ValueError:
        logger.exception("import failed")
    text, line = streams["text"].getvalue(), streams["json"].getvalue()
    _clear(text)
    _clear(line)
    assert "ValueError: bad contact ［联系方式已隐藏］" in text
    assert "ValueError" in json.loads(line)["exc"]


def test_json_lines_carry_the_request_and_turn_context(capture) -> None:  # type: ignore[no-untyped-def]
    logger, streams = capture
    with log_context(request_id="r1", path="/chat/api/message"), log_context(channel="web"):
        logger.info("turn done")
    logger.info("outside")
    first, second = (json.loads(x) for x in streams["json"].getvalue().splitlines())
    assert first["request_id"] == "r1" and first["channel"] == "web"
    assert first["path"] == "/chat/api/message"
    assert "request_id" not in second


def test_caplog_sees_the_masked_message_once_our_handler_ran(capture, caplog) -> None:  # type: ignore[no-untyped-def]
    logger, _ = capture
    with caplog.at_level(logging.INFO, logger="bot.test_logs"):
        logger.info("phone %s", PHONE)
    # Our handler (on the logger) runs before the root's capture handler and masks in place.
    assert PHONE not in caplog.text and "［联系方式已隐藏］" in caplog.text


def test_mask_leaves_ordinary_text_alone() -> None:
    plain = "need 42 offered to 3 scientists in 0.25 s; 李子园土壤酸化 pH 4.8"
    assert mask(plain) == plain


@pytest.mark.parametrize("typed,kind,value", POSITIVES)
def test_the_log_masker_hides_every_labelled_contact(capture, typed: str, kind: str,  # type: ignore[no-untyped-def]
                                                     value: str) -> None:
    """The same detector as need intake (tests/matching/test_contacts.py), through a handler."""
    logger, streams = capture
    logger.info("user %s wrote: %s", "u1", f"李子黄叶，{typed}，急")
    for written in (streams["text"].getvalue(), json.loads(streams["json"].getvalue())["message"]):
        assert secret_of(value) not in flat(written), (kind, written)
        assert "李子黄叶，" in written and "［联系方式已隐藏］" in written


@pytest.mark.parametrize("text", NEGATIVES)
def test_the_log_masker_leaves_numbers_that_are_not_contacts(text: str) -> None:
    assert mask(f"user u1 wrote: {text}") == f"user u1 wrote: {text}"


def _python(code: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "KEJIYUN_HOME": str(home), **env}
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True,
                          text=True, timeout=60, check=True)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_cli_logging_masks_in_the_log_file(kejiyun_home: Path, fmt: str) -> None:
    _python("import logging\n"
            "from kejiyun.cli import _setup_logging\n"
            "_setup_logging()\n"
            f"logging.getLogger('matching.offers').warning('contact %s %s', '{PHONE}', "
            f"'{EMAIL}')\n", kejiyun_home, LOG_FORMAT=fmt)
    written = (kejiyun_home / "logs" / "kejiyun.log").read_text(encoding="utf-8")
    _clear(written)
    assert "contact ［联系方式已隐藏］ ［联系方式已隐藏］" in written
    if fmt == "json":
        assert json.loads(written.splitlines()[-1])["logger"] == "matching.offers"


def test_serve_logging_config_masks_uvicorn_and_app_loggers(kejiyun_home: Path) -> None:
    """The dict `kejiyun serve` hands to uvicorn (which applies it in each worker)."""
    done = _python("import logging, logging.config\n"
                   "from core.logs import uvicorn_log_config, log_file\n"
                   "from core.settings import get_settings\n"
                   "s = get_settings()\n"
                   "logging.config.dictConfig(uvicorn_log_config(s.log_format, "
                   "log_file(s.kejiyun_home)))\n"
                   f"logging.getLogger('uvicorn.error').warning('peer sent {API_KEY}')\n"
                   f"logging.getLogger('bot.dialog').info('user wrote {PHONE}')\n",
                   kejiyun_home, LOG_FORMAT="json")
    uvicorn_line = json.loads(done.stderr.strip().splitlines()[-1])
    assert uvicorn_line["logger"] == "uvicorn.error"
    assert uvicorn_line["message"] == "peer sent kjy_［密钥已隐藏］"
    app_line = json.loads((kejiyun_home / "logs" / "kejiyun.log").read_text().splitlines()[-1])
    assert app_line["logger"] == "bot.dialog" and app_line["level"] == "INFO"
    _clear(done.stderr + json.dumps(app_line, ensure_ascii=False))
