"""WhatsApp channel on the WhatsApp Business Cloud API (Meta's Graph API).

    WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET   # on when all three are set
    WHATSAPP_VERIFY_TOKEN              # answers Meta's GET verification handshake
    WHATSAPP_API_BASE_URL              # default https://graph.facebook.com/v21.0
    WHATSAPP_TEMPLATE_NAME             # optional: for replies outside the 24-hour window
    WHATSAPP_TEMPLATE_LANGUAGE         # default nl
    WHATSAPP_FOLLOW_UP_TEMPLATE        # optional: "is het gelukt?" outside the window (bot/follow_up.py)
    WHATSAPP_FOLLOW_UP_TEMPLATE_LANGUAGE   # default: WHATSAPP_TEMPLATE_LANGUAGE

In: GET /webhooks/whatsapp (hub.challenge handshake) and POST /webhooks/whatsapp, verified with
X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the app secret; 403 when wrong or
missing, nothing stored). Text, interactive button_reply / list_reply and template quick
replies go to the switchboard with the WhatsApp message id (wamid) as idempotency key, so a
webhook Meta delivers twice is answered once. Status callbacks are ignored. Other message
types (photo, voice, location...) get a short note that the assistant reads only text.
Meta hears 200 as soon as the messages are stored (503 when they could not be, so Meta
delivers again); the answers follow through the Graph API.

Out: POST {base}/{phone number id}/messages with the bearer token; transient failures (network,
429, 5xx) are retried with backoff inside one delivery; after that the switchboard keeps the
reply as failed and retries it (visible in /healthz). Up to 3 buttons with titles of at most 20
characters become reply buttons; more become a numbered list, and a bare number sent back is
mapped to that option (the options are read from the stored replies, so this survives a
restart). WhatsApp lets a business write freely only within 24 hours of the resident's last
message: outside that window a reply goes as the configured template (with the text as its
one body parameter), or, without a template, fails loudly (OutsideServiceWindow, logged without
text, counted as undelivered) instead of disappearing.

Why our own small client and not pywa: we need four things from the Graph API (send text,
send interactive buttons, send a template, verify a webhook signature), about 150 lines with
httpx, which the gateway already uses. pywa would bring its own webhook server integration,
handler registry and types that overlap with the switchboard, plus a dependency to pin and
follow; a thin client keeps the HTTP at the edge and is easy to test against a fake server.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.base import (
    AnswerLater,
    Refused,
    SentLog,
    find_conversation,
    parse_json,
    read_body,
    split_text,
    stored_or_503,
)
from bot.channels.commands import Commands, command_of, said
from bot.channels.ordering import KeyedLocks, RecentIds
from bot.config import Settings
from bot.directory import default_directory
from bot.follow_up import whatsapp_template
from bot.responses import response
from bot.store.models import Message, utcnow
from bot.switchboard import Inbound, Outgoing, Switchboard
from bot.tls import tls_context

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
WEBHOOK_PATH = "/webhooks/whatsapp"
SIGNATURE_HEADER = "X-Hub-Signature-256"
# The 24-hour customer-service window, with a margin for clocks and slow sends.
SERVICE_WINDOW = timedelta(hours=24) - timedelta(minutes=5)
MAX_REPLY_BUTTONS, MAX_BUTTON_TITLE, MAX_BUTTON_ID = 3, 20, 256
MAX_INTERACTIVE_BODY = 1024
BARE_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")
TEXT_TYPES = ("text", "interactive", "button")
IGNORED_TYPES = ("reaction", "system", "ephemeral", "request_welcome")


class GraphError(Exception):
    """The Graph API refused or failed a request (status and Meta's error code, no content)."""

    def __init__(self, status: int, code: object = None) -> None:
        super().__init__(f"Graph API HTTP {status}" + (f" (code {code})" if code is not None else ""))
        self.status = status
        self.code = code


class OutsideServiceWindow(Exception):
    """A reply came more than 24 hours after the resident's last message and no template is set."""


# ---- signatures --------------------------------------------------------------------------

def signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(app_secret: str, body: bytes, header: str | None) -> bool:
    if not header:
        return False
    return hmac.compare_digest(signature(app_secret, body).encode(), header.encode())


# ---- the Graph API client ----------------------------------------------------------------

class GraphClient:
    def __init__(self, base_url: str, phone_number_id: str, token: str, attempts: int = 2,
                 backoff: float = 0.5, timeout: float = 15.0) -> None:
        self.url = f"{base_url.rstrip('/')}/{phone_number_id}/messages"
        self.attempts = attempts
        self.backoff = backoff
        self._http = httpx.AsyncClient(timeout=timeout, headers={"Authorization": f"Bearer {token}"},
                                       verify=tls_context())

    async def close(self) -> None:
        await self._http.aclose()

    async def send(self, payload: dict[str, Any]) -> None:
        """POST one message; transient failures are retried with exponential backoff."""
        error: Exception = GraphError(0)
        for attempt in range(self.attempts):
            if attempt:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                reply = await self._http.post(self.url, json=payload)
            except httpx.TransportError as transport_error:
                error = transport_error
                continue
            if reply.status_code < 300:
                return
            error = GraphError(reply.status_code, _error_code(reply))
            if reply.status_code != 429 and reply.status_code < 500:
                break  # a refusal (bad request, expired token, window closed): no use repeating
        raise error


def _error_code(reply: httpx.Response) -> object:
    try:
        return reply.json().get("error", {}).get("code")
    except (ValueError, AttributeError):
        return None


# ---- what goes out -----------------------------------------------------------------------

def text_payload(to: str, text: str) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
            "type": "text", "text": {"body": text, "preview_url": False}}


def fits_reply_buttons(item: Outgoing) -> bool:
    return (
        len(item.buttons) <= MAX_REPLY_BUTTONS
        and len(item.text) <= MAX_INTERACTIVE_BODY
        and all(0 < len(b["title"]) <= MAX_BUTTON_TITLE and 0 < len(b["payload"]) <= MAX_BUTTON_ID
                for b in item.buttons)
        and len({b["payload"] for b in item.buttons}) == len(item.buttons)
    )


def numbered(item: Outgoing) -> str:
    options = "\n".join(f"{n}. {b['title']}" for n, b in enumerate(item.buttons, start=1))
    return f"{item.text}\n\n{options}\n\n{response('utter_gateway_reply_with_number').text}"


def payloads_for(to: str, item: Outgoing) -> list[dict[str, Any]]:
    """The Graph API messages that show one reply: text, reply buttons, or a numbered list."""
    if item.buttons and fits_reply_buttons(item):
        return [{
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": item.text},
                "action": {"buttons": [
                    {"type": "reply", "reply": {"id": b["payload"], "title": b["title"]}}
                    for b in item.buttons
                ]},
            },
        }]
    text = numbered(item) if item.buttons else item.display_text()
    return [text_payload(to, part) for part in split_text(text)]


def template_payload(to: str, item: Outgoing, name: str, language: str) -> dict[str, Any]:
    """A template message carrying the reply as its one body parameter (Meta forbids line
    breaks and long runs of spaces in parameters)."""
    text = numbered(item) if item.buttons else item.display_text()
    flat = re.sub(r"\s+", " ", text).strip()[:1024]
    return {
        "messaging_product": "whatsapp", "to": to, "type": "template",
        "template": {"name": name, "language": {"code": language},
                     "components": [{"type": "body", "parameters": [{"type": "text", "text": flat}]}]},
    }


# ---- what comes in -----------------------------------------------------------------------

@dataclass(frozen=True)
class Incoming:
    wa_id: str
    message_id: str
    text: str | None  # None: a message type the assistant cannot read (photo, voice, ...)


def incoming_messages(payload: Any, phone_number_id: str) -> list[Incoming]:
    """The resident messages in one webhook body; statuses and other numbers' events skipped."""
    found: list[Incoming] = []
    if not isinstance(payload, dict):
        return found
    for entry in payload.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value") or {}
            if (change or {}).get("field") != "messages" or not isinstance(value, dict):
                continue
            if str((value.get("metadata") or {}).get("phone_number_id", phone_number_id)) != phone_number_id:
                continue
            for message in value.get("messages") or []:
                item = _incoming(message)
                if item is not None:
                    found.append(item)
    return found


def _incoming(message: Any) -> Incoming | None:
    if not isinstance(message, dict) or not message.get("from") or not message.get("id"):
        return None
    kind = message.get("type")
    wa_id, message_id = str(message["from"]), str(message["id"])
    if kind in IGNORED_TYPES:
        return None
    text: str | None = None
    if kind == "text":
        text = (message.get("text") or {}).get("body")
    elif kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        text = reply.get("id") or reply.get("title")
    elif kind == "button":  # quick reply on a template
        button = message.get("button") or {}
        text = button.get("payload") or button.get("text")
    text = text.strip() if isinstance(text, str) else None
    return Incoming(wa_id, message_id, text or None)


# ---- the channel -------------------------------------------------------------------------

class WhatsAppChannel:
    name = CHANNEL

    def __init__(self, settings: Settings, switchboard: Switchboard) -> None:
        assert settings.whatsapp_token and settings.whatsapp_phone_number_id and settings.whatsapp_app_secret
        self.settings = settings
        self.switchboard = switchboard
        self.phone_number_id = settings.whatsapp_phone_number_id
        self.app_secret = settings.whatsapp_app_secret
        self.client = GraphClient(settings.whatsapp_api_base_url, self.phone_number_id, settings.whatsapp_token)
        self.commands = Commands(switchboard, CHANNEL)
        self._locks = KeyedLocks()
        self._sent = SentLog()
        self._answered = RecentIds()  # non-text messages and commands answered already
        self.answering = AnswerLater(switchboard)

    # ---- the switchboard's way out -------------------------------------------------------

    async def deliver(self, address: str, messages: list[Outgoing]) -> None:
        inside = await self._inside_window(address)
        template = self.settings.whatsapp_template_name
        follow_up = self.settings.whatsapp_follow_up_template

        async def send(item: Outgoing) -> None:
            asking = None if inside or not follow_up else whatsapp_template(
                address, item.buttons, follow_up, self.settings.whatsapp_follow_up_template_language,
                default_directory(self.settings.directory_path))
            if inside:
                await self._send(address, item)
            elif asking is not None:  # "is het gelukt?": its own template, with its answers as buttons
                await self.client.send(asking)
                log.info("whatsapp: follow-up %s sent as template (outside the 24-hour window)", item.id)
            elif template:
                await self.client.send(
                    template_payload(address, item, template, self.settings.whatsapp_template_language))
                log.info("whatsapp: reply %s sent as template (outside the 24-hour window)", item.id)
            else:
                log.warning(
                    "whatsapp: reply %s not sent: the resident's 24-hour window is closed and no "
                    "WHATSAPP_TEMPLATE_NAME is set; it stays undelivered", item.id)
                raise OutsideServiceWindow(f"reply {item.id} is outside the 24-hour window")

        await self._sent.send_new(messages, send)

    async def _send(self, wa_id: str, item: Outgoing) -> None:
        for payload in payloads_for(wa_id, item):
            await self.client.send(payload)

    async def _inside_window(self, wa_id: str) -> bool:
        resident = self.switchboard.pseudonym(CHANNEL, wa_id)
        async with self.switchboard.sessions() as session:
            conversation = await find_conversation(session, CHANNEL, resident)
            if conversation is None:
                return False
            last_inbound = await session.scalar(
                select(func.max(Message.created_at)).where(
                    Message.conversation_id == conversation.id, Message.direction == "in")
            )
        return last_inbound is not None and utcnow() - last_inbound < SERVICE_WINDOW

    # ---- webhook -------------------------------------------------------------------------

    async def verify(self, request: Request) -> Response:
        """Meta's subscription handshake: echo hub.challenge when the verify token matches."""
        query = request.query_params
        expected = self.settings.whatsapp_verify_token or ""
        token = query.get("hub.verify_token", "")
        if (query.get("hub.mode") == "subscribe" and expected and query.get("hub.challenge")
                and hmac.compare_digest(token.encode(), expected.encode())):
            return PlainTextResponse(query["hub.challenge"])
        return PlainTextResponse("forbidden", status_code=403)

    async def webhook(self, request: Request) -> Response:
        try:
            body = await read_body(request)  # bounded: read before the signature can be checked
            if not signature_ok(self.app_secret, body, request.headers.get(SIGNATURE_HEADER)):
                log.warning("whatsapp webhook refused: wrong or missing signature")
                return JSONResponse({"error": "forbidden"}, status_code=403)
            payload = parse_json(body)
        except Refused as refused:
            return refused.response
        for item in incoming_messages(payload, self.phone_number_id):
            unavailable = await stored_or_503(self._take(item))
            if unavailable is not None:
                return unavailable
        return JSONResponse({"ok": True})

    async def _take(self, item: Incoming) -> None:
        """Store a message for the assistant, whose answer follows; a command or a photo is
        answered directly, once per WhatsApp message id. Returns once stored."""
        async with self._locks.hold(item.wa_id):  # one resident's messages stored in order
            text = item.text and (await self._chosen_option(item.wa_id, item.text) or item.text)
            command = command_of(text) if text else None
            if text and not command:
                await self.answering.store(Inbound(CHANNEL, item.wa_id, text, item.message_id))
                return
            if item.message_id in self._answered:
                return
            self._answered.add(item.message_id)
            self.answering.spawn(item.wa_id, self._answer_directly(item.wa_id, command))

    async def _answer_directly(self, wa_id: str, command: str | None) -> None:
        replies = await self.commands.run(wa_id, command) if command else [said("utter_gateway_text_only")]
        for reply in replies:
            await self._send(wa_id, reply)

    async def _chosen_option(self, wa_id: str, text: str) -> str | None:
        """A bare number answers the options offered since the resident's last message."""
        match = BARE_NUMBER.match(text)
        if not match:
            return None
        resident = self.switchboard.pseudonym(CHANNEL, wa_id)
        async with self.switchboard.sessions() as session:
            conversation = await find_conversation(session, CHANNEL, resident)
            if conversation is None:
                return None
            conversation_id = conversation.id
            last_in = await session.scalar(
                select(func.max(Message.id)).where(
                    Message.conversation_id == conversation_id, Message.direction == "in")
            ) or 0
            replies = await session.scalars(
                select(Message).where(
                    Message.conversation_id == conversation_id, Message.direction == "out",
                    Message.id > last_in,
                ).order_by(Message.id.desc())
            )
            options = next((m.buttons for m in replies if m.buttons), None)
        number = int(match.group(1))
        if options and 1 <= number <= len(options):
            return str(options[number - 1]["payload"])
        return None

    # ---- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        await self.answering.stop()
        await self.client.close()

    def routes(self) -> list[BaseRoute]:
        return [
            Route(WEBHOOK_PATH, self.verify, methods=["GET"]),
            Route(WEBHOOK_PATH, self.webhook, methods=["POST"]),
        ]
