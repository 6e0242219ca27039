"""Shared fixtures: the real Rasa server and action server (started once per session) and a
gateway served by uvicorn on a free port, with its own SQLite database per test module."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import socket
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn

from bot import clock, stack
from bot.app import create_app
from bot.config import Settings
from bot.handover.hours import DeskHours
from tests.browser import one_browser
from tests.fakes.server import running

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# A working Tuesday morning and 04:15 on a Monday night, no Dutch holiday on either. A test whose
# conversation depends on whether a worker is at the desk freezes the gateway's clock
# (bot/clock.py) at one of them, so it passes at whatever hour and on whatever day it runs.
DESK_OPEN = datetime(2026, 11, 24, 10, 30, tzinfo=AMSTERDAM)
DESK_CLOSED = datetime(2026, 11, 23, 4, 15, tzinfo=AMSTERDAM)


# Fixtures that start the real Rasa server or action server. A test that uses one (directly or
# through a fixture such as `gateway`) is marked `rasa`; tests that start Rasa in their own way
# carry the mark themselves. `make check` runs everything else.
RASA_FIXTURES = frozenset({"rasa_server", "action_server"})


def pytest_configure(config) -> None:
    """Python's cyclic garbage collector, tuned for a test run: what is imported and collected
    now lives for the whole session (frozen: never scanned again), and young objects are
    collected every 100 000 allocations, not every 700 (about 5 % of the suite's CPU)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if RASA_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.rasa)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """Console passwords hashed with argon2's cheapest profile (0.1 ms, not 0.1-0.8 s a check):
    the same code path and the same budgets. The test that proves hashing never stalls the
    gateway sets the production cost again; a real start refuses this setting."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VOORDEUR_PASSWORD_HASHING", "cheapest")
        yield


@pytest.fixture(scope="session", autouse=True)
def one_tls_context():
    """The suite's many HTTP clients (tests, fakes, python-telegram-bot) share one TLS context for
    the default settings, as the gateway's own clients do (bot/tls.py): loading the CA bundle
    takes some 20 ms of CPU a client. Clients with other settings get their own."""
    import httpx._transports.default as transports

    from bot.tls import tls_context

    original = transports.create_ssl_context

    def shared(verify=True, cert=None, trust_env=True):
        if verify is True and cert is None and trust_env:
            return tls_context()
        return original(verify=verify, cert=cert, trust_env=trust_env)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transports, "create_ssl_context", shared)
        yield


@pytest.fixture(scope="session", autouse=True)
async def one_chromium():
    """One Chromium for the session's page tests, started by the first of them (tests/browser.py)."""
    async with one_browser():
        yield


def next_desk_moment(now: datetime) -> datetime:
    """`now` if the default desk hours are open then, else half an hour into their next opening:
    a moment the desk is open that keeps the order of the times a test stores (never before now)."""
    hours = DeskHours.parse(Settings.desk_hours)
    if hours.is_open(now):
        return now
    opening = hours.next_opening(now)
    assert opening is not None
    return opening + timedelta(minutes=30)


@pytest.fixture
def desk_open():
    """The desk is open for the whole test, at whatever hour it runs: the gateway's clock stands
    in the desk hours (bot/clock.py), at or after the real time its stored messages carry."""
    with clock.frozen(next_desk_moment(datetime.now(AMSTERDAM))):
        yield


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def rasa_token() -> str:
    return "test-token"


@pytest.fixture(scope="session")
def action_server(log_dir):
    service = stack.start_actions(stack.free_port(), log_dir)
    yield service
    service.stop()


@pytest.fixture(scope="session")
def rasa_server(action_server, rasa_token, log_dir):
    service = stack.start_rasa(stack.free_port(), rasa_token, action_server.url, log_dir)
    yield service
    service.stop()


def dead_url() -> str:
    """A loopback URL where nothing listens (for 'Rasa is down')."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass
class Gateway:
    url: str
    app: object
    client: httpx.AsyncClient

    @property
    def switchboard(self):
        return self.app.state.switchboard

    async def say(self, session: str, text: str, typed: bool = False) -> dict:
        """Post a web chat message. A text starting with "/" is a test's shortcut for pressing a
        button with that payload: the button is stored as offered first (only offered payloads
        act as payloads, issue 12). `typed=True` sends it as a resident would type it."""
        if text.startswith("/") and not typed:
            await self.offer(session, text)
        response = await self.client.post("/api/webchat/messages", json={"session": session, "text": text})
        assert response.status_code == 200, response.text
        return response.json()

    async def offer(self, session: str, payload: str) -> None:
        """Store a bot message offering a button with this payload in the session's conversation,
        unless the assistant offered it already (then the press is a real one)."""
        from sqlalchemy import select

        from bot.store.models import Message

        switchboard = self.switchboard
        conversation_id = await switchboard._conversation_id(
            "webchat", switchboard.pseudonym("webchat", session), None)
        async with switchboard.sessions.begin() as db:
            offers = await db.scalars(select(Message.buttons).where(
                Message.conversation_id == conversation_id, Message.direction == "out",
                Message.buttons.is_not(None)).order_by(Message.id.desc()).limit(5))
            if any(b.get("payload") == payload for buttons in offers for b in buttons or []):
                return
            db.add(Message(conversation_id=conversation_id, direction="out", sender="bot", text="(test)",
                           buttons=[{"title": "test", "payload": payload}], status="delivered"))


# VOORDEUR_TEST_DB=postgres runs every gateway of the suite on a fresh PostgreSQL database.
TEST_DB = os.environ.get("VOORDEUR_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get("VOORDEUR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


async def postgres_reachable() -> bool:
    import asyncpg

    try:
        connection = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
    except Exception:
        return False
    await connection.close()
    return True


@contextlib.asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    import uuid

    import asyncpg

    name = "voordeur_t_" + uuid.uuid4().hex[:12]
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        admin = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@functools.cache
def migrated_sqlite() -> bytes:
    """An empty SQLite database with every migration applied, made once per test process: a
    gateway's database starts as a copy of it (running the migrations takes about 0.1 s)."""
    import sqlalchemy

    from bot.store.migrate import _upgrade

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.db"
        engine = sqlalchemy.create_engine(f"sqlite:///{path}")
        with engine.begin() as connection:
            _upgrade(connection)
        engine.dispose()
        return path.read_bytes()


@contextlib.asynccontextmanager
async def database_for_test(tmp_path: Path) -> AsyncIterator[str]:
    if TEST_DB == "postgres":
        async with fresh_postgres_database() as url:
            yield url
    else:
        path = tmp_path / "voordeur.db"
        if not path.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.write_bytes(migrated_sqlite())
        yield f"sqlite:///{path}"


@contextlib.asynccontextmanager
async def running_gateway(tmp_path: Path, rasa_url: str, actions_url: str = "http://127.0.0.1:9",
                          extra_env: dict[str, str] | None = None,
                          database_url: str | None = None) -> AsyncIterator[Gateway]:
    async with contextlib.AsyncExitStack() as stack:
        if database_url is None:
            database_url = await stack.enter_async_context(database_for_test(tmp_path))
        async with _serve_gateway(tmp_path, rasa_url, actions_url, extra_env, database_url) as gateway:
            yield gateway


@contextlib.asynccontextmanager
async def _serve_gateway(tmp_path: Path, rasa_url: str, actions_url: str,
                         extra_env: dict[str, str] | None, database_url: str) -> AsyncIterator[Gateway]:
    env = {  # the test's environment (a variable it set counts), with these on top
        **os.environ,
        "DATABASE_URL": database_url,
        "RASA_URL": rasa_url,
        "RASA_TOKEN": "test-token",
        "VOORDEUR_SECRET": "test-secret",
        "VOORDEUR_DATA_DIR": str(tmp_path),
        **(extra_env or {}),
    }
    settings = Settings.load(env)
    app = create_app(settings)
    app.state.actions_url = actions_url + "/webhook"
    port = stack.free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    url = f"http://127.0.0.1:{port}"
    async with running(config), httpx.AsyncClient(base_url=url, timeout=60, verify=False) as client:
        yield Gateway(url, app, client)


@pytest.fixture
async def gateway(tmp_path, rasa_server, action_server) -> AsyncIterator[Gateway]:
    async with running_gateway(tmp_path, rasa_server.url, action_server.url) as gw:
        yield gw


@pytest.fixture
async def gateway_without_rasa(tmp_path) -> AsyncIterator[Gateway]:
    async with running_gateway(tmp_path, dead_url()) as gw:
        yield gw


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
