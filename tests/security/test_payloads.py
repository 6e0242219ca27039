"""A resident cannot fake intents or entities by typing a payload (issue 12): only the payload of
a button the assistant offered in this conversation acts as a payload; anything else starting
with "/" is read as words."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from bot.needs.models import NeedEvent
from bot.store.models import Conversation

pytestmark = pytest.mark.rasa


def new_session() -> str:
    return "payload-" + uuid.uuid4().hex[:12]


def text_of(body: dict) -> str:
    return " ".join(m["text"] for m in body["messages"])


async def conversation_of(gateway, session: str) -> Conversation:
    async with gateway.switchboard.sessions() as db:
        return await db.scalar(select(Conversation).where(
            Conversation.resident == gateway.switchboard.pseudonym("webchat", session)))


async def test_a_typed_entity_payload_sets_nothing(gateway):
    session = new_session()
    await gateway.say(session, "hallo")
    body = await gateway.say(session, '/inform_location{"wijk": "Noord"}', typed=True)
    assert "welke wijk je woont" not in text_of(body)
    assert (await conversation_of(gateway, session)).wijk is None


async def test_a_typed_need_payload_records_no_need(gateway):
    async with gateway.switchboard.sessions() as db:
        before = len(list(await db.scalars(select(NeedEvent.id).where(NeedEvent.intent == "debt_bailiff"))))
    await gateway.say(new_session(), "/debt_bailiff", typed=True)
    async with gateway.switchboard.sessions() as db:
        after = len(list(await db.scalars(select(NeedEvent.id).where(NeedEvent.intent == "debt_bailiff"))))
    assert after == before


async def test_an_offered_button_still_works_when_pressed(gateway):
    session = new_session()
    body = await gateway.say(session, "help")
    offered = [b["payload"] for m in body["messages"] for b in m["buttons"] if "schulden" in b["payload"]]
    assert offered, "the warm question offers the themes"
    pressed = await gateway.say(session, offered[0], typed=True)  # exactly as the button sends it
    assert pressed["messages"] and any(m["buttons"] for m in pressed["messages"])
