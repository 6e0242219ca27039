"""A case's transcript as a worker reads it: button presses shown by their title (not the
payload the assistant received), and earlier cases of a returning resident folded apart with
the outcome they were closed with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import AccessLog, Message


@dataclass
class Entry:
    message: Message
    text: str  # what the worker sees: the button's title for a press
    pressed: bool = False  # the resident pressed a button instead of typing


@dataclass
class Case:
    entries: list[Entry] = field(default_factory=list)
    closed_at: datetime | None = None
    outcome: str = ""  # as written in the access log when it was closed


def readable_entries(messages: list[Message]) -> list[Entry]:
    """Each message with the text a worker should read: a payload the resident sent by pressing
    a button the assistant offered shows as that button's title."""
    offered: dict[str, str] = {}
    entries = []
    for message in messages:
        if message.direction == "out":
            offered = {str(b.get("payload")): str(b.get("title")) for b in (message.buttons or [])
                       if b.get("payload") and b.get("title")} or offered
            entries.append(Entry(message, message.text))
        elif message.text in offered:
            entries.append(Entry(message, offered[message.text], pressed=True))
        else:
            entries.append(Entry(message, message.text))
    return entries


def split_cases(entries: list[Entry], closes: list[AccessLog]) -> tuple[list[Case], Case]:
    """The earlier (closed) cases and the current one, cut at each close in the access log.
    A new case starts with the resident's first message after a close; the closing messages
    sent right after it still belong to the case they close."""
    earlier: list[Case] = []
    current = Case()
    boundaries = iter(sorted(closes, key=lambda row: row.at))
    cut = next(boundaries, None)
    for entry in entries:
        while cut is not None and entry.message.direction == "in" and entry.message.created_at > cut.at:
            if current.entries:
                current.closed_at, current.outcome = cut.at, cut.reason.removeprefix("afgesloten: ")
                earlier.append(current)
                current = Case()
            cut = next(boundaries, None)
        current.entries.append(entry)
    return earlier, current


async def load_transcript(db: AsyncSession, conversation_id: int) -> tuple[list[Case], Case]:
    messages = list(await db.scalars(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)))
    closes = list(await db.scalars(
        select(AccessLog).where(AccessLog.conversation_id == conversation_id, AccessLog.action == "close")))
    return split_cases(readable_entries(messages), closes)
