"""SQLite for the async engine: aiosqlite, with one trip to its thread per statement.

aiosqlite runs each connection in a thread of its own, and SQLAlchemy's adapter makes four trips
there and back for one statement (a cursor, execute, fetch all, close), each a hand-over between
the event loop and that thread. This cursor makes the same calls in one trip: the statement runs
with its own sqlite3 cursor on the connection's thread and comes back with its rows. The
connection, its thread, transactions and errors stay aiosqlite's and SQLAlchemy's; only the
cursor differs. A message costs about 17 statements, so this takes some 50 hand-overs off each
one (docs/benchmarks.md). And the pool's rollback of every connection it gets back is skipped
when no transaction is open (after a commit), one hand-over less per transaction. PostgreSQL (asyncpg) is not affected.

Inside `on_the_loop()` (the switchboard's transactions for a resident message: a few statements
by index each) the statements run on the event loop itself: the hand-over to the thread and back
costs more than such a statement. A lock that another writer holds is then waited for by trying
again after a short sleep that lets the loop go on (SQLite's own busy wait would stop the loop,
and with it the writer it waits for, when that is another connection of this process). The
commit still goes to the thread: it waits for the disk (fsync), which on a slow disk would stop
every other resident's message meanwhile.

It leans on two attributes of aiosqlite 0.22's Connection that are not public (`_execute`, which
runs a function on the connection's thread, and `_conn`, the sqlite3 connection); the version is
pinned in requirements/app.lock and tests/test_sqlite_driver.py checks both.
"""

from __future__ import annotations

import asyncio
import collections
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_


LOCK_WAIT_MS = 30_000  # how long a statement waits for another writer's lock (PRAGMA busy_timeout)
_ON_THE_LOOP: ContextVar[bool] = ContextVar("sqlite_on_the_loop", default=False)


@contextmanager
def on_the_loop() -> Iterator[None]:
    """Run the statements of the transactions opened inside on the event loop (see the module)."""
    token = _ON_THE_LOOP.set(True)
    try:
        yield
    finally:
        _ON_THE_LOOP.reset(token)


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> tuple:
    """On the connection's thread: the statement, its rows, and what the cursor says about it."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose statement, rows and close are one call on the connection's thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # Not the parent's __init__: it opens an aiosqlite cursor, a trip of its own.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]  # no aiosqlite cursor is kept open
        self._soft_closed_memoized = EMPTY_DICT
        self._rows: collections.deque = collections.deque()
        self._description = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _async_soft_close(self) -> None:
        pass  # nothing is open on the thread once a statement came back

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        return self._trip(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        return self._trip(operation, seq_of_parameters, many=True)

    def _trip(self, operation: Any, parameters: Any, many: bool) -> None:
        connection = cast("OneTripConnection", self._adapt_connection)
        try:
            if _ON_THE_LOOP.get():
                answer = connection.here(_run, operation, parameters, many)
            else:
                answer = await_(self._one_trip(operation, parameters, many))
        except Exception as error:
            connection._handle_exception(error)
        self._description, self._rowcount, self._lastrowid, rows = answer
        self._rows = collections.deque(rows)

    async def _one_trip(self, operation: Any, parameters: Any, many: bool) -> tuple:
        adapt = cast("OneTripConnection", self._adapt_connection)
        async with adapt._execute_mutex:
            connection = self._connection
            if adapt._waits_itself:  # back to SQLite's own busy wait, on its own thread
                await connection._execute(_busy_timeout, connection._conn, LOCK_WAIT_MS)
                adapt._waits_itself = False
            return await connection._execute(_run, connection._conn, operation, parameters, many)


def _busy_timeout(connection: sqlite3.Connection, milliseconds: int) -> None:
    connection.execute(f"PRAGMA busy_timeout={int(milliseconds)}")


def _rollback(connection: sqlite3.Connection) -> None:
    connection.rollback()


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_waits_itself",)
    _cursor_cls = OneTripCursor  # type: ignore[assignment]
    _waits_itself: bool  # SQLite's busy wait is off: `here` waits itself (set in `connect`)

    def here(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(the sqlite3 connection, *args) on the event loop. While another writer holds the
        lock, sleep (the loop goes on) and try again, for LOCK_WAIT_MS at most."""
        connection = self._connection._conn
        if not self._waits_itself:  # SQLite's busy wait would sleep on the loop
            _busy_timeout(connection, 0)
            self._waits_itself = True
        deadline = time.monotonic() + LOCK_WAIT_MS / 1000
        while True:
            try:
                return fn(connection, *args)
            except sqlite3.OperationalError as error:
                # Only a lock held by another writer: not a snapshot gone stale (SQLITE_BUSY_SNAPSHOT,
                # trying again cannot help) or any other error.
                if getattr(error, "sqlite_errorcode", None) != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
            await_(asyncio.sleep(0.002))

    def rollback(self) -> None:
        """Roll back only when a transaction is open: the pool resets every connection it gets
        back, also after a commit, and that rollback would be a trip to the thread for nothing.
        (sqlite3 answers `in_transaction` from any thread; it reads SQLite's autocommit flag.)
        Inside `on_the_loop` on the loop: a rollback does not wait for the disk."""
        connection = self._connection._connection
        if connection is None or not connection.in_transaction:
            return
        if not _ON_THE_LOOP.get():
            super().rollback()
            return
        try:
            self.here(_rollback)
        except Exception as error:
            self._handle_exception(error)


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module SQLAlchemy's aiosqlite dialect is given (create_async_engine(module=...))."""

    def connect(self, *args: Any, **kwargs: Any) -> OneTripConnection:
        # Made on aiosqlite's thread, also used on the loop's (`on_the_loop`), never by both at once.
        connection = self.aiosqlite.connect(*args, **{**kwargs, "check_same_thread": False})
        connection._thread.daemon = True  # as SQLAlchemy does: a stuck thread never blocks exit
        adapted = OneTripConnection(self, await_(connection))
        adapted._waits_itself = False
        return adapted


def one_trip_dbapi() -> OneTripDBAPI:
    import aiosqlite

    return OneTripDBAPI(aiosqlite, sqlite3)
