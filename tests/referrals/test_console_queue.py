"""The partner's "Terugbelverzoeken" queue in the worker console (issue 15, items 3 and 7), in real Chromium
against a running gateway: a resident's accepted referral appears for the service's referral team and for
nobody else; the number shows only on "Toon nummer"; every read is in the access log; a result takes it off
the list and deletes number and summary; withdrawn referrals vanish; axe finds nothing serious.

The referrals are made with bot/referrals/lifecycle (offer, accept) on the gateway's own database, for a
resident who really wrote in the web chat (Rasa is not needed for the console: the gateway runs without it).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, UTC

import pytest
from playwright.async_api import expect
from sqlalchemy import select

from bot.directory import default_directory
from bot.erase import ERASED_REASON
from bot.handover.users import add_user
from bot.referrals.lifecycle import accept, offer, withdraw
from bot.referrals.models import Referral
from bot.referrals.resident_updates import tell_residents
from bot.store.models import AccessLog, Conversation, User
from tests.axe import assert_accessible
from tests.browser import chromium_page
from tests.conftest import ARTIFACTS
from tests.handover.conftest import PASSWORD, case_of, csrf_of, login, session_id
from tests.handover.test_console_browser import worker_login

TEAM = "schuldhulp-terugbel"  # directory/services.yml: schuldhulp's referral_team
SUMMARY = "Schulden. Brieven van de deurwaarder. Wil een betalingsregeling."
PHONE, SHOWN = "06-12345678", "06 12345678"


async def with_staff(gateway):
    async with gateway.switchboard.sessions.begin() as db:
        await add_user(db, "pien", PASSWORD, "worker", "Pien", TEAM)
        await add_user(db, "sanne", PASSWORD, "worker", "Sanne", "buurtteam")
        await add_user(db, "admin", PASSWORD, "admin", "Beheer")
    return gateway


@pytest.fixture
async def partner(gateway_without_rasa):
    """A gateway with Pien of the call-back team, Sanne of the buurtteam and an admin."""
    return await with_staff(gateway_without_rasa)


@pytest.fixture
async def partner_and_assistant(gateway):
    """The same with the real Rasa server, for what a resident does with the assistant's buttons."""
    return await with_staff(gateway)


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

        # Pien lands on her team's requests, with their number in the menu; she has no general queue.
        await worker_login(page, partner.url, "pien")
        await expect(page.locator("h1")).to_have_text("Terugbelverzoeken")
        await expect(page.get_by_role("link", name="Terugbelverzoeken (2)")).to_be_visible()
        await expect(page.get_by_role("link", name="Wachtrij")).to_have_count(0)
        rows = page.locator("tr[data-referral]")
        await expect(rows).to_have_count(2)
        # The oldest deadline first, overdue said in words; the list itself shows no summary and no number.
        await expect(rows.nth(0)).to_have_attribute("data-referral", str(late))
        await expect(rows.nth(0)).to_contain_text("Te laat")
        await expect(rows.nth(1)).not_to_contain_text("Te laat")
        await expect(page.locator("main > p").first).to_contain_text("voor Schuldhulpverlening Voorbeeldstad")
        await expect(rows.nth(1)).not_to_contain_text("Schuldhulpverlening")  # said once above, not per row
        await expect(rows.nth(1)).to_contain_text("ochtend")
        await expect(rows.nth(1)).to_contain_text("Noord")
        assert re.fullmatch(r"\d+ \w+ \d\d:\d\d", await rows.nth(1).locator('td[data-label="Toestemming"]').inner_text())
        assert "versie" not in await page.content()
        assert "deurwaarder" not in await page.content() and SHOWN not in await page.content()
        assert await access_log(partner, new) == []
        await assert_accessible(page, "referral queue")

        await rows.nth(1).get_by_role("link").click()
        await expect(page.locator("h1")).to_have_text(f"Terugbelverzoek {new}: Schuldhulpverlening Voorbeeldstad")
        await expect(page.locator(".summary")).to_have_text(SUMMARY)
        await expect(page.locator(".small-print")).to_contain_text("tekst versie v1")
        assert SHOWN not in await page.content()
        # Nobody called yet: only "Niet meer nodig" can be recorded, and the page says why.
        await expect(page.get_by_role("button", name="Gebeld")).to_have_count(0)
        await expect(page.locator("#call-first")).to_contain_text("Toon eerst het nummer")
        assert (await referral(partner, new)).status == "seen"  # the resident can be told it was seen
        opened = await access_log(partner, new)
        assert [(a.action, a.username, a.conversation_id) for a in opened] == [
            ("referral_open", "pien", conversation_id)]
        assert f"terugbelverzoek {new} van het team {TEAM}" == opened[0].reason

        await page.get_by_role("button", name="Toon nummer").click()
        await expect(page.locator("#phone")).to_have_text(SHOWN)
        await expect(page.locator("#phone a")).to_have_attribute("href", "tel:0612345678")
        await expect(page.locator("#phone a")).to_be_focused()  # on a phone: the number is in view
        assert [a.action for a in await access_log(partner, new)] == ["referral_open", "referral_phone"]
        await assert_accessible(page, "referral with its number")
        # Reloading the number's address (back on a phone) is the request's page, not an error.
        again = await page.goto(page.url)
        assert again.status == 200 and page.url.endswith(f"/terugbelverzoeken/{new}")
        assert SHOWN not in await page.content()

        # Not reached: first what the resident will hear, then it stays for a second try.
        await page.get_by_role("button", name="Niet bereikt").click()
        await expect(page.locator("h1")).to_have_text("Weet je het zeker?")
        await expect(page.locator("#told")).to_have_text(
            "Schuldhulpverlening Voorbeeldstad heeft je gebeld, maar kon je niet bereiken. Ze proberen het nog een keer.")
        assert (await referral(partner, new)).status == "seen"  # nothing recorded yet
        await assert_accessible(page, "confirm a result")
        await page.get_by_role("button", name="Ja, vastleggen").click()
        await expect(page.locator(".result")).to_contain_text(
            f"Verzoek {new} opgeslagen als Niet bereikt. Het blijft in de lijst voor een tweede poging")
        await expect(page.locator(f'tr[data-referral="{new}"]')).to_contain_text("1 keer niet bereikt")
        # A slip is caught: "Nee, terug" records nothing.
        await page.locator(f'tr[data-referral="{new}"] a').click()
        await page.get_by_role("button", name="Gebeld").click()
        await page.get_by_role("link", name="Nee, terug naar het verzoek").click()
        assert (await referral(partner, new)).status == "not_reached"
        await page.get_by_role("button", name="Afspraak gemaakt").click()
        await expect(page.locator("#told")).to_contain_text("laat weten dat je een afspraak met ze hebt")
        await expect(page.locator("main")).to_contain_text("Het nummer en de samenvatting worden gewist")
        await page.get_by_role("button", name="Ja, vastleggen").click()
        await expect(page.locator(".result")).to_contain_text(
            f"Verzoek {new} opgeslagen als Afspraak gemaakt. Het is afgesloten")
        await expect(rows).to_have_count(1)
        await expect(page.get_by_role("link", name="Terugbelverzoeken (1)")).to_be_visible()
        await expect(page.locator(f'tr[data-referral="{new}"]')).to_have_count(0)
        closed = await referral(partner, new)
        assert (closed.status, closed.phone, closed.summary) == ("appointment", None, None)
        # Her own team's former request says what became of it; no details are left to show.
        assert (await page.goto(f"{partner.url}/console/terugbelverzoeken/{new}")).status == 410
        await expect(page.locator("main")).to_contain_text("Dit verzoek is ingetrokken of al afgehandeld")

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
    withdrawn = await pien.get(f"/console/terugbelverzoeken/{gone}")
    assert withdrawn.status_code == 410 and "ingetrokken of al afgehandeld" in withdrawn.text
    token = await csrf_of(pien, "/console/terugbelverzoeken")
    forged = await pien.post(f"/console/terugbelverzoeken/{kept}/resultaat", data={"result": "called"})
    assert forged.status_code == 403 and (await referral(partner, kept)).status == "accepted"
    assert (await pien.post(f"/console/terugbelverzoeken/{gone}/nummer", data={"csrf": token})).status_code == 410
    # "Gebeld" before anyone showed the number is refused, saying why.
    early = await pien.post(f"/console/terugbelverzoeken/{kept}/resultaat",
                            data={"csrf": token, "result": "called", "zeker": "ja"})
    assert early.status_code == 409 and "Toon eerst het nummer" in early.text
    assert (await referral(partner, kept)).status == "accepted"
    wrong = await pien.post(f"/console/terugbelverzoeken/{kept}/resultaat", data={"csrf": token, "result": "x"})
    assert wrong.status_code == 422 and (await referral(partner, kept)).status == "accepted"

    # A buurtteam worker cannot read, show the number of, or close the team's referral.
    sanne = await login(partner, "sanne")
    sanne_token = await csrf_of(sanne)
    assert (await sanne.get(f"/console/terugbelverzoeken/{kept}")).status_code == 404
    assert (await sanne.get(f"/console/terugbelverzoeken/{gone}")).status_code == 404  # not her team's: no hint
    assert (await sanne.post(f"/console/terugbelverzoeken/{kept}/nummer", data={"csrf": sanne_token})).status_code == 404
    closing = await sanne.post(f"/console/terugbelverzoeken/{kept}/resultaat",
                               data={"csrf": sanne_token, "result": "no_longer_needed", "zeker": "ja"})
    assert closing.status_code == 404 and (await referral(partner, kept)).status == "accepted"
    assert await access_log(partner, kept) == []


async def test_not_reached_twice_closes_the_referral_and_deletes_the_number(partner):
    referral_id, _ = await accepted_referral(partner)
    pien = await login(partner, "pien")
    token = await csrf_of(pien, "/console/terugbelverzoeken")
    assert SHOWN in (await pien.post(f"/console/terugbelverzoeken/{referral_id}/nummer", data={"csrf": token})).text
    for expected in ("blijft in de lijst voor een tweede poging", "Het is afgesloten"):
        confirm = await pien.post(f"/console/terugbelverzoeken/{referral_id}/resultaat",
                                  data={"csrf": token, "result": "not_reached"})
        assert "Weet je het zeker?" in confirm.text and (await referral(partner, referral_id)).closed_at is None
        answer = await pien.post(f"/console/terugbelverzoeken/{referral_id}/resultaat",
                                 data={"csrf": token, "result": "not_reached", "zeker": "ja"}, follow_redirects=True)
        assert expected in answer.text
    closed = await referral(partner, referral_id)
    assert (closed.not_reached, closed.phone, closed.summary, closed.closed_at is not None) == (2, None, None, True)
    assert f'data-referral="{referral_id}"' not in answer.text
    reasons = [a.reason for a in await access_log(partner, referral_id) if a.action == "referral_result"]
    assert reasons == [f"terugbelverzoek {referral_id}: Niet bereikt (blijft voor een tweede poging)",
                       f"terugbelverzoek {referral_id}: Niet bereikt"]


async def test_the_admin_chooses_a_team_from_the_known_teams(partner):
    admin = await login(partner, "admin")
    page = (await admin.get("/console/admin", headers={"accept": "text/html"})).text
    choices = re.search(r'<select id="new-team" name="team">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r"<option[^>]*>([^<]+)</option>", choices) == ["geen team (managers en beheerders)", "buurtteam", TEAM]
    token = await csrf_of(admin, "/console/admin")
    typo = await admin.post("/console/admin/users", data={
        "csrf": token, "username": "kees", "password": PASSWORD, "role": "worker", "team": "schuldhulp-terugbell"})
    assert typo.status_code == 422 and "Kies een team uit de lijst" in typo.text
    added = await admin.post("/console/admin/users", data={
        "csrf": token, "username": "kees", "password": PASSWORD, "role": "worker", "team": TEAM})
    assert added.status_code == 303
    kees = await login(partner, "kees")
    home = await kees.get("/console", headers={"accept": "text/html"})  # a call-back team has no general queue
    assert home.status_code == 303 and home.headers["location"] == "/console/terugbelverzoeken"
    shown = await admin.get(added.headers["location"], headers={"accept": "text/html"})
    assert f"Gebruiker toegevoegd: kees (medewerker, {TEAM})." in shown.text
    # A manager gets no team unless one is chosen; a worker cannot be left without one.
    manager = await admin.post("/console/admin/users", data={
        "csrf": token, "username": "mia", "password": PASSWORD, "role": "manager", "team": ""}, follow_redirects=True)
    assert "Gebruiker toegevoegd: mia (manager)." in manager.text
    teamless = await admin.post("/console/admin/users", data={
        "csrf": token, "username": "lotte", "password": PASSWORD, "role": "worker", "team": ""})
    assert teamless.status_code == 422 and "Een medewerker hoort bij een team" in teamless.text


def test_the_command_line_gives_managers_and_admins_no_team_unless_asked(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'users.db'}", "VOORDEUR_DATA_DIR": str(tmp_path)}

    def voordeur(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "bot.cli", "user", *args], env=env, input=PASSWORD + "\n",
                              capture_output=True, text=True, timeout=120, check=True)
        return done.stdout

    voordeur("add", "mia", "--role", "manager", "--password-stdin")
    voordeur("add", "beheer", "--role", "admin", "--password-stdin")
    voordeur("add", "kees", "--role", "worker", "--password-stdin")
    voordeur("add", "fatima", "--role", "worker", "--team", TEAM, "--password-stdin")
    teams = {line.split("\t")[0]: line.split("\t")[2] for line in voordeur("list").splitlines()}
    assert teams == {"mia": "-", "beheer": "-", "kees": "buurtteam", "fatima": TEAM}


@pytest.mark.parametrize("width", [1280, 390])
async def test_the_admin_page_fits_a_phone(partner, width):
    await accepted_referral(partner)
    async with chromium_page(width, 844) as page:
        await worker_login(page, partner.url, "admin")
        await expect(page.locator("h1")).to_have_text("Beheer")
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # Every column, the role and the change buttons included, lies within the screen's width.
        widest = await page.evaluate("""Math.max(...[...document.querySelectorAll('main td, main button, main select')]
                                        .map(e => e.getBoundingClientRect().right))""")
        assert widest <= width
        await assert_accessible(page, f"admin at {width} px")
        await page.screenshot(path=str(ARTIFACTS / f"admin-{width}.png"), full_page=True)



async def test_a_resident_who_erases_vanishes_from_the_queue_but_the_reads_of_their_number_stay_unlinked(partner):
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
    # Accountability stays: the admin still sees that Pien read a summary and a number that day, not whose.
    assert await access_log(partner, erased_id) == []
    async with partner.switchboard.sessions() as db:
        kept = list(await db.scalars(select(AccessLog).where(AccessLog.username == "pien").order_by(AccessLog.id)))
    assert [(a.action, a.conversation_id, a.referral_id, a.reason) for a in kept] == [
        ("referral_open", None, None, ERASED_REASON), ("referral_phone", None, None, ERASED_REASON)]
    admin = await login(partner, "admin")
    export = (await admin.get("/console/admin/log.csv?wat=referral_phone")).text
    assert export.count("telefoonnummer getoond") == 1 and ERASED_REASON in export and "pien" in export
    page = (await admin.get("/console/admin", headers={"accept": "text/html"})).text
    assert "gewist" in page and ERASED_REASON in page


async def web_messages(gateway, resident: str) -> list[dict]:
    reply = await gateway.client.get("/api/webchat/messages?after=0", headers={"X-Webchat-Session": resident})
    assert reply.status_code == 200
    return reply.json()["messages"]


async def test_a_request_closed_as_no_longer_needed_is_told_to_the_resident_with_a_way_back(partner):
    resident = session_id()
    referral_id, _ = await accepted_referral(partner, resident=resident)
    pien = await login(partner, "pien")
    token = await csrf_of(pien, "/console/terugbelverzoeken")
    # No number needed for this one (the resident may have said so another way), but still the confirm step.
    confirm = await pien.post(f"/console/terugbelverzoeken/{referral_id}/resultaat",
                              data={"csrf": token, "result": "no_longer_needed"})
    told = "Schuldhulpverlening Voorbeeldstad heeft je verzoek afgesloten."
    assert confirm.status_code == 200 and told in confirm.text and "Wil je toch hulp?" in confirm.text
    done = await pien.post(f"/console/terugbelverzoeken/{referral_id}/resultaat",
                           data={"csrf": token, "result": "no_longer_needed", "zeker": "ja"}, follow_redirects=True)
    assert f"Verzoek {referral_id} opgeslagen als Niet meer nodig" in done.text

    assert await tell_residents(partner.switchboard) == 1
    assert await tell_residents(partner.switchboard) == 0  # once
    heard = [m for m in await web_messages(partner, resident) if told in m["text"]]
    assert len(heard) == 1 and "Wil je toch hulp?" in heard[0]["text"]
    assert [b["payload"] for b in heard[0]["buttons"]] == ["/ask_human"]  # "Een medewerker"


async def test_a_call_back_team_has_no_general_queue_and_reads_no_chat_not_even_a_crisis(partner):
    """A call-back team may be an outside partner: it sees its own requests only (docs/console.md)."""
    crisis = session_id()
    body = await partner.say(crisis, "mijn man slaat me en ik durf niet naar huis")
    assert body["state"] == "waiting_for_human"
    conversation_id = await case_of(partner, crisis)
    referral_id, own_conversation = await accepted_referral(partner)

    pien = await login(partner, "pien")
    token = await csrf_of(pien, "/console/terugbelverzoeken")
    home = await pien.get("/console", headers={"accept": "text/html"})
    assert home.status_code == 303 and home.headers["location"] == "/console/terugbelverzoeken"
    assert (await pien.get("/console/queue")).text.count("data-conversation") == 0
    assert (await pien.get("/console/alerts")).json() == {"waiting": 0, "urgent": [], "unread": []}
    for case in (conversation_id, own_conversation):  # not the crisis, not even the chat behind her own request
        assert (await pien.get(f"/console/conversations/{case}")).status_code == 404
        assert (await pien.get(f"/console/conversations/{case}/transcript")).status_code == 404
        assert (await pien.post(f"/console/conversations/{case}/claim", data={"csrf": token})).status_code == 404
    async with partner.switchboard.sessions() as db:
        assert await db.scalar(select(AccessLog.id).where(AccessLog.conversation_id == conversation_id)) is None

    # A frontline worker still gets the crisis at once, and cannot pass it to the call-back team,
    # where nobody could read it: Pien and her team are not among the transfer choices, and are refused.
    sanne = await login(partner, "sanne")
    assert (await sanne.get("/console/alerts")).json()["urgent"][0]["id"] == conversation_id
    sanne_token = await csrf_of(sanne)
    assert (await sanne.post(f"/console/conversations/{conversation_id}/claim",
                             data={"csrf": sanne_token})).status_code == 303
    case_page = (await sanne.get(f"/console/conversations/{conversation_id}")).text
    assert 'value="team:buurtteam"' in case_page and f"team:{TEAM}" not in case_page and "Pien" not in case_page
    async with partner.switchboard.sessions() as db:
        pien_id = await db.scalar(select(User.id).where(User.username == "pien"))
    for target in (f"team:{TEAM}", f"user:{pien_id}"):
        refused = await sanne.post(f"/console/conversations/{conversation_id}/transfer",
                                   data={"csrf": sanne_token, "to": target})
        assert refused.status_code == 422
    async with partner.switchboard.sessions() as db:
        case = await db.get(Conversation, conversation_id)
    assert (case.state, case.team) == ("with_human", None)
    assert referral_id  # and Pien's own request is hers: see the tests above


async def test_an_overdue_request_shows_what_the_resident_already_heard(partner_and_assistant):
    partner = partner_and_assistant
    resident = session_id()
    late, _ = await accepted_referral(partner, consent_days_ago=10, resident=resident)
    assert await tell_residents(partner.switchboard) == 1  # "... zou je uiterlijk op ... bellen. Sorry."
    pien = await login(partner, "pien")
    page = (await pien.get(f"/console/terugbelverzoeken/{late}")).text
    assert re.search(r"De bewoner kreeg op \w+ \d+ \w+ om \d+:\d\d bericht dat de termijn voorbij is", page)
    assert "Dat heeft de bewoner niet gevraagd." in page

    await partner.say(resident, "/ask_human")  # the "Een medewerker" button under that message
    page = (await pien.get(f"/console/terugbelverzoeken/{late}")).text
    assert "Daarna vroeg de bewoner om een medewerker van de gemeente." in page

    fresh, _ = await accepted_referral(partner)
    assert "termijn voorbij" not in (await pien.get(f"/console/terugbelverzoeken/{fresh}")).text


async def test_console_errors_are_dutch_pages_and_the_number_address_leads_back(partner):
    referral_id, _ = await accepted_referral(partner)
    pien = await login(partner, "pien")
    again = await pien.get(f"/console/terugbelverzoeken/{referral_id}/nummer")
    assert again.status_code == 303 and again.headers["location"] == f"/console/terugbelverzoeken/{referral_id}"
    missing = await pien.get("/console/bestaat-niet")
    assert missing.status_code == 404 and "Deze pagina bestaat niet." in missing.text and 'lang="nl"' in missing.text
    wrong_way = await pien.get(f"/console/terugbelverzoeken/{referral_id}/resultaat")
    assert wrong_way.status_code == 405 and "Deze pagina kun je zo niet openen" in wrong_way.text
    assert "Method Not Allowed" not in wrong_way.text and "Not Found" not in missing.text
    # Programs outside the console keep their plain answer.
    assert (await partner.client.get("/api/bestaat-niet")).text == "Not Found"
