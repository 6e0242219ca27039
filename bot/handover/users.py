"""Console users: argon2 password hashes, login with rate limiting."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import LoginAttempt, User, utcnow

ROLES = ("worker", "manager", "admin")
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
_hasher = PasswordHasher()
# Verified against when the username does not exist, so timing does not reveal usernames.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class LoginBlocked(Exception):
    """Too many failed attempts for this username; try again later."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def add_user(session: AsyncSession, username: str, password: str, role: str,
                   display_name: str | None = None, team: str = "buurtteam") -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 10:
        raise ValueError("password must be at least 10 characters")
    user = User(username=username.strip().lower(), role=role, team=team,
                display_name=display_name or username.strip().split(".")[0].capitalize(),
                password_hash=hash_password(password))
    session.add(user)
    await session.flush()
    return user


def _attempt_key(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()


async def authenticate(session: AsyncSession, username: str, password: str) -> User | None:
    """The user if the password is right; raises LoginBlocked after too many failures."""
    key = _attempt_key(username)
    since = utcnow() - FAILURE_WINDOW
    failures = await session.scalar(
        select(func.count(LoginAttempt.id)).where(LoginAttempt.key == key, LoginAttempt.at > since)
    )
    if failures >= MAX_FAILURES:
        raise LoginBlocked()
    user = await session.scalar(select(User).where(User.username == username.strip().lower(), User.active))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        if user is None:
            raise VerificationError()
    except (VerificationError, InvalidHashError):
        session.add(LoginAttempt(key=key))
        return None
    await session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))
    return user
