"""Privacy by design: residents' words, session ids and phone numbers never reach the
application logs; the database holds only pseudonyms."""

from __future__ import annotations

import logging

from sqlalchemy import select

from bot.store.models import Conversation

SECRET_WORDS = "mijn buurman Jansen op nummer 12 slaat zijn vrouw 0612345678"


async def test_no_message_text_or_session_id_in_logs(gateway, caplog):
    caplog.set_level(logging.DEBUG)
    session = "privacy-session-7731"
    await gateway.say(session, SECRET_WORDS)
    await gateway.say(session, "ik heb schulden bij de Belastingdienst, bsn 111222333")
    await gateway.say(session, "mag ik een medewerker")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("Jansen", "0612345678", "111222333", "Belastingdienst", session):
        assert secret not in logged
    async with gateway.switchboard.sessions() as db:
        conversation = await db.scalar(select(Conversation))
    assert session not in conversation.resident and conversation.address is None
