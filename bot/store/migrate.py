"""Schema migrations (Alembic), run by the gateway at start on SQLite and PostgreSQL alike.

Several replicas may start at once: on PostgreSQL an advisory lock lets one migrate while the
others wait, then find nothing left to do.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 7_000


def alembic_config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def head() -> str | None:
    """The newest revision (the migration scripts are read once per process)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _upgrade(connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK})
    if MigrationContext.configure(connection).get_current_revision() == head():
        return  # up to date: the usual start, without loading Alembic's environment again
    command.upgrade(alembic_config(connection), "head")


async def migrate(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)
