"""The local web chat channel: the HTTP API of CONTRACTS.md §3 and the page at /.

The web chat pulls its replies (the answer to a post, then `messages?after=` or server-sent
events), so it has no `deliver`. The contract routes carry the session in the URL path; the
page itself uses the same routes without it, the session in the `X-Webchat-Session` header,
so the id does not end up in proxy logs:

    GET /api/webchat/messages?after=N    GET /api/webchat/events?after=N     (header forms)
    POST /api/webchat/erase {"session"}  erase everything (contract)
    POST /api/webchat/end {"session"}    close the conversation (the page's "end" control)

Limits on what strangers can send: bodies up to 64 KiB (413), texts up to 4096 characters
(422), MESSAGE_BURST messages at once per session and then one a second (429), at most
MAX_STREAMS_PER_SESSION open event streams per session and MAX_STREAMS_PER_CLIENT per client
address (429). Limits are kept per gateway process.
"""

from __future__ import annotations

import asyncio
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import select
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from bot.channels.base import MAX_TEXT, Budget, Refused, error, find_conversation, read_json
from bot.lifecycle import State
from bot.channels.commands import Commands, command_of, said
from bot.store.models import Conversation, Message
from bot.switchboard import Inbound, Outgoing, Switchboard, outgoing

CHANNEL = "webchat"
SESSION_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
SESSION_HEADER = "X-Webchat-Session"
AFTER_PATTERN = re.compile(r"^[0-9]{1,18}$")  # ASCII digits only ("²" is a digit to Python)
SSE_KEEPALIVE_SECONDS = 15.0
MAX_STREAMS_PER_SESSION = 3  # a few tabs
MAX_STREAMS_PER_CLIENT = 50  # one address may be a library or an office behind one router
MESSAGE_BURST, MESSAGES_PER_SECOND = 60, 1.0  # far above anyone typing, far below a script


def clean_text(text: str) -> str:
    """Drop control characters (binary junk) but keep line breaks and every printable script."""
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn")
    ).strip()


def message_json(item: Outgoing) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "text": item.text,
        "buttons": item.buttons,
        "from": "human" if item.sender == "human" else "bot",
        "author": item.author if item.sender == "human" else None,  # a worker's first name and team
    }


BAD_SESSION = "De sessie klopt niet. Laad de pagina opnieuw."


def session_of(payload: Any) -> str | JSONResponse:
    if not isinstance(payload, dict):
        return error(400, "bad_json", "Stuur een JSON-object met session en text.")
    session = payload.get("session")
    if not isinstance(session, str) or not SESSION_PATTERN.match(session):
        return error(422, "bad_session", BAD_SESSION)
    return session


def validate(payload: Any) -> tuple[str, str, str | None] | JSONResponse:
    session = session_of(payload)
    if isinstance(session, JSONResponse):
        return session
    text = payload.get("text")
    if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
        return error(422, "bad_text", f"Je bericht moet 1 tot {MAX_TEXT} tekens lang zijn.")
    cleaned = clean_text(text)
    if not cleaned:
        return error(422, "empty_text", "Je bericht is leeg. Typ een vraag en stuur het opnieuw.")
    message_id = payload.get("id")  # optional: the page's own id, so a retried post counts once
    if message_id is not None and (not isinstance(message_id, str) or not SESSION_PATTERN.match(message_id)):
        return error(422, "bad_id", "Het bericht-id klopt niet.")
    return session, cleaned, message_id


class StreamBudget:
    """Open event streams per session and per client address, so nobody can hold them all."""

    def __init__(self) -> None:
        self._open: Counter[tuple[str, str]] = Counter()

    def take(self, session: str, client: str) -> bool:
        if (self._open[("session", session)] >= MAX_STREAMS_PER_SESSION
                or self._open[("client", client)] >= MAX_STREAMS_PER_CLIENT):
            return False
        self._open[("session", session)] += 1
        self._open[("client", client)] += 1
        return True

    def give_back(self, session: str, client: str) -> None:
        for key in (("session", session), ("client", client)):
            self._open[key] -= 1
            if self._open[key] <= 0:
                del self._open[key]


class WebChatChannel:
    name = CHANNEL

    def __init__(self, switchboard: Switchboard, static_dir: Path) -> None:
        self.switchboard = switchboard
        self.static_dir = static_dir
        self.commands = Commands(switchboard, CHANNEL)
        self.streams = StreamBudget()
        self.messages = Budget(MESSAGE_BURST, MESSAGES_PER_SECOND)

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/", self.page),
            Route("/api/webchat/messages", self.post_message, methods=["POST"]),
            Route("/api/webchat/messages", self.get_messages, methods=["GET"]),
            Route("/api/webchat/events", self.events),
            Route("/api/webchat/erase", self.erase, methods=["POST"]),
            Route("/api/webchat/end", self.end, methods=["POST"]),
            Route("/api/webchat/{session}/messages", self.get_messages),
            Route("/api/webchat/{session}/events", self.events),
        ]

    async def page(self, _: Request) -> Response:
        return FileResponse(self.static_dir / "webchat.html")

    # ---- in --------------------------------------------------------------------------------

    async def post_message(self, request: Request) -> Response:
        try:
            payload = await read_json(request)
        except Refused as refused:
            return refused.response
        checked = validate(payload)
        if isinstance(checked, JSONResponse):
            return checked
        session, text, message_id = checked
        if not self.messages.take(session):
            too_fast = error(429, "too_many_messages", "Je stuurt veel berichten snel achter elkaar. "
                                                       "Wacht even en stuur het dan opnieuw.")
            too_fast.headers["Retry-After"] = "5"
            return too_fast
        command = command_of(text)
        if command:  # /verwijder, /stop and the erase buttons, as on every channel
            replies = await self.commands.run(session, command)
            conversation = await self._conversation(session)
            state = conversation.state if conversation else State.CLOSED
            return JSONResponse({"messages": [message_json(m) for m in replies], "state": state})
        outcome = await self.switchboard.receive(Inbound(CHANNEL, session, text, message_id))
        return JSONResponse({"messages": [message_json(m) for m in outcome.messages], "state": outcome.state})

    async def erase(self, request: Request) -> Response:
        """Erase everything about this web chat resident, in the gateway and in Rasa (CONTRACTS §3)."""
        session = await self._posted_session(request)
        if isinstance(session, Response):
            return session
        await self.commands.erase(session)
        # What was deleted and what the resident can do next, in the page's words (domain.yml).
        return JSONResponse({"erased": True, "messages": [message_json(said("utter_gateway_erased"))]})

    async def end(self, request: Request) -> Response:
        """The resident ends the conversation (the page then forgets its session)."""
        session = await self._posted_session(request)
        if isinstance(session, Response):
            return session
        await self.commands.stop(session)
        return JSONResponse({"state": "closed", "messages": [message_json(said("utter_gateway_stop"))]})

    async def _posted_session(self, request: Request) -> str | Response:
        try:
            return session_of(await read_json(request))
        except Refused as refused:
            return refused.response

    # ---- out: replies that come later -------------------------------------------------------

    async def _conversation(self, session: str) -> Conversation | None:
        if not SESSION_PATTERN.match(session):
            return None
        async with self.switchboard.sessions() as db:
            return await find_conversation(db, CHANNEL, self.switchboard.pseudonym(CHANNEL, session))

    async def _messages_after(self, conversation_id: int, after: int) -> list[Outgoing]:
        async with self.switchboard.sessions() as db:
            rows = await db.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.direction == "out", Message.id > after)
                .order_by(Message.id)
            )
            return [outgoing(m) for m in rows]

    async def _conversation_and_after(self, request: Request) -> tuple[str, Conversation, int] | JSONResponse:
        session = request.path_params.get("session") or request.headers.get(SESSION_HEADER, "")
        raw = request.query_params.get("after") or request.headers.get("last-event-id") or "0"
        if not AFTER_PATTERN.match(raw):
            return error(422, "bad_after", "after moet een bericht-id zijn.")
        conversation = await self._conversation(session)
        if conversation is None:
            return error(404, "unknown_session", "Dit gesprek bestaat niet (meer).")
        return session, conversation, int(raw)

    async def get_messages(self, request: Request) -> Response:
        found = await self._conversation_and_after(request)
        if isinstance(found, JSONResponse):
            return found
        _, conversation, after = found
        items = await self._messages_after(conversation.id, after)
        return JSONResponse({"messages": [message_json(m) for m in items], "state": conversation.state})

    async def events(self, request: Request) -> Response:
        found = await self._conversation_and_after(request)
        if isinstance(found, JSONResponse):
            return found
        session, conversation, after = found
        client = request.client.host if request.client else "-"
        if not self.streams.take(session, client):
            return error(429, "too_many_streams", "Dit gesprek is al open in andere vensters. Sluit er een.")
        topic = f"conversation:{conversation.id}"
        notifier = self.switchboard.notifier

        async def stream():
            queue = notifier.subscribe(topic)
            last = after
            try:
                # Whatever arrived before we subscribed, then live messages; the database
                # is read again on every wake-up so no message can slip between the two.
                while True:
                    for item in await self._messages_after(conversation.id, last):
                        last = item.id
                        yield f"id: {item.id}\nevent: message\ndata: {json.dumps(message_json(item))}\n\n"
                    try:
                        await asyncio.wait_for(queue.get(), timeout=SSE_KEEPALIVE_SECONDS)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                    if await request.is_disconnected():
                        break
            finally:
                notifier.unsubscribe(topic, queue)

        # The budget is given back when the response ends, also when the client left early.
        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"},
            background=BackgroundTask(self.streams.give_back, session, client),
        )
