"""The handover queue as residents and workers see it: who waits, in which order, how long,
and who is due for a reminder. Joining and leaving the queue are transitions in bot/lifecycle.py.
Functions take an explicit database session."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.handover.hours import desk_hours, say_when
from bot.lifecycle import State
from bot.responses import response
from bot.store.models import Conversation, utcnow

MINUTES_PER_CASE = int(os.environ.get("VOORDEUR_MINUTES_PER_CASE", "10"))
REMIND_AFTER_MINUTES = int(os.environ.get("VOORDEUR_REMIND_MINUTES", "15"))


def queue_order():
    """Urgent first, then who waited longest."""
    return (case((Conversation.urgent, 0), else_=1), Conversation.handover_at, Conversation.id)


async def waiting(db: AsyncSession) -> list[Conversation]:
    rows = await db.scalars(
        select(Conversation).where(Conversation.state == State.WAITING.value).order_by(*queue_order())
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


async def due_for_reminder(db: AsyncSession) -> list[Conversation]:
    """Waiting conversations nobody claimed for a while, whose resident should hear from us."""
    cutoff = utcnow() - timedelta(minutes=REMIND_AFTER_MINUTES)
    rows = await db.scalars(
        select(Conversation).where(
            Conversation.state == State.WAITING.value,
            Conversation.handover_at < cutoff,
            (Conversation.reminded_at.is_(None)) | (Conversation.reminded_at < cutoff),
        )
    )
    return list(rows)
