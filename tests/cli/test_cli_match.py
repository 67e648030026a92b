"""`kejiyun match` through the CLI: the JSON contract, --batch, --region, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.settings import get_settings
from kejiyun.cli import app

from ..support import POOL_SCIENTISTS, SOIL_NEED, write_jsonl

runner = CliRunner()


@pytest.fixture
def loaded(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    assert runner.invoke(app, ["init"]).exit_code == 0
    res = runner.invoke(app, ["import", "scientists",
                              str(write_jsonl(tmp_path / "s.jsonl", POOL_SCIENTISTS))])
    assert res.exit_code == 0, res.output
    return tmp_path


def test_match_json_contract(loaded: Path) -> None:
    res = runner.invoke(app, ["match", SOIL_NEED, "--top", "3", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    need = out["need"]
    for key in ("kind", "title", "description", "discipline", "keywords", "products", "region",
                "urgency", "budget", "confidentiality", "requester_role", "contact_consent",
                "status", "missing"):
        assert key in need, key
    assert need["region"] == "宜宾市翠屏区" and need["budget"] == 5000
    assert need["urgency"] == "urgent" and need["status"] == "draft"
    cands = out["candidates"]
    assert len(cands) == 3 and cands[0]["scientist_id"] == "s-soil-cp"
    assert set(cands[0]) == {"scientist_id", "name", "discipline", "region", "score", "reasons",
                             "discipline_code", "discipline_name"}
    assert cands[0]["discipline_code"] == "0903" and cands[0]["discipline_name"] == "农业资源与环境"
    assert cands[0]["reasons"] and all(isinstance(r, str) for r in cands[0]["reasons"])
    assert cands[0]["score"] >= cands[1]["score"] >= cands[2]["score"]
    assert "19900000001" not in res.stdout  # contact details stay private


def test_match_text_output_is_chinese(loaded: Path) -> None:
    res = runner.invoke(app, ["match", "李子园土壤酸化板结怎么办"])
    assert res.exit_code == 0, res.output
    assert "推荐专家" in res.stdout and "王建华" in res.stdout
    assert "还需补充" in res.stdout and "哪个市、县" in res.stdout


def test_region_option_sets_where_the_need_is(loaded: Path) -> None:
    out = json.loads(runner.invoke(app, ["match", "果园土壤酸化改良", "--region", "凉山州西昌市",
                                         "--json"]).stdout)
    assert out["need"]["region"].endswith("西昌市")
    assert out["candidates"][0]["scientist_id"] == "s-soil-ls"
    res = runner.invoke(app, ["match", "果园土壤酸化改良", "--region", "火星"])
    assert res.exit_code == 2 and "无法识别地区" in res.output


def test_bad_needs_give_clear_results(loaded: Path) -> None:
    for text in ("", "asdf", "？？？"):
        res = runner.invoke(app, ["match", text, "--json"])
        assert res.exit_code == 0, res.output
        out = json.loads(res.stdout)
        assert out["candidates"] == [] and "description" in out["need"]["missing"]
    out = json.loads(runner.invoke(app, ["match", "火星市的李子树土壤酸化，费用面议",
                                         "--json"]).stdout)
    assert "region" in out["need"]["missing"] and out["need"]["budget"] is None
    assert out["need"]["budget_text"] == "面议" and "budget" not in out["need"]["missing"]
    assert out["candidates"]  # unknown place: still matched, the region is asked for


def test_batch_keeps_order_and_ids(loaded: Path) -> None:
    batch = loaded / "needs.jsonl"
    batch.write_text(
        json.dumps({"id": "n1", "text": SOIL_NEED}, ensure_ascii=False) + "\n"
        + "{broken\n"
        + json.dumps({"id": 3, "text": "磷酸铁锂压实密度偏低，寻求联合攻关"}, ensure_ascii=False)
        + "\n" + json.dumps({"id": "n4", "text": ""}) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["match", "--batch", str(batch), "--top", "2"])
    assert res.exit_code == 2  # one bad line
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["n1", None, 3, "n4"]
    assert lines[0]["candidates"][0]["scientist_id"] == "s-soil-cp"
    assert "error" in lines[1]
    assert lines[2]["candidates"][0]["scientist_id"] == "s-li"
    assert lines[3]["candidates"] == []
    assert all(len(line.get("candidates", [])) <= 2 for line in lines)


def test_text_and_batch_are_exclusive(loaded: Path) -> None:
    res = runner.invoke(app, ["match"])
    assert res.exit_code == 2
