"""A migrated database (SQLite, or PostgreSQL with the suite's TEST_DB), the demo directory, one conversation."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.directory.load import load_directory
from bot.store.db import create_tables, make_engine, make_sessionmaker
from bot.config import async_database_url
from bot.store.models import Conversation
from tests.conftest import database_for_test

SECRET = "test-secret"
DIRECTORY = Path(__file__).resolve().parents[2] / "directory" / "services.yml"


@pytest.fixture
def directory():
    return load_directory(DIRECTORY)


@pytest.fixture
async def sessions(tmp_path):
    async with database_for_test(tmp_path) as url:
        engine = make_engine(async_database_url(url))
        await create_tables(engine)
        try:
            yield make_sessionmaker(engine)
        finally:
            await engine.dispose()


@pytest.fixture
async def conversation_id(sessions) -> int:
    async with sessions.begin() as db:
        conversation = Conversation(channel="telegram", resident="p" * 32, wijk="Noord")
        db.add(conversation)
        await db.flush()
        return conversation.id
