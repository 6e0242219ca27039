"""Retention (bot/retention.py): every message goes by its own time, and reaches Rasa too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.needs.models import NeedEvent
from bot.retention import delete_expired
from bot.store.models import Conversation, Message, Note, utcnow
from tests.security.test_erase import rasa_events


async def conversation_of(gateway, session: str) -> Conversation:
    resident = gateway.switchboard.pseudonym("webchat", session)
    async with gateway.switchboard.sessions() as db:
        return await db.scalar(select(Conversation).where(Conversation.resident == resident))


async def age(gateway, conversation_id: int, days: int, *, row: bool, messages: bool) -> None:
    then = utcnow() - timedelta(days=days)
    async with gateway.switchboard.sessions.begin() as db:
        if messages:
            await db.execute(update(Message).where(Message.conversation_id == conversation_id)
                             .values(created_at=then))
        if row:  # raw UPDATE: the ORM's onupdate would set updated_at to now
            await db.execute(update(Conversation).where(Conversation.id == conversation_id)
                             .values(created_at=then, updated_at=then))


async def texts_of(gateway, conversation_id: int) -> list[str]:
    async with gateway.switchboard.sessions() as db:
        return list(await db.scalars(select(Message.text).where(Message.conversation_id == conversation_id)
                                     .order_by(Message.id)))


async def test_todays_message_of_an_old_conversation_survives(gateway_without_rasa):
    gw = gateway_without_rasa
    await gw.say("retain-old-conv", "dit schreef ik vorig jaar")
    conversation = await conversation_of(gw, "retain-old-conv")
    await age(gw, conversation.id, 400, row=True, messages=True)
    await gw.say("retain-old-conv", "en dit schrijf ik vandaag")  # new messages do not touch the row

    await delete_expired(gw.switchboard.sessions, days=30)

    left = await texts_of(gw, conversation.id)
    assert "en dit schrijf ik vandaag" in left
    assert "dit schreef ik vorig jaar" not in left
    assert await conversation_of(gw, "retain-old-conv") is not None


async def test_a_400_day_old_message_goes_even_if_the_row_was_touched(gateway_without_rasa):
    gw = gateway_without_rasa
    await gw.say("retain-touched", "een heel oud bericht")
    conversation = await conversation_of(gw, "retain-touched")
    await age(gw, conversation.id, 400, row=False, messages=True)
    async with gw.switchboard.sessions.begin() as db:  # a worker touched the row today
        db.add(Note(conversation_id=conversation.id, author="Sanne", text="oude notitie",
                    at=utcnow() - timedelta(days=400)))
        (await db.get(Conversation, conversation.id)).urgent = True

    expired = await delete_expired(gw.switchboard.sessions, days=30)

    assert await texts_of(gw, conversation.id) == []
    assert expired.messages >= 2 and expired.notes == 1
    assert await conversation_of(gw, "retain-touched") is not None  # touched today: the row stays


@pytest.mark.rasa
async def test_an_expired_conversation_goes_in_the_gateway_and_in_rasa_but_need_events_stay(gateway, rasa_server):
    await gateway.say("retain-expired", "ik heb schulden")
    conversation = await conversation_of(gateway, "retain-expired")
    await age(gateway, conversation.id, 31, row=True, messages=True)
    async with gateway.switchboard.sessions.begin() as db:
        db.add(NeedEvent(week="2026-W01", wijk="onbekend", theme="schulden", intent="debt_bills",
                         outcome="met", channel="webchat"))
    assert any(e.get("event") == "user" for e in await rasa_events(rasa_server.url, conversation.resident))

    expired = await delete_expired(gateway.switchboard.sessions, days=30, rasa=gateway.switchboard.rasa)

    assert expired.conversations == 1 and expired.assistant_forgot == 1
    assert await conversation_of(gateway, "retain-expired") is None
    assert not any(e.get("event") == "user" for e in await rasa_events(rasa_server.url, conversation.resident))
    async with gateway.switchboard.sessions() as db:
        assert list(await db.scalars(select(NeedEvent)))
