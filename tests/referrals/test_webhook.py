"""The partner webhook against a real local receiver (uvicorn on 127.0.0.1) running the helper we ship
for partners: signed deliveries, a forged or replayed one refused, retry after the receiver was down,
a duplicate delivery processed once, the receipt marking the referral seen."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import httpx

from bot.referrals.lifecycle import accept, offer, withdraw
from bot.referrals.models import Referral
from bot.referrals.receiver import receiver_app, verify
from bot.referrals.webhook import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, Partner, backoff, deliver_due, sign
from bot.stack import free_port
from tests.fakes.server import serve
from tests.referrals.conftest import SECRET

PARTNER_SECRET = "partner-secret-schuldhulp-0123456789abcdef"
TEAM = "schuldhulp-terugbel"


async def accepted_referral(sessions, directory, conversation_id) -> Referral:
    async with sessions.begin() as db:
        referral = await offer(db, directory, conversation_id, "schuldhulp", wijk="Noord")
        return await accept(db, directory, SECRET, referral, phone="06-12345678",
                            summary="Schulden, brieven van de deurwaarder.", call_time="ochtend")


def partner_app(received: list[dict]):
    """The receiver helper partners use, storing what it takes in `received`."""

    async def handle(data: dict) -> None:
        received.append(data)

    return receiver_app(PARTNER_SECRET, handle)


async def stored(sessions, referral_id: int) -> Referral:
    async with sessions() as db:
        return await db.get(Referral, referral_id)


def test_verify_accepts_our_signature_and_refuses_a_changed_body_an_old_one_or_a_wrong_secret():
    body = b'{"id":"k1"}'
    now = time.time()
    assert verify(PARTNER_SECRET, body, sign(PARTNER_SECRET, body, int(now)), now=now)
    assert not verify(PARTNER_SECRET, b'{"id":"k2"}', sign(PARTNER_SECRET, body, int(now)), now=now)
    assert not verify(PARTNER_SECRET, body, sign(PARTNER_SECRET, body, int(now) - 3600), now=now)  # replay
    assert not verify(PARTNER_SECRET, body, sign("someone-else", body, int(now)), now=now)
    assert not verify(PARTNER_SECRET, body, "garbage", now=now) and not verify(PARTNER_SECRET, body, None)


async def test_a_delivery_reaches_the_partner_and_its_receipt_marks_the_referral_seen(sessions, directory,
                                                                                      conversation_id):
    received: list[dict] = []
    referral = await accepted_referral(sessions, directory, conversation_id)
    async with serve(partner_app(received)) as url:
        partners = {TEAM: Partner(TEAM, url + "/referrals", PARTNER_SECRET)}
        assert await deliver_due(sessions, SECRET, partners) == 1
        assert await deliver_due(sessions, SECRET, partners) == 0  # nothing due any more
    assert len(received) == 1
    data = received[0]
    assert data["id"] == referral.key and data["phone"] == "+31612345678" and data["wijk"] == "Noord"
    assert data["summary"] == "Schulden, brieven van de deurwaarder." and data["consent"]["wording"] == "v1"
    assert data["deadline"] == referral.deadline.isoformat()
    assert (await stored(sessions, referral.id)).status == "seen"


async def test_a_forged_delivery_is_refused_by_the_receiver(sessions):
    received: list[dict] = []
    body = json.dumps({"id": "k1", "status": "new", "phone": "+31612345678"}).encode()
    async with serve(partner_app(received)) as url, httpx.AsyncClient() as client:
        forged = await client.post(url + "/referrals", content=body, headers={
            SIGNATURE_HEADER: sign("guessed-secret", body), IDEMPOTENCY_HEADER: "k1"})
        unsigned = await client.post(url + "/referrals", content=body, headers={IDEMPOTENCY_HEADER: "k1"})
    assert forged.status_code == 401 and unsigned.status_code == 401
    assert received == []


async def test_delivery_is_retried_with_backoff_after_the_receiver_was_down(sessions, directory, conversation_id):
    received: list[dict] = []
    referral = await accepted_referral(sessions, directory, conversation_id)
    port = free_port()
    partners = {TEAM: Partner(TEAM, f"http://127.0.0.1:{port}/referrals", PARTNER_SECRET)}
    first_try = datetime.utcnow()
    assert await deliver_due(sessions, SECRET, partners, now=first_try) == 0  # nobody listens
    row = await stored(sessions, referral.id)
    assert row.status == "accepted" and row.delivery_attempts == 1
    assert row.next_delivery_at == first_try + backoff(1)
    async with serve(partner_app(received), port=port):
        assert await deliver_due(sessions, SECRET, partners, now=first_try + timedelta(seconds=5)) == 0  # not yet
        assert await deliver_due(sessions, SECRET, partners, now=first_try + backoff(1)) == 1
    assert [data["id"] for data in received] == [referral.key]
    row = await stored(sessions, referral.id)
    assert row.status == "seen" and row.next_delivery_at is None


async def test_a_duplicate_delivery_is_processed_once(sessions, directory, conversation_id):
    """The receipt got lost after the partner stored the referral: our retry must not make a second one."""
    received: list[dict] = []
    referral = await accepted_referral(sessions, directory, conversation_id)
    async with serve(partner_app(received)) as url:
        partners = {TEAM: Partner(TEAM, url + "/referrals", PARTNER_SECRET)}
        assert await deliver_due(sessions, SECRET, partners) == 1
        async with sessions.begin() as db:  # as if the receipt never arrived: due again
            (await db.get(Referral, referral.id)).next_delivery_at = datetime.utcnow()
        assert await deliver_due(sessions, SECRET, partners) == 1
    assert len(received) == 1


async def test_a_withdrawal_reaches_a_partner_that_already_had_the_referral(sessions, directory, conversation_id):
    received: list[dict] = []
    referral = await accepted_referral(sessions, directory, conversation_id)
    async with serve(partner_app(received)) as url:
        partners = {TEAM: Partner(TEAM, url + "/referrals", PARTNER_SECRET)}
        await deliver_due(sessions, SECRET, partners)
        async with sessions.begin() as db:
            await withdraw(db, await db.get(Referral, referral.id))
        assert await deliver_due(sessions, SECRET, partners) == 1
    assert [data["status"] for data in received] == ["new", "withdrawn"]
    assert received[1] == {"id": referral.key, "service": "schuldhulp", "status": "withdrawn"}
    row = await stored(sessions, referral.id)
    assert row.status == "withdrawn" and row.phone is None and row.summary is None
