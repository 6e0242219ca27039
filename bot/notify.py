"""In-process fan-out of new events to live listeners (web chat SSE, console).

Topics are strings such as "conversation:12" or "queue". One process only; several gateway
replicas share events through the database poll in the SSE endpoints.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any


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
        for queue in list(self._listeners.get(topic, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:  # a stuck listener must not block residents
                pass
