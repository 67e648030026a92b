"""`kejiyun search`, `ask` and `reindex` through the CLI, including --batch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.settings import get_settings
from kejiyun.cli import app

from ..support import ARTICLES, CORPUS_SCIENTISTS, write_jsonl

runner = CliRunner()


@pytest.fixture
def loaded(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    assert runner.invoke(app, ["init"]).exit_code == 0
    for kind, rows in (("articles", ARTICLES), ("scientists", CORPUS_SCIENTISTS)):
        res = runner.invoke(app, ["import", kind, str(write_jsonl(tmp_path / f"{kind}.jsonl",
                                                                  rows))])
        assert res.exit_code == 0, res.output
    return tmp_path


def test_ask_json_contract(loaded: Path) -> None:
    res = runner.invoke(app, ["ask", "李子园土壤酸化怎么办", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) >= {"answer", "citations", "confidence", "abstained"}
    assert out["abstained"] is False and out["citations"][0]["article_id"] == "a-acid"
    assert set(out["citations"][0]) == {"article_id", "title", "snippet"}


def test_search_json_contract_for_both_kinds(loaded: Path) -> None:
    arts = json.loads(runner.invoke(app, ["search", "articles", "土壤板结", "--json"]).stdout)
    assert arts["results"][0]["id"] == "a-hard" and "title" in arts["results"][0]
    assert all(r["id"] != "a-draft" for r in arts["results"])
    sci = json.loads(runner.invoke(app, ["search", "scientists", "酸性土壤改良", "--region",
                                         "511502", "--top", "5", "--json"]).stdout)
    assert [r["id"] for r in sci["results"]] == ["s-soil"] and sci["results"][0]["name"] == "王建华"


def test_batch_keeps_order_and_ids_and_flags_bad_lines(loaded: Path) -> None:
    batch = loaded / "q.jsonl"
    batch.write_text(
        json.dumps({"id": 7, "text": "果园土壤板结怎么办"}, ensure_ascii=False) + "\n"
        + "not json\n"
        + json.dumps({"id": "x", "text": "高铁票怎么买"}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "y"}) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["ask", "--batch", str(batch)])
    assert res.exit_code == 2
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert [line["id"] for line in lines] == [7, None, "x", "y"]
    assert lines[0]["citations"][0]["article_id"] == "a-hard"
    assert "error" in lines[1] and "JSON" in lines[1]["error"]
    assert lines[2]["abstained"] is True
    assert "text" in lines[3]["error"]
    ok = loaded / "ok.jsonl"
    ok.write_text(json.dumps({"id": 1, "text": "土壤酸化"}, ensure_ascii=False) + "\n",
                  encoding="utf-8")
    res = runner.invoke(app, ["search", "articles", "--batch", str(ok), "--top", "1"])
    assert res.exit_code == 0
    assert json.loads(res.stdout) == {"id": 1, "results": [
        {"id": "a-acid", "title": ARTICLES[0]["title"],
         "score": json.loads(res.stdout)["results"][0]["score"]}]}


def test_text_and_batch_are_exclusive_and_reindex_rebuilds(loaded: Path) -> None:
    res = runner.invoke(app, ["ask"])
    assert res.exit_code == 2 and "--batch" in res.stderr
    res = runner.invoke(app, ["search", "scientists", "土壤", "--region", "火星"])
    assert res.exit_code == 2 and "地区" in res.stderr
    res = runner.invoke(app, ["reindex"])
    assert res.exit_code == 0 and "科技工作者：已索引 3 条" in res.stdout
