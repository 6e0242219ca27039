"""Helpers for console tests: users, logged-in HTTP clients."""

from __future__ import annotations

import re

import httpx
import pytest

from bot.handover.users import add_user

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
