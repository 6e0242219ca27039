"""The statements read with every resident message find their rows through indexes: none reads a
whole table, so a message costs the same with ten conversations or ten thousand (the queue's
counts once scanned every conversation while the desk was open)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.dialects import sqlite

from bot.app import create_app
from bot.config import Settings
from bot.lifecycle import State
from bot.switchboard import CLAIMED_MESSAGE

TABLES = ("conversations", "messages", "follow_ups", "referrals", "need_events", "case_needs")


@pytest.fixture(scope="module")
async def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plans")
    app = create_app(Settings.load({"DATABASE_URL": f"sqlite:///{folder / 'plans.db'}", "VOORDEUR_SECRET": "plans",
                                    "VOORDEUR_DATA_DIR": str(folder), "VOORDEUR_DEMO_MODE": "1"}))
    async with app.router.lifespan_context(app):
        yield app


async def whole_table_reads(app, statement) -> list[str]:
    """The tables SQLite's plan for `statement` reads from start to end."""
    bound = statement.params(channel="webchat", resident="r", conversation=1, before=5, id=1)
    sql = str(bound.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    async with app.state.engine.connect() as connection:
        plan = [row[-1] for row in (await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)).all()]
    assert plan
    return [line for line in plan if re.match(r"SCAN (%s)\b" % "|".join(TABLES), line)]


@pytest.mark.parametrize("text", ["ik heb schulden", "ja", "ik wil niet meer gebeld worden", "terugbellen:ja"])
@pytest.mark.parametrize("desk_open", [True, False])
async def test_every_message_finds_its_rows_through_indexes(app, text, desk_open):
    switchboard = app.state.switchboard
    assert await whole_table_reads(app, switchboard._look_statement(text, queue=desk_open)) == []
    for state in State:
        assert await whole_table_reads(app, switchboard._snapshot_statement(state, desk_open, text)) == [], state
    assert await whole_table_reads(app, CLAIMED_MESSAGE) == []
