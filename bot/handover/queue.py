"""The handover queue as workers see it: who waits, in which order, and who is due for a
reminder (what the resident is told is in bot/decision.py). Joining and leaving the queue are transitions in bot/lifecycle.py.
Functions take an explicit database session."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.lifecycle import State
from bot.store.models import Conversation, utcnow

def queue_order():
    """Urgent first, then who waited longest."""
    return (case((Conversation.urgent, 0), else_=1), Conversation.handover_at, Conversation.id)


async def waiting(db: AsyncSession) -> list[Conversation]:
    rows = await db.scalars(
        select(Conversation).where(Conversation.state == State.WAITING.value).order_by(*queue_order())
    )
    return list(rows)


async def due_for_reminder(db: AsyncSession, remind_minutes: int) -> list[Conversation]:
    """Waiting conversations nobody claimed for `remind_minutes`, whose resident should hear from us."""
    cutoff = utcnow() - timedelta(minutes=remind_minutes)
    rows = await db.scalars(
        select(Conversation).where(
            Conversation.state == State.WAITING.value,
            Conversation.handover_at < cutoff,
            (Conversation.reminded_at.is_(None)) | (Conversation.reminded_at < cutoff),
        )
    )
    return list(rows)
