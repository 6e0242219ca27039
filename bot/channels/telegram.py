"""Telegram channel: python-telegram-bot 22 between the Bot API and the switchboard.

    TELEGRAM_BOT_TOKEN=...                 # on; polls getUpdates (one machine, no public URL)
    TELEGRAM_WEBHOOK_SECRET=...            # webhook mode instead: POST /webhooks/telegram,
    TELEGRAM_WEBHOOK_URL=https://.../webhooks/telegram   # optional: registered at start
    TELEGRAM_API_BASE_URL=http://host/bot  # a self-hosted Bot API server (or a test server)

Every resident text and button press is stored (`Switchboard.store` through
`AnswerLater`, bot/channels/base.py) with the message id (or callback query id) as
idempotency key, so an update delivered twice is answered once; the assistant's turn runs
after that and its replies go out through `TelegramChannel.deliver`, which the switchboard
calls (and calls again for failed replies). The assistant answers only in private chats;
groups and channels are ignored. Commands: /start, /privacy, and the channel-neutral
/verwijder (erase after a confirmation button) and /stop (bot/channels/commands.py).

Privacy: nothing here logs message text, chat ids or usernames; httpx's INFO lines are
silenced because their URLs carry the bot token.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.base import STORAGE_ERRORS, AnswerLater, Refused, SentLog, read_json, split_text
from bot.channels.commands import ERASE, ERASE_NO, ERASE_YES, STOP, Commands, command_of, said
from bot.channels.ordering import KeyedLocks
from bot.config import Settings
from bot.store.models import Conversation, Message
from bot.switchboard import Inbound, Outgoing, Switchboard

log = logging.getLogger(__name__)

CHANNEL = "telegram"
WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram limits callback_data to 1-64 bytes.
MAX_CALLBACK_BYTES = 64
LONG_PAYLOAD_PREFIX = "b:"  # b:<message id>:<button index>, for payloads over 64 bytes
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
START_RETRY_SECONDS = (1, 2, 5, 10, 30)


class PerChatOrder(BaseUpdateProcessor):
    """Chats are handled concurrently; one chat's updates in the order they arrived."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks = KeyedLocks()

    async def do_process_update(self, update: object, coroutine) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        async with self._locks.hold(chat.id):
            await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def callback_data(message_id: int, index: int, payload: str) -> str:
    """The payload itself when it fits Telegram's 64 bytes, else a reference to the stored button."""
    if 0 < len(payload.encode()) <= MAX_CALLBACK_BYTES and not payload.startswith(LONG_PAYLOAD_PREFIX):
        return payload
    return f"{LONG_PAYLOAD_PREFIX}{message_id}:{index}"


def keyboard(item: Outgoing) -> InlineKeyboardMarkup | None:
    if not item.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b["title"], callback_data=callback_data(item.id, i, b["payload"]))]
         for i, b in enumerate(item.buttons)]
    )


def as_words(text: str) -> str:
    """A typed message as the assistant should read it: an unknown command such as "/hulp" or
    "/help@voordeur_bot" becomes the word "hulp" (only buttons send assistant payloads)."""
    text = text.strip()
    if text.startswith("/"):
        command, _, rest = text[1:].partition(" ")
        text = f"{command.split('@')[0]} {rest}".strip()
    return text


def private_chat_id(update: Update) -> str | None:
    """The chat to answer, or None outside private chats (groups, channels)."""
    chat = update.effective_chat
    if chat is None or chat.type != chat.PRIVATE:
        return None
    return str(chat.id)


MAX_REDELIVERIES = 40
REDELIVERY_DELAY_SECONDS = 3.0


class TelegramChannel:
    name = CHANNEL

    def __init__(self, settings: Settings, switchboard: Switchboard) -> None:
        assert settings.telegram_bot_token
        self.settings = settings
        self.switchboard = switchboard
        self.webhook_secret = settings.telegram_webhook_secret
        self._not_stored: set[int] = set()  # webhook updates the database could not take
        self._redeliveries: dict[int, int] = {}  # polling: update id -> times handed in again
        builder = (
            Application.builder()
            .token(settings.telegram_bot_token)
            .base_url(settings.telegram_api_base_url)
            .rate_limiter(AIORateLimiter(max_retries=3))
            .concurrent_updates(PerChatOrder())
        )
        if self.webhook_secret:
            builder = builder.updater(None)
        self.application = builder.build()
        self.commands = Commands(switchboard, CHANNEL)
        self.answering = AnswerLater(switchboard)
        self._sent = SentLog()
        self._ready = asyncio.Event()
        self._runner: asyncio.Task | None = None
        self._add_handlers()

    # ---- the switchboard's way out -------------------------------------------------------

    async def deliver(self, address: str, messages: list[Outgoing]) -> None:
        """Send stored replies to one chat; a reply sent before is not sent again on retry."""

        async def send(item: Outgoing) -> None:
            await self._send(address, item)

        await self._sent.send_new(messages, send)

    async def _send(self, chat_id: str, item: Outgoing) -> None:
        parts = split_text(item.display_text())
        for n, part in enumerate(parts):
            markup = keyboard(item) if n == len(parts) - 1 else None
            await self.application.bot.send_message(chat_id=int(chat_id), text=part, reply_markup=markup)

    # ---- handlers ------------------------------------------------------------------------

    def _add_handlers(self) -> None:
        private = filters.ChatType.PRIVATE
        new_message = filters.UpdateType.MESSAGE & private
        app = self.application
        app.add_handler(CommandHandler("start", self.on_start, filters=new_message))
        app.add_handler(CommandHandler("privacy", self.on_privacy, filters=new_message))
        app.add_handler(CommandHandler([ERASE, STOP], self.on_command, filters=new_message))
        app.add_handler(MessageHandler(new_message & filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, self.on_edited))
        app.add_handler(
            MessageHandler(new_message & ~filters.TEXT & ~filters.StatusUpdate.ALL, self.on_not_text)
        )
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_error_handler(self.on_error)

    async def _receive(self, chat_id: str, text: str, key: str) -> None:
        """Store the message; the assistant's answer follows through `deliver`."""
        await self.answering.store(Inbound(CHANNEL, chat_id, text, key))

    async def _say(self, chat_id: str, name: str) -> None:
        """Send a gateway message from domain.yml directly (notes, not the assistant)."""
        await self._send(chat_id, said(name))

    async def _run_command(self, chat_id: str, command: str) -> None:
        for item in await self.commands.run(chat_id, command):
            await self._send(chat_id, item)

    async def on_start(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = private_chat_id(update)
        message = update.effective_message
        if chat_id and message:  # the assistant greets: the same welcome as on every channel
            await self._receive(chat_id, "/greet", f"m{message.message_id}")

    async def on_privacy(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = private_chat_id(update)
        message = update.effective_message
        if chat_id and message:
            await self._receive(chat_id, "/privacy_question", f"m{message.message_id}")

    async def on_text(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = private_chat_id(update)
        message = update.effective_message
        text = as_words(message.text) if message and message.text else ""
        if chat_id and message and text:
            await self._receive(chat_id, text, f"m{message.message_id}")

    async def on_edited(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        # Deliberately not processed again: the assistant already answered the first version.
        chat_id = private_chat_id(update)
        if chat_id:
            await self._say(chat_id, "utter_gateway_edited")

    async def on_not_text(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = private_chat_id(update)
        if chat_id:
            await self._say(chat_id, "utter_gateway_text_only")

    async def on_command(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/verwijder and /stop (bot/channels/commands.py, the same on every channel)."""
        chat_id = private_chat_id(update)
        message = update.effective_message
        command = command_of(message.text) if message and message.text else None
        if chat_id and command:
            await self._run_command(chat_id, command)

    async def on_button(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:  # CallbackQueryHandler only calls this for updates with a callback query
            return
        chat_id = private_chat_id(update)
        with contextlib.suppress(TelegramError):
            await query.answer()  # stop the spinner on the resident's button
        if not chat_id or not query.data:
            return
        # Buttons are used once: remove them so a second tap does not answer twice.
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(reply_markup=None)
        if query.data in (ERASE_YES, ERASE_NO):
            await self._run_command(chat_id, query.data)
            return
        payload = await self._payload(chat_id, query.data)
        if payload:
            await self._receive(chat_id, payload, f"c{query.id}")

    async def _payload(self, chat_id: str, data: str) -> str | None:
        if not data.startswith(LONG_PAYLOAD_PREFIX):
            return data
        try:
            message_id, index = (int(x) for x in data[len(LONG_PAYLOAD_PREFIX):].split(":"))
        except ValueError:
            return None
        resident = self.switchboard.pseudonym(CHANNEL, chat_id)
        async with self.switchboard.sessions() as session:
            message = await session.scalar(
                select(Message).join(Conversation).where(
                    Message.id == message_id, Conversation.channel == CHANNEL,
                    Conversation.resident == resident,
                )
            )
        buttons = (message.buttons or []) if message else []
        return buttons[index]["payload"] if 0 <= index < len(buttons) else None

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        failure = context.error  # only its type is logged: its message may quote the resident
        log.warning("telegram update not handled: %s", type(failure).__name__)
        if not isinstance(update, Update) or not isinstance(failure, STORAGE_ERRORS):
            return
        if self.webhook_secret:  # the webhook answers 503 and Telegram delivers it again
            self._not_stored.add(update.update_id)
            return
        # Polling has already moved past this update: hand it to ourselves again a little
        # later (the update id keeps a message that did get stored from counting twice).
        tries = self._redeliveries.get(update.update_id, 0) + 1
        if tries <= MAX_REDELIVERIES:
            self._redeliveries[update.update_id] = tries
            loop = asyncio.get_running_loop()
            loop.call_later(REDELIVERY_DELAY_SECONDS, self.application.update_queue.put_nowait, update)

    # ---- webhook mode --------------------------------------------------------------------

    async def webhook(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), (self.webhook_secret or "").encode()):
            log.warning("telegram webhook refused: wrong or missing secret token")
            return JSONResponse({"error": "forbidden"}, status_code=403)
        if not self._ready.is_set():
            return JSONResponse({"error": "starting"}, status_code=503)  # Telegram retries
        try:
            update = Update.de_json(await read_json(request), self.application.bot)
        except Refused as refused:
            return refused.response
        except (ValueError, TypeError, KeyError, AttributeError):
            return JSONResponse({"error": "bad update"}, status_code=400)
        if update is None:
            return JSONResponse({"error": "bad update"}, status_code=400)
        # Stored before answering (the assistant's reply follows through sendMessage), so
        # the message is safe when Telegram hears 200.
        app = self.application
        await app.update_processor.process_update(update, app.process_update(update))
        if update.update_id in self._not_stored:
            self._not_stored.discard(update.update_id)
            return JSONResponse({"error": "unavailable"}, status_code=503)  # Telegram retries
        return JSONResponse({"ok": True})

    # ---- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        # httpx logs every request URL at INFO, and Bot API URLs contain the token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        self._runner = asyncio.create_task(self._run())

    async def _run(self) -> None:
        """Connect (retrying: Telegram being away must not stop the gateway), then serve."""
        app = self.application
        attempt = 0
        while True:
            try:
                await app.initialize()  # getMe
                if self.webhook_secret and self.settings.telegram_webhook_url:
                    await app.bot.set_webhook(
                        self.settings.telegram_webhook_url, secret_token=self.webhook_secret,
                        allowed_updates=ALLOWED_UPDATES,
                    )
                break
            except TelegramError as error:
                delay = START_RETRY_SECONDS[min(attempt, len(START_RETRY_SECONDS) - 1)]
                attempt += 1
                log.warning("telegram not reachable (%s); trying again in %ss", type(error).__name__, delay)
                await asyncio.sleep(delay)
        await app.start()
        if app.updater is not None:
            await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=10)
        self._ready.set()
        log.info("telegram channel on (%s)", "webhook" if self.webhook_secret else "polling")

    async def stop(self) -> None:
        await self.answering.stop()
        if self._runner and not self._runner.done():
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        app = self.application
        with contextlib.suppress(Exception):
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
        with contextlib.suppress(Exception):
            if app.running:
                await app.stop()
        with contextlib.suppress(Exception):
            await app.shutdown()

    def routes(self) -> list[BaseRoute]:
        if not self.webhook_secret:
            return []
        return [Route(WEBHOOK_PATH, self.webhook, methods=["POST"])]

