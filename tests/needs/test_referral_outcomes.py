"""Issue 15.6: how call-back referrals went, counted anonymously and shown with the need log's
small-cell protection.

Counting goes through the referral lifecycle functions (as every caller does): each stage once
per referral, in the week it happened, per wijk, service and theme, with nothing that joins the
count to the referral; erasing the conversation keeps the counts. Publishing: the same two
attackers as tests/needs/test_suppress.py over everything the dashboard shows of a year
(months, quarters and the year), and the differencing of two periods."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import inspect, select

from bot.erase import erase_resident
from bot.needs.models import ReferralOutcome
from bot.referrals.lifecycle import WrongState, accept, decline, mark_overdue, offer, record_result, withdraw
from bot.referrals.models import Referral
from bot.retention import delete_expired
from tests.referrals.conftest import SECRET, conversation_id, directory, sessions  # noqa: F401

MONDAY = datetime(2026, 3, 9, 9, 0)  # week 11; two working days: deadline Wednesday 11 March
THURSDAY = datetime(2026, 3, 12, 9, 0)  # the day after the deadline, same week
NEXT_MONDAY = datetime(2026, 3, 16, 9, 0)  # week 12


async def counts(sessions) -> dict[tuple[str, str, str, str, str], int]:
    async with sessions() as db:
        rows = await db.scalars(select(ReferralOutcome))
        return {(r.week, r.wijk, r.service_id, r.theme, r.stage): r.count for r in rows}


def stages(table: dict) -> dict[str, int]:
    out: dict[str, int] = {}
    for (_, _, _, _, stage), n in table.items():
        out[stage] = out.get(stage, 0) + n
    return out


async def offered(sessions, directory, conversation_id, when=MONDAY) -> int:
    async with sessions.begin() as db:
        return (await offer(db, directory, conversation_id, "schuldhulp", wijk="Noord", now=when)).id


async def consented(sessions, directory, conversation_id, when=MONDAY) -> int:
    referral_id = await offered(sessions, directory, conversation_id, when)
    async with sessions.begin() as db:
        await accept(db, directory, SECRET, await db.get(Referral, referral_id), phone="06-12345678",
                     summary="Schulden, brieven van de deurwaarder.", now=when)
    return referral_id


async def result(sessions, referral_id: int, outcome: str, when: datetime) -> None:
    async with sessions.begin() as db:
        await record_result(db, await db.get(Referral, referral_id), outcome, now=when)


async def test_each_stage_counts_once_in_its_week_wijk_service_and_theme(sessions, directory, conversation_id):
    referral_id = await consented(sessions, directory, conversation_id)
    async with sessions() as db:
        assert (await db.get(Referral, referral_id)).deadline == date(2026, 3, 11)
    for _ in range(2):  # the deadline check runs every hour; it counts a referral once
        async with sessions.begin() as db:
            await mark_overdue(db, now=datetime(2026, 3, 11, 20, 0))  # the deadline day itself: not yet
    assert stages(await counts(sessions)) == {"offered": 1, "accepted": 1}
    for _ in range(2):
        async with sessions.begin() as db:
            newly = await mark_overdue(db, now=THURSDAY)
    assert newly == []  # the second run finds nothing new
    await result(sessions, referral_id, "not_reached", NEXT_MONDAY)  # a first try: the number is kept
    assert stages(await counts(sessions)) == {"offered": 1, "accepted": 1, "overdue": 1}
    await result(sessions, referral_id, "not_reached", NEXT_MONDAY)  # the second try closes it
    table = await counts(sessions)
    assert table == {("2026-W11", "Noord", "schuldhulp", "schulden", "offered"): 1,
                     ("2026-W11", "Noord", "schuldhulp", "schulden", "accepted"): 1,
                     ("2026-W11", "Noord", "schuldhulp", "schulden", "overdue"): 1,
                     ("2026-W12", "Noord", "schuldhulp", "schulden", "not_reached"): 1}
    with pytest.raises(WrongState):  # closed: a late "called" changes nothing
        await result(sessions, referral_id, "called", NEXT_MONDAY)
    assert await counts(sessions) == table


async def test_called_in_time_or_late(sessions, directory, conversation_id):
    on_time = await consented(sessions, directory, conversation_id)
    late = await consented(sessions, directory, conversation_id)
    await result(sessions, on_time, "called", datetime(2026, 3, 11, 16, 59))  # on the deadline day
    await result(sessions, late, "appointment", THURSDAY)
    assert stages(await counts(sessions)) == {"offered": 2, "accepted": 2, "contacted_in_time": 1,
                                              "contacted_late": 1, "overdue": 1}


async def test_a_try_before_the_deadline_is_a_result_not_overdue(sessions, directory, conversation_id):
    referral_id = await consented(sessions, directory, conversation_id)
    await result(sessions, referral_id, "not_reached", datetime(2026, 3, 10, 11, 0))
    async with sessions.begin() as db:
        assert await mark_overdue(db, now=NEXT_MONDAY) == []
    await result(sessions, referral_id, "called", NEXT_MONDAY)
    assert stages(await counts(sessions)) == {"offered": 1, "accepted": 1, "contacted_late": 1}


async def test_decline_and_withdraw_count_once(sessions, directory, conversation_id):
    declined = await offered(sessions, directory, conversation_id)
    async with sessions.begin() as db:
        referral = await decline(db, await db.get(Referral, declined), now=MONDAY)
        assert referral.status == "declined" and referral.phone is None
    async with sessions.begin() as db:
        with pytest.raises(WrongState):
            await decline(db, await db.get(Referral, declined))
    taken_back = await consented(sessions, directory, conversation_id)
    for _ in range(2):
        async with sessions.begin() as db:
            await withdraw(db, await db.get(Referral, taken_back), now=MONDAY)
    no_before_consent = await offered(sessions, directory, conversation_id)  # "stop" during the questions
    async with sessions.begin() as db:
        await withdraw(db, await db.get(Referral, no_before_consent), now=MONDAY)
    assert stages(await counts(sessions)) == {"offered": 3, "accepted": 1, "declined": 2, "withdrawn": 1}
    async with sessions() as db:
        assert (await db.get(Referral, taken_back)).counted == "accepted,offered,withdrawn"


async def test_erase_keeps_the_counts_joined_to_nothing(sessions, directory, conversation_id):
    await consented(sessions, directory, conversation_id)  # open (and past its deadline): erasing withdraws it
    called = await consented(sessions, directory, conversation_id)
    await result(sessions, called, "called", MONDAY)
    before = await counts(sessions)
    erased = await erase_resident(sessions, None, "telegram", "p" * 32)
    assert erased.conversations == 1
    async with sessions() as db:
        assert list(await db.scalars(select(Referral))) == []
    after = await counts(sessions)
    assert stages(after) == {"offered": 2, "accepted": 2, "contacted_in_time": 1, "withdrawn": 1, "overdue": 1}
    assert {k: v for k, v in after.items() if k[-1] not in ("withdrawn", "overdue")} == before
    async with sessions() as db:  # closed fields only: no id, no conversation, no time finer than the week
        columns = await db.run_sync(lambda s: {c["name"] for c in inspect(s.bind).get_columns("referral_outcomes")})
    assert columns == {"week", "wijk", "service_id", "theme", "stage", "count"}


async def test_the_retention_job_counts_overdue_before_it_may_delete(sessions, directory, conversation_id):
    await consented(sessions, directory, conversation_id, when=datetime(2026, 1, 5, 9, 0))
    await delete_expired(sessions, days=30)  # today is long after that deadline
    assert stages(await counts(sessions))["overdue"] == 1


async def test_an_unknown_wijk_is_counted_as_onbekend(sessions, directory, conversation_id):
    async with sessions.begin() as db:
        await offer(db, directory, conversation_id, "schuldhulp", wijk="Ergens 12", now=MONDAY)
    assert await counts(sessions) == {("2026-W11", "onbekend", "schuldhulp", "schulden", "offered"): 1}
