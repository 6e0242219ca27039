"""A fake Telegram Bot API server on 127.0.0.1, for the real python-telegram-bot client.

Point the client at `fake.base_url` (TELEGRAM_API_BASE_URL) with token `fake.token`.
`push(update)` queues an update; getUpdates serves each queued update once (pushing the same
update twice delivers it twice, as Telegram does after a lost acknowledgement) and long-polls
briefly when the queue is empty. Everything the bot sends is recorded in `calls`; the sent
texts in `sent`.

    async with running_fake_telegram() as fake:
        fake.push(fake.text_update(chat_id=42, text="hallo"))
        await fake.wait_for_sent(1)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.server import serve, wait_until

TOKEN = "123456:TEST-TOKEN"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Voordeur", "username": "voordeur_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
JSON_FIELDS = ("reply_markup", "allowed_updates", "chat_id", "offset", "limit", "timeout", "message_id")
MAX_LONG_POLL = 1.0


@dataclass
class FakeTelegram:
    token: str = TOKEN
    url: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    queue: list[dict[str, Any]] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    # ---- what the bot did ----------------------------------------------------------------

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    @property
    def sent(self) -> list[dict[str, Any]]:
        """sendMessage calls: chat_id, text, reply_markup (decoded)."""
        return self.calls_of("sendMessage")

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in self.sent if m.get("chat_id") == chat_id]

    async def wait_for_sent(self, count: int, chat_id: int | None = None, timeout: float = 60) -> list[dict]:
        def enough():
            sent = self.sent if chat_id is None else self.sent_to(chat_id)
            return sent if len(sent) >= count else None
        return await wait_until(enough, timeout)

    async def wait_for_call(self, method: str, timeout: float = 30) -> dict[str, Any]:
        return (await wait_until(lambda: self.calls_of(method), timeout))[-1]

    # ---- updates (what Telegram would send) ----------------------------------------------

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        self.queue.append(update)
        self._arrived.set()
        return update

    def _user(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": "Bewoner", "language_code": "nl"}

    def _chat(self, chat_id: int, chat_type: str) -> dict[str, Any]:
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": "Bewoner"}
        return {"id": chat_id, "type": chat_type, "title": "Buurtgroep"}

    def message(self, chat_id: int, chat_type: str = "private", **content: Any) -> dict[str, Any]:
        return {"message_id": next(self._message_ids), "date": int(time.time()),
                "chat": self._chat(chat_id, chat_type), "from": self._user(abs(chat_id)), **content}

    def text_update(self, chat_id: int, text: str, chat_type: str = "private") -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": next(self._update_ids), "message": self.message(chat_id, chat_type, **content)}

    def update_with(self, chat_id: int, **content: Any) -> dict[str, Any]:
        """A message update with any content: photo=[...], voice={...}, location={...}."""
        return {"update_id": next(self._update_ids), "message": self.message(chat_id, **content)}

    def edited_update(self, chat_id: int, text: str) -> dict[str, Any]:
        message = self.message(chat_id, text=text, edit_date=int(time.time()))
        return {"update_id": next(self._update_ids), "edited_message": message}

    def callback_update(self, chat_id: int, data: str, message_id: int = 1) -> dict[str, Any]:
        message = {"message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id, "private"),
                   "from": BOT_USER, "text": "..."}
        query = {"id": f"cq{next(self._update_ids)}", "from": self._user(chat_id),
                 "chat_instance": f"ci{chat_id}", "data": data, "message": message}
        return {"update_id": next(self._update_ids), "callback_query": query}

    # ---- the Bot API -----------------------------------------------------------------------

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if not self.queue:
            self._arrived.clear()
            wait = min(float(params.get("timeout") or 0), MAX_LONG_POLL)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout=wait)
        served, self.queue = self.queue, []
        return served

    def _sent_message(self, params: dict[str, Any]) -> dict[str, Any]:
        message = {"message_id": 10_000 + len(self.calls), "date": int(time.time()),
                   "chat": self._chat(int(params["chat_id"]), "private"), "from": BOT_USER,
                   "text": params.get("text", "")}
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _method(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        method = request.path_params["method"]
        params = await _params(request)
        self.calls.append((method, params))
        result: Any
        if method == "getMe":
            result = BOT_USER
        elif method == "getUpdates":
            result = await self._get_updates(params)
        elif method == "sendMessage":
            result = self._sent_message(params)
        elif method in ("editMessageReplyMarkup", "editMessageText"):
            result = self._sent_message({"chat_id": params.get("chat_id", 0), **params})
        elif method == "getWebhookInfo":
            result = {"url": "", "has_custom_certificate": False, "pending_update_count": len(self.queue)}
        elif method in ("answerCallbackQuery", "deleteWebhook", "setWebhook", "setMyCommands",
                        "sendChatAction", "close", "logOut", "deleteMessage"):
            result = True
        else:
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return JSONResponse({"ok": True, "result": result})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self._method, methods=["GET", "POST"])])


async def _params(request: Request) -> dict[str, Any]:
    """PTB sends form fields whose non-string values are JSON-encoded; decode those."""
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.body()
        return json.loads(body) if body else {}
    form = await request.form()
    params: dict[str, Any] = dict(form)
    for key in JSON_FIELDS:
        if isinstance(params.get(key), str):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(params[key])
    params.update(dict(request.query_params))
    return params


@contextlib.asynccontextmanager
async def running_fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    async with serve(fake.app()) as url:
        fake.url = url
        yield fake
