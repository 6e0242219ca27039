"""The only code that talks HTTP to the Rasa server.

Every resident message the assistant reads is one request here, so the client is aiohttp: it
costs about a fifth of the CPU of an httpx request (0.17 against 0.78 ms on this machine,
docs/benchmarks.md). The session is made on first use, inside the running event loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.tls import tls_context


class RasaUnavailable(Exception):
    """Rasa did not answer (down, starting, or returned a server error)."""


class RasaRefused(Exception):
    """Rasa answered that it will not take this request (HTTP 4xx): a fault in the request or
    the set-up, not something waiting fixes."""


@dataclass
class BotReply:
    """One message from the assistant, with any Voordeur instruction it carries."""

    text: str | None = None
    buttons: list[dict[str, str]] = field(default_factory=list)
    instruction: dict[str, Any] = field(default_factory=dict)


def reply_from_rasa(item: dict[str, Any]) -> BotReply:
    custom = item.get("custom") or {}
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in item.get("buttons") or []
    ]
    return BotReply(
        text=item.get("text"),
        buttons=buttons,
        instruction=custom.get("voordeur", {}) if isinstance(custom, dict) else {},
    )


@dataclass
class Conversed:
    """What Rasa made of one resident message: the parse and the assistant's replies."""

    parse: dict[str, Any]  # as /model/parse: intent, intent_ranking, entities, and extra keys
    replies: list[BotReply]


# Our input channel (rasa_addons/voordeur_channel.py, registered in credentials.yml).
CONVERSE_PATH = "/webhooks/voordeur/webhook"
# Errors that mean "Rasa did not answer": refused, reset, timed out, not HTTP.
NOT_ANSWERED = (aiohttp.ClientError, asyncio.TimeoutError)


class RasaClient:
    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self.timeout, connector=aiohttp.TCPConnector(ssl=tls_context(), limit=0))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def request(self, method: str, path: str, payload: Any = None, *, timeout: float | None = None,
                      params: dict[str, str] | None = None) -> tuple[int, Any]:
        """One request to Rasa: the status and the JSON body (None when it is not JSON)."""
        limit = aiohttp.ClientTimeout(total=timeout) if timeout is not None else None
        try:
            async with self._http().request(method, f"{self.base_url}{path}", json=payload, params=params,
                                            timeout=limit or self.timeout) as response:
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
                return response.status, body
        except NOT_ANSWERED as error:
            raise RasaUnavailable(type(error).__name__) from error

    async def _post(self, path: str, payload: Any, **params: str) -> Any:
        status, body = await self.request("POST", path, payload, params=params)
        if status >= 500 or status in (401, 403, 409):
            raise RasaUnavailable(f"HTTP {status}")
        if status >= 400:
            raise RasaRefused(f"HTTP {status}")
        return body

    async def converse(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> Conversed:
        """One resident message, one round trip: the parse and the replies together."""
        answer = await self._post(CONVERSE_PATH, {"sender": sender, "message": text, "metadata": metadata or {}})
        answer = answer if isinstance(answer, dict) else {}
        return Conversed(answer.get("parse") or {}, [reply_from_rasa(item) for item in answer.get("messages") or []])

    async def add_events(self, sender: str, events: list[dict[str, Any]]) -> None:
        """Append tracker events (pause, resume, slots) to a conversation."""
        await self._post(f"/conversations/{sender}/tracker/events", events, token=self.token)

    async def forget(self, sender: str) -> None:
        """Delete what Rasa keeps about a sender: its tracker's events are replaced by none,
        which Voordeur's tracker store (rasa_addons/tracker_store.py) turns into a delete."""
        status, _ = await self.request("PUT", f"/conversations/{sender}/tracker/events", [],
                                       params={"token": self.token})
        if status >= 400:
            raise RasaUnavailable(f"HTTP {status}")

    async def is_up(self) -> bool:
        try:
            status, body = await self.request("GET", "/status", timeout=3, params={"token": self.token})
        except RasaUnavailable:
            return False
        return status == 200 and isinstance(body, dict) and bool(body.get("model_file"))

    async def actions_up(self, actions_url: str) -> bool:
        url = actions_url.rstrip("/").removesuffix("/webhook") + "/health"
        try:
            async with self._http().get(url, timeout=aiohttp.ClientTimeout(total=3)) as response:
                return response.status == 200
        except NOT_ANSWERED:
            return False
