"""Security headers on the gateway's pages and APIs (bot/security_headers.py)."""

from __future__ import annotations

from tests.handover.conftest import login, make_user

PAGES = ["/", "/console/login", "/api/webchat/messages"]


async def test_every_page_forbids_framing_sniffing_and_referrers(gateway_without_rasa):
    gw = gateway_without_rasa
    for path in PAGES + ["/static/webchat.js", "/healthz"]:
        response = await gw.client.get(path)
        csp = response.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp, path
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0], path
        assert response.headers.get("x-content-type-options") == "nosniff", path
        assert response.headers.get("referrer-policy") == "no-referrer", path
        assert response.headers.get("x-frame-options") == "DENY", path


async def test_transcripts_and_console_pages_are_never_cached(gateway_without_rasa):
    gw = gateway_without_rasa
    body = await gw.say("headers-0001", "ik heb schulden")
    transcript = await gw.client.get("/api/webchat/headers-0001/messages")
    assert transcript.status_code == 200 and transcript.headers.get("cache-control") == "no-store"
    await make_user(gw, "sanne", "worker", "Sanne")
    sanne = await login(gw, "sanne")
    queue = await sanne.get("/console", headers={"accept": "text/html"})
    assert queue.status_code == 200 and queue.headers.get("cache-control") == "no-store"
    assert body["messages"]
    static = await gw.client.get("/static/console.css")
    assert static.headers.get("cache-control") != "no-store"  # static files may be cached
    await sanne.aclose()
