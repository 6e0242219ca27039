"""`OwnQuestion.may_answer` (bot/own_questions.py): the switchboard asks an own question only when
this SQL condition holds, so it must never be false for a message the question would take. Every
kind of text residents send, against every state a call back and a follow-up can be in. And
`OwnQuestion.waits`: told it was false, `after` must give what it gives when it looks itself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.decision import Decision
from bot.follow_up import STATUSES as FOLLOW_UP_STATUSES
from bot.follow_up import FollowUp, FollowUpQuestion
from bot.own_questions import Asked
from bot.rasa import BotReply
from bot.referrals.dialogue import IN_DIALOGUE, CallBack
from bot.referrals.lifecycle import offer
from bot.referrals.models import STATUSES as REFERRAL_STATUSES
from bot.store.models import Conversation, Message
from tests.referrals.conftest import SECRET, directory, sessions  # noqa: F401

TEXTS = [
    "ja", "Ja hoor", "jup", "nee", "nee dank je", "klopt", "aanpassen", "stop", "stop maar", "laat maar",
    "toch niet", "ik wil niet meer gebeld worden", "bel me niet", "hoeft niet meer", "annuleer", "intrekken",
    "wanneer bellen ze?", "ik ben nog niet gebeld", "0612345678", "mijn nummer is 06 12 34 56 78",
    "ochtend", "smiddags", "maakt niet uit", "bel me maar", "ja gelukt", "nee ze namen niet op", "nog nie",
    "ik geef het op", "ben het vergeten", "ik heb schulden", "de buren maken herrie", "hallo", "bedankt",
    "/affirm", "/deny", "terugbellen:ja", "terugbellen:nee", "terugbellen:intrekken", "terugbellen:welbellen",
    "gelukt:ja:voedselbank", "gelukt:contact_made:voedselbank", "gelukt:zelf:voedselbank",
]
REFERRAL_STATES = [("offered", step) for step in ("waiting", *IN_DIALOGUE)] + \
    [(status, None) for status in REFERRAL_STATUSES if status != "offered"]


async def check(sessions, question, make_rows) -> int:  # noqa: F811
    """For every text: when may_answer is false, answer takes nothing. Returns how often it was
    false (so the condition really spares reads). Each text is tried from the same state (a
    savepoint is rolled back after it)."""
    spared = 0
    async with sessions() as db:
        conversation = Conversation(channel="webchat", resident="r" * 32, wijk="Noord")
        db.add(conversation)
        await db.flush()
        await make_rows(db, conversation.id)
        db.add(Message(conversation_id=conversation.id, direction="out", sender="bot", text="(vraag)",
                       buttons=[{"title": "Ja", "payload": "terugbellen:ja"}], status="delivered"))
        await db.flush()
        for text in TEXTS:
            savepoint = await db.begin_nested()
            message = Message(conversation_id=conversation.id, direction="in", sender="resident", text=text,
                              status="received")
            db.add(message)
            await db.flush()
            may = await db.scalar(select(question.may_answer(text)).where(Conversation.id == conversation.id))
            if not may:
                spared += 1
                asked = Asked(db, conversation, message, _directory(), SECRET, datetime.now(UTC))
                assert await question.answer(asked, text) is None, (text, question.name)
            await savepoint.rollback()
            await db.refresh(conversation)
        await db.rollback()
    return spared


def _directory():
    from bot.directory import default_directory
    return default_directory()


def a_referral(status, step):
    """What `check` and `after_both_ways` put in the conversation: a call back in this state."""
    async def rows(db, conversation_id):
        referral = await offer(db, _directory(), conversation_id, "schuldhulp", wijk="Noord")
        referral.status, referral.step = status, step or "offer"
    return rows


def a_follow_up(status):
    async def rows(db, conversation_id):
        db.add(FollowUp(conversation_id=conversation_id, service_id="voedselbank", intent="debt_food",
                        status=status, asked_at=datetime.now(UTC).replace(tzinfo=None)))
    return rows


async def nothing(db, conversation_id):
    pass


@pytest.mark.parametrize("status, step", REFERRAL_STATES)
async def test_the_call_back_is_asked_whenever_it_might_answer(sessions, status, step):  # noqa: F811
    spared = await check(sessions, CallBack(), a_referral(status, step))
    if status in ("called", "appointment", "no_longer_needed", "withdrawn", "declined") or step == "waiting":
        assert spared > len(TEXTS) / 2  # nothing open: most messages skip the question


async def test_the_call_back_without_any_offer_takes_only_its_buttons(sessions):  # noqa: F811
    assert await check(sessions, CallBack(), nothing) == len([t for t in TEXTS if not t.startswith("terugbellen:")])


@pytest.mark.parametrize("status", FOLLOW_UP_STATUSES)
async def test_the_follow_up_is_asked_whenever_it_might_answer(sessions, status):  # noqa: F811
    spared = await check(sessions, FollowUpQuestion(), a_follow_up(status))
    if status not in ("offered", "asked"):
        assert spared == len([t for t in TEXTS if not t.startswith("gelukt:")])


# ---- `waits`: the offers asked after a turn --------------------------------------------------

TURNS = {  # what the assistant just did: said something plain, asked something, gave a number
    "plain": Decision(replies=[BotReply("Oké.")]),
    "asks": Decision(replies=[BotReply("Welke wijk?", [{"title": "Noord", "payload": "/wijk"}])]),
    "routed": Decision(replies=[BotReply("Bel de Voedselbank.")], instructions=[
        {"need": {"intent": "debt_food", "service": "voedselbank", "outcome": "met"}},
        {"need": {"intent": "debt_general", "service": "schuldhulp", "outcome": "met"}}]),
}


async def after_both_ways(sessions, question, make_rows) -> list[bool]:  # noqa: F811
    """For every kind of turn: `after` told what `waits` read gives what it gives when it must
    look itself. Returns what `waits` read per turn."""
    read = []
    async with sessions() as db:
        conversation = Conversation(channel="webchat", resident="r" * 32, wijk="Noord")
        db.add(conversation)
        await db.flush()
        await make_rows(db, conversation.id)
        await db.flush()
        for decision in TURNS.values():
            answers = []
            for waiting in (None, True):
                savepoint = await db.begin_nested()
                message = Message(conversation_id=conversation.id, direction="in", sender="resident", text="hoi",
                                  status="received")
                db.add(message)
                await db.flush()
                if waiting is None:
                    waiting = bool(await db.scalar(select(question.waits()).where(Conversation.id == conversation.id)))
                    read.append(waiting)
                asked = Asked(db, conversation, message, _directory(), SECRET, datetime.now(UTC), waiting)
                answers.append([reply.text for reply in await question.after(asked, decision)])
                await savepoint.rollback()
                await db.refresh(conversation)
            assert answers[0] == answers[1], (question.name, decision)
        await db.rollback()
    return read


@pytest.mark.parametrize("status, step", REFERRAL_STATES)
async def test_the_call_back_offer_that_waits_is_always_seen(sessions, status, step):  # noqa: F811
    read = await after_both_ways(sessions, CallBack(), a_referral(status, step))
    assert all(read) == ((status, step) == ("offered", "waiting"))


@pytest.mark.parametrize("status", FOLLOW_UP_STATUSES)
async def test_the_follow_up_that_waits_is_always_seen(sessions, status):  # noqa: F811
    read = await after_both_ways(sessions, FollowUpQuestion(), a_follow_up(status))
    assert all(read) == (status == "waiting")


async def test_an_offer_noted_in_this_turn_is_asked_though_nothing_waited(sessions):  # noqa: F811
    for question in (CallBack(), FollowUpQuestion()):
        assert await after_both_ways(sessions, question, nothing) == [False] * len(TURNS)
    async with sessions() as db:  # and the routed turn does bring an offer
        conversation = Conversation(channel="webchat", resident="s" * 32, wijk="Noord")
        db.add(conversation)
        await db.flush()
        message = Message(conversation_id=conversation.id, direction="in", sender="resident", text="hoi",
                          status="received")
        db.add(message)
        await db.flush()
        asked = Asked(db, conversation, message, _directory(), SECRET, datetime.now(UTC), False)
        assert await CallBack().after(asked, TURNS["routed"]) != []
        assert await FollowUpQuestion().after(asked, TURNS["routed"]) != []
        await db.rollback()
