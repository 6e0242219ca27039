"""Rasa keeps no resident text (rasa_addons/tracker_store.py), in memory (make run) and in SQL
(docker-compose; here on a SQLite file), the dialogue still works, and erase and retention
delete what Rasa keeps."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from bot import stack
from bot.erase import erase_resident
from tests.conftest import PG_ADMIN_URL, postgres_reachable, running_gateway
from tests.security.test_erase import rasa_events, user_events

pytestmark = pytest.mark.rasa

WORDS = "ik word steeds lastig gevallen door hangjongeren bij het winkelcentrum"


def all_texts(events: list[dict]) -> list[str]:
    found = [e.get("text") for e in events] + [(e.get("parse_data") or {}).get("text") for e in events]
    return [t for t in found if t]


async def two_turns(gateway, session: str) -> str:
    """A need, then the wijk as a postcode: the second answer needs what the first turn set.
    The address comes when the resident says yes to the details."""
    await gateway.say(session, WORDS)
    body = await gateway.say(session, "1034 AB")
    details = await gateway.say(session, "ja")
    return " ".join(m["text"] for m in body["messages"] + details["messages"])


async def test_in_memory_trackers_hold_intents_but_no_text(gateway, rasa_server):
    answer = await two_turns(gateway, "store-memory-1")
    assert "Oosterweg 50" in answer  # the dialogue still works across turns
    events = await rasa_events(rasa_server.url, gateway.switchboard.pseudonym("webchat", "store-memory-1"))
    assert [e["parse_data"]["intent"]["name"] for e in user_events(events)][:1] == ["nuisance_youth"]
    assert all_texts(events) == []
    assert "hangjongeren" not in json.dumps(events) and "1034" not in json.dumps([e.get("text") for e in events])


class SQLStore:
    """A Rasa server on Voordeur's SQL tracker store, and a way to read its rows directly."""

    def __init__(self, service, dialect: str, where) -> None:
        self.service, self.dialect, self.where = service, dialect, where

    async def rows(self, sender: str) -> list[tuple[str, float, str]]:
        query = "SELECT type_name, timestamp, data FROM events WHERE sender_id = {} ORDER BY id"
        if self.dialect == "sqlite":
            with sqlite3.connect(self.where) as db:
                return db.execute(query.format("?"), (sender,)).fetchall()
        connection = await asyncpg.connect(self.where)
        try:
            return [tuple(row) for row in await connection.fetch(query.format("$1"), sender)]
        finally:
            await connection.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sql_rasa(request, tmp_path_factory, action_server, rasa_token):
    """SQLite (a file) and PostgreSQL (what docker-compose uses; skipped when not reachable)."""
    folder = tmp_path_factory.mktemp("sql-rasa")
    if request.param == "sqlite":
        store, where = f"  dialect: sqlite\n  db: {folder / 'rasa.db'}\n", folder / "rasa.db"
    else:
        if not asyncio.run(postgres_reachable()):
            pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
        name = "rasa_t_" + uuid.uuid4().hex[:10]
        admin = urlsplit(PG_ADMIN_URL)
        store = (f"  dialect: postgresql\n  url: {admin.hostname}\n  port: {admin.port or 5432}\n"
                 f"  username: {admin.username}\n  db: {name}\n  login_db: {admin.path.lstrip('/')}\n")
        where = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    endpoints = folder / "endpoints.yml"
    endpoints.write_text("action_endpoint:\n  url: ${ACTION_ENDPOINT_URL}\n"
                         "tracker_store:\n  type: rasa_addons.tracker_store.TextFreeSQLTrackerStore\n" + store)
    service = stack.start_rasa(stack.free_port(), rasa_token, action_server.url, folder, endpoints=endpoints)
    yield SQLStore(service, request.param, where)
    service.stop()
    if request.param == "postgresql":
        asyncio.run(drop_database(where.rsplit("/", 1)[1]))


async def drop_database(name: str) -> None:
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def test_sql_trackers_hold_no_text_and_erase_and_retention_delete_them(tmp_path, sql_rasa, action_server):
    rasa = sql_rasa.service
    async with running_gateway(tmp_path, rasa.url, action_server.url) as gateway:
        answer = await two_turns(gateway, "store-sql-0001")
        await gateway.say("store-sql-0002", "ik heb schulden")
        me = gateway.switchboard.pseudonym("webchat", "store-sql-0001")
        other = gateway.switchboard.pseudonym("webchat", "store-sql-0002")
        assert "Oosterweg 50" in answer
        stored = await sql_rasa.rows(me)
        assert any(kind == "user" for kind, _, _ in stored)
        assert all_texts([json.loads(data) for _, _, data in stored]) == []
        assert not any("hangjongeren" in data for _, _, data in stored)
        if sql_rasa.dialect == "sqlite":
            raw = b"".join(p.read_bytes() for p in sql_rasa.where.parent.glob("rasa.db*"))
            assert b"hangjongeren" not in raw  # not in the file, nor its journal

        # Retention: an event older than the period is deleted at the next save.
        old = time.time() - 400 * 86400
        async with httpx.AsyncClient() as client:
            await client.post(f"{rasa.url}/conversations/{other}/tracker/events", params={"token": "test-token"},
                              json=[{"event": "slot", "name": "wijk", "value": "Noord", "timestamp": old}])
        kept = await sql_rasa.rows(other)
        assert kept and min(ts for _, ts, _ in kept) > old + 86400

        erased = await erase_resident(gateway.switchboard.sessions, gateway.switchboard.rasa, "webchat", me)
        assert erased.assistant
        assert await sql_rasa.rows(me) == []  # Rasa's SQL store alone would keep every row
        assert await sql_rasa.rows(other)  # only that resident
        assert user_events(await rasa_events(rasa.url, me)) == []
