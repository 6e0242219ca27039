"""The resident's side of a call back (bot/referrals/dialogue.py), through the running gateway with the
real Rasa server and action server, over the web chat API: the offer after a routed need, the summary
shown and changed, the number, the best time, consent; declining, withdrawing, a crisis half-way, and
the number never reaching the message store or Rasa."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from bot import clock
from bot.needs.models import ReferralOutcome
from bot.pseudonym import unseal
from bot.referrals.models import Referral
from bot.store.models import Conversation, Message
from tests.conftest import DESK_OPEN
from tests.conversations.checks import first_line_named
from tests.handover.conftest import csrf_of, login, make_user

pytestmark = pytest.mark.rasa

# A working Tuesday morning: two working days later is Thursday 26 November.
TUESDAY = DESK_OPEN
NUMBER, NUMBER_DIGITS = "0687 654 321", "687654321"  # a valid Dutch mobile, written with spaces


def texts(body: dict) -> str:
    return "\n".join(m.get("text") or "" for m in body["messages"])


def payloads(body: dict) -> list[str]:
    return [b["payload"] for m in body["messages"] for b in m.get("buttons") or []]


async def referrals_of(gateway, session: str) -> list[Referral]:
    resident = gateway.switchboard.pseudonym("webchat", session)
    async with gateway.switchboard.sessions() as db:
        return list(await db.scalars(select(Referral).join(Conversation, Referral.conversation_id == Conversation.id)
                                     .where(Conversation.resident == resident).order_by(Referral.id)))


async def stored_texts(gateway, session: str) -> list[str]:
    resident = gateway.switchboard.pseudonym("webchat", session)
    async with gateway.switchboard.sessions() as db:
        return list(await db.scalars(select(Message.text).join(Conversation, Message.conversation_id == Conversation.id)
                                     .where(Conversation.resident == resident).order_by(Message.id)))


async def rasa_tracker(rasa_url: str, sender: str) -> str:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{rasa_url}/conversations/{sender}/tracker",
                                    params={"token": "test-token", "include_events": "ALL"})
    assert response.status_code == 200, response.text
    return response.text


async def offers_counted(gateway) -> int:
    """The anonymous count of call-back offers (what the dashboard shows, bot/needs/referral_outcomes.py)."""
    async with gateway.switchboard.sessions() as db:
        return int(await db.scalar(select(func.coalesce(func.sum(ReferralOutcome.count), 0))
                                   .where(ReferralOutcome.stage == "offered")) or 0)


async def routed_and_offered(gateway, session: str, need: str = "ik kan mijn rekeningen niet meer betalen") -> dict:
    """The assistant names Schuldhulpverlening and asks its own questions first (the address, a
    person): one question at a time; the offer comes once they are answered."""
    before = await offers_counted(gateway)
    body = await gateway.say(session, need)
    assert "0123-456 700" in texts(body) and "jou belt" not in texts(body)
    body = await gateway.say(session, "nee")  # no address
    assert "jou belt" not in texts(body)
    assert await offers_counted(gateway) == before  # noted, not yet asked: the dashboard does not count it
    body = await gateway.say(session, "nee hoor")  # no person
    assert "Schuldhulpverlening Voorbeeldstad jou belt" in texts(body)
    assert await offers_counted(gateway) == before + 1
    assert body["messages"][-1]["buttons"][0]["payload"] == "terugbellen:ja"  # the offer is the last question
    return body


async def test_accept_with_the_summary_unchanged_and_the_number_stays_out_of_store_and_rasa(gateway, rasa_server):
    session = "r-" + uuid.uuid4().hex[:12]
    with clock.frozen(TUESDAY):
        await routed_and_offered(gateway, session)
        summary = await gateway.say(session, "ja hoor")
        assert "Vraag over: rekeningen en schulden." in texts(summary)
        assert "terugbellen:klopt" in payloads(summary)
        asked = await gateway.say(session, "klopt")
        assert "Op welk nummer" in texts(asked)
        when = await gateway.say(session, NUMBER)
        assert "terugbellen:middag" in payloads(when)
        confirm = await gateway.say(session, "smiddags")
        assert "Vraag over: rekeningen en schulden." in texts(confirm) and "middag" in texts(confirm)
        assert "06 87654321" in texts(confirm)  # the whole number: the resident sees a typo
        done = await gateway.say(session, "ok")
    assert "donderdag 26 november" in texts(done)  # the deadline, as a Dutch day
    assert "intrekken" in texts(done).lower() and "terugbellen:intrekken" in payloads(done)

    [referral] = await referrals_of(gateway, session)
    assert referral.status == "accepted" and referral.step is None
    assert unseal("test-secret", referral.phone) == "+31" + NUMBER_DIGITS
    assert referral.summary == "Vraag over: rekeningen en schulden."
    assert referral.call_time == "middag" and referral.consent_wording == "v1" and referral.consent_at
    stored = await stored_texts(gateway, session)
    assert "[telefoonnummer]" in stored
    assert not any(NUMBER_DIGITS[-7:] in re.sub(r"\D", "", t) for t in stored)
    tracker = await rasa_tracker(rasa_server.url, gateway.switchboard.pseudonym("webchat", session))
    assert NUMBER_DIGITS[-7:] not in re.sub(r"\D", "", tracker)
    assert '"ja hoor"' not in tracker and "smiddags" not in tracker  # no answer of ours reached Rasa


async def test_the_summary_is_changed_in_own_words_and_a_bsn_and_iban_are_left_out(gateway):
    session = "r-" + uuid.uuid4().hex[:12]
    await routed_and_offered(gateway, session)
    await gateway.say(session, "jup")
    asked = await gateway.say(session, "terugbellen:aanpassen")
    assert "paar woorden" in texts(asked)
    shown = await gateway.say(session, "brieven van de deurwaarder, mijn bsn is 111222333 en rekening NL91ABNA0417164300")
    said = texts(shown)
    assert "weggehaald" in said and "BSN" in said and "IBAN" in said  # plainly told what was left out
    assert "111222333" not in said and "0417164300" not in said
    assert "In eigen woorden: brieven van de deurwaarder" in said
    await gateway.say(session, "terugbellen:klopt")
    await gateway.say(session, "+31 6 23456789")
    await gateway.say(session, "terugbellen:maakt niet uit")
    await gateway.say(session, "terugbellen:bevestig")
    [referral] = await referrals_of(gateway, session)
    assert referral.status == "accepted"
    assert "[BSN]" in referral.summary and "[IBAN]" in referral.summary and "111222333" not in referral.summary
    stored = await stored_texts(gateway, session)
    assert "[eigen woorden]" in stored and not any("111222333" in t for t in stored)
    # the words live on only in the referral: the messages that showed them back keep a marker
    assert "[samenvatting terugbelverzoek]" in stored and not any("deurwaarder, mijn" in t for t in stored)
    assert not any("brieven van de deurwaarder" in t for t in stored)


async def test_a_wrong_and_a_foreign_number_get_a_clear_answer_then_a_right_one_is_taken(gateway):
    session = "r-" + uuid.uuid4().hex[:12]
    await routed_and_offered(gateway, session)
    await gateway.say(session, "terugbellen:ja")
    await gateway.say(session, "ja klopt")
    wrong = await gateway.say(session, "06-1234567")
    assert "Nederlands nummer" in texts(wrong) and "stop" in texts(wrong)
    foreign = await gateway.say(session, "+44 7911 123456")
    assert "alleen Nederlandse nummers" in texts(foreign)
    right = await gateway.say(session, "mijn nummer is 06-23456789")
    assert "terugbellen:ochtend" in payloads(right)
    [referral] = await referrals_of(gateway, session)
    assert referral.status == "offered" and referral.step == "call_time"
    assert unseal("test-secret", referral.phone) == "+31623456789"
    stored = await stored_texts(gateway, session)
    assert stored.count("[telefoonnummer]") == 3 and not any("7911" in t or "23456789" in t for t in stored)


async def test_declining_keeps_nothing_and_the_conversation_goes_on(gateway):
    session = "r-" + uuid.uuid4().hex[:12]
    await routed_and_offered(gateway, session)
    no = await gateway.say(session, "nee dank je")
    assert "Dan bel je zelf" in texts(no)
    [referral] = await referrals_of(gateway, session)
    assert referral.status == "declined" and referral.phone is None and referral.summary is None
    later = await gateway.say(session, "wat is het adres?")
    assert "Raadhuisplein" in texts(later)  # the assistant answers as before
    for said in ("ik heb ook een huurachterstand", "nee", "nee"):  # schuldhulp again, its questions answered
        again = await gateway.say(session, said)
        assert "jou belt" not in texts(again)  # declined once in this conversation: not asked again


async def test_ending_the_chat_ends_an_unanswered_offer_and_a_draft_keeps_nothing(gateway):
    """The resident pressed "stop" while our question was open: a "ja" after they come back is an
    answer to the assistant, not a call back they never finished; a half-done draft (with the
    number) is gone. The offer stays counted; a later conversation may offer again."""
    offered = "r-" + uuid.uuid4().hex[:12]
    await routed_and_offered(gateway, offered)
    counted = await offers_counted(gateway)
    ended = await gateway.client.post("/api/webchat/end", json={"session": offered})
    assert ended.status_code == 200 and ended.json()["state"] == "closed"
    assert await referrals_of(gateway, offered) == []
    back = await gateway.say(offered, "ja")
    assert "Klopt dit?" not in texts(back) and "terugbellen:klopt" not in payloads(back)
    assert await offers_counted(gateway) == counted

    draft = "r-" + uuid.uuid4().hex[:12]
    await routed_and_offered(gateway, draft)
    for said in ("ja", "klopt", NUMBER):
        await gateway.say(draft, said)
    assert (await referrals_of(gateway, draft))[0].phone  # sealed in the draft
    await gateway.client.post("/api/webchat/end", json={"session": draft})
    assert await referrals_of(gateway, draft) == []
    stored = await stored_texts(gateway, draft)
    assert not any(NUMBER_DIGITS[-7:] in re.sub(r"\D", "", t) for t in stored)
    pressed = await gateway.say(draft, "terugbellen:middag")  # an old button of the draft
    assert "Dit geven we door" not in texts(pressed) and pressed["state"] == "bot"


async def test_a_button_title_typed_instead_of_pressed_does_what_the_button_does(gateway):
    """"Iets aanpassen" typed at the confirmation once went to the assistant, which read
    "aanpassen" as a home adaptation (Wmo-loket) and left the call back half done."""
    session = "r-" + uuid.uuid4().hex[:12]
    await routed_and_offered(gateway, session)
    for said in ("Ja, bel mij", "Klopt", NUMBER, "Middag"):  # every one typed as its button reads
        body = await gateway.say(session, said)
    assert "Zullen we het doorsturen?" in texts(body)
    change = await gateway.say(session, "Iets aanpassen")
    assert "Wat wil je aanpassen?" in texts(change) and "Wmo" not in texts(change)
    when = await gateway.say(session, "De tijd")
    assert "Wanneer kunnen ze je het best bellen?" in texts(when)
    back = await gateway.say(session, "Ochtend")
    assert "Zullen we het doorsturen?" in texts(back) and "ochtend" in texts(back)
    await gateway.say(session, "Iets aanpassen")
    again = await gateway.say(session, "iets aanpassen")  # typed twice, as a double press
    assert "Wat wil je aanpassen?" in texts(again)
    words = await gateway.say(session, "tekst")  # the title without its article
    assert "Schrijf in een paar woorden" in texts(words)
    [referral] = await referrals_of(gateway, session)
    assert referral.status == "offered" and referral.step == "own_words" and referral.call_time == "ochtend"


async def test_withdrawing_removes_number_and_summary_at_once(gateway):
    session = "r-" + uuid.uuid4().hex[:12]
    await routed_and_offered(gateway, session)
    for said in ("ja", "klopt", "06 23456789", "middag", "terugbellen:bevestig"):
        await gateway.say(session, said)
    [referral] = await referrals_of(gateway, session)
    assert referral.status == "accepted" and referral.phone
    status = await gateway.say(session, "ik ben nog niet gebeld")  # a complaint, not a withdrawal: where it stands
    assert "eindigt op 89" in texts(status) and "0123-456 700" in texts(status) and status["state"] == "bot"
    [referral] = await referrals_of(gateway, session)
    assert referral.status == "accepted" and referral.phone
    gone = await gateway.say(session, "ik wil niet meer gebeld worden")
    assert "ingetrokken" in texts(gone) and "gewist" in texts(gone)
    [referral] = await referrals_of(gateway, session)
    assert referral.status == "withdrawn"
    assert referral.phone is None and referral.summary is None and referral.call_time is None
    nothing = await gateway.say(session, "trek mijn aanvraag in")
    assert "geen terugbelverzoek" in texts(nothing)


async def test_a_crisis_half_way_gets_113_first_and_another_question_is_answered_by_the_assistant(gateway, rasa_server):
    session = "r-" + uuid.uuid4().hex[:12]
    await routed_and_offered(gateway, session)
    await gateway.say(session, "ja")
    await gateway.say(session, "klopt")
    other = await gateway.say(session, "waar zitten ze eigenlijk?")
    assert "Raadhuisplein" in texts(other)  # not trapped: the assistant answered
    taken = await gateway.say(session, "0623456789")  # still ours: a number never goes to Rasa
    assert "terugbellen:ochtend" in payloads(taken)
    tracker = await rasa_tracker(rasa_server.url, gateway.switchboard.pseudonym("webchat", session))
    assert "23456789" not in tracker

    session = "r-" + uuid.uuid4().hex[:12]
    await routed_and_offered(gateway, session)
    await gateway.say(session, "ja")
    await gateway.say(session, "klopt")
    crisis = await gateway.say(session, "ik wil niet meer leven")
    assert first_line_named(texts(crisis)) == "113"
    assert crisis["state"] == "waiting_for_human"
    [referral] = await referrals_of(gateway, session)
    assert referral.phone is None and referral.status == "offered"
    # In the queue the number asked before is still ours: taken and sealed, never stored as text.
    taken = await gateway.say(session, "0623456789")
    assert "Wanneer kunnen ze je het best bellen?" in texts(taken) and taken["state"] == "waiting_for_human"
    [referral] = await referrals_of(gateway, session)
    assert unseal("test-secret", referral.phone) == "+31623456789"
    stored = await stored_texts(gateway, session)
    assert "[telefoonnummer]" in stored and not any("23456789" in re.sub(r"\D", "", t) for t in stored)


async def test_a_worker_closing_as_referred_offers_the_call_back_and_the_answer_reopens_it(gateway):
    session = "r-" + uuid.uuid4().hex[:12]
    await gateway.say(session, "mag ik een medewerker spreken")
    await make_user(gateway, "sanne", "worker", "Sanne")
    async with gateway.switchboard.sessions() as db:
        case = await db.scalar(select(Conversation.id).where(
            Conversation.resident == gateway.switchboard.pseudonym("webchat", session)))
    sanne = await login(gateway, "sanne")
    token = await csrf_of(sanne)
    await sanne.post(f"/console/conversations/{case}/claim", data={"csrf": token})
    await sanne.post(f"/console/conversations/{case}/close",
                     data={"csrf": token, "outcome": "referred", "intent": "debt_bills", "service": "schuldhulp"})
    got = (await gateway.client.get(f"/api/webchat/{session}/messages")).json()["messages"]
    assert "jou belt" in got[-1]["text"] and got[-1]["buttons"][0]["payload"] == "terugbellen:ja"
    yes = await gateway.say(session, "terugbellen:ja")
    assert yes["state"] == "bot" and "Klopt dit?" in texts(yes)
    assert "Vraag over: rekeningen en schulden." in texts(yes)  # the need the worker closed the case on
    [referral] = await referrals_of(gateway, session)
    assert referral.step == "summary"


async def test_the_partner_team_sees_what_the_resident_agreed_to_and_the_resident_hears_the_result(gateway, desk_open):
    """End to end (issue 15): a resident consents in the web chat; the schuldhulp call-back worker
    finds the request in her console with exactly the summary the resident confirmed, the number
    only on request; a buurtteam worker cannot open it; her result reaches the resident's chat."""
    from bot.handover.users import add_user
    from bot.referrals.resident_updates import tell_residents
    from tests.fakes.server import wait_until
    from tests.handover.conftest import PASSWORD

    session = "r-" + uuid.uuid4().hex[:12]
    # The desk is open (desk_open) at a moment that is not in the past, so the request's deadline
    # has not passed when the service looks at it in real time.
    await routed_and_offered(gateway, session)
    await gateway.say(session, "ja")
    await gateway.say(session, "terugbellen:aanpassen")
    await gateway.say(session, "ik krijg steeds brieven van het incassobureau")
    await gateway.say(session, "klopt")
    await gateway.say(session, NUMBER)
    await gateway.say(session, "ochtend")
    await gateway.say(session, "ja stuur door")
    [referral] = await referrals_of(gateway, session)
    assert referral.status == "accepted" and "incassobureau" in (referral.summary or "")
    async with gateway.switchboard.sessions.begin() as db:
        await add_user(db, "pien", PASSWORD, "worker", "Pien", "schuldhulp-terugbel")
        await add_user(db, "kees", PASSWORD, "worker", "Kees", "buurtteam")

    pien = await login(gateway, "pien")
    listed = (await pien.get("/console/terugbelverzoeken")).text
    assert f"Verzoek {referral.id}" in listed and NUMBER_DIGITS[-7:] not in re.sub(r"\D", "", listed)
    page = (await pien.get(f"/console/terugbelverzoeken/{referral.id}")).text
    assert "incassobureau" in page and "ochtend" in page
    assert NUMBER_DIGITS[-7:] not in re.sub(r"\D", "", page)  # the number only on "Toon nummer"
    shown = await pien.post(f"/console/terugbelverzoeken/{referral.id}/nummer",
                            data={"csrf": await csrf_of(pien, f"/console/terugbelverzoeken/{referral.id}")})
    assert NUMBER_DIGITS[-7:] in re.sub(r"\D", "", shown.text)
    kees = await login(gateway, "kees")
    assert (await kees.get(f"/console/terugbelverzoeken/{referral.id}")).status_code == 404

    async def heard_seen() -> str | None:  # the background loop may have told it already
        await tell_residents(gateway.switchboard)
        messages = (await gateway.client.get("/api/webchat/messages?after=0",
                                             headers={"X-Webchat-Session": session})).json()["messages"]
        told = " ".join(m["text"] for m in messages)
        return told if "gezien" in told else None

    assert "Schuldhulpverlening" in await wait_until(heard_seen, 30)
