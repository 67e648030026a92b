"""Partner API keys for /api/v1: create, verify, list, revoke.

A key reads `kjy_<prefix>_<secret>`. Only the prefix (8 hex characters, shown in lists and
used to find the row) and the SHA-256 of the whole key are stored; the key itself is shown
once, when it is created. Verification hashes the presented key and compares the digests in
constant time. Each key has scopes and, optionally, a region (a gazetteer code): a key limited
to 宜宾市 sees only records inside 宜宾市's subtree. Creation and revocation are audited; the
secret never reaches the audit log or the log files.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import Clock, as_utc, system_clock
from core.errors import BadInput
from knowledge import gazetteer
from store.models import ApiKey, AuditLog

SCOPES: dict[str, str] = {
    "needs:read": "读取公开的需求记录",
    "scientists:read": "读取科技工作者档案（不含联系方式）",
    "scientists:write": "批量导入/更新科技工作者档案",
    "scientists:contacts": "导出科技工作者的联系方式（否则不公开）",
    "articles:read": "读取科普文章（无 articles:write 时只含已审核文章）",
    "articles:write": "批量导入/更新科普文章，并可读取未审核文章",
    "stats:read": "读取统计数据",
}
TOKEN_PREFIX = "kjy"
_TOKEN_RE = re.compile(r"^kjy_([0-9a-f]{8})_([A-Za-z0-9_-]{20,100})$")
# last_used_at is written at most once a minute per key, so reads stay reads.
TOUCH_EVERY = timedelta(minutes=1)
_DUMMY_HASH = hashlib.sha256(b"kjy_00000000_no-such-key").hexdigest()


@dataclass(frozen=True)
class Key:
    """A verified key, as the API sees it."""

    id: int
    name: str
    prefix: str
    scopes: frozenset[str]
    region_code: str | None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def can_see(self, region_code: str | None) -> bool:
        """Unlimited keys see everything; limited keys only records inside their region."""
        if self.region_code is None:
            return True
        return bool(region_code) and gazetteer.is_within(region_code or "", self.region_code)

    def region_codes(self) -> frozenset[str] | None:
        """The codes a limited key may see, or None for no limit."""
        return None if self.region_code is None else gazetteer.subtree_codes(self.region_code)


@dataclass(frozen=True)
class KeyInfo:
    """A key as `kejiyun apikey list` shows it: never the secret or its hash."""

    name: str
    prefix: str
    scopes: list[str]
    region_code: str | None
    created_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: ApiKey) -> KeyInfo:
        return cls(row.name, row.prefix, list(row.scopes or []), row.region_code,
                   as_utc(row.created_at), as_utc(row.last_used_at), as_utc(row.revoked_at))

    @property
    def region_name(self) -> str:
        return gazetteer.display_name(self.region_code, self.region_code or "")

    def to_json(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {"name": self.name, "prefix": self.prefix, "scopes": self.scopes,
                "region": self.region_code, "region_name": self.region_name,
                "created_at": iso(self.created_at), "last_used_at": iso(self.last_used_at),
                "revoked_at": iso(self.revoked_at), "active": self.revoked_at is None}


def parse_scopes(value: str | Iterable[str]) -> list[str]:
    """`"needs:read,stats:read"` → the scopes in canonical order; unknown or none → BadInput."""
    items = value.split(",") if isinstance(value, str) else list(value)
    wanted = {s.strip() for s in items if s.strip()}
    if not wanted:
        raise BadInput("请至少指定一个权限范围 (give at least one scope): " + ", ".join(SCOPES))
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        raise BadInput(f"未知的权限范围 {', '.join(unknown)}；可选：{', '.join(SCOPES)} "
                       "(unknown scope)")
    return [s for s in SCOPES if s in wanted]


def resolve_region(value: str) -> gazetteer.Region:
    region = gazetteer.resolve(value) or gazetteer.find_region(value)
    if region is None:
        raise BadInput(f"无法识别地区“{value}” (unknown region)")
    return region


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(engine: Engine, name: str, scopes: str | Iterable[str],
               region: str | None = None, *, actor: str = "cli",
               clock: Clock = system_clock) -> tuple[str, KeyInfo]:
    """Create a key; returns (the key in clear — show it once, never store it — , its info)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise BadInput("名称不能为空，且不超过 100 个字符 (name must be 1–100 characters)")
    scope_list = parse_scopes(scopes)
    region_code = resolve_region(region).code if region else None
    now = clock.now()
    for _ in range(5):  # a prefix collision (1 in 4 billion per pair) just draws again
        prefix = secrets.token_hex(4)
        token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with Session(engine) as s, s.begin():
                row = ApiKey(name=name, prefix=prefix, key_hash=_digest(token),
                             scopes=scope_list, region_code=region_code, created_at=now)
                s.add(row)
                s.flush()
                s.add(AuditLog(at=now, actor=actor, entity="api_key", entity_id=prefix,
                               action="create", after={"name": name, "scopes": scope_list,
                                                       "region": region_code}))
                return token, KeyInfo.of(row)
        except IntegrityError:
            continue
    raise RuntimeError("could not draw a unique API key prefix")


def verify(engine: Engine, token: str, clock: Clock = system_clock) -> Key | None:
    """The key for a presented token, or None if it is malformed, unknown or revoked."""
    match = _TOKEN_RE.match(token.strip()) if len(token) <= 160 else None
    presented = _digest(token.strip())
    with Session(engine) as s:
        row = (s.execute(select(ApiKey).where(ApiKey.prefix == match.group(1))).scalar_one_or_none()
               if match else None)
        stored = row.key_hash if row is not None else _DUMMY_HASH
        same = hmac.compare_digest(presented.encode(), stored.encode())
        if row is None or not same or row.revoked_at is not None:
            return None
        key = Key(row.id or 0, row.name, row.prefix, frozenset(row.scopes or []),
                  row.region_code)
        last = as_utc(row.last_used_at)
    now = clock.now()
    if last is None or now - last >= TOUCH_EVERY:
        with Session(engine) as s, s.begin():
            s.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now)
                      .execution_options(synchronize_session=False))
    return key


def list_keys(engine: Engine) -> list[KeyInfo]:
    with Session(engine) as s:
        return [KeyInfo.of(r) for r in s.execute(select(ApiKey).order_by(ApiKey.id)).scalars()]


def revoke(engine: Engine, prefix: str, *, actor: str = "cli",
           clock: Clock = system_clock) -> tuple[KeyInfo, bool]:
    """Revoke by prefix (the `kjy_<prefix>_…` part or the whole key). Returns (info, changed):
    revoking a revoked key changes nothing and says so."""
    prefix = prefix.strip()
    match = _TOKEN_RE.match(prefix)
    if match:
        prefix = match.group(1)
    elif prefix.startswith(f"{TOKEN_PREFIX}_"):
        prefix = prefix[len(TOKEN_PREFIX) + 1:].split("_", 1)[0]
    now = clock.now()
    with Session(engine) as s, s.begin():
        row = s.execute(select(ApiKey).where(ApiKey.prefix == prefix)
                        .with_for_update()).scalar_one_or_none()
        if row is None:
            raise BadInput(f"没有前缀为 {prefix[:16]} 的 API 密钥 (no API key with this prefix)")
        if row.revoked_at is not None:
            return KeyInfo.of(row), False
        row.revoked_at = now
        s.add(AuditLog(at=now, actor=actor, entity="api_key", entity_id=row.prefix,
                       action="revoke", before={"active": True},
                       after={"active": False, "name": row.name}))
        s.flush()
        return KeyInfo.of(row), True
