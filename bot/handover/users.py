"""Console users: argon2 password hashes, login with per-address and per-user budgets."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, cast

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import CursorResult, delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.store.models import ConsoleSession, LoginAttempt, User, utcnow

ROLES = ("worker", "manager", "admin")
FAILURE_WINDOW = timedelta(minutes=15)
BUDGETS = {"pair": 5, "ip": 20, "user": 50}  # failed logins per FAILURE_WINDOW
LOGIN_BUDGET_LOCK = 7_010  # PostgreSQL advisory lock id
# argon2id at argon2-cffi's cost (64 MiB, 3 passes, 4 lanes). VOORDEUR_PASSWORD_HASHING=cheapest
# (argon2's CHEAPEST profile) is for the test suite only: outside demo mode the gateway refuses it.
HASHERS = {"production": PasswordHasher(), "cheapest": PasswordHasher.from_parameters(profiles.CHEAPEST)}


def _hasher() -> PasswordHasher:
    return HASHERS[Settings.load().password_hashing]


@cache
def _dummy_hash(hasher: str) -> str:
    """Verified against when the username does not exist, so timing does not reveal usernames."""
    return HASHERS[hasher].hash("not-a-real-password")


class LoginBlocked(Exception):
    """Too many failed attempts from this address, or for this user; try again later."""


def hash_password(password: str) -> str:
    return _hasher().hash(password)


NO_TEAM = ""  # managers and admins work in no queue


def default_team(role: str) -> str:
    """The team of a new user when none is given: workers the buurtteam, managers and admins none."""
    return "buurtteam" if role == "worker" else NO_TEAM


async def add_user(session: AsyncSession, username: str, password: str, role: str,
                   display_name: str | None = None, team: str | None = None) -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    team = default_team(role) if team is None else team
    if role == "worker" and not team:
        raise ValueError("a worker needs a team")
    check_password(password)
    user = User(username=username.strip().lower(), role=role, team=team,
                display_name=display_name or username.strip().split(".")[0].capitalize(),
                password_hash=await _in_hashing_thread(hash_password, password))
    session.add(user)
    await session.flush()
    return user


def check_password(password: str) -> None:
    if len(password) < 10:
        raise ValueError("password must be at least 10 characters")


def _key(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def attempt_keys(username: str, ip: str, known_device: bool = False) -> dict[str, str]:
    """The budgets one attempt counts against (hashed: no username or address is stored).
    From a browser this user signed in with before (a device cookie), the user's budget from
    everywhere does not apply: attackers at many addresses cannot lock the worker out."""
    name = username.strip().lower()
    keys = {"pair": _key("pair", name, ip), "ip": _key("ip", ip), "user": _key(name)}
    if known_device:
        del keys["user"]
    return keys


async def _lock_budgets(db: AsyncSession) -> None:
    """Serialise the count-and-reserve step. PostgreSQL: a transaction advisory lock; SQLite
    takes its single write lock at the first write, which `reserve` does before it counts."""
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOGIN_BUDGET_LOCK})


def _lower_priority() -> None:
    """Password hashing yields the CPU to the event loop and the database (Linux nice values
    are per thread; argon2's own lane threads inherit it)."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


# argon2 is CPU-heavy (64 MiB, 4 lanes): one check at a time per process, at low priority, off
# the event loop, so a burst of logins never slows /healthz, crisis answers or residents.
_HASHING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="argon2", initializer=_lower_priority)


async def _in_hashing_thread(function, *args):
    return await asyncio.get_running_loop().run_in_executor(_HASHING, function, *args)


class _Gate:
    """Per gateway process: one budget transaction at a time (a burst of logins waits here, not
    holding database connections that /healthz and residents need)."""

    def __init__(self) -> None:
        self.bookkeeping = asyncio.Lock()


_gates: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _gate(sessions) -> _Gate:
    if sessions not in _gates:
        _gates[sessions] = _Gate()
    return _gates[sessions]


async def reserve_attempt(sessions, username: str, ip: str, known_device: bool = False) -> list[int]:
    """Count this attempt against every budget before the password is checked, atomically;
    raise LoginBlocked (and count nothing) when one of them is used up. Returns the row ids."""
    keys = attempt_keys(username, ip, known_device)
    since = utcnow() - FAILURE_WINDOW
    async with _gate(sessions).bookkeeping, sessions.begin() as db:
        await _lock_budgets(db)
        rows = [LoginAttempt(key=key) for key in keys.values()]
        db.add_all(rows)
        await db.flush()  # the write first: on SQLite this takes the lock before counting
        for name, key in keys.items():
            used = await db.scalar(select(func.count(LoginAttempt.id))
                                   .where(LoginAttempt.key == key, LoginAttempt.at > since))
            if used > BUDGETS[name]:
                raise LoginBlocked()  # the transaction rolls back: the refused try is not counted
        return [row.id for row in rows]


async def authenticate(sessions, username: str, password: str, ip: str,
                       known_device: bool = False) -> User | None:
    """The user if the password is right; raises LoginBlocked when a budget is used up.

    Budgets per 15 minutes: 5 failures for one username from one address, 20 from one address,
    50 for one username from everywhere; an attacker at one address cannot lock a worker out
    elsewhere. argon2 runs in a worker thread: logins never stall the event loop (or /healthz
    and the crisis net)."""
    reserved = await reserve_attempt(sessions, username, ip, known_device)
    async with sessions() as db:
        user = await db.scalar(select(User).where(User.username == username.strip().lower(), User.active))
    try:
        stored = user.password_hash if user else _dummy_hash(Settings.load().password_hashing)
        await _in_hashing_thread(_hasher().verify, stored, password)
        if user is None:
            raise VerificationError()
    except (VerificationError, InvalidHashError):
        return None
    keys = attempt_keys(username, ip)  # all three, also from a known device
    async with sessions.begin() as db:  # success clears this user's failures from this address
        await db.execute(delete(LoginAttempt).where(
            LoginAttempt.id.in_(reserved) | LoginAttempt.key.in_([keys["pair"], keys["user"]])))
    return user


def device_token(secret: str, username: str) -> str:
    """The device cookie's value for this user: a keyed hash, so it cannot be made up."""
    return hmac.new(secret.encode(), f"device:{username.strip().lower()}".encode(), hashlib.sha256).hexdigest()


# ---- offboarding and changes (admin page and `voordeur user ...`) ------------------------------

class UnknownUser(LookupError):
    """No console user by that name."""


async def find_user(db: AsyncSession, username: str) -> User:
    user = await db.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise UnknownUser(username)
    return user


async def revoke_sessions(db: AsyncSession, user: User) -> int:
    """Sign the user out everywhere: their sessions are deleted, so their next request (and
    their console's live stream, at its next event or keep-alive) finds none."""
    # cast: SQLAlchemy types execute() as Result, but a DELETE gives a CursorResult (with rowcount)
    result = cast(CursorResult[Any], await db.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id)))
    return result.rowcount or 0


async def set_active(db: AsyncSession, user: User, active: bool) -> None:
    """Deactivate (signed out at once, cannot sign in; their cases and the access log keep their
    name) or activate again."""
    user.active = active
    if not active:
        await revoke_sessions(db, user)


async def reset_password(db: AsyncSession, user: User, password: str) -> None:
    """A new password; every session of the old one ends."""
    check_password(password)
    user.password_hash = await _in_hashing_thread(hash_password, password)
    await revoke_sessions(db, user)


async def change_role_and_team(db: AsyncSession, user: User, role: str | None = None,
                               team: str | None = None) -> None:
    """A new role signs the user out (their pages and rights change); a new team does not."""
    if role is not None and role != user.role:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        user.role = role
        await revoke_sessions(db, user)
    if team is not None and team.strip():
        user.team = team.strip()[:48]
