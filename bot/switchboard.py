"""The switchboard: stores every resident message, has it decided, carries the decision out.

Every inbound message, from any channel, is stored before anything else happens (with the
channel's message id as idempotency key) by `store`; `process` then handles it once, in order
per conversation: it gathers what the decision needs (bot/decision.py, pure: crisis net first,
then the assistant or the person who has the conversation), carries the Decision out (replies,
need events, the queue) and hands the replies to the channel they came from. `receive` does both.

If Rasa cannot be reached the message stays `pending`; the resident is told to wait, and
`retry_pending` answers it once Rasa is back.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, bindparam, false, func, insert, literal, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from bot import clock, lifecycle
from bot.config import Settings
from bot.directory import default_directory
from bot.language import detect_language, language_reply
from bot.decision import ASSISTANT_DOWN, Decision, Desk, Snapshot, Turn, decide, reminder
from bot.handover.hours import desk_hours, say_when
from bot.lifecycle import HUMAN_STATES, State
from bot.needs.log import InvalidNeed, record_bot_need
from bot.notify import Notifier
from bot.own_questions import Asked, OwnQuestion
from bot.pseudonym import pseudonymise, seal, unseal
from bot.rasa import BotReply, Conversed, RasaClient, RasaUnavailable
from bot.responses import DOMAIN_PATH, response
from bot.safety import CrisisMatch, detect_crisis
from bot.store.case import CASE_COLUMNS, CONVERSATIONS, INSERT_CONVERSATION, MESSAGES, Case, Claimed
from bot.store.db import run_once_across_replicas
from bot.store.models import Conversation, Message, utcnow
from bot.store.sqlite_driver import on_the_loop
from bot.taxonomy import CRISIS_INTENTS, NEED_THEMES, themes_by_intent
from bot.yamlfile import read_yaml

if TYPE_CHECKING:  # bot.channels imports this module; the locks are made lazily below
    from bot.channels.ordering import KeyedLocks

log = logging.getLogger(__name__)



MAX_DELIVERY_ATTEMPTS = 8
REMINDER_JOB_LOCK = 7_001  # PostgreSQL advisory lock id of the reminder job
OFFERS_REMEMBERED = 5  # the last messages with buttons whose payloads a resident may still press
# A worker who wrote less than this ago is in the conversation: the assistant stays quiet.
WORKER_QUIET_AFTER = timedelta(minutes=3)


# Slots in which the assistant remembers a need it routed (domain.yml); cleared after a guess.
GUESS_SLOTS = ("expecting", "pending_intent", "offered_intent", "routed_intent")


# Need events that do not say the resident has this need (an offered need they said no to).
NOT_A_NEED_HEARD = ("declined",)


@cache
def guess_slots() -> list[str]:
    slots = read_yaml(DOMAIN_PATH).get("slots") or {}
    return [name for name in GUESS_SLOTS if name in slots]


def _keyed_locks() -> KeyedLocks:
    from bot.channels.ordering import KeyedLocks

    return KeyedLocks()


def needs_heard(before: list[str] | None, heard: list[Any]) -> list[str]:
    """The conversation's needs with those the assistant just heard added (need intents only,
    each once, first heard first): what the worker sees (issue 13.3)."""
    needs = list(before or [])
    for intent in heard:
        if isinstance(intent, str) and themes_by_intent().get(intent) in NEED_THEMES and intent not in needs:
            needs.append(intent)
    return needs


@dataclass(frozen=True)
class Inbound:
    channel: str
    user_id: str  # the channel's own id; pseudonymised before it is stored
    text: str
    channel_message_id: str | None = None


@dataclass(frozen=True)
class Outgoing:
    id: int
    text: str
    buttons: list[dict[str, str]]
    sender: str  # bot | human
    author: str | None = None  # a worker's first name or team, for sender "human"

    def display_text(self) -> str:
        """The text as a channel without an author field shows it: 'Sanne (buurtteam): ...'."""
        return f"{self.author}: {self.text}" if self.sender == "human" and self.author else self.text


@dataclass
class Outcome:
    conversation_id: int
    messages: list[Outgoing]
    state: str
    duplicate: bool = False


@dataclass(frozen=True)
class Stored:
    """A resident message safely stored: what `process` needs, and whether it was seen before."""

    message_id: int
    conversation_id: int
    duplicate: bool = False
    claim: datetime | None = None  # stored already taken in hand (`store(..., claim=True)`)
    key: tuple[str, str] | None = None  # (channel, resident): whose messages are handled one at a time


@dataclass(frozen=True)
class FirstLook:
    """What the decision needs of the conversation, read in the transaction that stored the
    message (`receive`), so no second one is needed before the assistant is asked."""

    conversation_id: int
    channel: str
    resident: str
    text: str
    snapshot: Snapshot
    desk: Desk
    own_question_open: bool  # an own question may take this message (`OwnQuestion.may_answer`)
    own_question_waiting: bool  # an own question's offer waits to be asked (`OwnQuestion.waits`)


# A channel's way of sending stored replies out: (sealed address unsealed, messages).
Deliverer = Callable[[str, list[Outgoing]], Awaitable[None]]


def desk_without_queue(state: State, settings: Settings) -> Desk | None:
    """The desk now when the queue does not matter: closed (and when it opens), or open while a
    person has the conversation already. None: open, and the queue counts are needed."""
    now = clock.now()
    hours = desk_hours(settings)
    minutes_per_case = settings.minutes_per_case
    if not hours.is_open(now):
        opening = hours.next_opening(now)
        return Desk(False, say_when(opening, now) if opening else None, minutes_per_case=minutes_per_case)
    if state in HUMAN_STATES:
        return Desk(True, minutes_per_case=minutes_per_case)
    return None


def crisis_columns(conversation_id: Any) -> dict[str, Any]:
    """The conversation's latest crisis message, as columns of a query: its intent and text."""
    def latest(column: Any) -> Any:
        return (select(column)
                .where(Message.conversation_id == conversation_id, Message.direction == "in",
                       Message.intent.in_(CRISIS_INTENTS))
                .order_by(Message.id.desc()).limit(1).scalar_subquery())

    return {"crisis_intent": latest(Message.intent), "crisis_text": latest(Message.text)}


def last_crisis(row: Any) -> tuple[str | None, bool]:
    """The latest crisis in the conversation (from `crisis_columns`), and whether 112 led its
    answer (a weapon, fire, someone at the door, danger now), so reminders lead with the same number."""
    intent = row.get("crisis_intent")
    if intent is None:
        return None, False
    match = detect_crisis(row["crisis_text"])
    return intent, bool(match and match.urgent)


OWN_QUESTION_STATES = (State.BOT.value, State.WAITING.value)


def queue_columns() -> list[Any]:
    """The queue as two columns of a query: conversations waiting, and of those urgent (over all
    conversations, also in a query of one conversation: never correlated)."""
    waiting = Conversation.state == State.WAITING.value
    return [
        select(func.count(Conversation.id)).where(waiting).correlate(None).scalar_subquery().label("waiting"),
        select(func.count(Conversation.id)).where(waiting, Conversation.urgent.is_(True))
        .correlate(None).scalar_subquery().label("waiting_urgent"),
    ]


def snapshot_columns(conversation_id: Any, state: State | None, before: Any = None) -> dict[str, Any]:
    """What the decision needs of a conversation, as columns of one query: the previous intent
    (of the inbound messages before message `before`, or all of them), and in a person's states
    the latest crisis and the worker's last word. `conversation_id` is an id, or Conversation.id
    to read them with the conversation; `state` None: for every state (read before it is known)."""
    in_conversation = Message.conversation_id == conversation_id
    earlier = [in_conversation, Message.direction == "in"] + ([Message.id < before] if before is not None else [])
    columns: dict[str, Any] = {
        "previous_intent": select(Message.intent).where(*earlier).order_by(Message.id.desc()).limit(1).scalar_subquery(),
    }
    if state is None or state in HUMAN_STATES:
        columns.update(crisis_columns(conversation_id))
    if state is None or state == State.WITH_HUMAN:
        columns["last_word"] = (select(func.max(Message.created_at))
                                .where(in_conversation, Message.sender == "human").scalar_subquery())
    return columns


@cache
def _look_snapshot_columns(queue: bool) -> dict[str, Any]:
    """`snapshot_columns` for any state, read with the conversation (made once: they never change),
    with the queue's columns when the desk is open."""
    columns = snapshot_columns(Conversation.id, None)
    if queue:
        columns.update({column.name: column for column in queue_columns()})
    return columns


def snapshot_of(state: State, row: Any, offered: frozenset[str] = frozenset(),
                asked_last: frozenset[str] = frozenset()) -> Snapshot:
    """The Snapshot from a row with the columns of `snapshot_columns`."""
    crisis_intent, crisis_urgent = last_crisis(row) if state in HUMAN_STATES else (None, False)
    worker_quiet = True
    if state == State.WITH_HUMAN:
        last_word = row["last_word"]
        worker_quiet = last_word is None or utcnow() - last_word > WORKER_QUIET_AFTER
    return Snapshot(state, offered, row["previous_intent"], crisis_intent, worker_quiet, crisis_urgent=crisis_urgent,
                    asked_last=asked_last)


def offers_query(conversation_id: Any) -> Any:
    """The payloads of the buttons offered lately in a conversation (the latest OFFERS_REMEMBERED
    messages with buttons): a text that looks like a payload acts as one only if it was offered."""
    return (select(Message.buttons)
            .where(Message.conversation_id == conversation_id, Message.direction == "out", Message.buttons.is_not(None))
            .order_by(Message.id.desc()).limit(OFFERS_REMEMBERED))


def last_reply_query(conversation_id: Any) -> Any:
    """The buttons of the latest reply in a conversation (None: it had none)."""
    return (select(Message.buttons).where(Message.conversation_id == conversation_id, Message.direction == "out")
            .order_by(Message.id.desc()).limit(1))


async def asked_last(session: AsyncSession, case: Case) -> frozenset[str]:
    """While the resident waits for a person: the payloads of the latest reply (whether our own
    question is the one they answer). Read in that state only."""
    if case.state != State.WAITING.value:
        return frozenset()
    return payloads_in([await session.scalar(last_reply_query(case.id))])


def payloads_in(rows: Any) -> frozenset[str]:
    return frozenset(str(b.get("payload")) for buttons in rows for b in buttons or [] if isinstance(b, dict))


@dataclass(frozen=True)
class Finished:
    """A message's decision carried out in its transaction: what follows the commit needs."""

    conversation_id: int
    channel: str
    resident: str
    state: str
    decision: Decision
    replies: list[Outgoing]  # stored
    push_to: tuple[Deliverer, str] | None  # a push channel's deliverer and sealed address


# A resident's conversation on a channel, as a Case (parameters: channel, resident).
FIND_CONVERSATION = select(*CASE_COLUMNS).where(CONVERSATIONS.c.channel == bindparam("channel"),
                                                CONVERSATIONS.c.resident == bindparam("resident"))
# An inbound message with its conversation, its row locked (PostgreSQL); parameter: id.
CLAIMED_MESSAGE = (select(*(MESSAGES.c[name].label(f"message_{name}") for name in Claimed.READ), *CASE_COLUMNS)
                   .join_from(MESSAGES, CONVERSATIONS, MESSAGES.c.conversation_id == CONVERSATIONS.c.id)
                   .where(MESSAGES.c.id == bindparam("id")).with_for_update(of=MESSAGES))
# Plain statements: no unit of work, no objects.
_INSERT_MESSAGE = insert(MESSAGES).returning(MESSAGES.c.id)
# The message's outcome, written once the decision is carried out (parameters: message_id, new_ values).
_FINISH_MESSAGE = (update(MESSAGES).where(MESSAGES.c.id == bindparam("message_id"))
                   .values({**{name: bindparam(f"new_{name}") for name in Claimed.WRITTEN}, "claimed_at": None}))
# The replies of a turn in one statement (INSERT ... VALUES (...), (...) RETURNING id). The ids come
# back in no set order, but a statement numbers its rows in the order given (SQLite's rowid, a
# PostgreSQL sequence), so sorted they match the replies. (sort_by_parameter_order would send
# one statement per reply on SQLite.)
_INSERT_REPLIES = insert(MESSAGES).returning(MESSAGES.c.id)


def outgoing(message: Message) -> Outgoing:
    return Outgoing(message.id, message.text, list(message.buttons or []), message.sender, message.author)


@dataclass
class Switchboard:
    sessions: async_sessionmaker[AsyncSession]
    rasa: RasaClient
    secret: str
    settings: Settings  # desk hours, waits, the directory file: read once, at start
    notifier: Notifier = field(default_factory=Notifier)
    deliverers: dict[str, Deliverer] = field(default_factory=dict)
    known_wijken: set[str] = field(default_factory=set)
    own_questions: list[OwnQuestion] = field(default_factory=list)  # asked before and after the assistant
    _locks: KeyedLocks = field(default_factory=_keyed_locks)  # one conversation at a time
    _statements: dict[tuple[Any, ...], Select[Any]] = field(default_factory=dict)  # `_made_once`

    def pseudonym(self, channel: str, user_id: str) -> str:
        return pseudonymise(self.secret, channel, user_id)

    @asynccontextmanager
    async def _message_transaction(self) -> AsyncIterator[AsyncSession]:
        """A transaction of a resident message's path: a few statements by index, run on the event
        loop with SQLite (bot/store/sqlite_driver.py, `on_the_loop`; PostgreSQL is not affected)."""
        with on_the_loop():
            async with self.sessions.begin() as session:
                yield session

    # ---- inbound -------------------------------------------------------------------------

    async def receive(self, inbound: Inbound) -> Outcome:
        """Store, then process once. A repeated channel message id returns the first outcome.

        One resident's messages are handled one at a time, so the message is stored together
        with what the decision needs of the conversation (one transaction); the assistant is
        asked right after, and the decision is carried out in a second transaction."""
        resident = self.pseudonym(inbound.channel, inbound.user_id)
        async with self._locks.hold((inbound.channel, resident)):
            stored, look = await self._store(inbound, resident, claim=True, look=True)
            if stored.duplicate:  # the first one was handled under this lock: its outcome
                outcome = await self._stored_outcome(stored.message_id)
                outcome.duplicate = True
                return outcome
            return await self._process_held(stored.message_id, stored.claim, look)

    async def store(self, inbound: Inbound, claim: bool = False) -> Stored:
        """Store the message before anything else happens (a webhook may answer once this
        returns). A channel message id seen before gives the first message, marked duplicate.
        With `claim`, the message is stored already taken in hand (see `process`): the caller
        processes it right away and passes `Stored.claim` on."""
        stored, _ = await self._store(inbound, self.pseudonym(inbound.channel, inbound.user_id), claim, look=False)
        return stored

    async def _store(self, inbound: Inbound, resident: str, claim: bool,
                     look: bool) -> tuple[Stored, FirstLook | None]:
        """`store`; with `look`, the conversation is read with what the decision needs of it."""
        key = (inbound.channel, resident)
        address = seal(self.secret, inbound.user_id) if inbound.channel in self.deliverers else None
        claimed_at = utcnow() if claim else None
        desk = desk_without_queue(State.BOT, self.settings) if look else None
        try:  # one transaction: the conversation (found, made or reopened) and the message
            async with self._message_transaction() as session:
                case, row = await self._find_or_make_case(
                    session, inbound.channel, resident, address,
                    self._look_statement(inbound.text, queue=desk is None) if look else FIND_CONVERSATION)
                message_id = await self._insert_inbound(session, case.id, inbound, claimed_at)
                first = None
                if row is not None:
                    offered: frozenset[str] = frozenset()
                    if inbound.text.strip().startswith("/"):  # a payload acts only if it was offered
                        offered = payloads_in(await session.scalars(offers_query(case.id)))
                    first = self._first_look_of(case, inbound.text, row, offered, desk, await asked_last(session, case))
            return Stored(message_id, case.id, claim=claimed_at, key=key), first
        except IntegrityError:  # a concurrent first message made the conversation, or a duplicate
            pass
        conversation_id = await self._conversation_id(inbound.channel, resident, address)
        try:
            async with self.sessions.begin() as session:
                message_id = await self._insert_inbound(session, conversation_id, inbound, claimed_at)
            return Stored(message_id, conversation_id, claim=claimed_at, key=key), None
        except IntegrityError:
            async with self.sessions() as session:
                first_id = await session.scalar(
                    select(Message.id).where(
                        Message.conversation_id == conversation_id,
                        Message.channel_message_id == inbound.channel_message_id,
                    )
                )
            assert first_id is not None
            return Stored(first_id, conversation_id, duplicate=True, key=key), None

    def _made_once(self, key: tuple[Any, ...], make: Callable[[], Select[Any]]) -> Select[Any]:
        """A statement made once per kind of message (`key`), with the conversation's values as
        parameters: SQLAlchemy does not build a statement of some twenty subqueries anew, and
        work out its cache key, for every message. Keys hold the own questions' conditions,
        shared objects, which a key compares by identity."""
        statement = self._statements.get(key)
        if statement is None:
            if len(self._statements) >= 64:  # a question that makes its conditions anew each time
                self._statements.clear()
            statement = self._statements[key] = make()
        return statement

    def _look_statement(self, text: str, queue: bool) -> Select[Any]:
        """The conversation with the columns `receive` reads with it (any state: it is not known
        yet); parameters: channel, resident."""
        opens = tuple(question.may_answer(text) for question in self.own_questions)

        def make() -> Select[Any]:
            columns = dict(_look_snapshot_columns(queue))
            columns["own_question_open"] = or_(*opens) if opens else false()
            waits = [question.waits() for question in self.own_questions]
            columns["own_question_waiting"] = or_(*waits) if waits else false()
            return FIND_CONVERSATION.add_columns(*(column.label(name) for name, column in columns.items()))
        return self._made_once(("look", queue, opens), make)

    def _first_look_of(self, case: Case, text: str, row: Any, offered: frozenset[str],
                       desk: Desk | None, last: frozenset[str] = frozenset()) -> FirstLook:
        """The FirstLook from the row `_look_statement` read; `desk` is the desk when it did not
        depend on the conversation's state (closed), else None."""
        state = State(case.state)  # after a reopen
        desk = desk or desk_without_queue(state, self.settings)
        if desk is None:
            desk = Desk(True, None, row["waiting"], row["waiting_urgent"], self.settings.minutes_per_case)
        own_question_open = bool(row["own_question_open"]) and state.value in OWN_QUESTION_STATES
        return FirstLook(case.id, case.channel, case.resident, text,
                         snapshot_of(state, row, offered, last), desk, own_question_open, bool(row["own_question_waiting"]))

    @staticmethod
    async def _insert_inbound(session: AsyncSession, conversation_id: int, inbound: Inbound,
                              claimed_at: datetime | None) -> int:
        """Write the inbound message at once and return its id (a plain INSERT: nothing else in
        the transaction needs it as an object, so the session's unit of work is skipped)."""
        message_id = await session.scalar(_INSERT_MESSAGE, {
            "conversation_id": conversation_id, "direction": "in", "sender": "resident", "text": inbound.text,
            "channel_message_id": inbound.channel_message_id, "status": "received", "claimed_at": claimed_at})
        assert message_id is not None
        return message_id

    @staticmethod
    async def _find_or_make_case(session: AsyncSession, channel: str, resident: str, address: str | None,
                                 statement: Select[Any] = FIND_CONVERSATION) -> tuple[Case, Any]:
        """The conversation (made, or reopened when closed), and the row `statement` (FIND_CONVERSATION
        or a `_look_statement`) read with it: None for FIND_CONVERSATION."""
        parameters = {"channel": channel, "resident": resident}
        found = (await session.execute(statement, parameters)).first()
        if found is None:
            made = (await session.execute(INSERT_CONVERSATION, {**parameters, "address": address})).one()
            if statement is FIND_CONVERSATION:  # new: nothing to read with it, nothing to reopen
                return Case.of(made._mapping), None
            found = (await session.execute(statement, parameters)).one()  # looked at like any other
        case = Case.of(found._mapping)
        row = found._mapping if statement is not FIND_CONVERSATION else None
        if address and case.address is None:
            case.address = address
        await lifecycle.reopen(session, case)
        await case.write(session)
        return case, row

    async def _conversation_id(self, channel: str, resident: str, address: str | None) -> int:
        for _ in range(3):
            try:
                async with self.sessions.begin() as session:
                    case, _ = await self._find_or_make_case(session, channel, resident, address)
                    return case.id
            except IntegrityError:  # created by a concurrent first message: read it again
                continue
        raise RuntimeError("could not create conversation")

    async def _stored_outcome(self, message_id: int) -> Outcome:
        async with self.sessions() as session:
            message = await session.get(Message, message_id, options=[selectinload(Message.conversation)])
            assert message is not None
            replies = await session.scalars(
                select(Message).where(Message.in_reply_to == message_id).order_by(Message.id)
            )
            return Outcome(
                message.conversation_id, [outgoing(m) for m in replies], message.conversation.state
            )

    # ---- processing ----------------------------------------------------------------------

    async def process(self, message_id: int, conversation_id: int | None = None,
                      claim: datetime | None = None, key: tuple[str, str] | None = None) -> Outcome:
        """Decide and answer one stored inbound message, unless that was done already.

        Processed once, also across replicas, without holding a transaction while the assistant
        answers: the message is first claimed (`claimed_at`, its status stays `received`), the
        assistant is asked outside any transaction, and the decision, replies and status are
        stored in one transaction that holds the message's row and checks the claim is still
        ours. A claim older than `settings.stuck_seconds` (its process died) may be taken over by another.
        `claim` is the one `store(..., claim=True)` made; without it, one is made here. `key`
        is `Stored.key` (looked up when not given): one resident's messages one at a time."""
        if key is None:
            async with self.sessions() as session:
                found = (await session.execute(
                    select(Conversation.channel, Conversation.resident)
                    .join(Message, Message.conversation_id == Conversation.id).where(Message.id == message_id)
                )).first()
            if found is None:
                raise LookupError(f"no stored message {message_id}")
            key = (found.channel, found.resident)
        async with self._locks.hold(key):
            return await self._process_held(message_id, claim, None)

    async def _process_held(self, message_id: int, claim: datetime | None, look: FirstLook | None) -> Outcome:
        """`process` once the resident's lock is held. `look` is what `receive` read with the
        message: then, unless an own question may take it, the assistant is asked at once."""
        claim = claim or await self._claim(message_id)
        if claim is None:  # done already, or in the hands of another replica right now
            return await self._stored_outcome(message_id)
        waiting = True  # whether an own question's offer may wait (unknown: look)
        if look is not None and not look.own_question_open:
            turn = self._turn(look.text, look.snapshot, look.desk, self._crisis_in(look.text, look.conversation_id))
            decision = decide(turn)
            waiting = look.own_question_waiting
            if decision.ask_assistant is None:  # final without the assistant
                return await self._finish(message_id, claim, decision, waiting=waiting)
            resident, channel = look.resident, look.channel
        else:
            looked = await self._look_in_a_transaction(message_id, claim)
            if isinstance(looked, Outcome):
                return looked
            turn, decision, resident, channel = looked
        assert decision.ask_assistant is not None
        try:  # no transaction is open while the assistant answers
            conversed = await self.rasa.converse(resident, decision.ask_assistant,
                                                 {"channel": channel, **turn.desk.for_assistant()})
        except RasaUnavailable as error:
            log.warning("assistant unavailable (%s); message %s kept as pending", error, message_id)
            conversed = None
        return await self._finish(message_id, claim, None, turn, conversed, waiting)

    async def _look_in_a_transaction(self, message_id: int, claim: datetime) -> Outcome | tuple[Turn, Decision, str, str]:
        """The first look in a transaction of its own, in which own questions may answer (and
        write): the Outcome when the decision was final (or the message is no longer ours), else
        the turn, the decision that asks the assistant, and the resident and channel to ask for."""
        async with self._message_transaction() as session:
            claimed = await self._claimed(session, message_id, claim)
            if claimed is None:
                return await self._stored_outcome(message_id)
            message, case = claimed
            turn, decision = await self._first_look(session, message, case)
            if decision.ask_assistant is not None:
                assert turn is not None
                return turn, decision, case.resident, case.channel
            finished = await self._carry_out(session, message, case, decision)
        return await self._after_commit(finished)

    async def _finish(self, message_id: int, claim: datetime, decision: Decision | None,
                      turn: Turn | None = None, conversed: Conversed | None = None, waiting: bool = True) -> Outcome:
        """The transaction that carries the decision out, if the message is still ours: `decision`,
        or the one `turn` gets with the assistant's answer (None: the assistant was away).
        `waiting`: an own question's offer waited at the first look (`Asked.waiting`)."""
        async with self._message_transaction() as session:
            claimed = await self._claimed(session, message_id, claim)
            if claimed is None:  # our claim went stale and another process took over
                return await self._stored_outcome(message_id)
            message, case = claimed
            if decision is None:
                assert turn is not None
                if conversed is None:
                    told = message.status == "pending" or await self._earlier_pending(session, message)
                    waited = dataclasses.replace(turn.conversation, told_to_wait=told)
                    decision = decide(dataclasses.replace(turn, conversation=waited), ASSISTANT_DOWN)
                else:
                    decision = decide(turn, conversed)
            finished = await self._carry_out(session, message, case, decision, waiting)
        return await self._after_commit(finished)

    async def _claim(self, message_id: int) -> datetime | None:
        """Take a stored inbound message in hand: when it is not done and nobody holds a fresh
        claim on it. One conditional UPDATE, so two replicas cannot both succeed."""
        now = utcnow()
        async with self._message_transaction() as session:
            claimed = await session.execute(
                update(Message)
                .where(Message.id == message_id, Message.direction == "in", Message.status != "done",
                       (Message.claimed_at.is_(None)) | (Message.claimed_at < now - timedelta(seconds=self.settings.stuck_seconds)))
                .values(claimed_at=now)
                .execution_options(synchronize_session=False)
            )
        return now if claimed.rowcount == 1 else None  # type: ignore[attr-defined]

    @staticmethod
    async def _claimed(session: AsyncSession, message_id: int, claim: datetime) -> tuple[Claimed, Case] | None:
        """The message and its conversation, the message's row locked (PostgreSQL), if it is still ours."""
        row = (await session.execute(CLAIMED_MESSAGE, {"id": message_id})).first()
        if row is None:
            return None
        message = Claimed.of(message_id, row._mapping)
        if message.status == "done" or message.claimed_at != claim:
            return None
        return message, Case.of(row._mapping)

    async def _after_commit(self, finished: Finished) -> Outcome:
        """What follows once a message's decision is committed: the assistant forgets an
        unused guess, live listeners hear the replies, a push channel sends them."""
        if finished.decision.forget_assistant_turn:
            await self._forget_guess(finished.resident)
        outgoing_messages = finished.replies
        if outgoing_messages:
            self.notifier.publish(f"conversation:{finished.conversation_id}", outgoing_messages)
            if finished.push_to is not None:
                await self._send(finished.channel, *finished.push_to, outgoing_messages)
        return Outcome(finished.conversation_id, outgoing_messages, finished.state)

    async def _first_look(self, session: AsyncSession, message: Claimed, case: Case) -> tuple[Turn | None, Decision]:
        """Gather what the decision needs and ask it; the Decision may ask the assistant.
        Own questions answer in the bot's hands and in the queue (a withdrawal, the number asked
        before a crisis put the resident in the queue), never while a person has the conversation:
        then every message is for the worker."""
        crisis = self._crisis_in(message.text, case.id)
        snapshot, desk, own_question_open = await self._snapshot_and_desk(session, case, message)
        if crisis is None and own_question_open:
            asked = self._asked(session, message, case)
            for question in self.own_questions:
                replies = await question.answer(asked, message.text)
                if replies is not None:  # ours: the assistant does not see this message
                    return None, Decision(replies=replies, own_question=question.name)
        turn = self._turn(message.text, snapshot, desk, crisis)
        return turn, decide(turn)

    @staticmethod
    def _crisis_in(text: str, conversation_id: int) -> CrisisMatch | None:
        crisis = detect_crisis(text)
        if crisis is not None:
            log.info("crisis net fired: %s (conversation %s)", crisis.reason, conversation_id)
        return crisis

    def _turn(self, text: str, snapshot: Snapshot, desk: Desk, crisis: CrisisMatch | None) -> Turn:
        language = detect_language(text)
        in_their_language = None
        if language != "nl":  # the assistant reads Dutch only (issue 11.2)
            answer = language_reply(language, default_directory(self.settings.directory_path))
            in_their_language = BotReply(answer.text, list(answer.buttons))
        return Turn(text, snapshot, desk, crisis, language, in_their_language)

    async def _snapshot_and_desk(self, session: AsyncSession, case: Case,
                                 message: Claimed) -> tuple[Snapshot, Desk, bool]:
        """The conversation as the decision sees it, the desk, and whether an own question may
        take the message, in one query: the previous intent, the latest crisis and the worker's
        last word (when a person has it), the queue (when the desk is open and a handover may
        follow), and the recent offers (one row each)."""
        state = State(case.state)
        desk = desk_without_queue(state, self.settings)
        statement = self._snapshot_statement(state, desk is None, message.text)
        rows = (await session.execute(statement, {"conversation": case.id, "before": message.id})).all()
        first = rows[0]._mapping
        snapshot = snapshot_of(state, first, payloads_in(row.buttons for row in rows), await asked_last(session, case))
        if desk is None:
            desk = Desk(True, None, first["waiting"], first["waiting_urgent"], self.settings.minutes_per_case)
        return snapshot, desk, bool(first["own_question_open"])

    def _snapshot_statement(self, state: State, queue: bool, text: str) -> Select[Any]:
        """`_snapshot_and_desk`'s query; parameters: conversation, before (the message's id)."""
        opens = (tuple(question.may_answer(text) for question in self.own_questions)
                 if state.value in OWN_QUESTION_STATES else None)

        def make() -> Select[Any]:
            conversation_id: Any = bindparam("conversation")
            columns = snapshot_columns(conversation_id, state, before=bindparam("before"))
            columns["own_question_open"] = (
                select(or_(*opens) if opens else false()).where(Conversation.id == conversation_id).scalar_subquery()
                if opens is not None else false())
            offers = offers_query(conversation_id).subquery()
            one = select(literal(1).label("one")).subquery()
            return (select(*(column.label(name) for name, column in columns.items()),
                           *(queue_columns() if queue else []), offers.c.buttons)
                    .select_from(one.outerjoin(offers, true())))
        return self._made_once(("snapshot", state, queue, opens), make)

    async def _last_crisis(self, session: AsyncSession, conversation_id: int) -> tuple[str | None, bool]:
        return last_crisis((await session.execute(
            select(*(c.label(name) for name, c in crisis_columns(conversation_id).items())))).one()._mapping)

    async def _desk(self, session: AsyncSession) -> Desk:
        """The desk now: open or when it opens, and the queue."""
        desk = desk_without_queue(State.BOT, self.settings)
        if desk is not None:
            return desk
        row = (await session.execute(select(*queue_columns()))).one()
        return Desk(True, None, row.waiting, row.waiting_urgent, self.settings.minutes_per_case)

    async def _carry_out(self, session: AsyncSession, message: Claimed, case: Case, decision: Decision,
                         waiting: bool = True) -> Finished:
        """Do in the database what the decision says (the caller commits): the message's intent
        and status, need events, a handover, the replies. Replies the channel reads itself (the
        web chat) are stored delivered, so no second transaction marks them."""
        if decision.intent:
            message.intent, message.confidence = decision.intent, decision.confidence
            if decision.intent != "nlu_fallback":
                case.last_intent = decision.intent
        if decision.keep_pending:
            message.status = "pending"
            message.attempts += 1
        else:
            message.status = "done"
        for instruction in decision.instructions:
            await self._apply(session, case, instruction)
        queue_changed = decision.for_worker
        if decision.intent in CRISIS_INTENTS:
            await self._record_crisis(session, case, decision.intent)
        if decision.handover is not None:
            await lifecycle.ask_for_person(session, case, decision.handover.reason, decision.handover.urgent)
            queue_changed = True
        if decision.leaves_queue:
            await lifecycle.leave_queue(session, case)
            queue_changed = True
        await session.execute(_FINISH_MESSAGE, message.written())
        await case.write(session)
        replies = list(decision.replies)
        if (decision.own_question is None and decision.handover is None and not decision.keep_pending
                and case.state == State.BOT.value):
            asked = self._asked(session, message, case, waiting)
            for question in self.own_questions:  # each sees the replies so far: one question per turn
                replies += await question.after(asked, dataclasses.replace(decision, replies=replies))
        if queue_changed:
            self.notifier.publish("queue", {"conversation": case.id})
        push_to = self._push_to(case.channel, case.address)
        stored = await self._store_replies(session, message, replies, "queued" if push_to else "delivered")
        return Finished(case.id, case.channel, case.resident, case.state, decision, stored, push_to)

    def _push_to(self, channel: str, address: str | None) -> tuple[Deliverer, str] | None:
        """A push channel's deliverer and the sealed address, or None: the channel reads its
        replies itself (the web chat), so they count as delivered once stored."""
        deliver = self.deliverers.get(channel)
        return (deliver, address) if deliver is not None and address is not None else None


    def _asked(self, session: AsyncSession, message: Claimed, case: Case, waiting: bool = True) -> Asked:
        return Asked(session, case, message, default_directory(self.settings.directory_path),
                     self.secret, clock.now(), waiting)

    async def _earlier_pending(self, session: AsyncSession, message: Claimed) -> bool:
        earlier = await session.scalar(
            select(Message.id).where(
                Message.conversation_id == message.conversation_id,
                Message.direction == "in",
                Message.status == "pending",
                Message.id < message.id,
            )
        )
        return earlier is not None

    async def _record_crisis(self, session: AsyncSession, conversation: Case, intent: str) -> None:
        """Crisis answers count in the need log (the dashboard's crisis figure): the number was
        given at once, so the outcome is "met" until the worker who follows up closes it."""
        await record_bot_need(session, conversation, {"intent": intent, "wijk": conversation.wijk, "outcome": "met"},
                              self.known_wijken)

    async def _apply(self, session: AsyncSession, conversation: Case, instruction: dict[str, Any]) -> None:
        """Carry out what an action asked of the gateway: a wijk, a need event."""
        wijk = instruction.get("wijk")
        if isinstance(wijk, str) and wijk in self.known_wijken:
            conversation.wijk = wijk
        heard = instruction.get("needs")
        if isinstance(heard, list):
            conversation.needs = needs_heard(conversation.needs, heard)
        need = instruction.get("need")
        if isinstance(need, dict):
            try:  # also gives the conversation the wijk of the need (what the console shows)
                await record_bot_need(session, conversation, need, self.known_wijken)
                if need.get("outcome") not in NOT_A_NEED_HEARD:  # also a need chosen by button
                    conversation.needs = needs_heard(conversation.needs, [need.get("intent")])
            except InvalidNeed as error:
                log.warning("need event refused: %s", error)

    @staticmethod
    async def _store_replies(session: AsyncSession, message: Claimed, replies: list[BotReply],
                             status: str) -> list[Outgoing]:
        """The assistant's replies, written with one plain INSERT that returns their ids."""
        written = [reply for reply in replies if reply.text]
        if not written:
            return []
        ids = sorted(await session.scalars(_INSERT_REPLIES, [
            {"conversation_id": message.conversation_id, "direction": "out", "sender": "bot", "text": reply.text,
             "buttons": reply.buttons or None, "status": status, "in_reply_to": message.id} for reply in written]))
        return [Outgoing(id, reply.text or "", list(reply.buttons), "bot") for id, reply in zip(ids, written, strict=True)]

    # ---- delivery ------------------------------------------------------------------------

    async def _deliver(self, conversation_id: int, messages: list[Outgoing]) -> None:
        """Hand replies to a push channel; the web chat reads them itself."""
        async with self.sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
        push_to = self._push_to(conversation.channel, conversation.address) if conversation else None
        if conversation is None or push_to is None:
            await self._mark([m.id for m in messages], "delivered")
            return
        await self._send(conversation.channel, *push_to, messages)

    async def _send(self, channel: str, deliver: Deliverer, address: str, messages: list[Outgoing]) -> None:
        """Send through a push channel; mark delivered, or failed (kept for retry, never lost)."""
        ids = [m.id for m in messages]
        try:
            await deliver(unseal(self.secret, address), messages)
        except Exception as error:  # any channel failure: keep for retry, never lose
            log.warning(
                "delivery on %s failed (%s); %d message(s) kept for retry",
                channel, type(error).__name__, len(ids),
            )
            await self._mark(ids, "failed", attempt=True)
            return
        await self._mark(ids, "delivered")

    async def _mark(self, ids: list[int], status: str, attempt: bool = False) -> None:
        async with self.sessions.begin() as session:
            for message in await session.scalars(select(Message).where(Message.id.in_(ids))):
                message.status = status
                if attempt:
                    message.attempts += 1

    async def add_outgoing(self, conversation_id: int, text: str, sender: str = "bot",
                           buttons: list[dict[str, str]] | None = None,
                           author: str | None = None) -> Outgoing:
        """Store and deliver a message that answers no particular inbound one (a worker's reply)."""
        async with self.sessions.begin() as session:
            message = Message(
                conversation_id=conversation_id, direction="out", sender=sender, text=text,
                buttons=buttons or None, status="queued", author=author,
            )
            session.add(message)
        item = outgoing(message)
        self.notifier.publish(f"conversation:{conversation_id}", [item])
        await self._deliver(conversation_id, [item])
        return item

    async def send_stored(self, messages: list[Message]) -> None:
        """Publish and deliver messages a background job stored in its own transaction (committed
        by now, together with its note that they were said: each is said once)."""
        by_conversation: dict[int, list[Outgoing]] = {}
        for message in messages:
            by_conversation.setdefault(message.conversation_id, []).append(outgoing(message))
        for conversation_id, items in by_conversation.items():
            self.notifier.publish(f"conversation:{conversation_id}", items)
            await self._deliver(conversation_id, items)

    # ---- the assistant's part in a handover ---------------------------------------------

    async def resume_assistant(self, resident: str) -> None:
        """Resume Rasa's tracker after a person had the conversation (trackers paused by
        earlier versions; best effort: the gateway decides what reaches Rasa)."""
        try:
            await self.rasa.add_events(resident, [{"event": "resume"}])
        except Exception as error:
            log.info("could not resume the assistant's tracker (%s)", type(error).__name__)

    async def _forget_guess(self, resident: str) -> None:
        """The assistant's guessed need was not used: clear the slots in which it remembers
        what it concluded, so a next answer is not read against the guess. (Not a rewind:
        after one, Rasa's policies predicted nothing for the next message.)"""
        events = [{"event": "slot", "name": name, "value": None} for name in guess_slots()]
        try:
            await self.rasa.add_events(resident, events)
        except Exception as error:
            log.info("could not clear the assistant's guess (%s)", type(error).__name__)

    async def follow_up(self, change: lifecycle.Change) -> None:
        """After a lifecycle transition is committed: resume the assistant, tell the resident
        what happened, and let the console's queue refresh."""
        if change.resumes_assistant:
            await self.resume_assistant(change.resident)
        if change.notice:
            await self.add_outgoing(change.conversation_id, response(change.notice).text)
        self.notifier.publish("queue", {"conversation": change.conversation_id})

    async def remind_waiting(self) -> int:
        """Tell residents nobody has claimed yet that they are not forgotten, honest about
        when a worker reads it, and with the crisis number again after a crisis."""
        from bot.handover.queue import due_for_reminder

        due: list[tuple[int, str | None, bool]] = []

        async def mark_due(session: AsyncSession) -> None:
            for conversation in await due_for_reminder(session, self.settings.remind_minutes):
                conversation.reminded_at = utcnow()
                due.append((conversation.id, *await self._last_crisis(session, conversation.id)))

        # One replica at a time, so a resident is reminded once, not once per replica.
        await run_once_across_replicas(self.sessions, REMINDER_JOB_LOCK, mark_due)
        async with self.sessions() as session:
            desk = await self._desk(session)
        for conversation_id, crisis_intent, crisis_urgent in due:
            for reply in reminder(Snapshot(State.WAITING, crisis_intent=crisis_intent, crisis_urgent=crisis_urgent), desk):
                await self.add_outgoing(conversation_id, reply.text or "", buttons=reply.buttons)
        return len(due)

    # ---- background work -----------------------------------------------------------------

    async def retry_pending(self) -> int:
        """Answer messages kept while Rasa was away, and resend failed deliveries."""
        # A message still `received` this long after (its process died, or lost the database,
        # while handling it) is picked up again.
        stuck_before = utcnow() - timedelta(seconds=self.settings.stuck_seconds)
        async with self.sessions() as session:
            pending = list(
                await session.scalars(
                    select(Message.id)
                    .where(
                        Message.direction == "in",
                        (Message.status == "pending")
                        | ((Message.status == "received") & (Message.created_at < stuck_before)),
                    )
                    .order_by(Message.id)
                    .limit(200)
                )
            )
            failed = list(
                await session.scalars(
                    select(Message)
                    .where(
                        Message.direction == "out",
                        Message.status == "failed",
                        Message.attempts < MAX_DELIVERY_ATTEMPTS,
                    )
                    .order_by(Message.id)
                    .limit(200)
                )
            )
        handled = 0
        if pending and await self.rasa.is_up():
            for message_id in pending:
                await self.process(message_id)
                handled += 1
        by_conversation: dict[int, list[Outgoing]] = {}
        for message in failed:
            by_conversation.setdefault(message.conversation_id, []).append(outgoing(message))
        for conversation_id, messages in by_conversation.items():
            await self._deliver(conversation_id, messages)
        return handled

    async def undelivered(self) -> int:
        """Replies whose delivery failed and are still being retried (shown in /healthz)."""
        return await self._count("out", "failed")

    async def pending_count(self) -> int:
        """Resident messages waiting for the assistant to come back (shown in /healthz)."""
        return await self._count("in", "pending")

    async def _count(self, direction: str, status: str) -> int:
        async with self.sessions() as session:
            count = await session.scalar(
                select(func.count(Message.id)).where(Message.direction == direction, Message.status == status)
            )
            return count or 0
