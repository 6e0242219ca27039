"""The frontline workers' console at /console: login, live queue, claim, conversation view,
replies, notes, hand back, transfer, close; and the admin page (users, access log).

Server-rendered pages (Jinja2, autoescaped) that work without JavaScript; a small script adds
live updates over server-sent events. Every route checks the role itself."""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from bot.handover import queue
from bot.handover.auth import COOKIE, current, end_session, require, set_cookie, start_session
from bot.handover.users import ROLES, LoginBlocked, add_user, authenticate
from bot.needs.log import InvalidNeed, record_need
from bot.pseudonym import short_label
from bot.responses import load_responses, response
from bot.store.models import AccessLog, Conversation, DirectoryService, Message, Note, User, utcnow
from bot.switchboard import Switchboard
from bot.taxonomy import contract_intent, themes_by_intent

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
LOGIN_CSRF_COOKIE = "voordeur_login_csrf"
MAX_REPLY = 4096
NEED_INTENTS = [i for i, theme in themes_by_intent().items() if theme in ("schulden", "zorg", "overlast", "crisis")]
THEME_NL = {"schulden": "Geldzorgen", "zorg": "Zorg", "overlast": "Overlast", "crisis": "Crisis", "gesprek": "Gesprek"}
STATE_NL = {"bot": "bij de assistent", "waiting_for_human": "wacht op een mens",
            "with_human": "bij een medewerker", "closed": "afgesloten"}


def render(name: str, status: int = 200, **context) -> HTMLResponse:
    context.setdefault("THEME_NL", THEME_NL)
    context.setdefault("STATE_NL", STATE_NL)
    return HTMLResponse(TEMPLATES.get_template(name).render(**context), status_code=status)


def minutes_since(moment) -> int:
    return 0 if moment is None else max(0, int((utcnow() - moment).total_seconds() // 60))


def theme_of(intent: str | None) -> str:
    """The theme of any stored intent; "gesprek" for none or an unknown one."""
    return themes_by_intent().get(contract_intent(intent or ""), "gesprek")


def canned_replies(user: User) -> list[tuple[str, str]]:
    return [(name.removeprefix("utter_canned_"), r.text.replace("{name}", user.display_name))
            for name, r in load_responses().items() if name.startswith("utter_canned_")]


async def log_access(db, user: User, conversation_id: int, action: str, reason: str) -> None:
    db.add(AccessLog(user_id=user.id, username=user.username, conversation_id=conversation_id,
                     action=action, reason=reason[:120]))


def routes(switchboard: Switchboard) -> list[Route]:
    sessions = switchboard.sessions

    async def queue_rows(user: User) -> list[dict]:
        async with sessions() as db:
            rows = []
            for c in await queue.waiting(db):
                rows.append({"c": c, "label": short_label(c.resident), "theme": theme_of(c.last_intent),
                             "waiting": minutes_since(c.handover_at)})
            mine = list(await db.scalars(
                select(Conversation).where(Conversation.state == "with_human", Conversation.assigned_to == user.id)
                .order_by(Conversation.updated_at)))
            return rows, [{"c": c, "label": short_label(c.resident), "theme": theme_of(c.last_intent)} for c in mine]

    # ---- login ---------------------------------------------------------------------------

    async def login_page(request: Request) -> Response:
        token = secrets.token_urlsafe(24)
        page = render("login.html", csrf=token, error=None)
        page.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/console")
        return page

    async def login(request: Request) -> Response:
        form = await request.form()
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not expected or not hmac.compare_digest(expected, str(form.get("csrf", ""))):
            return render("login.html", status=403, csrf=expected, error="Het formulier is verlopen. Probeer het opnieuw.")
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        try:
            async with sessions.begin() as db:
                user = await authenticate(db, username, password)
        except LoginBlocked:
            return render("login.html", status=429, csrf=expected,
                          error="Te vaak een verkeerd wachtwoord. Probeer het over 15 minuten opnieuw.")
        if user is None:
            return render("login.html", status=401, csrf=expected, error="Gebruikersnaam of wachtwoord klopt niet.")
        token, _ = await start_session(sessions, user)
        target = {"worker": "/console", "manager": "/dashboard", "admin": "/console/admin"}[user.role]
        redirect = RedirectResponse(target, status_code=303)
        set_cookie(redirect, request, token)
        redirect.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")
        return redirect

    @require(*ROLES)
    async def logout(request: Request, user: User, csrf: str) -> Response:
        await end_session(sessions, request.cookies.get(COOKIE, ""))
        redirect = RedirectResponse("/console/login", status_code=303)
        redirect.delete_cookie(COOKIE, path="/")
        return redirect

    # ---- queue ---------------------------------------------------------------------------

    @require("worker")
    async def queue_page(request: Request, user: User, csrf: str) -> Response:
        rows, mine = await queue_rows(user)
        return render("queue.html", user=user, csrf=csrf, rows=rows, mine=mine)

    @require("worker")
    async def queue_fragment(request: Request, user: User, csrf: str) -> Response:
        rows, mine = await queue_rows(user)
        return render("_queue.html", user=user, csrf=csrf, rows=rows, mine=mine)

    @require("worker")
    async def events(request: Request, user: User, csrf: str) -> Response:
        async def stream():
            topic_queue = switchboard.notifier.subscribe("queue")
            try:
                yield "retry: 3000\n\n"
                while not await request.is_disconnected():
                    try:
                        event = await asyncio.wait_for(topic_queue.get(), timeout=15)
                        yield f"event: queue\ndata: {json.dumps(event)}\n\n"
                    except asyncio.TimeoutError:
                        yield ": keep-alive\n\n"
            finally:
                switchboard.notifier.unsubscribe("queue", topic_queue)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @require("worker")
    async def claim(request: Request, user: User, csrf: str) -> Response:
        conversation_id = request.path_params["id"]
        async with sessions.begin() as db:
            won = await queue.claim(db, conversation_id, user)
            if won:
                await log_access(db, user, conversation_id, "claim", "opgepakt uit de wachtrij")
        if not won:
            return render("message.html", status=409, user=user, csrf=csrf,
                          text="Een collega heeft dit gesprek al opgepakt.", back="/console")
        intro = response("utter_canned_hello").text.format(name=user.display_name)
        await switchboard.add_outgoing(conversation_id, intro, sender="human", author=author_of(user))
        switchboard.notifier.publish("queue", {"conversation": conversation_id})
        return RedirectResponse(f"/console/conversations/{conversation_id}", status_code=303)

    def author_of(user: User) -> str:
        return f"{user.display_name} ({user.team})"

    # ---- one conversation ----------------------------------------------------------------

    async def load(db, conversation_id: int) -> Conversation | None:
        return await db.get(Conversation, conversation_id)

    def may_act(conversation: Conversation, user: User) -> bool:
        return conversation.state == "with_human" and conversation.assigned_to == user.id

    @require("worker")
    async def conversation_page(request: Request, user: User, csrf: str) -> Response:
        conversation_id = request.path_params["id"]
        async with sessions.begin() as db:
            conversation = await load(db, conversation_id)
            if conversation is None:
                return render("message.html", status=404, user=user, csrf=csrf,
                              text="Dit gesprek bestaat niet (meer).", back="/console")
            reason = "behandelt dit gesprek" if may_act(conversation, user) else "bekijkt gesprek in de wachtrij"
            await log_access(db, user, conversation_id, "open", reason)
            messages = list(await db.scalars(
                select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)))
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
        return render("conversation.html", user=user, csrf=csrf, c=conversation,
                      label=short_label(conversation.resident), messages=messages, notes=notes,
                      needs=needs, can_act=may_act(conversation, user), canned=canned_replies(user),
                      colleagues=colleagues, outcomes=queue.CLOSE_OUTCOMES, intents=NEED_INTENTS,
                      last_need=last_need, theme_of=theme_of, waiting=minutes_since(conversation.handover_at),
                      services=services)

    async def act(request: Request, user: User, csrf: str, handler) -> Response:
        conversation_id = request.path_params["id"]
        form = await request.form()
        async with sessions.begin() as db:
            conversation = await load(db, conversation_id)
            if conversation is None or not may_act(conversation, user):
                return PlainTextResponse("Pak het gesprek eerst op.", status_code=409)
            after = await handler(db, conversation, form)
        if after:
            await after()
        switchboard.notifier.publish("queue", {"conversation": conversation_id})
        return RedirectResponse(f"/console/conversations/{conversation_id}", status_code=303)

    @require("worker")
    async def reply(request: Request, user: User, csrf: str) -> Response:
        async def handler(db, conversation, form):
            text = str(form.get("text", "")).strip()
            if not text or len(text) > MAX_REPLY:
                return None
            await log_access(db, user, conversation.id, "reply", "antwoord aan bewoner")
            return lambda: switchboard.add_outgoing(conversation.id, text, sender="human", author=author_of(user))

        return await act(request, user, csrf, handler)

    @require("worker")
    async def note(request: Request, user: User, csrf: str) -> Response:
        async def handler(db, conversation, form):
            text = str(form.get("text", "")).strip()[:MAX_REPLY]
            if text:
                db.add(Note(conversation_id=conversation.id, author=user.display_name, text=text))
            return None

        return await act(request, user, csrf, handler)

    @require("worker")
    async def hand_back(request: Request, user: User, csrf: str) -> Response:
        async def handler(db, conversation, form):
            conversation.state, conversation.assigned_to = "bot", None
            await log_access(db, user, conversation.id, "hand_back", "terug naar de assistent")
            resident, cid = conversation.resident, conversation.id

            async def after():
                await switchboard.resume_assistant(resident)
                await switchboard.add_outgoing(cid, response("utter_gateway_handback").text)
            return after

        return await act(request, user, csrf, handler)

    @require("worker")
    async def transfer(request: Request, user: User, csrf: str) -> Response:
        async def handler(db, conversation, form):
            target = str(form.get("to", ""))
            if target.startswith("user:") and target[5:].isdigit():
                colleague = await db.get(User, int(target[5:]))
                if colleague is None or colleague.role != "worker" or not colleague.active:
                    return None
                conversation.assigned_to = colleague.id
            elif target.startswith("team:"):
                conversation.state, conversation.assigned_to = "waiting_for_human", None
                conversation.team = target[5:][:48]
            else:
                return None
            await log_access(db, user, conversation.id, "transfer", f"overgedragen aan {target}")
            cid = conversation.id
            return lambda: switchboard.add_outgoing(cid, response("utter_gateway_transfer").text)

        return await act(request, user, csrf, handler)

    @require("worker")
    async def close(request: Request, user: User, csrf: str) -> Response:
        async def handler(db, conversation, form):
            outcome = queue.CLOSE_OUTCOMES.get(str(form.get("outcome", "")))
            intent = str(form.get("intent", ""))
            if outcome is None or intent not in NEED_INTENTS:
                return None
            try:
                record_need(db, {"intent": intent, "wijk": conversation.wijk, "outcome": outcome.need_outcome},
                            conversation.channel, switchboard.known_wijken)
            except InvalidNeed:
                return None
            service = await db.get(DirectoryService, str(form.get("service", ""))) if form.get("service") else None
            conversation.state, conversation.assigned_to, conversation.urgent = "closed", None, False
            reason = f"afgesloten: {outcome.need_outcome}" + (f", doorverwezen naar {service.id}" if service else "")
            await log_access(db, user, conversation.id, "close", reason)
            cid, resident = conversation.id, conversation.resident
            referral = (response("utter_gateway_referred").text.format(service=service.name, phone=service.phone or "-")
                        if service and str(form.get("outcome")) == "referred" else None)

            async def after():
                if referral:
                    await switchboard.add_outgoing(cid, referral, sender="human", author=author_of(user))
                await switchboard.add_outgoing(cid, response("utter_gateway_closed").text)
                await switchboard.resume_assistant(resident)
            return after

        return await act(request, user, csrf, handler)

    # ---- admin ---------------------------------------------------------------------------

    @require("admin")
    async def admin_page(request: Request, user: User, csrf: str) -> Response:
        async with sessions() as db:
            users = list(await db.scalars(select(User).order_by(User.username)))
            log = list(await db.scalars(select(AccessLog).order_by(AccessLog.id.desc()).limit(200)))
        return render("admin.html", user=user, csrf=csrf, users=users, log=log, roles=ROLES, error=None)

    @require("admin")
    async def admin_add_user(request: Request, user: User, csrf: str) -> Response:
        form = await request.form()
        try:
            async with sessions.begin() as db:
                await add_user(db, str(form.get("username", "")), str(form.get("password", "")),
                               str(form.get("role", "")), str(form.get("display_name", "")) or None,
                               str(form.get("team", "")) or "buurtteam")
        except Exception as error:  # duplicate name, short password, bad role
            return render("message.html", status=422, user=user, csrf=csrf,
                          text=f"Gebruiker niet toegevoegd: {type(error).__name__}: {error}"[:200], back="/console/admin")
        return RedirectResponse("/console/admin", status_code=303)

    return [
        Route("/console/login", login_page, methods=["GET"]),
        Route("/console/login", login, methods=["POST"]),
        Route("/console/logout", logout, methods=["POST"]),
        Route("/console", queue_page, methods=["GET"]),
        Route("/console/queue", queue_fragment, methods=["GET"]),
        Route("/console/events", events, methods=["GET"]),
        Route("/console/conversations/{id:int}", conversation_page, methods=["GET"]),
        Route("/console/conversations/{id:int}/claim", claim, methods=["POST"]),
        Route("/console/conversations/{id:int}/reply", reply, methods=["POST"]),
        Route("/console/conversations/{id:int}/note", note, methods=["POST"]),
        Route("/console/conversations/{id:int}/handback", hand_back, methods=["POST"]),
        Route("/console/conversations/{id:int}/transfer", transfer, methods=["POST"]),
        Route("/console/conversations/{id:int}/close", close, methods=["POST"]),
        Route("/console/admin", admin_page, methods=["GET"]),
        Route("/console/admin/users", admin_add_user, methods=["POST"]),
    ]
