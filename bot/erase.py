"""A resident's right to be forgotten: erase everything stored about one resident on one channel.

Where a resident's data lives, and what erasing does there:
- the gateway database: their conversations with every message in and out (also replies still
  waiting to be delivered), the sealed push address, workers' notes, their call-back referrals
  (bot/referrals: number, summary, consent), their planned "is het gelukt?" follow-ups
  (bot/follow_up.py); the access-log rows of those conversations stay, unlinked: conversation
  and referral id become NULL and the reason becomes ERASED_REASON, so an admin still sees that
  a worker read a case or a number that day (accountability) but not whose;
- Rasa: the tracker of their pseudonym (`RasaClient.forget`; Voordeur's tracker store in
  rasa_addons/tracker_store.py keeps no message text and deletes a forgotten sender's rows).
The need log is not touched: it holds no key that joins it to a conversation or a person (the
conversation-side link, case_needs, goes with the conversation).

The gateway's rows are deleted first and in one transaction, so an erase never half-happens
there. Rasa may be down: then `Erased.assistant` is False and the pseudonym waits in
`pending_forgets` until the retention job reaches Rasa (Rasa keeps no text meanwhile).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.follow_up import erase_for_conversations as erase_follow_ups
from bot.needs.models import CaseNeed
from bot.rasa import RasaClient
from bot.referrals.lifecycle import erase_for_conversations
from bot.store.db import leave_no_trace
from bot.store.models import AccessLog, Conversation, Message, Note, PendingForget

log = logging.getLogger(__name__)

ERASED_REASON = "gegevens gewist op verzoek van de bewoner"  # the access-log reason after an erase


@dataclass(frozen=True)
class Erased:
    """What an erase deleted (counts only: nothing that names the resident)."""

    conversations: int = 0
    messages: int = 0
    notes: int = 0
    access_log: int = 0  # access-log rows unlinked (kept without conversation, referral or reason)
    assistant: bool = False  # Rasa confirmed it forgot the sender

    @property
    def found(self) -> bool:
        return self.conversations > 0


async def erase_conversations(session: AsyncSession, conversation_ids: list[int]) -> Erased:
    """Delete these conversations and everything that names them, in the caller's transaction."""
    if not conversation_ids:
        return Erased()
    messages = await session.scalar(
        select(func.count(Message.id)).where(Message.conversation_id.in_(conversation_ids))) or 0
    notes = await session.scalar(
        select(func.count(Note.id)).where(Note.conversation_id.in_(conversation_ids))) or 0
    # Explicit deletes, child rows first: correct whether or not the database cascades.
    await session.execute(delete(Note).where(Note.conversation_id.in_(conversation_ids)))
    await erase_for_conversations(session, conversation_ids)  # referrals: number, summary, consent
    await erase_follow_ups(session, conversation_ids)  # "is het gelukt?" questions planned or asked
    await session.execute(delete(CaseNeed).where(CaseNeed.conversation_id.in_(conversation_ids)))  # the link only
    await session.execute(delete(Message).where(Message.conversation_id.in_(conversation_ids)))
    access = cast(CursorResult[Any],  # an UPDATE's result has rowcount; SQLAlchemy types it as Result
                  await session.execute(
                      update(AccessLog).where(AccessLog.conversation_id.in_(conversation_ids))
                      .values(conversation_id=None, referral_id=None, reason=ERASED_REASON)
                      .execution_options(synchronize_session=False)))
    await session.execute(delete(Conversation).where(Conversation.id.in_(conversation_ids)))
    return Erased(len(conversation_ids), messages, notes, access.rowcount or 0)


async def forget_in_rasa(rasa: RasaClient, resident: str) -> bool:
    """Ask Rasa to delete the sender's tracker; False when Rasa could not be reached."""
    try:
        await rasa.forget(resident)
        return True
    except Exception as error:
        log.warning("erase: the assistant could not forget the sender (%s)", type(error).__name__)
        return False


async def forget_pending(sessions: async_sessionmaker[AsyncSession], rasa: RasaClient) -> int:
    """Ask Rasa again for residents erased while it was away; return how many it forgot now."""
    async with sessions() as session:
        residents = list(await session.scalars(select(PendingForget.resident)))
    forgot = [resident for resident in residents if await forget_in_rasa(rasa, resident)]
    if forgot:
        async with sessions.begin() as session:
            await session.execute(delete(PendingForget).where(PendingForget.resident.in_(forgot)))
    return len(forgot)


async def erase_resident(sessions: async_sessionmaker[AsyncSession], rasa: RasaClient | None,
                         channel: str, resident: str) -> Erased:
    """Delete everything about `resident` (a pseudonym) on `channel`, in the gateway and in Rasa.

    Safe to call when nothing is stored (returns an empty `Erased`); never raises for Rasa.
    """
    async with sessions.begin() as session:
        ids = list(await session.scalars(
            select(Conversation.id).where(Conversation.channel == channel, Conversation.resident == resident)))
        erased = await erase_conversations(session, ids)
    await leave_no_trace(sessions)
    assistant = rasa is not None and await forget_in_rasa(rasa, resident)
    if not assistant:  # asked again by the retention job until Rasa answers
        async with sessions.begin() as session:
            await session.merge(PendingForget(resident=resident))
    log.info("erase on %s: %d conversation(s), %d message(s), %d note(s), %d access-log row(s) unlinked; assistant %s",
             channel, erased.conversations, erased.messages, erased.notes, erased.access_log,
             "forgot" if assistant else "not reached")
    return Erased(erased.conversations, erased.messages, erased.notes, erased.access_log, assistant)
