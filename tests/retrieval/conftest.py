"""A small corpus in a real store, indexed with the real encoder, Chroma and BM25."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.settings import Settings, get_settings
from knowledge.bootstrap import init_store
from knowledge.importers import import_file
from retrieval.index import SearchIndex
from retrieval.search import Searcher

ARTICLES = [
    {"id": "a-acid", "title": "李子园土壤酸化的改良办法",
     "body": "李子园多年大量施用化肥，特别是氮肥，土壤pH会逐年下降，出现酸化。"
             "酸化的园子根系发黑、叶片发黄，果子小。\n改良要先测土壤pH。pH在5.0到5.5之间，"
             "每亩撒施生石灰50到75公斤；pH低于5.0，每亩100到150公斤，分两年施用。"
             "石灰不要和化肥同时施，间隔半个月以上。\n同时增施腐熟农家肥或商品有机肥，"
             "减少氮肥用量，连续改良两三年效果明显。",
     "source": "宜宾市农业技术推广中心", "tags": ["土壤酸化", "李子", "石灰"],
     "audience": "果农", "status": "vetted", "reviewed_by": "王建华（研究员）",
     "reviewed_at": "2026-03-18"},
    {"id": "a-hard", "title": "果园土壤板结怎么疏松",
     "body": "土壤板结的果园，下雨后地表积水，天晴后地面开裂，根系透气差。"
             "原因主要是长期不施有机肥、雨后踩踏和只施化肥。\n秋季结合施基肥深翻扩穴，"
             "深度40厘米左右；行间种植三叶草、紫云英等绿肥，每年翻压一次；"
             "增施有机肥，提高土壤有机质含量。",
     "source": "四川农业大学园艺学院", "tags": ["土壤板结", "深翻", "绿肥"],
     "audience": "果农", "status": "vetted", "reviewed_by": "李梅（教授）",
     "reviewed_at": "2026-04-02"},
    {"id": "a-pest", "title": "农药中毒的现场急救",
     "body": "误服或大量接触农药后，要立即拨打120。脱去被污染的衣物，用肥皂水和清水反复冲洗皮肤。"
             "就医时带上农药包装，方便医生判断用药。",
     "source": "四川省疾病预防控制中心", "tags": ["农药中毒", "急救"], "audience": "农户",
     "status": "vetted", "reviewed_by": "陈晓梅（主任医师）", "reviewed_at": "2026-01-10"},
    {"id": "a-draft", "title": "猕猴桃溃疡病的新型防治方法",
     "body": "猕猴桃溃疡病是细菌性病害，本文介绍一种正在试验的新方法，尚未审核。"
             "冬季剪除病枝，伤口涂药。",
     "source": "试验站", "tags": ["猕猴桃", "溃疡病"], "audience": "果农",
     "status": "draft", "reviewed_by": "", "reviewed_at": ""},
]
SCIENTISTS = [
    {"id": "s-soil", "name": "王建华", "discipline": "土壤肥料",
     "directions": ["酸性土壤改良", "果园土壤管理"], "services": ["现场指导"],
     "region": "宜宾市翠屏区", "organization": "宜宾市农科院"},
    {"id": "s-soil2", "name": "赵敏", "discipline": "土壤学",
     "directions": ["土壤酸化治理", "测土配方施肥"], "services": ["土壤检测"],
     "region": "成都市温江区", "organization": "四川农业大学"},
    {"id": "s-wine", "name": "孙涛", "discipline": "白酒酿造",
     "directions": ["浓香型白酒窖泥微生物"], "services": ["工艺诊断"],
     "region": "泸州市江阳区", "organization": "泸州某酒业", "available": False},
]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


@pytest.fixture
def corpus_store(kejiyun_home: Path, tmp_path: Path) -> Engine:
    from store.db import make_engine

    engine = make_engine(f"sqlite:///{kejiyun_home / 'kejiyun.db'}")
    init_store(engine)
    import_file(engine, "articles", write_jsonl(tmp_path / "a.jsonl", ARTICLES))
    import_file(engine, "scientists", write_jsonl(tmp_path / "s.jsonl", SCIENTISTS))
    return engine


@pytest.fixture
def index(corpus_store: Engine) -> SearchIndex:
    idx = SearchIndex(corpus_store, get_settings())
    idx.sync_all()
    return idx


@pytest.fixture
def searcher(index: SearchIndex) -> Searcher:
    return Searcher(index)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chroma(data: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """A real `chroma run` server on loopback over `data`; (process, URL) once it listens."""
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("the `chroma` CLI (from the chromadb package) is not installed")
    port = port or _free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(data), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            if proc.poll() is not None:
                pytest.fail("chroma server exited during start-up")
            time.sleep(0.2)
    proc.kill()
    pytest.fail("chroma server did not start within 30 s")


def stop_chroma(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on loopback, started and stopped by the fixture."""
    proc, url = start_chroma(tmp_path_factory.mktemp("chroma-server"))
    yield url
    stop_chroma(proc)


__all__ = ["ARTICLES", "SCIENTISTS", "Settings", "write_jsonl"]
