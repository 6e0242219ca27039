"""GET /healthz (CONTRACTS.md §4): what works, and whether the resident is served fully."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.store.db import database_ok


async def health_report(app_state) -> tuple[dict[str, object], int]:
    switchboard = app_state.switchboard
    database = await database_ok(app_state.engine)
    rasa = await switchboard.rasa.is_up()
    actions = await switchboard.rasa.actions_up(app_state.actions_url)
    body: dict[str, object] = {
        "status": "ok" if database and rasa and actions else "degraded",
        "rasa": "ok" if rasa else "down",
        "actions": "ok" if actions else "down",
        "database": "ok" if database else "down",
    }
    if database:
        undelivered = await switchboard.undelivered()
        pending = await switchboard.pending_count()
        body["undelivered_replies"] = undelivered
        body["pending_messages"] = pending
        if undelivered:
            body["status"] = "degraded"
    return body, 200 if database else 503


async def healthz(request: Request) -> JSONResponse:
    body, status = await health_report(request.app.state)
    return JSONResponse(body, status_code=status)
