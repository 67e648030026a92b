"""A small store with two weeks of activity across 宜宾 (翠屏区, 叙州区), 成都 (温江区) and rows
without a region, with every timestamp explicit, so each figure has a known exact value.

Weeks: W = 2026-W46 (Mon 9 Nov – Sun 15 Nov 2026, China time), L = 2026-W45 (the week before).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from store.models import (
    AuditLog,
    Need,
    Offer,
    Organization,
    Person,
    QuestionLog,
    Scientist,
)

CST = timezone(timedelta(hours=8))
CUIPING, XUZHOU, YIBIN = "511502", "511504", "511500"
WENJIANG, CHENGDU = "510115", "510100"


def cst(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> datetime:
    """A China-time moment in November 2026 (W45: 2–8, W46: 9–15), as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=CST).astimezone(UTC)


@dataclass
class Seeded:
    sci: dict[str, int] = field(default_factory=dict)
    need: dict[str, int] = field(default_factory=dict)
    question: dict[str, int] = field(default_factory=dict)


def _offer(s: Session, need: Need, sci: int, status: str, created: datetime,
           responded: datetime | None = None) -> None:
    s.add(Offer(token=secrets.token_hex(8), need_id=need.id, scientist_id=sci, status=status,
                created_at=created, expires_at=created + timedelta(hours=48),
                responded_at=responded))


def seed(engine: Engine) -> Seeded:
    out = Seeded()
    with Session(engine) as s:
        org_a = Organization(name="翠屏李子合作社")
        org_b = Organization(name="温江花木公司")
        s.add_all([org_a, org_b])
        s.flush()
        pa = Person(display_name="甲", role="enterprise", organization_id=org_a.id)
        pb = Person(display_name="乙", role="enterprise", organization_id=org_b.id)
        p7 = Person(display_name="丙", role="enterprise")  # an enterprise without org row
        farmer = Person(display_name="丁", role="farmer")
        s.add_all([pa, pb, p7, farmer])
        s.flush()

        early = cst(1, month=10)
        for key, region, created in [("s1", CUIPING, early), ("s2", XUZHOU, early),
                                     ("s3", WENJIANG, early), ("s4", YIBIN, cst(11, 12)),
                                     ("s5", None, early), ("s6", CUIPING, cst(20))]:
            sci = Scientist(external_id=key, name=key, region_code=region, created_at=created)
            s.add(sci)
            s.flush()
            out.sci[key] = sci.id  # type: ignore[assignment]
        sid = out.sci

        def need(key: str, region: str | None, kind: str, status: str, created: datetime,
                 requester: Person, role: str, text: str = "", org: Organization | None = None
                 ) -> Need:
            n = Need(kind=kind, status=status, region_code=region, created_at=created,
                     updated_at=created, requester_id=requester.id,
                     organization_id=org.id if org else None, requester_role=role,
                     title=text[:20], description=text)
            s.add(n)
            s.flush()
            out.need[key] = n.id  # type: ignore[assignment]
            if status not in ("draft",) and key != "n6":
                s.add(AuditLog(at=created, actor="requester", entity="need",
                               entity_id=str(n.id), action="confirm"))
            return n

        # ---- last week (W45)
        n10 = need("n10", WENJIANG, "service", "matched", cst(6, 10), pb, "enterprise", org=org_b)
        _offer(s, n10, sid["s3"], "accepted", cst(6, 10), cst(9, 8))  # accepted in W46: 70 h
        n11 = need("n11", CUIPING, "question", "matched", cst(3, 9), farmer, "farmer")
        _offer(s, n11, sid["s2"], "accepted", cst(3, 9), cst(3, 11))  # 2 h

        # ---- this week (W46)
        n1 = need("n1", CUIPING, "service", "matched", cst(9, 10), pa, "enterprise", org=org_a)
        _offer(s, n1, sid["s1"], "accepted", cst(9, 10), cst(9, 14))  # 4 h
        _offer(s, n1, sid["s2"], "withdrawn", cst(9, 10))
        n2 = need("n2", XUZHOU, "question", "closed", cst(10, 9), farmer, "farmer")
        _offer(s, n2, sid["s2"], "declined", cst(10, 9), cst(10, 10))
        _offer(s, n2, sid["s1"], "accepted", cst(10, 11), cst(10, 19))  # 10 h from first offer
        n3 = need("n3", WENJIANG, "rd_challenge", "offered", cst(11, 9), pb, "enterprise",
                  org=org_b)
        _offer(s, n3, sid["s3"], "pending", cst(11, 9))
        _offer(s, n3, sid["s5"], "expired", cst(11, 9), cst(13, 9))  # not a response
        need("n4", CUIPING, "service", "unmatched", cst(12, 9), pa, "enterprise",
             "李子树流胶病怎么治理，树干冒胶", org=org_a)
        need("n5", CUIPING, "service", "draft", cst(12, 10), pa, "enterprise", org=org_a)
        need("n6", CUIPING, "service", "cancelled", cst(12, 11), pa, "enterprise", org=org_a)
        need("n7", XUZHOU, "talent", "cancelled", cst(13, 9), p7, "enterprise")
        n8 = need("n8", CUIPING, "service", "matched", cst(15, 23), farmer, "farmer")
        _offer(s, n8, sid["s1"], "accepted", cst(15, 23), cst(16, 9))  # accepted in W47
        need("n9", CUIPING, "service", "open", cst(16, 0, 30), farmer, "farmer")  # W47
        need("n12", None, "question", "unmatched", cst(14, 9), farmer, "citizen",
             "老人血压高能不能停药")

        for key, region, at, abstained, text in [
            ("q1", CUIPING, cst(9, 8), False, "李子园土壤酸化怎么办"),
            ("q2", CUIPING, cst(10, 8), True, "李子树流胶病怎么治"),
            ("q3", XUZHOU, cst(11, 8), True, "李子流胶了咋办"),
            ("q4", WENJIANG, cst(12, 8), True, "猕猴桃溃疡病怎么防"),
            ("q5", None, cst(13, 8), True, "猕猴桃溃疡病用什么药"),
            ("q6", WENJIANG, cst(4, 8), False, "茶园冬天施肥"),
            ("q7", XUZHOU, cst(5, 8), True, "地震来了往哪里躲"),
        ]:
            q = QuestionLog(region_code=region, at=at, abstained=abstained, text=text)
            s.add(q)
            s.flush()
            out.question[key] = q.id  # type: ignore[assignment]
        s.commit()
    return out


@pytest.fixture
def seeded(store: Engine) -> Seeded:
    return seed(store)
