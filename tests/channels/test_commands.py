"""Commands that work the same on every channel (bot/channels/commands.py): erase after a
confirmation, and stop; and privacy wording that is true on each channel."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.store.models import Conversation, Message
from tests.channels.test_whatsapp import body_text, post
from tests.fakes.server import wait_until

WA = "31612345099"
PRIVACY_QUESTION = "wat doen jullie met mijn gegevens?"


def texts(sent: list[dict]) -> str:
    return " ".join(body_text(m) for m in sent)


async def stored(gateway, channel: str) -> tuple[int, int]:
    async with gateway.switchboard.sessions() as db:
        conversations = await db.scalar(
            select(func.count(Conversation.id)).where(Conversation.channel == channel))
        messages = await db.scalar(
            select(func.count(Message.id)).join(Conversation).where(Conversation.channel == channel))
    return conversations, messages


async def all_sent(gateway, fake_graph, wa_id: str) -> int:
    """Wait until every reply stored so far reached the fake Graph API (an answer may come in
    several parts, sent one by one); return how many the resident received."""
    async def settled() -> int | None:
        async with gateway.switchboard.sessions() as db:
            open_in = await db.scalar(select(func.count(Message.id)).where(
                Message.direction == "in", Message.status != "done"))
            out = await db.scalar(select(func.count(Message.id)).where(Message.direction == "out"))
        received = len(fake_graph.sent_to(wa_id))
        return received if open_in == 0 and out and received >= out else None
    return await wait_until(settled, 60)


async def test_whatsapp_resident_erases_everything_after_confirming(whatsapp_gateway, fake_graph):
    await post(whatsapp_gateway, fake_graph, fake_graph.text_webhook(WA, "ik heb schulden", "wamid.e1"))
    before = await all_sent(whatsapp_gateway, fake_graph, WA)
    assert (await stored(whatsapp_gateway, "whatsapp"))[1] >= 2

    await post(whatsapp_gateway, fake_graph, fake_graph.text_webhook(WA, "/verwijder", "wamid.e2"))
    confirm = (await fake_graph.wait_for_sent(before + 1, WA))[-1]
    assert confirm["type"] == "interactive"  # yes / no as reply buttons
    payloads = [b["reply"]["id"] for b in confirm["interactive"]["action"]["buttons"]]
    assert "verwijder:ja" in payloads and (await stored(whatsapp_gateway, "whatsapp"))[0] == 1

    yes = fake_graph.button_reply_webhook(WA, "verwijder:ja", "Ja, wis alles", "wamid.e3")
    assert (await post(whatsapp_gateway, fake_graph, yes)).status_code == 200
    done = (await fake_graph.wait_for_sent(before + 2, WA))[-1]
    assert "gewist" in body_text(done)
    assert await stored(whatsapp_gateway, "whatsapp") == (0, 0)


async def test_whatsapp_stop_closes_the_conversation(whatsapp_gateway, fake_graph):
    wa = "31612345098"
    await post(whatsapp_gateway, fake_graph, fake_graph.text_webhook(wa, "ik wil een medewerker spreken", "wamid.s1"))
    sent = await all_sent(whatsapp_gateway, fake_graph, wa)
    await post(whatsapp_gateway, fake_graph, fake_graph.text_webhook(wa, "/stop", "wamid.s2"))
    await fake_graph.wait_for_sent(sent + 1, wa)
    async with whatsapp_gateway.switchboard.sessions() as db:
        state = await db.scalar(select(Conversation.state).where(Conversation.channel == "whatsapp"))
        to_assistant = await db.scalar(select(func.count(Message.id)).where(Message.text == "/stop"))
    assert state == "closed" and to_assistant == 0


async def test_privacy_wording_is_true_on_whatsapp_and_on_the_web_chat(whatsapp_gateway, fake_graph):
    await post(whatsapp_gateway, fake_graph, fake_graph.text_webhook(WA, PRIVACY_QUESTION, "wamid.p1"))
    on_whatsapp = texts(await fake_graph.wait_for_sent(1, WA)).lower()
    # WhatsApp gives us the number and we keep it (encrypted) to answer: we must not deny that.
    assert "30 dagen" in on_whatsapp and "versleuteld" in on_whatsapp
    assert "telefoonnummer slaan we niet op" not in on_whatsapp

    body = await whatsapp_gateway.say("privacy-webchat-1", PRIVACY_QUESTION)
    on_webchat = " ".join(m["text"] for m in body["messages"]).lower()
    assert "30 dagen" in on_webchat and "wis mijn gesprek" in on_webchat  # the page's button, not /verwijder
