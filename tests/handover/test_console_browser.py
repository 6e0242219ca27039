"""The whole handover in real Chromium: resident asks for a person in the web chat, a worker
sees it appear live, claims, replies, the resident sees the reply, the worker closes it."""

from __future__ import annotations

from playwright.async_api import expect
from sqlalchemy import select

from bot.needs.models import NeedEvent
from tests.browser import chromium_page
from tests.handover.conftest import PASSWORD


async def worker_login(page, base_url: str, username: str) -> None:
    await page.goto(base_url + "/console/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")


async def test_handover_from_web_chat_to_worker_and_back(staff, artifacts):
    async with chromium_page(1280, 900) as worker, chromium_page() as resident:
        await worker_login(worker, staff.url, "sanne")
        await expect(worker.locator("caption")).to_contain_text("Wachtende gesprekken (0)")

        await resident.goto(staff.url + "/")
        await resident.fill("#text", "ik heb schulden en wil graag een medewerker spreken")
        await resident.press("#text", "Enter")
        await resident.wait_for_selector("li.bot >> text=medewerker")

        # The case appears in the worker's queue without a reload.
        row = worker.locator("tr[data-conversation]")
        await expect(row).to_have_count(1, timeout=15000)
        await worker.screenshot(path=str(artifacts / "console-queue.png"), full_page=True)
        await row.locator("button", has_text="Oppakken").click()
        await expect(worker.locator("h1")).to_contain_text("Gesprek met B-")
        await expect(worker.locator("#transcript")).to_contain_text("ik heb schulden")

        await worker.fill("#reply", "Hoi, ik kijk met je mee. Wanneer kan ik je spreken?")
        await worker.click("#reply-form button[type=submit]")
        await resident.wait_for_selector("li.human >> text=Wanneer kan ik je spreken", timeout=15000)
        assert "Sanne" in await resident.locator("li.human").last.inner_text()

        await resident.fill("#text", "morgen na 10 uur")
        await resident.press("#text", "Enter")
        await expect(worker.locator("#transcript")).to_contain_text("morgen na 10 uur", timeout=15000)
        await worker.screenshot(path=str(artifacts / "console-conversation.png"), full_page=True)

        await worker.select_option("#close-form select[name=outcome]", "referred")
        await worker.select_option("#close-form select[name=service]", index=1)  # "Doorverwezen" needs a service
        await worker.select_option("#close-form select[name=intent]", "debt_bills")  # no need is chosen for you
        await worker.click("#close-submit")
        await worker.click("#close-form button[name=confirmed]")
        await resident.wait_for_selector("li.bot >> text=sluit het gesprek af", timeout=15000)
    async with staff.switchboard.sessions() as db:
        events = list(await db.scalars(select(NeedEvent)))
    assert [(e.outcome, e.theme) for e in events][-1] == ("met", "schulden")


async def test_resident_script_stays_text_in_the_workers_browser(staff, artifacts):
    await staff.say("r-xss-attempt", "<img src=x onerror=alert(1)><script>alert(2)</script> medewerker aub")
    async with chromium_page(1280, 900) as worker:
        dialogs = []
        worker.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        await worker_login(worker, staff.url, "sanne")
        await worker.locator("tr[data-conversation] a").first.click()
        await expect(worker.locator("#transcript")).to_contain_text("<script>alert(2)</script>")
        await worker.screenshot(path=str(artifacts / "console-xss.png"), full_page=True)
        assert dialogs == []
        assert await worker.locator("#transcript img").count() == 0
