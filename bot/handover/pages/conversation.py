"""One case: the transcript page, and what the worker who has it can do (reply, note, hand
back, transfer, close)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from bot import lifecycle
from bot.handover.access import log_access, log_read, read_reason
from bot.handover.auth import require
from bot.handover.pages.common import MAX_REPLY, author_of, minutes_since, render, switchboard_of, theme_of
from bot.needs.log import InvalidNeed
from bot.pseudonym import short_label
from bot.responses import load_responses, response
from bot.store.models import Conversation, DirectoryService, Message, Note, User
from bot.taxonomy import themes_by_intent

NEED_INTENTS = [i for i, theme in themes_by_intent().items() if theme in ("schulden", "zorg", "overlast", "crisis")]

# What a worker's action does inside the transaction; it may return what to do after commit.
After = Callable[[], Awaitable[None]]
ActionHandler = Callable[[AsyncSession, Conversation, FormData], Awaitable[After | None]]


def may_act(conversation: Conversation, user: User) -> bool:
    return conversation.state == lifecycle.State.WITH_HUMAN and conversation.assigned_to == user.id


def canned_replies(user: User) -> list[tuple[str, str]]:
    return [(name.removeprefix("utter_canned_"), r.text.replace("{name}", user.display_name))
            for name, r in load_responses().items() if name.startswith("utter_canned_")]


NOT_FOUND = "Dit gesprek bestaat niet, of je mag het niet openen."
NO_STORE = {"Cache-Control": "no-store"}


async def readable(db: AsyncSession, conversation_id: int, user: User) -> tuple[Conversation | None, str | None]:
    """The case and the reason this worker may read it; (None, None) when they may not."""
    conversation = await db.get(Conversation, conversation_id)
    reason = read_reason(conversation, user) if conversation is not None else None
    return (conversation, reason) if reason else (None, None)


async def transcript(db: AsyncSession, conversation_id: int) -> list[Message]:
    return list(await db.scalars(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)))


@require("worker")
async def conversation_page(request: Request, user: User, csrf: str) -> Response:
    conversation_id = request.path_params["id"]
    async with switchboard_of(request).sessions.begin() as db:
        conversation, reason = await readable(db, conversation_id, user)
        if conversation is None:
            return render("message.html", status=404, user=user, csrf=csrf, text=NOT_FOUND, back="/console")
        await log_read(db, user, conversation_id, reason)
        messages = await transcript(db, conversation_id)
        notes = list(await db.scalars(select(Note).where(Note.conversation_id == conversation_id).order_by(Note.id)))
        colleagues = list(await db.scalars(
            select(User).where(User.role == "worker", User.active, User.id != user.id).order_by(User.display_name)))
        services = list(await db.scalars(select(DirectoryService).order_by(DirectoryService.name)))
    needs = []
    for m in messages:
        if m.direction == "in" and m.intent and theme_of(m.intent) != "gesprek" and m.intent not in needs:
            needs.append(m.intent)
    last_need = next((i for i in reversed(needs) if i in NEED_INTENTS), None)
    # Services that serve the recognised needs first, then the rest of the directory.
    services.sort(key=lambda svc: not any(n in svc.intents.split(",") for n in needs))
    page = render("conversation.html", user=user, csrf=csrf, c=conversation,
                  label=short_label(conversation.resident), messages=messages, notes=notes,
                  needs=needs, can_act=may_act(conversation, user), canned=canned_replies(user),
                  colleagues=colleagues, outcomes=lifecycle.CLOSE_OUTCOMES, intents=NEED_INTENTS,
                  last_need=last_need, theme_of=theme_of, waiting=minutes_since(conversation.handover_at),
                  services=services)
    page.headers.update(NO_STORE)
    return page


@require("worker")
async def transcript_fragment(request: Request, user: User, csrf: str) -> Response:
    """The transcript alone, for live updates of an open page: the same access rule, but a
    refresh of a case this worker opened recently is not logged again."""
    conversation_id = request.path_params["id"]
    async with switchboard_of(request).sessions.begin() as db:
        conversation, reason = await readable(db, conversation_id, user)
        if conversation is None:
            return PlainTextResponse(NOT_FOUND, status_code=404, headers=NO_STORE)
        await log_read(db, user, conversation_id, reason, refresh=True)
        messages = await transcript(db, conversation_id)
    page = render("_transcript.html", messages=messages)
    page.headers.update(NO_STORE)
    return page


async def act(request: Request, user: User, handler: ActionHandler) -> Response:
    """Run one worker action on a case this worker has, then tell every console it changed."""
    conversation_id = request.path_params["id"]
    switchboard = switchboard_of(request)
    form = await request.form()
    async with switchboard.sessions.begin() as db:
        conversation, _ = await readable(db, conversation_id, user)
        if conversation is None:
            return PlainTextResponse(NOT_FOUND, status_code=404)
        if not may_act(conversation, user):
            return PlainTextResponse("Pak het gesprek eerst op.", status_code=409)
        after = await handler(db, conversation, form)
    if after:
        await after()
    switchboard.notifier.publish("queue", {"conversation": conversation_id})
    return RedirectResponse(f"/console/conversations/{conversation_id}", status_code=303)


@require("worker")
async def reply(request: Request, user: User, csrf: str) -> Response:
    switchboard = switchboard_of(request)

    async def handler(db, conversation, form):
        text = str(form.get("text", "")).strip()
        if not text or len(text) > MAX_REPLY:
            return None
        await log_access(db, user, conversation.id, "reply", "antwoord aan bewoner")
        return lambda: switchboard.add_outgoing(conversation.id, text, sender="human", author=author_of(user))

    return await act(request, user, handler)


@require("worker")
async def note(request: Request, user: User, csrf: str) -> Response:
    async def handler(db, conversation, form):
        text = str(form.get("text", "")).strip()[:MAX_REPLY]
        if text:
            db.add(Note(conversation_id=conversation.id, author=user.display_name, text=text))
        return None

    return await act(request, user, handler)


@require("worker")
async def hand_back(request: Request, user: User, csrf: str) -> Response:
    switchboard = switchboard_of(request)

    async def handler(db, conversation, form):
        change = await lifecycle.hand_back(db, conversation, user)
        await log_access(db, user, conversation.id, "hand_back", "terug naar de assistent")
        return lambda: switchboard.follow_up(change)

    return await act(request, user, handler)


@require("worker")
async def transfer(request: Request, user: User, csrf: str) -> Response:
    switchboard = switchboard_of(request)

    async def handler(db, conversation, form):
        target = str(form.get("to", ""))
        colleague = await db.get(User, int(target[5:])) if target.startswith("user:") and target[5:].isdigit() else None
        team = target[5:] if target.startswith("team:") else None
        if colleague is None and team is None:
            return None
        try:
            change = await lifecycle.transfer(db, conversation, user, to_user=colleague, to_team=team)
        except lifecycle.IllegalTransition:
            return None
        await log_access(db, user, conversation.id, "transfer", f"overgedragen aan {target}")
        return lambda: switchboard.follow_up(change)

    return await act(request, user, handler)


@require("worker")
async def close(request: Request, user: User, csrf: str) -> Response:
    switchboard = switchboard_of(request)

    async def handler(db, conversation, form):
        outcome = lifecycle.CLOSE_OUTCOMES.get(str(form.get("outcome", "")))
        intent = str(form.get("intent", ""))
        if outcome is None or intent not in NEED_INTENTS:
            return None
        try:
            change = await lifecycle.close(db, conversation, user, str(form.get("outcome")), intent,
                                           switchboard.known_wijken)
        except (InvalidNeed, lifecycle.IllegalTransition):
            return None
        service = await db.get(DirectoryService, str(form.get("service", ""))) if form.get("service") else None
        reason = f"afgesloten: {outcome.need_outcome}" + (f", doorverwezen naar {service.id}" if service else "")
        await log_access(db, user, conversation.id, "close", reason)
        cid = conversation.id
        referral = (response("utter_gateway_referred").text.format(service=service.name, phone=service.phone or "-")
                    if service and str(form.get("outcome")) == "referred" else None)

        async def after():
            if referral:
                await switchboard.add_outgoing(cid, referral, sender="human", author=author_of(user))
            await switchboard.follow_up(change)
        return after

    return await act(request, user, handler)
