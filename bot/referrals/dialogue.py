"""The resident's side of a call back: offer, summary shown and editable, number, best time, consent.

An own question (bot/own_questions.py): `after` offers "Wil je dat <service> jou belt?" once the
assistant routed a need to a service with a referral team; `answer` takes the resident's next
steps, each remembered on the referral row (`Referral.step`) while its status is "offered":

    offer -> summary (Klopt / Aanpassen -> own_words -> summary) -> phone -> call_time -> confirm -> accept()

Rules that keep the resident in charge:
- The last question wins. A typed answer ("ja", "nee", "middag") is ours only while our question
  is the latest one with buttons in the conversation; if the assistant asked something after it,
  the assistant gets the answer. Our own buttons ("terugbellen:...") always reach us.
- Something else mid-way (a question, another problem) is not ours: `answer` returns None, the
  assistant answers and our step stays where it was (its buttons still work). A crisis never
  gets here: the switchboard's crisis net runs first.
- While the assistant's turn ends in a question of its own (the next need, the wijk, the address,
  a person: it offers buttons), the offer waits (step "waiting") and is asked after the first
  turn of the assistant's that asks nothing: one question at a time. A resident who goes to a
  person meanwhile gets it from the worker's "doorverwezen" close (`offer_after_close`).
- "nee", "stop", "toch niet" at any step: nothing personal is kept (lifecycle.decline).
- "ik wil niet meer gebeld worden", "trek mijn aanvraag in", the button: lifecycle.withdraw.

Privacy: the answers never reach Rasa. A message that holds the phone number, and the own
words, are replaced in the message store by a marker ("[telefoonnummer]", "[eigen woorden]")
as soon as they are sealed into / scrubbed into the referral, so transcripts and exports do not
show them; our messages that showed the own words back get a marker too once the draft ends
(accepted, declined, withdrawn). The own words live on only, scrubbed, in the referral's
summary (deleted with it).
The name is not asked (docs/referrals.md).
"""

from __future__ import annotations

import re
from functools import cache
from datetime import date, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, exists, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.decision import say
from bot.directory.hours import DAY_NAMES, MONTHS, format_week
from bot.needs.scrubber import scrub
from bot.own_questions import asks_something
from bot.pseudonym import seal, unseal
from bot.rasa import BotReply
from bot.referrals.lifecycle import CONSENT_WORDING, accept, ask, decline, end_drafts, offer, withdraw
from bot.referrals.models import ACTIVE, Referral
from bot.referrals.phone import InvalidPhone, PaidOrFreeNumber, dutch_phone, spoken_phone
from bot.referrals.words import (CALL_ME, CHANGE, NO, OTHER_NUMBER, OTHER_SUMMARY, OTHER_TIME,
                                 STATUS, STOP, YES, best_time, clear_yes, may_withdraw, on_weekend, only_a_number,
                                 phone_in, plain, withdraws)
from bot.store.models import Conversation, Message
from bot.taxonomy import intent_label

if TYPE_CHECKING:
    from bot.decision import Decision
    from bot.directory.model import Directory, Service
    from bot.own_questions import Asked

PAYLOAD = "terugbellen:"  # prefix of our buttons' payloads (domain.yml utter_gateway_referral_*)
PHONE_MARK = "[telefoonnummer]"  # what the message store keeps of a message that held the number
WORDS_MARK = "[eigen woorden]"  # ... and of the resident's own words for the summary
SHOWN_MARK = "[samenvatting terugbelverzoek]"  # ... and of our messages that showed those words or the number back
SHOWN_PHRASES = ("In eigen woorden:", "Zullen we het doorsturen?")  # in those messages (domain.yml)
OWN_WORDS = " In eigen woorden: "
MAX_OWN_WORDS = 300
CALL_TIMES = ("ochtend", "middag", "avond", "maakt niet uit")
# The part of a working day each best time means: offered only when the service is open then.
TIME_SPANS = {"ochtend": (time(8), time(12)), "middag": (time(12), time(17)), "avond": (time(17), time(21))}
ROUTED = ("met", "out_of_hours")  # need outcomes that named a service
TIME_STEPS = ("call_time", "call_time_again")  # the best time asked, and asked once more
IN_DIALOGUE = ("offer", "summary", "own_words", "phone", *TIME_STEPS, "confirm")
KEEP = "welbellen"  # "Nee, wel bellen" to "Wil je dat <service> je niet belt?"


def national_length(digits: str) -> bool:
    """Ten digits as a Dutch number is written ('0698765432', '31698765432'): the length is right,
    so the number itself does not exist (06-9...): 'check it' helps, '10 cijfers' does not."""
    national = re.sub(r"^(0031|31)", "0", digits)
    return len(national) == 10 and national.startswith("0")


def dutch_day(day: date) -> str:
    """'dinsdag 24 november'."""
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def base_summary(service: Service, needs: list[str], wijk: str | None) -> str:
    """The needs this service is for, in Dutch labels, and the wijk: nothing the resident did not say,
    and no needs that are not this service's business (a debt team does not hear about the youth)."""
    mine = [n for n in needs if n in service.intents]
    topics = ", ".join(intent_label(n) for n in dict.fromkeys(mine)) or "hulp"
    text = f"Vraag over: {topics}."
    if wijk:
        text += f" Wijk: {wijk}."
    return text


def with_own_words(base: str, words: str | None) -> str:
    return f"{base}{OWN_WORDS}{words}" if words else base


def scrubbed_labels(original: str, scrubbed: str) -> list[str]:
    """The scrubber's labels ([BSN], [naam]) that appear in the scrubbed text and not in what was written."""
    found = re.findall(r"\[([^\]]+)\]", scrubbed)
    written = set(re.findall(r"\[([^\]]+)\]", original))
    return list(dict.fromkeys(label for label in found if label not in written))


def open_times(service: Service) -> list[str]:
    """The best times a service can call at: within its opening hours ('maakt niet uit' always)."""
    if service.always_open or not service.schedules:
        return list(CALL_TIMES)
    return [name for name, (start, end) in TIME_SPANS.items()
            if any(s.opens_at < end and s.closes_at > start for s in service.schedules)] + ["maakt niet uit"]


def calls_on_weekend(service: Service) -> bool:
    """The service is open on Saturday or Sunday (then it can call then)."""
    return service.always_open or any(day >= 5 for s in service.schedules for day in s.days)


def correction(text: str) -> str:
    """What a resident wants said instead, from 'ok zonder nummer dan: boete cjib' ('boete cjib')
    or 'ja maar het gaat om de huur' ('het gaat om de huur')."""
    if ":" in text:
        return text.rsplit(":", 1)[1].strip() or text
    return re.sub(r"^\W*((ja+|jawel|ok|oke|okay|oké|prima|goed|klopt|maar|wel|hoor|,)\W*)+", "", text,
                  flags=re.IGNORECASE).strip() or text


def routed_services(decision: Decision) -> list[str]:
    """The service ids of the needs the assistant just routed to a named service (also when it is
    closed now: then a call back saves the resident a second try)."""
    found = []
    for instruction in decision.instructions:
        need = instruction.get("need") if isinstance(instruction, dict) else None
        if isinstance(need, dict) and need.get("outcome") in ROUTED and isinstance(need.get("service"), str):
            found.append(need["service"])
    return found


class CallBack:
    """The call-back question (registered in bot/app.py)."""

    name = "referral"

    # ---- after the assistant ------------------------------------------------------------

    async def after(self, asked: Asked, decision: Decision) -> list[BotReply]:
        session, conversation = asked.session, asked.conversation
        noted = False
        for service_id in routed_services(decision):
            try:
                service = asked.directory.service(service_id)
            except StopIteration:
                continue
            if not service.referral_team or await self._any(asked, service_id):
                continue
            await offer(session, asked.directory, conversation.id, service_id, conversation.wijk,
                        now=asked.now, asked=False, step="waiting")  # counted as offered once asked
            noted = True
        if asks_something(decision.replies) or not (asked.waiting or noted):
            return []
        waiting = await session.scalar(
            select(Referral).where(Referral.conversation_id == conversation.id, _noted_not_asked())
            .order_by(Referral.id).limit(1))
        if waiting is None or await self._in_dialogue(asked) is not None:
            return []
        waiting.step = "offer"
        await ask(session, waiting, asked.now)
        return [say("utter_gateway_referral_offer", service=self._service(asked, waiting).name)]

    # ---- the resident's answers ---------------------------------------------------------

    def waits(self) -> ColumnElement[bool]:
        return _waiting_referral()

    async def end(self, session: AsyncSession, conversation_id: int) -> None:
        if await end_drafts(session, conversation_id):
            await unshow_own_words(session, conversation_id)

    def may_answer(self, text: str) -> ColumnElement[bool]:
        """A press of one of our buttons; a withdrawal, when anything was offered here; else a
        draft in the dialogue, or a request the service still has to act on."""
        said = plain(text)
        if said.startswith(PAYLOAD):
            return true()
        return _any_referral() if withdraws(said) else _open_referral()

    async def answer(self, asked: Asked, text: str) -> list[BotReply] | None:
        said = plain(text)
        pressed = said[len(PAYLOAD):] if said.startswith(PAYLOAD) else None
        if pressed == "intrekken" or (pressed is None and withdraws(said)):
            return await self._withdraw(asked)
        referral = await self._in_dialogue(asked)
        if referral is None:
            return await self._about_sent(asked, said, pressed)
        ours = [b for b in await self._last_buttons(asked) if str(b.get("payload", "")).startswith(PAYLOAD)]
        last_is_ours = bool(ours)
        if pressed is None:  # a button's title typed, not pressed ("Iets aanpassen", "tijd")
            pressed = next((str(b["payload"])[len(PAYLOAD):] for b in ours
                            if said in _typed_forms(str(b.get("title", "")))), None)
        step = referral.step
        if pressed is None and not last_is_ours:
            # The assistant asked something after us: a typed answer is for the assistant, except a
            # phone number while we wait for one (it must never reach Rasa) and a clear "bel me".
            if step in ("phone", "confirm") and phone_in(text):
                return await self._phone(asked, referral, text)
            if step == "offer" and CALL_ME.search(said) and not NO.match(said):
                return await self._show_summary(asked, referral)
            return None
        stops = pressed in ("stop", "nee") or (pressed is None and step != "own_words" and (
            STOP.match(said) or (NO.match(said) and step not in ("summary", "confirm"))))
        if stops:  # "nee" to "Klopt dit?" / "Zullen we het doorsturen?" is a change, not a stop
            return await self._decline(asked, referral)
        replies = await self._step(asked, referral, text, said, pressed)
        if replies is None and pressed is not None:  # an old button of ours: where things stand
            return [self._question_of(asked, referral)]
        return replies

    async def _step(self, asked: Asked, referral: Referral, text: str, said: str,
                    pressed: str | None) -> list[BotReply] | None:
        """The answer to the step the resident is at, or None when the message is not an answer to it."""
        step = referral.step
        if step == "offer":
            if pressed == "ja" or (pressed is None and (YES.match(said) or CALL_ME.search(said))):
                return await self._show_summary(asked, referral)
            return None
        if step == "summary":
            if pressed == "klopt" or (pressed is None and clear_yes(said)):
                return self._after_summary(asked, referral)
            if pressed == "aanpassen" or (pressed is None and (CHANGE.match(said) or NO.match(said))):
                referral.step = "own_words"
                return [say("utter_gateway_referral_own_words")]
            if pressed is None and YES.match(said) and not text.rstrip().endswith("?"):
                # "ok zonder nummer dan: boete cjib" is a correction, not a "Klopt"
                return await self._own_words(asked, referral, correction(text))
            return None
        if step == "own_words":
            if pressed is not None:
                return None
            if said in ("stop", "toch niet", "laat maar"):
                return await self._decline(asked, referral)
            if clear_yes(said) or (NO.match(said) and len(said.split()) <= 3):
                # "ja" or "nee" is not a description: keep the summary as it was and show it again
                referral.step = "summary"
                return await self._show_summary(asked, referral)
            return await self._own_words(asked, referral, text)
        if step == "phone":
            if pressed is not None or not (phone_in(text) or only_a_number(text)):
                return None  # "ik heb 2 kinderen" holds no number: the assistant answers
            return await self._phone(asked, referral, text)
        if step in TIME_STEPS:
            service = self._service(asked, referral)
            if pressed is None and on_weekend(said) and not calls_on_weekend(service):
                return [self._time_buttons(say("utter_gateway_referral_time_weekend", service=service.name,
                                               hours=format_week(service)), open_times(service))]
            return self._best_time(asked, referral, pressed if pressed in CALL_TIMES else
                                   None if pressed is not None else best_time(said))
        if step == "confirm":
            if pressed is None and phone_in(text):  # a new number: it replaces the old one
                return await self._phone(asked, referral, text)
            if pressed == "bevestig" or (pressed is None and clear_yes(said)):
                return await self._accept(asked, referral)
            if pressed == "tijd" or (pressed is None and OTHER_TIME.search(said)):
                referral.step = "call_time"
                return [self._ask_time(asked, referral)]
            if pressed == "nummer" or (pressed is None and OTHER_NUMBER.search(said)):
                referral.step = "phone"
                return [say("utter_gateway_referral_ask_phone", service=self._service(asked, referral).name)]
            if pressed == "aanpassen" or (pressed is None and OTHER_SUMMARY.search(said)):
                referral.step = "own_words"
                return [say("utter_gateway_referral_own_words")]
            if pressed == "wijzig" or (pressed is None and (NO.match(said) or CHANGE.match(said))):
                return [say("utter_gateway_referral_what_change")]  # nothing is sent; they choose
            return None
        return None

    # ---- steps --------------------------------------------------------------------------

    async def _show_summary(self, asked: Asked, referral: Referral) -> list[BotReply]:
        service = self._service(asked, referral)
        # A worker's close wrote the draft already (with the need the case was closed on).
        referral.summary = referral.summary or base_summary(service, list(asked.conversation.needs or []),
                                                            referral.wijk)
        referral.step = "summary"
        return [say("utter_gateway_referral_summary", service=service.name, summary=referral.summary)]

    def _after_summary(self, asked: Asked, referral: Referral) -> list[BotReply]:
        """The summary is right: the number next, or straight back to the confirmation when the
        resident came to change the words from there (number and time are known)."""
        if referral.phone and referral.call_time:
            referral.step = "confirm"
            return [self._confirm(asked, referral)]
        referral.step = "phone"
        return [say("utter_gateway_referral_ask_phone", service=self._service(asked, referral).name)]

    async def _own_words(self, asked: Asked, referral: Referral, text: str) -> list[BotReply]:
        asked.message.text = WORDS_MARK  # the scrubbed words live on only in the referral's summary
        words = " ".join(text.split())[:MAX_OWN_WORDS]
        clean = scrub(words)
        if clean is None or not clean.strip():
            referral.step = "own_words"
            return [say("utter_gateway_referral_words_dropped")]
        service = self._service(asked, referral)
        base = base_summary(service, list(asked.conversation.needs or []), referral.wijk)
        if referral.summary and referral.summary.startswith("Vraag over:"):
            base = referral.summary.split(OWN_WORDS, 1)[0]
        referral.summary = with_own_words(base, clean)
        referral.step = "summary"
        replies = []
        left_out = scrubbed_labels(words, clean)
        if left_out:
            replies.append(say("utter_gateway_referral_left_out", labels=", ".join(left_out)))
        replies.append(say("utter_gateway_referral_summary", service=service.name, summary=referral.summary))
        return replies

    async def _phone(self, asked: Asked, referral: Referral, text: str) -> list[BotReply]:
        asked.message.text = PHONE_MARK  # whatever it was, it held (an attempt at) the number
        service = self._service(asked, referral)
        candidate = phone_in(text) or text
        try:
            number = dutch_phone(candidate)
        except PaidOrFreeNumber:
            return [say("utter_gateway_referral_phone_paid", service=service.name)]
        except InvalidPhone:
            digits = re.sub(r"\D", "", candidate)
            foreign = (candidate.strip().startswith(("+", "00")) and not digits.startswith(("31", "0031")))
            name = ("utter_gateway_referral_phone_foreign" if foreign else
                    "utter_gateway_referral_phone_unknown" if national_length(digits) else
                    "utter_gateway_referral_phone_wrong")
            return [say(name, service=service.name)]
        referral.phone = seal(asked.secret, number)
        if referral.call_time:  # a new number from the confirmation: back there
            referral.step = "confirm"
            return [self._confirm(asked, referral)]
        referral.step = "call_time"
        return [self._ask_time(asked, referral)]

    def _best_time(self, asked: Asked, referral: Referral, chosen: str | None) -> list[BotReply] | None:
        """The best time, if the service is open then; else the buttons once more (once: a second
        answer we do not understand is for the assistant)."""
        service = self._service(asked, referral)
        times = open_times(service)
        if chosen in times:
            referral.call_time = chosen
            referral.step = "confirm"
            return [self._confirm(asked, referral)]
        if chosen is not None:  # a time the service does not call at: say when it does
            return [self._time_buttons(say("utter_gateway_referral_time_closed", service=service.name,
                                           call_time=chosen, hours=format_week(service)), times)]
        if referral.step == "call_time_again":
            return None
        referral.step = "call_time_again"
        return [self._time_buttons(say("utter_gateway_referral_time_again", service=service.name,
                                       hours=format_week(service)), times)]

    def _ask_time(self, asked: Asked, referral: Referral) -> BotReply:
        service = self._service(asked, referral)
        return self._time_buttons(say("utter_gateway_referral_ask_time", service=service.name,
                                      hours=format_week(service)), open_times(service))

    @staticmethod
    def _time_buttons(reply: BotReply, times: list[str]) -> BotReply:
        """Only the times the service calls at (domain.yml lists all four)."""
        buttons = [b for b in reply.buttons if str(b.get("payload", ""))[len(PAYLOAD):] in times]
        return BotReply(reply.text, buttons)

    def _confirm(self, asked: Asked, referral: Referral) -> BotReply:
        """The whole number is shown (the resident's own screen: they must see a typo); the stored
        message gets a marker once the draft ends (`unshow_own_words`)."""
        number = unseal(asked.secret, referral.phone or "")
        return say("utter_gateway_referral_confirm", service=self._service(asked, referral).name,
                   summary=referral.summary or "", call_time=referral.call_time or "maakt niet uit",
                   number=spoken_phone(number))

    def _question_of(self, asked: Asked, referral: Referral) -> BotReply:
        """The question of the step the resident is at, again (an old button was pressed)."""
        service = self._service(asked, referral)
        step = referral.step
        if step == "offer":
            return say("utter_gateway_referral_offer", service=service.name)
        if step == "summary":
            return say("utter_gateway_referral_summary", service=service.name, summary=referral.summary or "")
        if step == "own_words":
            return say("utter_gateway_referral_own_words")
        if step == "phone":
            return say("utter_gateway_referral_ask_phone", service=service.name)
        if step in TIME_STEPS:
            return self._ask_time(asked, referral)
        return self._confirm(asked, referral)

    # ---- after the request was sent -------------------------------------------------------

    async def _about_sent(self, asked: Asked, said: str, pressed: str | None) -> list[BotReply] | None:
        """No draft open: a question about a sent request ("wanneer bellen ze?"), a withdrawal that
        needs a check ("stop maar" - "Wil je dat <service> je niet belt?"), or an old button of ours
        (always answered here: it must never reach the assistant or put the resident in the queue)."""
        rows = list(await asked.session.scalars(
            select(Referral).where(Referral.conversation_id == asked.conversation.id).order_by(Referral.id.desc())))
        active = next((r for r in rows if r.status in ACTIVE), None)
        if active is not None and pressed is None:
            checking = f"{PAYLOAD}{KEEP}" in await self._last_payloads(asked)
            if checking and clear_yes(said):
                return await self._withdraw(asked)
            if checking and NO.match(said):
                return [self._status(asked, active, "utter_gateway_referral_kept")]
            if STATUS.search(said):
                return [self._status(asked, active)]
            if may_withdraw(said):
                return [say("utter_gateway_referral_withdraw_check", service=self._service(asked, active).name)]
            return None
        if pressed is None:
            return None
        if active is not None:
            return [self._status(asked, active, "utter_gateway_referral_kept" if pressed == KEEP else
                                 "utter_gateway_referral_status")]
        latest = next((r for r in rows if r.step != "waiting"), None)
        if latest is None:
            return [say("utter_gateway_referral_none_open")]
        service = self._service(asked, latest)
        return [say("utter_gateway_referral_closed", service=service.name, phone=service.phones[0])]

    def _status(self, asked: Asked, referral: Referral, name: str = "utter_gateway_referral_status") -> BotReply:
        """Who calls, by when, at what time, on which number (its last digits), the service's own
        number (to recognise the caller, or to call themselves), and how to withdraw."""
        service = self._service(asked, referral)
        number = unseal(asked.secret, referral.phone) if referral.phone else ""
        return say(name, service=service.name, phone=service.phones[0],
                   deadline=dutch_day(referral.deadline) if referral.deadline else "binnenkort",
                   call_time=referral.call_time or "maakt niet uit", last_digits=number[-2:])

    async def _accept(self, asked: Asked, referral: Referral) -> list[BotReply]:
        number = unseal(asked.secret, referral.phone or "")
        await accept(asked.session, asked.directory, asked.secret, referral, phone=number,
                     summary=referral.summary or "", call_time=referral.call_time,
                     wording=CONSENT_WORDING, now=asked.now)
        await unshow_own_words(asked.session, asked.conversation.id)
        assert referral.deadline is not None
        return [say("utter_gateway_referral_accepted", service=self._service(asked, referral).name,
                    deadline=dutch_day(referral.deadline))]

    @staticmethod
    async def _decline(asked: Asked, referral: Referral) -> list[BotReply]:
        """No to the offer ("Goed. Dan bel je zelf."), or stopped half-way ("we hebben niets bewaard")."""
        step = referral.step
        await decline(asked.session, referral, now=asked.now)
        await unshow_own_words(asked.session, asked.conversation.id)
        return [say("utter_gateway_referral_declined" if step == "offer" else "utter_gateway_referral_stopped")]

    async def _withdraw(self, asked: Asked) -> list[BotReply] | None:
        rows = list(await asked.session.scalars(
            select(Referral).where(Referral.conversation_id == asked.conversation.id).order_by(Referral.id)))
        active = [r for r in rows if r.status in ACTIVE]
        drafts = [r for r in rows if r.status == "offered" and r.step in IN_DIALOGUE]
        if not active and not drafts:
            return [say("utter_gateway_referral_none_open")] if rows else None
        replies = []
        for referral in active:
            await withdraw(asked.session, referral, now=asked.now)
            replies.append(say("utter_gateway_referral_withdrawn", service=self._service(asked, referral).name))
        for referral in drafts:  # "hoeft niet, ik bel ze zelf" to the offer is a no
            step = referral.step
            await decline(asked.session, referral, now=asked.now)
            replies.append(say("utter_gateway_referral_declined" if step == "offer" else "utter_gateway_referral_stopped"))
        await unshow_own_words(asked.session, asked.conversation.id)
        return replies

    # ---- lookups ------------------------------------------------------------------------

    @staticmethod
    def _service(asked: Asked, referral: Referral) -> Service:
        return asked.directory.service(referral.service_id)

    @staticmethod
    async def _any(asked: Asked, service_id: str) -> bool:
        """An offer for this service was made in this conversation already (open, done or declined)."""
        found = await asked.session.scalar(
            select(Referral.id).where(Referral.conversation_id == asked.conversation.id,
                                      Referral.service_id == service_id).limit(1))
        return found is not None

    @staticmethod
    async def _in_dialogue(asked: Asked) -> Referral | None:
        return await asked.session.scalar(
            select(Referral).where(Referral.conversation_id == asked.conversation.id, Referral.status == "offered",
                                   Referral.step.in_(IN_DIALOGUE)).order_by(Referral.id.desc()).limit(1))

    @staticmethod
    async def _last_buttons(asked: Asked) -> list[dict[str, Any]]:
        """The buttons of the latest question in the conversation: whose question the resident
        answers. The last question wins."""
        buttons: Any = await asked.session.scalar(
            select(Message.buttons).where(Message.conversation_id == asked.conversation.id,
                                          Message.direction == "out", Message.buttons.is_not(None))
            .order_by(Message.id.desc()).limit(1))
        return [b for b in buttons or [] if isinstance(b, dict)]

    @classmethod
    async def _last_payloads(cls, asked: Asked) -> set[str]:
        return {str(b.get("payload", "")) for b in await cls._last_buttons(asked)}


def _typed_forms(title: str) -> set[str]:
    """How a resident types a button's title: as it reads, or without its article ("De tijd": "tijd")."""
    written = plain(title)
    return {written, re.sub(r"^(de|het|een) ", "", written)}


@cache
def _any_referral() -> ColumnElement[bool]:
    return exists().where(Referral.conversation_id == Conversation.id)


def _noted_not_asked() -> ColumnElement[bool]:
    """An offer noted after the assistant named the service, waiting for a turn that asks nothing."""
    return and_(Referral.status == "offered", Referral.step == "waiting")


@cache
def _waiting_referral() -> ColumnElement[bool]:
    return exists().where(Referral.conversation_id == Conversation.id, _noted_not_asked())


@cache
def _open_referral() -> ColumnElement[bool]:
    return exists().where(Referral.conversation_id == Conversation.id,
                          or_(and_(Referral.status == "offered", Referral.step.in_(IN_DIALOGUE)),
                              Referral.status.in_(ACTIVE)))


async def unshow_own_words(session: AsyncSession, conversation_id: int) -> None:
    """Our messages that showed the resident's own words back (summary, confirmation) keep a marker
    once the draft is over: the words live on only in the referral, and go with it."""
    shown = [Message.text.contains(phrase) for phrase in SHOWN_PHRASES]
    await session.execute(
        update(Message).where(Message.conversation_id == conversation_id, Message.direction == "out",
                              or_(*shown))
        .values(text=SHOWN_MARK).execution_options(synchronize_session=False))


async def offer_after_close(session: AsyncSession, directory: Directory, conversation: Conversation,
                            service_id: str, intent: str) -> BotReply | None:
    """A worker closed the case as "doorverwezen" to this service, on this need: the offer to send
    the resident (their answer reopens the conversation and `CallBack.answer` takes it), or None
    when the service takes no call backs or was offered in this conversation already. The draft
    summary is made now, so it names the need the worker closed on."""
    conversation_id, wijk = conversation.id, conversation.wijk
    service = next((s for s in directory.services if s.id == service_id), None)
    if service is None or not service.referral_team:
        return None
    referral = await session.scalar(select(Referral).where(Referral.conversation_id == conversation_id,
                                                          Referral.service_id == service_id).limit(1))
    if referral is None:
        referral = await offer(session, directory, conversation_id, service_id, wijk)
    elif referral.step == "waiting":  # noted after the assistant named it, never asked: ask now
        await ask(session, referral)
    else:  # offered (and answered) in this conversation already
        return None
    referral.summary = base_summary(service, [*(conversation.needs or []), intent], wijk)
    referral.step = "offer"
    await session.flush()
    return say("utter_gateway_referral_offer", service=service.name)
