"""`kejiyun report weekly`: HTML, PNG charts and CSV on disk; bad week or region → exit 2."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.settings import get_settings
from kejiyun.cli import app
from reports.charts import CHARTS
from reports.figures import FIGURES

from .conftest import Seeded

runner = CliRunner()


@pytest.fixture
def cli_env(db_url: str, seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    return seeded


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["report", "weekly", *args])


def test_writes_html_pngs_and_csv(cli_env: Seeded, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = run("--region", "宜宾市", "--week", "2026-W46", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == str(out / "report.html")
    for name in CHARTS:
        assert (out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "宜宾市 科技服务周报" in html and "2026-11-09 至 2026-11-15" in html
    assert all(f'<img src="{name}.png"' in html for name in CHARTS)
    assert "李子 · 流胶" in html and "李子树流胶病怎么治" in html
    assert "<svg" not in html  # the file report points at its PNGs

    rows = list(csv.reader(io.StringIO((out / "figures.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["key", "label", "this_week", "last_week", "change", "change_pct"]
    assert [r[0] for r in rows[1:]] == [f.key for f in FIGURES]
    by_key = {r[0]: r for r in rows[1:]}
    assert by_key["needs_posted"] == ["needs_posted", "发布需求数（条）", "5", "1", "4", "400.0"]
    assert by_key["match_rate"] == ["match_rate", "匹配率（%）", "40.0", "100.0", "-60.0", ""]
    assert by_key["median_hours_to_accept"][2:5] == ["7", "2", "5"]
    assert by_key["supply_rate"][2:4] == ["66.7", "50.0"]  # s1 s2 of s1 s2 s4; s2 of s1 s2
    assert by_key["enterprises_served"][2:] == ["1", "0", "1", ""]  # from zero: no %


def test_default_out_dir_json_and_region_code(cli_env: Seeded, kejiyun_home: Path) -> None:
    res = run("--region", "511502", "--week", "2026-W46", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    folder = kejiyun_home / "reports" / "511502" / "2026-W46"
    assert data["files"]["html"] == str(folder / "report.html")
    assert (folder / "figures.csv").is_file() and len(data["files"]["png"]) == len(CHARTS)
    assert data["region"] == "宜宾市翠屏区" and data["week"] == "2026-W46"
    posted = next(f for f in data["figures"] if f["key"] == "needs_posted")
    assert (posted["this_week"], posted["last_week"]) == (3, 1)
    assert data["topics"][0]["label"] == "李子 · 流胶"


@pytest.mark.parametrize(("args", "needle"), [
    (["--week", "2026-W60"], "2026 年没有第 60 周"),
    (["--week", "last"], "YYYY-Www"),
    (["--region", "火星市"], "找不到地区"),
])
def test_bad_week_or_region_exits_2(cli_env: Seeded, tmp_path: Path, args: list[str],
                                    needle: str) -> None:
    res = run(*args, "--out", str(tmp_path / "x"))
    assert res.exit_code == 2
    assert needle in res.stderr
    assert not (tmp_path / "x").exists()
