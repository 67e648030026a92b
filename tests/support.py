"""Helpers shared by more than one test package: plain functions, constants and classes.
Fixtures live in tests/conftest.py (pytest finds them there without an import); what only one
package uses stays in that package's conftest.py or test module."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.clock import ManualClock
from core.settings import Settings
from delivery.messages import Inbound, Outbound
from delivery.outbox import OutboxWorker
from delivery.router import ChannelRouter
from store.accounts import new_code
from store.models import ChannelAccount, Person, Scientist

if TYPE_CHECKING:
    from bot.dialog import Dialog

T = TypeVar("T")

# ---- the services the tests use, and whether their absence fails or skips ------------------
PG_URL = os.environ.get(
    "KEJIYUN_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("KEJIYUN_REQUIRE_POSTGRES") == "1"
REDIS_URL = os.environ.get("KEJIYUN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_REDIS = os.environ.get("KEJIYUN_REQUIRE_REDIS") == "1"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRE_BROWSER = os.environ.get("KEJIYUN_REQUIRE_BROWSER") == "1"


def need_browser() -> None:
    """Skip (saying why) where Chromium or Playwright is missing; a failure in CI, which sets
    KEJIYUN_REQUIRE_BROWSER=1."""
    problem = None
    if CHROMIUM is None:
        problem = "Debian's chromium is not installed (apt-get install chromium)"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            problem = "playwright is not installed (pip install 'kejiyun[dev]')"
    if problem:
        if REQUIRE_BROWSER:
            pytest.fail(problem + " — KEJIYUN_REQUIRE_BROWSER=1, so this is a failure")
        pytest.skip(problem)


# ---- waiting for something that happens in another thread or process ------------------------
def wait_until(predicate: Callable[[], T], timeout: float = 30.0, interval: float = 0.1,
               message: str | Callable[[], object] = "the condition never held") -> T:
    """Call `predicate` every `interval` seconds until it returns something truthy, and return
    that. Once `timeout` seconds (time.monotonic()) have passed with a last call still falsy,
    raise AssertionError with `message` (a callable is called then, to describe the state).
    Timeouts are generous: CI shares two cores with other jobs, and they only cost time when
    something is broken."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            what = message() if callable(message) else message
            raise AssertionError(f"{what} (waited {timeout:.1f} s)")
        time.sleep(interval)


def healthy(url: str) -> bool:
    """Whether the server at `url` answers /healthz with 200 now (one still starting up
    refuses the connection or stalls)."""
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


# ---- ports and servers ----------------------------------------------------------------------
def free_port() -> int:
    """A loopback port nobody listens on (bound, then closed again)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chroma(data: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """A real `chroma run` server on loopback over `data`; (process, URL) once it listens."""
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("the `chroma` CLI (from the chromadb package) is not installed")
    port = port or free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(data), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)

    def listening() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            if proc.poll() is not None:
                pytest.fail("chroma server exited during start-up")
            return False

    try:
        wait_until(listening, timeout=30, interval=0.2,
                   message="chroma server did not start")
    except AssertionError:
        proc.kill()
        raise
    return proc, f"http://127.0.0.1:{port}"


def stop_chroma(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


# ---- a small corpus and a scientist pool ----------------------------------------------------
def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


# articles (tests/retrieval, the dialog harness, the CLI): three vetted, one draft
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
# the corpus's three scientists (tests/retrieval, the CLI): two soil experts and an absent
# liquor expert
CORPUS_SCIENTISTS = [
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

# the matching pool (tests/matching, the dialog harness): soil experts in and around 翠屏区,
# one away, and experts of other fields
POOL_SCIENTISTS = [
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


# ---- the dialog harness (the `bot` fixture in tests/conftest.py builds one) -----------------
class Harness:
    """The dialog core driven in one line per turn: `bot.chat("farmer-1", "李子园土壤酸化怎么办")`;
    what the outbox delivers lands in `inbox` by (channel, user)."""

    def __init__(self, dialog: Dialog, engine: Engine, settings: Settings,
                 clock: ManualClock) -> None:
        self.dialog, self.engine, self.clock = dialog, engine, clock
        self.inbox: dict[tuple[str, str], list[Outbound]] = defaultdict(list)
        senders = {ch: self._sender(ch) for ch in ("telegram", "wechat", "web", "cli")}
        self.worker = OutboxWorker(engine, ChannelRouter(engine, senders), settings, clock)

    def _sender(self, channel: str):  # type: ignore[no-untyped-def]
        def send(user: str, out: Outbound) -> None:
            self.inbox[(channel, user)].append(out)
        return send

    def chat(self, user: str, text: str, channel: str = "telegram",
             kind: str = "text") -> list[Outbound]:
        return self.dialog.handle(Inbound(channel, user, text=text, kind=kind))

    def press(self, user: str, action: str, channel: str = "telegram") -> list[Outbound]:
        return self.dialog.handle(Inbound(channel, user, action=action, kind="button"))

    def deliver(self) -> None:
        self.worker.run_once()

    def notes(self, user: str, channel: str = "telegram") -> list[Outbound]:
        self.deliver()
        return self.inbox[(channel, user)]

    def bind(self, user: str, scientist_external_id: str, channel: str = "telegram") -> None:
        with Session(self.engine) as s:
            sid = s.execute(select(Scientist.id).where(
                Scientist.external_id == scientist_external_id)).scalar_one()
        code = new_code(self.engine, "bind", self.clock.now(), scientist_id=sid)
        reply = self.chat(user, f"绑定 {code}", channel)
        assert "绑定成功" in reply[0].text, reply

    def reachable(self) -> None:
        """Every scientist not bound by the test gets a chat account: offers are pushed to
        all of them (by default imported scientists have none, and staff phone them)."""
        give_chat_accounts(self.engine)


def text(replies: list[Outbound]) -> str:
    return "\n".join(r.text for r in replies)


def actions(replies: list[Outbound]) -> list[str]:
    return [b.action for r in replies for b in r.buttons]


# ---- contacts as people type them (tests/matching/test_contacts.py, tests/test_logs.py) -----
# (as typed inside a sentence, kind, the value stored in the contact dict)
POSITIVES: list[tuple[str, str, str]] = [
    # mobile numbers: country code, grouping, full width
    ("电话+86 138 1234 5678", "phone", "13812345678"),
    ("手机：+8613812345678。", "phone", "13812345678"),
    ("打 0086 138 1234 5678 找老李", "phone", "13812345678"),
    ("联系 86-138-1234-5678", "phone", "13812345678"),
    ("号码 138.1234.5678 白天打", "phone", "13812345678"),
    ("号码 138 1234 5678 白天打", "phone", "13812345678"),
    ("号码 138-1234-5678", "phone", "13812345678"),
    ("电话１３８１２３４５６７８，谢谢", "phone", "13812345678"),
    ("电话：１３８－１２３４－５６７８", "phone", "13812345678"),
    ("＋８６　１３８　１２３４　５６７８", "phone", "13812345678"),
    ("（13812345678）", "phone", "13812345678"),
    ("tel:+86-138-1234-5678", "phone", "13812345678"),
    ("物联网卡 14012345678 也行", "phone", "14012345678"),  # a block libphonenumber omits
    ("2026 138 1234 5678", "phone", "13812345678"),  # the matcher gives up on the whole run
    ("138\u200b1234\u200b5678", "phone", "13812345678"),  # zero-width spaces to dodge a filter
    # landlines: area code with dash, space, brackets
    ("办公室 028-8888 6666", "phone", "028-88886666"),
    ("座机(028)88886666", "phone", "028-88886666"),
    ("座机（028）88886666", "phone", "028-88886666"),
    ("宜宾 0831 1234567", "phone", "0831-1234567"),
    ("宜宾0831-2345678转", "phone", "0831-2345678"),
    ("北京 010 1234 5678", "phone", "010-12345678"),
    ("+86 (28) 8888 6666", "phone", "028-88886666"),
    ("客服热线 400-820-8820", "phone", "4008208820"),
    ("座机 8888 6666", "phone", "88886666"),  # no area code: only the label says so
    ("电话：6688999", "phone", "6688999"),
    ("海外 +1 415 555 2671", "phone", "+14155552671"),
    # QQ
    ("QQ 12345678", "qq", "12345678"),
    ("QQ号：12345678", "qq", "12345678"),
    ("qq:12345678", "qq", "12345678"),
    ("加扣扣 123456 聊", "qq", "123456"),
    ("QQ号码是 1234567890", "qq", "1234567890"),
    ("ＱＱ：１２３４５６７８", "qq", "12345678"),
    ("qq13812345678", "qq", "13812345678"),  # an 11-digit QQ number is a QQ number
    # WeChat
    ("weixin: abc_123", "wechat", "abc_123"),
    ("WeChat: abc123", "wechat", "abc123"),
    ("微信 abc123", "wechat", "abc123"),
    ("微信号：lizi_2024", "wechat", "lizi_2024"),
    ("微信号是 lizi-2024", "wechat", "lizi-2024"),
    ("加vx lizi_2024", "wechat", "lizi_2024"),
    ("ｖｘ：ＬｉＺｉ＿２０２４", "wechat", "LiZi_2024"),
    ("微信號 LiZi_2024", "wechat", "LiZi_2024"),
    ("V信 lizi2024", "wechat", "lizi2024"),
    ("wxid_abc12345", "wechat", "wxid_abc12345"),
    ("微信 12345678", "wechat", "12345678"),  # an old account bound to a QQ number
    # e-mail
    ("邮箱 zhang.san@example.com", "email", "zhang.san@example.com"),
    ("ｌｉｚｉ＿２０２４＠ｑｑ．ｃｏｍ", "email", "lizi_2024@qq.com"),
    ("12345678@qq.com", "email", "12345678@qq.com"),  # an e-mail, not a QQ number
]

NEGATIVES: list[str] = [
    "2026年种的李子",
    "预算50000元",
    "预算五万",
    "两百亩，200亩李子",
    "2026-12-03 之前",
    "2026.12.03 之前",
    "2026/12/03 之前",
    "20261203 那天",
    "pH 4.8，有机质 1.2%",
    "型号 KX-2000 和 ZY3000",
    "需求编号 100234",
    "行政区划代码 510100",
    "511502 翠屏区",
    "身份证号 510104199001011234",
    "订单 20261203001234",
    "ts=1767225600.123",
    "编号 2026120301",  # ten digits that libphonenumber reads as a Guangzhou landline
    "IP 192.168.1.100",
    "共 1234567 株",
    "版本 v1.2.3",
    "12:30 到",
    "3.1415926535",
    "need 42 offered to 3 scientists in 0.25 s",
    "95588 是银行客服",
    "微信上联系",
    "QQ群里说过",
    "电话联系我",
    "wechat 上联系",
]

_SEPARATORS = re.compile(r"[\s\-.()（）]")


def flat(text: str) -> str:
    """The text as a reader would copy it: half width, lower case, no grouping."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).lower()


def secret_of(value: str) -> str:
    return flat(value).lstrip("+")
