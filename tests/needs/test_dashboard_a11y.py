"""The dashboard for managers who use a keyboard, a magnifier or a screen reader (issue 14.5):
no serious or critical WCAG 2.1 AA violation (axe-core in Chromium), usable by keyboard alone,
and readable at 200% zoom without sideways scrolling."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.axe import assert_accessible
from tests.browser import chromium_page
from tests.needs.test_dashboard_browser import log_in


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
async def test_dashboard_has_no_serious_wcag_violations(dashboard_gateway, width, height):
    async with chromium_page(width, height) as page:
        await log_in(page, dashboard_gateway, "mira")
        await page.wait_for_url("**/dashboard")
        await assert_accessible(page, f"dashboard, this month, {width} px")
        for query in ("level=month&period=2026-01", "level=quarter&period=2026-K1&wijk=Noord",
                      "level=year&period=2026&theme=zorg", "level=eeuw"):
            await page.goto(f"{dashboard_gateway.url}/dashboard?{query}")
            await assert_accessible(page, f"dashboard {query}, {width} px")


async def test_a_manager_uses_the_dashboard_with_the_keyboard_only(dashboard_gateway):
    async with chromium_page(1280, 900) as page:
        await page.goto(dashboard_gateway.url + "/console/login")
        await page.keyboard.press("Tab")
        for _ in range(10):  # to the username field, whatever comes before it
            if await page.evaluate("document.activeElement.name") == "username":
                break
            await page.keyboard.press("Tab")
        await page.keyboard.type("mira")
        await page.keyboard.press("Tab")
        await page.keyboard.type("correct horse battery")
        await page.keyboard.press("Enter")
        await page.wait_for_url("**/dashboard")
        # Tab through the page: every control is reached, in reading order, and shows focus.
        reached = []
        for _ in range(40):
            await page.keyboard.press("Tab")
            focused = await page.evaluate("""() => {
                const e = document.activeElement;
                return {id: e.id, name: e.name || '', value: e.value || '', tag: e.tagName,
                        cls: e.className || '', outline: getComputedStyle(e).outlineStyle};
            }""")
            reached.append(focused["id"] or focused["cls"] or f'{focused["name"]}={focused["value"]}')
            if focused["tag"] in ("A", "BUTTON", "SELECT", "INPUT") or focused["cls"] == "table-scroll":
                assert focused["outline"] != "none", f"no visible focus on {focused}"
        order = list(dict.fromkeys(x for x in reached if x in ("level=month", "period", "wijk", "theme", "csv", "print")))
        assert order == ["level=month", "period", "wijk", "theme", "csv", "print"], reached
        assert "table-scroll" in reached  # the tables that may scroll sideways take focus too
        # Choose the quarter with the arrow keys and show it with Enter.
        await page.focus("input[name=level][value=month]")
        await page.keyboard.press("ArrowRight")
        await expect(page.locator("input[name=level][value=quarter]")).to_be_checked()
        await page.keyboard.press("Enter")
        await expect(page.locator("h1")).to_contain_text("kwartaal")


async def test_dashboard_reflows_at_200_percent_zoom(dashboard_gateway, artifacts):
    """200% zoom of a 1280 px window is a 640 px wide page with twice the text."""
    async with chromium_page(640, 450) as page:
        await log_in(page, dashboard_gateway, "mira")
        await page.goto(dashboard_gateway.url + "/dashboard?level=quarter&period=2026-K1")
        overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the dashboard scrolls sideways by {overflow} px at 200% zoom"
        await expect(page.locator("#csv")).to_be_visible()
        await assert_accessible(page, "dashboard at 200% zoom")
        await page.screenshot(path=str(artifacts / "dashboard-zoom.png"), full_page=True)
