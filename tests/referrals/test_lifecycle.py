"""A referral from offer to close: consent, the sealed number, the scrubbed summary, the deadline,
withdrawal, a partner's results, retention and erase."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.erase import erase_resident
from bot.retention import delete_expired
from bot.pseudonym import unseal
from bot.referrals.deadline import add_working_days
from bot.referrals.lifecycle import (InvalidSummary, NotOffered, WrongState, accept, expire, offer, record_result,
                                     withdraw)
from bot.referrals.models import Referral
from bot.referrals.phone import InvalidPhone, dutch_phone
from tests.referrals.conftest import SECRET

THURSDAY_BEFORE_CHRISTMAS = datetime(2026, 12, 24, 10, 0)  # then Christmas (Fri), a weekend


@pytest.mark.parametrize("text", ["06-12345678", "06 1234 5678", "+31 6 12345678", "0031612345678", "(06) 12345678"])
def test_dutch_mobile_numbers_in_every_usual_spelling(text):
    assert dutch_phone(text) == "+31612345678"


def test_a_dutch_landline_is_accepted():
    assert dutch_phone("020 - 123 4567") == "+31201234567"


@pytest.mark.parametrize("text", ["12345", "06-1234", "+44 20 7946 0958", "0900-1234567", "bel me maar", ""])
def test_wrong_foreign_or_paid_numbers_are_refused(text):
    with pytest.raises(InvalidPhone):
        dutch_phone(text)


def test_working_days_skip_weekends_and_dutch_holidays():
    assert add_working_days(date(2026, 12, 24), 2) == date(2026, 12, 29)  # Kerst, weekend
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday -> Monday
    assert add_working_days(date(2027, 4, 26), 1) == date(2027, 4, 28)  # Koningsdag 2027 is Tuesday 27 April


async def accepted(sessions, directory, conversation_id, **overrides) -> Referral:
    async with sessions.begin() as db:
        referral = await offer(db, directory, conversation_id, "schuldhulp", wijk="Noord")
        fields = {"phone": "06-12345678", "summary": "Schulden, ik krijg brieven van de deurwaarder.",
                  "call_time": "ochtend", "now": THURSDAY_BEFORE_CHRISTMAS} | overrides
        return await accept(db, directory, SECRET, referral, **fields)


async def stored(sessions, referral_id: int) -> Referral:
    async with sessions() as db:
        return await db.get(Referral, referral_id)


async def test_consent_stores_a_sealed_number_a_scrubbed_summary_and_the_deadline(sessions, directory,
                                                                                 conversation_id):
    referral = await accepted(sessions, directory, conversation_id,
                              summary="Mijn BSN is 111222333 en ik heb schulden bij Jan de Vries.")
    row = await stored(sessions, referral.id)
    assert row.status == "accepted" and row.team == "schuldhulp-terugbel"
    assert row.consent_at == THURSDAY_BEFORE_CHRISTMAS and row.consent_wording == "v1"
    assert "612345678" not in row.phone and unseal(SECRET, row.phone) == "+31612345678"
    assert "111222333" not in row.summary and "[BSN]" in row.summary
    assert row.deadline == date(2026, 12, 29)  # two working days, after Christmas and the weekend


async def test_a_wrong_number_stores_nothing(sessions, directory, conversation_id):
    async with sessions.begin() as db:
        referral = await offer(db, directory, conversation_id, "schuldhulp")
    async with sessions.begin() as db:
        referral = await db.get(Referral, referral.id)
        with pytest.raises(InvalidPhone):
            await accept(db, directory, SECRET, referral, phone="06-1234", summary="Schulden")
    row = await stored(sessions, referral.id)
    assert row.status == "offered" and row.phone is None and row.consent_at is None


async def test_a_summary_the_scrubber_drops_is_refused(sessions, directory, conversation_id):
    async with sessions.begin() as db:
        referral = await offer(db, directory, conversation_id, "schuldhulp")
        with pytest.raises(InvalidSummary):
            await accept(db, directory, SECRET, referral, phone="0612345678", summary="ik heb schulden, dossier 12345")


async def test_a_service_without_a_referral_team_offers_no_call_back(sessions, directory, conversation_id):
    async with sessions.begin() as db:
        with pytest.raises(NotOffered):
            await offer(db, directory, conversation_id, "budgetcoach")


async def test_withdrawing_removes_number_and_summary(sessions, directory, conversation_id):
    referral = await accepted(sessions, directory, conversation_id)
    async with sessions.begin() as db:
        await withdraw(db, await db.get(Referral, referral.id))
    row = await stored(sessions, referral.id)
    assert row.status == "withdrawn" and row.phone is None and row.summary is None and row.call_time is None
    assert row.next_delivery_at is None  # never delivered: the partner needs no withdrawal


async def test_not_reached_keeps_the_number_for_a_second_try_then_removes_it(sessions, directory, conversation_id):
    referral = await accepted(sessions, directory, conversation_id)
    async with sessions.begin() as db:
        await record_result(db, await db.get(Referral, referral.id), "not_reached")
    assert (await stored(sessions, referral.id)).phone is not None
    async with sessions.begin() as db:
        await record_result(db, await db.get(Referral, referral.id), "not_reached")
    row = await stored(sessions, referral.id)
    assert row.not_reached == 2 and row.phone is None and row.summary is None


async def test_an_appointment_closes_the_referral_and_nothing_follows(sessions, directory, conversation_id):
    referral = await accepted(sessions, directory, conversation_id)
    async with sessions.begin() as db:
        await record_result(db, await db.get(Referral, referral.id), "appointment")
    row = await stored(sessions, referral.id)
    assert row.status == "appointment" and row.phone is None and row.closed_at is not None
    async with sessions.begin() as db:
        with pytest.raises(WrongState):
            await record_result(db, await db.get(Referral, referral.id), "called")


async def test_retention_deletes_number_and_summary_after_the_set_days(sessions, directory, conversation_id):
    old = await accepted(sessions, directory, conversation_id)
    fresh = await accepted(sessions, directory, conversation_id)
    async with sessions.begin() as db:
        (await db.get(Referral, old.id)).created_at = datetime.utcnow() - timedelta(days=31)
    async with sessions.begin() as db:
        assert await expire(db, days=30) == 1
    assert (await stored(sessions, old.id)).phone is None and (await stored(sessions, old.id)).summary is None
    assert (await stored(sessions, fresh.id)).phone is not None
    assert (await stored(sessions, old.id)).status == "accepted"  # the outcome stays for the loop


async def test_erase_deletes_the_residents_referrals(sessions, directory, conversation_id):
    await accepted(sessions, directory, conversation_id)
    erased = await erase_resident(sessions, None, "telegram", "p" * 32)
    assert erased.conversations == 1
    async with sessions() as db:
        assert list(await db.scalars(select(Referral))) == []


async def test_the_retention_job_removes_old_numbers_and_summaries(sessions, directory, conversation_id):
    referral = await accepted(sessions, directory, conversation_id)
    async with sessions.begin() as db:
        (await db.get(Referral, referral.id)).created_at = datetime.utcnow() - timedelta(days=31)
    await delete_expired(sessions, days=30)
    row = await stored(sessions, referral.id)
    assert row.phone is None and row.summary is None
