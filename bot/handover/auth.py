"""Console sessions: a random token in an HttpOnly cookie (only its hash is stored), a CSRF
token per session checked on every form, and role checks on every route."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import wraps

from sqlalchemy import delete, select
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from bot.store.models import ConsoleSession, User, utcnow

COOKIE = "voordeur_console"
SESSION_LIFETIME = timedelta(hours=10)
IDLE_TIMEOUT = timedelta(minutes=30)
TOUCH_EVERY = timedelta(seconds=60)  # write last_seen at most this often


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(sessions, user: User) -> tuple[str, str]:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    async with sessions.begin() as db:
        await db.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))
        db.add(ConsoleSession(token_hash=_hash(token), user_id=user.id, csrf_token=csrf,
                              expires_at=now + SESSION_LIFETIME, last_seen=now))
    return token, csrf


async def end_session(sessions, token: str) -> None:
    async with sessions.begin() as db:
        await db.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _hash(token)))


def is_own_action(request: Request) -> bool:
    """A worker's own step (a form, a page they opened) keeps the session alive; the page's
    background refreshes and live stream do not (browsers mark those Sec-Fetch-Mode: cors)."""
    if request.method == "POST":
        return True
    return ("text/html" in request.headers.get("accept", "")
            and request.headers.get("sec-fetch-mode", "navigate") == "navigate")


async def session_user(sessions, token: str, touch: bool = False) -> tuple[User, str] | None:
    """The active user and CSRF token of a live session, or None (unknown, expired, idle for
    IDLE_TIMEOUT, revoked, or the user was deactivated)."""
    now = utcnow()
    async with sessions.begin() as db:
        row = await db.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == _hash(token)))
        if row is None:
            return None
        seen = row.last_seen or row.expires_at - SESSION_LIFETIME
        if row.expires_at < now or now - seen > IDLE_TIMEOUT:
            await db.delete(row)
            return None
        user = await db.get(User, row.user_id)
        if user is None or not user.active:
            return None
        if touch and now - seen > TOUCH_EVERY:
            row.last_seen = now
        return user, row.csrf_token


async def current(request: Request) -> tuple[User, str] | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    return await session_user(request.app.state.switchboard.sessions, token, touch=is_own_action(request))


def set_cookie(response: Response, request: Request, token: str) -> None:
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure,
                        max_age=int(SESSION_LIFETIME.total_seconds()), path="/")


Handler = Callable[[Request, User, str], Awaitable[Response]]


def require(*roles: str) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Route decorator: a logged-in user with one of these roles; POSTs must carry the CSRF token."""

    def decorate(handler: Handler):
        @wraps(handler)
        async def wrapper(request: Request) -> Response:
            found = await current(request)
            if found is None:
                if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
                    return RedirectResponse("/console/login", status_code=303)
                return PlainTextResponse("Log eerst in.", status_code=401)
            user, csrf = found
            if user.role not in roles:
                return PlainTextResponse("Dit mag je niet zien met jouw rol.", status_code=403)
            if request.method == "POST":
                form = await request.form()
                sent = str(form.get("csrf", "")) or request.headers.get("x-csrf-token", "")
                if not hmac.compare_digest(sent, csrf):
                    return PlainTextResponse("Het formulier is verlopen. Laad de pagina opnieuw.", status_code=403)
            return await handler(request, user, csrf)

        return wrapper

    return decorate
