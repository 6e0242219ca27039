"""One Rasa round trip per resident message (issue 10.6): the gateway's input channel in
rasa_addons/voordeur_channel.py answers with the parse and the replies together."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from bot import clock
from bot.rasa import CONVERSE_PATH
from bot.store.models import Message
from tests.conftest import DESK_CLOSED, DESK_OPEN


def new_session() -> str:
    return "trip-" + uuid.uuid4().hex[:12]


def count_rasa_requests(gateway, monkeypatch) -> list[str]:
    """The paths of every request the gateway's Rasa client makes from now on."""
    paths: list[str] = []
    rasa = gateway.switchboard.rasa
    original = rasa.request

    async def record(method: str, path: str, *args, **kwargs):
        paths.append(path)
        return await original(method, path, *args, **kwargs)

    monkeypatch.setattr(rasa, "request", record)
    return paths


async def test_a_message_costs_one_request_to_rasa_and_its_intent_is_stored(gateway, monkeypatch):
    session = new_session()
    await gateway.say(session, "hallo")  # the first turn of a conversation
    paths = count_rasa_requests(gateway, monkeypatch)
    body = await gateway.say(session, "ik heb schulden en de rekeningen stapelen zich op")
    assert paths == [CONVERSE_PATH]
    assert body["messages"] and all(m["text"] for m in body["messages"])
    async with gateway.switchboard.sessions() as db:
        stored = await db.scalar(
            select(Message).where(Message.direction == "in").order_by(Message.id.desc()).limit(1)
        )
    assert stored.intent.startswith("debt_"), stored.intent
    assert 0 < stored.confidence <= 1


async def test_a_need_with_a_request_for_a_person_still_reaches_a_person(gateway):
    body = await gateway.say(new_session(), "ik wil iemand spreken over mijn schulden")
    assert body["state"] in ("waiting_for_human", "with_human")


async def test_the_channel_gives_the_same_parse_and_replies_as_model_parse_and_rest(rasa_server, rasa_token):
    text = "de buren maken elke nacht herrie"
    async with httpx.AsyncClient(base_url=rasa_server.url, timeout=60) as rasa:
        conversed = await rasa.post(CONVERSE_PATH, json={"sender": new_session(), "message": text})
        parsed = await rasa.post("/model/parse", params={"token": rasa_token}, json={"text": text})
        rest = await rasa.post("/webhooks/rest/webhook", json={"sender": new_session(), "message": text})
    assert conversed.status_code == 200
    answer = conversed.json()
    expected = parsed.json()
    assert answer["parse"]["intent"] == expected["intent"]
    assert answer["parse"]["intent_ranking"] == expected["intent_ranking"]
    assert answer["parse"]["entities"] == expected["entities"]
    assert set(expected) <= set(answer["parse"])  # every key the pipeline adds comes along
    assert [m.get("text") for m in answer["messages"]] == [m.get("text") for m in rest.json()]
    assert answer["messages"]


async def test_the_channel_refuses_a_request_without_sender_or_text(rasa_server):
    async with httpx.AsyncClient(base_url=rasa_server.url, timeout=60) as rasa:
        no_sender = await rasa.post(CONVERSE_PATH, json={"message": "hallo"})
        no_text = await rasa.post(CONVERSE_PATH, json={"sender": new_session()})
    assert no_sender.status_code == 400 and no_text.status_code == 400


async def test_the_assistant_offers_a_person_by_the_desk_the_gateway_decided(gateway):
    """The gateway sends its desk with the message (metadata desk_open, desk_next_opening), so the
    assistant's offer of a person says what the gateway's clock and desk hours say."""
    food = "ik heb geen eten meer in huis en geen geld"  # the number, then "Wil je het adres ...?"
    offers = {}
    for moment in (DESK_OPEN, DESK_CLOSED):
        session = new_session()
        with clock.frozen(moment):
            body = await gateway.say(session, food)
            details = [m for m in body["messages"] if m["text"].startswith("Wil je het adres")][-1]
            body = await gateway.say(session, details["buttons"][0]["payload"])
        offers[moment] = body["messages"][-1]["text"]
    assert offers[DESK_OPEN].startswith("Wil je dat een medewerker met je meekijkt?")
    assert offers[DESK_CLOSED].startswith("Nu is er geen medewerker.")
    assert "vandaag om 9:00" in offers[DESK_CLOSED]  # 04:15 on a Monday
