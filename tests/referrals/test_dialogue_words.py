"""How the call-back dialogue reads residents' own spelling ("jup", "nee dank je", "0612 345 678",
"+31 6 ..."), through the running gateway's web chat API. The offer is put in the conversation as a
worker's close puts it there (bot/referrals/dialogue.offer_after_close), so no assistant is needed:
these answers are the gateway's own and never reach Rasa (here: Rasa is not even running)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from bot.directory import default_directory
from bot.pseudonym import unseal
from bot.referrals.dialogue import offer_after_close
from bot.referrals.models import Referral
from bot.store.models import Conversation, Message


async def offered(gateway) -> tuple[str, int]:
    """A web chat resident who was just offered a call back by Schuldhulpverlening."""
    session = "r-" + uuid.uuid4().hex[:12]
    switchboard = gateway.switchboard
    conversation_id = await switchboard._conversation_id("webchat", switchboard.pseudonym("webchat", session), None)
    async with switchboard.sessions.begin() as db:
        conversation = await db.get(Conversation, conversation_id)
        conversation.needs = ["debt_rent"]
        conversation.wijk = "Noord"
        reply = await offer_after_close(db, default_directory(), conversation, "schuldhulp", "debt_rent")
        assert reply is not None
        db.add(Message(conversation_id=conversation_id, direction="out", sender="bot", text=reply.text,
                       buttons=reply.buttons, status="delivered"))
    return session, conversation_id


def texts(body: dict) -> str:
    return "\n".join(m.get("text") or "" for m in body["messages"])


async def referral_of(gateway, conversation_id: int) -> Referral:
    async with gateway.switchboard.sessions() as db:
        found = await db.scalar(select(Referral).where(Referral.conversation_id == conversation_id))
        assert found is not None
        return found


@pytest.mark.parametrize("yes", ["ja", "Ja!", "ja hoor", "jup", "ok", "oké", "jaaa graag", "Ja, bel mij",
                                 "terugbellen:ja"])
async def test_yes_in_chat_spelling_shows_the_summary(gateway_without_rasa, yes):
    session, conversation_id = await offered(gateway_without_rasa)
    body = await gateway_without_rasa.say(session, yes)
    assert "Vraag over: huurschuld. Wijk: Noord." in texts(body)
    assert (await referral_of(gateway_without_rasa, conversation_id)).step == "summary"


@pytest.mark.parametrize("no", ["nee", "nee dank je", "Nee, ik bel zelf", "neuh", "liever niet", "terugbellen:nee"])
async def test_no_in_chat_spelling_declines_and_keeps_nothing(gateway_without_rasa, no):
    session, conversation_id = await offered(gateway_without_rasa)
    body = await gateway_without_rasa.say(session, no)
    assert "Dan bel je zelf" in texts(body)
    referral = await referral_of(gateway_without_rasa, conversation_id)
    assert referral.status == "declined" and referral.summary is None and referral.phone is None


@pytest.mark.parametrize("number", ["06-12345678", "0612 345 678", "+31 6 12345678", "+31612345678",
                                    "0031 6 1234 5678", "mijn nummer is 06 12 34 56 78", "030-1234567"])
async def test_usual_spellings_of_a_dutch_number_are_taken(gateway_without_rasa, number):
    session, conversation_id = await offered(gateway_without_rasa)
    for said in ("ja", "klopt"):
        await gateway_without_rasa.say(session, said)
    body = await gateway_without_rasa.say(session, number)
    assert "Wanneer kunnen ze je het best bellen?" in texts(body)
    referral = await referral_of(gateway_without_rasa, conversation_id)
    digits = "".join(ch for ch in number if ch.isdigit())[-8:]
    assert unseal("test-secret", referral.phone).endswith(digits)


@pytest.mark.parametrize("time, chosen", [("smiddags", "middag"), ("in de ochtend graag", "ochtend"),
                                           ("na het eten", "avond"), ("maakt me niet uit", "maakt niet uit")])
async def test_the_best_time_in_own_words(gateway_without_rasa, time, chosen):
    session, conversation_id = await offered(gateway_without_rasa)
    for said in ("ja", "klopt", "0612345678"):
        await gateway_without_rasa.say(session, said)
    body = await gateway_without_rasa.say(session, time)
    assert "Zullen we het doorsturen?" in texts(body) and chosen in texts(body)
    assert (await referral_of(gateway_without_rasa, conversation_id)).call_time == chosen


@pytest.mark.parametrize("where, steps", [("summary", ("ja", "aanpassen", "het gaat om de huur van mei")),
                                          ("phone", ("ja", "nee", "het gaat om de huur van mei", "klopt"))])
@pytest.mark.parametrize("stop", ["stop", "toch niet", "laat maar", "terugbellen:stop"])
async def test_stopping_half_way_keeps_nothing(gateway_without_rasa, where, steps, stop):
    session, conversation_id = await offered(gateway_without_rasa)
    for said in steps:
        await gateway_without_rasa.say(session, said)
    assert (await referral_of(gateway_without_rasa, conversation_id)).step == where
    body = await gateway_without_rasa.say(session, stop)
    assert "niets van je bewaard" in texts(body)
    referral = await referral_of(gateway_without_rasa, conversation_id)
    assert referral.status == "declined" and referral.summary is None
