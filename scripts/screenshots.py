"""Screenshots of the console, the dashboard and the web chat as their users see them, into
docs/screenshots/ (made with the real Rasa, action server, gateway and Debian's Chromium).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

A fresh SQLite database in a temporary folder is filled the way residents and workers fill it
(web chat messages, button presses, a claim, replies, a note, a closed earlier case); nothing
here touches data/."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import sys
import tempfile
from datetime import datetime, timedelta, UTC
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import stack  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.directory import default_directory  # noqa: E402
from bot.handover.users import add_user  # noqa: E402
from bot.referrals.lifecycle import accept, offer  # noqa: E402
from tests.browser import chromium_page  # noqa: E402

PASSWORD = "schermafdruk-wachtwoord"
SIZES = {"desktop": (1280, 860), "phone": (390, 844)}


async def say(client: httpx.AsyncClient, session: str, text: str) -> dict:
    response = await client.post("/api/webchat/messages", json={"session": session, "text": text})
    response.raise_for_status()
    return response.json()


async def press(client: httpx.AsyncClient, session: str, body: dict, title_part: str) -> dict:
    """Press the first offered button whose title contains title_part, as the web chat does."""
    for message in reversed(body["messages"]):
        for button in message.get("buttons") or []:
            if title_part.lower() in button["title"].lower():
                return await say(client, session, button["payload"])
    return body


async def worker_client(url: str, username: str) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=url, timeout=60)
    page = await client.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    await client.post("/console/login", data={"csrf": csrf, "username": username, "password": PASSWORD})
    page = await client.get("/console", headers={"accept": "text/html"})
    return client, re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


async def seed(app, url: str) -> dict[str, int]:
    """Residents and workers as on an ordinary morning; returns the ids of the cases to show."""
    async with app.state.switchboard.sessions.begin() as db:
        await add_user(db, "sanne", PASSWORD, "worker", "Sanne", team="buurtteam")
        await add_user(db, "joost", PASSWORD, "worker", "Joost", team="schuldhulp")
        await add_user(db, "mira", PASSWORD, "manager", "Mira")
        await add_user(db, "beheer", PASSWORD, "admin", "Beheer")
        await add_user(db, "pien", PASSWORD, "worker", "Pien", team="schuldhulp-terugbel")
    ids = {}
    async with httpx.AsyncClient(base_url=url, timeout=60) as resident:
        # A returning resident: an earlier case, closed, then a new question.
        body = await say(resident, "screens-debt-001", "ik heb schulden en wil graag een medewerker spreken")
        sanne, csrf = await worker_client(url, "sanne")
        cases = re.findall(r'data-conversation="(\d+)"', (await sanne.get("/console/queue")).text)
        ids["debt"] = int(cases[0])
        await sanne.post(f"/console/conversations/{ids['debt']}/claim", data={"csrf": csrf})
        await sanne.post(f"/console/conversations/{ids['debt']}/reply",
                         data={"csrf": csrf, "text": "Ik stuur je het nummer van de schuldhulp. Bel ze morgen."})
        await sanne.post(f"/console/conversations/{ids['debt']}/close",
                         data={"csrf": csrf, "outcome": "helped", "intent": "debt_bills"})
        body = await say(resident, "screens-debt-001", "hoi, ik ben het weer. de deurwaarder staat nu voor de deur")
        body = await say(resident, "screens-debt-001", "kan ik een mens spreken?")
        await sanne.post(f"/console/conversations/{ids['debt']}/claim", data={"csrf": csrf})
        await sanne.post(f"/console/conversations/{ids['debt']}/reply",
                         data={"csrf": csrf, "text": "Wat staat er op de brief van de deurwaarder?"})
        await say(resident, "screens-debt-001", "er staat dat ze maandag beslag leggen op mijn loon")
        await sanne.post(f"/console/conversations/{ids['debt']}/note",
                         data={"csrf": csrf, "text": "Beslag op loon vanaf maandag. Schuldhulp vandaag bellen."})

        # A resident who chose the wijk with a button, then asked for a person.
        body = await say(resident, "screens-noise-02", "de buren maken elke nacht herrie")
        body = await press(resident, "screens-noise-02", body, "")
        await say(resident, "screens-noise-02", "ik wil graag iemand spreken")
        # A crisis, while Sanne is busy with her case.
        await say(resident, "screens-crisis-3", "ik wil niet meer leven")
        await say(resident, "screens-care-004", "mijn moeder kan niet meer alleen thuis wonen, mag ik een medewerker")
        await sanne.aclose()
        # Residents who agreed that the debt service calls them back: one of last week (overdue), two new.
        for n, (days_ago, wijk, time, summary) in enumerate((
                (8, "Zuid", "middag", "Huurachterstand van drie maanden. Brief van de verhuurder."),
                (0, "Noord", "ochtend", "Schulden. Brieven van de deurwaarder. Beslag op loon vanaf maandag."),
                (0, "Centrum", "na 18:00", "Rekeningen stapelen zich op. Wil hulp bij een betalingsregeling."))):
            session = f"screens-callback-{n}"
            await say(resident, session, "ik heb schulden")
            ids[f"referral{n}"] = await accepted_referral(app, session, days_ago, wijk, time, summary)
    return ids


async def accepted_referral(app, session: str, days_ago: int, wijk: str, call_time: str, summary: str) -> int:
    """A call-back referral the resident agreed to (bot/referrals/lifecycle), for the partner's queue."""
    switchboard = app.state.switchboard
    conversation_id = await switchboard._conversation_id("webchat", switchboard.pseudonym("webchat", session), None)
    async with switchboard.sessions.begin() as db:
        referral = await offer(db, default_directory(), conversation_id, "schuldhulp", wijk)
        await accept(db, default_directory(), switchboard.secret, referral, phone="06-12345678", summary=summary,
                     call_time=call_time, now=datetime.now(UTC) - timedelta(days=days_ago))
        return referral.id


async def shoot(url: str, out: Path, ids: dict[str, int]) -> list[Path]:
    made = []
    for size, (width, height) in SIZES.items():
        async with chromium_page(width, height) as page:
            await page.goto(url + "/console/login")
            if size == "desktop":
                made.append(await snap(page, out / "console-login.png"))
            await page.fill("input[name=username]", "sanne")
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            await page.wait_for_selector("#queue")
            made.append(await snap(page, out / f"console-queue-{size}.png", full=True))
            await page.goto(f"{url}/console/conversations/{ids['debt']}")
            await page.wait_for_selector("#transcript li")
            made.append(await snap(page, out / f"console-case-{size}.png"))
            if size == "desktop":
                await page.select_option("#close-outcome", "referred")
                await page.click("#close-submit")
                made.append(await snap(page, out / "console-close-needs-service.png"))
        async with chromium_page(width, height) as page:
            await page.goto(url + "/")
            await page.fill("#text", "ik heb een huurschuld")
            await page.press("#text", "Enter")
            await page.wait_for_selector("#log li:nth-child(2)")
            made.append(await snap(page, out / f"webchat-{size}.png"))
    for size, (width, height) in SIZES.items():
        async with chromium_page(width, height) as page:
            await page.goto(url + "/console/login")
            await page.fill("input[name=username]", "pien")
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            await page.goto(url + "/console/terugbelverzoeken")
            made.append(await snap(page, out / f"console-referrals-{size}.png", full=True))
            await page.goto(f"{url}/console/terugbelverzoeken/{ids['referral1']}")
            await page.click("#show-phone")
            await page.wait_for_selector("#phone")
            made.append(await snap(page, out / f"console-referral-{size}.png", full=True))
            await page.get_by_role("button", name="Gebeld").click()  # the confirm step; nothing recorded
            made.append(await snap(page, out / f"console-referral-confirm-{size}.png", full=True))
    async with chromium_page(390, 844) as page:
        await page.goto(url + "/console/login")
        await page.fill("input[name=username]", "beheer")
        await page.fill("input[name=password]", PASSWORD)
        await page.click("button[type=submit]")
        made.append(await snap(page, out / "console-admin-phone.png", full=True))
    async with chromium_page(1280, 860) as page:
        for username, path, name in (("mira", "/dashboard", "dashboard"), ("beheer", "/console/admin", "console-admin")):
            await page.goto(url + "/console/login")
            await page.fill("input[name=username]", username)
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            await page.goto(url + path)
            made.append(await snap(page, out / f"{name}.png", full=True))
            await page.context.clear_cookies()
        await page.goto(url + "/toegankelijkheid")
        made.append(await snap(page, out / "toegankelijkheid.png", full=True))
    return made


async def snap(page, path: Path, full: bool = False) -> Path:
    await page.wait_for_timeout(300)
    await page.screenshot(path=str(path), full_page=full)
    return path


async def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    os.environ["VOORDEUR_DESK_HOURS"] = "mon-sun 00:00-23:59"  # the desk is open: a worker's day
    with tempfile.TemporaryDirectory(prefix="voordeur-screens-") as tmp:
        tmp_path = Path(tmp)
        token = secrets.token_urlsafe(16)
        actions = stack.start_actions(stack.free_port(), tmp_path / "logs")
        rasa = stack.start_rasa(stack.free_port(), token, actions.url, tmp_path / "logs")
        try:
            settings = Settings.load({
                "DATABASE_URL": f"sqlite:///{tmp_path / 'voordeur.db'}", "RASA_URL": rasa.url, "RASA_TOKEN": token,
                "VOORDEUR_SECRET": secrets.token_urlsafe(32), "VOORDEUR_DATA_DIR": str(tmp_path),
                "VOORDEUR_DESK_HOURS": "mon-sun 00:00-23:59"})
            app = create_app(settings)
            app.state.actions_url = actions.url + "/webhook"
            port = stack.free_port()
            server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
            task = asyncio.create_task(server.serve())
            while not server.started:
                await asyncio.sleep(0.05)
            url = f"http://127.0.0.1:{port}"
            try:
                ids = await seed(app, url)
                for path in await shoot(url, out, ids):
                    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
            finally:
                server.should_exit = True
                await task
        finally:
            rasa.stop()
            actions.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    asyncio.run(main(parser.parse_args().out))
