"""The conversation lifecycle: its four states and every way it moves between them.

    bot ──ask_for_person──> waiting_for_human ──claim──> with_human
     ^                        ^    │                       │ │ │
     │                        │    └──────transfer(team)───┘ │ │ transfer(worker): stays with_human
     ├────────hand_back───────┼──────────────────────────────┘ │
     │                        │                                │
     └──reopen── closed <──close (worker) / close_by_resident / erase (any state)

    waiting_for_human ──leave_queue──> bot   (the resident confirms they no longer wait; not after a crisis)

Each transition is a function that takes an explicit database session and the conversation (an
ORM object, or for the ones a resident's message makes, a `Case` of bot/store/case.py), changes
the row (the caller commits or writes the Case), and returns a `Change`. What must happen after the
commit (resume the assistant's tracker, tell the resident) follows from the Change:
`Switchboard.follow_up(change)` does it, the same for the console and every channel command.
An illegal move raises `IllegalTransition`; nothing is changed then.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import cast

from sqlalchemy import CursorResult, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.needs.log import record_close
from bot.store.case import Case
from bot.store.models import Conversation, Note, User, utcnow


class State(StrEnum):
    BOT = "bot"
    WAITING = "waiting_for_human"
    WITH_HUMAN = "with_human"
    CLOSED = "closed"


HUMAN_STATES = (State.WAITING, State.WITH_HUMAN)
"""A person has (or will have) the conversation: the assistant stays out of it."""


class IllegalTransition(ValueError):
    """A transition that the conversation's state (or who asks) does not allow."""


@dataclass(frozen=True)
class CloseOutcome:
    """How a worker closes a conversation, as a need-log outcome."""

    label: str
    need_outcome: str


CLOSE_OUTCOMES = {
    "helped": CloseOutcome("Geholpen", "met"),
    "referred": CloseOutcome("Doorverwezen naar een dienst", "met"),
    "no_local_service": CloseOutcome("Niet geholpen: geen dienst in de wijk", "no_local_service"),
    "waiting_list": CloseOutcome("Niet geholpen: wachtlijst", "waiting_list"),
    "not_helped": CloseOutcome("Niet geholpen: dienst hielp niet", "not_helped"),
    "declined": CloseOutcome("Bewoner wilde geen hulp", "declined"),
    "out_of_scope": CloseOutcome("Vraag hoort niet bij ons", "out_of_scope"),
}


@dataclass(frozen=True)
class Change:
    """One transition that happened; what to do after the commit follows from it."""

    conversation_id: int
    resident: str
    before: State
    after: State
    notice: str | None = None  # the domain.yml response that tells the resident, if any

    @property
    def moved(self) -> bool:
        return self.before != self.after

    @property
    def resumes_assistant(self) -> bool:
        return self.before in HUMAN_STATES and self.after not in HUMAN_STATES


def state_of(conversation: Conversation | Case) -> State:
    return State(conversation.state)


def _move(conversation: Conversation | Case, to: State, notice: str | None = None) -> Change:
    before = state_of(conversation)
    conversation.state = to.value
    return Change(conversation.id, conversation.resident, before, to, notice)


def _unchanged(conversation: Conversation | Case) -> Change:
    """A transition that finds nothing to move (it was asked in a state where it does nothing)."""
    return Change(conversation.id, conversation.resident, state_of(conversation), state_of(conversation))


def _require(conversation: Conversation, allowed: tuple[State, ...], action: str) -> None:
    if state_of(conversation) not in allowed:
        raise IllegalTransition(f"cannot {action} a conversation in state {conversation.state}")


def _require_holder(conversation: Conversation, user: User, action: str) -> None:
    _require(conversation, (State.WITH_HUMAN,), action)
    if conversation.assigned_to != user.id:
        raise IllegalTransition(f"cannot {action}: the conversation is not assigned to this worker")


async def ask_for_person(db: AsyncSession, conversation: Conversation | Case, reason: str,
                         urgent: bool = False) -> Change:
    """Join the queue (from bot or closed). When a person already has it or it already
    waits, nothing moves, but an urgent request still makes it urgent."""
    conversation.urgent = conversation.urgent or urgent
    if state_of(conversation) in HUMAN_STATES:
        return _unchanged(conversation)
    conversation.handover_reason = reason[:32]
    conversation.handover_at = utcnow()
    conversation.reminded_at = None
    conversation.assigned_to = None
    return _move(conversation, State.WAITING)


async def leave_queue(db: AsyncSession, conversation: Conversation | Case) -> Change:
    """The resident no longer wants to wait for a person (said so, then confirmed it): back to
    the assistant. The decision never offers it after a crisis: then a worker follows up."""
    if state_of(conversation) != State.WAITING:
        return _unchanged(conversation)
    conversation.urgent = False
    conversation.team = None
    conversation.handover_reason = None
    conversation.reminded_at = None
    return _move(conversation, State.BOT)


async def claim(db: AsyncSession, conversation: Conversation | int, user: User) -> bool:
    """Give a waiting conversation to this worker. One atomic UPDATE: of two workers who click
    at the same moment (also on different gateway replicas) exactly one changes the row, so
    this takes the conversation or its id and answers whether this worker won."""
    conversation_id = conversation if isinstance(conversation, int) else conversation.id
    result = cast(CursorResult, await db.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.state == State.WAITING.value)
        .values(state=State.WITH_HUMAN.value, assigned_to=user.id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ))
    won = result.rowcount == 1
    if won and isinstance(conversation, Conversation):
        await db.refresh(conversation)
    return won


async def hand_back(db: AsyncSession, conversation: Conversation, user: User) -> Change:
    """The worker gives the conversation back to the assistant. A team it was transferred to
    goes too: a later request for a person starts in the general queue, not that team's."""
    _require_holder(conversation, user, "hand back")
    conversation.assigned_to = None
    conversation.team = None
    conversation.urgent = False
    return _move(conversation, State.BOT, "utter_gateway_handback")


async def transfer(db: AsyncSession, conversation: Conversation, user: User,
                   to_user: User | None = None, to_team: str | None = None,
                   note: str | None = None) -> Change:
    """Pass the conversation to a colleague (stays with a person) or to a team's queue.
    `note` is kept for the next worker as an internal note (never sent to the resident)."""
    _require_holder(conversation, user, "transfer")
    if (to_user is None) == (to_team is None):
        raise IllegalTransition("transfer needs exactly one of a colleague or a team")
    if to_user is not None:
        if to_user.role != "worker" or not to_user.active or to_user.id == user.id:
            raise IllegalTransition("transfer only to another active worker")
        conversation.assigned_to = to_user.id
        change = Change(conversation.id, conversation.resident, State.WITH_HUMAN, State.WITH_HUMAN,
                        "utter_gateway_transfer")
    else:
        team = (to_team or "").strip()[:48]
        if not team:
            raise IllegalTransition("transfer needs a team name")
        conversation.team = team
        conversation.assigned_to = None
        # handover_at stays: the resident keeps their place by how long they have waited.
        conversation.reminded_at = None
        change = _move(conversation, State.WAITING, "utter_gateway_transfer")
    if note and note.strip():
        db.add(Note(conversation_id=conversation.id, author=user.display_name, text=note.strip()[:4096]))
    return change


async def close(db: AsyncSession, conversation: Conversation, user: User, outcome: str,
                intent: str, known_wijken: set[str] | frozenset[str] = frozenset()) -> Change:
    """The worker closes the case with an outcome; the need and outcome go to the need log.
    Raises IllegalTransition for an unknown outcome and InvalidNeed for an unknown intent."""
    _require_holder(conversation, user, "close")
    chosen = CLOSE_OUTCOMES.get(outcome)
    if chosen is None:
        raise IllegalTransition(f"unknown close outcome {outcome!r}")
    await record_close(db, conversation, intent, chosen.need_outcome, set(known_wijken))
    conversation.assigned_to = None
    conversation.urgent = False
    return _move(conversation, State.CLOSED, "utter_gateway_closed")


async def close_by_resident(db: AsyncSession, conversation: Conversation) -> Change:
    """The resident ends the conversation (Telegram's /stop, the web chat's end button).
    Allowed in every state; a closed conversation stays closed."""
    conversation.assigned_to = None
    conversation.urgent = False
    return _move(conversation, State.CLOSED)


async def reopen(db: AsyncSession, conversation: Conversation | Case) -> Change:
    """A new message in a closed conversation starts over with the assistant."""
    if state_of(conversation) != State.CLOSED:
        return _unchanged(conversation)
    conversation.team = None
    conversation.handover_reason = None
    return _move(conversation, State.BOT)


async def erase(db: AsyncSession, conversation: Conversation) -> Change:
    """The state part of a resident's erase: out of the queue and away from any worker,
    forgetting what the conversation was about. bot/erase.py deletes the data itself."""
    conversation.assigned_to = None
    conversation.urgent = False
    conversation.team = None
    conversation.handover_reason = None
    conversation.last_intent = None
    conversation.wijk = None
    return _move(conversation, State.CLOSED)
