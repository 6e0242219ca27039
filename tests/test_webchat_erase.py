"""Web chat on a shared computer: erase (CONTRACTS §3), end the conversation, and a session id
that stays out of URLs and out of storage that outlives the tab."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from bot.store.models import Conversation, Message
from tests.browser import chromium_page


async def wait_until(page, expression: str) -> None:
    """Poll an expression in the page (wait_for_function would need eval, which our CSP forbids)."""
    for _ in range(200):
        if await page.evaluate(expression):
            return
        await page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def new_session() -> str:
    return "erase-" + uuid.uuid4().hex[:12]


async def stored_for(gateway, session: str) -> int:
    resident = gateway.switchboard.pseudonym("webchat", session)
    async with gateway.switchboard.sessions() as db:
        return await db.scalar(
            select(func.count(Message.id)).join(Conversation).where(Conversation.resident == resident))


async def test_erase_deletes_the_conversation_and_says_what_next(gateway):
    session = new_session()
    await gateway.say(session, "ik heb schulden")
    assert await stored_for(gateway, session) >= 2
    response = await gateway.client.post("/api/webchat/erase", json={"session": session})
    assert response.status_code == 200 and response.json()["erased"] is True
    assert "gewist" in response.json()["messages"][0]["text"]
    assert await stored_for(gateway, session) == 0
    assert (await gateway.client.get(f"/api/webchat/{session}/messages")).status_code == 404
    # Nothing stored (or erased twice): still a plain yes.
    again = await gateway.client.post("/api/webchat/erase", json={"session": session})
    assert again.status_code == 200 and again.json()["erased"] is True
    bad = await gateway.client.post("/api/webchat/erase", json={"session": "x"})
    assert bad.status_code == 422


async def test_typed_commands_work_in_the_web_chat_too(gateway):
    session = new_session()
    await gateway.say(session, "hallo")
    confirm = await gateway.say(session, "/verwijder")
    assert [b["payload"] for b in confirm["messages"][0]["buttons"]] == ["verwijder:ja", "verwijder:nee"]
    await gateway.say(session, "verwijder:ja")
    assert await stored_for(gateway, session) == 0


async def test_end_closes_the_conversation(gateway):
    session = new_session()
    await gateway.say(session, "ik wil een medewerker spreken")
    response = await gateway.client.post("/api/webchat/end", json={"session": session})
    assert response.status_code == 200 and response.json()["state"] == "closed"
    got = await gateway.client.get("/api/webchat/messages", headers={"X-Webchat-Session": session})
    assert got.status_code == 200 and got.json()["state"] == "closed"


async def test_page_keeps_the_session_for_the_tab_only_and_out_of_urls(gateway):
    async with chromium_page() as page:
        urls: list[str] = []
        page.on("request", lambda r: urls.append(r.url))
        await page.goto(gateway.url + "/")
        await page.fill("#text", "hallo")
        await page.press("#text", "Enter")
        await page.wait_for_selector("li.bot >> text=digitale assistent")
        session = await page.evaluate("sessionStorage.getItem('voordeur-session')")
        assert session and await page.evaluate("localStorage.length") == 0
        await page.wait_for_timeout(500)  # the event stream opens after the first answer
        assert not [u for u in urls if session in u]

        # "Stop gesprek": the next person at this computer sees nothing of it.
        await page.click("#end")
        await wait_until(page, f"sessionStorage.getItem('voordeur-session') !== '{session}'")
        assert "digitale assistent" not in await page.inner_text("#log")
        assert "hallo" not in await page.inner_text("#log")

        # "Wis mijn gesprek" asks first, then erases and clears the page.
        shown = await page.locator("li.bot").count()  # the closing note
        await page.fill("#text", "ik heb schulden")
        await page.press("#text", "Enter")
        await wait_until(page, f"document.querySelectorAll('#log li.bot').length > {shown}")
        second = await page.evaluate("sessionStorage.getItem('voordeur-session')")
        assert await stored_for(gateway, second) >= 2
        await page.click("#erase")
        await page.click("#erase-yes")
        await page.wait_for_selector("li.bot >> text=gewist")
        assert "schulden" not in await page.inner_text("#log")
        assert await stored_for(gateway, second) == 0
