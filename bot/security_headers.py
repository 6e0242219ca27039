"""HTTP headers that keep the gateway's pages from being framed, sniffed, cached or leaking
addresses, on every response (a pure ASGI middleware: it also covers streams and static files).

- Content-Security-Policy: scripts and styles from our own origin only (no inline script
  anywhere; the dashboard's heat map colours cells with inline style attributes, so styles
  there may be inline), no framing (frame-ancestors 'none', and X-Frame-Options for old
  browsers), no plugins, forms post to ourselves only.
- X-Content-Type-Options: nosniff; Referrer-Policy: no-referrer (a session id or case
  number in a URL never travels to another site).
- Cache-Control: no-store on everything that is not a static file: transcripts, the console,
  the dashboard and the web chat API hold residents' words; a shared computer's browser cache
  or a proxy must not keep them.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'{inline}; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
STATIC_PREFIX = "/static/"
INLINE_STYLE_PREFIXES = ("/dashboard",)


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    inline = " 'unsafe-inline'" if path.startswith(INLINE_STYLE_PREFIXES) else ""
    headers = [
        (b"content-security-policy", CSP.format(inline=inline).encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    ]
    if not path.startswith(STATIC_PREFIX):
        headers.append((b"cache-control", b"no-store"))
    return headers


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope.get("path", ""))
        names = {name for name, _ in extra}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)
