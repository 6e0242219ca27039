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
from tests.conftest import dead_url, running_gateway


@pytest.fixture(scope="module")
async def gateway_without_rasa(tmp_path_factory):
    """One gateway (without Rasa) for this module: every test is a resident of its own (a new web
    chat session and conversation), so they share it as residents share a real one."""
    async with running_gateway(tmp_path_factory.mktemp("words"), dead_url()) as gateway:
        yield gateway


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


@pytest.mark.parametrize("no", ["nee", "nee dank je", "Nee, ik bel zelf", "neuh", "liever niet", "terugbellen:nee",
                                "nee hoeft niet, ik bel ze zelf"])
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
                                           ("na de lunch", "middag"), ("maakt me niet uit", "maakt niet uit"),
                                           ("maakt nie uit", "maakt niet uit"), ("sochtends", "ochtend"),
                                           ("na 3 uur", "middag"), ("om 10 uur", "ochtend")])
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


async def accepted(gateway) -> tuple[str, int]:
    """A resident whose call back by Schuldhulpverlening was sent (number ending in 78, in the afternoon)."""
    session, conversation_id = await offered(gateway)
    for said in ("ja", "klopt", "0612345678", "middag", "terugbellen:bevestig"):
        body = await gateway.say(session, said)
    assert "het is doorgegeven" in texts(body)
    return session, conversation_id


async def set_state(gateway, conversation_id: int, state: str) -> None:
    async with gateway.switchboard.sessions.begin() as db:
        (await db.get(Conversation, conversation_id)).state = state


@pytest.mark.parametrize("words", ["trek maar in", "trek in", "intrekke", "annuleer", "haal mijn nummer weg",
                                   "ze hoefen niet te bellen", "bel me niet", "niet bellen aub",
                                   "ik wil nie meer gebelt worde", "Intrekken", "trek mijn aanvraag in",
                                   "nee toch maar nie belle", "ik hoef geen belletje meer",
                                   "wil toch geen telefoontje van ze", "heb ze zelf al gebeld dus hoeft nie meer"])
async def test_withdrawing_in_own_words_erases_the_number(gateway_without_rasa, words):
    session, conversation_id = await accepted(gateway_without_rasa)
    body = await gateway_without_rasa.say(session, words)
    assert "ingetrokken" in texts(body) and body["state"] == "bot"
    referral = await referral_of(gateway_without_rasa, conversation_id)
    assert referral.status == "withdrawn" and referral.phone is None and referral.summary is None


@pytest.mark.parametrize("words", ["stop maar", "ik wil het niet meer", "laat maar"])
@pytest.mark.parametrize("answer, kept", [("terugbellen:intrekken", False), ("ja", False),
                                          ("terugbellen:welbellen", True), ("nee", True)])
async def test_a_withdrawal_that_may_mean_something_else_is_checked_first(gateway_without_rasa, words, answer, kept):
    session, conversation_id = await accepted(gateway_without_rasa)
    check = await gateway_without_rasa.say(session, words)
    assert "Wil je dat Schuldhulpverlening Voorbeeldstad je niet belt?" in texts(check)
    assert [b["payload"] for b in check["messages"][-1]["buttons"]] == ["terugbellen:intrekken",
                                                                       "terugbellen:welbellen"]
    assert check["state"] == "bot"  # "stop maar" no longer ends the chat or reaches the assistant
    body = await gateway_without_rasa.say(session, answer)
    referral = await referral_of(gateway_without_rasa, conversation_id)
    if kept:
        assert "blijft staan" in texts(body) and referral.status == "accepted"
    else:
        assert "ingetrokken" in texts(body) and referral.status == "withdrawn"


async def test_in_the_queue_a_withdrawal_still_works_but_not_when_a_worker_has_the_chat(gateway_without_rasa):
    session, conversation_id = await accepted(gateway_without_rasa)
    await set_state(gateway_without_rasa, conversation_id, "with_human")
    body = await gateway_without_rasa.say(session, "bel me niet")  # for the worker, who reads it
    assert "ingetrokken" not in texts(body)
    assert (await referral_of(gateway_without_rasa, conversation_id)).status == "accepted"
    await set_state(gateway_without_rasa, conversation_id, "waiting_for_human")
    body = await gateway_without_rasa.say(session, "ik wil nie meer gebelt worde")
    assert "ingetrokken" in texts(body) and body["state"] == "waiting_for_human"
    assert (await referral_of(gateway_without_rasa, conversation_id)).status == "withdrawn"


@pytest.mark.parametrize("words", ["heb ze zelf al gebeld dus hoeft nie meer", "wil toch geen telefoontje van ze"])
async def test_in_the_queue_a_withdrawal_in_own_words_is_carried_out(gateway_without_rasa, words):
    session, conversation_id = await accepted(gateway_without_rasa)
    await set_state(gateway_without_rasa, conversation_id, "waiting_for_human")
    body = await gateway_without_rasa.say(session, words)
    assert "ingetrokken" in texts(body) and body["state"] == "waiting_for_human"
    referral = await referral_of(gateway_without_rasa, conversation_id)
    assert referral.status == "withdrawn" and referral.phone is None


async def test_a_vague_word_about_the_call_is_asked_about_never_taken_as_done(gateway_without_rasa):
    session, conversation_id = await accepted(gateway_without_rasa)
    check = await gateway_without_rasa.say(session, "bellen is toch niet zo handig")
    assert "Wil je dat Schuldhulpverlening Voorbeeldstad je niet belt?" in texts(check)
    assert (await referral_of(gateway_without_rasa, conversation_id)).status == "accepted"
    await gateway_without_rasa.say(session, "ja")
    assert (await referral_of(gateway_without_rasa, conversation_id)).status == "withdrawn"


async def test_words_that_only_look_like_calling_leave_the_request_alone(gateway_without_rasa):
    session, conversation_id = await accepted(gateway_without_rasa)
    body = await gateway_without_rasa.say(session, "ik hoef geen belasting meer te betalen toch")
    assert "ingetrokken" not in texts(body) and "niet belt?" not in texts(body)
    assert (await referral_of(gateway_without_rasa, conversation_id)).status == "accepted"


async def test_the_number_asked_before_the_queue_is_taken_in_the_queue(gateway_without_rasa):
    session, conversation_id = await offered(gateway_without_rasa)
    for said in ("ja", "klopt"):
        await gateway_without_rasa.say(session, said)
    await set_state(gateway_without_rasa, conversation_id, "waiting_for_human")  # as after a crisis
    body = await gateway_without_rasa.say(session, "0687654321")
    assert "Wanneer kunnen ze je het best bellen?" in texts(body)
    referral = await referral_of(gateway_without_rasa, conversation_id)
    assert unseal("test-secret", referral.phone) == "+31687654321"
    async with gateway_without_rasa.switchboard.sessions() as db:
        stored = list(await db.scalars(select(Message.text).where(Message.conversation_id == conversation_id)))
    assert "[telefoonnummer]" in stored and not any("87654321" in t for t in stored)


@pytest.mark.parametrize("question", ["wanneer bellen ze?", "wie belt mij?", "hebben ze mijn nummer?",
                                      "ik ben nog niet gebeld", "hoe weet ik dat ze het zijn?",
                                      "ik heb nog geen telefoontje gehad"])
async def test_a_question_about_the_sent_request_gets_where_it_stands(gateway_without_rasa, question):
    session, conversation_id = await accepted(gateway_without_rasa)
    body = await gateway_without_rasa.say(session, question)
    said = texts(body)
    referral = await referral_of(gateway_without_rasa, conversation_id)
    day = referral.deadline
    assert "Schuldhulpverlening Voorbeeldstad belt je uiterlijk" in said and f" {day.day} " in said
    assert "middag" in said and "eindigt op 78" in said and "0123-456 700" in said and "intrekken" in said
    assert referral.status == "accepted" and body["state"] == "bot"


@pytest.mark.parametrize("old", ["terugbellen:klopt", "terugbellen:ja", "terugbellen:bevestig", "terugbellen:middag"])
async def test_an_old_button_says_where_things_stand_and_never_queues(gateway_without_rasa, old):
    session, conversation_id = await accepted(gateway_without_rasa)
    body = await gateway_without_rasa.say(session, old)
    assert "Je terugbelverzoek is verstuurd" in texts(body) and body["state"] == "bot"
    await gateway_without_rasa.say(session, "terugbellen:intrekken")
    body = await gateway_without_rasa.say(session, old)
    assert "geen terugbelverzoek van je open" in texts(body) and "0123-456 700" in texts(body)
    assert body["state"] == "bot"


async def test_an_old_button_half_way_asks_the_current_step_again(gateway_without_rasa):
    session, conversation_id = await offered(gateway_without_rasa)
    for said in ("ja", "klopt"):
        await gateway_without_rasa.say(session, said)
    body = await gateway_without_rasa.say(session, "terugbellen:ja")
    assert "Op welk nummer" in texts(body) and body["state"] == "bot"


async def test_only_times_the_service_is_open_and_a_time_not_understood_is_asked_again(gateway_without_rasa):
    session, conversation_id = await offered(gateway_without_rasa)
    for said in ("ja", "klopt"):
        await gateway_without_rasa.say(session, said)
    asked = await gateway_without_rasa.say(session, "0612345678")
    offered_times = [b["payload"] for b in asked["messages"][-1]["buttons"]]
    assert offered_times == ["terugbellen:ochtend", "terugbellen:middag", "terugbellen:maakt niet uit"]
    assert "ma t/m vr" in texts(asked)  # Schuldhulp calls on working days, 9 to 17: no evening
    evening = await gateway_without_rasa.say(session, "savonds")
    assert "niet in de avond" in texts(evening)
    again = await gateway_without_rasa.say(session, "snachts")
    assert "Die tijd begrijp ik niet" in texts(again) and "terugbellen:middag" in str(again["messages"][-1])
    referral = await referral_of(gateway_without_rasa, conversation_id)
    assert referral.call_time is None and referral.status == "offered"
    chosen = await gateway_without_rasa.say(session, "in de ochtend")
    assert "Zullen we het doorsturen?" in texts(chosen)


@pytest.mark.parametrize("weekend", ["zaterdag ochtend", "in het weekend"])
async def test_a_service_that_calls_on_working_days_says_so_when_the_weekend_is_asked(gateway_without_rasa, weekend):
    session, conversation_id = await offered(gateway_without_rasa)
    for said in ("ja", "klopt", "0612345678"):
        await gateway_without_rasa.say(session, said)
    body = await gateway_without_rasa.say(session, weekend)
    assert "belt niet in het weekend" in texts(body) and "ma t/m vr" in texts(body)
    assert "terugbellen:ochtend" in str(body["messages"][-1]["buttons"])
    referral = await referral_of(gateway_without_rasa, conversation_id)
    assert referral.call_time is None and referral.step in ("call_time", "call_time_again")


async def confirming(gateway) -> tuple[str, int]:
    """A resident at "Zullen we het doorsturen?" with 06 12345678, in the afternoon."""
    session, conversation_id = await offered(gateway)
    for said in ("ja", "klopt", "0612345678"):
        await gateway.say(session, said)
    confirm = await gateway.say(session, "middag")
    assert "Zullen we het doorsturen?" in texts(confirm)
    return session, conversation_id


@pytest.mark.parametrize("yes", ["jaa doe mar", "jaaa", "ja doe maar", "doe mar", "stuur maar", "ja stuur door",
                                 "top", "yes", "yep", "okido"])
async def test_a_yes_in_chat_spelling_at_the_confirmation_sends_it(gateway_without_rasa, yes):
    session, conversation_id = await confirming(gateway_without_rasa)
    body = await gateway_without_rasa.say(session, yes)
    assert "het is doorgegeven" in texts(body) and "eigen woorden" not in texts(body)
    assert (await referral_of(gateway_without_rasa, conversation_id)).status == "accepted"


@pytest.mark.parametrize("steps", [("ander nr",), ("terugbellen:wijzig", "nummer"), ()])
async def test_a_new_number_at_the_confirmation_replaces_the_old_one(gateway_without_rasa, steps):
    session, conversation_id = await confirming(gateway_without_rasa)
    for said in steps:
        body = await gateway_without_rasa.say(session, said)
        assert "Op welk nummer" in texts(body) or said != steps[-1]
    back = await gateway_without_rasa.say(session, "06 23456789")
    assert "06 23456789" in texts(back) and "Zullen we het doorsturen?" in texts(back)
    body = await gateway_without_rasa.say(session, "terugbellen:bevestig")  # the button of the new question
    assert "het is doorgegeven" in texts(body)
    referral = await referral_of(gateway_without_rasa, conversation_id)
    assert referral.status == "accepted" and unseal("test-secret", referral.phone) == "+31623456789"
    async with gateway_without_rasa.switchboard.sessions() as db:
        stored = list(await db.scalars(select(Message.text).where(Message.conversation_id == conversation_id)))
    assert not any("23456789" in t for t in stored)


@pytest.mark.parametrize("change, expect, step", [("andere tijd", "het best bellen", "call_time"),
                                                  ("ander nummer", "Op welk nummer", "phone"),
                                                  ("nee", "nog niets verstuurd", "confirm"),
                                                  ("terugbellen:wijzig", "nog niets verstuurd", "confirm")])
async def test_at_the_confirmation_the_time_or_number_can_change(gateway_without_rasa, change, expect, step):
    session, conversation_id = await offered(gateway_without_rasa)
    for said in ("ja", "klopt", "0612345678"):
        await gateway_without_rasa.say(session, said)
    confirm = await gateway_without_rasa.say(session, "middag")
    assert "06 12345678" in texts(confirm)  # the whole number: the resident sees a typo
    body = await gateway_without_rasa.say(session, change)
    assert expect in texts(body)
    referral = await referral_of(gateway_without_rasa, conversation_id)
    assert referral.status == "offered" and referral.step == step and referral.phone
    if step == "phone":
        back = await gateway_without_rasa.say(session, "0623456789")
        assert "06 23456789" in texts(back) and "Zullen we het doorsturen?" in texts(back)


@pytest.mark.parametrize("number, answer", [("085-1234567", "het best bellen"), ("0900-1234567", "0900"),
                                            ("0800-1234567", "0800"), ("12345", "10 cijfers"),
                                            ("0698765432", "bestaat niet")])
async def test_voip_is_taken_and_paid_or_free_numbers_get_their_own_answer(gateway_without_rasa, number, answer):
    session, conversation_id = await offered(gateway_without_rasa)
    for said in ("ja", "klopt"):
        await gateway_without_rasa.say(session, said)
    body = await gateway_without_rasa.say(session, number)
    assert answer in texts(body)


async def test_a_digit_in_a_sentence_is_not_a_number(gateway_without_rasa):
    session, conversation_id = await offered(gateway_without_rasa)
    for said in ("ja", "klopt"):
        await gateway_without_rasa.say(session, said)
    await gateway_without_rasa.say(session, "ik heb 2 kinderen")
    async with gateway_without_rasa.switchboard.sessions() as db:
        stored = list(await db.scalars(select(Message.text).where(Message.conversation_id == conversation_id)))
    assert "ik heb 2 kinderen" in stored and "[telefoonnummer]" not in stored
    assert (await referral_of(gateway_without_rasa, conversation_id)).step == "phone"


@pytest.mark.parametrize("said", ["nee", "ja"])
async def test_yes_or_no_as_own_words_keeps_the_summary(gateway_without_rasa, said):
    session, conversation_id = await offered(gateway_without_rasa)
    await gateway_without_rasa.say(session, "ja")
    await gateway_without_rasa.say(session, "aanpassen")
    body = await gateway_without_rasa.say(session, said)
    assert "Klopt dit?" in texts(body) and "In eigen woorden" not in texts(body)
    referral = await referral_of(gateway_without_rasa, conversation_id)
    assert referral.summary == "Vraag over: huurschuld. Wijk: Noord." and referral.step == "summary"


async def test_a_correction_after_the_summary_is_not_a_yes(gateway_without_rasa):
    session, conversation_id = await offered(gateway_without_rasa)
    await gateway_without_rasa.say(session, "ja")
    body = await gateway_without_rasa.say(session, "ok zonder nummer dan: boete cjib")
    assert "In eigen woorden: boete cjib" in texts(body) and "Klopt dit?" in texts(body)
    assert (await referral_of(gateway_without_rasa, conversation_id)).step == "summary"
