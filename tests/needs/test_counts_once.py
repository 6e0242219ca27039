"""A resident's need counts once, with the wijk they gave (issue 14.3): the assistant's need event
is updated by follow-ups and by the worker's close, never doubled; the link that makes this
possible lives on the conversation side and goes with it.

The assistant's part enters exactly where the action server's instruction enters the gateway
(`Switchboard._apply`, the `{"voordeur": {"need": ...}}` message); the rest is the real gateway,
console and database."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from bot.erase import erase_resident
from bot import lifecycle
from bot.needs.models import CaseNeed, NeedEvent
from bot.needs.report import OUTCOME_NL
from bot.needs.suppress import node, publish
from bot.store.models import Conversation
from tests.handover.conftest import csrf_of, login, make_user, staff  # noqa: F401  (staff: with Rasa)


async def events(gw) -> list[tuple[str, str, str]]:
    async with gw.switchboard.sessions() as db:
        return [(e.wijk, e.intent, e.outcome) for e in await db.scalars(select(NeedEvent).order_by(NeedEvent.id))]


async def links(gw, cid: int) -> list[str]:
    async with gw.switchboard.sessions() as db:
        return list(await db.scalars(select(CaseNeed.intent).where(CaseNeed.conversation_id == cid)))


async def resident(gw) -> tuple[str, int]:
    """A web chat resident with a conversation (the assistant is down, so the message waits)."""
    sid = "n-" + uuid.uuid4().hex[:12]
    await gw.say(sid, "hallo")
    async with gw.switchboard.sessions() as db:
        return sid, (await db.scalars(select(Conversation.id).order_by(Conversation.id.desc()))).first()


async def assistant_says(gw, cid: int, *needs: tuple[str, str, str], handover: bool = False) -> None:
    """What the action server sends: need events (intent, wijk, outcome), then maybe a handover."""
    async with gw.switchboard.sessions.begin() as db:
        conversation = await db.get(Conversation, cid)
        for intent, wijk, outcome in needs:
            await gw.switchboard._apply(db, conversation, {"need": {"intent": intent, "wijk": wijk, "outcome": outcome}})
        if handover:
            await lifecycle.ask_for_person(db, conversation, "ask_human")


async def worker_closes(gw, cid: int, outcome: str, intent: str) -> None:
    worker = await login(gw, "sanne")
    token = await csrf_of(worker)
    assert (await worker.post(f"/console/conversations/{cid}/claim", data={"csrf": token})).status_code == 303
    response = await worker.post(f"/console/conversations/{cid}/close",
                                 data={"csrf": token, "outcome": outcome, "intent": intent})
    assert response.status_code == 303
    await worker.aclose()


async def test_the_chosen_wijk_reaches_the_console_and_a_close_does_not_count_twice(gateway_without_rasa):
    gw = gateway_without_rasa
    await make_user(gw, "sanne", "worker", "Sanne")
    _, cid = await resident(gw)
    await assistant_says(gw, cid, ("nuisance_neighbours", "Westhaven", "no_local_service"), handover=True)
    worker = await login(gw, "sanne")
    assert "Westhaven" in (await worker.get("/console", headers={"accept": "text/html"})).text
    assert "Wijk: Westhaven" in (await worker.get(f"/console/conversations/{cid}")).text
    await worker.aclose()
    await worker_closes(gw, cid, "no_local_service", "nuisance_neighbours")
    assert await events(gw) == [("Westhaven", "nuisance_neighbours", "no_local_service")]
    assert await links(gw, cid) == []  # the case is done: nothing joins the event to it any more


async def test_a_follow_up_and_the_close_update_the_one_event(gateway_without_rasa):
    gw = gateway_without_rasa
    await make_user(gw, "sanne", "worker", "Sanne")
    _, cid = await resident(gw)
    await assistant_says(gw, cid, ("care_loneliness", "Molenwijk", "met"))
    await assistant_says(gw, cid, ("care_loneliness", "onbekend", "waiting_list"), handover=True)  # "wachtlijst"
    assert await events(gw) == [("Molenwijk", "care_loneliness", "waiting_list")]
    # The worker names a closer need of the same theme: that corrects the assistant's event.
    await worker_closes(gw, cid, "helped", "care_mental")
    assert await events(gw) == [("Molenwijk", "care_mental", "met")]


async def test_a_close_with_another_theme_is_a_second_need_and_out_of_scope_is_corrected(gateway_without_rasa):
    gw = gateway_without_rasa
    await make_user(gw, "sanne", "worker", "Sanne")
    _, cid = await resident(gw)
    await assistant_says(gw, cid, ("debt_bills", "Noord", "met"), handover=True)
    await worker_closes(gw, cid, "waiting_list", "nuisance_noise")
    assert await events(gw) == [("Noord", "debt_bills", "met"), ("Noord", "nuisance_noise", "waiting_list")]
    _, other = await resident(gw)
    await assistant_says(gw, other, ("out_of_scope", "onbekend", "out_of_scope"), handover=True)
    await worker_closes(gw, other, "no_local_service", "debt_rent")
    assert (await events(gw))[2:] == [("onbekend", "debt_rent", "no_local_service")]


async def test_a_returning_resident_after_a_close_is_a_new_case(gateway_without_rasa):
    gw = gateway_without_rasa
    await make_user(gw, "sanne", "worker", "Sanne")
    sid, cid = await resident(gw)
    await assistant_says(gw, cid, ("debt_rent", "Centrum", "met"), handover=True)
    await worker_closes(gw, cid, "waiting_list", "debt_rent")
    await gw.say(sid, "ik ben er weer")
    await assistant_says(gw, cid, ("debt_rent", "onbekend", "met"))  # the wijk is still known
    assert await events(gw) == [("Centrum", "debt_rent", "waiting_list"), ("Centrum", "debt_rent", "met")]


async def test_erase_removes_the_link_and_keeps_the_anonymous_event(gateway_without_rasa):
    gw = gateway_without_rasa
    sid, cid = await resident(gw)
    await assistant_says(gw, cid, ("nuisance_noise", "Noord", "out_of_hours"))
    assert await links(gw, cid) == ["nuisance_noise"]
    erased = await erase_resident(gw.switchboard.sessions, None, "webchat", gw.switchboard.pseudonym("webchat", sid))
    assert erased.conversations == 1
    assert await links(gw, cid) == []
    assert await events(gw) == [("Noord", "nuisance_noise", "out_of_hours")]


def test_out_of_hours_is_its_own_category_not_unmet():
    cells = {("Noord", "debt_bills", "out_of_hours"): 12, ("Noord", "debt_bills", "waiting_list"): 11}
    figures = publish({("2026-W05", *leaf): n for leaf, n in cells.items()}, 10)["2026-W05"]
    assert figures[node(theme="schulden", group="niet_geholpen")].value == 11
    assert figures[node(theme="schulden", group="buiten_openingstijden")].value == 12
    assert OUTCOME_NL["out_of_hours"] == "buiten openingstijden, nummer gegeven"


@pytest.mark.rasa
async def test_with_the_real_assistant_the_chosen_wijk_reaches_the_console_and_counts_once(staff):  # noqa: F811
    """Issue 14's case end to end: a neighbour conflict, Westhaven chosen with the button, a
    person asked for, and the worker closes as "geen dienst in de wijk"."""
    before = await events(staff)
    sid = "n-" + uuid.uuid4().hex[:12]
    await staff.say(sid, "ik heb ruzie met de buurman")
    body = await staff.say(sid, '/inform_location{"wijk": "Westhaven"}')
    assert "Westhaven" in " ".join(m["text"] for m in body["messages"])
    assert (await staff.say(sid, "/ask_human"))["state"] == "waiting_for_human"
    async with staff.switchboard.sessions() as db:
        cid = (await db.scalars(select(Conversation.id).order_by(Conversation.id.desc()))).first()
    worker = await login(staff, "sanne")
    assert "Wijk: Westhaven" in (await worker.get(f"/console/conversations/{cid}")).text
    await worker.aclose()
    await worker_closes(staff, cid, "no_local_service", "nuisance_neighbours")
    assert (await events(staff))[len(before):] == [("Westhaven", "nuisance_neighbours", "no_local_service")]
