"""A small scientist pool in a real store (SQLite and PostgreSQL), indexed with the real
encoder, Chroma and BM25; a manual clock; an offer service wired to the real ranker."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from core.clock import ManualClock
from core.settings import Settings, get_settings
from delivery.outbox import OutboxWorker, RecordingSink
from knowledge.importers import import_file
from matching.offers import OfferService
from matching.rank import Ranker
from retrieval.index import SearchIndex
from retrieval.search import Searcher
from store.models import ChannelAccount, Person, Scientist

from ..retrieval.conftest import write_jsonl

SCIENTISTS = [
    {"id": "s-soil-cp", "name": "王建华", "discipline": "土壤肥料",
     "directions": ["果园酸性土壤改良", "李子园土壤板结治理"], "services": ["现场指导"],
     "region": "宜宾市翠屏区", "organization": "宜宾市农业科学院",
     "contact": {"phone": "19900000001"}},
    {"id": "s-soil-xz", "name": "李娜", "discipline": "土壤肥料",
     "directions": ["果园酸性土壤改良", "石灰调酸"], "services": ["现场指导"],
     "region": "宜宾市叙州区", "organization": "叙州区农技站",
     "contact": {"phone": "19900000002"}},
    {"id": "s-soil-cd", "name": "赵敏", "discipline": "土壤肥料",
     "directions": ["果园酸性土壤改良", "石灰调酸"], "services": ["现场指导", "视频指导"],
     "region": "成都市温江区", "organization": "四川农业大学资源学院",
     "contact": {"phone": "19900000003", "email": "zhao@example.cn"}},
    {"id": "s-soil-ls", "name": "刘强", "discipline": "土壤肥料",
     "directions": ["果园酸性土壤改良", "石灰调酸"], "services": ["现场指导"],
     "region": "凉山彝族自治州西昌市", "organization": "凉山州农科所",
     "contact": {"phone": "19900000004"}},
    {"id": "s-soil-coop", "name": "徐静", "discipline": "土壤肥料",
     "directions": ["果园酸性土壤改良"], "services": ["现场指导"],
     "region": "宜宾市翠屏区", "organization": "翠屏区李子专业合作社",
     "contact": {"phone": "19900000005"}},
    {"id": "s-soil-off", "name": "孙丽", "discipline": "土壤肥料",
     "directions": ["果园酸性土壤改良", "李子园土壤板结治理"], "services": ["现场指导"],
     "region": "宜宾市翠屏区", "organization": "宜宾学院", "available": False},
    {"id": "s-pest", "name": "陈刚", "discipline": "植物保护",
     "directions": ["李子病虫害绿色防控", "柑橘木虱防治"], "services": ["病虫害诊断"],
     "region": "宜宾市翠屏区", "organization": "宜宾市植保站"},
    {"id": "s-wine", "name": "孙涛", "discipline": "白酒酿造",
     "directions": ["浓香型白酒窖泥微生物", "白酒勾调"], "services": ["工艺诊断"],
     "region": "泸州市江阳区", "organization": "泸州老窖研究院"},
    {"id": "s-li", "name": "周敏", "discipline": "锂电池材料",
     "directions": ["磷酸铁锂正极材料", "压实密度提升"], "services": ["联合攻关"],
     "region": "遂宁市船山区", "organization": "遂宁锂电研究院"},
    {"id": "s-ai", "name": "吴昊", "discipline": "人工智能",
     "directions": ["工业视觉缺陷检测", "瓷砖表面缺陷识别"], "services": ["算法定制"],
     "region": "成都市郫都区", "organization": "电子科技大学"},
]
SOIL_NEED = "宜宾翠屏区的李子园土壤酸化板结，想请专家来现场指导改良，预算五千元，这周内，可以留电话"


@pytest.fixture
def pool(store: Engine, tmp_path: Path) -> Engine:
    """The pool, every scientist with a chat account (offers are pushed to them); tests of
    scientists nobody can push to unbind them (`unbind`)."""
    report = import_file(store, "scientists", write_jsonl(tmp_path / "s.jsonl", SCIENTISTS))
    assert report.rejected_count == 0
    give_chat_accounts(store)
    return store


def give_chat_accounts(engine: Engine) -> None:
    """Every scientist not bound yet gets a chat account of their own: offers reach them."""
    with Session(engine) as s, s.begin():
        for sci in s.execute(select(Scientist).where(Scientist.person_id.is_(None))).scalars():
            person = Person(display_name=sci.name, role="scientist")
            s.add(person)
            s.flush()
            s.add(ChannelAccount(channel="telegram", platform_user_id=f"tg-{sci.external_id}",
                                 person_id=person.id, role="scientist"))
            sci.person_id = person.id


def unbind(engine: Engine, *external_ids: str) -> None:
    """These scientists have no chat account (an imported profile nobody has bound yet)."""
    with Session(engine) as s, s.begin():
        for sci in s.execute(select(Scientist).where(Scientist.external_id.in_(external_ids))
                             ).scalars():
            s.execute(delete(ChannelAccount).where(ChannelAccount.person_id == sci.person_id))


@pytest.fixture
def settings() -> Settings:
    return get_settings()


@pytest.fixture
def index(pool: Engine, settings: Settings) -> SearchIndex:
    idx = SearchIndex(pool, settings)
    idx.sync_all()
    return idx


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def ranker(index: SearchIndex, pool: Engine, settings: Settings, clock: ManualClock) -> Ranker:
    return Ranker(Searcher(index), pool, settings, clock)


@pytest.fixture
def service(pool: Engine, ranker: Ranker, settings: Settings,
            clock: ManualClock) -> OfferService:
    return OfferService(pool, ranker, settings, clock)


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def worker(pool: Engine, sink: RecordingSink, settings: Settings,
           clock: ManualClock) -> OutboxWorker:
    return OutboxWorker(pool, sink, settings, clock)
