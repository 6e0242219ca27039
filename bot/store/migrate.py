"""Schema migrations (Alembic), run by the gateway at start on SQLite and PostgreSQL alike.

Several replicas may start at once: on PostgreSQL an advisory lock lets one migrate while the
others wait, then find nothing left to do. A database that is up to date (the usual start, and
every `voordeur` command) is recognised without importing Alembic: the newest revision is read
from the scripts' own `revision` and `down_revision` lines (tests/test_migrations.py checks it
is Alembic's head).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 7_000
_FIELD = re.compile(r"^(revision|down_revision)\s*=\s*(None|'[^']*'|\"[^\"]*\"|\([^)]*\))", re.MULTILINE)


def alembic_config(connection=None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def head() -> str | None:
    """The newest revision: the one no other migration builds on (None when there are several,
    and Alembic has the last word)."""
    revisions: set[str] = set()
    below: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        fields = {name: ast.literal_eval(value) for name, value in _FIELD.findall(path.read_text(encoding="utf-8"))}
        revisions.add(fields["revision"])
        down = fields.get("down_revision")
        below.update(down if isinstance(down, tuple) else [down] if down else [])
    heads = revisions - below
    return heads.pop() if len(heads) == 1 else None


def current_revision(connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _upgrade(connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK})
    newest = head()
    if newest is not None and current_revision(connection) == newest:
        return  # up to date
    from alembic import command

    command.upgrade(alembic_config(connection), "head")


async def migrate(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)
