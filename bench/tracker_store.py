"""What a text-free tracker store costs: save + retrieve of one resident's tracker per message,
Rasa's store against Voordeur's (rasa_addons/tracker_store.py), in memory and in SQL (SQLite).

    .venv-rasa/bin/python bench/tracker_store.py [--turns 10] [--rounds 300]

Each round appends one turn (user, action, bot, action_listen) to a tracker, saves it and reads
it back, as Rasa does for every message. Prints p50 / p95 in milliseconds per round.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered  # noqa: E402

from rasa_addons.tracker_store import TextFreeInMemoryTrackerStore, TextFreeSQLTrackerStore  # noqa: E402

TEXT = "ik heb schulden en de buren maken herrie, ik woon in de schilderswijk"


def turn(i: int) -> list:
    parse = {"intent": {"name": "debt_bills", "confidence": 0.9}, "entities": [], "text": TEXT,
             "intent_ranking": [{"name": "debt_bills", "confidence": 0.9}]}
    return [UserUttered(f"{TEXT} {i}", parse["intent"], [], parse), ActionExecuted("action_route"),
            BotUttered("Voor schulden kun je terecht bij de schuldhulp van de gemeente."),
            ActionExecuted("action_listen")]


async def measure(store, rounds: int, turns: int) -> list[float]:
    timings = []
    for r in range(rounds):
        sender = f"bench-{r % 50}"
        tracker = await store.retrieve(sender) or store.init_tracker(sender)
        if len(tracker.events) > turns * 4:
            tracker = store.init_tracker(sender)
            await store.save(tracker.__class__(sender, store.domain.slots))  # start this sender afresh
        start = time.perf_counter()
        for event in turn(r):
            tracker.update(event)
        await store.save(tracker)
        await store.retrieve(sender)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    domain = Domain.load(str(ROOT / "domain.yml"))
    folder = Path(tempfile.mkdtemp(prefix="bench-trackers-"))
    stores = {
        "in memory, Rasa": InMemoryTrackerStore(domain),
        "in memory, text-free": TextFreeInMemoryTrackerStore(domain),
        "SQL (SQLite), Rasa": SQLTrackerStore(domain, dialect="sqlite", db=str(folder / "rasa.db")),
        "SQL (SQLite), text-free": TextFreeSQLTrackerStore(domain, dialect="sqlite", db=str(folder / "free.db")),
    }
    print("| store | p50 ms | p95 ms |\n|---|---|---|")
    for name, store in stores.items():
        timings = sorted(await measure(store, args.rounds, args.turns))
        p95 = timings[int(len(timings) * 0.95)]
        print(f"| {name} | {statistics.median(timings):.2f} | {p95:.2f} |")


if __name__ == "__main__":
    asyncio.run(main())
