"""The web chat page in real Chromium, as a resident on a phone uses it."""

from __future__ import annotations

from tests.browser import chromium_page


async def test_resident_chats_and_presses_a_button(gateway, artifacts):
    async with chromium_page() as page:
        external = []
        page.on("request", lambda r: external.append(r.url) if not r.url.startswith(gateway.url) else None)
        await page.goto(gateway.url + "/")
        await page.fill("#text", "hallo")
        await page.press("#text", "Enter")
        await page.wait_for_selector("li.bot >> text=digitale assistent")

        await page.fill("#text", "🙂🙂")
        await page.click("button[type=submit]")
        button = page.locator("li.bot button", has_text="Overlast")
        await button.wait_for()
        await button.click()
        await page.locator("li.bot button", has_text="Lawaai").wait_for()
        await page.screenshot(path=str(artifacts / "webchat.png"), full_page=True)
        assert external == []  # no external assets


async def test_script_from_a_resident_stays_text(gateway):
    async with chromium_page() as page:
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        await page.goto(gateway.url + "/")
        await page.fill("#text", "<img src=x onerror=alert(1)><script>alert(2)</script>")
        await page.press("#text", "Enter")
        await page.wait_for_selector("li.me")
        assert "<script>alert(2)</script>" in await page.inner_text("li.me")
        await page.wait_for_selector("li.bot")
        assert dialogs == []


async def test_empty_message_gets_a_clear_hint(gateway):
    async with chromium_page() as page:
        await page.goto(gateway.url + "/")
        await page.fill("#text", "   ")
        await page.click("button[type=submit]")
        assert "Typ eerst een bericht" in await page.inner_text("#status")
