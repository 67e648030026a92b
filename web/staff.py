"""Staff accounts and console sessions: argon2 password hashes, lockout after repeated
failures, opaque session tokens stored hashed, a CSRF token per session, and region scope."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kejiyun.clock import Clock, as_utc, system_clock
from kejiyun.errors import BadInput
from knowledge import gazetteer
from store.models import AuditLog, ConsoleSession, StaffAccount

ROLES = {"province": "province", "city": "city", "county": "county"}
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=8)
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("不存在的账号")  # verify against it so unknown names take as long


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    display_name: str
    role: str
    region_code: str
    csrf: str = ""

    def can_see(self, region_code: str | None) -> bool:
        """Province staff see everything; others only needs inside their region subtree."""
        if self.role == "province":
            return True
        return bool(region_code) and gazetteer.is_within(region_code, self.region_code)

    @property
    def region_name(self) -> str:
        region = gazetteer.get(self.region_code)
        return region.name if region else self.region_code


def add_staff(engine: Engine, username: str, password: str, role: str, region: str,
              display_name: str = "", clock: Clock = system_clock) -> int:
    if role not in ROLES:
        raise BadInput("角色应为 province、city 或 county (role must be province|city|county)")
    r = gazetteer.resolve(region) or gazetteer.find_region(region)
    if r is None:
        raise BadInput(f"无法识别地区“{region}” (unknown region)")
    if r.level != role:
        level = {"province": "省", "city": "市/州", "county": "县/区"}[r.level]
        raise BadInput(f"{r.name} 是{level}级，与角色 {role} 不符 "
                       "(region level does not match the role)")
    if len(password) < 10:
        raise BadInput("密码至少 10 位 (password must have at least 10 characters)")
    if not username.strip() or len(username) > 64:
        raise BadInput("用户名不能为空，且不超过 64 个字符 (invalid username)")
    try:
        with Session(engine) as s, s.begin():
            staff = StaffAccount(username=username.strip(), password_hash=_hasher.hash(password),
                                 display_name=display_name or username, role=role,
                                 region_code=r.code, created_at=clock.now())
            s.add(staff)
            s.flush()
            s.add(AuditLog(at=clock.now(), actor="cli", entity="staff", entity_id=username,
                           action="create", after={"role": role, "region": r.code}))
            return staff.id  # type: ignore[return-value]
    except IntegrityError:
        raise BadInput(f"用户名 {username} 已存在 (username taken)") from None


def login(engine: Engine, username: str, password: str, clock: Clock = system_clock
          ) -> tuple[str | None, str]:
    """(session token, message). Five failures lock the account for 15 minutes."""
    now = clock.now()
    with Session(engine) as s, s.begin():
        staff = s.execute(select(StaffAccount).where(StaffAccount.username == username)
                          .with_for_update()).scalar_one_or_none()
        if staff is None:
            with contextlib.suppress(VerificationError, InvalidHashError):
                _hasher.verify(_DUMMY, password)
            return None, "用户名或密码错误。"
        locked = as_utc(staff.locked_until)
        if locked is not None and locked > now:
            return None, "登录失败次数过多，账号已暂时锁定，请 15 分钟后再试。"
        try:
            _hasher.verify(staff.password_hash, password)
        except (VerificationError, InvalidHashError):
            staff.failed_logins += 1
            if staff.failed_logins >= MAX_FAILURES:
                staff.locked_until, staff.failed_logins = now + LOCKOUT, 0
                s.add(AuditLog(at=now, actor=f"staff:{staff.id}", entity="staff",
                               entity_id=staff.username, action="locked"))
                return None, "登录失败次数过多，账号已暂时锁定，请 15 分钟后再试。"
            return None, "用户名或密码错误。"
        staff.failed_logins, staff.locked_until = 0, None
        token = secrets.token_urlsafe(32)
        s.add(ConsoleSession(token_hash=_digest(token), staff_id=staff.id or 0,
                             csrf=secrets.token_urlsafe(24), expires_at=now + SESSION_TTL))
        s.add(AuditLog(at=now, actor=f"staff:{staff.id}", entity="staff",
                       entity_id=staff.username, action="login"))
        return token, "ok"


def current(engine: Engine, token: str | None, clock: Clock = system_clock) -> Staff | None:
    if not token or len(token) > 100:
        return None
    with Session(engine) as s:
        row = s.get(ConsoleSession, _digest(token))
        if row is None or (as_utc(row.expires_at) or clock.now()) <= clock.now():
            return None
        staff = s.get(StaffAccount, row.staff_id)
        if staff is None:
            return None
        return Staff(staff.id or 0, staff.username, staff.display_name, staff.role,
                     staff.region_code, row.csrf)


def logout(engine: Engine, token: str | None) -> None:
    if token:
        with Session(engine) as s, s.begin():
            s.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _digest(token)))


def csrf_ok(staff: Staff, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(staff.csrf.encode(), (given or "").encode())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
