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


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(sessions, user: User) -> tuple[str, str]:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    async with sessions.begin() as db:
        await db.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < utcnow()))
        db.add(ConsoleSession(token_hash=_hash(token), user_id=user.id, csrf_token=csrf,
                              expires_at=utcnow() + SESSION_LIFETIME))
    return token, csrf


async def end_session(sessions, token: str) -> None:
    async with sessions.begin() as db:
        await db.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _hash(token)))


async def current(request: Request) -> tuple[User, str] | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    async with request.app.state.switchboard.sessions() as db:
        row = await db.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == _hash(token)))
        if row is None or row.expires_at < utcnow():
            return None
        user = await db.get(User, row.user_id)
        if user is None or not user.active:
            return None
        return user, row.csrf_token


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
