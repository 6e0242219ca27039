"""WCAG 2.1 AA in Chromium (issue 14.5): the axe-core scan on every console page and the web
chat, a keyboard-only walkthrough of a worker's case, new messages read out by a live region,
the pages at 200% zoom, and the accessibility statement linked from every front end."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.axe import assert_accessible
from tests.browser import chromium_page
from tests.handover.conftest import PASSWORD, case_of, csrf_of, login, session_id, staff  # noqa: F401 (fixture)
from tests.handover.test_console_browser import worker_login


async def a_claimed_case(gateway) -> tuple[str, int]:
    sid = session_id()
    await gateway.say(sid, "ik heb schulden, mag ik een medewerker")
    case = await case_of(gateway, sid)
    sanne = await login(gateway, "sanne")
    await sanne.post(f"/console/conversations/{case}/claim", data={"csrf": await csrf_of(sanne)})
    await gateway.say(session_id(), "ik wil niet meer leven")  # an urgent case waits too
    return sid, case


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
async def test_console_pages_and_web_chat_have_no_serious_wcag_violations(staff, width, height):  # noqa: F811
    _, case = await a_claimed_case(staff)
    async with chromium_page(width, height) as page:
        await page.goto(staff.url + "/console/login")
        await assert_accessible(page, "login")
        await page.fill("input[name=username]", "sanne")
        await page.fill("input[name=password]", "wrong password!")
        await page.click("button[type=submit]")
        await assert_accessible(page, "login with an error")
        await worker_login(page, staff.url, "sanne")
        await expect(page.locator("#alerts .alert").first).to_be_visible(timeout=15000)
        await assert_accessible(page, "queue with an alert")
        await page.goto(f"{staff.url}/console/conversations/{case}")
        await assert_accessible(page, "case page")
        await page.select_option("#close-outcome", "referred")
        await page.click("#close-submit")
        await assert_accessible(page, "case page with a refused close")
        await page.goto(staff.url + "/toegankelijkheid")
        await assert_accessible(page, "accessibility statement")
        await page.context.clear_cookies()
        await worker_login(page, staff.url, "admin")
        await page.goto(staff.url + "/console/admin")
        await assert_accessible(page, "admin page")
        await page.context.clear_cookies()
        await worker_login(page, staff.url, "mira")
        await page.goto(staff.url + "/dashboard")
        await assert_accessible(page, "dashboard")
        await page.context.clear_cookies()
        await page.goto(staff.url + "/")
        await page.fill("#text", "ik heb een huurschuld")
        await page.press("#text", "Enter")
        await page.wait_for_selector("#log li:nth-child(2)")
        await assert_accessible(page, "web chat")


async def test_a_worker_handles_a_case_with_the_keyboard_only(staff):  # noqa: F811
    sid = session_id()
    await staff.say(sid, "ik heb schulden, mag ik een medewerker")
    async with chromium_page(1280, 900) as page:
        await page.goto(staff.url + "/console/login")

        async def tab_to(selector: str, limit: int = 60) -> None:
            for _ in range(limit):
                await page.keyboard.press("Tab")
                if await page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
                    return
            raise AssertionError(f"Tab never reached {selector}")

        await tab_to("input[name=username]")
        await page.keyboard.type("sanne")
        await tab_to("input[name=password]")
        await page.keyboard.type(PASSWORD)
        await page.keyboard.press("Enter")
        await expect(page.locator("h1")).to_have_text("Wachtrij")

        await tab_to("tr[data-conversation] button")
        await page.keyboard.press("Enter")  # Oppakken
        await expect(page.locator("h1")).to_contain_text("Gesprek met")
        await tab_to("#reply")
        await page.keyboard.type("Hoi, ik kijk met je mee.")
        await page.keyboard.press("Enter")
        await expect(page.locator("#transcript li.human").last).to_contain_text("ik kijk met je mee")
        got = (await staff.client.get(f"/api/webchat/{sid}/messages")).json()["messages"]
        assert got[-1]["text"] == "Hoi, ik kijk met je mee."

        await tab_to("#close-outcome")
        await page.keyboard.press("End")  # the last outcome in the list, chosen by keyboard
        await tab_to("#close-intent")
        await page.keyboard.press("Home")
        await page.keyboard.press("ArrowDown")  # the first need
        await tab_to("#close-submit")
        await page.keyboard.press("Enter")
        await expect(page.locator("#close-form button[name=confirmed]")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(page.locator(".result")).to_contain_text("Gelukt")
        focus_visible = await page.evaluate("""() => {
            const link = document.querySelector('a'); link.focus();
            return getComputedStyle(link).outlineStyle !== 'none'; }""")
        assert focus_visible


async def test_a_screen_reader_hears_the_residents_new_message(staff):  # noqa: F811
    sid, case = await a_claimed_case(staff)
    async with chromium_page(1280, 900) as page:
        await worker_login(page, staff.url, "sanne")
        await page.goto(f"{staff.url}/console/conversations/{case}")
        live = page.locator("#announce")
        assert await live.get_attribute("aria-live") == "polite"
        await staff.say(sid, "de deurwaarder komt maandag")
        await expect(live).to_have_text(re.compile("Nieuw bericht van de bewoner: de deurwaarder komt maandag"),
                                        timeout=15000)


@pytest.mark.parametrize("path", ["/console", "case", "/toegankelijkheid", "/"])
async def test_pages_reflow_at_200_percent_zoom(staff, path):  # noqa: F811
    """200% zoom of a 1280 px window is a 640 px wide page with twice the text: nothing may need
    sideways scrolling, and the reply box stays on the screen."""
    _, case = await a_claimed_case(staff)
    async with chromium_page(640, 450) as page:
        await worker_login(page, staff.url, "sanne")
        await page.goto(staff.url + (f"/console/conversations/{case}" if path == "case" else path))
        await page.wait_for_load_state("load")
        await page.wait_for_timeout(500)  # live parts (alerts, queue) have settled
        overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at 200% zoom"
        if path == "case":
            await expect(page.locator("#reply")).to_be_in_viewport()
        await assert_accessible(page, f"{path} at 200% zoom")


async def test_the_accessibility_statement_is_linked_from_every_front_end(staff):  # noqa: F811
    _, case = await a_claimed_case(staff)
    async with chromium_page(1280, 900) as page:
        await page.goto(staff.url + "/")
        await expect(page.locator("a[href='/toegankelijkheid']")).to_have_count(1)
        for user, path in (("sanne", "/console"), ("sanne", f"/console/conversations/{case}"),
                           ("mira", "/dashboard"), ("admin", "/console/admin")):
            await page.context.clear_cookies()
            await worker_login(page, staff.url, user)
            await page.goto(staff.url + path)
            await expect(page.locator("a[href='/toegankelijkheid']")).to_have_count(1)
        await page.click("a[href='/toegankelijkheid']")
        await expect(page.locator("h1")).to_have_text("Toegankelijkheid van Voordeur")
