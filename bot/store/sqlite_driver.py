"""SQLite for the async engine: aiosqlite, with one trip to its thread per statement.

aiosqlite runs each connection in a thread of its own, and SQLAlchemy's adapter makes four trips
there and back for one statement (a cursor, execute, fetch all, close), each a hand-over between
the event loop and that thread. This cursor makes the same calls in one trip: the statement runs
with its own sqlite3 cursor on the connection's thread and comes back with its rows. The
connection, its thread, transactions and errors stay aiosqlite's and SQLAlchemy's; only the
cursor differs. A message costs about 17 statements, so this takes some 50 hand-overs off each
one (docs/benchmarks.md). And the pool's rollback of every connection it gets back is skipped
when no transaction is open (after a commit), one hand-over less per transaction. PostgreSQL (asyncpg) is not affected.

It leans on two attributes of aiosqlite 0.22's Connection that are not public (`_execute`, which
runs a function on the connection's thread, and `_conn`, the sqlite3 connection); the version is
pinned in requirements/app.lock and tests/test_sqlite_driver.py checks both.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_


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
        try:
            await_(self._one_trip(operation, parameters, many))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _one_trip(self, operation: Any, parameters: Any, many: bool) -> None:
        async with self._adapt_connection._execute_mutex:
            connection = self._connection
            answer = await connection._execute(_run, connection._conn, operation, parameters, many)
        self._description, self._rowcount, self._lastrowid, rows = answer
        self._rows = collections.deque(rows)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor  # type: ignore[assignment]

    def rollback(self) -> None:
        """Roll back only when a transaction is open: the pool resets every connection it gets
        back, also after a commit, and that rollback would be a trip to the thread for nothing.
        (sqlite3 answers `in_transaction` from any thread; it reads SQLite's autocommit flag.)"""
        connection = self._connection._connection
        if connection is not None and connection.in_transaction:
            super().rollback()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module SQLAlchemy's aiosqlite dialect is given (create_async_engine(module=...))."""

    def connect(self, *args: Any, **kwargs: Any) -> OneTripConnection:
        connection = self.aiosqlite.connect(*args, **kwargs)
        connection._thread.daemon = True  # as SQLAlchemy does: a stuck thread never blocks exit
        return OneTripConnection(self, await_(connection))


def one_trip_dbapi() -> OneTripDBAPI:
    import aiosqlite

    return OneTripDBAPI(aiosqlite, sqlite3)
