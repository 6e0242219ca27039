"""Load the directory into the database at start, replacing what was there."""

from __future__ import annotations

from sqlalchemy import delete

from bot.directory.model import Directory
from bot.store.db import run_once_across_replicas
from bot.store.models import DirectoryService

SYNC_JOB_LOCK = 7_003  # PostgreSQL advisory lock id


async def sync_directory(sessions, directory: Directory) -> None:
    async def job(db) -> None:
        await db.execute(delete(DirectoryService))
        db.add_all(
            DirectoryService(
                id=s.id, name=s.name, organization=s.organization.name, description=s.description,
                phone=s.phones[0] if s.phones else None, intents=",".join(s.intents),
                areas=",".join(s.service_areas),
            )
            for s in directory.services
        )

    await run_once_across_replicas(sessions, SYNC_JOB_LOCK, job)
