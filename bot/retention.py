"""Conversation text is kept for a limited time (VOORDEUR_RETENTION_DAYS, default 30).
Need events stay: they hold nothing personal."""

from __future__ import annotations

import os
from datetime import timedelta

from sqlalchemy import delete

from bot.store.db import run_once_across_replicas
from bot.store.models import Conversation, utcnow

RETENTION_JOB_LOCK = 7_002  # PostgreSQL advisory lock id


def retention_days() -> int:
    return int(os.environ.get("VOORDEUR_RETENTION_DAYS", "30"))


async def delete_expired(sessions, days: int | None = None) -> int:
    """Delete conversations (and their messages and notes) untouched for `days` days."""
    cutoff = utcnow() - timedelta(days=retention_days() if days is None else days)
    deleted = 0

    async def job(db) -> None:
        nonlocal deleted
        result = await db.execute(
            delete(Conversation).where(Conversation.updated_at < cutoff).execution_options(synchronize_session=False)
        )
        deleted = result.rowcount or 0

    await run_once_across_replicas(sessions, RETENTION_JOB_LOCK, job)
    return deleted
