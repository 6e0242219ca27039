"""The admin page: console users and the access log."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.handover.auth import require
from bot.handover.pages.common import render, switchboard_of
from bot.handover.users import ROLES, add_user
from bot.store.models import AccessLog, User

log = logging.getLogger(__name__)
MIN_PASSWORD = 10


@require("admin")
async def admin_page(request: Request, user: User, csrf: str) -> Response:
    async with switchboard_of(request).sessions() as db:
        users = list(await db.scalars(select(User).order_by(User.username)))
        log_rows = list(await db.scalars(select(AccessLog).order_by(AccessLog.id.desc()).limit(200)))
    return render("admin.html", user=user, csrf=csrf, users=users, log=log_rows, roles=ROLES, error=None)


def new_user_problem(username: str, password: str, role: str) -> str | None:
    """What is wrong with the form, in Dutch, before the database sees it."""
    if not username.strip():
        return "Vul een gebruikersnaam in."
    if role not in ROLES:
        return "Kies een rol uit de lijst."
    if len(password) < MIN_PASSWORD:
        return f"Het wachtwoord moet minstens {MIN_PASSWORD} tekens hebben."
    return None


@require("admin")
async def add_user_form(request: Request, user: User, csrf: str) -> Response:
    form = await request.form()
    username, password, role = str(form.get("username", "")), str(form.get("password", "")), str(form.get("role", ""))
    problem = new_user_problem(username, password, role)
    if problem is None:
        try:
            async with switchboard_of(request).sessions.begin() as db:
                await add_user(db, username, password, role, str(form.get("display_name", "")) or None,
                               str(form.get("team", "")) or "buurtteam")
        except IntegrityError:
            problem = f"De gebruikersnaam {username.strip().lower()} bestaat al. Kies een andere naam."
        except ValueError:  # the user module's own checks, in case they grow stricter than ours
            problem = "Deze gegevens kloppen niet. Kijk de rol en het wachtwoord na."
    if problem:
        log.info("admin: user not added")
        return render("message.html", status=422, user=user, csrf=csrf,
                      text=f"Gebruiker niet toegevoegd. {problem}", back="/console/admin")
    return RedirectResponse("/console/admin", status_code=303)
