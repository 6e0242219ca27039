"""The handover queue: join, wait estimate, claim (exactly one worker wins), hand back,
transfer and close. Functions take an explicit database session."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.handover.hours import desk_hours, say_when
from bot.responses import response
from bot.store.models import Conversation, User, utcnow

MINUTES_PER_CASE = int(os.environ.get("VOORDEUR_MINUTES_PER_CASE", "10"))
REMIND_AFTER_MINUTES = int(os.environ.get("VOORDEUR_REMIND_MINUTES", "15"))


def join_queue(conversation: Conversation, reason: str, urgent: bool = False) -> bool:
    """Put a conversation in the queue; False when a person already has it."""
    if conversation.state not in ("bot", "closed"):
        conversation.urgent = conversation.urgent or urgent
        return False
    conversation.state = "waiting_for_human"
    conversation.handover_reason = reason[:32]
    conversation.handover_at = utcnow()
    conversation.reminded_at = None
    conversation.assigned_to = None
    conversation.urgent = conversation.urgent or urgent
    return True


def queue_order():
    """Urgent first, then who waited longest."""
    return (case((Conversation.urgent, 0), else_=1), Conversation.handover_at, Conversation.id)


async def waiting(db: AsyncSession) -> list[Conversation]:
    rows = await db.scalars(
        select(Conversation).where(Conversation.state == "waiting_for_human").order_by(*queue_order())
    )
    return list(rows)


async def ahead_of(db: AsyncSession, conversation: Conversation) -> int:
    queue = await waiting(db)
    ids = [c.id for c in queue]
    return ids.index(conversation.id) if conversation.id in ids else len(ids)


async def handover_notice(db: AsyncSession, conversation: Conversation,
                          now: datetime | None = None) -> str:
    """What the resident is told on joining the queue: honest wait, or when we are back."""
    now = now or clock.now()
    hours = desk_hours()
    if not hours.is_open(now):
        opening = hours.next_opening(now)
        when = say_when(opening, now) if opening else "zo snel we kunnen"
        return response("utter_gateway_handover_closed").text.format(next_opening=when)
    ahead = await ahead_of(db, conversation)
    minutes = max(5, -(-MINUTES_PER_CASE * (ahead + 1) // 5) * 5)  # rounded up to 5
    name = "utter_gateway_handover_first" if ahead == 0 else "utter_gateway_handover_queue"
    return response(name).text.format(ahead=ahead, minutes=minutes)


async def claim(db: AsyncSession, conversation_id: int, user: User) -> bool:
    """Give the conversation to this worker. One atomic UPDATE: of two workers who click at
    the same moment (also on different gateway replicas) exactly one changes the row."""
    result = await db.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.state == "waiting_for_human")
        .values(state="with_human", assigned_to=user.id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def due_for_reminder(db: AsyncSession) -> list[Conversation]:
    """Waiting conversations nobody claimed for a while, whose resident should hear from us."""
    cutoff = utcnow() - timedelta(minutes=REMIND_AFTER_MINUTES)
    rows = await db.scalars(
        select(Conversation).where(
            Conversation.state == "waiting_for_human",
            Conversation.handover_at < cutoff,
            (Conversation.reminded_at.is_(None)) | (Conversation.reminded_at < cutoff),
        )
    )
    return list(rows)


@dataclass(frozen=True)
class CloseOutcome:
    """How a worker closes a conversation, as a need-log outcome."""

    label: str
    need_outcome: str


CLOSE_OUTCOMES = {
    "helped": CloseOutcome("Geholpen", "met"),
    "referred": CloseOutcome("Doorverwezen naar een dienst", "met"),
    "no_local_service": CloseOutcome("Niet geholpen: geen dienst in de wijk", "no_local_service"),
    "waiting_list": CloseOutcome("Niet geholpen: wachtlijst", "waiting_list"),
    "not_helped": CloseOutcome("Niet geholpen: dienst hielp niet", "not_helped"),
    "declined": CloseOutcome("Bewoner wilde geen hulp", "declined"),
    "out_of_scope": CloseOutcome("Vraag hoort niet bij ons", "out_of_scope"),
}
