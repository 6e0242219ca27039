"""Two gateway replicas on different ports with one PostgreSQL database and Redis (issue 7):
claims are safe across replicas, live updates cross replicas, each message is processed once."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from bot.store.models import Conversation, Message
from tests.conftest import fresh_postgres_database, postgres_reachable, running_gateway
from tests.handover.conftest import csrf_of, login, make_user

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def two_replicas(tmp_path, rasa_server, action_server):
    if not await postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    env = {"REDIS_URL": REDIS_URL}
    async with fresh_postgres_database() as url:
        async with running_gateway(tmp_path / "a", rasa_server.url, action_server.url, env, url) as a, \
                running_gateway(tmp_path / "b", rasa_server.url, action_server.url, env, url) as b:
            yield a, b


async def test_a_claim_on_one_replica_is_seen_on_the_other(two_replicas):
    a, b = two_replicas
    await make_user(a, "sanne", "worker", "Sanne")
    await make_user(a, "joost", "worker", "Joost")
    body = await a.say("r-replica-claim", "ik wil een medewerker spreken")
    assert body["state"] == "waiting_for_human"
    async with a.switchboard.sessions() as db:
        conversation_id = await db.scalar(select(Conversation.id))
    sanne_on_b, joost_on_a = await login(b, "sanne"), await login(a, "joost")
    tokens = await asyncio.gather(csrf_of(sanne_on_b), csrf_of(joost_on_a))
    results = await asyncio.gather(
        sanne_on_b.post(f"/console/conversations/{conversation_id}/claim", data={"csrf": tokens[0]}),
        joost_on_a.post(f"/console/conversations/{conversation_id}/claim", data={"csrf": tokens[1]}),
    )
    assert sorted(r.status_code for r in results) == [303, 409]
    queue_on_a = await joost_on_a.get("/console/queue")
    assert "Niemand wacht" in queue_on_a.text


async def test_a_worker_reply_on_one_replica_streams_to_a_resident_on_the_other(two_replicas):
    a, b = two_replicas
    await make_user(a, "sanne", "worker", "Sanne")
    first = await a.say("r-replica-sse", "mag ik een mens spreken")
    async with a.switchboard.sessions() as db:
        conversation_id = await db.scalar(select(Conversation.id))
    last_id = first["messages"][-1]["id"]
    sanne = await login(b, "sanne")
    token = await csrf_of(sanne)
    async with httpx.AsyncClient(base_url=a.url, timeout=30) as resident:
        async with resident.stream("GET", "/api/webchat/r-replica-sse/events", params={"after": last_id}) as stream:
            await sanne.post(f"/console/conversations/{conversation_id}/claim", data={"csrf": token})
            received = []
            async for line in stream.aiter_lines():
                if line.startswith("data: "):
                    received.append(json.loads(line[6:]))
                    if any(m["from"] == "human" and "Sanne" in (m.get("author") or "") for m in received):
                        break
    assert received[-1]["from"] == "human"


async def test_messages_spread_over_two_replicas_are_each_processed_once(two_replicas):
    a, b = two_replicas
    sessions = [f"r-spread-{uuid.uuid4().hex[:8]}" for _ in range(6)]
    texts = ["hallo", "ik heb schulden", "de buren maken herrie", "bedankt", "doei"]

    async def resident(index: int, sid: str):
        for turn, text in enumerate(texts):
            gateway = (a, b)[(index + turn) % 2]
            await gateway.say(sid, text)

    await asyncio.gather(*(resident(i, sid) for i, sid in enumerate(sessions)))
    async with a.switchboard.sessions() as db:
        inbound = list(await db.scalars(select(Message).where(Message.direction == "in")))
        rows = await db.execute(
            select(Message.in_reply_to, func.count()).where(Message.direction == "out").group_by(Message.in_reply_to))
        answered = {reply_to: count for reply_to, count in rows}
    assert len(inbound) == len(sessions) * len(texts)
    assert all(m.status == "done" for m in inbound)
    assert all(m.id in answered for m in inbound)
