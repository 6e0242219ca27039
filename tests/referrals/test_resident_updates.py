"""Closing the loop (issue 15.4): through a running gateway, the resident hears on their own channel
what the service did with their call-back request - each update once, also with two replicas -
and, when the deadline passed without a result, is told so honestly and offered a person."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, UTC

import pytest
from sqlalchemy import select

from bot.directory.hours import format_day
from bot.directory.load import load_directory
from bot.referrals.lifecycle import accept, offer, record_result, withdraw
from bot.referrals.models import Referral
from bot.referrals.resident_updates import tell_residents
from bot.store.models import Conversation
from tests.channels.conftest import telegram_env
from tests.conftest import dead_url, fresh_postgres_database, postgres_reachable, running_gateway
from tests.fakes.server import serve, wait_until
from tests.fakes.telegram_server import running_fake_telegram
from tests.referrals.conftest import DIRECTORY
from tests.referrals.test_partners import write
from tests.referrals.test_webhook import PARTNER_SECRET, TEAM, partner_app

SERVICE = "Schuldhulpverlening Voorbeeldstad"
PERSON = "/ask_human"  # the payload of the assistant's own "Een medewerker" button
ROUND = 0.1  # seconds between the gateways' background rounds here (VOORDEUR_RETRY_INTERVAL)


@pytest.fixture(autouse=True)
def quick_rounds(monkeypatch):
    """The background loop tells residents; here it goes round every ROUND seconds, not every 2."""
    monkeypatch.setenv("VOORDEUR_RETRY_INTERVAL", str(ROUND))


async def more_rounds() -> None:
    """Let every running gateway's background loop go round several more times."""
    await asyncio.sleep(6 * ROUND)


async def conversation_of(gw, channel: str, user: str) -> int:
    pseudonym = gw.switchboard.pseudonym(channel, user)
    async with gw.switchboard.sessions() as db:
        found = await db.scalar(select(Conversation.id).where(Conversation.resident == pseudonym))
    assert found is not None
    return found


async def accepted(gw, conversation_id: int, now: datetime | None = None, then_withdrawn: bool = False) -> int:
    """A call back the resident said yes to; `then_withdrawn`: taken back in the same transaction,
    so no background round ever sees it accepted and not yet withdrawn."""
    async with gw.switchboard.sessions.begin() as db:
        directory = load_directory(DIRECTORY)
        referral = await offer(db, directory, conversation_id, "schuldhulp", wijk="Noord")
        await accept(db, directory, gw.switchboard.secret, referral, phone="0612345678",
                     summary="Schulden.", now=now)
        if then_withdrawn:
            await withdraw(db, referral)
        return referral.id


async def result(gw, referral_id: int, outcome: str) -> None:
    async with gw.switchboard.sessions.begin() as db:
        await record_result(db, await db.get(Referral, referral_id), outcome)


async def web_texts(gw, session: str) -> list[dict]:
    reply = await gw.client.get("/api/webchat/messages?after=0", headers={"X-Webchat-Session": session})
    assert reply.status_code == 200
    return reply.json()["messages"]


def containing(messages: list[dict], words: str) -> list[dict]:
    return [m for m in messages if words in m.get("text", "")]


async def test_a_telegram_resident_hears_seen_not_reached_and_called_once_each(tmp_path, monkeypatch):
    """The partner's receipt makes the referral `seen`, the console records a failed try and then
    a call: each becomes one line on Telegram, never repeated by later rounds."""
    chat = 5150
    received: list[dict] = []
    async with running_fake_telegram() as telegram, serve(partner_app(received)) as partner_url:
        partners = write(tmp_path, f"partners:\n  - team: {TEAM}\n    url: {partner_url}/referrals\n"
                                   f"    secret: {PARTNER_SECRET}\n")
        monkeypatch.setenv("VOORDEUR_REFERRAL_PARTNERS", str(partners))
        async with running_gateway(tmp_path, dead_url(), extra_env=telegram_env(telegram)) as gw:
            await telegram.wait_for_call("getUpdates")
            telegram.push(telegram.text_update(chat, "ik heb schulden"))
            first = await telegram.wait_for_sent(1, chat)  # the assistant is away: "even geduld"
            referral_id = await accepted(gw, await conversation_of(gw, "telegram", str(chat)))
            async with gw.switchboard.sessions() as db:
                deadline = (await db.get(Referral, referral_id)).deadline

            sent = await telegram.wait_for_sent(len(first) + 1, chat)  # delivered, receipt "seen"
            assert sent[-1]["text"] == f"{SERVICE} heeft je aanvraag gezien. Ze bellen je uiterlijk op {format_day(deadline)}."

            await result(gw, referral_id, "not_reached")
            sent = await telegram.wait_for_sent(len(first) + 2, chat)
            assert sent[-1]["text"] == f"{SERVICE} heeft je gebeld, maar kon je niet bereiken. Ze proberen het nog een keer."

            await result(gw, referral_id, "called")
            sent = await telegram.wait_for_sent(len(first) + 3, chat)
            assert sent[-1]["text"].startswith(f"{SERVICE} laat weten dat ze je gebeld hebben.")

            assert await tell_residents(gw.switchboard) == 0  # nothing new to tell
            await more_rounds()
            assert len(telegram.sent_to(chat)) == len(first) + 3
    assert len(received) == 1


async def test_a_deadline_passed_without_result_is_said_honestly_and_offers_a_person(tmp_path):
    """Web chat: the line is stored for the page, once, with the assistant's own person button."""
    async with running_gateway(tmp_path, dead_url()) as gw:
        session = "w" + "d" * 32
        await gw.say(session, "ik heb schulden")
        conversation_id = await conversation_of(gw, "webchat", session)
        referral_id = await accepted(gw, conversation_id, now=datetime.now(UTC) - timedelta(days=14))
        async with gw.switchboard.sessions() as db:
            deadline = (await db.get(Referral, referral_id)).deadline

        async def told() -> list[dict]:
            return containing(await web_texts(gw, session), "zou je uiterlijk op")

        lines = await wait_until(told, timeout=20)  # the background loop told it by itself
        assert lines[0]["text"].startswith(f"{SERVICE} zou je uiterlijk op {format_day(deadline)} bellen.")
        assert "nog niet laten weten" in lines[0]["text"]
        assert [b["payload"] for b in lines[0]["buttons"]] == [PERSON]
        await more_rounds()
        assert await tell_residents(gw.switchboard) == 0
        assert len(await told()) == 1

        # The service still calls afterwards: the resident hears that too.
        await result(gw, referral_id, "appointment")
        lines = await wait_until(lambda: _with(gw, session, "afspraak met ze hebt"), timeout=20)
        assert len(lines) == 1


async def _with(gw, session: str, words: str) -> list[dict]:
    return containing(await web_texts(gw, session), words)


async def test_a_withdrawn_referral_says_nothing_more(tmp_path):
    async with running_gateway(tmp_path, dead_url()) as gw:
        session = "w" + "e" * 32
        await gw.say(session, "ik heb schulden")
        before = len(await web_texts(gw, session))
        await accepted(gw, await conversation_of(gw, "webchat", session),
                       now=datetime.now(UTC) - timedelta(days=14), then_withdrawn=True)
        assert await tell_residents(gw.switchboard) == 0
        await more_rounds()
        assert len(await web_texts(gw, session)) == before


async def test_two_replicas_tell_the_resident_once(tmp_path):
    """Two gateways on one PostgreSQL database, both running their background loops."""
    if not await postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    async with fresh_postgres_database() as url, \
            running_gateway(tmp_path / "a", dead_url(), database_url=url) as a, \
            running_gateway(tmp_path / "b", dead_url(), database_url=url) as b:
        session = "w" + "f" * 32
        await a.say(session, "ik heb schulden")
        referral_id = await accepted(a, await conversation_of(a, "webchat", session))
        await result(a, referral_id, "not_reached")
        for _ in range(3):  # besides both background loops, called by hand at the same moment
            await asyncio.gather(tell_residents(a.switchboard), tell_residents(b.switchboard))
        await more_rounds()
        assert len(await _with(b, session, "kon je niet bereiken")) == 1
