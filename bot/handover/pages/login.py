"""Signing in and out of the console."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.handover.auth import COOKIE, end_session, require, set_cookie, start_session
from bot.handover.pages.common import directory_of, handles_referrals, render, switchboard_of
from bot.handover.users import ROLES, LoginBlocked, authenticate, device_token
from bot.store.models import User

LOGIN_CSRF_COOKIE = "voordeur_login_csrf"
DEVICE_COOKIE = "voordeur_device"  # this browser signed in as this user before (login budgets)
DEVICE_DAYS = 180
HOME_OF_ROLE = {"worker": "/console", "manager": "/dashboard", "admin": "/console/admin"}


async def login_page(request: Request) -> Response:
    token = secrets.token_urlsafe(24)
    page = render("login.html", csrf=token, error=None)
    page.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/console")
    return page


def sessions_changed(request: Request) -> None:
    """Wake the console's live streams so one whose session just ended closes now."""
    switchboard_of(request).notifier.publish("queue", {"sessions": "changed"})


def client_ip(request: Request) -> str:
    """The caller's address (uvicorn fills it from X-Forwarded-For of trusted proxies only)."""
    return request.client.host if request.client else "unknown"


async def login(request: Request) -> Response:
    form = await request.form()
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, str(form.get("csrf", ""))):
        return render("login.html", status=403, csrf=expected, error="Het formulier is verlopen. Probeer het opnieuw.")
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    sessions = switchboard_of(request).sessions
    secret = switchboard_of(request).secret
    known_device = hmac.compare_digest(request.cookies.get(DEVICE_COOKIE, ""), device_token(secret, username))
    try:
        user = await authenticate(sessions, username, password, client_ip(request), known_device)
    except LoginBlocked:
        return render("login.html", status=429, csrf=expected,
                      error="Te vaak een verkeerd wachtwoord. Probeer het over 15 minuten opnieuw.")
    if user is None:
        return render("login.html", status=401, csrf=expected, error="Gebruikersnaam of wachtwoord klopt niet.")
    token, _ = await start_session(sessions, user)
    # A call-back team's worker has no general queue: their work is the team's call-back requests.
    home = "/console/terugbelverzoeken" if handles_referrals(user, directory_of(request)) else HOME_OF_ROLE[user.role]
    redirect = RedirectResponse(home, status_code=303)
    set_cookie(redirect, request, token)
    redirect.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")
    redirect.set_cookie(DEVICE_COOKIE, device_token(secret, user.username), max_age=DEVICE_DAYS * 86400,
                        httponly=True, samesite="strict", path="/console/login",
                        secure=request.url.scheme == "https")
    return redirect


@require(*ROLES)
async def logout(request: Request, user: User, csrf: str) -> Response:
    await end_session(switchboard_of(request).sessions, request.cookies.get(COOKIE, ""))
    sessions_changed(request)
    redirect = RedirectResponse("/console/login", status_code=303)
    redirect.delete_cookie(COOKIE, path="/")
    return redirect
