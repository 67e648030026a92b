"""Staff accounts and console sessions: argon2 password hashes, sign-in throttling, opaque
session tokens stored hashed, a CSRF token per session, and region scope.

Sign-in throttling — who can be locked out by whom:

1. **Account × client IP**: 5 wrong passwords in a row (each within 15 minutes of the last)
   lock that account *from that IP* for 15 minutes. Guesses lock out the guesser, not the staff
   member signing in from their own office or phone, so no one can keep a colleague out.
2. **Client IP, across all usernames**: 10 failed sign-ins the same way block every sign-in
   from that IP for 15 minutes, so one address can neither spray guesses over many accounts
   nor lock many (account, IP) pairs. (Staff behind one shared office address share this.)
3. **Account, across all IPs**: 50 failures lock the account for everyone for 15 minutes — the
   backstop against guessing from many addresses. Locking a real user out this way takes at
   least 10 addresses, each capped by rule 1.

Each attempt is counted *before* its password is checked, one atomic upsert per rule in the
store (`login_throttle`, shared by all workers), so parallel guesses cannot all pass a check
none of them has recorded yet: at most 5 passwords per (account, IP) are ever checked before
the lock. A successful sign-in clears its (account, IP) count and takes back its own attempt
from the other two. Unknown usernames go through the same counters and an argon2 verify
against a dummy hash: the reply and its timing do not tell whether an account exists.
Usernames are kept in the counters' keys only as hashes (people type passwords into them).
The client IP is `request.client.host`; behind a reverse proxy, run uvicorn with
`--forwarded-allow-ips` set to the proxy so that it is the real client's address.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, case, delete, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from core.clock import Clock, as_utc, system_clock
from core.errors import BadInput
from knowledge import gazetteer
from store.models import AuditLog, ConsoleSession, LoginThrottle, StaffAccount

log = logging.getLogger(__name__)
ROLES = {"province": "province", "city": "city", "county": "county"}
MAX_FAILURES = 5  # per (account, client IP)
IP_MAX_FAILURES = 10  # per client IP, any usernames
ACCOUNT_MAX_FAILURES = 50  # per account, any IPs
LOCKOUT = timedelta(minutes=15)  # also how long a failure counts: each one extends the count
WRONG = "用户名或密码错误。"
LOCKED = "登录失败次数过多，账号已暂时锁定，请 15 分钟后再试。"
THROTTLED = "这个网络的登录失败次数过多，请 15 分钟后再试。"
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


def login(engine: Engine, username: str, password: str, clock: Clock = system_clock,
          client_ip: str = "") -> tuple[str | None, str]:
    """(session token, message), throttled as the module docstring says. `client_ip` is the
    request's address ("" where there is none, as on the command line)."""
    now = clock.now()
    ip = client_ip or "-"
    name = hashlib.sha256(username.encode()).hexdigest()[:32]
    keys = {"ip": f"ip:{ip}"[:200], "pair": f"pair:{name}:{ip}"[:200], "user": f"user:{name}"}
    counts: dict[str, int] = {}
    with engine.begin() as conn:  # reserve this attempt under every rule, in a fixed order
        for rule, limit in (("ip", IP_MAX_FAILURES), ("pair", MAX_FAILURES),
                            ("user", ACCOUNT_MAX_FAILURES)):
            counts[rule] = _bump(conn, keys[rule], limit, now)
            if counts[rule] > limit:
                log.warning("console sign-in refused (%s throttle) from %s", rule, ip)
                return None, THROTTLED if rule == "ip" else LOCKED
    with Session(engine) as s:
        staff = s.execute(select(StaffAccount).where(StaffAccount.username == username)
                          ).scalar_one_or_none()
    try:  # the same work for unknown names: the reply and its timing tell nothing
        _hasher.verify(staff.password_hash if staff else _DUMMY, password)
        ok = staff is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if staff is None or not ok:
        lock = counts["pair"] == MAX_FAILURES or counts["user"] == ACCOUNT_MAX_FAILURES
        if lock and staff is not None:
            with Session(engine) as s, s.begin():
                s.add(AuditLog(at=now, actor=f"staff:{staff.id}", entity="staff",
                               entity_id=staff.username, action="locked",
                               after={"ip": client_ip}))
        if lock:
            return None, LOCKED
        return None, THROTTLED if counts["ip"] == IP_MAX_FAILURES else WRONG
    token = secrets.token_urlsafe(32)
    with Session(engine) as s, s.begin():  # rows in the order _bump takes them: no deadlock
        for rule in ("ip", "pair", "user"):
            if rule == "pair":
                s.execute(delete(LoginThrottle).where(LoginThrottle.key == keys[rule]))
            else:  # take back only this attempt: the others' failures still count
                s.execute(update(LoginThrottle).where(
                    LoginThrottle.key == keys[rule], LoginThrottle.failures > 0)
                    .values(failures=LoginThrottle.failures - 1))
        s.add(ConsoleSession(token_hash=_digest(token), staff_id=staff.id or 0,
                             csrf=secrets.token_urlsafe(24), expires_at=now + SESSION_TTL))
        s.add(AuditLog(at=now, actor=f"staff:{staff.id}", entity="staff",
                       entity_id=staff.username, action="login"))
    _purge(engine, now)
    return token, "ok"


def _bump(conn: Connection, key: str, limit: int, now: datetime) -> int:
    """Count one attempt under `key` and return the count, in one statement (an upsert), so
    that parallel attempts never overwrite each other. A count lapses LOCKOUT after its last
    attempt; once it reaches `limit`, further attempts no longer extend it, so the lock lasts
    LOCKOUT from the attempt that reached the limit."""
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    lapsed = table.c.expires_at <= now
    until = literal(now + LOCKOUT, table.c.expires_at.type)
    stmt = dialect.insert(table).values(key=key, failures=1, expires_at=until)
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.key], set_={
        "failures": case((lapsed, 1), else_=table.c.failures + 1),
        # the right-hand sides read the row as it was before this update
        "expires_at": case((lapsed | (table.c.failures < limit), until),
                           else_=table.c.expires_at)}).returning(table.c.failures)
    return int(conn.execute(stmt).scalar_one())


def _purge(engine: Engine, now: datetime) -> None:
    """Drop lapsed counts (after a sign-in, so the table stays small); never fails a sign-in.
    Rows another sign-in is counting are skipped (PostgreSQL), so this never waits on one."""
    lapsed = (select(LoginThrottle.key).where(LoginThrottle.expires_at <= now).limit(1000)
              .with_for_update(skip_locked=True))
    try:
        with engine.begin() as conn:
            conn.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(lapsed)))
    except SQLAlchemyError:
        log.warning("could not purge lapsed sign-in counts", exc_info=True)


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


def session_key(token: str | None) -> str | None:
    """A stable name for a signed-in session that is not the token itself (for flashes)."""
    return _digest(token) if token else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
