"""For partners: receive Voordeur's referral webhook safely (docs/referrals.md has a stand-alone copy).

`verify` checks the signature and its age; `receiver_app` is a small Starlette app that refuses
forged or replayed deliveries, hands each referral to `handle` once (by idempotency key), and
answers the receipt `{"status": "seen"}`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.referrals.webhook import IDEMPOTENCY_HEADER, SIGNATURE_HEADER

TOLERANCE_SECONDS = 300


def verify(secret: str, body: bytes, header: str | None, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """True when `header` is a valid signature of `body` made within `tolerance` seconds."""
    try:
        parts = dict(part.split("=", 1) for part in (header or "").split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


def receiver_app(secret: str, handle: Callable[[dict], Awaitable[None]], seen: set[str] | None = None) -> Starlette:
    """A partner's endpoint at POST /referrals. `seen` holds processed keys (use a database in production)."""
    processed = seen if seen is not None else set()

    async def receive(request: Request) -> JSONResponse:
        body = await request.body()
        if not verify(secret, body, request.headers.get(SIGNATURE_HEADER)):
            return JSONResponse({"error": "bad signature"}, status_code=401)
        key = request.headers.get(IDEMPOTENCY_HEADER, "")
        data = await request.json()
        if not key or data.get("id") != key:
            return JSONResponse({"error": "idempotency key does not match"}, status_code=400)
        dedupe = f"{key}:{data.get('status')}"  # a withdrawal of the same referral is new information
        if dedupe not in processed:
            await handle(data)
            processed.add(dedupe)
        return JSONResponse({"status": "seen", "id": key})

    return Starlette(routes=[Route("/referrals", receive, methods=["POST"])])
