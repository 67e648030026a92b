"""The `kejiyun` CLI contract: init (with the demo corpus), import, stats, exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.settings import get_settings
from kejiyun.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    return db_url


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def test_init_demo_then_stats_json(cli_env: str) -> None:
    res = run("init", "--demo")
    assert res.exit_code == 0, res.output
    assert "拒绝 0" in res.output
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["scientists"] >= 300
    assert stats["articles"]["vetted"] >= 120 and stats["articles"]["draft"] >= 3
    assert stats["articles"]["retired"] == 0
    assert set(stats["needs"]) >= {"draft", "open", "matched", "unmatched", "closed"}
    assert set(stats["offers"]) == {"pending", "accepted", "declined", "expired", "withdrawn"}
    # init again is an upgrade, not a second copy of the corpus
    res = run("init", "--demo")
    assert res.exit_code == 0 and "新增 0" in res.output
    assert json.loads(run("stats", "--json").stdout) == stats


def test_import_json_report_and_exit_status(cli_env: str, tmp_path: Path) -> None:
    assert run("init").exit_code == 0
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps({"id": "a", "name": "甲", "discipline": "植保"}, ensure_ascii=False) + "\n"
        + '{"id": "b"}\n', encoding="utf-8")
    res = run("import", "scientists", str(path), "--json")
    assert res.exit_code == 2
    out = json.loads(res.stdout)
    assert (out["imported"], out["updated"]) == (1, 0)
    assert out["rejected"][0]["line"] == 2 and out["rejected"][0]["id"] == "b"
    assert out["warnings"] == []
    assert f"{path}:2" in res.stderr
    res = run("import", "scientists", str(path), "--json", "--strict")
    assert res.exit_code == 2 and json.loads(res.stdout)["updated"] == 0
    good = tmp_path / "good.jsonl"
    good.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    res = run("import", "scientists", str(good), "--json", "--strict")
    assert res.exit_code == 0 and json.loads(res.stdout)["updated"] == 1


def test_bad_invocations_exit_2_with_a_message(cli_env: str, tmp_path: Path) -> None:
    res = run("stats")
    assert res.exit_code == 2 and "kejiyun init" in res.stderr
    assert run("init").exit_code == 0
    res = run("import", "articles", str(tmp_path / "missing.jsonl"))
    assert res.exit_code == 2 and "找不到文件" in res.stderr
    res = run("import", "teachers", str(tmp_path / "x.jsonl"))
    assert res.exit_code == 2
