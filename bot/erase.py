"""A resident's right to be forgotten: erase everything stored about one resident on one channel.

Deletes the resident's conversations; their messages (and sealed address) go with them. The
need log is not touched: it holds no key that joins it to a conversation or a person.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.models import Conversation


async def erase_resident(sessions: async_sessionmaker[AsyncSession], channel: str, resident: str) -> int:
    """Delete the conversations of `resident` (a pseudonym) on `channel`; return how many."""
    async with sessions.begin() as session:
        conversations = list(
            await session.scalars(
                select(Conversation).where(Conversation.channel == channel, Conversation.resident == resident)
            )
        )
        for conversation in conversations:
            await session.delete(conversation)  # messages cascade (ORM and ON DELETE CASCADE)
    return len(conversations)
