"""The async engine and session factory; tables are created at start."""

from __future__ import annotations

import asyncio

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from bot.store.sqlite_driver import LOCK_WAIT_MS, one_trip_dbapi



def make_engine(database_url: str) -> AsyncEngine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            import os
            from pathlib import Path

            Path(url.database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Owner-only from the start; SQLite gives its -wal and -shm files the same mode.
            os.close(os.open(url.database, os.O_RDWR | os.O_CREAT, 0o600))
            for path in Path(url.database).parent.glob(Path(url.database).name + "*"):  # -wal, -shm
                try:
                    path.chmod(0o600)  # an older file left readable to others
                except OSError:
                    pass
        engine = create_async_engine(database_url, connect_args={"timeout": LOCK_WAIT_MS / 1000},
                                     module=one_trip_dbapi())

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            # WAL: readers never wait for the writer. synchronous stays FULL (not NORMAL): in WAL
            # mode NORMAL is safe against corruption, but a commit may be lost when the machine
            # loses power, and a webhook has answered 200 once its message is committed. One
            # fsync per commit costs about 0.3 ms here; the gateway's cost is CPU, not the disk
            # (docs/benchmarks.md), and a message now takes 2 write commits, not 4.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA secure_delete=ON")  # deleted text is overwritten, not left in free pages
            cursor.close()

        return engine
    return create_async_engine(database_url, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


async def create_tables(engine: AsyncEngine) -> None:
    """Bring the schema up to date (Alembic migrations)."""
    from bot.store.migrate import migrate

    await migrate(engine)


CHECKPOINT_TRIES = 50  # leave_no_trace: 20 ms apart, a second in all


async def leave_no_trace(sessions) -> None:
    """After deleting a resident's text: fold SQLite's write-ahead log back into the database
    and empty it, so erased text does not linger in the -wal file (freed pages are zeroed by
    secure_delete). SQLite answers busy at once when another connection runs a checkpoint at that
    moment (a retention round beside an erase): tried again for a second. Best effort beyond that:
    a reader that stays longer only delays it to the next erase or retention round. On
    PostgreSQL, autovacuum reclaims dead rows (docs/security.md)."""
    for _ in range(CHECKPOINT_TRIES):
        async with sessions() as session:
            if session.bind.dialect.name != "sqlite":
                return
            busy, _, _ = (await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))).one()
        if not busy:
            return
        await asyncio.sleep(0.02)


async def database_ok(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


async def run_once_across_replicas(sessions, job_id: int, job) -> bool:
    """Run `job(session)` on one replica only: on PostgreSQL under a transaction-level advisory
    lock (another replica holding it skips this round); on SQLite, one process, it just runs."""
    async with sessions.begin() as session:
        if session.bind.dialect.name == "postgresql":
            got = await session.scalar(text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": job_id})
            if not got:
                return False
        await job(session)
        return True
