"""Fault tests (issue 7), bounded in time and on loopback only: Rasa killed during a stream of
messages, the action server down, database connections dropped. Nothing may be lost."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import func, select, text

from bot import stack
from bot.store.models import Message
from tests.conftest import fresh_postgres_database, postgres_reachable, running_gateway


@pytest.fixture(scope="module")
def own_stack(log_dir, rasa_token, rasa_server):
    """A Rasa server and action server of this module's own, free to be killed."""
    logs = log_dir / "faults"
    actions_port, rasa_port = stack.free_port(), stack.free_port()
    services = {"actions": stack.start_actions(actions_port, logs)}
    services["rasa"] = stack.start_rasa(rasa_port, rasa_token, services["actions"].url, logs)
    services["ports"] = (actions_port, rasa_port)
    services["logs"] = logs
    yield services
    for name in ("rasa", "actions"):
        services[name].stop()


async def wait_until_all_done(gateway, expected: int, timeout: float = 180) -> list[Message]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with gateway.switchboard.sessions() as db:
            inbound = list(await db.scalars(select(Message).where(Message.direction == "in")))
        if len(inbound) == expected and all(m.status == "done" for m in inbound):
            return inbound
        if asyncio.get_running_loop().time() > deadline:
            return inbound
        await asyncio.sleep(1)


async def test_rasa_killed_during_a_stream_loses_nothing(tmp_path, own_stack, rasa_token):
    actions_port, rasa_port = own_stack["ports"]
    residents = [f"r-kill-{i}-{uuid.uuid4().hex[:6]}" for i in range(5)]
    turns = ["hallo", "ik heb schulden", "de buren maken herrie", "ik ben vaak alleen", "bedankt", "doei"]
    told_to_wait = set()
    async with running_gateway(tmp_path, own_stack["rasa"].url, own_stack["actions"].url) as gateway:
        async def resident(sid: str, turn_range: range):
            for turn in turn_range:
                body = await gateway.say(sid, turns[turn])
                if any("Even geduld" in m["text"] for m in body["messages"]):
                    told_to_wait.add(sid)

        await asyncio.gather(*(resident(sid, range(0, 2)) for sid in residents))
        own_stack["rasa"].process.kill()  # SIGKILL: no goodbye
        own_stack["rasa"].process.wait()
        await asyncio.gather(*(resident(sid, range(2, 6)) for sid in residents))
        assert told_to_wait == set(residents)
        assert (await gateway.client.get("/healthz")).json()["rasa"] == "down"

        own_stack["rasa"] = await asyncio.to_thread(
            stack.start_rasa, rasa_port, rasa_token, own_stack["actions"].url, own_stack["logs"])
        inbound = await wait_until_all_done(gateway, len(residents) * len(turns))
        assert len(inbound) == len(residents) * len(turns)
        assert [m.id for m in inbound if m.status != "done"] == []
        async with gateway.switchboard.sessions() as db:
            rows = await db.execute(select(Message.in_reply_to, func.count()).where(
                Message.direction == "out", Message.sender == "bot").group_by(Message.in_reply_to))
            answered = {reply_to: count for reply_to, count in rows}
        assert all(m.id in answered for m in inbound)  # every message got its answer


async def test_action_server_down_gives_a_safe_answer_and_crisis_still_works(tmp_path, own_stack):
    actions_port, _ = own_stack["ports"]
    async with running_gateway(tmp_path, own_stack["rasa"].url, own_stack["actions"].url) as gateway:
        own_stack["actions"].stop()
        body = await gateway.say("r-no-actions", "ik kan mijn huur niet meer betalen")
        assert body["messages"] and all(m["text"] for m in body["messages"])
        crisis = await gateway.say("r-no-actions-2", "ik wil dood")
        assert "0800-0113" in crisis["messages"][0]["text"]
        health = (await gateway.client.get("/healthz")).json()
        assert health["actions"] == "down" and health["status"] == "degraded"
        own_stack["actions"] = await asyncio.to_thread(stack.start_actions, actions_port, own_stack["logs"])
        body = await gateway.say("r-no-actions-3", "ik kan mijn huur niet meer betalen")
        assert "huur" in " ".join(m["text"] for m in body["messages"]).lower()


async def test_database_connections_dropped_and_restored_lose_no_message(tmp_path, own_stack, monkeypatch):
    if not await postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    monkeypatch.setenv("VOORDEUR_STUCK_SECONDS", "3")
    async with fresh_postgres_database() as url:
        db_name = url.rsplit("/", 1)[1]
        async with running_gateway(tmp_path, own_stack["rasa"].url, own_stack["actions"].url,
                                   database_url=url) as gateway:
            sent: list[str] = []

            async def post_until_accepted(sid: str, text_: str) -> None:
                message_id = "m" + uuid.uuid4().hex[:16]
                sent.append(message_id)
                for _ in range(30):  # a channel retries until the gateway accepts (at least once)
                    try:
                        response = await gateway.client.post(
                            "/api/webchat/messages", json={"session": sid, "text": text_, "id": message_id})
                        if response.status_code == 200:
                            return
                        assert response.status_code == 503, response.text
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.3)
                raise AssertionError("message never accepted")

            async def drop_connections() -> None:
                async with gateway.switchboard.sessions() as db:
                    await db.execute(text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": db_name})

            async def resident(i: int) -> None:
                for turn in range(6):
                    await post_until_accepted(f"r-dbdrop-{i}", ["hoi", "ik heb schulden", "bedankt"][turn % 3])

            async def saboteur() -> None:
                for _ in range(3):
                    await asyncio.sleep(0.7)
                    try:
                        await drop_connections()
                    except Exception:
                        pass

            await asyncio.gather(saboteur(), *(resident(i) for i in range(4)))
            inbound = await wait_until_all_done(gateway, len(sent), timeout=60)
            ids = sorted(m.channel_message_id for m in inbound)
            assert ids == sorted(sent)  # every message stored exactly once
            assert all(m.status == "done" for m in inbound)
