"""The admin page: console users, and the access log with filters, pages and a CSV export."""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, UTC
from urllib.parse import urlencode

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.directory import Directory
from bot.handover.auth import require
from bot.handover.pages.common import ACTION_NL, LOCAL_TIME, directory_of, local, render, switchboard_of
from bot.handover.users import (ROLES, add_user, change_role_and_team, default_team, reset_password, revoke_sessions,
                                set_active)
from bot.store.models import AccessLog, User

log = logging.getLogger(__name__)
MIN_PASSWORD = 10
PAGE_SIZE = 50
CSV_LIMIT = 100_000


@dataclass(frozen=True)
class LogFilter:
    """The admin's choice of access-log rows: who, which conversation, what, which days."""

    who: str = ""
    conversation: str = ""
    action: str = ""
    since: str = ""  # YYYY-MM-DD, Dutch time
    until: str = ""
    page: int = 1

    @classmethod
    def of(cls, request: Request) -> LogFilter:
        p = request.query_params

        def day(value: str) -> str:
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                return ""

        page = p.get("pagina", "1")
        return cls(p.get("wie", "").strip().lower()[:64], p.get("gesprek", "") if p.get("gesprek", "").isdigit() else "",
                   p.get("wat", "") if p.get("wat", "") in ACTION_NL else "", day(p.get("van", "")),
                   day(p.get("tot", "")), max(1, int(page)) if page.isdigit() else 1)

    def apply(self, query: Select) -> Select:
        if self.who:
            query = query.where(AccessLog.username == self.who)
        if self.conversation:
            query = query.where(AccessLog.conversation_id == int(self.conversation))
        if self.action:
            query = query.where(AccessLog.action == self.action)
        if self.since:
            query = query.where(AccessLog.at >= utc_midnight(self.since))
        if self.until:
            query = query.where(AccessLog.at < utc_midnight(self.until) + timedelta(days=1))
        return query

    def params(self, **override) -> str:
        values = {"wie": self.who, "gesprek": self.conversation, "wat": self.action, "van": self.since,
                  "tot": self.until, "pagina": self.page} | override
        return urlencode({k: v for k, v in values.items() if v and not (k == "pagina" and v == 1)})


def utc_midnight(day: str) -> datetime:
    """The start of a Dutch calendar day as the naive UTC time the log stores."""
    start = datetime.combine(date.fromisoformat(day), time(0), tzinfo=LOCAL_TIME)
    return start.astimezone(UTC).replace(tzinfo=None)


async def known_teams(db, directory: Directory) -> list[str]:
    """The teams an admin may choose: those users are in and the directory's referral teams. A choice,
    not free text, so a typo cannot put a worker in a team whose queue nobody else sees."""
    used = set(await db.scalars(select(User.team).distinct()))
    return sorted(team for team in used | directory.referral_teams() | {"buurtteam"} if team)


@require("admin")
async def admin_page(request: Request, user: User, csrf: str) -> Response:
    chosen = LogFilter.of(request)
    async with switchboard_of(request).sessions() as db:
        users = list(await db.scalars(select(User).order_by(User.username)))
        teams = await known_teams(db, directory_of(request))
        added_id = request.query_params.get("toegevoegd", "")
        added = await db.get(User, int(added_id)) if added_id.isdigit() else None
        total = await db.scalar(chosen.apply(select(func.count(AccessLog.id))))
        rows = list(await db.scalars(chosen.apply(select(AccessLog)).order_by(AccessLog.id.desc())
                                     .offset((chosen.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    pages = max(1, -(-total // PAGE_SIZE))
    return render("admin.html", user=user, csrf=csrf, users=users, log=rows, roles=ROLES, error=None,
                  chosen=chosen, total=total, pages=pages, actions=ACTION_NL, teams=teams,
                  added=added)


@require("admin")
async def access_log_csv(request: Request, user: User, csrf: str) -> Response:
    """The filtered access log for a spreadsheet: Dutch headers, semicolons, Dutch time."""
    chosen = LogFilter.of(request)
    async with switchboard_of(request).sessions() as db:
        rows = list(await db.scalars(chosen.apply(select(AccessLog)).order_by(AccessLog.id).limit(CSV_LIMIT)))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Wanneer", "Wie", "Gesprek", "Wat", "Waarom"])
    for row in rows:
        writer.writerow([local(row.at, "%Y-%m-%d %H:%M:%S"), row.username, row.conversation_id,
                         ACTION_NL.get(row.action, row.action), row.reason])
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="toegangslog.csv"', "Cache-Control": "no-store"})


UNKNOWN_TEAM = "Kies een team uit de lijst. Een nieuw team maak je op de server met: voordeur user add --team."


class UnknownTeam(ValueError):
    """The form named a team that is not in the list (an old page, or a hand-made request)."""


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
    team = str(form["team"]) if "team" in form else default_team(role)  # "": chosen "geen team"
    problem = new_user_problem(username, password, role)
    if problem is None and role == "worker" and not team:
        problem = "Een medewerker hoort bij een team. Kies een team uit de lijst."
    if problem is None:
        try:
            async with switchboard_of(request).sessions.begin() as db:
                if team and team not in await known_teams(db, directory_of(request)):
                    raise UnknownTeam(team)
                added = await add_user(db, username, password, role, str(form.get("display_name", "")) or None, team)
                added_id = added.id
        except UnknownTeam:
            problem = UNKNOWN_TEAM
        except IntegrityError:
            problem = f"De gebruikersnaam {username.strip().lower()} bestaat al. Kies een andere naam."
        except ValueError:  # the user module's own checks, in case they grow stricter than ours
            problem = "Deze gegevens kloppen niet. Kijk de rol en het wachtwoord na."
    if problem:
        log.info("admin: user not added")
        return render("message.html", status=422, user=user, csrf=csrf,
                      text=f"Gebruiker niet toegevoegd. {problem}", back="/console/admin")
    return RedirectResponse(f"/console/admin?toegevoegd={added_id}", status_code=303)


USER_CHANGES = {"deactivate": "gedeactiveerd", "activate": "weer actief", "revoke": "overal uitgelogd",
                "password": "heeft een nieuw wachtwoord", "role": "heeft een nieuwe rol of een nieuw team"}


@require("admin")
async def change_user_form(request: Request, user: User, csrf: str) -> Response:
    """Offboarding and changes: deactivate or activate, sign out everywhere, a new password,
    a new role or team. An admin cannot lock themselves out this way."""
    form = await request.form()
    what = str(form.get("do", ""))
    problem = None
    async with switchboard_of(request).sessions.begin() as db:
        target = await db.get(User, request.path_params["id"])
        if target is None or what not in USER_CHANGES:
            problem = "Deze gebruiker of deze wijziging bestaat niet."
        elif target.id == user.id and (what == "deactivate" or (what == "role" and form.get("role") != "admin")):
            problem = "Je kunt jezelf niet deactiveren of je eigen beheerrol afnemen."
        elif what == "password" and len(str(form.get("password", ""))) < MIN_PASSWORD:
            problem = f"Het wachtwoord moet minstens {MIN_PASSWORD} tekens hebben."
        elif what == "role" and str(form.get("role", "")) not in ROLES:
            problem = "Kies een rol uit de lijst."
        elif what == "role" and str(form.get("team", "")) not in ["", *await known_teams(db, directory_of(request))]:  # "": keep
            problem = UNKNOWN_TEAM
        else:
            if what in ("deactivate", "activate"):
                await set_active(db, target, what == "activate")
            elif what == "revoke":
                await revoke_sessions(db, target)
            elif what == "password":
                await reset_password(db, target, str(form.get("password", "")))
            else:
                await change_role_and_team(db, target, str(form.get("role", "")), str(form.get("team", "")))
            name = target.username
    if problem:
        return render("message.html", status=422, user=user, csrf=csrf,
                      text=f"Niet gewijzigd. {problem}", back="/console/admin")
    switchboard_of(request).notifier.publish("queue", {"sessions": "changed"})  # end their live streams now
    log.info("admin: a user was changed (%s)", what)
    return render("message.html", user=user, csrf=csrf, text=f"Klaar: {name} {USER_CHANGES[what]}.",
                  back="/console/admin")
