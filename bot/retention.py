"""Conversation text is kept for a limited time (VOORDEUR_RETENTION_DAYS, default 30).

Each message and note goes by its own time, not by its conversation's row: a conversation that
is still going keeps today's messages, and a touched row does not keep year-old messages. A
conversation with nothing left and no activity within the period is deleted with its pseudonym,
and Rasa forgets that sender (its tracker store also drops its own expired events, see
rasa_addons/tracker_store.py). Need events stay: they hold nothing personal. A call-back referral
loses its phone number and summary when it closes or reaches the same age (bot/referrals).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, exists, select

from bot.config import Settings
from bot.erase import forget_pending
from bot.rasa import RasaClient
from bot.referrals.lifecycle import expire as expire_referrals, mark_overdue
from bot.store.db import leave_no_trace, run_once_across_replicas
from bot.store.models import Conversation, LoginAttempt, Message, Note, utcnow

log = logging.getLogger(__name__)
RETENTION_JOB_LOCK = 7_002  # PostgreSQL advisory lock id


def retention_days() -> int:
    return Settings.load().retention_days


@dataclass(frozen=True)
class Expired:
    messages: int = 0
    notes: int = 0
    conversations: int = 0
    assistant_forgot: int = 0  # senders Rasa confirmed it forgot (expired, or erased while it was away)

    def __bool__(self) -> bool:
        return bool(self.messages or self.notes or self.conversations)


async def delete_expired(sessions, days: int | None = None, rasa: RasaClient | None = None) -> Expired:
    """Delete messages and notes older than `days`, then conversations left empty and idle."""
    cutoff = utcnow() - timedelta(days=retention_days() if days is None else days)
    counts: dict[str, int] = {}
    residents: list[str] = []  # senders of the conversations deleted

    async def job(db) -> None:
        messages = await db.execute(delete(Message).where(Message.created_at < cutoff)
                                    .execution_options(synchronize_session=False))
        notes = await db.execute(delete(Note).where(Note.at < cutoff).execution_options(synchronize_session=False))
        await mark_overdue(db)  # counted before retention may delete the referral with its conversation
        await expire_referrals(db, days=retention_days() if days is None else days)  # number and summary
        empty = (Conversation.updated_at < cutoff) & ~exists().where(Message.conversation_id == Conversation.id) \
            & ~exists().where(Note.conversation_id == Conversation.id)
        gone = list(await db.execute(select(Conversation.id, Conversation.resident).where(empty)))
        if gone:
            await db.execute(delete(Conversation).where(Conversation.id.in_([row.id for row in gone]))
                             .execution_options(synchronize_session=False))
        # Failed-login bookkeeping is needed for 15 minutes; a day is plenty.
        await db.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - timedelta(days=1)))
        counts.update(messages=messages.rowcount or 0, notes=notes.rowcount or 0)
        residents[:] = [row.resident for row in gone]

    await run_once_across_replicas(sessions, RETENTION_JOB_LOCK, job)
    await leave_no_trace(sessions)
    forgot = 0
    if rasa is not None:
        for resident in residents:
            try:
                await rasa.forget(resident)
                forgot += 1
            except Exception as error:  # Rasa's own retention removes it later
                log.info("retention: the assistant could not forget a sender (%s)", type(error).__name__)
        forgot += await forget_pending(sessions, rasa)  # erased while Rasa was away
    return Expired(counts.get("messages", 0), counts.get("notes", 0), len(residents), forgot)
