"""What a stranger can send to the channels: bounded bodies (413), bounded event streams (429),
odd query values (422), against the real gateway."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid

import httpx
from sqlalchemy import func, select

from bot.channels.base import MAX_BODY_BYTES
from bot.channels.webchat import MESSAGE_BURST, MAX_STREAMS_PER_SESSION
from bot.store.models import Message
from tests.conftest import running_gateway
from tests.fakes.server import wait_until
from tests.channels.conftest import fake_graph, fake_telegram, telegram_env, whatsapp_gateway  # noqa: F401 (fixtures)

TOO_BIG = b'{"session": "limits-0001", "text": "' + b"a" * (MAX_BODY_BYTES + 1) + b'"}'


async def count_messages(gateway) -> int:
    async with gateway.switchboard.sessions() as db:
        return await db.scalar(select(func.count(Message.id)))


async def test_an_oversized_web_chat_post_is_refused_with_413(gateway):
    response = await gateway.client.post("/api/webchat/messages", content=TOO_BIG,
                                         headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["detail"]

    async def chunks():  # no Content-Length: the limit holds while reading the stream
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b" " * 1024

    streamed = await gateway.client.post("/api/webchat/messages", content=chunks(),
                                         headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert await count_messages(gateway) == 0


async def test_an_oversized_whatsapp_body_is_refused_before_the_signature_is_computed(whatsapp_gateway, fake_graph):  # noqa: F811
    body = fake_graph.text_webhook("31612345077", "a" * (MAX_BODY_BYTES + 1), "wamid.big")
    unsigned = await whatsapp_gateway.client.post("/webhooks/whatsapp", content=body,
                                                  headers={"content-type": "application/json"})
    signed = await whatsapp_gateway.client.post("/webhooks/whatsapp", content=body,
                                                headers=fake_graph.signed_headers(body))
    assert unsigned.status_code == 413 and signed.status_code == 413
    assert await count_messages(whatsapp_gateway) == 0 and fake_graph.sent == []


async def test_an_oversized_telegram_webhook_update_is_refused(tmp_path, rasa_server, action_server, fake_telegram):  # noqa: F811
    env = telegram_env(fake_telegram, TELEGRAM_WEBHOOK_SECRET="limits-secret")
    async with running_gateway(tmp_path, rasa_server.url, action_server.url, env) as gateway:
        async def post():
            response = await gateway.client.post(
                "/webhooks/telegram", content=TOO_BIG,
                headers={"content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "limits-secret"})
            return response if response.status_code != 503 else None  # 503 while starting

        assert (await wait_until(post)).status_code == 413


async def test_event_streams_per_session_are_capped_with_429(gateway):
    session = "limits-" + uuid.uuid4().hex[:10]
    await gateway.say(session, "hallo")
    async with contextlib.AsyncExitStack() as stack:
        client = await stack.enter_async_context(httpx.AsyncClient(base_url=gateway.url, timeout=30))
        for _ in range(MAX_STREAMS_PER_SESSION):
            stream = await stack.enter_async_context(client.stream("GET", f"/api/webchat/{session}/events"))
            assert stream.status_code == 200
        refused = await client.get(f"/api/webchat/{session}/events")
        assert refused.status_code == 429 and refused.json()["detail"]
        # Another resident is not affected.
        other = "limits-" + uuid.uuid4().hex[:10]
        await gateway.say(other, "hallo")
        async with client.stream("GET", "/api/webchat/events", headers={"X-Webchat-Session": other}) as ok:
            assert ok.status_code == 200
    # Closed streams give their place back.
    for _ in range(50):
        async with gateway.client.stream("GET", f"/api/webchat/{session}/events") as again:
            if again.status_code == 200:
                return
        await asyncio.sleep(0.1)
    raise AssertionError("closed streams were not given back")


async def test_after_with_non_ascii_digits_is_a_422_not_a_500(gateway):
    session = "limits-" + uuid.uuid4().hex[:10]
    await gateway.say(session, "hallo")
    for value in ("²", "١٢", "9" * 40, "-1"):
        response = await gateway.client.get(f"/api/webchat/{session}/messages", params={"after": value})
        assert response.status_code == 422, (value, response.status_code)
        assert json.loads(response.text)["detail"]


async def test_a_session_that_floods_messages_gets_429_and_others_go_on(gateway):
    session = "limits-" + uuid.uuid4().hex[:10]

    async def post(text: str, who: str = session) -> httpx.Response:
        return await gateway.client.post("/api/webchat/messages", json={"session": who, "text": text})

    # Commands do not wait for the assistant, so a script can send them fast.
    answers = await asyncio.gather(*(post("/verwijder") for _ in range(MESSAGE_BURST + 20)))
    statuses = [a.status_code for a in answers]
    assert statuses.count(200) >= MESSAGE_BURST and 429 in statuses
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.json()["detail"] and refused.headers["retry-after"]
    assert (await post("hallo", "limits-" + uuid.uuid4().hex[:10])).status_code == 200
