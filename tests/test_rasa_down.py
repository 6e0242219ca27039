"""When Rasa is down: the resident is told to wait, nothing is lost, and every message is
answered once Rasa is back. The crisis net answers without Rasa."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.store.models import Message


async def test_crisis_is_answered_even_without_rasa(gateway_without_rasa):
    body = await gateway_without_rasa.say("resident-crisis", "er is brand in de flat")
    assert "112" in body["messages"][0]["text"]


async def test_messages_wait_for_rasa_and_are_answered_when_it_is_back(gateway_without_rasa, rasa_server):
    gw = gateway_without_rasa
    first = await gw.say("resident-wait", "hallo")
    assert "Even geduld" in first["messages"][0]["text"]
    second = await gw.say("resident-wait", "ik heb schulden")
    assert second["messages"] == []  # told once, not every message

    health = (await gw.client.get("/healthz")).json()
    assert health["status"] == "degraded" and health["rasa"] == "down" and health["pending_messages"] == 2

    gw.switchboard.rasa.base_url = rasa_server.url  # Rasa is back
    for _ in range(120):
        got = (await gw.client.get("/api/webchat/resident-wait/messages", params={"after": first["messages"][0]["id"]})).json()
        if len(got["messages"]) >= 2:
            break
        await asyncio.sleep(0.5)
    texts = " ".join(m["text"] for m in got["messages"])
    assert "digitale assistent" in texts  # the answer to "hallo"
    assert "rekening" in texts.lower() or "schuld" in texts.lower()

    async with gw.switchboard.sessions() as db:
        inbound = list(await db.scalars(select(Message).where(Message.direction == "in")))
    assert [m.status for m in inbound] == ["done", "done"]
    replies_per_message = {}
    async with gw.switchboard.sessions() as db:
        for m in await db.scalars(select(Message).where(Message.direction == "out")):
            replies_per_message.setdefault(m.in_reply_to, []).append(m.text)
    # Each message was answered by the assistant exactly once (no double processing).
    assert all(sum("digitale assistent" in t for t in texts) <= 1 for texts in replies_per_message.values())
