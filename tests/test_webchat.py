"""The web chat API (CONTRACTS.md §3) against the real Rasa server and action server."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from bot.store.models import Conversation, Message

SESSION = "resident-0001"


def new_session() -> str:
    return "resident-" + uuid.uuid4().hex[:12]


async def count_messages(gateway) -> int:
    async with gateway.switchboard.sessions() as db:
        return await db.scalar(select(func.count(Message.id)))


async def test_greeting_introduces_the_digital_assistant_and_offers_a_person(gateway):
    body = await gateway.say(new_session(), "hallo")
    assert body["state"] == "bot"
    text = " ".join(m["text"] for m in body["messages"])
    assert "digitale assistent" in text and "medewerker" in text
    assert all(m["from"] == "bot" and m["id"] for m in body["messages"])


async def test_a_debt_message_is_acknowledged_by_name(gateway):
    body = await gateway.say(new_session(), "ik heb heel veel schulden en de rekeningen stapelen zich op")
    text = " ".join(m["text"] for m in body["messages"]).lower()
    assert "rekening" in text or "schuld" in text


async def test_crisis_message_is_answered_with_113_at_once(gateway):
    body = await gateway.say(new_session(), "ik wil er niet meer zijn")
    assert "0800-0113" in body["messages"][0]["text"]


async def test_violence_gets_veilig_thuis(gateway):
    body = await gateway.say(new_session(), "mijn vriend slaat me als hij gedronken heeft")
    assert "0800-2000" in body["messages"][0]["text"]


async def test_frustration_with_neighbours_is_not_a_crisis(gateway):
    body = await gateway.say(new_session(), "ik word gek van de buren met hun harde muziek")
    text = " ".join(m["text"] for m in body["messages"])
    assert "113" not in text and "112" not in text and "Veilig Thuis" not in text


async def test_unclear_message_gets_theme_buttons(gateway):
    body = await gateway.say(new_session(), "🙂🙂🙂")
    buttons = [b["title"] for m in body["messages"] for b in m["buttons"]]
    assert {"Geldzorgen", "Overlast", "Een medewerker"} <= set(buttons)


async def test_theme_button_leads_to_topic_buttons_and_then_a_need(gateway):
    session = new_session()
    body = await gateway.say(session, '/choose_theme{"theme": "overlast"}')
    buttons = {b["title"]: b["payload"] for m in body["messages"] for b in m["buttons"]}
    assert "Lawaai" in buttons
    body = await gateway.say(session, buttons["Lawaai"])
    assert "lawaai" in " ".join(m["text"] for m in body["messages"]).lower()


async def test_asking_for_a_person_marks_the_conversation_waiting(gateway):
    body = await gateway.say("resident-handover", "mag ik een medewerker spreken")
    assert body["state"] == "waiting_for_human"
    assert any("medewerker" in m["text"] for m in body["messages"])
    # While waiting for a person the resident is never left in silence (issue 11): the message
    # is kept for the worker, and the assistant says so; the conversation keeps waiting.
    body = await gateway.say("resident-handover", "hallo?")
    assert body["state"] == "waiting_for_human"
    assert any("medewerker" in m["text"] for m in body["messages"])


async def test_a_resident_who_no_longer_wants_a_person_leaves_the_queue_and_the_assistant_helps_again(gateway):
    session = new_session()
    assert (await gateway.say(session, "ik wil een medewerker spreken"))["state"] == "waiting_for_human"
    asked = await gateway.say(session, "laat maar ik hoef geen medewerker meer")
    assert asked["state"] == "waiting_for_human"
    titles = [b["title"] for m in asked["messages"] for b in m["buttons"]]
    assert titles == ["Ja, stop met wachten", "Nee, ik wacht"]
    left = await gateway.say(session, "Ja, stop met wachten")  # typed as the button reads (Telegram, WhatsApp)
    assert left["state"] == "bot" and "niet meer in de rij" in left["messages"][0]["text"]
    helped = await gateway.say(session, "ik heb schulden")
    assert helped["state"] == "bot" and "0123-456 700" in " ".join(m["text"] for m in helped["messages"])


async def test_a_resident_who_answers_no_to_leaving_the_queue_keeps_waiting(gateway):
    session = new_session()
    await gateway.say(session, "ik wil een medewerker spreken")
    asked = await gateway.say(session, "hoeft nie meer")
    assert "stoppen met wachten" in asked["messages"][0]["text"]
    stays = await gateway.say(session, "nee")
    assert stays["state"] == "waiting_for_human" and "Je blijft in de rij" in stays["messages"][0]["text"]
    later = await gateway.say(session, "ja")  # our question was answered: a later "ja" is for the worker
    assert later["state"] == "waiting_for_human"


@pytest.mark.parametrize("text", ["hallo ik heb schulden", "goedemorgen ik heb schulden", "Hallo, ik heb schulden"])
async def test_a_greeting_in_front_of_a_need_still_gets_the_need_answered(gateway, text):
    body = await gateway.say(new_session(), text)
    assert "0123-456 700" in " ".join(m["text"] for m in body["messages"])  # Schuldhulpverlening


async def test_replies_can_be_fetched_later_and_streamed(gateway):
    first = await gateway.say("resident-later", "hoi")
    first_id = first["messages"][0]["id"]
    got = (await gateway.client.get(f"/api/webchat/resident-later/messages", params={"after": 0})).json()
    assert [m["id"] for m in got["messages"]] == [m["id"] for m in first["messages"]]
    assert (await gateway.client.get("/api/webchat/resident-later/messages", params={"after": first_id})).json()["messages"] == [
        m for m in first["messages"] if int(m["id"]) > int(first_id)
    ]
    # A later message arrives over server-sent events.
    async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as sse_client:
        async with sse_client.stream("GET", "/api/webchat/resident-later/events", params={"after": first["messages"][-1]["id"]}) as stream:
            sent = asyncio.create_task(gateway.say("resident-later", "bedankt"))
            data = None
            async for line in stream.aiter_lines():
                if line.startswith("data: "):
                    data = json.loads(line[6:])
                    break
            await sent
    assert data is not None and data["from"] == "bot" and "Graag gedaan" in data["text"]


async def test_bad_input_is_refused_clearly_and_nothing_is_stored(gateway):
    before = await count_messages(gateway)
    cases = [
        (b"not json", 400),
        (json.dumps(["a list"]).encode(), 400),
        (json.dumps({"session": "short", "text": "hoi"}).encode(), 422),
        (json.dumps({"session": "../../etc/passwd", "text": "hoi"}).encode(), 422),
        (json.dumps({"session": SESSION, "text": ""}).encode(), 422),
        (json.dumps({"session": SESSION, "text": "    \n\t "}).encode(), 422),
        (json.dumps({"session": SESSION, "text": "x" * 10_000}).encode(), 422),
        (json.dumps({"session": SESSION, "text": 42}).encode(), 422),
        (json.dumps({"session": SESSION, "text": "\x00\x01\x02\x7f"}).encode(), 422),
        (b"\xff\xfe\x00binary", 400),
    ]
    for body, status in cases:
        response = await gateway.client.post("/api/webchat/messages", content=body,
                                             headers={"content-type": "application/json"})
        assert response.status_code == status, (body[:40], response.text)
        assert response.json()["detail"]
    assert await count_messages(gateway) == before


async def test_html_is_kept_as_text_and_answered(gateway):
    body = await gateway.say("resident-html", "<script>alert(1)</script> ik heb schulden")
    assert body["messages"]
    async with gateway.switchboard.sessions() as db:
        stored = await db.scalar(select(Message.text).where(Message.direction == "in").order_by(Message.id.desc()))
    assert stored == "<script>alert(1)</script> ik heb schulden"


async def test_unknown_session_is_a_clear_404(gateway):
    response = await gateway.client.get("/api/webchat/never-seen-session/messages")
    assert response.status_code == 404 and response.json()["detail"]


async def test_the_session_id_is_stored_only_as_a_pseudonym(gateway):
    await gateway.say("resident-private-42", "hoi")
    async with gateway.switchboard.sessions() as db:
        residents = list(await db.scalars(select(Conversation.resident)))
    assert residents and all("resident-private-42" not in r for r in residents)


async def test_healthz_reports_all_parts_ok(gateway):
    response = await gateway.client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("status", "rasa", "actions", "database")} == {
        "status": "ok", "rasa": "ok", "actions": "ok", "database": "ok"}
