"""A worker's day in the console (issue 14): alerts for a crisis while busy with another case,
replies with Enter on a phone and a desktop, button titles in the transcript, closing that
refuses a referral without a service, transfers with a note, earlier cases folded, no chatty
intro to someone in crisis or twice, and the access log an admin can filter and export."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.async_api import expect
from sqlalchemy import select

from bot.handover.users import add_user
from bot.store.models import Conversation, Message
from tests.browser import chromium_page
from tests.handover.conftest import PASSWORD, case_of, csrf_of, login, session_id
from tests.handover.test_console_browser import worker_login


async def claimed_case(gateway, worker: str = "sanne", text: str = "ik wil graag een medewerker spreken"):
    """A resident who asked for a person, and the worker's logged-in client that claimed it."""
    sid = session_id()
    assert (await gateway.say(sid, text))["state"] == "waiting_for_human"
    case = await case_of(gateway, sid)
    client = await login(gateway, worker)
    token = await csrf_of(client)
    assert (await client.post(f"/console/conversations/{case}/claim", data={"csrf": token})).status_code == 303
    return sid, case, client, token


async def to_resident(gateway, sid: str) -> list[dict]:
    return (await gateway.client.get(f"/api/webchat/{sid}/messages")).json()["messages"]


async def test_a_crisis_while_the_worker_has_another_case_open_alerts_the_worker(staff):
    _, case, _, _ = await claimed_case(staff)
    async with chromium_page(1280, 900) as worker:
        await worker_login(worker, staff.url, "sanne")
        await worker.goto(f"{staff.url}/console/conversations/{case}")
        await expect(worker.locator("#reply")).to_be_visible()
        title_before = await worker.title()

        crisis_sid = session_id()
        await staff.say(crisis_sid, "ik wil niet meer leven")
        crisis = await case_of(staff, crisis_sid)

        alert = worker.locator("#alerts .alert")
        await expect(alert).to_contain_text("Crisis", timeout=15000)
        assert await alert.locator("a").get_attribute("href") == f"/console/conversations/{crisis}"
        await expect(worker).to_have_title(re.compile(r"^\(\d+\) "))
        assert title_before != await worker.title()
        await alert.locator("a").click()  # one click to the crisis case
        await expect(worker.locator("h1")).to_contain_text("Crisis")


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)])
async def test_a_worker_replies_with_enter_and_shift_enter_makes_a_new_line(staff, width, height):
    sid, case, _, _ = await claimed_case(staff)
    async with chromium_page(width, height) as worker:
        await worker_login(worker, staff.url, "sanne")
        await worker.goto(f"{staff.url}/console/conversations/{case}")
        reply = worker.locator("#reply")
        await expect(reply).to_be_in_viewport()  # the reply box is on the first screen
        await reply.fill("Hoi, ik help je.")
        await reply.press("Shift+Enter")
        await reply.type("Wat is er gebeurd?")
        assert await reply.input_value() == "Hoi, ik help je.\nWat is er gebeurd?"
        assert not [m for m in await to_resident(staff, sid) if "Wat is er gebeurd" in m["text"]]

        await reply.press("Enter")
        await expect(worker.locator("#transcript li.human").last).to_contain_text("Wat is er gebeurd?", timeout=10000)
        await expect(reply).to_have_value("")
        await expect(reply).to_be_focused()
        sent = [m for m in await to_resident(staff, sid) if m["from"] == "human"]
        assert sent[-1]["text"] == "Hoi, ik help je.\nWat is er gebeurd?"
        width_used = await worker.evaluate("document.documentElement.scrollWidth")
        assert width_used <= width  # nothing sticks out sideways on a phone


async def test_the_transcript_shows_button_titles_not_payloads(staff):
    for opener in ("🙂", "ik heb schulden", "ik heb een vraag over zorg"):  # ones the assistant answers with buttons
        sid = session_id()
        body = await staff.say(sid, opener)
        buttons = [b for m in body["messages"] for b in m.get("buttons") or []
                   if b["payload"].startswith("/") and b["payload"] != "/ask_human"]
        if buttons:
            break
    assert buttons, body
    await staff.say(sid, buttons[0]["payload"])
    assert (await staff.say(sid, "ik wil graag een medewerker spreken"))["state"] == "waiting_for_human"
    case = await case_of(staff, sid)
    async with chromium_page(1280, 900) as worker:
        await worker_login(worker, staff.url, "sanne")
        await worker.goto(f"{staff.url}/console/conversations/{case}")
        pressed = worker.locator("#transcript li.resident", has_text=buttons[0]["title"])
        await expect(pressed).to_have_count(1)
        await expect(pressed).to_contain_text("Koos de knop")
        text = await worker.locator("#transcript").inner_text()
        assert buttons[0]["payload"] not in text and "choose_theme" not in text


async def test_a_referral_without_a_service_is_refused_and_nothing_is_sent(staff):
    sid, case, _, _ = await claimed_case(staff, text="ik heb schulden, mag ik een medewerker")
    async with chromium_page(1280, 900) as worker:
        await worker_login(worker, staff.url, "sanne")
        await worker.goto(f"{staff.url}/console/conversations/{case}")
        assert await worker.locator("#close-outcome").input_value() == ""  # no outcome chosen for you
        await worker.select_option("#close-outcome", "referred")
        await worker.select_option("#close-intent", "debt_bills")
        await worker.click("#close-submit")
        await expect(worker.locator("#close-error")).to_contain_text("dienst")
        await expect(worker.locator("#close-service")).to_be_focused()
    # Without the page's script the server refuses it just the same.
    client = await login(staff, "sanne")
    token = await csrf_of(client)
    refused = await client.post(f"/console/conversations/{case}/close",
                                data={"csrf": token, "outcome": "referred", "intent": "debt_bills", "service": ""})
    assert refused.status_code == 422 and "Kies bij ‘Doorverwezen’ de dienst" in refused.text
    no_outcome = await client.post(f"/console/conversations/{case}/close", data={"csrf": token, "intent": "debt_bills"})
    assert no_outcome.status_code == 422 and "Kies eerst een uitkomst" in no_outcome.text
    async with staff.switchboard.sessions() as db:
        assert (await db.get(Conversation, case)).state == "with_human"
    assert not [m for m in await to_resident(staff, sid) if "sluit het gesprek af" in m["text"]]


async def test_closing_is_confirmed_and_the_worker_sees_the_result(staff):
    sid, case, _, _ = await claimed_case(staff, text="ik heb schulden, mag ik een medewerker")
    async with chromium_page(1280, 900) as worker:
        await worker_login(worker, staff.url, "sanne")
        await worker.goto(f"{staff.url}/console/conversations/{case}")
        await worker.select_option("#close-outcome", "waiting_list")
        await worker.select_option("#close-intent", "debt_bills")
        await worker.click("#close-submit")
        await expect(worker.locator("#close-summary")).to_contain_text("wachtlijst")
        async with staff.switchboard.sessions() as db:
            assert (await db.get(Conversation, case)).state == "with_human"  # not before the yes
        await worker.click("#close-form button[name=confirmed]")
        await expect(worker.locator(".result")).to_contain_text("Gelukt: het gesprek is afgesloten")
        await expect(worker.locator(".result")).to_contain_text("wachtlijst")
    assert [m for m in await to_resident(staff, sid) if "sluit het gesprek af" in m["text"]]


async def intro_count(gateway, case: int) -> int:
    async with gateway.switchboard.sessions() as db:
        texts = list(await db.scalars(select(Message.text).where(
            Message.conversation_id == case, Message.sender == "human")))
    return sum("Hoi, ik ben" in t for t in texts)


async def test_no_cheerful_intro_to_a_crisis_or_on_a_second_claim(staff):
    _, crisis, _, _ = await claimed_case(staff, text="ik wil niet meer leven")
    assert await intro_count(staff, crisis) == 0

    _, case, sanne, token = await claimed_case(staff)
    assert await intro_count(staff, case) == 1
    await sanne.post(f"/console/conversations/{case}/transfer", data={"csrf": token, "to": "team:buurtteam"})
    joost = await login(staff, "joost")
    await joost.post(f"/console/conversations/{case}/claim", data={"csrf": await csrf_of(joost)})
    assert await intro_count(staff, case) == 1


async def test_a_transfer_note_reaches_the_colleague_who_takes_over(staff):
    async with staff.switchboard.sessions.begin() as db:
        await add_user(db, "fatima", PASSWORD, "worker", "Fatima", team="schuldhulp")
    _, case, sanne, token = await claimed_case(staff, text="ik heb schulden, mag ik een medewerker")
    moved = await sanne.post(f"/console/conversations/{case}/transfer", data={
        "csrf": token, "to": "team:schuldhulp", "note": "Beslag op loon vanaf maandag, bel vandaag terug."})
    assert moved.status_code == 303
    done = await sanne.get(moved.headers["location"])
    assert "Gelukt: het gesprek is overgedragen" in done.text and "schuldhulp" in done.text
    fatima = await login(staff, "fatima")
    queue = (await fatima.get("/console/queue")).text
    assert f'data-conversation="{case}"' in queue and "Beslag op loon vanaf maandag" in queue
    page = await fatima.get(f"/console/conversations/{case}")
    assert "Beslag op loon vanaf maandag" in page.text


async def test_earlier_cases_of_a_returning_resident_are_folded_with_their_outcome(staff):
    sid, case, sanne, token = await claimed_case(staff, text="ik heb schulden, mag ik een medewerker")
    await sanne.post(f"/console/conversations/{case}/reply", data={"csrf": token, "text": "Bel de schuldhulp."})
    await sanne.post(f"/console/conversations/{case}/close",
                     data={"csrf": token, "outcome": "helped", "intent": "debt_bills"})
    await staff.say(sid, "hallo, daar ben ik weer")
    assert (await staff.say(sid, "ik wil graag een medewerker spreken"))["state"] == "waiting_for_human"
    await sanne.post(f"/console/conversations/{case}/claim", data={"csrf": token})
    async with chromium_page(1280, 900) as worker:
        await worker_login(worker, staff.url, "sanne")
        await worker.goto(f"{staff.url}/console/conversations/{case}")
        earlier = worker.locator("details.earlier")
        await expect(earlier).to_have_count(1)
        await expect(earlier.locator("summary")).to_contain_text("Geholpen")
        await expect(earlier.locator("li", has_text="Bel de schuldhulp.")).to_be_hidden()  # folded
        await expect(worker.locator("#transcript")).to_contain_text("daar ben ik weer")
        await expect(worker.locator("#transcript")).not_to_contain_text("Bel de schuldhulp.")
        await earlier.locator("summary").click()
        await expect(earlier.locator("li", has_text="Bel de schuldhulp.")).to_be_visible()


async def test_queue_filters_show_urgent_cases_and_a_theme(staff):
    await staff.say(session_id(), "ik wil niet meer leven")
    await staff.say(session_id(), "ik wil graag een medewerker spreken")
    sanne = await login(staff, "sanne")
    everyone = (await sanne.get("/console/queue")).text
    urgent = (await sanne.get("/console/queue?toon=urgent")).text
    crisis_theme = (await sanne.get("/console/queue?thema=crisis")).text
    assert everyone.count("data-conversation=") == 2
    assert urgent.count("data-conversation=") == 1 and "Crisis" in urgent
    assert crisis_theme.count("data-conversation=") == 1


async def test_the_access_log_is_filtered_paged_and_exported_for_admins(staff):
    _, case, sanne, token = await claimed_case(staff)
    await sanne.get(f"/console/conversations/{case}")
    await sanne.post(f"/console/conversations/{case}/reply", data={"csrf": token, "text": "Ik help je."})
    admin = await login(staff, "admin")
    page = (await admin.get(f"/console/admin?wie=sanne&wat=reply&gesprek={case}")).text
    rows = re.findall(r"<tr><td[^>]*>.*?</tr>", page, re.S)
    assert len(rows) == 1 and "antwoord gestuurd" in rows[0]
    export = await admin.get(f"/console/admin/log.csv?wie=sanne&gesprek={case}")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";"))
    assert table[0] == ["Wanneer", "Wie", "Gesprek", "Wat", "Waarom"]
    assert {row[3] for row in table[1:]} >= {"opgepakt", "gelezen", "antwoord gestuurd"}
    assert all(row[1] == "sanne" and row[2] == str(case) for row in table[1:])
    assert (await sanne.get("/console/admin/log.csv")).status_code == 403


async def test_a_residents_reply_is_marked_unread_and_alerted_on_the_queue_page(staff):
    sid, case, _, _ = await claimed_case(staff)
    async with chromium_page(390, 844) as worker:
        await worker_login(worker, staff.url, "sanne")
        mine = worker.locator(f'[data-mine="{case}"]')
        await expect(mine).to_be_visible()
        await expect(mine.locator(".badge.new")).to_have_count(0)
        await staff.say(sid, "ben je er nog?")
        await expect(mine.locator(".badge.new")).to_have_text("Nieuw bericht", timeout=15000)
        await expect(worker.locator("#alerts .alert")).to_contain_text("Nieuw bericht", timeout=15000)
        await expect(worker).to_have_title(re.compile(r"^\(1\) Wachtrij"))


async def test_a_worker_signed_out_elsewhere_is_told_instead_of_watching_a_stale_queue(staff):
    from sqlalchemy import delete

    from bot.store.models import ConsoleSession

    async with chromium_page(1280, 900) as worker:
        await worker_login(worker, staff.url, "sanne")
        await expect(worker.locator("h1")).to_have_text("Wachtrij")
        async with staff.switchboard.sessions.begin() as db:  # as "Overal uitloggen" on the admin page does
            await db.execute(delete(ConsoleSession))
        await expect(worker.locator("#alerts .alert")).to_contain_text("Je bent uitgelogd", timeout=25000)
        assert await worker.locator("#alerts a").get_attribute("href") == "/console/login"


async def test_many_crises_at_the_start_of_a_shift_give_one_banner_not_a_wall(staff):
    """A new shift after a busy night: the queue stays on screen, one banner sums up."""
    for _ in range(5):
        await staff.say(session_id(), "ik wil niet meer leven")
    async with chromium_page(390, 844) as worker:
        await worker_login(worker, staff.url, "sanne")  # lands on the queue
        banner = worker.locator("#alerts .alert")
        await expect(banner.first).to_contain_text("nieuwe meldingen", timeout=15000)
        assert await banner.count() == 1
        assert await banner.first.locator("a").get_attribute("href") == "/console"
