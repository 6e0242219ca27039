"""The admin page: console users and the access log."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.handover.auth import require
from bot.handover.pages.common import render, switchboard_of
from bot.handover.users import ROLES, add_user
from bot.store.models import AccessLog, User


@require("admin")
async def admin_page(request: Request, user: User, csrf: str) -> Response:
    async with switchboard_of(request).sessions() as db:
        users = list(await db.scalars(select(User).order_by(User.username)))
        log = list(await db.scalars(select(AccessLog).order_by(AccessLog.id.desc()).limit(200)))
    return render("admin.html", user=user, csrf=csrf, users=users, log=log, roles=ROLES, error=None)


@require("admin")
async def add_user_form(request: Request, user: User, csrf: str) -> Response:
    form = await request.form()
    try:
        async with switchboard_of(request).sessions.begin() as db:
            await add_user(db, str(form.get("username", "")), str(form.get("password", "")),
                           str(form.get("role", "")), str(form.get("display_name", "")) or None,
                           str(form.get("team", "")) or "buurtteam")
    except Exception as error:  # duplicate name, short password, bad role
        return render("message.html", status=422, user=user, csrf=csrf,
                      text=f"Gebruiker niet toegevoegd: {type(error).__name__}: {error}"[:200], back="/console/admin")
    return RedirectResponse("/console/admin", status_code=303)
