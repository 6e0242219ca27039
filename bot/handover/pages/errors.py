"""Error pages of the console in Dutch: a wrong address (404), a page opened the wrong way (405, e.g.
"Toon nummer"'s POST address reopened from the history) and a failure (500) answer with the
console's own page and a way back, never Starlette's English text. Paths outside /console keep
their plain answers (the channels' APIs speak JSON to programs)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.handover.pages.common import render

TEXT_NL = {
    404: "Deze pagina bestaat niet.",
    405: "Deze pagina kun je zo niet openen. Ga terug en gebruik de knoppen op de pagina.",
    500: "Er ging iets mis. Probeer het zo opnieuw. Lukt het niet? Meld het dan bij de beheerder.",
}


def in_console(request: Request) -> bool:
    return request.url.path == "/console" or request.url.path.startswith("/console/")


async def http_error(request: Request, exc: Exception) -> Response:
    """404, 405 and the like from the router."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if not in_console(request):
        detail = exc.detail if isinstance(exc, HTTPException) else "Internal Server Error"
        return PlainTextResponse(detail, status_code=status, headers=getattr(exc, "headers", None))
    text = TEXT_NL.get(status, TEXT_NL[404] if status < 500 else TEXT_NL[500])
    return render("message.html", status=status, user=None, text=text, back="/console")


async def server_error(request: Request, exc: Exception) -> Response:
    """An unexpected failure, answered in Dutch (Starlette re-raises it after this, so the server logs it)."""
    if not in_console(request):
        return PlainTextResponse("Internal Server Error", status_code=500)
    return render("message.html", status=500, user=None, text=TEXT_NL[500], back="/console")


HANDLERS = {HTTPException: http_error, 500: server_error}
