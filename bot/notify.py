"""Fan-out of new events to live listeners (web chat SSE, console).

Topics are strings such as "conversation:12" or "queue". `Notifier` works inside one process;
`RedisNotifier` (when REDIS_URL is set) passes every event through Redis pub/sub, so a
listener on one gateway replica hears what happened on another. Listeners treat events as
wake-up calls and read the database, so an event lost in transit delays, never loses, a
message (pages also refresh on a timer).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from collections import defaultdict
from typing import Any

log = logging.getLogger(__name__)
REDIS_CHANNEL = "voordeur:events"


class Notifier:
    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Queue]] = defaultdict(set)

    def subscribe(self, topic: str) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(maxsize=1000)
        self._listeners[topic].add(queue)
        return queue

    def unsubscribe(self, topic: str, queue: asyncio.Queue) -> None:
        self._listeners[topic].discard(queue)
        if not self._listeners[topic]:
            del self._listeners[topic]

    def publish(self, topic: str, event: Any) -> None:
        self._dispatch(topic, event)

    def _dispatch(self, topic: str, event: Any) -> None:
        for queue in list(self._listeners.get(topic, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:  # a stuck listener must not block residents
                pass

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(type(value).__name__)


class RedisNotifier(Notifier):
    def __init__(self, redis_url: str) -> None:
        super().__init__()
        from redis import asyncio as aioredis

        self._redis = aioredis.from_url(redis_url)
        self._task: asyncio.Task | None = None
        self._pending: set[asyncio.Task] = set()

    def publish(self, topic: str, event: Any) -> None:
        payload = json.dumps({"topic": topic, "event": event}, default=_plain)
        task = asyncio.get_running_loop().create_task(self._send(topic, event, payload))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _send(self, topic: str, event: Any, payload: str) -> None:
        try:
            await self._redis.publish(REDIS_CHANNEL, payload)
        except Exception as error:  # Redis away: at least this replica's listeners hear it
            log.warning("redis publish failed (%s); event delivered locally only", type(error).__name__)
            self._dispatch(topic, event)

    async def start(self) -> None:
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(REDIS_CHANNEL)
        self._task = asyncio.create_task(self._listen(pubsub))

    async def _listen(self, pubsub) -> None:
        while True:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
                if message is None:
                    continue
                data = json.loads(message["data"])
                self._dispatch(data["topic"], data["event"])
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("redis listener error (%s); retrying", type(error).__name__)
                await asyncio.sleep(1)
                with contextlib.suppress(Exception):
                    await pubsub.subscribe(REDIS_CHANNEL)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        with contextlib.suppress(Exception):
            await self._redis.aclose()
