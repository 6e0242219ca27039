"""The worker's queue page: who waits (filtered: mine, my team, urgent, theme, wijk), my open
cases with unread replies, live updates, the alerts every console page polls, and claiming."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from bot import lifecycle
from bot.handover import queue
from bot.handover.access import frontline, in_queue_of, log_access
from bot.handover.auth import COOKIE, require, session_user
from bot.handover.pages.conversation import NEED_INTENTS
from bot.handover.pages.common import (author_of, directory_of, handles_referrals, minutes_since, render,
                                       switchboard_of, theme_of)
from bot.lifecycle import State
from bot.pseudonym import short_label
from bot.responses import response
from bot.store.models import AccessLog, Conversation, Message, Note, User
from bot.taxonomy import intent_label, theme_label, themes

VIEWS = {"alle": "Alle wachtenden", "team": "Mijn team", "urgent": "Alleen urgent", "mijn": "Alleen mijn gesprekken"}
DONE_NL = {"afgesloten": "is afgesloten", "overgedragen": "is overgedragen", "teruggegeven": "is terug bij de assistent"}


@dataclass(frozen=True)
class Filters:
    view: str = "alle"
    theme: str = ""
    wijk: str = ""

    @classmethod
    def of(cls, request: Request, wijken: list[str]) -> Filters:
        params = request.query_params
        view = params.get("toon", "alle")
        theme, wijk = params.get("thema", ""), params.get("wijk", "")
        return cls(view if view in VIEWS else "alle", theme if theme in themes() else "",
                   wijk if wijk in wijken else "")

    def keeps(self, c: Conversation, need: str | None) -> bool:
        if self.theme and theme_of(need or c.last_intent) != self.theme:
            return False
        return not self.wijk or c.wijk == self.wijk

    @property
    def query(self) -> str:
        return "&".join(f"{k}={v}" for k, v in (("toon", self.view), ("thema", self.theme), ("wijk", self.wijk)) if v)


def wijken_of(request: Request) -> list[str]:
    return sorted(getattr(switchboard_of(request), "known_wijken", set()) or set())


async def latest_notes(db, ids: list[int]) -> dict[int, str]:
    """The last internal note of each case (a transfer's note for the receiving colleague)."""
    if not ids:
        return {}
    last = (select(Note.conversation_id, func.max(Note.id).label("id")).where(Note.conversation_id.in_(ids))
            .group_by(Note.conversation_id).subquery())
    rows = await db.execute(select(Note.conversation_id, Note.text).join(last, last.c.id == Note.id))
    return {cid: text for cid, text in rows.all()}


async def latest_needs(db, ids: list[int]) -> dict[int, str]:
    """The last need recognised in each case ("kan ik een mens spreken" after "de deurwaarder
    komt" leaves the debt question, not the request for a person, as what the case is about)."""
    if not ids:
        return {}
    rows = await db.execute(
        select(Message.conversation_id, Message.intent).where(
            Message.conversation_id.in_(ids), Message.direction == "in", Message.intent.in_(NEED_INTENTS))
        .order_by(Message.id))
    return {cid: intent for cid, intent in rows.all()}


async def unread_ids(db, ids: list[int]) -> set[int]:
    """Cases whose resident wrote after the last answer of a person."""
    if not ids:
        return set()
    last_in = dict((await db.execute(
        select(Message.conversation_id, func.max(Message.id)).where(
            Message.conversation_id.in_(ids), Message.direction == "in").group_by(Message.conversation_id))).all())
    last_human = dict((await db.execute(
        select(Message.conversation_id, func.max(Message.id)).where(
            Message.conversation_id.in_(ids), Message.sender == "human").group_by(Message.conversation_id))).all())
    return {cid for cid, message_id in last_in.items() if message_id > (last_human.get(cid) or 0)}


async def my_cases(db, user: User) -> list[Conversation]:
    return list(await db.scalars(
        select(Conversation).where(Conversation.state == State.WITH_HUMAN, Conversation.assigned_to == user.id)
        .order_by(Conversation.updated_at)))


async def queue_rows(request: Request, user: User, filters: Filters) -> tuple[list[dict], list[dict]]:
    """The waiting cases this worker may take, and the cases this worker has, both filtered."""
    async with switchboard_of(request).sessions() as db:
        waiting = [c for c in await queue.waiting(db) if in_queue_of(c, user, referral_teams=directory_of(request).referral_teams())]
        mine = await my_cases(db, user)
        needs = await latest_needs(db, [c.id for c in waiting + mine])
        waiting = [c for c in waiting if filters.keeps(c, needs.get(c.id))]
        mine = [c for c in mine if filters.keeps(c, needs.get(c.id))]
        if filters.view == "team":
            waiting = [c for c in waiting if c.team == user.team]
        elif filters.view == "urgent":
            waiting = [c for c in waiting if c.urgent]
        elif filters.view == "mijn":
            waiting = []
        if filters.view == "urgent":
            mine = [c for c in mine if c.urgent]
        notes = await latest_notes(db, [c.id for c in waiting + mine])
        unread = await unread_ids(db, [c.id for c in mine])

    def row(c: Conversation) -> dict:
        need = needs.get(c.id) or c.last_intent
        return {"c": c, "label": short_label(c.resident), "theme": theme_of(need),
                "need": intent_label(need) if theme_of(need) != "gesprek" else "",
                "waiting": minutes_since(c.handover_at), "note": notes.get(c.id, ""), "unread": c.id in unread}

    return [row(c) for c in waiting], [row(c) for c in mine]


async def result_of(request: Request, user: User) -> str | None:
    """What happened to the case this worker just finished, from their own access-log entry."""
    what, conversation_id = request.query_params.get("gedaan", ""), request.query_params.get("gesprek", "")
    if what not in DONE_NL or not conversation_id.isdigit():
        return None
    async with switchboard_of(request).sessions() as db:
        entry = await db.scalar(
            select(AccessLog).where(AccessLog.user_id == user.id, AccessLog.conversation_id == int(conversation_id))
            .order_by(AccessLog.id.desc()).limit(1))
    if entry is None or entry.action not in ("close", "transfer", "hand_back"):
        return None
    detail = {"close": entry.reason.removeprefix("afgesloten: "), "transfer": entry.reason.removeprefix("overgedragen "),
              "hand_back": ""}[entry.action]
    told = " De bewoner heeft een bericht gekregen."
    return f"Gelukt: het gesprek {DONE_NL[what]}" + (f" ({detail})." if detail else ".") + told


def page_context(request: Request, user: User, filters: Filters) -> dict:
    return {"filters": filters, "views": VIEWS, "themes": [(t, theme_label(t)) for t in themes()],
            "wijken": wijken_of(request)}


@require("worker")
async def queue_page(request: Request, user: User, csrf: str) -> Response:
    if handles_referrals(user, directory_of(request)):  # a call-back team has no general queue
        return RedirectResponse("/console/terugbelverzoeken", status_code=303)
    filters = Filters.of(request, wijken_of(request))
    rows, mine = await queue_rows(request, user, filters)
    return render("queue.html", user=user, csrf=csrf, rows=rows, mine=mine, result=await result_of(request, user),
                  **page_context(request, user, filters))


@require("worker")
async def queue_fragment(request: Request, user: User, csrf: str) -> Response:
    filters = Filters.of(request, wijken_of(request))
    rows, mine = await queue_rows(request, user, filters)
    return render("_queue.html", user=user, csrf=csrf, rows=rows, mine=mine, **page_context(request, user, filters))


@require("worker")
async def alerts(request: Request, user: User, csrf: str) -> Response:
    """What a worker must notice on any console page: how many wait, which urgent cases wait
    for them, and which of their cases have a reply they have not answered."""
    async with switchboard_of(request).sessions() as db:
        waiting = [c for c in await queue.waiting(db) if in_queue_of(c, user, referral_teams=directory_of(request).referral_teams())]
        mine = await my_cases(db, user)
        unread = await unread_ids(db, [c.id for c in mine])
    return JSONResponse({
        "waiting": len(waiting),
        "urgent": [{"id": c.id, "label": short_label(c.resident)} for c in waiting if c.urgent],
        "unread": [{"id": c.id, "label": short_label(c.resident)} for c in mine if c.id in unread],
    }, headers={"Cache-Control": "no-store"})


@require("worker")
async def events(request: Request, user: User, csrf: str) -> Response:
    """Server-sent events: one "queue" event whenever a case changes."""
    notifier = switchboard_of(request).notifier
    sessions, token = switchboard_of(request).sessions, request.cookies.get(COOKIE, "")

    async def stream():
        topic_queue = notifier.subscribe("queue")
        try:
            yield "retry: 3000\n\n"
            while not await request.is_disconnected():
                try:
                    event = await asyncio.wait_for(topic_queue.get(), timeout=15)
                except TimeoutError:
                    event = None
                if await session_user(sessions, token) is None:
                    break  # signed out, deactivated, revoked or idle: the stream ends with the session
                yield f"event: queue\ndata: {json.dumps(event)}\n\n" if event else ": keep-alive\n\n"
        finally:
            notifier.unsubscribe("queue", topic_queue)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def had_a_worker(db, conversation_id: int) -> bool:
    """Whether this case was claimed before (since its last close): a re-claim gets no intro."""
    last_close = await db.scalar(select(func.max(AccessLog.at)).where(
        AccessLog.conversation_id == conversation_id, AccessLog.action == "close"))
    claimed = select(AccessLog.id).where(AccessLog.conversation_id == conversation_id, AccessLog.action == "claim")
    if last_close is not None:
        claimed = claimed.where(AccessLog.at > last_close)
    return await db.scalar(claimed.limit(1)) is not None


@require("worker")
async def claim(request: Request, user: User, csrf: str) -> Response:
    conversation_id = request.path_params["id"]
    switchboard, teams = switchboard_of(request), directory_of(request).referral_teams()
    async with switchboard.sessions.begin() as db:
        conversation = await db.get(Conversation, conversation_id)
        # Only a case in this worker's queue can be claimed; one a colleague just took answers 409 below.
        if conversation is None or not (in_queue_of(conversation, user, referral_teams=teams)
                                        or (conversation.state == State.WITH_HUMAN and frontline(user, teams))):
            return render("message.html", status=404, user=user, csrf=csrf,
                          text="Dit gesprek bestaat niet, of je mag het niet openen.", back="/console")
        # No cheerful "Hoi, ik ben ..." to someone in crisis, nor a second time to the same resident.
        introduce = not conversation.urgent and not await had_a_worker(db, conversation_id)
        won = await lifecycle.claim(db, conversation_id, user)
        if won:
            await log_access(db, user, conversation_id, "claim", "opgepakt uit de wachtrij")
    if not won:
        return render("message.html", status=409, user=user, csrf=csrf,
                      text="Een collega heeft dit gesprek al opgepakt.", back="/console")
    if introduce:
        intro = response("utter_canned_hello").text.format(name=user.display_name)
        await switchboard.add_outgoing(conversation_id, intro, sender="human", author=author_of(user))
    switchboard.notifier.publish("queue", {"conversation": conversation_id})
    return RedirectResponse(f"/console/conversations/{conversation_id}", status_code=303)
