"""One case: the two-pane case page (transcript and reply box; what is known, notes and the
actions beside it), and what the worker who has the case can do: reply, note, hand back,
transfer, close. A refused action says why in Dutch and changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from bot import lifecycle
from bot.directory import default_directory
from bot.handover.access import frontline, log_access, log_read, read_reason
from bot.handover.auth import require
from bot.handover.pages.common import (MAX_REPLY, author_of, directory_of, minutes_since, render, switchboard_of,
                                       theme_of)
from bot.handover.pages.transcript import load_transcript
from bot.lifecycle import State
from bot.needs.log import InvalidNeed
from bot.needs.models import CaseNeed
from bot.pseudonym import short_label
from bot.referrals.dialogue import offer_after_close
from bot.responses import load_responses, response
from bot.store.models import Conversation, DirectoryService, Note, User
from bot.taxonomy import NEED_THEMES, intent_label, themes_by_intent

CLOSE_THEMES = (*NEED_THEMES, "crisis")  # what a worker can close a case on
NEED_INTENTS = [i for i, theme in themes_by_intent().items() if theme in CLOSE_THEMES]
NOT_FOUND = "Dit gesprek bestaat niet, of je mag het niet openen."
NO_STORE = {"Cache-Control": "no-store"}
# Why an action was refused; the page says it next to the form (nothing was changed).
REFUSED = {
    "outcome": "Kies eerst een uitkomst. Het gesprek is nog niet afgesloten.",
    "service": "Kies bij ‘Doorverwezen’ de dienst waar je de bewoner naar verwijst. "
               "Het gesprek is nog niet afgesloten.",
    "intent": "Kies de vraag van de bewoner. Het gesprek is nog niet afgesloten.",
    "target": "Kies een collega of een team. Het gesprek is niet overgedragen.",
    "reply": "Je bericht is leeg of langer dan 4096 tekens. Er is niets verstuurd.",
}

# What a worker's action does inside the transaction: what to do after the commit, or the
# key of the reason it was refused.
After = Callable[[], Awaitable[None]]
ActionHandler = Callable[[AsyncSession, Conversation, FormData], Awaitable["After | str | None"]]


def form_text(form: FormData, name: str) -> str:
    """A text field as typed: browsers send new lines as CRLF, residents' apps expect LF."""
    return str(form.get(name, "")).replace("\r\n", "\n").strip()


def may_act(conversation: Conversation, user: User) -> bool:
    return conversation.state == State.WITH_HUMAN and conversation.assigned_to == user.id


def canned_replies(user: User) -> list[tuple[str, str]]:
    return [(name.removeprefix("utter_canned_"), r.text.replace("{name}", user.display_name))
            for name, r in load_responses().items() if name.startswith("utter_canned_")]


async def readable(db: AsyncSession, request: Request, conversation_id: int,
                   user: User) -> tuple[Conversation, str] | tuple[None, None]:
    """The case and the reason this worker may read it; (None, None) when they may not."""
    conversation = await db.get(Conversation, conversation_id)
    teams = directory_of(request).referral_teams()
    reason = read_reason(conversation, user, referral_teams=teams) if conversation is not None else None
    return (conversation, reason) if conversation is not None and reason else (None, None)


def needs_in(entries, conversation: Conversation, recorded: list[str]) -> list[str]:
    """The needs recognised in this case, first seen first (the last one is the likeliest):
    those the assistant recorded for the case, then those read from the resident's messages."""
    needs = [intent for intent in recorded if intent in NEED_INTENTS]
    for entry in entries:
        intent = entry.message.intent
        if entry.message.direction == "in" and intent and theme_of(intent) != "gesprek" and intent not in needs:
            needs.append(intent)
    needs += [intent for intent in conversation.needs or [] if intent not in needs]  # all needs heard
    if conversation.last_intent in NEED_INTENTS and conversation.last_intent not in needs:
        needs.append(conversation.last_intent)
    return needs


async def case_page(request: Request, user: User, csrf: str, refused: str | None = None) -> Response:
    conversation_id = request.path_params["id"]
    async with switchboard_of(request).sessions.begin() as db:
        conversation, reason = await readable(db, request, conversation_id, user)
        if conversation is None or reason is None:
            return render("message.html", status=404, user=user, csrf=csrf, text=NOT_FOUND, back="/console")
        await log_read(db, user, conversation_id, reason, refresh=refused is not None)
        earlier, current = await load_transcript(db, conversation_id)
        notes = list(await db.scalars(select(Note).where(Note.conversation_id == conversation_id).order_by(Note.id)))
        workers = list(await db.scalars(select(User).where(User.role == "worker", User.active)
                                        .order_by(User.display_name)))
        services = list(await db.scalars(select(DirectoryService).order_by(DirectoryService.name)))
        recorded = list(await db.scalars(select(CaseNeed.intent).where(CaseNeed.conversation_id == conversation_id)))
    needs = needs_in(current.entries, conversation, recorded)
    call_back_teams = directory_of(request).referral_teams()  # they read no chats: no transfer to them
    last_need = next((i for i in reversed(needs) if i in NEED_INTENTS), None)
    # Services that serve the recognised needs first, then the rest of the directory.
    services.sort(key=lambda svc: not any(n in svc.intents.split(",") for n in needs))
    need_choices = [(theme, [(i, intent_label(i)) for i in NEED_INTENTS if themes_by_intent()[i] == theme])
                    for theme in CLOSE_THEMES]
    page = render("conversation.html", status=422 if refused else 200, user=user, csrf=csrf, c=conversation,
                  label=short_label(conversation.resident), earlier=earlier, entries=current.entries,
                  notes=notes, needs=needs, can_act=may_act(conversation, user), canned=canned_replies(user),
                  colleagues=[w for w in workers if w.id != user.id and frontline(w, call_back_teams)],
                  teams=sorted({w.team for w in workers if frontline(w, call_back_teams)}), outcomes=lifecycle.CLOSE_OUTCOMES,
                  need_choices=need_choices, last_need=last_need, waiting=minutes_since(conversation.handover_at),
                  services=services, refused=REFUSED.get(refused or ""), refused_key=refused)
    page.headers.update(NO_STORE)
    return page


@require("worker")
async def conversation_page(request: Request, user: User, csrf: str) -> Response:
    return await case_page(request, user, csrf)


@require("worker")
async def transcript_fragment(request: Request, user: User, csrf: str) -> Response:
    """The current case's transcript alone, for live updates of an open page: the same access
    rule, but a refresh of a case this worker opened recently is not logged again."""
    conversation_id = request.path_params["id"]
    async with switchboard_of(request).sessions.begin() as db:
        conversation, reason = await readable(db, request, conversation_id, user)
        if conversation is None or reason is None:
            return PlainTextResponse(NOT_FOUND, status_code=404, headers=NO_STORE)
        await log_read(db, user, conversation_id, reason, refresh=True)
        _, current = await load_transcript(db, conversation_id)
    page = render("_transcript.html", entries=current.entries)
    page.headers.update(NO_STORE)
    return page


def done(conversation_id: int, what: str) -> Response:
    """Back to the queue, which says what happened to the case."""
    return RedirectResponse("/console?" + urlencode({"gedaan": what, "gesprek": conversation_id}), status_code=303)


async def act(request: Request, user: User, csrf: str, handler: ActionHandler,
              finished: str | None = None) -> Response:
    """Run one worker action on a case this worker has, then tell every console it changed.
    `finished` names the result the queue shows when the case leaves the worker's hands."""
    conversation_id = request.path_params["id"]
    switchboard = switchboard_of(request)
    form = await request.form()
    async with switchboard.sessions.begin() as db:
        conversation, _ = await readable(db, request, conversation_id, user)
        if conversation is None:
            return PlainTextResponse(NOT_FOUND, status_code=404)
        if not may_act(conversation, user):
            return PlainTextResponse("Pak het gesprek eerst op.", status_code=409)
        outcome = await handler(db, conversation, form)  # a refusal returns before changing anything
    if isinstance(outcome, str):
        return await case_page(request, user, csrf, refused=outcome)
    if outcome:
        await outcome()
    switchboard.notifier.publish("queue", {"conversation": conversation_id})
    if finished:
        return done(conversation_id, finished)
    return RedirectResponse(f"/console/conversations/{conversation_id}", status_code=303)


@require("worker")
async def reply(request: Request, user: User, csrf: str) -> Response:
    switchboard = switchboard_of(request)

    async def handler(db, conversation, form):
        text = form_text(form, "text")
        if not text or len(text) > MAX_REPLY:
            return "reply"
        await log_access(db, user, conversation.id, "reply", "antwoord aan bewoner")
        return lambda: switchboard.add_outgoing(conversation.id, text, sender="human", author=author_of(user))

    return await act(request, user, csrf, handler)


@require("worker")
async def note(request: Request, user: User, csrf: str) -> Response:
    async def handler(db, conversation, form):
        text = form_text(form, "text")[:MAX_REPLY]
        if text:
            db.add(Note(conversation_id=conversation.id, author=user.display_name, text=text))
        return

    return await act(request, user, csrf, handler)


@require("worker")
async def hand_back(request: Request, user: User, csrf: str) -> Response:
    switchboard = switchboard_of(request)

    async def handler(db, conversation, form):
        change = await lifecycle.hand_back(db, conversation, user)
        await log_access(db, user, conversation.id, "hand_back", "terug naar de assistent")
        return lambda: switchboard.follow_up(change)

    return await act(request, user, csrf, handler, finished="teruggegeven")


@require("worker")
async def transfer(request: Request, user: User, csrf: str) -> Response:
    switchboard = switchboard_of(request)

    async def handler(db, conversation, form):
        target = str(form.get("to", ""))
        colleague = await db.get(User, int(target[5:])) if target.startswith("user:") and target[5:].isdigit() else None
        team = target[5:].strip() if target.startswith("team:") else ""
        call_back_teams = directory_of(request).referral_teams()
        if (colleague is not None and not frontline(colleague, call_back_teams)) or team in call_back_teams:
            return "target"  # a call-back team reads no chats (bot/handover/access.py): nobody would see it
        if colleague is not None:
            to = f"{colleague.display_name} ({colleague.team})"
        elif team:
            to = f"team {team[:48]}"
        else:
            return "target"
        handover_note = form_text(form, "note")[:MAX_REPLY]
        try:
            change = await lifecycle.transfer(db, conversation, user, to_user=colleague, to_team=team or None,
                                              note=f"Bij overdracht aan {to}: {handover_note}" if handover_note else None)
        except lifecycle.IllegalTransition:
            return "target"
        await log_access(db, user, conversation.id, "transfer", f"overgedragen aan {to}")
        return lambda: switchboard.follow_up(change)

    return await act(request, user, csrf, handler, finished="overgedragen")


@require("worker")
async def close(request: Request, user: User, csrf: str) -> Response:
    switchboard = switchboard_of(request)

    async def handler(db, conversation, form):
        key = str(form.get("outcome", ""))
        outcome = lifecycle.CLOSE_OUTCOMES.get(key)
        intent = str(form.get("intent", ""))
        service = await db.get(DirectoryService, str(form.get("service", ""))) if form.get("service") else None
        if outcome is None:
            return "outcome"
        if key == "referred" and service is None:
            return "service"
        if intent not in NEED_INTENTS:
            return "intent"
        try:
            change = await lifecycle.close(db, conversation, user, key, intent, switchboard.known_wijken)
        except (InvalidNeed, lifecycle.IllegalTransition):
            return "intent"
        referred = service if key == "referred" else None
        result = outcome.label + (f" ({referred.name})" if referred else "")
        await log_access(db, user, conversation.id, "close", f"afgesloten: {result}")
        cid = conversation.id
        referral = (response("utter_gateway_referred").text.format(service=referred.name, phone=referred.phone or "-")
                    if referred else None)
        # A service with a referral team may call the resident back: the offer goes with the close,
        # and the resident's answer reopens the conversation into bot/referrals/dialogue.py.
        call_back = (await offer_after_close(db, default_directory(switchboard.settings.directory_path), conversation,
                                             referred.id, intent)
                     if referred else None)

        async def after():
            if referral:
                await switchboard.add_outgoing(cid, referral, sender="human", author=author_of(user))
            await switchboard.follow_up(change)
            if call_back:
                await switchboard.add_outgoing(cid, call_back.text or "", buttons=call_back.buttons)
        return after

    return await act(request, user, csrf, handler, finished="afgesloten")
