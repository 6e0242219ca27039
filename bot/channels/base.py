"""What every channel shares, written once.

A channel translates one outside world (the web chat page, Telegram's Bot API, Meta's Graph
API) to and from the switchboard's messages. It implements `Channel`: its HTTP routes, start
and stop, and, for a channel that can push, `deliver` (the switchboard calls it with stored
replies, and again for replies whose delivery failed). The pieces they all need live here:

- `read_body` / `read_json`: an unauthenticated body is read up to a limit (413 beyond it,
  before any signature check or parsing), and bad JSON is a 400;
- `stored_or_503`: a message the database could not take answers 503, so the sender retries;
- `AnswerLater`: a webhook answers as soon as the message is stored; the assistant's answer
  follows through the channel's send API (`deliver`), one resident's messages in order;
- `SentLog`: a reply delivered once is not sent again when a delivery is retried;
- `split_text`: long texts in parts of at most 4096 characters (Telegram's and WhatsApp's limit);
- `find_conversation`: the conversation of one resident on one channel;
- `Budget`: so many at once, then so many a second, per key (429 beyond it);
- `KeyedLocks` (bot/channels/ordering.py): one resident's messages in order.

A fourth channel: a class with `name`, `routes()`, `start()`, `stop()` (and `deliver` if it
pushes), using these pieces and the channel-neutral commands in bot/channels/commands.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from bot.channels.ordering import KeyedLocks, RecentIds
from bot.store.models import Conversation
from bot.switchboard import Inbound, Outgoing, Switchboard

log = logging.getLogger(__name__)

MAX_TEXT = 4096  # characters per message on Telegram and WhatsApp, and the web chat's limit
MAX_BODY_BYTES = 64 * 1024  # a web chat post or one webhook call; Meta batches stay far below
# The database (or its connection) failed: the message must come again, not be dropped.
STORAGE_ERRORS = (DBAPIError, OSError)


class Channel(Protocol):
    """One way residents reach us. `deliver` exists on channels that push replies."""

    name: str

    def routes(self) -> list[BaseRoute]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


Deliver = Callable[[str, list[Outgoing]], Awaitable[None]]


class Refused(Exception):
    """A request answered with an error before it reached the switchboard."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def error(status: int, code: str, detail: str | None = None) -> JSONResponse:
    """An error body: a code for programs and, for the web chat page, a Dutch sentence."""
    body: dict[str, str] = {"error": code}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status)


TOO_LARGE = "Je bericht is te lang. Stuur een korter bericht."
BAD_JSON = "Dit is geen geldige JSON."


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, refused with 413 as soon as it is larger than `limit` (nothing more is read)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not (declared.isascii() and declared.isdigit()) or int(declared) > limit):
        raise Refused(error(413, "too_large", TOO_LARGE))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refused(error(413, "too_large", TOO_LARGE))
    return bytes(body)


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Refused(error(400, "bad_json", BAD_JSON)) from None


async def read_json(request: Request, limit: int = MAX_BODY_BYTES) -> Any:
    return parse_json(await read_body(request, limit))


async def stored_or_503(store: Awaitable[Any]) -> Response | None:
    """Run `store`; a database failure answers 503 (the sender delivers again later and the
    message id keeps a message that did get stored from counting twice)."""
    try:
        await store
    except Exception as failure:  # whatever it was, the sender must try again
        log.warning("message not stored: %s", type(failure).__name__)
        return error(503, "unavailable")
    return None


class SentLog(RecentIds):
    """Replies sent lately: a retried delivery sends only what did not go out yet."""

    async def send_new(self, messages: list[Outgoing], send: Callable[[Outgoing], Awaitable[None]]) -> None:
        for item in messages:
            if item.id in self:
                continue
            await send(item)
            self.add(item.id)


def split_text(text: str, size: int = MAX_TEXT) -> list[str]:
    """A text in parts a channel accepts (at least one part, maybe empty)."""
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


async def find_conversation(db: AsyncSession, channel: str, resident: str) -> Conversation | None:
    """The conversation of one resident (a pseudonym) on one channel, if any."""
    return await db.scalar(
        select(Conversation).where(Conversation.channel == channel, Conversation.resident == resident)
    )


class AnswerLater:
    """Store now, answer in the background.

    `store` returns once the message is in the database (a webhook can answer its sender
    then); `Switchboard.process` runs afterwards and hands the replies to the channel's
    `deliver`. One resident's messages are processed in the order they were stored (the
    locks are fair and each task waits for its lock first). A failure while processing is
    logged by type; the message stays stored and the switchboard's background loop answers it.
    """

    def __init__(self, switchboard: Switchboard) -> None:
        self.switchboard = switchboard
        self._locks = KeyedLocks()
        self._tasks: set[asyncio.Task] = set()

    async def store(self, inbound: Inbound) -> None:
        stored = await self.switchboard.store(inbound, claim=True)  # taken in hand: processed next
        if not stored.duplicate:
            self.spawn(inbound.user_id,
                       self.switchboard.process(stored.message_id, stored.conversation_id, stored.claim, stored.key))

    def spawn(self, key: Hashable, work: Coroutine[Any, Any, Any]) -> None:
        """Run `work` after whatever runs for `key` already."""
        task = asyncio.create_task(self._in_turn(key, work))
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    async def _in_turn(self, key: Hashable, work: Coroutine[Any, Any, Any]) -> None:
        async with self._locks.hold(key):
            await work

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:  # logged without content
            log.warning("a stored message was not answered yet: %s", type(task.exception()).__name__)

    async def stop(self, timeout: float = 10) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)


class Budget:
    """A token bucket per key: `burst` at once, then `per_second`. Keys not seen for a while are
    forgotten first when more than `max_keys` are kept (their bucket would be full again)."""

    def __init__(self, burst: int, per_second: float, max_keys: int = 100_000) -> None:
        self.burst = burst
        self.per_second = per_second
        self.max_keys = max_keys
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()

    def take(self, key: Hashable) -> bool:
        now = time.monotonic()
        tokens, then = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.per_second)
        allowed = tokens >= 1
        self._buckets[key] = (tokens - 1 if allowed else tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return allowed
