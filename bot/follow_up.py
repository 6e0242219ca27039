""""Is het gelukt?": asking a resident who was only given a number whether they reached the service.

When the assistant routed a need to a service that does not call residents back (no
`referral_team`; those get the call-back offer of bot/referrals instead), the gateway offers once
per conversation and service: "Zal ik over een paar dagen vragen of het gelukt is?". Yes plans a
`FollowUp` for 10:00 local time, `VOORDEUR_FOLLOW_UP_DAYS` working days later (default 3). Then
`ask_due` (the background loop, one replica) asks "Is het gelukt om <service> te bellen?" on the
resident's own channel: Telegram and WhatsApp deliver it (WhatsApp outside its 24-hour window as
the approved template `WHATSAPP_FOLLOW_UP_TEMPLATE`), the web chat shows it when the page is
opened again in the same tab. The web chat keeps its session only in that tab (sessionStorage),
so there the offer and the promise say so: the question waits in this chat window, and is seen
only while it stays open (docs/referrals.md). The answer (a button, or words such as "nee ze
namen niet op", "nog nie", "vergeten") becomes the real outcome of that need in the need log,
through the conversation's `CaseNeed` link, so the resident still counts once. "Ja maar ze
konden niks doen" counts as contact made (they reached the service) and is answered honestly,
with a person offered. "Nog niet" asks once more, later; no answer is needed.

The row holds no text of the resident: conversation, service id, intent, status, times. It goes
with the conversation (erase, retention: cascade and an explicit delete in bot/erase.py).
"""

from __future__ import annotations

import logging
import re
from functools import cache
from datetime import datetime, time, UTC
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement, CursorResult, ForeignKey, Index, String, UniqueConstraint, delete, exists, func, select, true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.directory import default_directory
from bot.directory.hours import format_day
from bot.directory.model import Directory, Service
from bot.handover.hours import worker_back_note
from bot.lifecycle import State
from bot.needs.log import record_follow_up
from bot.own_questions import Asked, asks_something
from bot.rasa import BotReply
from bot.referrals.deadline import add_working_days
from bot.responses import response
from bot.store.db import run_once_across_replicas
from bot.store.case import Case
from bot.store.models import Base, Conversation, Message, utcnow
from bot.taxonomy import CRISIS_INTENTS

if TYPE_CHECKING:
    from bot.decision import Decision
    from bot.switchboard import Switchboard

log = logging.getLogger(__name__)

FOLLOW_UP_JOB_LOCK = 7_016  # PostgreSQL advisory lock id of the job that asks due follow-ups
DEFAULT_DAYS = 3  # working days between "ja, vraag het me" and the question
ASK_AT = time(10, 0)  # local time: not at night, not at breakfast
MAX_ASKS = 2  # "nog niet" is asked once more, then never again
# Need outcomes after which the resident holds a service's number: open now ("met"), or closed
# now with the number and when it opens ("out_of_hours": they call later, so asking helps too).
GAVE_A_NUMBER = ("met", "out_of_hours")
WEBCHAT = "webchat"  # bot.channels.webchat.CHANNEL (imported there would be circular: erase imports us)

# Status of a follow-up: waiting (noted while the assistant still asks something) -> offered ->
# planned | declined; planned -> asked -> answered, or planned again once after "nog niet".
STATUSES = ("waiting", "offered", "declined", "planned", "asked", "answered")
ANSWERS = ("contact_made", "contact_failed", "still_waiting", "gave_up")  # also need-log outcomes
# Reached the service, but it could not help ("ja maar ze konden niks doen"): read from free words
# only, counted as contact_made (the number worked), answered with a person offered.
NOT_HELPED = "not_helped"
OUTCOME = {NOT_HELPED: "contact_made"}
# A button's payload: "gelukt:<choice>:<service id>". Choices: ja / nee (the offer), an answer,
# or zelf ("I will call again myself", after a failed or unhelpful call).
PAYLOAD = re.compile(r"^gelukt:(ja|nee|zelf|contact_made|contact_failed|still_waiting|gave_up):([a-z0-9_-]{1,64})$")
PREFIX = "gelukt"


class FollowUp(Base):
    """One "is het gelukt?" for one service in one conversation (offered at most once)."""

    __tablename__ = "follow_ups"
    __table_args__ = (UniqueConstraint("conversation_id", "service_id"),
                      Index("ix_follow_ups_status_due", "status", "due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    service_id: Mapped[str] = mapped_column(String(64))
    intent: Mapped[str] = mapped_column(String(48))  # the need whose outcome the answer corrects
    status: Mapped[str] = mapped_column(String(12), default="offered")
    due_at: Mapped[datetime | None]  # naive UTC: when to ask (planned)
    asked_at: Mapped[datetime | None]
    asks: Mapped[int] = mapped_column(default=0)
    answer: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def due_moment(directory: Directory, now: datetime, days: int) -> datetime:
    """10:00 local time, `days` working days after the local day of `now`; naive UTC like the store."""
    local = now.astimezone(directory.timezone)
    day = add_working_days(local.date(), days)
    moment = datetime.combine(day, ASK_AT, tzinfo=directory.timezone)
    return moment.astimezone(UTC).replace(tzinfo=None)


def local_day(directory: Directory, moment: datetime) -> str:
    return format_day(moment.replace(tzinfo=UTC).astimezone(directory.timezone).date())


def payload(choice: str, service_id: str) -> str:
    return f"{PREFIX}:{choice}:{service_id}"


def _with_payloads(name: str, service_id: str, now: datetime | None = None, **fields: Any) -> BotReply:
    """A domain.yml response whose buttons' payloads (ja, contact_made, zelf ...) name the service
    (an assistant's payload such as /ask_human stays); one that offers a person says, outside
    desk hours, when one is back."""
    wording = response(name)
    buttons = [{"title": b["title"], "payload": b["payload"] if b["payload"].startswith("/")
                else payload(b["payload"], service_id)} for b in wording.buttons]
    text = wording.text.format(**fields) if fields else wording.text
    offers_person = any(b["payload"] == "/ask_human" for b in buttons)
    note = worker_back_note(now) if now is not None and offers_person else None
    return BotReply(f"{text} {note}" if note else text, buttons)


def _say(name: str, now: datetime | None = None, **fields: Any) -> BotReply:
    """A domain.yml response; one that offers a person says, outside desk hours, when one is back."""
    wording = response(name)
    text = wording.text.format(**fields) if fields else wording.text
    note = worker_back_note(now) if now is not None and wording.buttons else None
    return BotReply(f"{text} {note}" if note else text, list(wording.buttons))


def question(service: Service) -> BotReply:
    return _with_payloads("utter_gateway_follow_up_question", service.id, service=service.name)


def asked_service(buttons: list[dict[str, str]]) -> str | None:
    """The service id when these buttons are exactly the follow-up question's (WhatsApp's template)."""
    found = [PAYLOAD.match(str(b.get("payload", ""))) for b in buttons]
    if not found or not all(found):
        return None
    choices = [m.group(1) for m in found if m]
    services = {m.group(2) for m in found if m}
    return services.pop() if choices == list(ANSWERS) and len(services) == 1 else None


# ---- reading free text -----------------------------------------------------------------------

_WORDS = re.compile(r"[a-zà-ÿ]+")
# Chat spelling and common typos, word by word, before the phrases below are looked for.
SPELLING = {"nie": "niet", "nt": "niet", "niett": "niet", "nit": "niet", "ff": "even", "effe": "even",
            "gelukd": "gelukt", "glukt": "gelukt", "gelukte": "gelukt", "gelult": "gelukt", "lukten": "lukte",
            "jep": "ja", "jup": "ja", "jah": "ja", "yes": "ja", "yep": "ja", "jo": "ja", "ya": "ja",
            "neej": "nee", "nope": "nee", "nah": "nee", "ne": "nee", "noch": "nog",
            "niks": "niets", "nix": "niets", "kon": "konden", "kunnen": "konden", "kan": "konden",
            "opgegeve": "opgegeven", "vergete": "vergeten", "vergten": "vergeten", "wet": "weet",
            "gebelt": "gebeld", "gebeldt": "gebeld", "mn": "mijn", "k": "ik", "tis": "het is"}
YES = ("ja", "jawel", "graag", "ok", "oke", "oké", "okay", "goed", "prima", "doe maar", "is goed", "ja graag")
NO = ("nee", "neen", "nee dank je", "nee bedankt", "liever niet", "hoeft niet", "niet nodig", "niet doen")
# Checked in this order: "nog niet gebeld" is not a failure, "nee ze namen niet op" not a yes,
# "ja maar ze konden niks doen" not a plain yes, "weet ik niet meer" not giving up.
ANSWER_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("gave_up", ("geef het op", "geef op", "opgegeven", "laat maar", "hoeft niet meer", "ik stop ermee",
                 "heb het opgegeven", "geen zin meer")),
    ("still_waiting", ("nog niet", "nog geen tijd", "moet nog", "ga nog", "nog even", "wacht nog", "later",
                       "vergeten", "vergeet", "weet ik niet", "weet niet", "weet het niet", "geen idee",
                       "niet aan toegekomen", "niet aan toe gekomen", "geen tijd gehad",
                       "nog geen kans", "bel morgen", "bel ik morgen", "morgen bellen", "ga morgen", "doe ik morgen",
                       "volgende week bellen", "bel volgende week", "binnenkort")),
    (NOT_HELPED, ("konden niets", "konden me niet helpen", "konden mij niet helpen", "konden niet helpen",
                  "niet helpen", "niet geholpen", "niets aan", "niets mee", "niets voor me", "niets voor mij",
                  "geen hulp", "afgewezen", "hielp niet", "helpt niet", "niets doen")),
    ("contact_failed", ("niet gelukt", "lukte niet", "lukt niet", "niet bereikt", "namen niet op",
                        "neemt niet op", "nemen niet op", "niet opgenomen", "geen contact", "niemand",
                        "kwam er niet door", "kom er niet door", "niet door", "niet doorgekomen", "bezet", "nee")),
    ("contact_made", ("ja", "gelukt", "contact", "gesproken", "afspraak", "geholpen", "gebeld", "bereikt")),
)
MAX_ANSWER_WORDS = 12  # a longer message is probably about something else: the assistant reads it


def _words(text: str) -> str:
    """Lower-case words with chat spelling undone ("nog nie" -> "nog niet", "jaaa" -> "ja")."""
    words = []
    for word in _WORDS.findall(text.lower()):
        word = re.sub(r"(.)\1{2,}", r"\1", word)  # "jaaaa", "neeee", "nieeet": at most two of a letter
        word = "ja" if re.fullmatch(r"ja+", word) else "nee" if re.fullmatch(r"nee+", word) else word
        words.append(SPELLING.get(word, word))
    return " ".join(words)


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(phrase)}\b", text) is not None


def read_answer(text: str) -> str | None:
    """The follow-up answer in a resident's own words, or None when it is not clearly one."""
    words = _words(text)
    if not words or len(words.split()) > MAX_ANSWER_WORDS:
        return None
    for answer, phrases in ANSWER_PHRASES:
        if any(_has(words, phrase) for phrase in phrases):
            return answer
    return None


def read_consent(text: str) -> str | None:
    """'ja' / 'nee' to the offer in a resident's own words (a short message only), or None."""
    words = _words(text)
    if not words or len(words.split()) > 4:
        return None
    if any(_has(words, phrase) for phrase in NO):
        return "nee"
    if any(words == phrase or words.startswith(phrase + " ") for phrase in YES):
        return "ja"
    return None


# ---- the own question ------------------------------------------------------------------------

class FollowUpQuestion:
    """The offer after the assistant's answer, and the resident's answers (bot/own_questions.py)."""

    name = "follow_up"

    def __init__(self, days: int = DEFAULT_DAYS) -> None:
        self.days = days  # Settings.follow_up_days (VOORDEUR_FOLLOW_UP_DAYS)

    def waits(self) -> ColumnElement[bool]:
        return _waiting_follow_up()

    async def end(self, session: AsyncSession, conversation_id: int) -> None:
        """An offer not yet answered ends with the conversation; one agreed to stays planned."""
        await session.execute(delete(FollowUp).where(FollowUp.conversation_id == conversation_id,
                                                     FollowUp.status.in_(("waiting", "offered"))))

    def may_answer(self, text: str) -> ColumnElement[bool]:
        """A press of one of our buttons, or a follow-up offered or asked in this conversation."""
        return true() if PAYLOAD.match(text.strip()) else _offered_or_asked()

    async def answer(self, asked: Asked, text: str) -> list[BotReply] | None:
        session, conversation = asked.session, asked.conversation
        pressed = PAYLOAD.match(text.strip())
        if pressed:
            choice, service_id = pressed.groups()
            follow_up = await session.scalar(select(FollowUp).where(
                FollowUp.conversation_id == conversation.id, FollowUp.service_id == service_id))
            if follow_up is None:
                return None  # not ours (typed by hand): the assistant answers
            return await self._choose(asked, follow_up, choice)
        follow_up = await self._just_asked(asked)
        if follow_up is None:
            return None
        choice = read_consent(text) if follow_up.status == "offered" else read_answer(text)
        return None if choice is None else await self._choose(asked, follow_up, choice)

    async def _just_asked(self, asked: Asked) -> FollowUp | None:
        """The follow-up offered or asked since the resident's previous message, if any: only
        then are free words read as its answer."""
        previous = await asked.session.scalar(select(func.max(Message.created_at)).where(
            Message.conversation_id == asked.conversation.id, Message.direction == "in",
            Message.id < asked.message.id))
        rows = await asked.session.scalars(select(FollowUp).where(
            FollowUp.conversation_id == asked.conversation.id,
            FollowUp.status.in_(("offered", "asked"))).order_by(FollowUp.updated_at.desc()))
        for follow_up in rows:
            moment = follow_up.asked_at if follow_up.status == "asked" else follow_up.created_at
            if moment is not None and (previous is None or moment >= previous):
                return follow_up
        return None

    async def _choose(self, asked: Asked, follow_up: FollowUp, choice: str) -> list[BotReply]:
        service = _service(asked.directory, follow_up.service_id)
        if follow_up.status == "offered" and choice in ("ja", "nee"):
            if choice == "nee":
                follow_up.status = "declined"
                return [_say("utter_gateway_follow_up_not_planned")]
            follow_up.status = "planned"
            follow_up.due_at = due_moment(asked.directory, asked.now, self.days)
            planned = "utter_gateway_follow_up_planned" + _channel_variant(asked.conversation)
            return [_say(planned, day=local_day(asked.directory, follow_up.due_at))]
        if choice == "zelf":  # after a failed or unhelpful call: no person now, they call again
            return [_say("utter_gateway_follow_up_on_your_own")]
        if follow_up.status != "asked" or (choice not in ANSWERS and choice != NOT_HELPED):
            return [_say("utter_gateway_follow_up_known")]  # an old button pressed again
        outcome = OUTCOME.get(choice, choice)
        await record_follow_up(asked.session, asked.conversation.id, follow_up.intent, outcome)
        follow_up.answer = outcome
        follow_up.status = "answered"
        if choice == NOT_HELPED:
            return [_with_payloads("utter_gateway_follow_up_not_helped", follow_up.service_id, asked.now)]
        if choice == "contact_made":
            return [_say("utter_gateway_follow_up_made")]
        if choice == "still_waiting":
            if follow_up.asks < MAX_ASKS:
                follow_up.status = "planned"
                since = max(asked.now, (follow_up.asked_at or utcnow()).replace(tzinfo=UTC))
                follow_up.due_at = due_moment(asked.directory, since, self.days)
                return [_say("utter_gateway_follow_up_later", day=local_day(asked.directory, follow_up.due_at))]
            return [_say("utter_gateway_follow_up_last")]
        if choice == "gave_up":
            return [_say("utter_gateway_follow_up_gave_up", asked.now)]
        if service is not None and service.phones:  # sorry, the number, then the choice (buttons)
            return [_with_payloads("utter_gateway_follow_up_failed", follow_up.service_id, asked.now,
                                   service=service.name, phone=service.phones[0])]
        return [_with_payloads("utter_gateway_follow_up_failed_no_phone", follow_up.service_id, asked.now)]

    async def after(self, asked: Asked, decision: Decision) -> list[BotReply]:
        """Offer the follow-up when the assistant gave the number of a service that does not
        call back; once per service, never again in a conversation that said no, and only on a
        turn that asks nothing else (noted as `waiting` until then: one question at a time)."""
        noted = False
        for instruction in decision.instructions:
            need = instruction.get("need")
            if not isinstance(need, dict) or need.get("outcome") not in GAVE_A_NUMBER:
                continue
            service = _service(asked.directory, need.get("service"))
            intent = need.get("intent")
            if service is None or service.referral_team or not isinstance(intent, str) or intent in CRISIS_INTENTS:
                continue
            earlier = list(await asked.session.scalars(select(FollowUp.status).where(
                FollowUp.conversation_id == asked.conversation.id,
                (FollowUp.service_id == service.id) | (FollowUp.status == "declined"))))
            if not earlier:
                asked.session.add(FollowUp(conversation_id=asked.conversation.id, service_id=service.id,
                                           intent=intent, status="waiting"))
                noted = True
        if asks_something(decision.replies) or not (asked.waiting or noted):
            return []
        waiting = await asked.session.scalar(select(FollowUp).where(
            FollowUp.conversation_id == asked.conversation.id, FollowUp.status == "waiting",
        ).order_by(FollowUp.id).limit(1))
        if waiting is None:
            return []
        waiting.status = "offered"
        waiting.created_at = utcnow()  # when it was put to the resident (free words are read after it)
        offer = "utter_gateway_follow_up_offer" + _channel_variant(asked.conversation)
        return [_with_payloads(offer, waiting.service_id)]


@cache
def _waiting_follow_up() -> ColumnElement[bool]:
    return exists().where(FollowUp.conversation_id == Conversation.id, FollowUp.status == "waiting")


@cache
def _offered_or_asked() -> ColumnElement[bool]:
    return exists().where(FollowUp.conversation_id == Conversation.id, FollowUp.status.in_(("offered", "asked")))


def _channel_variant(conversation: Conversation | Case) -> str:
    """The web chat's own wording: its conversation lives only in the browser tab, so the question
    waits in this chat window and is seen only while it stays open (Telegram and WhatsApp deliver it)."""
    return "_webchat" if conversation.channel == WEBCHAT else ""


def _service(directory: Directory, service_id: object) -> Service | None:
    if not isinstance(service_id, str):
        return None
    return next((s for s in directory.services if s.id == service_id), None)


# ---- asking when due -------------------------------------------------------------------------

async def ask_due(switchboard: Switchboard, now: datetime | None = None) -> int:
    """Ask every planned follow-up whose time has come (one replica; each asked once); return how many.

    A conversation a person has right now is asked after the worker hands it back or closes it.
    """
    directory = default_directory(switchboard.settings.directory_path)
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    stored: list[Message] = []

    async def job(session: AsyncSession) -> None:
        rows = await session.execute(
            select(FollowUp).join(Conversation, Conversation.id == FollowUp.conversation_id)
            .where(FollowUp.status == "planned", FollowUp.due_at <= moment,
                   Conversation.state.in_((State.BOT.value, State.CLOSED.value)))
            .order_by(FollowUp.due_at).limit(200))
        for follow_up in rows.scalars():
            service = _service(directory, follow_up.service_id)
            if service is None:  # left the directory: nothing sensible to ask
                follow_up.status = "answered"
                continue
            follow_up.status, follow_up.asked_at = "asked", moment
            follow_up.asks += 1
            reply = question(service)
            message = Message(conversation_id=follow_up.conversation_id, direction="out", sender="bot",
                              text=reply.text, buttons=reply.buttons, status="queued")
            session.add(message)
            stored.append(message)

    await run_once_across_replicas(switchboard.sessions, FOLLOW_UP_JOB_LOCK, job)
    if stored:
        log.info("follow-up: asked %d resident(s)", len(stored))
        await switchboard.send_stored(stored)
    return len(stored)


async def erase_for_conversations(session: AsyncSession, conversation_ids: list[int]) -> int:
    """bot.erase: delete these conversations' follow-ups; return how many."""
    result: CursorResult = await session.execute(  # type: ignore[assignment]
        delete(FollowUp).where(FollowUp.conversation_id.in_(conversation_ids)))
    return result.rowcount or 0


# ---- WhatsApp outside the 24-hour window -------------------------------------------------------

def whatsapp_template(to: str, buttons: list[dict[str, str]], name: str, language: str,
                      directory: Directory) -> dict[str, Any] | None:
    """The approved template message that asks the follow-up question (body variable {{1}}: the
    service's name; four quick-reply buttons in the order of ANSWERS, their payloads ours), or
    None when these buttons are not the follow-up question's."""
    service_id = asked_service(buttons)
    service = _service(directory, service_id)
    if service is None:
        return None
    return {
        "messaging_product": "whatsapp", "to": to, "type": "template",
        "template": {"name": name, "language": {"code": language}, "components": [
            {"type": "body", "parameters": [{"type": "text", "text": service.name}]},
            *({"type": "button", "sub_type": "quick_reply", "index": str(index),
               "parameters": [{"type": "payload", "payload": payload(answer, service.id)}]}
              for index, answer in enumerate(ANSWERS)),
        ]},
    }
