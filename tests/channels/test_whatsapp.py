"""WhatsApp: signed webhooks into the gateway, replies captured by the fake Graph API server,
with the real Rasa server and action server."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select, update

from bot.store.models import Conversation, Message, utcnow
from tests.conftest import running_gateway
from tests.fakes.graph_server import VERIFY_TOKEN
from tests.fakes.server import wait_until

WA = "31612345001"


async def post(gateway, graph, body: bytes, headers: dict | None = None):
    return await gateway.client.post("/webhooks/whatsapp", content=body,
                                     headers=graph.signed_headers(body) if headers is None else headers)


def body_text(message: dict) -> str:
    if message["type"] == "text":
        return message["text"]["body"]
    if message["type"] == "interactive":
        return message["interactive"]["body"]["text"]
    return ""


async def count(gateway, model, *where) -> int:
    async with gateway.switchboard.sessions() as db:
        return await db.scalar(select(func.count()).select_from(model).where(*where))


async def test_verification_handshake(whatsapp_gateway):
    good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    response = await whatsapp_gateway.client.get("/webhooks/whatsapp", params=good)
    assert response.status_code == 200 and response.text == "1158201444"
    response = await whatsapp_gateway.client.get("/webhooks/whatsapp", params={**good, "hub.verify_token": "nope"})
    assert response.status_code == 403


async def test_a_text_is_answered_through_the_graph_api(whatsapp_gateway, fake_graph):
    response = await post(whatsapp_gateway, fake_graph, fake_graph.text_webhook(WA, "hallo", "wamid.a1"))
    assert response.status_code == 200
    sent = await fake_graph.wait_for_sent(1, WA)
    assert "digitale assistent" in " ".join(body_text(m) for m in sent)
    assert all(m["messaging_product"] == "whatsapp" for m in sent)
    async with whatsapp_gateway.switchboard.sessions() as db:
        conversation = await db.scalar(select(Conversation).where(Conversation.channel == "whatsapp"))
    assert WA not in conversation.resident and WA not in (conversation.address or "")


async def test_forged_and_missing_signatures_are_refused(whatsapp_gateway, fake_graph):
    body = fake_graph.text_webhook(WA, "ik heb schulden", "wamid.forged")
    forged = {"content-type": "application/json", "X-Hub-Signature-256": "sha256=" + "0" * 64}
    tampered = fake_graph.signed_headers(body)
    for headers, content in ((forged, body), ({"content-type": "application/json"}, body),
                             (tampered, body.replace(b"schulden", b"schuldenX"))):
        response = await whatsapp_gateway.client.post("/webhooks/whatsapp", content=content, headers=headers)
        assert response.status_code == 403
    assert await count(whatsapp_gateway, Message) == 0
    assert fake_graph.sent == []


async def test_a_replayed_message_id_is_answered_once(whatsapp_gateway, fake_graph):
    body = fake_graph.text_webhook(WA, "hallo", "wamid.replay")
    assert (await post(whatsapp_gateway, fake_graph, body)).status_code == 200
    first = list(await fake_graph.wait_for_sent(1, WA))
    for _ in range(2):  # Meta retries the same webhook
        assert (await post(whatsapp_gateway, fake_graph, body)).status_code == 200
    await asyncio.sleep(0.5)
    assert fake_graph.sent_to(WA) == first
    assert await count(whatsapp_gateway, Message, Message.direction == "in") == 1


async def test_up_to_three_buttons_go_out_as_reply_buttons(whatsapp_gateway, fake_graph):
    wa = "31612345002"
    await post(whatsapp_gateway, fake_graph, fake_graph.text_webhook(wa, "mag ik een medewerker spreken", "wamid.b0"))
    await fake_graph.wait_for_sent(1, wa)
    # A worker's reply with two buttons goes out as WhatsApp reply buttons.
    sb = whatsapp_gateway.switchboard
    async with sb.sessions() as db:
        conversation_id = await db.scalar(select(Conversation.id).where(Conversation.channel == "whatsapp"))
    before = len(fake_graph.sent_to(wa))
    await sb.add_outgoing(conversation_id, "Wil je dat een medewerker met je meekijkt?", sender="human",
                          buttons=[{"title": "Ja, graag", "payload": "/ask_human"},
                                   {"title": "Nee, dank je", "payload": "/deny"}])
    sent = await fake_graph.wait_for_sent(before + 1, wa)
    interactive = sent[-1]["interactive"]
    assert interactive["type"] == "button"
    assert [b["reply"] for b in interactive["action"]["buttons"]] == [
        {"id": "/ask_human", "title": "Ja, graag"}, {"id": "/deny", "title": "Nee, dank je"}]


async def test_button_reply_goes_to_the_assistant(whatsapp_gateway, fake_graph):
    wa = "31612345003"
    await post(whatsapp_gateway, fake_graph, fake_graph.text_webhook(wa, "help", "wamid.c0"))
    offered = await fake_graph.wait_for_sent(1, wa)  # a warm question with the themes as buttons
    assert "Overlast" in " ".join(body_text(m) for m in offered)
    body = fake_graph.button_reply_webhook(wa, '/choose_theme{"theme": "overlast"}', "Overlast", "wamid.c1")
    await post(whatsapp_gateway, fake_graph, body)
    sent = (await fake_graph.wait_for_sent(len(offered) + 1, wa))[len(offered):]
    text = " ".join(body_text(m) for m in sent)
    assert "Lawaai" in text  # the topics of the theme, as buttons or a numbered list
    body = fake_graph.list_reply_webhook(wa, "/goodbye", "Dag", "wamid.c2")
    assert (await post(whatsapp_gateway, fake_graph, body)).status_code == 200
    await fake_graph.wait_for_sent(len(sent) + 1, wa)


async def test_more_than_three_buttons_become_a_numbered_list_and_a_number_answers(whatsapp_gateway, fake_graph):
    wa = "31612345004"
    await post(whatsapp_gateway, fake_graph, fake_graph.text_webhook(wa, "🙂🙂🙂", "wamid.d1"))
    sent = await fake_graph.wait_for_sent(1, wa)
    listed = next(m for m in sent if m["type"] == "text" and "\n1. " in m["text"]["body"])["text"]["body"]
    assert "2. Zorg of hulp thuis" in listed and "nummer" in listed
    assert all(m["type"] != "interactive" for m in sent)

    await post(whatsapp_gateway, fake_graph, fake_graph.text_webhook(wa, "3", "wamid.d2"))  # Overlast
    sent = await fake_graph.wait_for_sent(len(sent) + 1, wa)
    assert "Lawaai" in " ".join(body_text(m) for m in sent[1:])
    async with whatsapp_gateway.switchboard.sessions() as db:
        stored = await db.scalar(select(Message.text).where(Message.channel_message_id == "wamid.d2"))
    assert stored == '/choose_theme{"theme": "overlast"}'


async def test_status_callbacks_and_other_numbers_are_ignored(whatsapp_gateway, fake_graph):
    body = fake_graph.status_webhook(WA, "wamid.out.1", "read")
    assert (await post(whatsapp_gateway, fake_graph, body)).status_code == 200
    other = fake_graph.text_webhook(WA, "hallo", "wamid.e1").replace(
        fake_graph.phone_number_id.encode(), b"999999")
    assert (await post(whatsapp_gateway, fake_graph, other)).status_code == 200
    junk = b'{"object": "whatsapp_business_account", "entry": [{"changes": [null, {"field": "messages"}]}]}'
    assert (await post(whatsapp_gateway, fake_graph, junk)).status_code == 200
    await asyncio.sleep(0.3)
    assert await count(whatsapp_gateway, Message) == 0 and fake_graph.sent == []


async def test_a_photo_gets_a_text_only_note_once(whatsapp_gateway, fake_graph):
    wa = "31612345005"
    body = fake_graph.message_webhook(wa, "wamid.f1", "image", {"id": "media-1", "mime_type": "image/jpeg"})
    await post(whatsapp_gateway, fake_graph, body)
    await post(whatsapp_gateway, fake_graph, body)
    sent = await fake_graph.wait_for_sent(1, wa)
    await asyncio.sleep(0.3)
    assert len(fake_graph.sent_to(wa)) == 1 and "alleen tekst" in body_text(sent[0])
    assert await count(whatsapp_gateway, Message) == 0


async def test_graph_api_failing_is_retried_delivered_once_and_visible_in_healthz(whatsapp_gateway, fake_graph):
    wa = "31612345006"
    fake_graph.fail_next = 2  # both attempts of the first delivery fail
    await post(whatsapp_gateway, fake_graph, fake_graph.text_webhook(wa, "hallo", "wamid.g1"))

    async def undelivered():
        return (await whatsapp_gateway.client.get("/healthz")).json()["undelivered_replies"]
    await wait_until(undelivered, timeout=30, interval=0.05)
    health = (await whatsapp_gateway.client.get("/healthz")).json()
    assert health["status"] == "degraded"

    sent = await fake_graph.wait_for_sent(1, wa)  # the gateway's retry round sends it
    await wait_until(lambda: _zero(undelivered), timeout=30)
    await asyncio.sleep(0.5)
    assert fake_graph.sent_to(wa) == sent
    assert sum("digitale assistent" in body_text(m) for m in sent) == 1


async def _zero(probe) -> bool:
    return await probe() == 0


async def test_outside_the_24_hour_window_uses_the_template_or_fails_loudly(tmp_path, rasa_server, action_server, fake_graph):
    for template in ("", "voordeur_nieuw_bericht"):
        env = {**fake_graph.env(), "WHATSAPP_TEMPLATE_NAME": template}
        async with running_gateway(tmp_path / (template or "none"), rasa_server.url, action_server.url, env) as gw:
            wa = f"3161234510{len(template) % 10}"
            await post(gw, fake_graph, fake_graph.text_webhook(wa, "hallo", f"wamid.h{template}"))
            await fake_graph.wait_for_sent(1, wa)
            async with gw.switchboard.sessions.begin() as db:
                await db.execute(update(Message).values(created_at=utcnow() - timedelta(hours=25)))
                conversation_id = await db.scalar(select(Conversation.id))
            before = len(fake_graph.sent_to(wa))
            reply = await gw.switchboard.add_outgoing(conversation_id, "Je afspraak is op dinsdag.\nTot dan!", sender="human")
            async with gw.switchboard.sessions() as db:
                status = await db.scalar(select(Message.status).where(Message.id == reply.id))
            if template:
                assert status == "delivered"
                sent = fake_graph.sent_to(wa)[before:]
                assert len(sent) == 1 and sent[0]["template"]["name"] == template
                assert sent[0]["template"]["components"][0]["parameters"][0]["text"] == "Je afspraak is op dinsdag. Tot dan!"
            else:
                assert status == "failed"  # kept, retried, and counted in /healthz; not dropped
                assert len(fake_graph.sent_to(wa)) == before
                assert (await gw.client.get("/healthz")).json()["undelivered_replies"] == 1


async def test_a_message_that_cannot_be_stored_is_refused_so_meta_retries_and_none_is_lost(whatsapp_gateway, fake_graph):
    from bot.store.db import make_engine, make_sessionmaker
    from tests.conftest import dead_url

    wa = "31612345099"
    body = fake_graph.text_webhook(wa, "ik heb schulden", "wamid.db-down")
    working = whatsapp_gateway.switchboard.sessions
    broken = make_engine("postgresql+asyncpg://nobody@" + dead_url().removeprefix("http://") + "/none")
    whatsapp_gateway.switchboard.sessions = make_sessionmaker(broken)  # the database is away
    try:
        response = await post(whatsapp_gateway, fake_graph, body)
        assert response.status_code == 503
    finally:
        whatsapp_gateway.switchboard.sessions = working
        await broken.dispose()
    assert (await post(whatsapp_gateway, fake_graph, body)).status_code == 200  # Meta's retry
    sent = await fake_graph.wait_for_sent(1, wa)
    assert "schuld" in " ".join(body_text(m) for m in sent).lower() or "rekening" in " ".join(body_text(m) for m in sent).lower()
    assert await count(whatsapp_gateway, Message, Message.direction == "in", Message.channel_message_id == "wamid.db-down") == 1
