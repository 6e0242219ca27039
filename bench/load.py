"""Load benchmark: simulated residents through the gateway and the real Rasa server.

    .venv/bin/python bench/load.py roundtrip [--residents 1 10 50] [--messages 5]
        [--repeat 3] [--no-two-requests] [--no-scale-out] [--floor] [--ports RASA ACTIONS GATEWAY]
    .venv/bin/python bench/load.py replicas  [--residents 200] [--messages 50]
    .venv/bin/python bench/load.py telegram  [--residents 1 10 50 200] [--messages 5]
    .venv/bin/python bench/load.py paired    [--messages 300]

`roundtrip` (issue 10.6, one run): for each N, Rasa alone (the same requests the gateway makes,
sent straight to Rasa's voordeur channel: parse and replies in one round trip) and one gateway
on SQLite (web chat API) in front of the same Rasa, alternating which goes first; then the
scale-out part: Rasa alone with one process against two processes sharing a SQL tracker store
on PostgreSQL and a Redis lock store, at the largest N. For reference, each N also has a row
for what Rasa did per message before (parse, then the REST channel: two requests). Every row starts after a warm-up of a
few messages (not counted); a row has at least 50 messages, so one resident sends 50. `--floor`
adds, per N, the floor of any gateway in the same run: bench/null_gateway.py (one more HTTP hop
and nothing else), and the same with two durable SQLite commits per message. With
`--repeat N` the gateway/Rasa pairs run N times against the same Rasa (which goes first
alternates) and a table of medians follows, with the median of the runs' ratios.
`paired`: one resident's latency, message by message: each message goes to the gateway, to
the floor (bench/null_gateway.py with its two commits) and straight to Rasa, one after the
other, so a change in the machine's speed hits all three alike; it reports each one's p50 and
the median of the per-message differences with Rasa alone (on a shared machine the rows of
`roundtrip` for one resident drift by several milliseconds between them).
`telegram`: the same through the real python-telegram-bot client polling the fake Bot API
server of the tests (latency: update queued -> first reply sent to that chat).
`replicas`: two gateway replicas on one PostgreSQL database with Redis, residents spread over
both (200 x 50 = 10 000 messages by default). Reports messages per second, reply latency
p50/p95/p99, errors, lost messages (stored but never answered, or never stored) and the
resident-set size of each process. Loopback only; every loop is bounded. Results go to
bench/results/load-<scenario>.json and a Markdown table on standard output; the machine's load
average before and after each row is recorded, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from functools import partial
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import stack  # noqa: E402
from bot.rasa import CONVERSE_PATH  # noqa: E402

TEXTS = [
    "hallo", "ik heb schulden en de rekeningen stapelen zich op", "de buren maken elke nacht herrie",
    "ik ben vaak alleen thuis", "waar is de voedselbank", "mijn huur is te hoog ik heb een achterstand",
    "er ligt overal afval bij de containers", "bedankt", "wat gebeurt er met mijn gegevens", "doei",
]
TOKEN = "bench-token"


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


def megabytes(value: object) -> str:
    if isinstance(value, list):
        return " + ".join(str(v) for v in value)
    return "–" if value is None else str(value)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else 0.0


MIN_ROW_MESSAGES = 50
WARM_UP_MESSAGES = 5


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


GATEWAY, RASA, RASA_TWO_REQUESTS = "gateway", "rasa", "rasa-two-requests"


async def post_one(client: httpx.AsyncClient, url: str, mode: str, session: str, text: str,
                   message_id: str) -> httpx.Response:
    """One resident message. GATEWAY: the web chat API. RASA: Rasa's voordeur channel (what
    the gateway asks of Rasa). RASA_TWO_REQUESTS: /model/parse, then the REST channel (what
    the gateway asked of Rasa before issue 10.6)."""
    if mode == GATEWAY:
        return await client.post(f"{url}/api/webchat/messages", json={"session": session, "text": text, "id": message_id})
    if mode == RASA:
        return await client.post(f"{url}{CONVERSE_PATH}", json={"sender": session, "message": text,
                                                                "metadata": assistant_metadata()})
    parsed = await client.post(f"{url}/model/parse", params={"token": TOKEN}, json={"text": text})
    if parsed.status_code != 200:
        return parsed
    return await client.post(f"{url}/webhooks/rest/webhook", json={"sender": session, "message": text,
                                                                   "metadata": {"channel": "webchat"}})


def assistant_metadata() -> dict:
    """The metadata the gateway sends with a web chat message: the channel and its desk."""
    from bot import clock
    from bot.config import Settings
    from bot.decision import Desk
    from bot.handover.hours import desk_hours, say_when

    now, hours = clock.now(), desk_hours(Settings.load({}))
    opening = None if hours.is_open(now) else hours.next_opening(now)
    desk = Desk(hours.is_open(now), say_when(opening, now) if opening else None)
    return {"channel": "webchat", **desk.for_assistant()}


async def drive(urls: list[str], residents: int, messages: int, mode: str) -> dict:
    """Each resident sends `messages` messages, each after the previous answer (see post_one)."""
    latencies: list[float] = []
    errors = 0  # messages that failed after all retries
    failures: list[str] = []  # every failed attempt, by kind
    sent_ids: list[str] = []
    limits = httpx.Limits(max_connections=residents + 10, max_keepalive_connections=residents + 10)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        async def resident(index: int) -> None:
            nonlocal errors
            session = f"bench-{uuid.uuid4().hex[:12]}"
            for turn in range(messages):
                text = TEXTS[(index + turn) % len(TEXTS)]
                url = urls[(index + turn) % len(urls)]
                started = time.perf_counter()
                message_id = "b" + uuid.uuid4().hex[:20]
                if mode == GATEWAY:
                    sent_ids.append(message_id)
                # Like a channel, retry a failed post with the same message id (at least once;
                # the gateway dedupes), at most 3 times.
                for attempt in range(3):
                    try:
                        response = await post_one(client, url, mode, session, text, message_id)
                        if response.status_code == 200:
                            latencies.append((time.perf_counter() - started) * 1000)
                            break
                        failures.append(f"HTTP {response.status_code}")
                    except httpx.HTTPError as error:
                        failures.append(type(error).__name__)
                    url = urls[(index + turn + attempt + 1) % len(urls)]
                else:
                    errors += 1

        load_before = load_average()
        started = time.perf_counter()
        await asyncio.gather(*(resident(i) for i in range(residents)))
        elapsed = time.perf_counter() - started
    total = residents * messages
    return {
        "residents": residents, "messages": total, "load_before": load_before, "load_after": load_average(), "seconds": round(elapsed, 1),
        "messages_per_second": round(total / elapsed, 1),
        "p50_ms": percentile(latencies, 0.50), "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99), "errors": errors, "sent_ids": sent_ids,
        "failed_attempts": {kind: failures.count(kind) for kind in set(failures)},
    }


async def count_lost(database_url: str, sent_ids: list[str]) -> int:
    """Messages never stored, or stored but never answered."""
    from sqlalchemy import select

    from bot.config import async_database_url
    from bot.store.db import make_engine, make_sessionmaker
    from bot.store.models import Message

    engine = make_engine(async_database_url(database_url))
    try:
        async with make_sessionmaker(engine)() as db:
            done = set(await db.scalars(select(Message.channel_message_id).where(
                Message.direction == "in", Message.status == "done")))
    finally:
        await engine.dispose()
    return sum(1 for i in sent_ids if i not in done)


# Fixed ports (--ports RASA ACTIONS GATEWAY) on a shared machine; free ones otherwise.
PORTS: dict[str, int] = {}


def port(name: str) -> int:
    return PORTS.get(name) or stack.free_port()


def start_core(logs: Path) -> tuple[stack.Service, stack.Service]:
    actions = stack.start_actions(port("actions"), logs)
    rasa = stack.start_rasa(port("rasa"), TOKEN, actions.url, logs)
    return actions, rasa


def gateway_env(rasa: stack.Service, actions: stack.Service, database_url: str, data_dir: Path,
                redis: bool) -> dict[str, str]:
    env = {"DATABASE_URL": database_url, "RASA_URL": rasa.url, "RASA_TOKEN": TOKEN,
           "VOORDEUR_SECRET": "bench", "VOORDEUR_DATA_DIR": str(data_dir), "VOORDEUR_DEMO_MODE": "1",
           "ACTION_ENDPOINT_URL": actions.url + "/webhook"}
    if redis:
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    return env


async def measure(urls: list[str], residents: int, messages: int, mode: str) -> dict:
    """One row: a short warm-up (connections, first database writes), then the measured load."""
    await drive(urls, 1, WARM_UP_MESSAGES, mode)
    return await drive(urls, residents, max(messages, -(-MIN_ROW_MESSAGES // residents)), mode)


async def rasa_alone(rasa: list[stack.Service], residents: int, messages: int, target: str,
                     mode: str = RASA) -> dict:
    result = await measure([r.url for r in rasa], residents, messages, mode)
    result.pop("sent_ids")
    result.update(target=target, lost=None, rss_rasa_mb=[rss_mb(r.process.pid) for r in rasa])
    return result


async def through_gateway(rasa: stack.Service, actions: stack.Service, logs: Path, residents: int,
                          messages: int) -> dict:
    database_url = f"sqlite:///{logs / f'gw-{residents}-{uuid.uuid4().hex[:6]}.db'}"
    gateway = await asyncio.to_thread(
        stack.start_gateway, port("gateway"), gateway_env(rasa, actions, database_url, logs, False), logs)
    try:
        result = await measure([gateway.url], residents, messages, GATEWAY)
        result["lost"] = await count_lost(database_url, result.pop("sent_ids"))
        result.update(target="gateway (web chat)", rss_gateway_mb=rss_mb(gateway.process.pid),
                      rss_rasa_mb=[rss_mb(rasa.process.pid)], rss_actions_mb=rss_mb(actions.process.pid))
        return result
    finally:
        await asyncio.to_thread(gateway.stop)


FLOOR_TARGETS = {False: "empty hop (bench/null_gateway.py)", True: "empty hop + two commits (bench/null_gateway.py)"}


async def through_null(rasa: stack.Service, logs: Path, residents: int, messages: int, store: bool) -> dict:
    """The floor: bench/null_gateway.py in front of the same Rasa, served as the gateway is."""
    service = await start_null(rasa, logs, store)
    try:
        result = await measure([service.url], residents, messages, GATEWAY)
        result.pop("sent_ids")
        result.update(target=FLOOR_TARGETS[store], lost=None, rss_rasa_mb=[rss_mb(rasa.process.pid)])
        return result
    finally:
        await asyncio.to_thread(service.stop)


SCALE_OUT_ENDPOINTS = """action_endpoint:
  url: ${{ACTION_ENDPOINT_URL}}
tracker_store:
  type: rasa_addons.tracker_store.TextFreeSQLTrackerStore  # as deploy/endpoints.yml
  dialect: postgresql
  url: 127.0.0.1
  port: 5432
  db: {database}
  username: postgres
lock_store:
  type: redis
  url: 127.0.0.1
  port: 6379
  db: 3
"""


async def scenario_roundtrip(residents_list: list[int], messages: int, repeat: int = 1,
                             two_requests: bool = True, scale_out: bool = True, floor: bool = False) -> list[dict]:
    import asyncpg

    logs = Path(tempfile.mkdtemp(prefix="bench-roundtrip-"))
    actions, rasa = start_core(logs)
    rows = []
    try:
        for run_index in range(repeat):
            for n, residents in enumerate(residents_list):
                pair = [
                    partial(rasa_alone, [rasa], residents, messages, "Rasa alone (1 process, as make run)"),
                    partial(through_gateway, rasa, actions, logs, residents, messages),
                ]
                if (n + run_index) % 2:  # alternate which goes first, so a change in load hits both
                    pair.reverse()
                measured = [await run() for run in pair]
                for row in measured:
                    row["run"] = run_index + 1
                rows += sorted(measured, key=lambda r: r["target"] != "gateway (web chat)")
                if floor:  # what any gateway costs: one more HTTP hop, and the two commits of storing
                    for store in (False, True):
                        rows.append(await through_null(rasa, logs, residents, messages, store))
                        rows[-1]["run"] = run_index + 1
                if two_requests:  # for reference: what Rasa did per message before, two requests
                    rows.append(await rasa_alone([rasa], residents, messages,
                                                 "Rasa alone, two requests (parse + REST)", RASA_TWO_REQUESTS))
                    rows[-1]["run"] = run_index + 1
                print(json.dumps(rows[-3:]), file=sys.stderr, flush=True)
    finally:
        rasa.stop()
    if not scale_out:
        actions.stop()
        return rows

    # Scale-out: one Rasa process against two, both on a shared SQL tracker store and Redis locks.
    name = "voordeur_bench_rasa_" + uuid.uuid4().hex[:8]
    admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    endpoints = logs / "endpoints-scale-out.yml"
    endpoints.write_text(SCALE_OUT_ENDPOINTS.format(database=name))
    processes: list[stack.Service] = []
    try:
        for i in range(2):
            processes.append(await asyncio.to_thread(
                stack.start_rasa, stack.free_port(), TOKEN, actions.url, logs, endpoints=endpoints,
                name=f"rasa-{i}"))
        residents = max(residents_list)
        for count in (1, 2):
            rows.append(await rasa_alone(processes[:count], residents, messages,
                                         f"Rasa alone ({count} process{'es' if count > 1 else ''}, "
                                         "SQL tracker store + Redis locks)"))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    finally:
        for process in processes:
            process.stop()
        actions.stop()
        admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return rows


async def start_null(rasa: stack.Service, logs: Path, store: bool) -> stack.Service:
    """bench/null_gateway.py in front of `rasa`, served as the gateway is (with `store`: two
    durable SQLite commits per message)."""
    port_ = stack.free_port()
    env = stack.child_environment(NULL_GATEWAY_RASA_URL=rasa.url, PYTHONPATH=str(ROOT))
    if store:
        env["NULL_GATEWAY_STORE"] = str(logs / f"null-{uuid.uuid4().hex[:6]}.db")
    argv = [sys.executable, "-m", "uvicorn", "bench.null_gateway:app", "--host", "127.0.0.1",
            "--port", str(port_), "--no-access-log"]
    process, log_path = stack._spawn("null-gateway", argv, env, logs)
    url = f"http://127.0.0.1:{port_}"
    return await asyncio.to_thread(stack._started, "null-gateway", process, url, log_path,
                                   lambda: stack.wait_until(url, process, "null-gateway", log_path, 60, lambda r: True))


async def scenario_paired(messages: int) -> list[dict]:
    """One resident per target, each message sent to the three targets in turn (see the module)."""
    from statistics import median

    logs = Path(tempfile.mkdtemp(prefix="bench-paired-"))
    actions, rasa = start_core(logs)
    database_url = f"sqlite:///{logs / 'gw-paired.db'}"
    gateway = await asyncio.to_thread(
        stack.start_gateway, port("gateway"), gateway_env(rasa, actions, database_url, logs, False), logs)
    null = await start_null(rasa, logs, store=True)
    targets = {"gateway (web chat)": (gateway.url, GATEWAY), FLOOR_TARGETS[True]: (null.url, GATEWAY),
               "Rasa alone (1 process, as make run)": (rasa.url, RASA)}
    times: dict[str, list[float]] = {target: [] for target in targets}
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            for i in range(WARM_UP_MESSAGES + messages):
                if i % 5 == 0:  # a new conversation every 5 messages, as in `roundtrip`
                    sessions = {target: f"{n}{uuid.uuid4().hex[:12]}" for n, target in enumerate(targets)}
                for target, (url, mode) in targets.items():
                    started = time.perf_counter()
                    response = await post_one(client, url, mode, sessions[target], TEXTS[i % len(TEXTS)],
                                              uuid.uuid4().hex[:16])
                    response.raise_for_status()
                    if i >= WARM_UP_MESSAGES:
                        times[target].append((time.perf_counter() - started) * 1000)
    finally:
        await asyncio.to_thread(null.stop)
        await asyncio.to_thread(gateway.stop)
        rasa.stop()
        actions.stop()
    alone = times["Rasa alone (1 process, as make run)"]
    rows = []
    for target, values in times.items():
        added = [value - base for value, base in zip(values, alone, strict=True)]
        rows.append({"target": target, "residents": 1, "messages": len(values), "p50_ms": round(median(values), 1),
                     "p95_ms": round(percentile(values, 95), 1), "p50_added_ms": round(median(added), 1),
                     "time_ratio": round(sum(alone) / sum(values), 3)})
    return rows


async def scenario_replicas(residents: int, messages: int) -> list[dict]:
    import asyncpg

    logs = Path(tempfile.mkdtemp(prefix="bench-replicas-"))
    name = "voordeur_bench_" + uuid.uuid4().hex[:8]
    admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    database_url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    actions, rasa = start_core(logs)
    gateways = []
    try:
        for i in range(2):
            gateways.append(stack.start_gateway(
                stack.free_port(), gateway_env(rasa, actions, database_url, logs / f"gw{i}", True), logs / f"gw{i}"))
        result = await drive([g.url for g in gateways], residents, messages, GATEWAY)
        sent_ids = result.pop("sent_ids")
        for _ in range(60):  # give the background loop time to answer anything kept as pending
            result["lost"] = await count_lost(database_url, sent_ids)
            if not result["lost"]:
                break
            await asyncio.sleep(2)
        result.update(target="2 gateways + PostgreSQL + Redis",
                      rss_gateways_mb=[rss_mb(g.process.pid) for g in gateways],
                      rss_rasa_mb=rss_mb(rasa.process.pid), rss_actions_mb=rss_mb(actions.process.pid))
        return [result]
    finally:
        for g in gateways:
            g.stop()
        rasa.stop()
        actions.stop()
        admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def scenario_telegram(residents_list: list[int], messages: int) -> list[dict]:
    from tests.fakes.telegram_server import running_fake_telegram

    logs = Path(tempfile.mkdtemp(prefix="bench-telegram-"))
    actions, rasa = start_core(logs)
    rows = []
    try:
        for residents in residents_list:
            async with running_fake_telegram() as fake:
                env = gateway_env(rasa, actions, f"sqlite:///{logs / f'tg-{residents}.db'}", logs, False)
                env.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url)
                gateway = await asyncio.to_thread(stack.start_gateway, stack.free_port(), env, logs)
                latencies: list[float] = []
                errors = 0
                try:
                    async def resident(index: int) -> None:
                        nonlocal errors
                        chat = 700_000 + index
                        for turn in range(messages):
                            before = len(fake.sent_to(chat))
                            started = time.perf_counter()
                            fake.push(fake.text_update(chat, TEXTS[(index + turn) % len(TEXTS)]))
                            while len(fake.sent_to(chat)) <= before:
                                if time.perf_counter() - started > 120:
                                    errors += 1
                                    break
                                await asyncio.sleep(0.01)
                            else:
                                latencies.append((time.perf_counter() - started) * 1000)

                    started = time.perf_counter()
                    await asyncio.gather(*(resident(i) for i in range(residents)))
                    elapsed = time.perf_counter() - started
                    total = residents * messages
                    rows.append({
                        "target": "gateway (Telegram, fake Bot API)", "residents": residents, "messages": total,
                        "seconds": round(elapsed, 1), "messages_per_second": round(total / elapsed, 1),
                        "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95),
                        "p99_ms": percentile(latencies, 0.99), "errors": errors, "lost": errors,
                        "rss_gateway_mb": rss_mb(gateway.process.pid), "rss_rasa_mb": rss_mb(rasa.process.pid),
                        "rss_actions_mb": rss_mb(actions.process.pid),
                    })
                    print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
                finally:
                    gateway.stop()
    finally:
        rasa.stop()
        actions.stop()
    return rows


def medians(rows: list[dict], front: str = "gateway") -> list[str]:
    """Per number of residents: the median over the runs of msg/s and latencies of what stands in
    front of Rasa (`front`: the gateway, or a floor row of bench/null_gateway.py) and of Rasa alone,
    and the median of the runs' ratios (each run measures them in the same minutes)."""
    from statistics import median

    lines = [f"| residents | {front} msg/s | Rasa alone msg/s | ratio (median of runs) | ratios per run "
             f"| {front} p50 / p95 ms | Rasa alone p50 / p95 ms | p50 added ms (median of runs) |",
             "|---|---|---|---|---|---|---|---|"]
    for residents in sorted({r["residents"] for r in rows if "run" in r}):
        def of(target: str, residents: int = residents) -> list[dict]:
            return sorted((r for r in rows if r.get("run") and r["residents"] == residents
                           and r["target"].startswith(target)), key=lambda r: r["run"])
        gateway, alone = of(front), of("Rasa alone (1 process")
        if not gateway or len(gateway) != len(alone):
            continue
        ratios = [g["messages_per_second"] / a["messages_per_second"] for g, a in zip(gateway, alone, strict=True)]
        added = [g["p50_ms"] - a["p50_ms"] for g, a in zip(gateway, alone, strict=True)]

        def m(items: list[dict], key: str) -> float:
            return round(median(r[key] for r in items), 1)
        lines.append(
            f"| {residents} | {m(gateway, 'messages_per_second')} | {m(alone, 'messages_per_second')} "
            f"| **{median(ratios):.2f}** | {' / '.join(f'{x:.2f}' for x in ratios)} "
            f"| {m(gateway, 'p50_ms')} / {m(gateway, 'p95_ms')} | {m(alone, 'p50_ms')} / {m(alone, 'p95_ms')} "
            f"| {median(added):+.1f} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["roundtrip", "replicas", "telegram", "paired"])
    parser.add_argument("--residents", type=int, nargs="*")
    parser.add_argument("--messages", type=int)
    parser.add_argument("--repeat", type=int, default=1, help="roundtrip: runs of the gateway/Rasa pairs")
    parser.add_argument("--no-two-requests", action="store_true", help="roundtrip: skip the two-request rows")
    parser.add_argument("--no-scale-out", action="store_true", help="roundtrip: skip the scale-out rows")
    parser.add_argument("--floor", action="store_true",
                        help="roundtrip: also the floor of any gateway (bench/null_gateway.py, without and with storing)")
    parser.add_argument("--ports", type=int, nargs=3, metavar=("RASA", "ACTIONS", "GATEWAY"),
                        help="fixed ports instead of free ones")
    args = parser.parse_args()
    if args.ports:
        PORTS.update(rasa=args.ports[0], actions=args.ports[1], gateway=args.ports[2])
    if args.scenario == "roundtrip":
        rows = asyncio.run(scenario_roundtrip(args.residents or [1, 10, 50], args.messages or 5, args.repeat,
                                              not args.no_two_requests, not args.no_scale_out, args.floor))
    elif args.scenario == "telegram":
        rows = asyncio.run(scenario_telegram(args.residents or [1, 10, 50, 200], args.messages or 5))
    elif args.scenario == "paired":
        rows = asyncio.run(scenario_paired(args.messages or 300))
        print("| target (one resident, message by message) | messages | p50 ms | p95 ms "
              "| p50 of the differences with Rasa alone, ms | Rasa alone's time / this one's |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['target']} | {r['messages']} | {r['p50_ms']} | {r['p95_ms']} | {r['p50_added_ms']:+.1f} "
                  f"| {r['time_ratio']:.3f} |")
        (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
        (ROOT / "bench" / "results" / "load-paired.json").write_text(json.dumps(rows, indent=1))
        return 0
    else:
        rows = asyncio.run(scenario_replicas((args.residents or [200])[0], args.messages or 50))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"load-{args.scenario}.json").write_text(json.dumps(rows, indent=1))
    print("| target | residents | messages | msg/s | p50 ms | p95 ms | p99 ms | errors | lost "
          "| RSS MB (gateway / Rasa / actions) | load avg before / after |" + (" run |" if args.repeat > 1 else ""))
    print("|---|---|---|---|---|---|---|---|---|---|---|" + ("---|" if args.repeat > 1 else ""))
    for r in rows:
        rss = " / ".join(megabytes(r.get(k)) for k in ("rss_gateway_mb" if "rss_gateway_mb" in r else "rss_gateways_mb",
                                                       "rss_rasa_mb", "rss_actions_mb"))
        print(f"| {r['target']} | {r['residents']} | {r['messages']} | {r['messages_per_second']} | {r['p50_ms']} | "
              f"{r['p95_ms']} | {r['p99_ms']} | {r['errors']} | {r['lost'] if r['lost'] is not None else '–'} | {rss} "
              f"| {r.get('load_before', '–')} / {r.get('load_after', '–')} |"
              + (f" {r.get('run', '–')} |" if args.repeat > 1 else ""))
    if args.scenario == "roundtrip" and args.repeat > 1:
        for front in ("gateway", *(FLOOR_TARGETS.values() if args.floor else ())):
            print("\n" + "\n".join(medians(rows, front)))
    elif args.scenario == "roundtrip":
        for gateway, alone in zip(rows[0::3], rows[1::3], strict=False):
            if gateway["target"].startswith("gateway") and alone["residents"] == gateway["residents"]:
                print(f"\n{gateway['residents']} resident(s): gateway throughput "
                      f"{gateway['messages_per_second'] / alone['messages_per_second']:.2f} of Rasa alone, "
                      f"p50 {gateway['p50_ms'] - alone['p50_ms']:+.1f} ms", end="")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
