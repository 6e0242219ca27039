"""The partner's "Terugbelverzoeken" page (issue 15): the call-back referrals of the worker's team, the oldest
deadline first, and the result of each call.

Only workers of a team that a directory service names as its `referral_team` have this page; for
everyone else it, and every referral on it, answers 404 like a case they may not read. Those
workers have nothing else: no general queue, no transcripts (bot/handover/access.py). The list
shows no summary and no number: opening one referral is a read of its summary, "Toon nummer" a
read of the number, and each read is written to the access log with its reason. Opening marks
the referral `seen` (the resident may be told so).

A result is two steps: the button shows what the resident will be told and what is deleted, and
only "Ja, vastleggen" records it (bot.referrals.lifecycle.record_result deletes number and summary
when the referral closes; there is no undo after that). "Gebeld", "Niet bereikt" and "Afspraak
gemaakt" need that this worker showed the number first: nobody called without it.
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
from bot.referrals.resident_updates import result_update, told_overdue
from bot.store.models import AccessLog, Conversation, User

# Waiting for the team: new (delivered or not), opened, or not reached once (a second try is due).
OPEN = ("accepted", "sent", "seen", "not_reached")
STATUS_NL = {"accepted": "nieuw", "sent": "nieuw", "seen": "geopend", "not_reached": "1 keer niet bereikt"}
RESULT_NL = {"called": "Gebeld", "appointment": "Afspraak gemaakt", "not_reached": "Niet bereikt",
             "no_longer_needed": "Niet meer nodig"}
# Results that say someone called: only after this worker showed the number.
AFTER_CALLING = ("called", "appointment", "not_reached")
LIST = "/console/terugbelverzoeken"
NOT_FOUND = "Dit terugbelverzoek bestaat niet, of je mag het niet openen."
GONE = "Dit verzoek is ingetrokken of al afgehandeld. Het nummer en de samenvatting zijn gewist."
KEPT = "blijft voor een tweede poging"


def dutch_day(day: date) -> str:
    """'dinsdag 29 december'."""
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def consent_line(referral: Referral) -> str:
    """'24 december 10:03' (Dutch time): when the resident agreed. The wording's version is small
    print on the referral's own page."""
    if referral.consent_at is None:
        return "niet vastgelegd"
    moment = referral.consent_at.replace(tzinfo=UTC).astimezone(LOCAL_TIME)
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment:%H:%M}"


def local_moment(moment: datetime) -> str:
    """'dinsdag 24 november om 9:00' (Dutch time) for a stored UTC time."""
    here = moment.replace(tzinfo=UTC).astimezone(LOCAL_TIME)
    return f"{dutch_day(here.date())} om {here.hour}:{here:%M}"


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


async def open_count(request: Request, user: User) -> int:
    """For the menu link "Terugbelverzoeken (3)"."""
    async with switchboard_of(request).sessions() as db:
        return len(await open_referrals(db, user.team))


class Closed(Exception):
    """The team's own referral, no longer open (withdrawn, closed, erased rows are gone entirely)."""


async def team_referral(db, request: Request, user: User, referral_id: int) -> Referral | None:
    """The referral if it is open and this worker's team handles it; None otherwise (answered 404).
    Raises Closed for one of the team's own referrals that was withdrawn or closed (answered 410)."""
    if not handles_referrals(user, directory_of(request)):
        return None
    referral = await db.get(Referral, referral_id)
    if referral is None or referral.team != user.team or referral.status == "offered":
        return None
    if referral.status not in OPEN or referral.closed_at:
        raise Closed(referral_id)
    return referral


async def not_found(request: Request, user: User, csrf: str, gone: bool = False) -> Response:
    return render("message.html", status=410 if gone else 404, user=user, csrf=csrf, text=GONE if gone else NOT_FOUND,
                  back=LIST, open_count=await open_count(request, user) if handles_referrals(user) else None)


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
        return f"Verzoek {value} opgeslagen als {label}. Het blijft in de lijst voor een tweede poging."
    return (f"Verzoek {value} opgeslagen als {label}. Het is afgesloten en staat niet meer in de lijst. "
            "Het nummer en de samenvatting zijn gewist. De bewoner krijgt bericht.")


@require("worker", "manager", "admin")
async def referrals_page(request: Request, user: User, csrf: str) -> Response:
    if not handles_referrals(user, directory_of(request)):
        return render("message.html", status=404, user=user, csrf=csrf, text="Deze pagina bestaat niet.",
                      back="/console")
    async with switchboard_of(request).sessions() as db:
        referrals = await open_referrals(db, user.team)
    now = today()
    rows = [Row.of(r, now, directory_of(request)) for r in referrals]
    return render("referrals.html", user=user, csrf=csrf, rows=rows, open_count=len(rows),
                  services=sorted({row.service for row in rows}), done=await done_message(request, user))


async def phone_shown(db, user: User, referral: Referral) -> bool:
    """Whether this worker used "Toon nummer" on this referral (the access log says so)."""
    return await db.scalar(select(AccessLog.id).where(
        AccessLog.user_id == user.id, AccessLog.referral_id == referral.id,
        AccessLog.action == "referral_phone").limit(1)) is not None


async def overdue_told(db, request: Request, referral: Referral) -> str | None:
    """What the resident already heard about a passed deadline, and whether they then asked for a person."""
    message = await told_overdue(db, referral, directory_of(request))
    if message is None:
        return None
    line = f"De bewoner kreeg op {local_moment(message.created_at)} bericht dat de termijn voorbij is"
    conversation = await db.get(Conversation, referral.conversation_id)
    asked = conversation is not None and conversation.handover_at is not None \
        and conversation.handover_at >= message.created_at
    if asked:
        return f"{line}. Daarna vroeg de bewoner om een medewerker van de gemeente."
    return f"{line}, met de vraag of een medewerker van de gemeente moet helpen. Dat heeft de bewoner niet gevraagd."


async def detail(db, request: Request, user: User, csrf: str, referral: Referral, phone: str | None = None) -> Response:
    rows = await open_referrals(db, user.team)
    return render("referral.html", user=user, csrf=csrf, row=Row.of(referral, today(), directory_of(request)),
                  phone=phone, results=RESULT_NL, open_count=len(rows),
                  called=phone is not None or await phone_shown(db, user, referral),
                  overdue_told=await overdue_told(db, request, referral))


@require("worker", "manager", "admin")
async def referral_page(request: Request, user: User, csrf: str) -> Response:
    """One referral with its summary: a read, logged; a new one is marked seen."""
    try:
        async with switchboard_of(request).sessions.begin() as db:
            referral = await team_referral(db, request, user, request.path_params["id"])
            if referral is None:
                return await not_found(request, user, csrf)
            await mark_seen(db, referral)
            await log_access(db, user, referral.conversation_id, "referral_open",
                             f"terugbelverzoek {referral.id} van het team {referral.team}", referral_id=referral.id)
            response = await detail(db, request, user, csrf, referral)
    except Closed:
        return await not_found(request, user, csrf, gone=True)
    return response


async def phone_again(request: Request) -> Response:
    """The number's POST address opened by GET (reload, back on a phone): the referral's page, not a 405."""
    return RedirectResponse(f"{LIST}/{request.path_params['id']}", status_code=303)


@require("worker", "manager", "admin")
async def show_phone(request: Request, user: User, csrf: str) -> Response:
    """The number, only on the worker's explicit request (a POST, so it is never in a URL or a history)."""
    try:
        async with switchboard_of(request).sessions.begin() as db:
            referral = await team_referral(db, request, user, request.path_params["id"])
            if referral is None or referral.phone is None:
                return await not_found(request, user, csrf)
            await mark_seen(db, referral)
            await log_access(db, user, referral.conversation_id, "referral_phone",
                             f"terugbelverzoek {referral.id}: nummer getoond om terug te bellen",
                             referral_id=referral.id)
            number = spoken_phone(unseal(switchboard_of(request).secret, referral.phone))
            response = await detail(db, request, user, csrf, referral, phone=number)
    except Closed:
        return await not_found(request, user, csrf, gone=True)
    return response


@require("worker", "manager", "admin")
async def record(request: Request, user: User, csrf: str) -> Response:
    """A result button: first a confirm screen with what the resident will be told; "Ja, vastleggen"
    records it, logs it, and goes back to the list with a confirmation."""
    form = await request.form()
    result = str(form.get("result", ""))
    if result not in RESULT_NL:
        return render("message.html", status=422, user=user, csrf=csrf, text="Kies een van de knoppen.",
                      back=LIST)
    switchboard = switchboard_of(request)
    try:
        async with switchboard.sessions.begin() as db:
            referral = await team_referral(db, request, user, request.path_params["id"])
            if referral is None:
                return await not_found(request, user, csrf)
            if result in AFTER_CALLING and not await phone_shown(db, user, referral):
                return render("message.html", status=409, user=user, csrf=csrf, back=f"{LIST}/{referral.id}",
                              text=f"Toon eerst het nummer en bel de bewoner. Daarna kun je "
                                   f"'{RESULT_NL[result]}' vastleggen.")
            if form.get("zeker") != "ja":
                closes = result != "not_reached" or referral.not_reached >= 1
                return render("referral_confirm.html", user=user, csrf=csrf, referral=referral, result=result,
                              label=RESULT_NL[result], closes=closes, open_count=len(await open_referrals(db, user.team)),
                              told=result_update(referral, result, directory_of(request), datetime.now(UTC),
                                                 switchboard.settings))
            await record_result(db, referral, result)
            kept = f" ({KEPT})" if referral.closed_at is None else ""
            await log_access(db, user, referral.conversation_id, "referral_result",
                             f"terugbelverzoek {referral.id}: {RESULT_NL[result]}{kept}", referral_id=referral.id)
            referral_id = referral.id
    except (Closed, WrongState):
        return render("message.html", status=409, user=user, csrf=csrf, back=LIST,
                      text="Dit verzoek is niet meer open. Het is ingetrokken of een collega heeft het al afgehandeld.")
    return RedirectResponse(f"{LIST}?klaar={referral_id}", status_code=303)
