"""The worker's queue page: who waits, my open cases, live updates, and claiming a case."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from bot import lifecycle
from bot.handover import queue
from bot.handover.access import in_queue_of, log_access
from bot.handover.auth import require
from bot.handover.pages.common import author_of, minutes_since, render, switchboard_of, theme_of
from bot.lifecycle import State
from bot.pseudonym import short_label
from bot.responses import response
from bot.store.models import Conversation, User


async def queue_rows(request: Request, user: User) -> tuple[list[dict], list[dict]]:
    """The waiting cases, and the cases this worker has."""
    async with switchboard_of(request).sessions() as db:
        rows = [{"c": c, "label": short_label(c.resident), "theme": theme_of(c.last_intent),
                 "waiting": minutes_since(c.handover_at)} for c in await queue.waiting(db) if in_queue_of(c, user)]
        mine = list(await db.scalars(
            select(Conversation).where(Conversation.state == State.WITH_HUMAN, Conversation.assigned_to == user.id)
            .order_by(Conversation.updated_at)))
        return rows, [{"c": c, "label": short_label(c.resident), "theme": theme_of(c.last_intent)} for c in mine]


@require("worker")
async def queue_page(request: Request, user: User, csrf: str) -> Response:
    rows, mine = await queue_rows(request, user)
    return render("queue.html", user=user, csrf=csrf, rows=rows, mine=mine)


@require("worker")
async def queue_fragment(request: Request, user: User, csrf: str) -> Response:
    rows, mine = await queue_rows(request, user)
    return render("_queue.html", user=user, csrf=csrf, rows=rows, mine=mine)


@require("worker")
async def events(request: Request, user: User, csrf: str) -> Response:
    """Server-sent events: one "queue" event whenever a case changes."""
    notifier = switchboard_of(request).notifier

    async def stream():
        topic_queue = notifier.subscribe("queue")
        try:
            yield "retry: 3000\n\n"
            while not await request.is_disconnected():
                try:
                    event = await asyncio.wait_for(topic_queue.get(), timeout=15)
                    yield f"event: queue\ndata: {json.dumps(event)}\n\n"
                except asyncio.TimeoutError:
                    yield ": keep-alive\n\n"
        finally:
            notifier.unsubscribe("queue", topic_queue)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


@require("worker")
async def claim(request: Request, user: User, csrf: str) -> Response:
    conversation_id = request.path_params["id"]
    switchboard = switchboard_of(request)
    async with switchboard.sessions.begin() as db:
        conversation = await db.get(Conversation, conversation_id)
        # Only a case in this worker's queue can be claimed; one a colleague just took answers 409 below.
        if conversation is None or not (in_queue_of(conversation, user) or conversation.state == State.WITH_HUMAN):
            return render("message.html", status=404, user=user, csrf=csrf,
                          text="Dit gesprek bestaat niet, of je mag het niet openen.", back="/console")
        won = await lifecycle.claim(db, conversation_id, user)
        if won:
            await log_access(db, user, conversation_id, "claim", "opgepakt uit de wachtrij")
    if not won:
        return render("message.html", status=409, user=user, csrf=csrf,
                      text="Een collega heeft dit gesprek al opgepakt.", back="/console")
    intro = response("utter_canned_hello").text.format(name=user.display_name)
    await switchboard.add_outgoing(conversation_id, intro, sender="human", author=author_of(user))
    switchboard.notifier.publish("queue", {"conversation": conversation_id})
    return RedirectResponse(f"/console/conversations/{conversation_id}", status_code=303)
