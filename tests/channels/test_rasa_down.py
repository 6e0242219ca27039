"""Rasa down in the middle of a Telegram or WhatsApp conversation: messages kept, the resident
told once, everything answered (once) when Rasa is back."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import select

from bot.store.models import Message
from tests.channels.conftest import telegram_env
from tests.conftest import dead_url, running_gateway
from tests.fakes.server import wait_until


async def inbound_statuses(gateway) -> list[str]:
    async with gateway.switchboard.sessions() as db:
        return list(await db.scalars(select(Message.status).where(Message.direction == "in").order_by(Message.id)))


async def test_telegram_conversation_survives_rasa_going_down(tmp_path, rasa_server, action_server, fake_telegram):
    chat = 7770001
    async with running_gateway(tmp_path, rasa_server.url, action_server.url, telegram_env(fake_telegram)) as gw:
        await fake_telegram.wait_for_call("getUpdates")
        fake_telegram.push(fake_telegram.text_update(chat, "/start"))
        sent = await fake_telegram.wait_for_sent(1, chat)

        gw.switchboard.rasa.base_url = dead_url()  # Rasa goes down
        fake_telegram.push(fake_telegram.text_update(chat, "ik heb schulden"))
        sent = await fake_telegram.wait_for_sent(len(sent) + 1, chat)
        assert "Even geduld" in sent[-1]["text"]
        fake_telegram.push(fake_telegram.text_update(chat, "de buren maken herrie"))
        await wait_until(lambda: _pending(gw, 2))
        assert len(fake_telegram.sent_to(chat)) == len(sent)  # told once, not every message

        gw.switchboard.rasa.base_url = rasa_server.url  # back
        await wait_until(lambda: _all_done(gw), timeout=60)
        await asyncio.sleep(0.5)
        later = " ".join(m["text"] for m in fake_telegram.sent_to(chat)[len(sent):]).lower()
        assert ("schuld" in later or "rekening" in later) and ("lawaai" in later or "buren" in later or "overlast" in later)
        assert later.count("even geduld") == 0


async def test_whatsapp_conversation_survives_rasa_going_down(tmp_path, rasa_server, action_server, fake_graph):
    wa = "31677700001"
    async with running_gateway(tmp_path, dead_url(), action_server.url, fake_graph.env()) as gw:
        async def say(text: str, message_id: str):
            body = fake_graph.text_webhook(wa, text, message_id)
            response = await gw.client.post("/webhooks/whatsapp", content=body, headers=fake_graph.signed_headers(body))
            assert response.status_code == 200

        await say("hallo", "wamid.r1")
        sent = await fake_graph.wait_for_sent(1, wa)
        assert "Even geduld" in sent[0]["text"]["body"]
        await say("ik heb schulden", "wamid.r2")
        await say("ik heb schulden", "wamid.r2")  # Meta retries meanwhile
        # The webhook answers once the message is stored; the assistant's turn follows.
        await wait_until(lambda: _pending(gw, 2), timeout=30)
        assert await inbound_statuses(gw) == ["pending", "pending"]

        gw.switchboard.rasa.base_url = rasa_server.url
        await wait_until(lambda: _all_done(gw), timeout=60)
        await asyncio.sleep(0.5)
        texts = [m.get("text", {}).get("body") or m.get("interactive", {}).get("body", {}).get("text", "")
                 for m in fake_graph.sent_to(wa)[1:]]
        joined = " ".join(texts).lower()
        assert joined.count("digitale assistent") == 1 and ("schuld" in joined or "rekening" in joined)


async def _pending(gateway, n: int) -> bool:
    return (await inbound_statuses(gateway)).count("pending") == n


async def _all_done(gateway) -> bool:
    statuses = await inbound_statuses(gateway)
    return bool(statuses) and all(s == "done" for s in statuses)


@contextlib.asynccontextmanager
async def silent_address():
    """A loopback address that accepts connections and never answers (a hung assistant)."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        for writer in held:
            writer.close()
        server.close()


async def test_webhooks_answer_once_stored_without_waiting_for_the_assistant(tmp_path, action_server, fake_graph):
    async with silent_address() as hung_rasa, running_gateway(tmp_path, hung_rasa, action_server.url,
                                                              fake_graph.env()) as gw:
        body = fake_graph.text_webhook("31677700002", "ik heb schulden", "wamid.hung1")
        started = asyncio.get_running_loop().time()
        response = await gw.client.post("/webhooks/whatsapp", content=body, headers=fake_graph.signed_headers(body))
        waited = asyncio.get_running_loop().time() - started
        assert response.status_code == 200 and waited < 2.0, waited
        assert await inbound_statuses(gw) == ["received"]  # stored; the assistant's turn is still running
