"""Questions the gateway asks itself, outside the assistant.

Some questions belong to the gateway's own records, not to the assistant's dialogue: "Wil je
dat Schuldhulpverlening jou belt?" (bot/referrals) and "Is het gelukt om ... te bellen?"
(the follow-up). Their answers can hold personal data (a phone number, a few words of the
resident's own), so while such a question is open the resident's message never reaches Rasa.

Each kind of question implements `OwnQuestion`; the switchboard keeps a list of them:

- `answer` is asked first, for every message in a conversation the assistant has or that waits
  in the queue for a person, when `may_answer` (an SQL condition read with the conversation) holds (after the crisis net, which always wins; never while a worker has
  the conversation: then the message is for the worker). So a withdrawal, or the number asked
  just before a crisis put the resident in the queue, is still taken. Replies mean: this message answered our open question, and
  the assistant does not see it. None means: not ours, the assistant answers as usual.
- `after` is asked once the assistant's decision is carried out in the database, and may add
  replies after the assistant's (an offer after a need was routed, or one that waited; `waits`
  says, read with the conversation, whether any waits, so most turns read nothing of ours). It sees the decision's
  need instructions, so it knows which service was named, and the replies so far (the
  assistant's, and an earlier own question's): when they already ask something (`asks_something`)
  an offer waits for a later turn, so the resident gets one question at a time.
- `end` is asked when the resident ends the conversation, in the transaction that closes it.

Both run inside a transaction of the switchboard that also stores the message's status and
replies (processed once, never half): `answer` in the first one (which is final when it answers;
when it returns None the assistant is asked outside any transaction, so `answer` then stores
nothing), `after` in the one that stores the assistant's answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from bot.rasa import BotReply

if TYPE_CHECKING:
    from bot.decision import Decision
    from bot.directory.model import Directory
    from bot.store.case import Case, Claimed
    from bot.store.models import Conversation, Message


@dataclass(frozen=True)
class Asked:
    """What an own question may use while it answers one resident message."""

    session: AsyncSession  # the switchboard's transaction for this message
    conversation: Conversation | Case  # the switchboard's is a Case (plain statements)
    message: Message | Claimed  # the resident's message, stored; a text set here is written with it
    directory: Directory
    secret: str  # VOORDEUR_SECRET: seal a number before it is stored
    now: datetime  # timezone-aware (bot.clock.now(): a test may freeze it)
    # Whether an offer of an own question waited when the conversation was read (`waits`);
    # when not, `after` looks only for the offers it notes itself in this turn.
    waiting: bool = True


class OwnQuestion(Protocol):
    name: str  # for logs: "referral", "follow_up"

    def may_answer(self, text: str) -> ColumnElement[bool]:
        """Whether `answer` might take `text`, as an SQL condition on the conversation (in terms of
        Conversation.id). The switchboard reads it with the conversation, and asks `answer` only
        when it holds: false must mean `answer` returns None. So a message in a conversation with
        nothing of ours open costs no reads of our tables."""
        ...

    async def answer(self, asked: Asked, text: str) -> list[BotReply] | None:
        """Replies when `text` answers an open question of ours in this conversation, else None."""
        ...

    def waits(self) -> ColumnElement[bool]:
        """Whether an offer of ours waits to be asked after a later turn, as an SQL condition in
        terms of Conversation.id, read with the conversation (`Asked.waiting`): false must mean
        `after` finds no waiting offer but the ones it notes itself in this turn."""
        ...

    async def after(self, asked: Asked, decision: Decision) -> list[BotReply]:
        """Questions to ask after the assistant answered (none: an empty list)."""
        ...

    async def end(self, session: AsyncSession, conversation_id: int) -> None:
        """The resident ended the conversation (/stop, the web chat's end button): an offer of
        ours they did not answer ends with it, so a "ja" after they come back is not read as
        its answer (nothing personal of a draft is kept). What they agreed to stays."""
        ...


def asks_something(replies: list[BotReply]) -> bool:
    """Whether a turn's replies end in a question (they offer buttons: the next need, the wijk,
    the address, a person, an own question). Then an own offer waits: one question at a time,
    and the assistant's first answer stays short (issue 13)."""
    return any(reply.buttons for reply in replies)
