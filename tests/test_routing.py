"""Routing through the web chat API against the real Rasa server and action server: every
debt, care and nuisance need in every wijk lands on the service the directory names, with its
phone number; need events are recorded with closed fields and the right outcome."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from bot.directory import DEFAULT_PATH, load_directory, needs_location, route, status
from bot.needs.models import OUTCOMES, NeedEvent
from bot.taxonomy import themes_by_intent

pytestmark = pytest.mark.rasa

DIRECTORY = load_directory(DEFAULT_PATH)
NEED_INTENTS = [i for i, t in themes_by_intent().items() if t in ("schulden", "zorg", "overlast")]
ASK = "Waar woon je?"
_counter = itertools.count()


def session_id(label: str) -> str:
    return f"route-{label}-{next(_counter):04d}"[:64].replace("_", "-")


def text_of(body: dict) -> str:
    return "\n".join(m["text"] for m in body["messages"])


def expected_outcome(intent: str, wijk: str | None) -> str:
    found = route(DIRECTORY, intent, wijk)
    if found.service is None:
        return "no_local_service"
    return "met" if status(found.service, DIRECTORY.timezone).open_now else "out_of_hours"


def location_answers(wijk: str, style: int) -> str:
    """Four ways residents say where they live: button, sentence, postcode, typo."""
    spec = next(w for w in DIRECTORY.wijken if w.name == wijk)
    return [
        f'/inform_location{{"wijk": "{wijk}"}}',
        f"ik woon in {wijk.lower()}",
        f"{spec.postcodes[-1]} AB",
        typo(wijk),
    ][style % 4]


async def with_details(gateway, session: str, body: dict) -> str:
    """The answer and, when the assistant offers them, the address and opening hours (typed 'ja')."""
    reply = text_of(body)
    offers_details = any(b["payload"] == "/affirm" for m in body["messages"] for b in m["buttons"])
    if offers_details:
        reply += "\n" + text_of(await gateway.say(session, "ja"))
    return reply


async def need_events(gateway) -> list[NeedEvent]:
    async with gateway.switchboard.sessions() as db:
        return list(await db.scalars(select(NeedEvent).order_by(NeedEvent.id)))


def assert_lands_on(reply: str, intent: str, wijk: str | None) -> None:
    found = route(DIRECTORY, intent, wijk)
    if found.service is None:
        assert "nog geen hulp" in reply and DIRECTORY.phone in reply, reply
        return
    assert found.service.name in reply, (intent, wijk, reply)
    assert f"Bel {found.phone}." in reply, (intent, wijk, reply)
    if found.address:
        assert found.address in reply, (intent, wijk, reply)
    if not found.service.always_open:
        assert "Open: " in reply and ("Nu open" in reply or "Weer open" in reply), reply


@pytest.mark.parametrize("intent", NEED_INTENTS)
async def test_every_need_in_every_wijk_lands_on_the_directory_service(gateway, intent):
    asks = needs_location(DIRECTORY, intent)
    expected_events = []
    for style, wijk in enumerate(DIRECTORY.wijk_names()):
        session = session_id(f"{intent}-{wijk}")
        if asks:
            body = await gateway.say(session, f"/{intent}")
            assert ASK in text_of(body), text_of(body)
            titles = [b["title"] for m in body["messages"] for b in m["buttons"]]
            assert set(DIRECTORY.wijk_names()) <= set(titles) and "Zeg ik liever niet" in titles
            body = await gateway.say(session, location_answers(wijk, style))
        else:
            # Nothing to ask: the wijk said earlier is still used for the need log.
            await gateway.say(session, f"ik woon in {wijk.lower()}")
            body = await gateway.say(session, f"/{intent}")
            assert ASK not in text_of(body)
        assert any(b["payload"] == "/ask_human" for m in body["messages"] for b in m["buttons"]), "offers a person"
        reply = await with_details(gateway, session, body)
        assert_lands_on(reply, intent, wijk)
        expected_events.append((wijk, intent, expected_outcome(intent, wijk)))
    events = await need_events(gateway)
    assert [(e.wijk, e.intent, e.outcome) for e in events] == expected_events


def typo(wijk: str) -> str:
    """A typo the fuzzy match must still catch (one letter swapped or dropped)."""
    return {"Centrum": "centum", "Noord": "nord", "Oosterpark": "oosterprak", "Zuidwijk": "zuidwyk",
            "Westhaven": "westhavn", "Molenwijk": "molewijk"}[wijk]


@pytest.mark.parametrize("text, intent, wijk", [
    ("er hangen elke avond jongeren rond bij de flat in noord", "nuisance_youth", "Noord"),
    ("ik kan mijn energierekening niet meer betalen", "debt_energy", None),
    ("mijn moeder heeft hulp in het huishouden nodig", "care_home_support", None),
    ("de container in onze straat is al een week vol en er lopen ratten", "nuisance_waste", None),
])
async def test_free_text_needs_are_routed(gateway, text, intent, wijk):
    session = session_id("free")
    body = await gateway.say(session, text)
    assert ASK not in text_of(body)
    assert_lands_on(await with_details(gateway, session, body), intent, wijk)


async def test_free_text_need_then_postcode(gateway):
    session = session_id("hang")
    body = await gateway.say(session, "ik word steeds lastig gevallen door hangjongeren bij het winkelcentrum")
    assert ASK in text_of(body)
    body = await gateway.say(session, "1034 AB")
    reply = await with_details(gateway, session, body)
    assert_lands_on(reply, "nuisance_youth", "Noord")
    assert "Oosterweg 50" in reply and "0900-8844" in reply


@pytest.mark.parametrize("answer", ["weet ik niet", "zeg ik liever niet", '/inform_location{"wijk": "onbekend"}'])
async def test_no_wijk_gives_the_city_wide_option(gateway, answer):
    session = session_id("unknown")
    await gateway.say(session, "/care_youth")
    body = await gateway.say(session, answer)
    reply = text_of(body)
    assert "hele stad" in reply and "Centrum voor Jeugd en Gezin" in reply and "0123-456 800" in reply
    events = await need_events(gateway)
    assert (events[-1].wijk, events[-1].intent) == ("onbekend", "care_youth")
    # A second need does not ask again.
    body = await gateway.say(session, "/nuisance_drugs")
    assert ASK not in text_of(body) and "0900-8844" in text_of(body)


async def test_a_neighbour_conflict_in_westhaven_is_an_unmet_need(gateway):
    session = session_id("gap")
    await gateway.say(session, "/nuisance_neighbours")
    body = await gateway.say(session, "westhaven")
    reply = text_of(body)
    assert "In Westhaven is hier nog geen hulp voor" in reply and "14 0123" in reply
    assert any(b["payload"] == "/ask_human" for m in body["messages"] for b in m["buttons"])
    events = await need_events(gateway)
    assert (events[-1].wijk, events[-1].intent, events[-1].outcome) == ("Westhaven", "nuisance_neighbours",
                                                                        "no_local_service")


async def test_two_problems_are_both_named_then_handled_one_by_one(gateway):
    session = session_id("two")
    body = await gateway.say(session, "ik heb schulden en de buren maken herrie")
    reply = text_of(body)
    assert "twee dingen" in reply and "0123-456 700" in reply  # debt first
    offer = body["messages"][-1]
    payloads = [b["payload"] for b in offer["buttons"]]
    assert payloads[0] in ("/nuisance_noise", "/nuisance_neighbours") and "/ask_human" in payloads
    second = payloads[0][1:]
    body = await gateway.say(session, "ja")
    assert ASK in text_of(body)
    body = await gateway.say(session, "ik woon in zuid")
    assert_lands_on(await with_details(gateway, session, body), second, "Zuidwijk")
    events = await need_events(gateway)
    assert [(e.intent, e.wijk) for e in events[-2:]] == [("debt_bills", "onbekend"), (second, "Zuidwijk")]


async def test_declining_the_second_problem_is_recorded(gateway):
    session = session_id("decline")
    body = await gateway.say(session, "ik heb schulden en de buren maken herrie")
    second = body["messages"][-1]["buttons"][0]["payload"][1:]
    body = await gateway.say(session, "nee")
    assert "Dat is goed" in text_of(body)
    events = await need_events(gateway)
    assert (events[-1].intent, events[-1].outcome) == (second, "declined")


@pytest.mark.parametrize("text, outcome", [
    ("daar is een wachtlijst", "waiting_list"),
    ("dat heb ik al geprobeerd", "not_helped"),
    ("dat helpt niet", "not_helped"),
])
async def test_follow_ups_offer_a_person_and_record_the_unmet_need(gateway, text, outcome):
    session = session_id("follow")
    await gateway.say(session, "/care_loneliness")
    await gateway.say(session, "molenwijk")
    body = await gateway.say(session, text)
    assert "zonder je naam" in text_of(body)
    assert any(b["payload"] == "/ask_human" for m in body["messages"] for b in m["buttons"])
    events = await need_events(gateway)
    assert (events[-1].intent, events[-1].wijk, events[-1].outcome) == ("care_loneliness", "Molenwijk", outcome)
    body = await gateway.say(session, "/ask_human")
    assert body["state"] == "waiting_for_human"


async def test_repeated_out_of_scope_is_recorded_once(gateway):
    session = session_id("oos")
    before = len(await need_events(gateway))
    body = await gateway.say(session, "waar kan ik een id-kaart halen")
    assert "14 0123" in text_of(body)
    assert len(await need_events(gateway)) == before
    body = await gateway.say(session, "vertel een mop")
    assert any(b["payload"] == "/ask_human" for m in body["messages"] for b in m["buttons"])
    await gateway.say(session, "wat is het weer morgen")
    events = (await need_events(gateway))[before:]
    assert [(e.intent, e.outcome, e.theme) for e in events] == [("out_of_scope", "out_of_scope", "gesprek")]


async def test_need_events_hold_closed_fields_only(gateway):
    session = session_id("closed")
    secret_text = "ik heb schulden bij 0612345678 en woon op de Dorpsstraat"
    await gateway.say(session, secret_text)
    await gateway.say(session, "/nuisance_youth")
    await gateway.say(session, "1092")
    events = await need_events(gateway)
    assert events
    wijken = set(DIRECTORY.wijk_names()) | {"onbekend"}
    intents = themes_by_intent()
    columns = set(NeedEvent.__table__.columns.keys())
    assert columns == {"id", "week", "wijk", "theme", "intent", "outcome", "channel"}
    for event in events:
        assert event.wijk in wijken and event.intent in intents and event.outcome in OUTCOMES
        assert event.theme == intents[event.intent] and event.channel == "webchat"
        assert len(event.week) == 8 and event.week[4:6] == "-W"
        values = " ".join(str(getattr(event, c)) for c in columns)
        assert "0612345678" not in values and "Dorpsstraat" not in values and session not in values
