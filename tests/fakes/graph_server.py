"""A fake Meta Graph API (WhatsApp Cloud API) on 127.0.0.1, and builders for Meta's webhooks.

`POST /{phone_number_id}/messages` is recorded in `sent` when the bearer token is right;
`fail_next = N` makes the next N calls answer 500 (to test retries). The webhook builders make
the bodies Meta posts to the gateway; `signed_headers` signs them like Meta does.

    async with running_fake_graph() as graph:
        body = graph.text_webhook("31612345678", "hallo", "wamid.1")
        await client.post("/webhooks/whatsapp", content=body, headers=graph.signed_headers(body))
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.server import serve, wait_until

PHONE_NUMBER_ID = "109876543210"
TOKEN = "graph-test-token"
APP_SECRET = "app-test-secret"
VERIFY_TOKEN = "verify-test-token"


@dataclass
class FakeGraph:
    phone_number_id: str = PHONE_NUMBER_ID
    token: str = TOKEN
    app_secret: str = APP_SECRET
    url: str = ""
    sent: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0
    fail_next: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def env(self) -> dict[str, str]:
        """The gateway settings that point WhatsApp at this server."""
        return {
            "WHATSAPP_TOKEN": self.token, "WHATSAPP_PHONE_NUMBER_ID": self.phone_number_id,
            "WHATSAPP_APP_SECRET": self.app_secret, "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
            "WHATSAPP_API_BASE_URL": self.url,
        }

    def sent_to(self, wa_id: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m.get("to") == wa_id]

    async def wait_for_sent(self, count: int, wa_id: str | None = None, timeout: float = 60) -> list[dict]:
        def enough():
            sent = self.sent if wa_id is None else self.sent_to(wa_id)
            return sent if len(sent) >= count else None
        return await wait_until(enough, timeout)

    # ---- the Graph API ---------------------------------------------------------------------

    async def _messages(self, request: Request) -> JSONResponse:
        self.calls += 1
        if request.path_params["phone_id"] != self.phone_number_id:
            return JSONResponse({"error": {"message": "Unknown path", "code": 100}}, 400)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"error": {"message": "Invalid OAuth access token", "code": 190}}, 401)
        if self.fail_next > 0:
            self.fail_next -= 1
            return JSONResponse({"error": {"message": "Service temporarily unavailable", "code": 2}}, 500)
        body = await request.json()
        self.sent.append(body)
        return JSONResponse({"messaging_product": "whatsapp",
                             "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                             "messages": [{"id": f"wamid.out.{next(self._ids)}"}]})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{phone_id}/messages", self._messages, methods=["POST"])])

    # ---- Meta's webhooks -------------------------------------------------------------------

    def signed_headers(self, body: bytes) -> dict[str, str]:
        digest = hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()
        return {"content-type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}

    def webhook(self, value: dict[str, Any]) -> bytes:
        value = {"messaging_product": "whatsapp",
                 "metadata": {"display_phone_number": "3197000000000", "phone_number_id": self.phone_number_id},
                 **value}
        return json.dumps({"object": "whatsapp_business_account",
                           "entry": [{"id": "WABA-1", "changes": [{"field": "messages", "value": value}]}]}).encode()

    def message_webhook(self, wa_id: str, message_id: str, kind: str, content: dict[str, Any]) -> bytes:
        message = {"from": wa_id, "id": message_id, "timestamp": str(int(time.time())), "type": kind, kind: content}
        return self.webhook({"contacts": [{"profile": {"name": "Bewoner"}, "wa_id": wa_id}], "messages": [message]})

    def text_webhook(self, wa_id: str, text: str, message_id: str) -> bytes:
        return self.message_webhook(wa_id, message_id, "text", {"body": text})

    def button_reply_webhook(self, wa_id: str, payload: str, title: str, message_id: str) -> bytes:
        return self.message_webhook(wa_id, message_id, "interactive",
                                    {"type": "button_reply", "button_reply": {"id": payload, "title": title}})

    def list_reply_webhook(self, wa_id: str, payload: str, title: str, message_id: str) -> bytes:
        return self.message_webhook(wa_id, message_id, "interactive",
                                    {"type": "list_reply", "list_reply": {"id": payload, "title": title}})

    def status_webhook(self, wa_id: str, message_id: str, status: str = "delivered") -> bytes:
        return self.webhook({"statuses": [{"id": message_id, "status": status, "recipient_id": wa_id,
                                           "timestamp": str(int(time.time()))}]})


@contextlib.asynccontextmanager
async def running_fake_graph() -> AsyncIterator[FakeGraph]:
    fake = FakeGraph()
    async with serve(fake.app()) as url:
        fake.url = url
        yield fake
