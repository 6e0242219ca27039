"""The partner's "Terugbelverzoeken" page (issue 15): the call-back referrals of the worker's team, the oldest
deadline first, and the result of each call.

Only workers of a team that a directory service names as its `referral_team` have this page; for
everyone else it, and every referral on it, answers 404 like a case they may not read. The list
shows no summary and no number: opening one referral is a read of its summary, "Toon nummer" a
read of the number, and each read is written to the access log with its reason. Opening marks
the referral `seen` (the resident may be told so); a result goes through
bot.referrals.lifecycle.record_result, which deletes number and summary when the referral closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, UTC

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.directory import Directory
from bot.directory.hours import DAY_NAMES, MONTHS
from bot.handover.access import log_access
from bot.handover.auth import require
from bot.handover.pages.common import LOCAL_TIME, directory_of, handles_referrals, render, switchboard_of
from bot.pseudonym import unseal
from bot.referrals.lifecycle import WrongState, mark_seen, record_result
from bot.referrals.models import Referral
from bot.referrals.phone import spoken_phone
from bot.store.models import AccessLog, User

# Waiting for the team: new (delivered or not), opened, or not reached once (a second try is due).
OPEN = ("accepted", "sent", "seen", "not_reached")
STATUS_NL = {"accepted": "nieuw", "sent": "nieuw", "seen": "geopend", "not_reached": "1 keer niet bereikt"}
RESULT_NL = {"called": "Gebeld", "appointment": "Afspraak gemaakt", "not_reached": "Niet bereikt",
             "no_longer_needed": "Niet meer nodig"}
LIST = "/console/terugbelverzoeken"
NOT_FOUND = "Dit terugbelverzoek bestaat niet, of je mag het niet openen."
KEPT = "blijft voor een tweede poging"


def dutch_day(day: date) -> str:
    """'dinsdag 29 december'."""
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def consent_line(referral: Referral) -> str:
    """'Toestemming gegeven op 24 december om 10:03, tekst versie v1' (Dutch time)."""
    if referral.consent_at is None:
        return "Geen toestemming vastgelegd."
    moment = referral.consent_at.replace(tzinfo=UTC).astimezone(LOCAL_TIME)
    return (f"Toestemming gegeven op {moment.day} {MONTHS[moment.month - 1]} om {moment:%H:%M}, "
            f"tekst versie {referral.consent_wording or 'onbekend'}")


def service_name(directory: Directory, service_id: str) -> str:
    try:
        return directory.service(service_id).name
    except StopIteration:  # the service left the directory after the consent
        return service_id


def today() -> date:
    return datetime.now(LOCAL_TIME).date()


@dataclass(frozen=True)
class Row:
    """One referral as the team sees it (the summary only on its own page)."""

    referral: Referral
    service: str
    deadline: str
    overdue: bool
    due_today: bool
    status: str
    consent: str

    @classmethod
    def of(cls, referral: Referral, now: date, directory: Directory) -> Row:
        day = referral.deadline
        return cls(referral, service_name(directory, referral.service_id), dutch_day(day) if day else "onbekend",
                   day is not None and day < now, day == now, STATUS_NL.get(referral.status, referral.status),
                   consent_line(referral))


async def open_referrals(db, team: str) -> list[Referral]:
    """The team's referrals waiting for a call, the oldest deadline first."""
    return list(await db.scalars(
        select(Referral).where(Referral.team == team, Referral.status.in_(OPEN), Referral.closed_at.is_(None))
        .order_by(Referral.deadline, Referral.consent_at, Referral.id)))


async def team_referral(db, request: Request, user: User, referral_id: int) -> Referral | None:
    """The referral if it is open and this worker's team handles it; None otherwise (answered 404)."""
    if not handles_referrals(user, directory_of(request)):
        return None
    referral = await db.get(Referral, referral_id)
    if referral is None or referral.team != user.team or referral.status not in OPEN or referral.closed_at:
        return None
    return referral


def not_found(user: User, csrf: str) -> Response:
    return render("message.html", status=404, user=user, csrf=csrf, text=NOT_FOUND, back=LIST)


async def done_message(request: Request, user: User) -> str | None:
    """What the worker's last result did, from their own access-log entry (not from the URL)."""
    value = request.query_params.get("klaar", "")
    if not value.isdigit():
        return None
    async with switchboard_of(request).sessions() as db:
        entry = await db.scalar(
            select(AccessLog).where(AccessLog.user_id == user.id, AccessLog.referral_id == int(value),
                                    AccessLog.action == "referral_result").order_by(AccessLog.id.desc()).limit(1))
    if entry is None:
        return None
    label = entry.reason.removeprefix(f"terugbelverzoek {value}: ").removesuffix(f" ({KEPT})")
    if entry.reason.endswith(f"({KEPT})"):
        return f"Opgeslagen: {label}. Het verzoek blijft in de lijst voor een tweede poging."
    return (f"Opgeslagen: {label}. Het verzoek is afgesloten en staat niet meer in de lijst. "
            "Het nummer en de samenvatting zijn gewist.")


@require("worker", "manager", "admin")
async def referrals_page(request: Request, user: User, csrf: str) -> Response:
    if not handles_referrals(user, directory_of(request)):
        return render("message.html", status=404, user=user, csrf=csrf, text="Deze pagina bestaat niet.",
                      back="/console")
    async with switchboard_of(request).sessions() as db:
        referrals = await open_referrals(db, user.team)
    now = today()
    rows = [Row.of(r, now, directory_of(request)) for r in referrals]
    return render("referrals.html", user=user, csrf=csrf, rows=rows,
                  done=await done_message(request, user))


def detail(request: Request, user: User, csrf: str, referral: Referral, phone: str | None = None) -> Response:
    return render("referral.html", user=user, csrf=csrf, row=Row.of(referral, today(), directory_of(request)),
                  phone=phone,
                  results=RESULT_NL)


@require("worker", "manager", "admin")
async def referral_page(request: Request, user: User, csrf: str) -> Response:
    """One referral with its summary: a read, logged; a new one is marked seen."""
    async with switchboard_of(request).sessions.begin() as db:
        referral = await team_referral(db, request, user, request.path_params["id"])
        if referral is None:
            return not_found(user, csrf)
        await mark_seen(db, referral)
        await log_access(db, user, referral.conversation_id, "referral_open",
                         f"terugbelverzoek {referral.id} van het team {referral.team}", referral_id=referral.id)
        response = detail(request, user, csrf, referral)
    return response


@require("worker", "manager", "admin")
async def show_phone(request: Request, user: User, csrf: str) -> Response:
    """The number, only on the worker's explicit request (a POST, so it is never in a URL or a history)."""
    async with switchboard_of(request).sessions.begin() as db:
        referral = await team_referral(db, request, user, request.path_params["id"])
        if referral is None or referral.phone is None:
            return not_found(user, csrf)
        await mark_seen(db, referral)
        await log_access(db, user, referral.conversation_id, "referral_phone",
                         f"terugbelverzoek {referral.id}: nummer getoond om terug te bellen", referral_id=referral.id)
        number = spoken_phone(unseal(switchboard_of(request).secret, referral.phone))
        response = detail(request, user, csrf, referral, phone=number)
    return response


@require("worker", "manager", "admin")
async def record(request: Request, user: User, csrf: str) -> Response:
    """A result button: record it, log it, and go back to the list with a confirmation."""
    result = str((await request.form()).get("result", ""))
    if result not in RESULT_NL:
        return render("message.html", status=422, user=user, csrf=csrf, text="Kies een van de knoppen.",
                      back=LIST)
    async with switchboard_of(request).sessions.begin() as db:
        referral = await team_referral(db, request, user, request.path_params["id"])
        if referral is None:
            return not_found(user, csrf)
        try:
            await record_result(db, referral, result)
        except WrongState:
            return render("message.html", status=409, user=user, csrf=csrf, back=LIST,
                          text="Dit verzoek is niet meer open. Een collega heeft het al afgehandeld.")
        kept = f" ({KEPT})" if referral.closed_at is None else ""
        await log_access(db, user, referral.conversation_id, "referral_result",
                         f"terugbelverzoek {referral.id}: {RESULT_NL[result]}{kept}", referral_id=referral.id)
        referral_id = referral.id
    return RedirectResponse(f"{LIST}?klaar={referral_id}", status_code=303)
