"""Erase (bot/erase.py): everything about one resident goes, in the gateway and in Rasa;
other residents and the need log stay."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.erase import ERASED_REASON, erase_resident
from bot.needs.models import NeedEvent
from bot.retention import delete_expired
from bot.store.models import AccessLog, Conversation, Message, Note, PendingForget
from tests.conftest import dead_url

pytestmark = pytest.mark.rasa


async def count(gateway, model, *where) -> int:
    async with gateway.switchboard.sessions() as db:
        return await db.scalar(select(func.count()).select_from(model).where(*where))


async def rasa_events(rasa_url: str, sender: str) -> list[dict]:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{rasa_url}/conversations/{sender}/tracker",
                                    params={"token": "test-token", "include_events": "ALL"})
    assert response.status_code == 200, response.text
    return response.json().get("events") or []


def user_events(events: list[dict]) -> list[dict]:
    return [e for e in events if e.get("event") == "user"]


def texts(events: list[dict]) -> list[str]:
    return [e["text"] for e in events if e.get("event") == "user" and e.get("text")]


async def test_erase_deletes_the_resident_everywhere_and_nobody_else(gateway, rasa_server):
    sb = gateway.switchboard
    await gateway.say("erase-me-0001", "ik heb schulden en ik woon in de schilderswijk")
    await gateway.say("erase-me-0001", "mag ik een medewerker spreken")
    await gateway.say("keep-me-00001", "de buren maken herrie")
    me = sb.pseudonym("webchat", "erase-me-0001")
    other = sb.pseudonym("webchat", "keep-me-00001")
    async with sb.sessions.begin() as db:
        mine = await db.scalar(select(Conversation.id).where(Conversation.resident == me))
        theirs = await db.scalar(select(Conversation.id).where(Conversation.resident == other))
        db.add(Note(conversation_id=mine, author="Sanne", text="belt morgen terug"))
        db.add(AccessLog(username="sanne", conversation_id=mine, action="open", reason="test"))
        db.add(AccessLog(username="sanne", conversation_id=theirs, action="open", reason="test"))
        db.add(Message(conversation_id=mine, direction="out", sender="human", text="nog niet bezorgd",
                       status="failed"))  # a delivery still being retried
    assert user_events(await rasa_events(rasa_server.url, me))  # Rasa has a tracker for the resident
    needs_before = await count(gateway, NeedEvent)

    erased = await erase_resident(sb.sessions, sb.rasa, "webchat", me)

    assert erased.found and erased.assistant
    assert erased.notes == 1 and erased.access_log == 1 and erased.messages >= 4
    assert await count(gateway, Conversation, Conversation.resident == me) == 0
    assert await count(gateway, Message, Message.conversation_id == mine) == 0
    assert await count(gateway, Note, Note.conversation_id == mine) == 0
    assert await count(gateway, AccessLog, AccessLog.conversation_id == mine) == 0
    # Who read it stays (accountability), unlinked: no conversation, no reason that could name anyone.
    assert await count(gateway, AccessLog, AccessLog.conversation_id.is_(None), AccessLog.username == "sanne",
                       AccessLog.reason == ERASED_REASON) == 1
    assert user_events(await rasa_events(rasa_server.url, me)) == []  # Rasa forgot the sender
    # The other resident and the anonymous need log are untouched.
    assert await count(gateway, Message, Message.conversation_id == theirs) >= 2
    assert await count(gateway, AccessLog, AccessLog.conversation_id == theirs) == 1
    assert user_events(await rasa_events(rasa_server.url, other)) != []
    assert await count(gateway, NeedEvent) == needs_before

    # Erasing again (or a resident never seen) is fine and finds nothing.
    again = await erase_resident(sb.sessions, sb.rasa, "webchat", me)
    assert not again.found and again.assistant


async def test_erase_works_while_rasa_is_down_and_says_so(gateway_without_rasa):
    sb = gateway_without_rasa.switchboard
    await gateway_without_rasa.say("erase-me-0002", "ik heb schulden")  # kept as pending
    me = sb.pseudonym("webchat", "erase-me-0002")
    erased = await erase_resident(sb.sessions, sb.rasa, "webchat", me)
    assert erased.found and not erased.assistant
    assert await count(gateway_without_rasa, Message) == 0  # the pending message went too
    assert await count(gateway_without_rasa, PendingForget, PendingForget.resident == me) == 1


async def test_an_erase_while_rasa_was_away_reaches_rasa_later(gateway, rasa_server):
    sb = gateway.switchboard
    await gateway.say("erase-later-01", "ik heb schulden")
    me = sb.pseudonym("webchat", "erase-later-01")
    reachable = sb.rasa.base_url
    sb.rasa.base_url = dead_url()  # Rasa away at the moment of the erase
    try:
        erased = await erase_resident(sb.sessions, sb.rasa, "webchat", me)
    finally:
        sb.rasa.base_url = reachable
    assert erased.found and not erased.assistant
    assert user_events(await rasa_events(rasa_server.url, me))  # Rasa still has the tracker

    expired = await delete_expired(sb.sessions, rasa=sb.rasa)  # the hourly job, Rasa back

    assert expired.assistant_forgot == 1
    assert user_events(await rasa_events(rasa_server.url, me)) == []
    assert await count(gateway, PendingForget) == 0


async def test_erased_text_is_not_left_in_the_sqlite_files(gateway_without_rasa):
    """The rows go, and so do their bytes: not in free pages of the database file, not in the
    write-ahead log (-wal) that a file backup would copy."""
    engine = gateway_without_rasa.app.state.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite files only")
    sb = gateway_without_rasa.switchboard
    secret = "Erasepersoon-Uniek-7319"
    await gateway_without_rasa.say("erase-me-0003", f"mijn naam is {secret} en ik heb schulden")
    database = Path(engine.url.database)
    files = [p for p in database.parent.glob(database.name + "*")]
    assert any(secret.encode() in p.read_bytes() for p in files)  # stored first, as always
    await erase_resident(sb.sessions, None, "webchat", sb.pseudonym("webchat", "erase-me-0003"))
    leftovers = [p.name for p in database.parent.glob(database.name + "*") if secret.encode() in p.read_bytes()]
    assert leftovers == []
