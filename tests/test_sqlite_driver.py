"""The SQLite driver of the async engine (bot/store/sqlite_driver.py): one trip to aiosqlite's
thread per statement, with the same rows, counts, ids and errors as before; inside `on_the_loop`
no trip at all, and a lock another writer holds is waited for without stopping the loop."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from pathlib import Path

import aiosqlite.core
import pytest
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from bot.store.db import create_tables, leave_no_trace, make_engine, make_sessionmaker
from bot.store.models import Conversation, Message
from bot.store.sqlite_driver import on_the_loop


@pytest.fixture
async def sessions(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    await create_tables(engine)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch) -> list[str]:
    """The name of every function aiosqlite runs on a connection's thread from now on."""
    names: list[str] = []
    original = aiosqlite.core.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        names.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.core.Connection, "_execute", counted)
    return names


async def test_a_statement_is_one_trip_with_its_rows(sessions, trips):
    async with sessions.begin() as db:
        db.add_all([Conversation(channel="webchat", resident=f"r{i}") for i in range(3)])
    async with sessions() as db:
        trips.clear()
        residents = list(await db.scalars(select(Conversation.resident).order_by(Conversation.resident)))
        assert trips == ["_run"]  # cursor, execute, fetch and close in one
    assert residents == ["r0", "r1", "r2"]


async def test_inserted_ids_changed_rows_and_many_rows_at_once(sessions):
    async with sessions.begin() as db:
        conversation = Conversation(channel="webchat", resident="r")
        db.add(conversation)
        await db.flush()
        assert conversation.id is not None  # the id the database gave
        await db.execute(insert(Message), [
            {"conversation_id": conversation.id, "direction": "out", "sender": "bot", "text": f"t{i}", "status": "queued"}
            for i in range(4)])  # executemany
        changed = await db.execute(update(Message).where(Message.text.in_(["t1", "t2"])).values(status="delivered"))
        assert changed.rowcount == 2
    async with sessions() as db:
        assert await db.scalar(select(func.count(Message.id))) == 4
        assert await db.scalar(text("SELECT count(*) FROM messages WHERE status = 'delivered'")) == 2


async def test_a_constraint_still_raises_integrity_error_and_rolls_back(sessions):
    async with sessions.begin() as db:
        db.add(Conversation(channel="webchat", resident="same"))
    with pytest.raises(IntegrityError):
        async with sessions.begin() as db:
            db.add(Conversation(channel="webchat", resident="other"))
            await db.flush()
            db.add(Conversation(channel="webchat", resident="same"))  # unique (channel, resident)
    async with sessions() as db:
        assert list(await db.scalars(select(Conversation.resident))) == ["same"]  # "other" rolled back


async def test_a_transaction_is_rolled_back_only_when_it_is_open(sessions, trips):
    async with sessions.begin() as db:
        trips.clear()
        db.add(Conversation(channel="webchat", resident="kept"))
    assert "rollback" not in trips  # committed: the pool's reset has nothing to undo
    async with sessions() as db:  # left without a commit: the written row is undone
        db.add(Conversation(channel="webchat", resident="dropped"))
        await db.flush()
        trips.clear()
    assert trips == ["rollback"]
    async with sessions() as db:
        assert list(await db.scalars(select(Conversation.resident))) == ["kept"]


async def _thread_of_statements(db) -> int:
    """The thread a statement of this session runs on (a SQL function that says so)."""
    raw = (await db.connection()).sync_connection.connection.dbapi_connection
    raw._connection._conn.create_function("thread_id", 0, threading.get_ident)
    return await db.scalar(text("SELECT thread_id()"))


async def test_on_the_loop_statements_run_on_the_event_loop_and_only_the_commit_on_the_thread(sessions, trips):
    with on_the_loop():
        async with sessions.begin() as db:
            assert await _thread_of_statements(db) == threading.get_ident()
            db.add(Conversation(channel="webchat", resident="here"))
    assert trips == ["commit"]  # it waits for the disk: the loop goes on meanwhile
    async with sessions() as db:  # elsewhere (console, jobs): on the connection's own thread
        assert await _thread_of_statements(db) != threading.get_ident()
        assert list(await db.scalars(select(Conversation.resident))) == ["here"]


@contextlib.asynccontextmanager
async def another_writer(path, seconds: float):
    """Another connection holds SQLite's write lock for `seconds`, then commits (on the loop)."""
    holder = sqlite3.connect(path, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    asyncio.get_running_loop().call_later(seconds, holder.commit)
    try:
        yield
    finally:
        holder.close()


async def test_a_lock_held_by_another_writer_is_waited_for_without_stopping_the_loop(sessions, tmp_path):
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticking = asyncio.create_task(ticker())
    try:
        async with another_writer(tmp_path / "driver.db", 0.3):
            started = time.monotonic()
            with on_the_loop():
                async with sessions.begin() as db:
                    db.add(Conversation(channel="webchat", resident="waited"))
            waited = time.monotonic() - started
    finally:
        ticking.cancel()
    assert 0.25 < waited < 5  # it waited for the lock, and got it once the other writer was done
    assert ticks >= 10  # meanwhile the loop went on (SQLite's own busy wait would have stopped it)
    async with sessions() as db:
        assert list(await db.scalars(select(Conversation.resident))) == ["waited"]


async def test_after_the_loop_a_connection_waits_for_a_lock_on_its_own_thread_again(sessions, tmp_path):
    with on_the_loop():
        async with sessions.begin() as db:
            db.add(Conversation(channel="webchat", resident="first"))
    # The same pooled connection, now off the loop, waits with SQLite's own busy wait.
    async with another_writer(tmp_path / "driver.db", 0.3), sessions.begin() as db:
        db.add(Conversation(channel="webchat", resident="second"))
    async with sessions() as db:
        assert sorted(await db.scalars(select(Conversation.resident))) == ["first", "second"]


async def test_erased_text_leaves_the_wal_though_another_checkpoint_runs_at_that_moment(sessions, tmp_path):
    """`leave_no_trace` after an erase: SQLite answers busy at once while another connection
    checkpoints (a retention round beside an erase); the erase waits for its own checkpoint, so
    the text is gone from the -wal file when it returns, not only after the other one is done."""
    path, secret = tmp_path / "driver.db", "Wisnaam-Uniek-5521"
    async with sessions.begin() as db:
        conversation = Conversation(channel="webchat", resident="r")
        db.add(conversation)
        await db.flush()
        db.add(Message(conversation_id=conversation.id, direction="in", sender="resident", text=secret,
                       status="done"))
    async with sessions.begin() as db:
        await db.execute(delete(Message))
    reader = sqlite3.connect(path, check_same_thread=False)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM messages").fetchall()  # an older snapshot, still read
    other = sqlite3.connect(path, timeout=10, check_same_thread=False)
    other_checkpoint = asyncio.create_task(asyncio.to_thread(
        lambda: other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()))  # waits for the reader
    await asyncio.sleep(0.2)
    asyncio.get_running_loop().call_later(0.3, reader.rollback)
    try:
        await leave_no_trace(sessions)
        assert secret.encode() not in Path(f"{path}-wal").read_bytes()
    finally:
        await other_checkpoint
        reader.close()
        other.close()
