"""A manager in real Chromium: logs in, sees the charts, downloads the CSV."""

from __future__ import annotations

import csv
import io

from playwright.async_api import expect

from tests.browser import chromium_page
from tests.handover.conftest import PASSWORD
from tests.needs.conftest import WEEKS


async def test_manager_sees_charts_and_downloads_csv(dashboard_gateway, artifacts):
    async with chromium_page(1280, 1000) as page:
        await page.goto(dashboard_gateway.url + "/console/login")
        await page.fill("input[name=username]", "mira")
        await page.fill("input[name=password]", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url("**/dashboard")
        await page.fill("input[name=since]", WEEKS[0])
        await page.fill("input[name=until]", WEEKS[-1])
        await page.click("#filters button[type=submit]")
        await expect(page.locator("svg.chart")).to_have_count(2)
        await expect(page.locator("svg.chart rect").first).to_be_visible()
        await expect(page.locator("#heatmap")).to_contain_text("Centrum")
        await page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
        async with page.expect_download() as info:
            await page.click("#csv")
        download = await info.value
        text = open(await download.path(), encoding="utf-8").read()
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows and {r["week"] for r in rows} <= set(WEEKS)
        assert download.suggested_filename.endswith(".csv")


async def test_worker_is_refused_the_dashboard_in_the_browser(dashboard_gateway):
    async with chromium_page(1280, 900) as page:
        await page.goto(dashboard_gateway.url + "/console/login")
        await page.fill("input[name=username]", "sanne")
        await page.fill("input[name=password]", PASSWORD)
        await page.click("button[type=submit]")
        response = await page.goto(dashboard_gateway.url + "/dashboard")
        assert response.status == 403
