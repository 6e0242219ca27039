"""What one web chat message costs in the gateway itself, without HTTP (ASGI transport), in
front of a running Rasa (issue 10.6). One resident at a time, 5 messages per resident.

    .venv/bin/python bench/gateway_cost.py --rasa-url http://127.0.0.1:5110 [--messages 60] [--calls]

Prints the medians of each switchboard phase (ms), the gateway's time per message with Rasa's
subtracted (p50), the process's CPU per message (includes this script's client), and per
message the SQL statements, commits, calls into aiosqlite's worker thread and the time spent
inside the statements themselves (the rest is Python around them). Start Rasa and
the action server first (for instance `bench/load.py`'s ports, or `make run`'s). Run it on the
commit before a change and after, alternating, when comparing: the machine may be shared.
`--calls` also counts the Python function calls per message (cProfile, in a second pass that is
not timed): a figure that does not drift with the machine's speed, for changes of a few percent;
and times the same messages with Rasa's answers kept, back to back and with the process idle
`--idle-ms` (35) in place of each Rasa turn: on a virtual machine the same work costs more CPU
after an idle spell (docs/benchmarks.md), which is what one resident alone meets.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path.cwd()  # the checkout to measure (run from its root)
sys.path.insert(0, str(ROOT))

TEXTS = [
    "hallo", "ik heb schulden en de rekeningen stapelen zich op", "de buren maken elke nacht herrie",
    "ik ben vaak alleen thuis", "waar is de voedselbank", "mijn huur is te hoog ik heb een achterstand",
    "er ligt overal afval bij de containers", "bedankt", "wat gebeurt er met mijn gegevens", "doei",
]
PHASES = ("receive", "store", "process", "_first_look", "_claimed", "_carry_out", "_after_commit")


def timed(times: dict[str, list[float]], obj: Any, name: str, label: str | None = None) -> None:
    original = getattr(obj, name)

    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            times[label or name].append((time.perf_counter() - started) * 1000)

    setattr(obj, name, wrapper)


async def measure(rasa_url: str, messages: int, count_calls: bool = False, idle_ms: float = 35) -> None:
    import aiosqlite.core
    from sqlalchemy import event

    from bot.app import create_app
    from bot.config import Settings

    calls: collections.Counter[str] = collections.Counter()
    original_execute = aiosqlite.core.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls[getattr(fn, "__name__", "other")] += 1
        return await original_execute(self, fn, *args, **kwargs)

    aiosqlite.core.Connection._execute = counted  # type: ignore[method-assign]
    data = tempfile.mkdtemp(prefix="gateway-cost-")
    app = create_app(Settings.load({
        "DATABASE_URL": f"sqlite:///{data}/voordeur.db", "RASA_URL": rasa_url, "RASA_TOKEN": "bench-token",
        "VOORDEUR_SECRET": "bench", "VOORDEUR_DATA_DIR": data, "VOORDEUR_DEMO_MODE": "1"}))
    switchboard = app.state.switchboard
    times: dict[str, list[float]] = collections.defaultdict(list)
    for name in PHASES:
        if hasattr(switchboard, name):
            timed(times, switchboard, name)
    timed(times, switchboard.rasa, "converse", "rasa")
    statements: collections.Counter[str] = collections.Counter()
    in_sqlite: list[float] = []  # seconds inside each statement's execution (driver and SQLite)
    started_at: list[float] = []

    def before(_c: Any, _cur: Any, sql: str, *_: Any) -> None:
        statements.update([sql.split()[0]])
        started_at.append(time.perf_counter())

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", before)
    event.listen(app.state.engine.sync_engine, "after_cursor_execute",
                 lambda *_: in_sqlite.append(time.perf_counter() - started_at.pop()))
    event.listen(app.state.engine.sync_engine, "commit", lambda _c: statements.update(["COMMIT"]))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), \
            httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        async def say(session: str, text: str) -> None:
            started = time.perf_counter()
            response = await client.post("/api/webchat/messages", json={"session": session, "text": text})
            response.raise_for_status()
            times["total"].append((time.perf_counter() - started) * 1000)

        for i in range(10):  # warm-up: connections, caches, the first writes
            await say(f"warm-{uuid.uuid4().hex[:8]}", TEXTS[i % len(TEXTS)])
        times.clear()
        calls.clear()
        statements.clear()
        in_sqlite.clear()
        cpu = time.process_time()
        session = ""
        for i in range(messages):
            if i % 5 == 0:
                session = f"cost-{uuid.uuid4().hex[:8]}"
            await say(session, TEXTS[i % len(TEXTS)])
        cpu_ms = (time.process_time() - cpu) * 1000 / messages
        measured = {name: list(values) for name, values in times.items()}
        counted_statements, counted_calls = collections.Counter(statements), sum(calls.values())
        sql_ms = sum(in_sqlite) * 1000 / messages
        if count_calls:  # the same messages again, under cProfile, with Rasa's answers kept
            import cProfile
            import pstats

            answers: dict[str, Any] = {}
            converse = switchboard.rasa.converse

            async def remembered(sender: str, text: str, metadata: Any = None) -> Any:
                if text not in answers:
                    answers[text] = await converse(sender, text, metadata)
                return answers[text]

            switchboard.rasa.converse = remembered
            for text in TEXTS:  # every answer once, outside the count
                await say(f"calls-{uuid.uuid4().hex[:8]}", text)
            kept: dict[float, tuple[float, float]] = {}  # idle ms -> (wall, CPU) per message, the idle left out
            nap = 0.0

            async def napping(sender: str, text: str, metadata: Any = None) -> Any:
                await asyncio.sleep(nap)  # the machine idle, as while Rasa answers, but nothing else runs
                return await remembered(sender, text, metadata)

            switchboard.rasa.converse = napping
            for nap in (0.0, idle_ms / 1000):
                wall, cpu = time.perf_counter(), time.process_time()
                for i in range(messages):
                    if i % 5 == 0:
                        session = f"kept-{uuid.uuid4().hex[:8]}"
                    await say(session, TEXTS[i % len(TEXTS)])
                kept[nap * 1000] = ((time.perf_counter() - wall - nap * messages) * 1000 / messages,
                                    (time.process_time() - cpu) * 1000 / messages)
            switchboard.rasa.converse = remembered
            profile = cProfile.Profile()
            profile.enable()
            for i in range(messages):
                if i % 5 == 0:
                    session = f"calls-{uuid.uuid4().hex[:8]}"
                await say(session, TEXTS[i % len(TEXTS)])
            profile.disable()
            print(f"Python function calls per message (Rasa's answers kept, the in-process client included): "
                  f"{pstats.Stats(profile).total_calls / messages:.0f}")
            for idle, (wall_ms, cpu_ms_kept) in kept.items():
                print(f"with Rasa's answers kept and the process idle {idle:.0f} ms in place of each Rasa turn "
                      f"(client included): {wall_ms:.1f} ms per message, CPU {cpu_ms_kept:.1f} ms")
    own = [total - rasa for total, rasa in zip(measured["total"], measured["rasa"], strict=True)]
    print("phase medians ms:", {k: round(statistics.median(v), 2) for k, v in measured.items()})
    print(f"gateway time per message without Rasa's, p50: {statistics.median(own):.1f} ms; "
          f"CPU per message: {cpu_ms:.1f} ms")
    print("per message: SQL", {k: round(v / messages, 2) for k, v in counted_statements.items()},
          "; aiosqlite calls", round(counted_calls / messages, 1))
    print(f"time inside the statements (driver and SQLite, commits not included) per message: {sql_ms:.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    parser.add_argument("--messages", type=int, default=60)
    parser.add_argument("--calls", action="store_true", help="also count Python function calls per message")
    parser.add_argument("--idle-ms", type=float, default=35,
                        help="--calls: also time the kept answers with the process idle this long per message")
    args = parser.parse_args()
    asyncio.run(measure(args.rasa_url, args.messages, args.calls, args.idle_ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
