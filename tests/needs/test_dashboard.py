"""The dashboard over HTTP: managers only; periods (month, quarter, year) with the previous
period beside them; a signal hidden in every week is visible over the period; crisis and
waiting counts; a CSV and a printable page that hold exactly what is on screen."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

from sqlalchemy import select

from bot.needs.models import NeedEvent
from tests.handover.conftest import login, make_user

JANUARY = {"level": "month", "period": "2026-01"}


class Tables(HTMLParser):
    """The text of every table on a page: {table id: [[cell, ...], ...]}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = dict(attrs).get("id")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables_of(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def csv_tables(text: str) -> list[list[list[str]]]:
    assert text.startswith("\ufeff")
    blocks, block = [], []
    for row in csv.reader(io.StringIO(text[1:]), delimiter=";"):
        if not row:
            blocks.append(block)
            block = []
        else:
            block.append(row)
    return blocks + [block]


async def add_events(gateway, rows: list[tuple[str, str, str, str, int]]) -> None:
    themes = {"debt": "schulden", "care": "zorg", "nuisance": "overlast", "crisis": "crisis"}
    async with gateway.switchboard.sessions.begin() as db:
        for week, wijk, intent, outcome, n in rows:
            for _ in range(n):
                db.add(NeedEvent(week=week, wijk=wijk, theme=themes[intent.split("_")[0]], intent=intent,
                                 outcome=outcome, channel="webchat"))


async def test_only_managers_see_the_dashboard(dashboard_gateway):
    worker = await login(dashboard_gateway, "sanne")
    admin = await login(dashboard_gateway, "admin")
    manager = await login(dashboard_gateway, "mira")
    assert manager.last_login.headers["location"] == "/dashboard"
    for client in (worker, admin):
        assert (await client.get("/dashboard")).status_code == 403
        assert (await client.get("/dashboard/export.csv")).status_code == 403
    anonymous = await dashboard_gateway.client.get("/dashboard/export.csv")
    assert anonymous.status_code == 401
    page = await manager.get("/dashboard", params=JANUARY)
    assert page.status_code == 200
    assert page.text.count("<svg") == 3  # two of the need log, one of the call backs
    assert "januari 2026" in page.text and "december 2025" in page.text and "Geldzorgen" in page.text
    assert "&lt;10" in page.text  # small cells are hidden, not shown as numbers
    for client in (worker, admin, manager):
        await client.aclose()


async def test_23_events_in_one_wijk_and_theme_are_visible_although_every_week_is_hidden(dashboard_gateway):
    # 23 overlast questions in Westhaven in February, at most 7 a week.
    await add_events(dashboard_gateway, [
        ("2026-W06", "Westhaven", "nuisance_noise", "met", 5), ("2026-W06", "Westhaven", "nuisance_youth", "met", 2),
        ("2026-W07", "Westhaven", "nuisance_neighbours", "no_local_service", 7),
        ("2026-W08", "Westhaven", "nuisance_noise", "waiting_list", 4), ("2026-W08", "Westhaven", "nuisance_drugs", "met", 1),
        ("2026-W09", "Westhaven", "nuisance_noise", "met", 4),
        ("2026-W07", "Westhaven", "debt_bills", "met", 3), ("2026-W08", "Noord", "nuisance_noise", "met", 12),
    ])
    manager = await login(dashboard_gateway, "mira")
    for query in ({"level": "month", "period": "2026-02"}, {"level": "month", "period": "2026-02", "wijk": "Westhaven"},
                  {"level": "quarter", "period": "2026-K1", "wijk": "Westhaven", "theme": "overlast"}):
        page = await manager.get("/dashboard", params=query)
        heat = {row[0]: row[1:] for row in tables_of(page.text)["wijk-thema"]}
        columns = heat["Wijk"]
        assert heat["Westhaven"][columns.index("Overlast")] == "23", (query, heat["Westhaven"])
    # The weekly export shows none of it: every Westhaven cell of those weeks is "<10".
    export = await manager.get("/dashboard/export.csv", params={"level": "month", "period": "2026-02"})
    assert "23" in export.text
    await manager.aclose()


async def test_csv_and_print_hold_exactly_what_is_on_screen(dashboard_gateway):
    manager = await login(dashboard_gateway, "mira")
    query = {**JANUARY, "wijk": "Noord"}
    page = await manager.get("/dashboard", params=query)
    on_screen = tables_of(page.text)
    response = await manager.get("/dashboard/export.csv", params=query)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "behoeften-2026-01-Noord.csv" in response.headers["content-disposition"]
    blocks = csv_tables(response.text)
    titles = [block[0][0] for block in blocks]
    assert titles[0] == "Kerncijfers, januari 2026" and "Wijk en thema, januari 2026" in titles
    assert blocks[1][1][:2] == ["Wijk", "Geldzorgen"]  # Dutch headers, semicolons
    for block in blocks[1:]:
        table_id = {"Wijk en thema": "wijk-thema", "Per thema": "thema", "Per uitkomst": "uitkomst",
                    "Per vraag": "vraag", "Verloop": "verloop", "Terugbellen": "terugbellen",
                    "Terugbellen per dienst": "terugbellen-dienst", "Terugbellen per wijk": "terugbellen-wijk",
                    "Zelf gebeld": "gelukt"}[re.split(r",|:| in ", block[0][0])[0]]
        assert block[1:] == on_screen[table_id], table_id
    for row in blocks[0][2:] + blocks[1][2:]:
        for value in row[1:]:
            assert value in ("<10", "x", "onbekend") or value.lstrip("+-").isdigit()
            if value.isdigit():
                assert int(value) == 0 or int(value) >= 10
    printed = await manager.get("/dashboard", params={**query, "print": "1"})
    assert tables_of(printed.text) == on_screen and "dashboard-print.js" in printed.text
    await manager.aclose()


async def test_periods_previous_period_and_bad_input(dashboard_gateway):
    manager = await login(dashboard_gateway, "mira")
    page = await manager.get("/dashboard", params={"level": "quarter", "period": "2026-K1"})
    assert "1e kwartaal 2026" in page.text and "4e kwartaal 2025" in page.text
    compare = tables_of(page.text)["thema"]
    assert compare[0] == ["Thema", "1e kwartaal 2026", "4e kwartaal 2025", "Verschil"]
    year = await manager.get("/dashboard", params={"level": "year", "period": "2026"})
    assert tables_of(year.text)["verloop"][0][1:3] == ["januari 2026", "februari 2026"]
    # Switching the preset keeps the time: a month asked as a quarter is its quarter.
    switched = await manager.get("/dashboard", params={"level": "quarter", "period": "2026-02"})
    assert 'value="2026-K1" selected' in switched.text
    bad = await manager.get("/dashboard", params={"level": "quarter", "period": "gisteren"})
    assert bad.status_code == 200 and "Die periode kennen we niet" in bad.text
    worse = await manager.get("/dashboard", params={"level": "eeuw"})
    assert worse.status_code == 200 and "Kies een maand, een kwartaal of een jaar" in worse.text
    filtered = await manager.get("/dashboard", params={**JANUARY, "wijk": "Centrum", "theme": "schulden"})
    assert 'value="Centrum" selected' in filtered.text
    assert [row[0] for row in tables_of(filtered.text)["wijk-thema"]] == ["Wijk", "Centrum"]
    await manager.aclose()


async def test_crisis_and_waiting_counts(gateway_without_rasa):
    gw = gateway_without_rasa
    await make_user(gw, "mira", "manager", "Mira")
    body = await gw.say("crisis-resident-1", "ik wil niet meer leven")  # the crisis net works without Rasa
    assert body["state"] == "waiting_for_human"
    async with gw.switchboard.sessions() as db:
        crisis = list(await db.scalars(select(NeedEvent).where(NeedEvent.theme == "crisis")))
    assert [(e.intent, e.outcome) for e in crisis] == [("crisis_suicide", "met")]
    manager = await login(gw, "mira")
    page = await manager.get("/dashboard")  # this month
    assert re.search(r'id="waiting-now">1<', page.text) and "waarvan met spoed: 1" in page.text
    keys = {row[0]: row[1:] for row in tables_of(page.text).get("kerncijfers", [])} or None
    assert keys is None  # the key figures are cards, and in the CSV
    blocks = csv_tables((await manager.get("/dashboard/export.csv")).text)
    key_rows = {row[0]: row[1:] for row in blocks[0][2:]}
    assert key_rows["Crisis (113, 112, Veilig Thuis)"][0] == "<10"
    # Eleven more this week, each weekly cell small (else the export's 11 would give away the 1).
    await add_events(gw, [(crisis[0].week, "Noord", "crisis_violence", "met", 5),
                          (crisis[0].week, "Centrum", "crisis_emergency", "met", 6)])
    blocks = csv_tables((await manager.get("/dashboard/export.csv")).text)
    assert {row[0]: row[1:] for row in blocks[0][2:]}["Crisis (113, 112, Veilig Thuis)"][0] == "12"
    await manager.aclose()
