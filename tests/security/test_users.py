"""Offboarding (bot/handover/users.py, the admin page, `voordeur user ...`): deactivate, reset
password, change role and team, sign out everywhere, idle timeout; the console's live stream
ends with the session."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import timedelta

import httpx
from sqlalchemy import select, update

from bot.handover.auth import IDLE_TIMEOUT
from bot.store.models import ConsoleSession, User, utcnow
from tests.handover.conftest import PASSWORD, csrf_of, login, make_user
from tests.nlu_data import ROOT
from tests.security.test_secrets import VOORDEUR

NEW_PASSWORD = "a brand new passphrase"


async def signed_in(client: httpx.AsyncClient) -> bool:
    response = await client.get("/console/queue", headers={"accept": "text/html"})
    return response.status_code == 200


async def stream_ends_after(client: httpx.AsyncClient, action) -> bool:
    """Open the console's live stream, do `action`, and say whether the stream ended within 10 s."""
    async with client.stream("GET", "/console/events") as response:
        assert response.status_code == 200
        lines = response.aiter_lines()
        assert (await anext(lines)).startswith("retry")
        await action()
        try:
            async with asyncio.timeout(10):
                async for _ in lines:
                    pass
            return True
        except TimeoutError:
            return False


async def voordeur_user(gateway, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """The command in a thread: the test's gateway runs in this event loop and must be able to
    finish what it is writing while the command writes too."""
    env = {"DATABASE_URL": gateway.app.state.settings.database_url, "VOORDEUR_DEMO_MODE": "1",
           "PATH": "/usr/bin:/bin", "VOORDEUR_DATA_DIR": str(gateway.app.state.settings.data_dir),
           "VOORDEUR_PASSWORD_HASHING": gateway.app.state.settings.password_hashing}  # as the test's gateway
    return await asyncio.to_thread(subprocess.run, [str(VOORDEUR), "user", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60)


async def admin_change(admin: httpx.AsyncClient, user_id: int, **data: str) -> httpx.Response:
    return await admin.post(f"/console/admin/users/{user_id}",
                            data={"csrf": await csrf_of(admin, "/console/admin"), **data})


async def user_id(gateway, username: str) -> int:
    async with gateway.switchboard.sessions() as db:
        return await db.scalar(select(User.id).where(User.username == username))


async def test_deactivating_a_worker_signs_them_out_ends_their_stream_and_blocks_login(gateway_without_rasa):
    gw = gateway_without_rasa
    await make_user(gw, "sanne", "worker", "Sanne")
    await make_user(gw, "beheer", "admin", "Beheer")
    sanne, admin = await login(gw, "sanne"), await login(gw, "beheer")
    sanne_id = await user_id(gw, "sanne")

    async def deactivate() -> None:
        response = await admin_change(admin, sanne_id, do="deactivate")
        assert response.status_code == 200 and "gedeactiveerd" in response.text

    assert await stream_ends_after(sanne, deactivate)
    assert not await signed_in(sanne)
    assert (await login(gw, "sanne")).last_login.status_code == 401
    # An admin cannot deactivate themselves.
    assert (await admin_change(admin, await user_id(gw, "beheer"), do="deactivate")).status_code == 422
    # Activated again, she signs in.
    await admin_change(admin, sanne_id, do="activate")
    assert (await login(gw, "sanne")).last_login.status_code == 303


async def test_logout_ends_the_live_stream(gateway_without_rasa):
    gw = gateway_without_rasa
    await make_user(gw, "sanne", "worker", "Sanne")
    sanne = await login(gw, "sanne")
    other_tab = httpx.AsyncClient(base_url=gw.url, cookies=sanne.cookies, timeout=30)

    async def log_out() -> None:
        await sanne.post("/console/logout", data={"csrf": await csrf_of(sanne)})

    assert await stream_ends_after(other_tab, log_out)


async def test_sign_out_everywhere_from_the_admin_page(gateway_without_rasa):
    gw = gateway_without_rasa
    await make_user(gw, "sanne", "worker", "Sanne")
    await make_user(gw, "beheer", "admin", "Beheer")
    laptop, phone, admin = await login(gw, "sanne"), await login(gw, "sanne"), await login(gw, "beheer")
    assert await signed_in(laptop) and await signed_in(phone)
    await admin_change(admin, await user_id(gw, "sanne"), do="revoke")
    assert not await signed_in(laptop) and not await signed_in(phone)


async def test_reset_password_and_change_role_from_the_command_line(gateway_without_rasa):
    gw = gateway_without_rasa
    await make_user(gw, "sanne", "worker", "Sanne")
    before = await login(gw, "sanne")

    result = await voordeur_user(gw, "reset-password", "sanne", "--password-stdin", stdin=NEW_PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert not await signed_in(before)  # the old session ended
    assert (await login(gw, "sanne")).last_login.status_code == 401  # old password
    worker = await login(gw, "sanne", NEW_PASSWORD)
    assert worker.last_login.headers["location"] == "/console"

    result = await voordeur_user(gw, "set", "sanne", "--role", "manager", "--team", "schuldhulp")
    assert result.returncode == 0, result.stderr
    assert not await signed_in(worker)  # a new role signs out
    manager = await login(gw, "sanne", NEW_PASSWORD)
    assert manager.last_login.headers["location"] == "/dashboard"
    async with gw.switchboard.sessions() as db:
        assert (await db.scalar(select(User).where(User.username == "sanne"))).team == "schuldhulp"

    result = await voordeur_user(gw, "deactivate", "sanne")
    assert result.returncode == 0 and "deactivated" in result.stdout
    assert (await manager.get("/dashboard", headers={"accept": "text/html"})).status_code != 200
    assert (await voordeur_user(gw, "deactivate", "nobody")).returncode == 1


async def test_an_idle_session_ends_and_background_refreshes_do_not_keep_it_alive(gateway_without_rasa):
    gw = gateway_without_rasa
    await make_user(gw, "sanne", "worker", "Sanne")
    sanne = await login(gw, "sanne")

    async def last_seen_ago(minutes: float) -> None:
        async with gw.switchboard.sessions.begin() as db:
            await db.execute(update(ConsoleSession).values(last_seen=utcnow() - timedelta(minutes=minutes)))

    await last_seen_ago(IDLE_TIMEOUT.total_seconds() / 60 - 2)
    background = await sanne.get("/console/queue", headers={"accept": "text/html", "sec-fetch-mode": "cors"})
    assert background.status_code == 200
    async with gw.switchboard.sessions() as db:
        seen = await db.scalar(select(ConsoleSession.last_seen))
    assert utcnow() - seen > IDLE_TIMEOUT - timedelta(minutes=3)  # a refresh is not the worker's action

    await last_seen_ago(IDLE_TIMEOUT.total_seconds() / 60 + 1)
    assert not await signed_in(sanne)  # idle too long: signed out
    async with gw.switchboard.sessions() as db:
        assert await db.scalar(select(ConsoleSession)) is None
