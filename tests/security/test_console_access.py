"""Who may read what in the console (issue 12): a transcript opens only with a reason (the
case is in the worker's queue, it is theirs, or it is a crisis), every read is logged with that
reason, and nothing else can be read, not even by trying ids one by one."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.handover.users import add_user
from bot.store.models import AccessLog
from tests.handover.conftest import PASSWORD, case_of, csrf_of, login, session_id, staff  # noqa: F401 (fixture)


async def waiting_case(gateway, text: str = "ik wil graag een medewerker spreken") -> int:
    sid = session_id()
    body = await gateway.say(sid, text)
    assert body["state"] == "waiting_for_human"
    return await case_of(gateway, sid)


async def reads(gateway, conversation_id: int) -> list[tuple[str, str, str]]:
    async with gateway.switchboard.sessions() as db:
        rows = await db.scalars(select(AccessLog).where(AccessLog.conversation_id == conversation_id)
                                .order_by(AccessLog.id))
        return [(r.username, r.action, r.reason) for r in rows]


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


async def test_a_resident_who_never_asked_for_a_person_cannot_be_read(staff):  # noqa: F811
    sid = session_id()
    body = await staff.say(sid, "hoi, waar kan ik terecht met vragen over mijn huurtoeslag")
    assert body["state"] == "bot"
    conversation_id = await case_of(staff, sid)
    sanne = await login(staff, "sanne")

    page = await sanne.get(f"/console/conversations/{conversation_id}")
    missing = await sanne.get("/console/conversations/999999")
    assert page.status_code == missing.status_code == 404
    assert visible_text(page.text) == visible_text(missing.text)  # nothing tells the two apart
    assert "huurtoeslag" not in page.text
    fragment = await sanne.get(f"/console/conversations/{conversation_id}/transcript")
    assert fragment.status_code == 404 and "huurtoeslag" not in fragment.text
    assert await reads(staff, conversation_id) == []


async def test_sequential_ids_reveal_nothing(staff):  # noqa: F811
    await waiting_case(staff)  # one case a worker may read, to be sure the walk would find it
    for text in ("ik zoek de openingstijden van het stadhuis", "mijn afval wordt niet opgehaald"):
        assert (await staff.say(session_id(), text))["state"] == "bot"
    sanne = await login(staff, "sanne")
    statuses = {}
    for conversation_id in range(1, 8):
        response = await sanne.get(f"/console/conversations/{conversation_id}")
        statuses[conversation_id] = response.status_code
        if response.status_code == 200:
            assert "openingstijden" not in response.text and "afval" not in response.text
    assert sorted(statuses.values()).count(200) == 1, statuses


async def test_a_colleagues_case_is_closed_to_others_and_a_crisis_is_open_to_all(staff):  # noqa: F811
    ordinary = await waiting_case(staff)
    crisis = await waiting_case(staff, "mijn man slaat me en ik durf niet naar huis")
    sanne, joost = await login(staff, "sanne"), await login(staff, "joost")
    token = await csrf_of(sanne)
    for case in (ordinary, crisis):
        assert (await sanne.post(f"/console/conversations/{case}/claim", data={"csrf": token})).status_code == 303

    assert (await joost.get(f"/console/conversations/{ordinary}")).status_code == 404
    joost_token = await csrf_of(joost)
    refused = await joost.post(f"/console/conversations/{ordinary}/reply", data={"csrf": joost_token, "text": "hoi"})
    assert refused.status_code == 404
    page = await joost.get(f"/console/conversations/{crisis}")
    assert page.status_code == 200 and "durf niet naar huis" in page.text
    assert ("joost", "open", "urgent: crisis") in await reads(staff, crisis)
    assert not [r for r in await reads(staff, ordinary) if r[0] == "joost"]


async def test_a_closed_case_cannot_be_read_again(staff):  # noqa: F811
    case = await waiting_case(staff, "ik heb schulden, mag ik een medewerker")
    sanne = await login(staff, "sanne")
    token = await csrf_of(sanne)
    await sanne.post(f"/console/conversations/{case}/claim", data={"csrf": token})
    closed = await sanne.post(f"/console/conversations/{case}/close",
                              data={"csrf": token, "outcome": "helped", "intent": "debt_bills"})
    assert closed.status_code == 303
    assert (await sanne.get(f"/console/conversations/{case}")).status_code == 404


async def test_a_team_transfer_moves_the_case_to_that_team_only(staff):  # noqa: F811
    async with staff.switchboard.sessions.begin() as db:
        await add_user(db, "fatima", PASSWORD, "worker", "Fatima", team="schuldhulp")
    case = await waiting_case(staff, "ik heb schulden, mag ik een medewerker")
    sanne, joost, fatima = await login(staff, "sanne"), await login(staff, "joost"), await login(staff, "fatima")
    token = await csrf_of(sanne)
    await sanne.post(f"/console/conversations/{case}/claim", data={"csrf": token})
    moved = await sanne.post(f"/console/conversations/{case}/transfer", data={"csrf": token, "to": "team:schuldhulp"})
    assert moved.status_code == 303

    assert f'data-conversation="{case}"' not in (await joost.get("/console/queue")).text
    assert (await joost.get(f"/console/conversations/{case}")).status_code == 404
    joost_token = await csrf_of(joost)
    assert (await joost.post(f"/console/conversations/{case}/claim", data={"csrf": joost_token})).status_code == 404

    assert f'data-conversation="{case}"' in (await fatima.get("/console/queue")).text
    fatima_token = await csrf_of(fatima)
    assert (await fatima.post(f"/console/conversations/{case}/claim", data={"csrf": fatima_token})).status_code == 303


async def test_every_read_is_logged_with_its_reason_and_live_refreshes_are_not(staff):  # noqa: F811
    case = await waiting_case(staff)
    sanne = await login(staff, "sanne")
    assert (await sanne.get(f"/console/conversations/{case}")).status_code == 200
    for _ in range(5):
        assert (await sanne.get(f"/console/conversations/{case}/transcript")).status_code == 200
    assert await reads(staff, case) == [("sanne", "open", "in de wachtrij")]

    token = await csrf_of(sanne)
    await sanne.post(f"/console/conversations/{case}/claim", data={"csrf": token})
    await sanne.get(f"/console/conversations/{case}")
    assert [r for r in await reads(staff, case) if r[1] == "open"][-1] == ("sanne", "open", "behandelt dit gesprek")


async def test_transcripts_are_not_stored_by_the_browser(staff):  # noqa: F811
    case = await waiting_case(staff)
    sanne = await login(staff, "sanne")
    for path in (f"/console/conversations/{case}", f"/console/conversations/{case}/transcript"):
        response = await sanne.get(path)
        assert response.status_code == 200 and "no-store" in response.headers["cache-control"]


async def test_a_duplicate_username_gets_a_dutch_sentence_not_a_database_error(staff):  # noqa: F811
    admin = await login(staff, "admin")
    token = await csrf_of(admin, "/console/admin")
    response = await admin.post("/console/admin/users", data={
        "csrf": token, "username": "Sanne", "password": "een lang wachtwoord", "role": "worker"})
    assert response.status_code == 422
    assert "bestaat al" in response.text
    for leak in ("IntegrityError", "UNIQUE", "constraint", "INSERT", "users.username", "sqlite", "psycopg"):
        assert leak.lower() not in response.text.lower()
    short = await admin.post("/console/admin/users", data={
        "csrf": token, "username": "piet", "password": "kort", "role": "worker"})
    assert short.status_code == 422 and "minstens 10 tekens" in short.text and "ValueError" not in short.text
