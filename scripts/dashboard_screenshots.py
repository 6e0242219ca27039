"""Screenshots of the managers' dashboard into docs/screenshots/dashboard-*.png, as a manager
sees it: a month, a quarter for one wijk, on a phone and at 200% zoom (Debian's Chromium).

    .venv/bin/python scripts/dashboard_screenshots.py [--out docs/screenshots]

A fresh SQLite database in a temporary folder gets a need log like a year in a mid-sized town
(more overlast in Westhaven, more money trouble in Noord, each week mostly below 10 per wijk
and theme) and one resident in crisis waiting for a person. No Rasa is needed: the crisis net
answers on its own. Nothing here touches data/."""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import stack  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.handover.users import add_user  # noqa: E402
from bot.needs import periods  # noqa: E402
from bot.needs.models import NeedEvent, ReferralOutcome  # noqa: E402
from bot.taxonomy import themes_by_intent  # noqa: E402
from tests.browser import chromium_page  # noqa: E402

PASSWORD = "schermafdruk-wachtwoord"
# Events per week, on average, per wijk and theme.
RATES = {
    "Westhaven": {"overlast": 6, "schulden": 2, "zorg": 2},
    "Noord": {"schulden": 8, "zorg": 4, "overlast": 3},
    "Centrum": {"schulden": 3, "zorg": 5, "overlast": 2},
    "Zuidwijk": {"zorg": 3, "schulden": 2, "overlast": 1},
    "Oosterpark": {"zorg": 2, "schulden": 1},
    "Molenwijk": {"zorg": 1, "overlast": 1},
    "onbekend": {"schulden": 2, "zorg": 2, "overlast": 1},
}
OUTCOMES = ["met"] * 5 + ["out_of_hours"] * 2 + ["waiting_list", "not_helped", "no_local_service"]


def need_log(today: date, rng: random.Random) -> list[NeedEvent]:
    by_theme: dict[str, list[str]] = {}
    for intent, theme in themes_by_intent().items():
        by_theme.setdefault(theme, []).append(intent)
    events = []
    day = date(today.year - 1, 10, 1)
    while day <= today:
        week = periods.week_of(day)
        for wijk, rates in RATES.items():
            for theme, rate in rates.items():
                for _ in range(max(0, round(rng.gauss(rate, rate / 2)))):
                    outcome = "no_local_service" if (wijk, theme) == ("Westhaven", "overlast") and rng.random() < 0.3 \
                        else rng.choice(OUTCOMES)
                    events.append(NeedEvent(week=week, wijk=wijk, theme=theme, intent=rng.choice(by_theme[theme]),
                                            outcome=outcome, channel=rng.choice(["webchat", "telegram", "whatsapp"])))
        if rng.random() < 0.6:
            events.append(NeedEvent(week=week, wijk=rng.choice(list(RATES)), theme="crisis",
                                    intent=rng.choice(by_theme["crisis"]), outcome="met", channel="webchat"))
        day += timedelta(days=7)
    return events


# Call backs offered per week, on average, per wijk (schuldhulp: the demo's one referral team).
REFERRAL_RATES = {"Noord": 5, "Westhaven": 2, "Centrum": 2, "Zuidwijk": 1, "Oosterpark": 1, "onbekend": 1}


def referral_outcomes(today: date, rng: random.Random) -> list[ReferralOutcome]:
    """Each offer's steps as the lifecycle counts them, summed per week: most say yes, most of
    those are called in time, some late (after the deadline passed), a few not reached."""
    rows = []
    day = date(today.year - 1, 10, 1)
    while day <= today:
        week = periods.week_of(day)
        for wijk, rate in REFERRAL_RATES.items():
            counts: dict[str, int] = {}
            for _ in range(max(0, round(rng.gauss(rate, rate / 2)))):
                steps = ["offered"]
                if rng.random() < 0.75:
                    steps.append("accepted")
                    fate = rng.random()
                    steps += (["contacted_in_time"] if fate < 0.7 else ["overdue", "contacted_late"] if fate < 0.82
                              else ["not_reached"] if fate < 0.9 else ["withdrawn"] if fate < 0.95
                              else ["overdue"])
                else:
                    steps.append("declined")
                for step in steps:
                    counts[step] = counts.get(step, 0) + 1
            rows += [ReferralOutcome(week=week, wijk=wijk, service_id="schuldhulp", theme="schulden", stage=stage,
                                     count=n) for stage, n in counts.items()]
        day += timedelta(days=7)
    return rows


async def shoot(url: str, out: Path, today: date) -> list[Path]:
    quarter = periods.current("quarter", today)
    shots = [("dashboard-month.png", 1280, 900, "/dashboard"),
             ("dashboard-quarter-westhaven.png", 1280, 900, f"/dashboard?level=quarter&period={quarter}&wijk=Westhaven"),
             ("dashboard-phone.png", 390, 844, "/dashboard"),
             ("dashboard-zoom-200.png", 640, 450, f"/dashboard?level=quarter&period={quarter}")]
    made = []
    for name, width, height, path in shots:
        async with chromium_page(width, height) as page:
            page.set_default_timeout(300_000)  # the first look at a year suppresses it (docs/needs.md)
            await page.goto(url + "/console/login")
            await page.fill("input[name=username]", "mira")
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            await page.goto(url + path)
            await page.wait_for_selector("svg.chart")
            await page.screenshot(path=str(out / name), full_page=True)
            made.append(out / name)
            if name == "dashboard-quarter-westhaven.png":  # the call-back section of a whole quarter
                await page.goto(f"{url}/dashboard?level=quarter&period={quarter}")
                await page.locator("#terugbellen-sectie").screenshot(path=str(out / "dashboard-terugbellen.png"))
                made.append(out / "dashboard-terugbellen.png")
            if name == "dashboard-phone.png":  # the same section on a phone: scroll hints, readable chart
                await page.goto(f"{url}/dashboard?level=quarter&period={quarter}")
                await page.locator("#terugbellen-sectie").screenshot(path=str(out / "dashboard-terugbellen-phone.png"))
                made.append(out / "dashboard-terugbellen-phone.png")
    return made


async def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="voordeur-dashboard-") as tmp:
        tmp_path = Path(tmp)
        settings = Settings.load({
            "DATABASE_URL": f"sqlite:///{tmp_path / 'voordeur.db'}", "RASA_URL": "http://127.0.0.1:9",
            "VOORDEUR_SECRET": secrets.token_urlsafe(32), "VOORDEUR_DATA_DIR": str(tmp_path)})
        app = create_app(settings)
        port = stack.free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)
        url = f"http://127.0.0.1:{port}"
        try:
            today = date.today()
            async with app.state.switchboard.sessions.begin() as db:
                await add_user(db, "mira", PASSWORD, "manager", "Mira")
                db.add_all(need_log(today, random.Random(14)))
                db.add_all(referral_outcomes(today, random.Random(15)))
            async with httpx.AsyncClient(base_url=url, timeout=60) as resident:
                await resident.post("/api/webchat/messages", json={"session": "screens-crisis-1",
                                                                   "text": "ik wil niet meer leven"})
            for path in await shoot(url, out, today):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        finally:
            server.should_exit = True
            await task


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    asyncio.run(main(parser.parse_args().out))
