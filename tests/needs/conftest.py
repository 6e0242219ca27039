"""A gateway (no Rasa needed) with a worker, a manager and an admin, a need log with events, and
call-back referrals in January 2026 made through the referral lifecycle."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from bot.directory import default_directory
from bot.needs.models import NeedEvent
from bot.referrals.lifecycle import accept, decline, offer, record_result, withdraw
from bot.store.models import Conversation
from tests.handover.conftest import make_user

WEEKS = ["2026-W01", "2026-W02", "2026-W03", "2026-W04"]


async def fill_need_log(sessions, seed: int = 7, n: int = 400) -> None:
    rng = random.Random(seed)
    intents = ["debt_bills", "debt_rent", "care_loneliness", "care_home_support", "nuisance_noise", "crisis_violence"]
    outcomes = ["met", "met", "no_local_service", "waiting_list", "not_helped"]
    async with sessions.begin() as db:
        for _ in range(n):
            intent = rng.choice(intents)
            db.add(NeedEvent(week=rng.choice(WEEKS), wijk=rng.choice(["Centrum", "Noord", "Zuidwijk", "onbekend"]),
                             theme={"debt": "schulden", "care": "zorg", "nuisance": "overlast",
                                    "crisis": "crisis"}[intent.split("_")[0]],
                             intent=intent, outcome=rng.choice(outcomes), channel="webchat"))


MONDAY_12_JANUARY = datetime(2026, 1, 12, 9, 0)  # week 3; deadline (two working days) Wednesday 14
# Per wijk: offered, of which accepted, of which called on time (the other accepted ones withdraw).
REFERRALS = {"Noord": (14, 12, 11), "Centrum": (3, 3, 3)}


async def fill_referrals(sessions, plan: dict = REFERRALS) -> None:
    """Call-back referrals of the schuldhulp service, each step through the lifecycle functions."""
    directory = default_directory()
    for wijk, (offered, accepted, called) in plan.items():
        for i in range(offered):
            async with sessions.begin() as db:
                conversation = Conversation(channel="webchat", resident=f"{wijk}-{i}".ljust(32, "r"), wijk=wijk)
                db.add(conversation)
                await db.flush()
                referral = await offer(db, directory, conversation.id, "schuldhulp", wijk=wijk, now=MONDAY_12_JANUARY)
                if i >= accepted:
                    await decline(db, referral, now=MONDAY_12_JANUARY)
                    continue
                await accept(db, directory, "test-secret", referral, phone="06-12345678",
                             summary="Schulden.", now=MONDAY_12_JANUARY)
                if i < called:
                    await record_result(db, referral, "called", now=datetime(2026, 1, 13, 10, 0))
                else:
                    await withdraw(db, referral, now=datetime(2026, 1, 13, 10, 0))


@pytest.fixture
async def dashboard_gateway(gateway_without_rasa):
    gw = gateway_without_rasa
    for username, role in (("sanne", "worker"), ("mira", "manager"), ("admin", "admin")):
        await make_user(gw, username, role, username.title())
    await fill_need_log(gw.switchboard.sessions)
    await fill_referrals(gw.switchboard.sessions)
    return gw
