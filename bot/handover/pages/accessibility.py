"""The accessibility statement (toegankelijkheidsverklaring), public, linked from the web chat,
the console and the dashboard."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.handover.pages.common import render


async def statement(request: Request) -> Response:
    return render("toegankelijkheid.html", user=None)
