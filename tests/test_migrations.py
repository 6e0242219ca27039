"""Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL,
and running them again (a second replica starting) changes nothing."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import bot.needs.models  # noqa: F401
import bot.referrals.models  # noqa: F401
from bot.config import async_database_url
from bot.store.db import create_tables, make_engine
from bot.store.models import Base
from tests.conftest import fresh_postgres_database, postgres_reachable


async def schema_differences(database_url: str) -> list:
    engine = make_engine(async_database_url(database_url))
    try:
        await create_tables(engine)
        await create_tables(engine)  # idempotent

        def diff(connection):
            return compare_metadata(MigrationContext.configure(connection), Base.metadata)

        async with engine.connect() as connection:
            return await connection.run_sync(diff)
    finally:
        await engine.dispose()


async def test_migrations_match_the_models_on_sqlite(tmp_path):
    assert await schema_differences(f"sqlite:///{tmp_path / 'm.db'}") == []


async def test_migrations_match_the_models_on_postgresql():
    if not await postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    async with fresh_postgres_database() as url:
        assert await schema_differences(url) == []


def test_the_newest_revision_read_from_the_scripts_is_alembics_head():
    from alembic.script import ScriptDirectory

    from bot.store.migrate import alembic_config, head

    assert head() == ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_an_up_to_date_database_is_started_without_alembic(tmp_path):
    """A database at head (every start but the first after an upgrade) does not import Alembic."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(async_database_url(url))
    await create_tables(engine)
    await engine.dispose()
    probe = ("import asyncio, sys; from bot.store.db import create_tables, make_engine; "
             f"e = make_engine({async_database_url(url)!r}); asyncio.run(create_tables(e)); "
             "print('alembic' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr
