"""The partner's "Terugbelverzoeken" queue in the worker console (issue 15, items 3 and 7), in real Chromium
against a running gateway: a resident's accepted referral appears for the service's referral team and for
nobody else; the number shows only on "Toon nummer"; every read is in the access log; a result takes it off
the list and deletes number and summary; withdrawn referrals vanish; axe finds nothing serious.

The referrals are made with bot/referrals/lifecycle (offer, accept) on the gateway's own database, for a
resident who really wrote in the web chat (Rasa is not needed for the console: the gateway runs without it).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, UTC

import pytest
from playwright.async_api import expect
from sqlalchemy import select

from bot.directory import default_directory
from bot.handover.users import add_user
from bot.referrals.lifecycle import accept, offer, withdraw
from bot.referrals.models import Referral
from bot.store.models import AccessLog
from tests.axe import assert_accessible
from tests.browser import chromium_page
from tests.handover.conftest import PASSWORD, case_of, csrf_of, login, session_id
from tests.handover.test_console_browser import worker_login

TEAM = "schuldhulp-terugbel"  # directory/services.yml: schuldhulp's referral_team
SUMMARY = "Schulden. Brieven van de deurwaarder. Wil een betalingsregeling."
PHONE, SHOWN = "06-12345678", "06 12345678"


@pytest.fixture
async def partner(gateway_without_rasa):
    """A gateway with Pien of the call-back team, Sanne of the buurtteam and an admin."""
    gateway = gateway_without_rasa
    async with gateway.switchboard.sessions.begin() as db:
        await add_user(db, "pien", PASSWORD, "worker", "Pien", TEAM)
        await add_user(db, "sanne", PASSWORD, "worker", "Sanne", "buurtteam")
        await add_user(db, "admin", PASSWORD, "admin", "Beheer")
    return gateway


async def accepted_referral(gateway, *, consent_days_ago: int = 0, phone: str = PHONE, summary: str = SUMMARY,
                            resident: str | None = None) -> tuple[int, int]:
    """A web chat resident who agreed that schuldhulp calls them back: (referral id, conversation id)."""
    resident = resident or session_id()
    await gateway.say(resident, "ik heb schulden en de deurwaarder komt")
    conversation_id = await case_of(gateway, resident)
    directory = default_directory()
    async with gateway.switchboard.sessions.begin() as db:
        referral = await offer(db, directory, conversation_id, "schuldhulp", "Noord")
        await accept(db, directory, gateway.switchboard.secret, referral, phone=phone, summary=summary,
                     call_time="ochtend", now=datetime.now(UTC) - timedelta(days=consent_days_ago))
        return referral.id, conversation_id


async def referral(gateway, referral_id: int) -> Referral:
    async with gateway.switchboard.sessions() as db:
        return await db.get(Referral, referral_id)


async def access_log(gateway, referral_id: int) -> list[AccessLog]:
    async with gateway.switchboard.sessions() as db:
        return list(await db.scalars(select(AccessLog).where(AccessLog.referral_id == referral_id)
                                     .order_by(AccessLog.id)))


async def test_the_partner_team_calls_back_and_records_the_result(partner):
    late, _ = await accepted_referral(partner, consent_days_ago=10)
    new, conversation_id = await accepted_referral(partner)
    async with chromium_page(1280, 900) as page:
        # A buurtteam worker has no link and no page: the same 404 as a case she may not read.
        await worker_login(page, partner.url, "sanne")
        await expect(page.locator("h1")).to_have_text("Wachtrij")
        await expect(page.get_by_role("link", name="Terugbelverzoeken")).to_have_count(0)
        assert (await page.goto(partner.url + "/console/terugbelverzoeken")).status == 404
        assert (await page.goto(f"{partner.url}/console/terugbelverzoeken/{new}")).status == 404
        await page.context.clear_cookies()

        await worker_login(page, partner.url, "pien")
        await page.get_by_role("link", name="Terugbelverzoeken").click()
        rows = page.locator("tr[data-referral]")
        await expect(rows).to_have_count(2)
        # The oldest deadline first, overdue said in words; the list itself shows no summary and no number.
        await expect(rows.nth(0)).to_have_attribute("data-referral", str(late))
        await expect(rows.nth(0)).to_contain_text("Te laat")
        await expect(rows.nth(1)).not_to_contain_text("Te laat")
        await expect(rows.nth(1)).to_contain_text("Schuldhulpverlening")
        await expect(rows.nth(1)).to_contain_text("ochtend")
        await expect(rows.nth(1)).to_contain_text("Noord")
        assert re.search(r"Toestemming gegeven op \d+ \w+ om \d\d:\d\d, tekst versie v1",
                         await rows.nth(1).inner_text())
        assert "deurwaarder" not in await page.content() and SHOWN not in await page.content()
        assert await access_log(partner, new) == []
        await assert_accessible(page, "referral queue")

        await rows.nth(1).get_by_role("link").click()
        await expect(page.locator("h1")).to_have_text("Terugbelverzoek: Schuldhulpverlening Voorbeeldstad")
        await expect(page.locator(".summary")).to_have_text(SUMMARY)
        assert SHOWN not in await page.content()
        assert (await referral(partner, new)).status == "seen"  # the resident can be told it was seen
        opened = await access_log(partner, new)
        assert [(a.action, a.username, a.conversation_id) for a in opened] == [
            ("referral_open", "pien", conversation_id)]
        assert f"terugbelverzoek {new} van het team {TEAM}" == opened[0].reason

        await page.get_by_role("button", name="Toon nummer").click()
        await expect(page.locator("#phone")).to_have_text(SHOWN)
        await expect(page.locator("#phone a")).to_have_attribute("href", "tel:0612345678")
        assert [a.action for a in await access_log(partner, new)] == ["referral_open", "referral_phone"]
        await assert_accessible(page, "referral with its number")

        # Not reached: it stays for a second try; appointment made: it closes and leaves the list.
        await page.get_by_role("button", name="Niet bereikt").click()
        await expect(page.locator(".result")).to_contain_text("blijft in de lijst voor een tweede poging")
        await expect(page.locator(f'tr[data-referral="{new}"]')).to_contain_text("1 keer niet bereikt")
        await page.locator(f'tr[data-referral="{new}"] a').click()
        await page.get_by_role("button", name="Afspraak gemaakt").click()
        await expect(page.locator(".result")).to_contain_text("Opgeslagen: Afspraak gemaakt. Het verzoek is afgesloten")
        await expect(rows).to_have_count(1)
        await expect(page.locator(f'tr[data-referral="{new}"]')).to_have_count(0)
        closed = await referral(partner, new)
        assert (closed.status, closed.phone, closed.summary) == ("appointment", None, None)
        assert (await page.goto(f"{partner.url}/console/terugbelverzoeken/{new}")).status == 404

        # The admin reads every step in the access log of that conversation, also as CSV.
        await page.context.clear_cookies()
        await worker_login(page, partner.url, "admin")
        await page.goto(f"{partner.url}/console/admin?gesprek={conversation_id}")
        log_table = page.locator("table.log")
        for what in ("terugbelverzoek gelezen", "telefoonnummer getoond", "resultaat terugbelverzoek"):
            await expect(log_table).to_contain_text(what)
        await expect(log_table).to_contain_text(f"terugbelverzoek {new}: Afspraak gemaakt")
    admin = await login(partner, "admin")
    export = (await admin.get(f"/console/admin/log.csv?gesprek={conversation_id}&wat=referral_phone")).text
    assert export.count("telefoonnummer getoond") == 1 and "pien" in export


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844), (640, 450)])  # 640 px: 1280 at 200% zoom
async def test_the_referral_pages_pass_axe_and_fit_a_phone(partner, width, height):
    await accepted_referral(partner, consent_days_ago=10)
    new, _ = await accepted_referral(partner)
    async with chromium_page(width, height) as page:
        await worker_login(page, partner.url, "pien")
        await page.goto(partner.url + "/console/terugbelverzoeken")
        await expect(page.locator("tr[data-referral]")).to_have_count(2)
        await assert_accessible(page, f"referral queue at {width} px")
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await page.goto(f"{partner.url}/console/terugbelverzoeken/{new}")
        await page.get_by_role("button", name="Toon nummer").click()
        await expect(page.locator("#phone")).to_have_text(SHOWN)
        await assert_accessible(page, f"referral at {width} px")
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # Keyboard: the result buttons are reachable with Tab.
        await page.locator("#phone a").focus()
        for _ in range(5):
            await page.keyboard.press("Tab")
            if await page.evaluate("document.activeElement.value") == "called":
                break
        assert await page.evaluate("document.activeElement.textContent") == "Gebeld"


async def test_withdrawn_and_other_teams_referrals_vanish_and_forms_need_the_csrf_token(partner):
    kept, _ = await accepted_referral(partner)
    gone, _ = await accepted_referral(partner)
    async with partner.switchboard.sessions.begin() as db:
        await withdraw(db, await db.get(Referral, gone))
    pien = await login(partner, "pien")
    page = (await pien.get("/console/terugbelverzoeken", headers={"accept": "text/html"})).text
    assert f'data-referral="{kept}"' in page and f'data-referral="{gone}"' not in page
    assert (await pien.get(f"/console/terugbelverzoeken/{gone}")).status_code == 404
    token = await csrf_of(pien, "/console/terugbelverzoeken")
    forged = await pien.post(f"/console/terugbelverzoeken/{kept}/resultaat", data={"result": "called"})
    assert forged.status_code == 403 and (await referral(partner, kept)).status == "accepted"
    assert (await pien.post(f"/console/terugbelverzoeken/{gone}/nummer", data={"csrf": token})).status_code == 404
    wrong = await pien.post(f"/console/terugbelverzoeken/{kept}/resultaat", data={"csrf": token, "result": "x"})
    assert wrong.status_code == 422 and (await referral(partner, kept)).status == "accepted"

    # A buurtteam worker cannot read, show the number of, or close the team's referral.
    sanne = await login(partner, "sanne")
    sanne_token = await csrf_of(sanne)
    assert (await sanne.get(f"/console/terugbelverzoeken/{kept}")).status_code == 404
    assert (await sanne.post(f"/console/terugbelverzoeken/{kept}/nummer", data={"csrf": sanne_token})).status_code == 404
    closing = await sanne.post(f"/console/terugbelverzoeken/{kept}/resultaat",
                               data={"csrf": sanne_token, "result": "no_longer_needed"})
    assert closing.status_code == 404 and (await referral(partner, kept)).status == "accepted"
    assert await access_log(partner, kept) == []


async def test_not_reached_twice_closes_the_referral_and_deletes_the_number(partner):
    referral_id, _ = await accepted_referral(partner)
    pien = await login(partner, "pien")
    token = await csrf_of(pien, "/console/terugbelverzoeken")
    for expected in ("blijft in de lijst voor een tweede poging", "Het verzoek is afgesloten"):
        answer = await pien.post(f"/console/terugbelverzoeken/{referral_id}/resultaat",
                                 data={"csrf": token, "result": "not_reached"}, follow_redirects=True)
        assert expected in answer.text
    closed = await referral(partner, referral_id)
    assert (closed.not_reached, closed.phone, closed.summary, closed.closed_at is not None) == (2, None, None, True)
    assert f'data-referral="{referral_id}"' not in answer.text
    reasons = [a.reason for a in await access_log(partner, referral_id)]
    assert reasons == [f"terugbelverzoek {referral_id}: Niet bereikt (blijft voor een tweede poging)",
                       f"terugbelverzoek {referral_id}: Niet bereikt"]


async def test_the_admin_chooses_a_team_from_the_known_teams(partner):
    admin = await login(partner, "admin")
    page = (await admin.get("/console/admin", headers={"accept": "text/html"})).text
    choices = re.search(r'<select id="new-team" name="team">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r"<option[^>]*>([^<]+)</option>", choices) == ["buurtteam", TEAM]
    token = await csrf_of(admin, "/console/admin")
    typo = await admin.post("/console/admin/users", data={
        "csrf": token, "username": "kees", "password": PASSWORD, "role": "worker", "team": "schuldhulp-terugbell"})
    assert typo.status_code == 422 and "Kies een team uit de lijst" in typo.text
    added = await admin.post("/console/admin/users", data={
        "csrf": token, "username": "kees", "password": PASSWORD, "role": "worker", "team": TEAM})
    assert added.status_code == 303
    kees = await login(partner, "kees")
    assert "Terugbelverzoeken" in (await kees.get("/console", headers={"accept": "text/html"})).text


async def test_a_resident_who_erases_vanishes_from_the_queue_with_the_reads_of_their_number(partner):
    resident = session_id()
    erased_id, _ = await accepted_referral(partner, resident=resident)
    pien = await login(partner, "pien")
    assert SUMMARY in (await pien.get(f"/console/terugbelverzoeken/{erased_id}")).text
    token = await csrf_of(pien, "/console/terugbelverzoeken")
    assert SHOWN in (await pien.post(f"/console/terugbelverzoeken/{erased_id}/nummer", data={"csrf": token})).text
    assert len(await access_log(partner, erased_id)) == 2

    assert (await partner.client.post("/api/webchat/erase", json={"session": resident})).status_code == 200
    page = (await pien.get("/console/terugbelverzoeken", headers={"accept": "text/html"})).text
    assert f'data-referral="{erased_id}"' not in page and "Er zijn geen open verzoeken." in page
    assert (await pien.get(f"/console/terugbelverzoeken/{erased_id}")).status_code == 404
    assert await referral(partner, erased_id) is None
    assert await access_log(partner, erased_id) == []  # like every access-log row of an erased conversation
