"""Issue 15.6: how call-back referrals went, counted anonymously and shown with the need log's
small-cell protection.

Counting goes through the referral lifecycle functions (as every caller does): each stage once
per referral, in the week it happened, per wijk, service and theme, with nothing that joins the
count to the referral; erasing the conversation keeps the counts. Publishing: the same two
attackers as tests/needs/test_suppress.py over everything the dashboard shows of a year
(months, quarters and the year), and the differencing of two periods."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select

from playwright.async_api import expect

from bot.config import Settings
from bot.erase import erase_resident
from bot.needs import dashboard, report
from bot.needs.models import OUTCOMES, NeedEvent, ReferralOutcome
from bot.needs.referral_outcomes import LAYOUT, node, publish_year
from bot.needs.suppress import Figure, label, period_node
from bot.referrals.lifecycle import WrongState, accept, decline, mark_overdue, offer, record_result, withdraw
from bot.referrals.models import Referral
from bot.retention import delete_expired
from bot.store.db import create_tables, make_engine, make_sessionmaker
from tests.axe import assert_accessible
from tests.browser import chromium_page
from tests.handover.conftest import login
from tests.needs.conftest import fill_referrals
from tests.needs.test_dashboard import csv_tables, tables_of
from tests.needs.test_dashboard_browser import log_in
from tests.needs.test_suppress import bounds_attack, exactly_derivable
from tests.referrals.conftest import SECRET, conversation_id, directory, sessions  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
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


# ---- what managers see: the need log's suppression, over a year of referral figures -------------

MONTHS = ["2026-02", "2026-03", "2026-04"]  # two quarters
WIJKEN = ["Centrum", "Noord"]
TOPICS = ["schulden/schuldhulp", "schulden/budgetcoach", "zorg/buurtteam"]
STAGES = ["offered", "contacted_in_time"]
LEAVES = [(m, w, t, s) for m in MONTHS for w in WIJKEN for t in TOPICS for s in STAGES]
cell_counts = st.integers(0, 30).map(lambda n: n if n > 18 else n // 3)
year_cells = st.dictionaries(st.sampled_from(LEAVES), cell_counts, max_size=16)
thresholds = st.sampled_from([5, 10])


@settings(max_examples=50, deadline=None, derandomize=True)
@given(year_cells, thresholds)
def test_no_hidden_referral_count_follows_from_the_months_quarters_and_year(cells, t):
    figures = publish_year(cells, t)
    for key, figure in figures.items():
        if figure.value < t:
            assert label(figure, t) == f"<{t}", key
    assert exactly_derivable(figures, cells, LAYOUT.project, LAYOUT.finest) == []
    assert bounds_attack(figures, cells, t, LAYOUT.project, LAYOUT.finest) == []


def test_bounds_over_several_lines_do_not_pin_a_count():
    """Found by the test above: 2 + 2 in Noord over the year ("<5") once March (6) and the
    budgetcoach's year (6) were shown, both as sums of hidden cells of at most 4."""
    cells = {("2026-03", "Centrum", "zorg/buurtteam", "contacted_in_time"): 4,
             ("2026-03", "Noord", "schulden/schuldhulp", "contacted_in_time"): 2,
             ("2026-02", "Noord", "schulden/budgetcoach", "contacted_in_time"): 2,
             ("2026-04", "Centrum", "schulden/budgetcoach", "contacted_in_time"): 4}
    figures = publish_year(cells, 5)
    assert bounds_attack(figures, cells, 5, LAYOUT.project, LAYOUT.finest) == []
    assert exactly_derivable(figures, cells, LAYOUT.project, LAYOUT.finest) == []


def test_a_quarter_minus_its_visible_months_does_not_give_the_hidden_one():
    """Differencing two periods: Q1 shows 25 offers in Noord for schuldhulp, January and
    February show 12 and 10; March (3) must not be 25 - 12 - 10."""
    service = "schulden/schuldhulp"
    cells = {("2026-01", "Noord", service, "offered"): 12, ("2026-02", "Noord", service, "offered"): 10,
             ("2026-03", "Noord", service, "offered"): 3, ("2026-03", "Centrum", service, "offered"): 14}
    figures = publish_year(cells, 10)
    only_small_hidden = {k: Figure(f.value, "small" if f.value < 10 else "shown") for k, f in figures.items()}
    assert exactly_derivable(only_small_hidden, cells, LAYOUT.project, LAYOUT.finest)  # the attacker finds it
    march = figures[node("2026-03", "offered", wijk="Noord", service=service)]
    assert march.status == "small" and label(march, 10) == "<10"
    quarter = figures[node("2026-K1", "offered", wijk="Noord", service=service)]
    months = [figures[node(m, "offered", wijk="Noord", service=service)] for m in ("2026-01", "2026-02")]
    assert not (quarter.visible and all(m.visible for m in months))  # one of them is hidden too
    assert exactly_derivable(figures, cells, LAYOUT.project, LAYOUT.finest) == []
    # The service over the year is what managers need most: kept visible.
    assert figures[node("2026", "offered", service=service)] == Figure(39, "shown")


def test_stages_are_separate_tables():
    cells = {("2026-03", "Noord", "schulden/schuldhulp", "offered"): 12,
             ("2026-03", "Noord", "schulden/schuldhulp", "accepted"): 4}
    figures = publish_year(cells, 10)
    assert figures[node("2026-03", "offered", wijk="Noord", service="schulden/schuldhulp")].visible
    assert all(values[3] in ("offered", "accepted") for _, values in figures)  # no sum over stages


# ---- the dashboard's "Terugbellen" section ----------------------------------------------------------

def rows(table: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in table}


async def test_the_dashboard_shows_call_backs_per_service_and_wijk_with_small_cells_hidden(dashboard_gateway):
    """tests/needs/conftest.py made through the lifecycle, in January 2026: Noord 14 offers, 12
    accepted, 11 called on time, 1 withdrawn, 2 declined; Centrum 3 offers, all called on time."""
    manager = await login(dashboard_gateway, "mira")
    page = await manager.get("/dashboard", params={"level": "month", "period": "2026-01"})
    assert 'id="terugbellen-section">Terugbellen</h2>' in page.text
    tables = tables_of(page.text)
    per_service = rows(tables["terugbellen-dienst"])
    columns = per_service["Dienst"]
    schuldhulp = dict(zip(columns, per_service["Schuldhulpverlening Voorbeeldstad"]))
    assert schuldhulp["Terugbellen aangeboden"] == "17" and schuldhulp["Ja, bel mij"] == "15"
    assert schuldhulp["Gebeld op tijd"] == "14" and schuldhulp["Gebeld, te laat"] == "0"
    # Every step, the ones where it went wrong too (2 said no, 1 withdrew: small, so hidden).
    assert columns == ["Terugbellen aangeboden", "Ja, bel mij", "Nee, ik bel zelf", "Ingetrokken", "Gebeld op tijd",
                       "Gebeld, te laat", "Niet bereikt (2 keer geprobeerd)", "Termijn voorbij zonder resultaat",
                       "Niet meer nodig", "Op tijd gebeld, van wie ja zei"]
    assert schuldhulp["Nee, ik bel zelf"] == "<10" and schuldhulp["Ingetrokken"] == "<10"
    assert schuldhulp["Niet meer nodig"] == "0"
    # A rate from two published figures; never from a hidden one (Noord's 11 of 12 stays hidden).
    assert schuldhulp["Op tijd gebeld, van wie ja zei"] == "14 van de 15"
    per_wijk = rows(tables["terugbellen-wijk"])
    centrum = dict(zip(per_wijk["Wijk"], per_wijk["Centrum"]))
    noord = dict(zip(per_wijk["Wijk"], per_wijk["Noord"]))
    assert centrum["Terugbellen aangeboden"] == "<10" and centrum["Gebeld op tijd"] == "<10"
    # 17 - 14 would give Centrum's 3: Noord's 14 is hidden too ("x"), the service total stays.
    assert noord["Terugbellen aangeboden"] == "x" and noord["Gebeld op tijd"] == "x"
    assert noord["Op tijd gebeld, van wie ja zei"] == centrum["Op tijd gebeld, van wie ja zei"] == "onbekend"
    assert dict(zip(per_wijk["Wijk"], per_wijk["Alle wijken"]))["Op tijd gebeld, van wie ja zei"] == "14 van de 15"
    # Row names written alike in every table ("Contact gelukt", "Rekeningen en schulden"), not "contact gelukt".
    for table_id in ("uitkomst", "vraag", "terugbellen", "terugbellen-dienst"):
        assert all(row[0][:1].isupper() for row in tables[table_id]), tables[table_id]
    steps = rows(tables["terugbellen"])
    assert steps["Nee, ik bel zelf"][:2] == ["<10", "0"] and steps["Ingetrokken"][0] == "<10"
    assert steps["Terugbellen aangeboden"] == ["17", "0", "+17"]  # december 2025 had none
    # Filters choose figures, they never show what the whole table hides.
    noord_only = tables_of((await manager.get("/dashboard", params={"level": "month", "period": "2026-01",
                                                                      "wijk": "Noord"})).text)
    assert rows(noord_only["terugbellen"])["Terugbellen aangeboden"][0] == "x"
    # The CSV holds the section exactly as on screen.
    blocks = {block[0][0]: block[1:] for block in csv_tables(
        (await manager.get("/dashboard/export.csv", params={"level": "month", "period": "2026-01"})).text)}
    assert blocks["Terugbellen per dienst, januari 2026"] == tables["terugbellen-dienst"]
    assert blocks["Terugbellen per wijk, januari 2026"] == tables["terugbellen-wijk"]
    await manager.aclose()


async def test_the_answers_to_is_het_gelukt_are_shown_next_to_the_call_backs(dashboard_gateway, monkeypatch):
    """A resident who only got a number is asked later whether it worked (refer-loop writes the
    answer as the need event's outcome); the dashboard shows those outcomes, not "geholpen"."""
    if "contact_made" not in OUTCOMES:  # until bot/follow_up.py's outcomes are in the need log
        monkeypatch.setattr(dashboard, "OUTCOMES", (*OUTCOMES, *dashboard.FOLLOW_UP_OUTCOMES))
    async with dashboard_gateway.switchboard.sessions.begin() as db:
        for outcome, n in (("contact_made", 25), ("contact_failed", 4), ("gave_up", 0)):
            for _ in range(n):
                db.add(NeedEvent(week="2026-W03", wijk="Noord", theme="schulden", intent="debt_bills",
                                 outcome=outcome, channel="telegram"))
    manager = await login(dashboard_gateway, "mira")
    table = rows(tables_of((await manager.get("/dashboard", params={"level": "month", "period": "2026-01"})).text)
                 ["gelukt"])
    labels = ["Contact gelukt", "Contact niet gelukt", "Nog geen contact", "Opgegeven"]  # capitalised, as elsewhere
    assert list(table) == ["Antwoord", *labels]
    async with dashboard_gateway.switchboard.sessions() as db:
        figures, _ = await report.period_figures(db, "2026-01", 10)
    made = figures[period_node("2026-01", outcome="contact_made")]
    assert made.value == 25 and table[labels[0]][0] == label(made, 10) != "<10"  # "25", or "x" if it must
    assert table[labels[1]][0] == "<10" and table[labels[3]][0] == "0"  # 4 failed: hidden; none gave up
    await manager.aclose()


async def test_a_manager_sees_the_call_back_section_in_chromium(dashboard_gateway, artifacts):
    async with chromium_page(1280, 1000) as page:
        await log_in(page, dashboard_gateway, "mira")
        await page.wait_for_url("**/dashboard")
        await page.goto(dashboard_gateway.url + "/dashboard?level=month&period=2026-01")
        section = page.locator("#terugbellen-sectie")
        await expect(section.locator("h2")).to_have_text("Terugbellen")
        await expect(section.locator("svg.chart")).to_have_count(1)
        await expect(section.locator("svg.chart rect.bar").first).to_be_visible()
        await expect(page.locator("#terugbellen-dienst")).to_contain_text("Schuldhulpverlening Voorbeeldstad")
        await expect(page.locator("#terugbellen-wijk tr", has_text="Centrum")).to_contain_text("<10")
        # Where it goes wrong is in the chart too, not only the successes.
        legend = await section.locator("svg.chart > text").all_text_contents()
        for stage in ("Ja, bel mij", "Gebeld op tijd", "Gebeld, te laat", "Niet bereikt (2 keer geprobeerd)",
                      "Termijn voorbij zonder resultaat", "Ingetrokken"):
            assert stage in legend, legend
        await expect(page.locator(".scroll-hint").first).to_be_hidden()  # a wide screen needs no hint
        await section.scroll_into_view_if_needed()
        await section.screenshot(path=str(artifacts / "dashboard-terugbellen.png"))
        await assert_accessible(page, "dashboard with the call-back section")
        await add_small_steps(dashboard_gateway)
        await page.goto(dashboard_gateway.url + "/dashboard?level=month&period=2025-03")
        await assert_range_labels_readable(section, min_height=9)


async def test_on_a_phone_the_call_back_chart_stays_readable_and_wide_tables_say_they_scroll(
        dashboard_gateway, artifacts):
    async with chromium_page(390, 844) as page:
        await log_in(page, dashboard_gateway, "mira")
        await page.wait_for_url("**/dashboard")
        await add_small_steps(dashboard_gateway)
        await page.goto(dashboard_gateway.url + "/dashboard?level=month&period=2025-03")
        section = page.locator("#terugbellen-sectie")
        # One service: the chart fits the phone at a readable size, so it says nothing about scrolling.
        await expect(section.locator(".scroll-hint", has_text="grafiek")).to_have_count(0)
        chart = await section.locator("svg.chart").bounding_box()
        assert chart["x"] >= 0 and chart["x"] + chart["width"] <= 390
        for table in ("terugbellen-dienst", "terugbellen-wijk"):
            block = page.locator(f"section[aria-labelledby={table}-title]")
            await expect(block.locator(".scroll-hint")).to_be_visible()
            scroll = block.locator(".table-scroll")
            assert await scroll.evaluate("e => e.scrollWidth > e.clientWidth")  # the hint is true
        await assert_range_labels_readable(section, min_height=8)
        await section.screenshot(path=str(artifacts / "dashboard-terugbellen-phone.png"))
        await assert_accessible(page, "dashboard with the call-back section on a phone")


async def add_small_steps(gateway) -> None:
    """March 2025, Noord, schuldhulp: 4 said yes, 2 called on time, 1 late, 1 not reached. Four
    "<10" bars side by side in the chart, where the labels overlapped before."""
    async with gateway.switchboard.sessions.begin() as db:
        for stage, n in (("offered", 5), ("accepted", 4), ("contacted_in_time", 2), ("contacted_late", 1),
                         ("not_reached", 1)):
            db.add(ReferralOutcome(week="2025-W10", wijk="Noord", service_id="schuldhulp", theme="schulden",
                                   stage=stage, count=n))


async def assert_range_labels_readable(section, min_height: float) -> None:
    """The "<10" and "≥10" labels of the chart: none overlaps another, none is tiny on screen."""
    boxes = [await label.bounding_box() for label in await section.locator("svg.chart g.range text").all()]
    assert len(boxes) >= 4
    for box in boxes:  # written upwards: the text's length is its height on screen
        assert min(box["width"], box["height"]) >= min_height * 0.8 and max(box["width"], box["height"]) >= min_height
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap_x = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
            overlap_y = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
            assert overlap_x <= 0.5 or overlap_y <= 0.5, (a, b)


def test_voordeur_referrals_export_publishes_what_the_dashboard_does(tmp_path):
    url = f"sqlite:///{tmp_path / 'referrals.db'}"

    async def setup() -> None:
        engine = make_engine(Settings.load({"DATABASE_URL": url, "VOORDEUR_SECRET": "x",
                                            "VOORDEUR_DATA_DIR": str(tmp_path)}).database_url)
        await create_tables(engine)
        await fill_referrals(make_sessionmaker(engine))
        await engine.dispose()

    asyncio.run(setup())
    env = {**os.environ, "DATABASE_URL": url, "VOORDEUR_SECRET": "test-secret"}
    env.pop("VOORDEUR_MIN_CELL", None)
    done = subprocess.run([sys.executable, "-m", "bot.cli", "referrals", "export", "--year", "2026"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == ["period", "wijk", "theme", "service", "stage", "count"]
    by = {(r["period"], r["wijk"], r["service"], r["stage"]): r["count"] for r in rows if r["theme"] in ("schulden", "")}
    assert by[("2026", "", "schuldhulp", "offered")] == "17" and by[("2026-01", "", "schuldhulp", "accepted")] == "15"
    assert by[("2026-01", "Centrum", "schuldhulp", "offered")] == "<10"
    assert by[("2026-01", "Noord", "schuldhulp", "offered")] == "x"
    for row in rows:
        assert row["count"] in ("<10", "x") or int(row["count"]) >= 10, row
    wrong = subprocess.run([sys.executable, "-m", "bot.cli", "referrals", "export", "--year", "twintig"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 2 and "not a year" in wrong.stderr
