"""Closing the loop: the resident hears on their own channel what became of their call-back request.

The background loop (bot/app.py) calls `tell_residents` every round, on one replica at a time.
It tells a resident, once per update, when the service has seen the request (with the deadline
as a Dutch day), when it tried to call and could not reach them, when it called or made an
appointment, when the service closed it as "niet meer nodig" without a call (offering a person,
in case the resident did not say so, or changed their mind), and - honestly - when the deadline
passed without any result, offering a person (the same /ask_human button the assistant offers).
A withdrawn referral says nothing more: the resident withdrew it themselves.

What was told is remembered on the referral (`told`), in the same transaction that stores the
message, so a restart or a second replica never tells it twice. Telegram and WhatsApp deliver
the message (WhatsApp outside its 24-hour window as the approved template, see
docs/channels.md); the web chat shows it the next time the page is open.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, UTC
from typing import TYPE_CHECKING

from sqlalchemy import String, and_, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.directory import default_directory
from bot.directory.hours import format_day
from bot.directory.model import Directory
from bot.handover.hours import worker_back_note
from bot.referrals.lifecycle import AWAITING
from bot.referrals.models import Referral
from bot.responses import response
from bot.store.db import run_once_across_replicas
from bot.store.models import Message

if TYPE_CHECKING:
    from bot.switchboard import Switchboard

log = logging.getLogger(__name__)

UPDATE_JOB_LOCK = 7_015  # PostgreSQL advisory lock id of this job
# Statuses the resident hears about, and the response that tells them.
TOLD_STATUSES = ("seen", "not_reached", "called", "appointment", "no_longer_needed")
TELL_OVERDUE_FROM = timedelta(hours=9)  # local time on the day after the deadline
OVERDUE = "overdue"  # in `told`: the resident heard the deadline passed without a result


def update_key(referral: Referral) -> str:
    """What a status tells, as remembered in `told`: 'seen:0', 'not_reached:1', 'not_reached:2'..."""
    return f"{referral.status}:{referral.not_reached}"


def overdue(referral: Referral, today: date) -> bool:
    """The deadline (a local date) passed and the service recorded no result, not even a try.
    (The anonymous count of this is bot/referrals/lifecycle.mark_overdue's, run by retention.)"""
    return referral.status in AWAITING and referral.deadline is not None and today > referral.deadline


def _update_name(status: str, not_reached: int) -> str:
    if status == "not_reached":
        return "utter_gateway_update_not_reached" if not_reached < 2 else "utter_gateway_update_not_reached_again"
    return f"utter_gateway_update_{status}"


def update_text(referral: Referral, name: str, directory: Directory, now: datetime,
                settings: Settings | None = None) -> tuple[str, list[dict] | None]:
    """The words (and buttons) of update `name` about this referral, as the resident gets them."""
    service = next((s for s in directory.services if s.id == referral.service_id), None)
    wording = response(name)
    day = format_day(referral.deadline) if referral.deadline else ""
    text = wording.text.format(service=service.name if service else "De hulpverlener", day=day)
    note = worker_back_note(now, settings) if wording.buttons else None  # it offers a person: say when one is there
    return (f"{text} {note}" if note else text), list(wording.buttons) or None


def result_update(referral: Referral, result: str, directory: Directory, now: datetime,
                  settings: Settings | None = None) -> str:
    """What the resident will hear if the service records `result` now (the console's confirm step)."""
    count = referral.not_reached + (result == "not_reached")
    return update_text(referral, _update_name(result, count), directory, now, settings)[0]


def _message(referral: Referral, name: str, directory: Directory, now: datetime,
             settings: Settings | None = None) -> Message:
    text, buttons = update_text(referral, name, directory, now, settings)
    return Message(conversation_id=referral.conversation_id, direction="out", sender="bot", text=text,
                   buttons=buttons, status="queued")


async def told_overdue(session: AsyncSession, referral: Referral, directory: Directory) -> Message | None:
    """The message that told this resident the deadline passed, if they got it (for the console:
    two workers should not act blind). Found by its words: the update's text, whatever note followed."""
    if not referral.was_told(OVERDUE):
        return None
    text, _ = update_text(referral, "utter_gateway_update_overdue", directory, datetime.now(UTC))
    wording = text.split(". ")[0]  # the sentence naming service and day; the note after it may differ
    return await session.scalar(
        select(Message).where(Message.conversation_id == referral.conversation_id, Message.direction == "out",
                              Message.sender == "bot", Message.text.startswith(wording, autoescape=True))
        .order_by(Message.id.desc()).limit(1))


async def due_updates(session: AsyncSession, directory: Directory, now: datetime,
                      settings: Settings | None = None) -> list[Message]:
    """Store a message for every update not told yet, and remember it on the referral."""
    # The deadline is the end of a working day; the resident hears it passed the next morning, not at midnight.
    today = (now.astimezone(directory.timezone) - TELL_OVERDUE_FROM).date()
    key = Referral.status + ":" + cast(Referral.not_reached, String)
    rows = await session.scalars(select(Referral).where(or_(
        and_(Referral.status.in_(TOLD_STATUSES), Referral.told.not_like("%" + key + "%")),
        and_(Referral.status.in_(AWAITING), Referral.deadline < today, Referral.told.not_like(f"%{OVERDUE}%")),
    )).order_by(Referral.id).limit(200))
    stored: list[Message] = []
    for referral in rows:
        if overdue(referral, today):  # "seen" after the deadline would promise a day gone by
            if referral.status in TOLD_STATUSES:
                referral.mark_told(update_key(referral))
            if not referral.was_told(OVERDUE):
                referral.mark_told(OVERDUE)
                stored.append(_message(referral, "utter_gateway_update_overdue", directory, now, settings))
        elif referral.status in TOLD_STATUSES and not referral.was_told(update_key(referral)):
            referral.mark_told(update_key(referral))
            name = _update_name(referral.status, referral.not_reached)
            stored.append(_message(referral, name, directory, now, settings))
    session.add_all(stored)
    return stored


async def tell_residents(switchboard: Switchboard, now: datetime | None = None) -> int:
    """Tell residents what their referral's service did (one replica; each update once); return how many."""
    directory = default_directory(switchboard.settings.directory_path)
    moment = now or datetime.now(UTC)
    stored: list[Message] = []

    async def job(session: AsyncSession) -> None:
        stored.extend(await due_updates(session, directory, moment, switchboard.settings))

    await run_once_across_replicas(switchboard.sessions, UPDATE_JOB_LOCK, job)
    if stored:
        log.info("referrals: told %d resident(s) about their call back", len(stored))
        await switchboard.send_stored(stored)
    return len(stored)
