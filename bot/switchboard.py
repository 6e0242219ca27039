"""The switchboard: the only place that decides where a resident's message goes.

Every inbound message, from any channel, is stored before anything else happens (with the
channel's message id as idempotency key), then processed once, in order per conversation:
crisis net first, then the assistant (Rasa) or the human who handles the conversation.
Replies are stored and handed to the channel they came from.

If Rasa cannot be reached the message stays `pending`; the resident is told to wait, and
`retry_pending` answers it once Rasa is back.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from bot import lifecycle
from bot.directory import default_directory
from bot.handover.queue import handover_notice
from bot.language import detect_language, language_reply
from bot.lifecycle import HUMAN_STATES, State
from bot.needs.log import InvalidNeed, record_bot_need
from bot.notify import Notifier
from bot.pseudonym import pseudonymise, seal, unseal
from bot.rasa import BotReply, RasaClient, RasaUnavailable
from bot.responses import response
from bot.safety import detect_crisis
from bot.safety.reply import crisis_reply
from bot.store.db import run_once_across_replicas
from bot.store.models import Conversation, Message, utcnow
from bot.taxonomy import CRISIS_INTENTS, theme_of, themes_by_intent

log = logging.getLogger(__name__)

def stuck_after() -> timedelta:
    """A message still `received` after this long (its process died, or lost the database,
    while handling it) is picked up again by the background loop."""
    return timedelta(seconds=float(os.environ.get("VOORDEUR_STUCK_SECONDS", "60")))
MAX_DELIVERY_ATTEMPTS = 8
REMINDER_JOB_LOCK = 7_001  # PostgreSQL advisory lock id of the reminder job


PERSON_CUE = re.compile(
    r"\b(medewerker|(echt )?mens|persoon|hulpverlener|maatschappelijk werker|iemand ((mij|me|ons) )?(spreken|bellen|praten)|"
    r"(spreken|praten) met iemand|terugbellen|teruggebeld|gebeld worden)\b",
    re.IGNORECASE,
)
NEED_THEMES = ("schulden", "zorg", "overlast")


def asks_for_person_too(parsed: dict[str, Any], text: str) -> bool:
    """A need on top, and ask_human close behind with a word that asks for a person."""
    top = (parsed.get("intent") or {}).get("name")
    if top not in themes_by_intent() or theme_of(top) not in NEED_THEMES:
        return False
    ask = next((r for r in parsed.get("intent_ranking") or [] if r.get("name") == "ask_human"), None)
    return bool(ask and float(ask.get("confidence") or 0) >= 0.1 and PERSON_CUE.search(text))


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


# A channel's way of sending stored replies out: (sealed address unsealed, messages).
Deliverer = Callable[[str, list[Outgoing]], Awaitable[None]]


def outgoing(message: Message) -> Outgoing:
    return Outgoing(message.id, message.text, list(message.buttons or []), message.sender, message.author)


@dataclass
class Switchboard:
    sessions: async_sessionmaker[AsyncSession]
    rasa: RasaClient
    secret: str
    notifier: Notifier = field(default_factory=Notifier)
    deliverers: dict[str, Deliverer] = field(default_factory=dict)
    known_wijken: set[str] = field(default_factory=set)
    _locks: dict[int, asyncio.Lock] = field(default_factory=dict)
    _joined: set[int] = field(default_factory=set)  # joined the queue; pause Rasa after commit

    def pseudonym(self, channel: str, user_id: str) -> str:
        return pseudonymise(self.secret, channel, user_id)

    # ---- inbound -------------------------------------------------------------------------

    async def receive(self, inbound: Inbound) -> Outcome:
        """Store, then process once. A repeated channel message id returns the first outcome."""
        stored = await self.store(inbound)
        if stored.duplicate:
            # Wait for the first processing to finish, then answer with what it produced.
            async with self._lock(stored.conversation_id):
                outcome = await self._stored_outcome(stored.message_id)
            outcome.duplicate = True
            return outcome
        return await self.process(stored.message_id)

    async def store(self, inbound: Inbound) -> Stored:
        """Store the message before anything else happens (a webhook may answer once this
        returns). A channel message id seen before gives the first message, marked duplicate."""
        resident = self.pseudonym(inbound.channel, inbound.user_id)
        address = seal(self.secret, inbound.user_id) if inbound.channel in self.deliverers else None
        conversation_id = await self._conversation_id(inbound.channel, resident, address)
        try:
            async with self.sessions.begin() as session:
                message = Message(
                    conversation_id=conversation_id,
                    direction="in",
                    sender="resident",
                    text=inbound.text,
                    channel_message_id=inbound.channel_message_id,
                    status="received",
                )
                session.add(message)
            return Stored(message.id, conversation_id)
        except IntegrityError:
            async with self.sessions() as session:
                first = await session.scalar(
                    select(Message.id).where(
                        Message.conversation_id == conversation_id,
                        Message.channel_message_id == inbound.channel_message_id,
                    )
                )
            assert first is not None
            return Stored(first, conversation_id, duplicate=True)

    async def _conversation_id(self, channel: str, resident: str, address: str | None) -> int:
        for _ in range(3):
            try:
                async with self.sessions.begin() as session:
                    conversation = await session.scalar(
                        select(Conversation).where(
                            Conversation.channel == channel, Conversation.resident == resident
                        )
                    )
                    if conversation is None:
                        conversation = Conversation(channel=channel, resident=resident, address=address)
                        session.add(conversation)
                        await session.flush()
                    elif address and conversation.address is None:
                        conversation.address = address
                    await lifecycle.reopen(session, conversation)
                    return conversation.id
            except IntegrityError:  # created by a concurrent first message: read it again
                continue
        raise RuntimeError("could not create conversation")

    def _lock(self, conversation_id: int) -> asyncio.Lock:
        return self._locks.setdefault(conversation_id, asyncio.Lock())

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

    async def process(self, message_id: int) -> Outcome:
        """Decide and answer one stored inbound message, unless that was done already."""
        async with self.sessions() as session:
            conversation_id = await session.scalar(
                select(Message.conversation_id).where(Message.id == message_id)
            )
        async with self._lock(conversation_id):
            async with self.sessions.begin() as session:
                message = await session.get(
                    Message, message_id, options=[selectinload(Message.conversation)], with_for_update=True
                )
                if message is None or message.status == "done":
                    replies: list[Message] = []
                else:
                    replies = await self._decide(session, message)
                state = message.conversation.state if message else State.BOT.value
            if conversation_id in self._joined:
                self._joined.discard(conversation_id)
                await self.pause_assistant(message.conversation.resident)
            outgoing_messages = [outgoing(m) for m in replies]
            if outgoing_messages:
                self.notifier.publish(f"conversation:{conversation_id}", outgoing_messages)
                await self._deliver(conversation_id, outgoing_messages)
            if message is not None and message.status == "done" and not replies:
                return await self._stored_outcome(message_id)
            return Outcome(conversation_id, outgoing_messages, state)

    async def _decide(self, session: AsyncSession, message: Message) -> list[Message]:
        conversation = message.conversation
        crisis = detect_crisis(message.text)
        if crisis is not None:
            log.info("crisis net fired: %s (conversation %s)", crisis.reason, conversation.id)
            message.intent, message.confidence = crisis.intent, 1.0
            conversation.last_intent = crisis.intent
            await self._record_crisis(session, conversation, crisis.intent)
            # bot/safety/reply.py composes the answer: the right line first (112 for a weapon, fire,
            # door or danger now), the victim-or-witness wording and a line in their language.
            answer = crisis_reply(crisis)
            replies = [BotReply(answer.text, answer.buttons)]
            # A person follows up every crisis: after the crisis answer, never instead of it.
            if (await lifecycle.ask_for_person(session, conversation, "crisis", urgent=True)).moved:
                self._joined.add(conversation.id)
                replies.append(BotReply(response("utter_gateway_crisis_followup").text))
                self.notifier.publish("queue", {"conversation": conversation.id})
            return self._store_replies(session, message, replies)

        if conversation.state in HUMAN_STATES:
            message.status = "done"
            self.notifier.publish("queue", {"conversation": conversation.id})
            return []

        language = detect_language(message.text)
        if language != "nl":
            # The assistant reads Dutch only (issue 11.2): a fixed text in their language, with
            # the crisis lines, a person on offer and the services that speak it.
            answer = language_reply(language, default_directory())
            return self._store_replies(session, message, [BotReply(answer.text, answer.buttons)])

        try:
            parsed, bot_replies = await self._ask_assistant(conversation, message.text)
        except RasaUnavailable as error:
            log.warning("assistant unavailable (%s); message %s kept as pending", error, message.id)
            first_wait = message.status != "pending"
            message.status = "pending"
            message.attempts += 1
            if first_wait and not await self._earlier_pending(session, message):
                wait = response("utter_gateway_wait")
                return self._store_replies(session, message, [BotReply(wait.text)], done=False)
            return []

        intent = parsed.get("intent") or {}
        message.intent = intent.get("name")
        message.confidence = float(intent.get("confidence") or 0.0)
        if message.intent and message.intent != "nlu_fallback":
            conversation.last_intent = message.intent
        handover: tuple[str, bool] | None = None
        if message.intent in CRISIS_INTENTS:
            handover = ("crisis", True)
            await self._record_crisis(session, conversation, message.intent)
        elif message.intent == "nlu_fallback" and await self._previous_intent(session, message) == "nlu_fallback":
            handover = ("not_understood", False)  # a second turn in a row we did not understand
        for reply in bot_replies:
            handover = await self._apply(session, conversation, reply.instruction) or handover
        if not any(reply.text for reply in bot_replies):
            safe = response("utter_gateway_safe_answer")
            bot_replies.append(BotReply(safe.text))
        if handover and (await lifecycle.ask_for_person(session, conversation, *handover)).moved:
            self._joined.add(conversation.id)
            await session.flush()
            bot_replies.append(BotReply(await handover_notice(session, conversation)))
            self.notifier.publish("queue", {"conversation": conversation.id})
        return self._store_replies(session, message, bot_replies)

    async def _ask_assistant(self, conversation: Conversation, text: str) -> tuple[dict[str, Any], list[BotReply]]:
        """Rasa's parse and replies, in one round trip for almost every message."""
        metadata = {"channel": conversation.channel}
        if not PERSON_CUE.search(text):
            conversed = await self.rasa.converse(conversation.resident, text, metadata)
            return conversed.parse, conversed.replies
        # "ik wil iemand spreken over mijn schulden": the need wins the ranking, but the
        # resident asked for a person; they get one (the need is kept for the worker). The
        # parse decides what the assistant is told, so only these messages take two trips.
        parsed = await self.rasa.parse(text)
        said = "/ask_human" if asks_for_person_too(parsed, text) else text
        return parsed, (await self.rasa.converse(conversation.resident, said, metadata)).replies

    async def _previous_intent(self, session: AsyncSession, message: Message) -> str | None:
        return await session.scalar(
            select(Message.intent)
            .where(Message.conversation_id == message.conversation_id, Message.direction == "in",
                   Message.id < message.id)
            .order_by(Message.id.desc())
            .limit(1)
        )

    async def _earlier_pending(self, session: AsyncSession, message: Message) -> bool:
        earlier = await session.scalar(
            select(Message.id).where(
                Message.conversation_id == message.conversation_id,
                Message.direction == "in",
                Message.status == "pending",
                Message.id < message.id,
            )
        )
        return earlier is not None

    async def _record_crisis(self, session: AsyncSession, conversation: Conversation, intent: str) -> None:
        """Crisis answers count in the need log (the dashboard's crisis figure): the number was
        given at once, so the outcome is "met" until the worker who follows up closes it."""
        await record_bot_need(session, conversation, {"intent": intent, "wijk": conversation.wijk, "outcome": "met"},
                              self.known_wijken)

    async def _apply(self, session: AsyncSession, conversation: Conversation,
                     instruction: dict[str, Any]) -> tuple[str, bool] | None:
        """Carry out what an action asked of the gateway. Returns a handover request, if any."""
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
            except InvalidNeed as error:
                log.warning("need event refused: %s", error)
        handover = instruction.get("handover")
        if isinstance(handover, dict):
            return str(handover.get("reason", "ask_human")), bool(handover.get("urgent"))
        return None

    def _store_replies(
        self, session: AsyncSession, message: Message, replies: list[BotReply], done: bool = True
    ) -> list[Message]:
        if done:
            message.status = "done"
        stored = [
            Message(
                conversation_id=message.conversation_id,
                direction="out",
                sender="bot",
                text=reply.text,
                buttons=reply.buttons or None,
                status="queued",
                in_reply_to=message.id,
            )
            for reply in replies
            if reply.text
        ]
        session.add_all(stored)
        return stored

    # ---- delivery ------------------------------------------------------------------------

    async def _deliver(self, conversation_id: int, messages: list[Outgoing]) -> None:
        """Hand replies to a push channel; the web chat reads them itself."""
        async with self.sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
        deliver = self.deliverers.get(conversation.channel) if conversation else None
        ids = [m.id for m in messages]
        if deliver is None or conversation is None or conversation.address is None:
            await self._mark(ids, "delivered")
            return
        try:
            await deliver(unseal(self.secret, conversation.address), messages)
        except Exception as error:  # any channel failure: keep for retry, never lose
            log.warning(
                "delivery on %s failed (%s); %d message(s) kept for retry",
                conversation.channel, type(error).__name__, len(ids),
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

    # ---- the assistant's part in a handover ---------------------------------------------

    async def pause_assistant(self, resident: str) -> None:
        """Pause Rasa's tracker while a person handles the conversation (best effort: the
        gateway already keeps the resident's messages away from Rasa)."""
        try:
            await self.rasa.add_events(resident, [{"event": "pause"}])
        except Exception as error:
            log.info("could not pause the assistant's tracker (%s)", type(error).__name__)

    async def resume_assistant(self, resident: str) -> None:
        try:
            await self.rasa.add_events(resident, [{"event": "resume"}])
        except Exception as error:
            log.info("could not resume the assistant's tracker (%s)", type(error).__name__)

    async def follow_up(self, change: lifecycle.Change) -> None:
        """After a lifecycle transition is committed: pause or resume the assistant, tell the
        resident what happened, and let the console's queue refresh."""
        if change.pauses_assistant:
            await self.pause_assistant(change.resident)
        if change.resumes_assistant:
            await self.resume_assistant(change.resident)
        if change.notice:
            await self.add_outgoing(change.conversation_id, response(change.notice).text)
        self.notifier.publish("queue", {"conversation": change.conversation_id})

    async def remind_waiting(self) -> int:
        """Tell residents nobody has claimed yet that they are not forgotten."""
        from bot.handover.queue import due_for_reminder

        ids: list[int] = []

        async def mark_due(session: AsyncSession) -> None:
            for conversation in await due_for_reminder(session):
                conversation.reminded_at = utcnow()
                ids.append(conversation.id)

        # One replica at a time, so a resident is reminded once, not once per replica.
        await run_once_across_replicas(self.sessions, REMINDER_JOB_LOCK, mark_due)
        for conversation_id in ids:
            await self.add_outgoing(conversation_id, response("utter_gateway_still_waiting").text)
        return len(ids)

    # ---- background work -----------------------------------------------------------------

    async def retry_pending(self) -> int:
        """Answer messages kept while Rasa was away, and resend failed deliveries."""
        stuck_before = utcnow() - stuck_after()
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
            return await session.scalar(
                select(func.count(Message.id)).where(Message.direction == direction, Message.status == status)
            )
