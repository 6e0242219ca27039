"""Frontline workers take handovers in the console (HTTP level: roles, claims, security)."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

from sqlalchemy import select

from bot.needs.models import NeedEvent
from bot.store.models import AccessLog, Conversation
from tests.handover.conftest import csrf_of, login


def session_id() -> str:
    return "r-" + uuid.uuid4().hex[:12]


def staff_the_desk(gateway, hours: str) -> None:
    """The running gateway's desk hours, as if started with VOORDEUR_DESK_HOURS=hours."""
    gateway.switchboard.settings = dataclasses.replace(gateway.switchboard.settings, desk_hours=hours)


async def waiting_conversation(gateway, text: str = "ik wil graag een medewerker spreken") -> int:
    sid = session_id()
    body = await gateway.say(sid, text)
    assert body["state"] == "waiting_for_human"
    async with gateway.switchboard.sessions() as db:
        return (await db.scalars(select(Conversation.id).order_by(Conversation.id.desc()))).first()


async def test_resident_is_told_a_person_will_answer_with_an_honest_wait(staff):
    staff_the_desk(staff, "mon-sun 00:00-23:59")
    body = await staff.say(session_id(), "mag ik een echt mens spreken")
    text = " ".join(m["text"] for m in body["messages"])
    assert body["state"] == "waiting_for_human"
    assert "medewerker" in text and "minuten" in text


async def test_out_of_hours_says_when_someone_answers_and_shows_crisis_numbers(staff):
    staff_the_desk(staff, "mon 00:00-00:01")  # as good as always closed
    body = await staff.say(session_id(), "ik wil een medewerker")
    text = " ".join(m["text"] for m in body["messages"])
    assert "Er is nu geen medewerker" in text and "112" in text and "0800-0113" in text


async def test_crisis_is_answered_first_then_queued_as_urgent(staff):
    sid = session_id()
    body = await staff.say(sid, "mijn man slaat me en ik durf niet naar huis")
    assert "0800-2000" in body["messages"][0]["text"]
    assert body["state"] == "waiting_for_human"
    async with staff.switchboard.sessions() as db:
        conversation = (await db.scalars(select(Conversation).order_by(Conversation.id.desc()))).first()
    assert conversation.urgent and conversation.handover_reason == "crisis"


async def test_two_turns_not_understood_hand_over(staff):
    sid = session_id()
    first = await staff.say(sid, "🙂")
    assert first["state"] == "bot"
    second = await staff.say(sid, "🙃🙃")
    assert second["state"] == "waiting_for_human"


async def test_two_workers_claim_at_once_and_exactly_one_wins(staff):
    conversation_id = await waiting_conversation(staff)
    sanne, joost = await login(staff, "sanne"), await login(staff, "joost")
    tokens = [await csrf_of(sanne), await csrf_of(joost)]
    results = await asyncio.gather(*[
        client.post(f"/console/conversations/{conversation_id}/claim", data={"csrf": token})
        for client, token in zip((sanne, joost), tokens)
    ])
    assert sorted(r.status_code for r in results) == [303, 409]
    async with staff.switchboard.sessions() as db:
        conversation = await db.get(Conversation, conversation_id)
    assert conversation.state == "with_human" and conversation.assigned_to is not None


async def test_worker_reply_reaches_the_resident_marked_as_a_person(staff):
    sid = session_id()
    await staff.say(sid, "mag ik een medewerker spreken")
    async with staff.switchboard.sessions() as db:
        conversation_id = (await db.scalars(select(Conversation.id).order_by(Conversation.id.desc()))).first()
    sanne = await login(staff, "sanne")
    token = await csrf_of(sanne)
    assert (await sanne.post(f"/console/conversations/{conversation_id}/claim", data={"csrf": token})).status_code == 303
    await sanne.post(f"/console/conversations/{conversation_id}/reply", data={"csrf": token, "text": "Ik bel je morgen."})
    got = (await staff.client.get(f"/api/webchat/{sid}/messages")).json()
    human = [m for m in got["messages"] if m["from"] == "human"]
    assert human[-1]["text"] == "Ik bel je morgen." and got["state"] == "with_human"
    # The resident's next message goes to the worker, not the assistant.
    body = await staff.say(sid, "dank je wel")
    assert body["messages"] == []


async def test_close_records_a_need_event_and_hands_back(staff):
    conversation_id = await waiting_conversation(staff, "ik heb schulden, mag ik een medewerker")
    sanne = await login(staff, "sanne")
    token = await csrf_of(sanne)
    await sanne.post(f"/console/conversations/{conversation_id}/claim", data={"csrf": token})
    response = await sanne.post(f"/console/conversations/{conversation_id}/close",
                                data={"csrf": token, "outcome": "waiting_list", "intent": "debt_bills"})
    assert response.status_code == 303
    async with staff.switchboard.sessions() as db:
        events = list(await db.scalars(select(NeedEvent)))
        conversation = await db.get(Conversation, conversation_id)
    assert [(e.intent, e.outcome, e.theme) for e in events][-1] == ("debt_bills", "waiting_list", "schulden")
    assert conversation.state == "closed"


async def test_manager_is_refused_transcripts_and_the_queue(staff):
    conversation_id = await waiting_conversation(staff)
    mira = await login(staff, "mira")
    assert mira.last_login.headers["location"] == "/dashboard"
    assert (await mira.get(f"/console/conversations/{conversation_id}")).status_code == 403
    assert (await mira.get("/console")).status_code == 403
    assert (await mira.get("/console/queue")).status_code == 403


async def test_anonymous_and_wrong_roles_are_refused_everywhere(staff):
    conversation_id = await waiting_conversation(staff)
    anonymous = staff.client
    for path in ("/console", "/console/queue", f"/console/conversations/{conversation_id}", "/console/admin"):
        assert (await anonymous.get(path)).status_code in (401, 303)
    sanne = await login(staff, "sanne")
    assert (await sanne.get("/console/admin")).status_code == 403


async def test_forms_without_the_csrf_token_are_refused(staff):
    conversation_id = await waiting_conversation(staff)
    sanne = await login(staff, "sanne")
    response = await sanne.post(f"/console/conversations/{conversation_id}/claim", data={"csrf": "forged"})
    assert response.status_code == 403
    async with staff.switchboard.sessions() as db:
        assert (await db.get(Conversation, conversation_id)).state == "waiting_for_human"


async def test_login_is_rate_limited(staff):
    for _ in range(5):
        client = await login(staff, "sanne", "wrong password!")
        assert client.last_login.status_code == 401
    blocked = await login(staff, "sanne")  # even the right password, for a while
    assert blocked.last_login.status_code == 429


async def test_every_opening_is_in_the_access_log_for_admins(staff):
    conversation_id = await waiting_conversation(staff)
    sanne = await login(staff, "sanne")
    await sanne.get(f"/console/conversations/{conversation_id}")
    async with staff.switchboard.sessions() as db:
        entries = list(await db.scalars(select(AccessLog).where(AccessLog.conversation_id == conversation_id)))
    assert [(e.username, e.action) for e in entries] == [("sanne", "open")] and entries[0].reason
    admin = await login(staff, "admin")
    page = await admin.get("/console/admin")
    assert page.status_code == 200 and "sanne" in page.text and "open" in page.text


async def test_resident_is_reminded_when_nobody_claims(staff, monkeypatch):
    from datetime import timedelta

    from bot.store.models import utcnow

    sid = session_id()
    await staff.say(sid, "ik wil een medewerker")
    async with staff.switchboard.sessions.begin() as db:
        conversation = (await db.scalars(select(Conversation).order_by(Conversation.id.desc()))).first()
        conversation.handover_at = utcnow() - timedelta(hours=1)
    assert await staff.switchboard.remind_waiting() == 1
    got = (await staff.client.get(f"/api/webchat/{sid}/messages")).json()
    assert "We zijn je niet vergeten" in got["messages"][-1]["text"]
    assert await staff.switchboard.remind_waiting() == 0  # not every round


async def test_closing_with_a_referral_names_the_service_from_the_directory(staff):
    from bot.store.models import DirectoryService

    sid = session_id()
    await staff.say(sid, "mag ik een medewerker spreken")
    async with staff.switchboard.sessions() as db:
        conversation_id = (await db.scalars(select(Conversation.id).order_by(Conversation.id.desc()))).first()
        service = (await db.scalars(select(DirectoryService).where(DirectoryService.intents.contains("debt_food")))).first()
    assert service is not None  # the directory was loaded into the database at start
    sanne = await login(staff, "sanne")
    token = await csrf_of(sanne)
    await sanne.post(f"/console/conversations/{conversation_id}/claim", data={"csrf": token})
    page = await sanne.get(f"/console/conversations/{conversation_id}")
    assert service.name in page.text
    await sanne.post(f"/console/conversations/{conversation_id}/close",
                     data={"csrf": token, "outcome": "referred", "intent": "debt_food", "service": service.id})
    got = (await staff.client.get(f"/api/webchat/{sid}/messages")).json()
    assert any(service.name in m["text"] and m["from"] == "human" for m in got["messages"])


async def test_a_need_with_a_request_for_a_person_goes_to_a_person_with_the_need_kept(staff):
    body = await staff.say(session_id(), "ik wil iemand spreken over mijn schulden")
    assert body["state"] == "waiting_for_human"
    async with staff.switchboard.sessions() as db:
        conversation = (await db.scalars(select(Conversation).order_by(Conversation.id.desc()))).first()
    assert conversation.last_intent.startswith("debt_")


async def test_a_need_without_asking_for_a_person_is_routed_by_the_assistant(staff):
    body = await staff.say(session_id(), "ik heb heel veel schulden en de rekeningen stapelen zich op")
    assert body["state"] == "bot"
