"""Helpers for console tests: users, logged-in HTTP clients."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from sqlalchemy import select

from bot.handover.users import add_user
from bot.store.models import Conversation

PASSWORD = "correct horse battery"


async def make_user(gateway, username: str, role: str, name: str | None = None) -> None:
    async with gateway.switchboard.sessions.begin() as db:
        await add_user(db, username, PASSWORD, role, name)


async def login(gateway, username: str, password: str = PASSWORD) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=gateway.url, timeout=30, follow_redirects=False)
    page = await client.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    response = await client.post("/console/login", data={"csrf": csrf, "username": username, "password": password})
    client.last_login = response  # type: ignore[attr-defined]
    return client


async def csrf_of(client: httpx.AsyncClient, path: str = "/console") -> str:
    page = await client.get(path, headers={"accept": "text/html"})
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


@pytest.fixture
async def staff(gateway):
    await make_user(gateway, "sanne", "worker", "Sanne")
    await make_user(gateway, "joost", "worker", "Joost")
    await make_user(gateway, "mira", "manager", "Mira")
    await make_user(gateway, "admin", "admin", "Beheer")
    return gateway


def session_id() -> str:
    """A new web chat resident."""
    return "r-" + uuid.uuid4().hex[:12]


async def case_of(gateway, session: str) -> int:
    """The conversation id of a web chat resident."""
    async with gateway.switchboard.sessions() as db:
        return await db.scalar(select(Conversation.id).where(
            Conversation.resident == gateway.switchboard.pseudonym("webchat", session)))
