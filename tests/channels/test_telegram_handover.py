"""The handover of issue 5 over Telegram: a resident asks for a person, a worker claims the
conversation in the console and replies; the reply reaches Telegram marked with the worker's
name; the resident's answer reaches the worker, not the assistant."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.models import Conversation, Message
from tests.handover.conftest import csrf_of, login, make_user
from tests.fakes.server import wait_until

CHAT = 5552001


async def test_handover_over_telegram(telegram_gateway, fake_telegram):
    gateway = telegram_gateway
    await make_user(gateway, "sanne", "worker", "Sanne")
    fake_telegram.push(fake_telegram.text_update(CHAT, "ik wil graag een medewerker spreken"))
    sent = await fake_telegram.wait_for_sent(2, CHAT)
    assert any("medewerker" in m["text"] for m in sent)

    async with gateway.switchboard.sessions() as db:
        conversation = await db.scalar(select(Conversation).where(Conversation.channel == "telegram"))
    assert conversation.state == "waiting_for_human"

    sanne = await login(gateway, "sanne")
    token = await csrf_of(sanne)
    assert (await sanne.post(f"/console/conversations/{conversation.id}/claim", data={"csrf": token})).status_code == 303
    await sanne.post(f"/console/conversations/{conversation.id}/reply",
                     data={"csrf": token, "text": "Ik help je verder. Waar gaat het over?"})
    sent = await fake_telegram.wait_for_sent(len(sent) + 2, CHAT)  # the intro and the reply
    assert sent[-1]["text"] == "Sanne (buurtteam): Ik help je verder. Waar gaat het over?"

    fake_telegram.push(fake_telegram.text_update(CHAT, "over mijn huurachterstand"))

    async def stored() -> bool:
        async with gateway.switchboard.sessions() as db:
            return await db.scalar(select(Message.id).where(Message.text == "over mijn huurachterstand")) is not None

    await wait_until(stored)
    page = await sanne.get(f"/console/conversations/{conversation.id}")
    assert "over mijn huurachterstand" in page.text
    assert len(fake_telegram.sent_to(CHAT)) == len(sent)  # the assistant stayed quiet
