"""A conversation's row as a resident message's transactions read and write it: plain statements,
no ORM objects and no unit of work.

Every resident message reads its conversation twice (when it is stored, and when the decision is
carried out) and often changes it (the last intent, the needs heard, the wijk, a handover). As ORM
objects that cost more Python than everything else the gateway does per message (issue 10.6,
docs/benchmarks.md). A `Case` has the attributes of `Conversation` that these transactions use,
so the lifecycle's transitions and the need log work on either; `write` sends only the columns
that changed, so a worker's claim in between is never written over.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache
from typing import Any, ClassVar, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Conversation, Message

CONVERSATIONS = cast(Table, Conversation.__table__)
MESSAGES = cast(Table, Message.__table__)


@dataclass
class Case:
    id: int
    channel: str
    resident: str  # keyed-HMAC pseudonym
    address: str | None
    state: str
    urgent: bool
    last_intent: str | None
    handover_reason: str | None
    handover_at: datetime | None
    reminded_at: datetime | None
    assigned_to: int | None
    team: str | None
    wijk: str | None
    needs: list[str] | None
    _read: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, row: Any) -> Case:
        """The Case from a row with `CASE_COLUMNS`, remembered as read."""
        values = {name: row[name] for name in CASE_FIELDS}
        return cls(**values, _read=dict(values))

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CASE_FIELDS if getattr(self, name) != self._read[name]}

    async def write(self, session: AsyncSession) -> None:
        """Write the columns that changed since it was read (none: no statement)."""
        changes = self.changes()
        if changes:
            await session.execute(_update_of(tuple(sorted(changes))),
                                  {"case_id": self.id, **{f"new_{name}": value for name, value in changes.items()}})
            self._read.update(changes)


@dataclass
class Claimed:
    """An inbound message taken in hand, as the transaction that finishes it reads and writes it.
    An own question may blank its text (it held a phone number): the outcome writes it back."""

    id: int
    conversation_id: int
    text: str
    status: str
    attempts: int
    intent: str | None
    confidence: float | None
    claimed_at: datetime | None

    READ: ClassVar = ("text", "status", "attempts", "intent", "confidence", "claimed_at")  # as message_<name>
    WRITTEN: ClassVar = ("text", "status", "attempts", "intent", "confidence")  # claimed_at: cleared

    @classmethod
    def of(cls, message_id: int, row: Any) -> Claimed:
        """From a row with the message's columns as message_<name> and its conversation's id."""
        return cls(message_id, row["id"], **{name: row[f"message_{name}"] for name in cls.READ})

    def written(self) -> dict[str, Any]:
        """The parameters of an UPDATE of this message (message_id) that writes `WRITTEN` as new_<name>."""
        return {"message_id": self.id, **{f"new_{name}": getattr(self, name) for name in self.WRITTEN}}


CASE_FIELDS = tuple(f.name for f in fields(Case) if not f.name.startswith("_"))
CASE_COLUMNS = tuple(CONVERSATIONS.c[name] for name in CASE_FIELDS)
# A new conversation (parameters: channel, resident, address), as a Case: the table's defaults fill the rest.
INSERT_CONVERSATION = insert(CONVERSATIONS).returning(*CASE_COLUMNS)


@cache
def _update_of(names: tuple[str, ...]) -> Any:
    """UPDATE of these columns (parameters: new_ and the name, and case_id), made once per set of
    names; updated_at is set by the column's own onupdate."""
    return (update(CONVERSATIONS).where(CONVERSATIONS.c.id == bindparam("case_id"))
            .values({name: bindparam(f"new_{name}") for name in names}))
