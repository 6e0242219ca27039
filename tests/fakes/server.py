"""Run a Starlette app with uvicorn inside the test's event loop, on a free loopback port."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import uvicorn

from bot.stack import free_port


class QuickServer(uvicorn.Server):
    """uvicorn's Server for tests, without its fixed waits: the main loop wakes when `stop()` is
    called (not on its 0.1 s tick), and shutdown waits only while connections or tasks are still
    open (not a fixed 0.1 s first). A suite starts a few hundred servers."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self.should_exit = True
        self._stopping.set()

    async def main_loop(self) -> None:
        await self.on_tick(0)  # the default headers (Date, Server), as uvicorn sets them
        await self._stopping.wait()

    async def shutdown(self, sockets=None) -> None:
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        grace = self.config.timeout_graceful_shutdown
        deadline = None if grace is None else loop.time() + grace
        while self.server_state.connections or self.server_state.tasks:
            if deadline is not None and loop.time() > deadline:
                for task in self.server_state.tasks:
                    task.cancel()
                break
            await asyncio.sleep(0.005)
        await self.lifespan.shutdown()


@contextlib.asynccontextmanager
async def running(config: uvicorn.Config) -> AsyncIterator[QuickServer]:
    """Start a QuickServer in this event loop; stop it on leaving."""
    server = QuickServer(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.005)
    try:
        yield server
    finally:
        server.stop()
        await task


@contextlib.asynccontextmanager
async def serve(app, port: int | None = None) -> AsyncIterator[str]:
    """Serve `app`; `port` picks the port (to bring a receiver up where a test saw it down)."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                            timeout_graceful_shutdown=3)
    async with running(config):
        yield f"http://127.0.0.1:{port}"


async def wait_until(predicate, timeout: float = 30.0, interval: float = 0.05):
    """Poll `predicate` until it returns something truthy; return that, or fail after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)
