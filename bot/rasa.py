"""The only code that talks HTTP to the Rasa server."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.tls import tls_context


class RasaUnavailable(Exception):
    """Rasa did not answer (down, starting, or returned a server error)."""


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


class RasaClient:
    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._http = httpx.AsyncClient(timeout=timeout, verify=tls_context())

    async def close(self) -> None:
        await self._http.aclose()

    async def _post(self, path: str, payload: dict[str, Any], **params: str) -> Any:
        try:
            response = await self._http.post(f"{self.base_url}{path}", json=payload, params=params)
        except httpx.HTTPError as error:
            raise RasaUnavailable(type(error).__name__) from error
        if response.status_code >= 500 or response.status_code in (401, 403, 409):
            raise RasaUnavailable(f"HTTP {response.status_code}")
        response.raise_for_status()
        return response.json()

    async def parse(self, text: str) -> dict[str, Any]:
        """Intent and ranking for a text, as the trained model sees it."""
        return await self._post("/model/parse", {"text": text}, token=self.token)

    async def converse(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> Conversed:
        """One resident message, one round trip: the parse and the replies together."""
        answer = await self._post(CONVERSE_PATH, {"sender": sender, "message": text, "metadata": metadata or {}})
        return Conversed(answer.get("parse") or {}, [reply_from_rasa(item) for item in answer.get("messages") or []])

    async def send(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[BotReply]:
        """Send one resident message through the REST channel; return the assistant's replies."""
        items = await self._post(
            "/webhooks/rest/webhook",
            {"sender": sender, "message": text, "metadata": metadata or {}},
        )
        return [reply_from_rasa(item) for item in items]

    async def add_events(self, sender: str, events: list[dict[str, Any]]) -> None:
        """Append tracker events (pause, resume, slots) to a conversation."""
        await self._post(f"/conversations/{sender}/tracker/events", events, token=self.token)  # type: ignore[arg-type]

    async def forget(self, sender: str) -> None:
        """Delete what Rasa keeps about a sender: its tracker's events are replaced by none,
        which Voordeur's tracker store (rasa_addons/tracker_store.py) turns into a delete."""
        try:
            response = await self._http.put(f"{self.base_url}/conversations/{sender}/tracker/events",
                                            json=[], params={"token": self.token})
        except httpx.HTTPError as error:
            raise RasaUnavailable(type(error).__name__) from error
        if response.status_code >= 400:
            raise RasaUnavailable(f"HTTP {response.status_code}")

    async def is_up(self) -> bool:
        try:
            response = await self._http.get(f"{self.base_url}/status", params={"token": self.token}, timeout=3)
            return response.status_code == 200 and bool(response.json().get("model_file"))
        except (httpx.HTTPError, ValueError):
            return False

    async def actions_up(self, actions_url: str) -> bool:
        try:
            response = await self._http.get(actions_url.rstrip("/").removesuffix("/webhook") + "/health", timeout=3)
            return response.status_code == 200
        except httpx.HTTPError:
            return False
