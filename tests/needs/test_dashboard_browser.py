"""A manager in real Chromium: logs in, picks a quarter, reads the charts (hidden counts drawn
as ranges, never as bars), downloads the CSV Dutch Excel opens."""

from __future__ import annotations

import csv
import io

from playwright.async_api import expect

from tests.browser import chromium_page
from tests.handover.conftest import PASSWORD


async def log_in(page, gateway, username: str) -> None:
    await page.goto(gateway.url + "/console/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")


async def test_manager_picks_a_quarter_sees_ranges_and_downloads_csv(dashboard_gateway, artifacts):
    async with chromium_page(1280, 1000) as page:
        await log_in(page, dashboard_gateway, "mira")
        await page.wait_for_url("**/dashboard")
        await page.check("input[name=level][value=quarter]")
        await page.select_option("#period", "2026-01")  # a month; the quarter it lies in is shown
        await page.click("#filters button[type=submit]")
        await expect(page.locator("h1")).to_contain_text("1e kwartaal 2026")
        await expect(page.locator("svg.chart")).to_have_count(3)  # need log: 2, call backs: 1
        await expect(page.locator("svg.chart rect.bar").first).to_be_visible()
        # Hidden counts are ranges with their label, not bars of a made-up height.
        ranges = page.locator("svg.chart g.range")
        assert await ranges.count() > 0
        assert (await ranges.first.locator("text").text_content()) in ("<10", "≥10")
        await expect(page.locator("#wijk-thema")).to_contain_text("Centrum")
        await page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
        async with page.expect_download() as info:
            await page.click("#csv")
        download = await info.value
        text = open(await download.path(), encoding="utf-8-sig").read()
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert rows[0] == ["Kerncijfers, 1e kwartaal 2026"]
        assert rows[1] == ["Cijfer", "1e kwartaal 2026", "4e kwartaal 2025", "Verschil"]
        assert download.suggested_filename == "behoeften-2026-K1.csv"


async def test_worker_is_refused_the_dashboard_in_the_browser(dashboard_gateway):
    async with chromium_page(1280, 900) as page:
        await log_in(page, dashboard_gateway, "sanne")
        response = await page.goto(dashboard_gateway.url + "/dashboard")
        assert response.status == 403
