"""A message is processed once across replicas without a transaction held while the assistant
answers (issue 10.6): the gateway claims the message, asks the assistant outside any
transaction, and only the claimant finishes it. Two replicas on one PostgreSQL database, the
assistant hung (it accepts the connection and never answers)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text

from bot.store.models import Message
from bot.switchboard import Inbound
from tests.channels.test_rasa_down import silent_address
from tests.conftest import fresh_postgres_database, postgres_reachable, running_gateway


async def _claimed(gateway) -> Message | None:
    async with gateway.switchboard.sessions() as db:
        return await db.scalar(select(Message).where(Message.direction == "in", Message.claimed_at.is_not(None)))


async def test_while_the_assistant_answers_no_transaction_is_held_and_the_other_replica_keeps_off(tmp_path):
    if not await postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    async with silent_address() as hung_rasa, fresh_postgres_database() as url:
        async with running_gateway(tmp_path / "a", hung_rasa, database_url=url) as a, \
                running_gateway(tmp_path / "b", hung_rasa, database_url=url) as b:
            asking = asyncio.create_task(a.switchboard.receive(Inbound("webchat", "claim-r1", "ik heb schulden")))
            try:
                message = None
                for _ in range(100):
                    message = await _claimed(a)
                    if message is not None:
                        break
                    await asyncio.sleep(0.05)
                assert message is not None and message.status == "received"
                await asyncio.sleep(0.3)  # replica A is now waiting for the assistant
                assert not asking.done()
                async with a.switchboard.sessions() as db:
                    held = await db.scalar(text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND state LIKE 'idle in transaction%'"))
                assert held == 0  # no connection sits in a transaction while the assistant answers
                # Replica B (its background loop, a retried webhook) neither waits for A nor asks
                # the hung assistant a second time: it answers at once with what is stored.
                outcome = await asyncio.wait_for(b.switchboard.process(message.id), timeout=5)
                assert outcome.messages == []
                async with b.switchboard.sessions() as db:
                    status = await db.scalar(select(Message.status).where(Message.id == message.id))
                assert status == "received"
            finally:
                asking.cancel()
                await asyncio.gather(asking, return_exceptions=True)
