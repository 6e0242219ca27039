"""The local web chat channel: the HTTP API of CONTRACTS.md §3 and the page at /."""

from __future__ import annotations

import asyncio
import json
import re
import unicodedata
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from bot.store.models import Conversation, Message
from bot.switchboard import Inbound, Outgoing, Switchboard, outgoing

CHANNEL = "webchat"
SESSION_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_TEXT = 4096
SSE_KEEPALIVE_SECONDS = 15.0


def clean_text(text: str) -> str:
    """Drop control characters (binary junk) but keep line breaks and every printable script."""
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn")
    ).strip()


def error(status: int, code: str, detail: str) -> JSONResponse:
    """A bad request: a code for programs, a Dutch sentence the page can show as it is."""
    return JSONResponse({"error": code, "detail": detail}, status_code=status)


def message_json(item: Outgoing) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "text": item.text,
        "buttons": item.buttons,
        "from": "human" if item.sender == "human" else "bot",
        "author": item.author if item.sender == "human" else None,  # a worker's first name and team
    }


def validate(payload: Any) -> tuple[str, str, str | None] | JSONResponse:
    if not isinstance(payload, dict):
        return error(400, "bad_json", "Stuur een JSON-object met session en text.")
    session, text = payload.get("session"), payload.get("text")
    if not isinstance(session, str) or not SESSION_PATTERN.match(session):
        return error(422, "bad_session", "De sessie klopt niet. Laad de pagina opnieuw.")
    if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
        return error(422, "bad_text", f"Je bericht moet 1 tot {MAX_TEXT} tekens lang zijn.")
    cleaned = clean_text(text)
    if not cleaned:
        return error(422, "empty_text", "Je bericht is leeg. Typ een vraag en stuur het opnieuw.")
    message_id = payload.get("id")  # optional: the page's own id, so a retried post counts once
    if message_id is not None and (not isinstance(message_id, str) or not SESSION_PATTERN.match(message_id)):
        return error(422, "bad_id", "Het bericht-id klopt niet.")
    return session, cleaned, message_id


def routes(switchboard: Switchboard, static_dir) -> list[Route]:
    async def post_message(request: Request) -> Response:
        try:
            payload = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return error(400, "bad_json", "Dit is geen geldige JSON.")
        checked = validate(payload)
        if isinstance(checked, JSONResponse):
            return checked
        session, text, message_id = checked
        outcome = await switchboard.receive(Inbound(CHANNEL, session, text, message_id))
        return JSONResponse(
            {"messages": [message_json(m) for m in outcome.messages], "state": outcome.state}
        )

    async def conversation_for(session: str) -> Conversation | None:
        if not SESSION_PATTERN.match(session):
            return None
        resident = switchboard.pseudonym(CHANNEL, session)
        async with switchboard.sessions() as db:
            return await db.scalar(
                select(Conversation).where(
                    Conversation.channel == CHANNEL, Conversation.resident == resident
                )
            )

    async def messages_after(conversation_id: int, after: int) -> list[Outgoing]:
        async with switchboard.sessions() as db:
            rows = await db.scalars(
                select(Message)
                .where(
                    Message.conversation_id == conversation_id,
                    Message.direction == "out",
                    Message.id > after,
                )
                .order_by(Message.id)
            )
            return [outgoing(m) for m in rows]

    def after_param(request: Request) -> int | None:
        raw = request.query_params.get("after") or request.headers.get("last-event-id") or "0"
        return int(raw) if raw.isdigit() else None

    async def conversation_and_after(request: Request) -> tuple[Conversation, int] | JSONResponse:
        conversation = await conversation_for(request.path_params["session"])
        if conversation is None:
            return error(404, "unknown_session", "Dit gesprek bestaat niet (meer).")
        after = after_param(request)
        if after is None:
            return error(422, "bad_after", "after moet een bericht-id zijn.")
        return conversation, after

    async def get_messages(request: Request) -> Response:
        found = await conversation_and_after(request)
        if isinstance(found, JSONResponse):
            return found
        conversation, after = found
        items = await messages_after(conversation.id, after)
        return JSONResponse({"messages": [message_json(m) for m in items], "state": conversation.state})

    async def events(request: Request) -> Response:
        found = await conversation_and_after(request)
        if isinstance(found, JSONResponse):
            return found
        conversation, after = found
        topic = f"conversation:{conversation.id}"

        async def stream():
            queue = switchboard.notifier.subscribe(topic)
            last = after
            try:
                # Whatever arrived before we subscribed, then live messages; the database
                # is read again on every wake-up so no message can slip between the two.
                while True:
                    for item in await messages_after(conversation.id, last):
                        last = item.id
                        yield f"id: {item.id}\nevent: message\ndata: {json.dumps(message_json(item))}\n\n"
                    try:
                        await asyncio.wait_for(queue.get(), timeout=SSE_KEEPALIVE_SECONDS)
                    except asyncio.TimeoutError:
                        yield ": keep-alive\n\n"
                    if await request.is_disconnected():
                        break
            finally:
                switchboard.notifier.unsubscribe(topic, queue)

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )

    async def page(_: Request) -> Response:
        return FileResponse(static_dir / "webchat.html")

    return [
        Route("/", page),
        Route("/api/webchat/messages", post_message, methods=["POST"]),
        Route("/api/webchat/{session}/messages", get_messages),
        Route("/api/webchat/{session}/events", events),
    ]
