"""A gateway (no Rasa needed) with a worker, a manager and an admin, and a need log with events."""

from __future__ import annotations

import random

import pytest

from bot.needs.models import NeedEvent
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


@pytest.fixture
async def dashboard_gateway(gateway_without_rasa):
    gw = gateway_without_rasa
    for username, role in (("sanne", "worker"), ("mira", "manager"), ("admin", "admin")):
        await make_user(gw, username, role, username.title())
    await fill_need_log(gw.switchboard.sessions)
    return gw
