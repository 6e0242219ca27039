"""The dashboard over HTTP: managers only, SVG charts, suppressed figures, CSV download."""

from __future__ import annotations

import csv
import io

from tests.handover.conftest import login
from tests.needs.conftest import WEEKS

PERIOD = {"since": WEEKS[0], "until": WEEKS[-1]}


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
    page = await manager.get("/dashboard", params=PERIOD)
    assert page.status_code == 200
    assert page.text.count("<svg") == 2
    assert "Niet geholpen per thema per week" in page.text and "Geldzorgen" in page.text
    assert "&lt;10" in page.text  # small cells are hidden, not shown as numbers
    for client in (worker, admin, manager):
        await client.aclose()


async def test_csv_matches_the_suppression_rules(dashboard_gateway):
    manager = await login(dashboard_gateway, "mira")
    response = await manager.get("/dashboard/export.csv", params=PERIOD)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and list(rows[0]) == ["week", "wijk", "theme", "intent", "outcome", "count"]
    for row in rows:
        assert row["count"] in ("<10", "x") or int(row["count"]) >= 10
    filtered = list(csv.DictReader(io.StringIO((await manager.get(
        "/dashboard/export.csv", params={**PERIOD, "wijk": "Noord", "theme": "zorg"})).text)))
    assert filtered and {(r["wijk"], r["theme"]) for r in filtered} == {("Noord", "zorg")}
    assert all(r in rows for r in filtered)  # a filter selects figures; it never re-suppresses
    await manager.aclose()


async def test_filters_and_bad_weeks(dashboard_gateway):
    manager = await login(dashboard_gateway, "mira")
    page = await manager.get("/dashboard", params={**PERIOD, "wijk": "Centrum", "theme": "schulden"})
    assert page.status_code == 200 and 'value="Centrum" selected' in page.text
    bad = await manager.get("/dashboard", params={"since": "gisteren"})
    assert bad.status_code == 200 and "bijvoorbeeld 2026-W05" in bad.text
    await manager.aclose()
