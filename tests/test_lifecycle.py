"""The conversation lifecycle: every transition, and the moves it refuses (real SQLite, no Rasa)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot import lifecycle
from bot.lifecycle import IllegalTransition, State
from bot.needs.log import InvalidNeed
from bot.needs.models import NeedEvent
from bot.store.case import CASE_COLUMNS, CONVERSATIONS, Case
from bot.store.db import create_tables, make_engine, make_sessionmaker
from bot.store.models import Conversation, Note, User


@pytest.fixture
async def sessions(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'lifecycle.db'}")
    await create_tables(engine)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def people(sessions):
    async with sessions.begin() as db:
        users = [
            User(username="sanne", display_name="Sanne", role="worker", password_hash="x"),
            User(username="joost", display_name="Joost", role="worker", password_hash="x"),
            User(username="mira", display_name="Mira", role="manager", password_hash="x"),
            User(username="oud", display_name="Oud", role="worker", password_hash="x", active=False),
        ]
        db.add_all(users)
    return {u.username: u for u in users}


async def new_conversation(sessions, state: State = State.BOT, **fields) -> int:
    async with sessions.begin() as db:
        conversation = Conversation(channel="webchat", resident=uuid.uuid4().hex, state=state.value, **fields)
        db.add(conversation)
    return conversation.id


async def load(sessions, conversation_id: int) -> Conversation:
    async with sessions() as db:
        return await db.get(Conversation, conversation_id)


async def with_worker(sessions, user: User) -> int:
    return await new_conversation(sessions, State.WITH_HUMAN, assigned_to=user.id)


def test_states_are_the_strings_stored_and_in_the_web_chat_contract():
    assert [s.value for s in State] == ["bot", "waiting_for_human", "with_human", "closed"]
    assert State.WAITING == "waiting_for_human"  # compares equal to the stored string


async def test_asking_for_a_person_joins_the_queue(sessions):
    cid = await new_conversation(sessions)
    async with sessions.begin() as db:
        change = await lifecycle.ask_for_person(db, await db.get(Conversation, cid), "ask_human")
    assert (change.before, change.after, change.resumes_assistant) == (State.BOT, State.WAITING, False)
    conversation = await load(sessions, cid)
    assert conversation.state == State.WAITING and conversation.handover_reason == "ask_human"
    assert conversation.handover_at is not None and not conversation.urgent


async def test_asking_again_while_waiting_does_not_move_but_a_crisis_makes_it_urgent(sessions):
    cid = await new_conversation(sessions, State.WAITING, handover_reason="ask_human")
    async with sessions.begin() as db:
        change = await lifecycle.ask_for_person(db, await db.get(Conversation, cid), "crisis", urgent=True)
    assert not change.moved
    conversation = await load(sessions, cid)
    assert conversation.urgent and conversation.handover_reason == "ask_human"


async def test_a_closed_conversation_can_ask_for_a_person_again(sessions):
    cid = await new_conversation(sessions, State.CLOSED)
    async with sessions.begin() as db:
        change = await lifecycle.ask_for_person(db, await db.get(Conversation, cid), "crisis", urgent=True)
    assert change.after == State.WAITING and (await load(sessions, cid)).urgent


async def test_leaving_the_queue_returns_to_the_assistant_and_forgets_the_request(sessions, people):
    cid = await new_conversation(sessions, State.WAITING, handover_reason="ask_human", team="schuldhulp", urgent=True)
    async with sessions.begin() as db:
        change = await lifecycle.leave_queue(db, await db.get(Conversation, cid))
    assert (change.before, change.after) == (State.WAITING, State.BOT)
    conversation = await load(sessions, cid)
    assert conversation.state == State.BOT and conversation.handover_reason is None
    assert conversation.team is None and not conversation.urgent
    taken = await with_worker(sessions, people["sanne"])  # once a worker has it, it stays with them
    async with sessions.begin() as db:
        assert not (await lifecycle.leave_queue(db, await db.get(Conversation, taken))).moved
    assert (await load(sessions, taken)).state == State.WITH_HUMAN


async def test_two_workers_claim_at_once_and_exactly_one_wins(sessions, people):
    cid = await new_conversation(sessions, State.WAITING)

    async def try_claim(user: User) -> bool:
        async with sessions.begin() as db:
            return await lifecycle.claim(db, cid, user)

    results = await asyncio.gather(try_claim(people["sanne"]), try_claim(people["joost"]))
    assert sorted(results) == [False, True]
    conversation = await load(sessions, cid)
    winner = people["sanne"] if results[0] else people["joost"]
    assert conversation.state == State.WITH_HUMAN and conversation.assigned_to == winner.id


async def test_claim_takes_a_loaded_conversation_and_refreshes_it(sessions, people):
    cid = await new_conversation(sessions, State.WAITING)
    async with sessions.begin() as db:
        conversation = await db.get(Conversation, cid)
        assert await lifecycle.claim(db, conversation, people["sanne"])
        assert conversation.state == State.WITH_HUMAN


async def test_a_message_that_read_the_conversation_before_a_claim_does_not_undo_it(sessions, people):
    """A resident's message reads its conversation as a Case, then the assistant answers; a worker
    who claims it meanwhile keeps it: the message writes only what it changed."""
    cid = await new_conversation(sessions, State.WAITING)
    async with sessions() as db:
        case = Case.of((await db.execute(select(*CASE_COLUMNS).where(CONVERSATIONS.c.id == cid))).one()._mapping)
    async with sessions.begin() as db:
        assert await lifecycle.claim(db, cid, people["sanne"])
    async with sessions.begin() as db:
        case.last_intent, case.needs = "debt_bills", ["debt_bills"]
        await lifecycle.ask_for_person(db, case, "crisis", urgent=True)  # it waits, as far as the Case knows
        await case.write(db)
    conversation = await load(sessions, cid)
    assert conversation.state == State.WITH_HUMAN and conversation.assigned_to == people["sanne"].id
    assert conversation.last_intent == "debt_bills" and conversation.needs == ["debt_bills"] and conversation.urgent


async def test_only_a_waiting_conversation_can_be_claimed(sessions, people):
    for state in (State.BOT, State.WITH_HUMAN, State.CLOSED):
        cid = await new_conversation(sessions, state)
        async with sessions.begin() as db:
            assert not await lifecycle.claim(db, cid, people["sanne"])
        assert (await load(sessions, cid)).state == state


async def test_hand_back_returns_the_conversation_to_the_assistant(sessions, people):
    cid = await with_worker(sessions, people["sanne"])
    async with sessions.begin() as db:
        change = await lifecycle.hand_back(db, await db.get(Conversation, cid), people["sanne"])
    assert change.after == State.BOT and change.resumes_assistant
    assert change.notice == "utter_gateway_handback"
    conversation = await load(sessions, cid)
    assert conversation.state == State.BOT and conversation.assigned_to is None


async def test_hand_back_after_a_team_transfer_forgets_the_team(sessions, people):
    """A later request for a person must not land in the queue of a team that had it once."""
    cid = await with_worker(sessions, people["sanne"])
    async with sessions.begin() as db:
        conversation = await db.get(Conversation, cid)
        conversation.team = "schuldhulp"
        await lifecycle.hand_back(db, conversation, people["sanne"])
    assert (await load(sessions, cid)).team is None


async def test_only_the_worker_who_has_it_can_hand_back_close_or_transfer(sessions, people):
    cid = await with_worker(sessions, people["sanne"])
    joost = people["joost"]
    async with sessions() as db:
        conversation = await db.get(Conversation, cid)
        with pytest.raises(IllegalTransition):
            await lifecycle.hand_back(db, conversation, joost)
        with pytest.raises(IllegalTransition):
            await lifecycle.close(db, conversation, joost, "helped", "debt_bills")
        with pytest.raises(IllegalTransition):
            await lifecycle.transfer(db, conversation, joost, to_team="schuldhulp")
    conversation = await load(sessions, cid)
    assert conversation.state == State.WITH_HUMAN and conversation.assigned_to == people["sanne"].id


async def test_a_waiting_or_bot_conversation_cannot_be_handed_back_or_closed_by_a_worker(sessions, people):
    for state in (State.BOT, State.WAITING, State.CLOSED):
        cid = await new_conversation(sessions, state, assigned_to=people["sanne"].id)
        async with sessions() as db:
            conversation = await db.get(Conversation, cid)
            with pytest.raises(IllegalTransition, match=state.value):
                await lifecycle.hand_back(db, conversation, people["sanne"])
            with pytest.raises(IllegalTransition):
                await lifecycle.close(db, conversation, people["sanne"], "helped", "debt_bills")


async def test_transfer_to_a_colleague_stays_with_a_person(sessions, people):
    cid = await with_worker(sessions, people["sanne"])
    async with sessions.begin() as db:
        change = await lifecycle.transfer(db, await db.get(Conversation, cid), people["sanne"],
                                          to_user=people["joost"], note="Belt morgen terug")
    assert change.after == State.WITH_HUMAN and not change.resumes_assistant
    assert change.notice == "utter_gateway_transfer"
    conversation = await load(sessions, cid)
    assert conversation.assigned_to == people["joost"].id
    async with sessions() as db:
        notes = list(await db.scalars(select(Note.text).where(Note.conversation_id == cid)))
    assert notes == ["Belt morgen terug"]


async def test_transfer_to_a_team_puts_it_back_in_the_queue(sessions, people):
    cid = await with_worker(sessions, people["sanne"])
    async with sessions.begin() as db:
        change = await lifecycle.transfer(db, await db.get(Conversation, cid), people["sanne"], to_team="schuldhulp")
    assert (change.before, change.after) == (State.WITH_HUMAN, State.WAITING)
    assert not change.resumes_assistant
    conversation = await load(sessions, cid)
    assert conversation.team == "schuldhulp" and conversation.assigned_to is None


async def test_a_team_transfer_keeps_the_residents_place_in_the_queue(sessions, people):
    waited_since = datetime(2026, 11, 23, 7, 17, tzinfo=timezone.utc).replace(tzinfo=None)
    cid = await new_conversation(sessions, State.WITH_HUMAN, assigned_to=people["sanne"].id, handover_at=waited_since)
    async with sessions.begin() as db:
        await lifecycle.transfer(db, await db.get(Conversation, cid), people["sanne"], to_team="schuldhulp")
    assert (await load(sessions, cid)).handover_at == waited_since


async def test_transfer_refuses_a_manager_an_inactive_worker_and_no_target(sessions, people):
    cid = await with_worker(sessions, people["sanne"])
    async with sessions() as db:
        conversation = await db.get(Conversation, cid)
        for kwargs in ({"to_user": people["mira"]}, {"to_user": people["oud"]}, {},
                       {"to_user": people["joost"], "to_team": "x"}, {"to_team": "  "}):
            with pytest.raises(IllegalTransition):
                await lifecycle.transfer(db, conversation, people["sanne"], **kwargs)


async def test_close_records_the_need_with_its_outcome(sessions, people):
    cid = await with_worker(sessions, people["sanne"])
    async with sessions.begin() as db:
        change = await lifecycle.close(db, await db.get(Conversation, cid), people["sanne"],
                                       "waiting_list", "debt_bills")
    assert change.after == State.CLOSED and change.resumes_assistant and change.notice == "utter_gateway_closed"
    async with sessions() as db:
        events = list(await db.scalars(select(NeedEvent)))
    assert [(e.intent, e.outcome, e.theme) for e in events] == [("debt_bills", "waiting_list", "schulden")]
    conversation = await load(sessions, cid)
    assert conversation.state == State.CLOSED and conversation.assigned_to is None


async def test_close_with_an_unknown_outcome_or_need_changes_nothing(sessions, people):
    cid = await with_worker(sessions, people["sanne"])
    async with sessions() as db:
        conversation = await db.get(Conversation, cid)
        with pytest.raises(IllegalTransition):
            await lifecycle.close(db, conversation, people["sanne"], "vergeten", "debt_bills")
        with pytest.raises(InvalidNeed):
            await lifecycle.close(db, conversation, people["sanne"], "helped", "no_such_intent")
        assert conversation.state == State.WITH_HUMAN


@pytest.mark.parametrize("state", list(State))
async def test_the_resident_can_close_in_every_state(sessions, state):
    cid = await new_conversation(sessions, state, urgent=True)
    async with sessions.begin() as db:
        change = await lifecycle.close_by_resident(db, await db.get(Conversation, cid))
    assert change.after == State.CLOSED and change.resumes_assistant == (state in lifecycle.HUMAN_STATES)
    conversation = await load(sessions, cid)
    assert conversation.state == State.CLOSED and not conversation.urgent


async def test_a_new_message_reopens_a_closed_conversation_only(sessions):
    closed = await new_conversation(sessions, State.CLOSED, team="schuldhulp")
    waiting = await new_conversation(sessions, State.WAITING)
    async with sessions.begin() as db:
        reopened = await lifecycle.reopen(db, await db.get(Conversation, closed))
        untouched = await lifecycle.reopen(db, await db.get(Conversation, waiting))
    assert (reopened.before, reopened.after) == (State.CLOSED, State.BOT)
    assert not untouched.moved
    assert (await load(sessions, closed)).team is None
    assert (await load(sessions, waiting)).state == State.WAITING


async def test_erase_takes_the_conversation_out_of_the_queue_and_forgets_its_subject(sessions, people):
    cid = await new_conversation(sessions, State.WAITING, urgent=True, last_intent="crisis_suicide",
                                 wijk="Centrum", handover_reason="crisis")
    async with sessions.begin() as db:
        change = await lifecycle.erase(db, await db.get(Conversation, cid))
    assert change.after == State.CLOSED and change.resumes_assistant
    conversation = await load(sessions, cid)
    assert (conversation.state, conversation.urgent, conversation.last_intent, conversation.wijk) == (
        State.CLOSED, False, None, None)
