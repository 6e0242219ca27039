"""Small helpers both push channels need: one-at-a-time per resident, and a memory of sends."""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Hashable


class KeyedLocks:
    """One asyncio lock per key (a chat), dropped again when nobody holds or waits for it.

    asyncio locks are fair, so tasks created in arrival order run in arrival order per key
    while different keys run concurrently.
    """

    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[asyncio.Lock, list[int]]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._entries.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)


class RecentIds:
    """A bounded set: ids seen lately (sent replies, handled non-text messages)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._ids: OrderedDict[Hashable, None] = OrderedDict()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._ids

    def add(self, key: Hashable) -> None:
        self._ids[key] = None
        self._ids.move_to_end(key)
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)
