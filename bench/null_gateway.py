"""The floor of any gateway in front of Rasa (issue 10.6): what one more HTTP hop costs, with
nothing else in it. A bare ASGI app, served by uvicorn as the gateway is (uvloop, httptools),
that takes the web chat's POST, asks Rasa's voordeur channel with aiohttp (as bot/rasa.py
does) and answers with the replies in the web chat's shape.

    NULL_GATEWAY_RASA_URL=http://127.0.0.1:5005 [NULL_GATEWAY_STORE=/tmp/x.db] \
        .venv/bin/python -m uvicorn bench.null_gateway:app --port 8099

With NULL_GATEWAY_STORE it also writes each message durably before asking Rasa and its replies
after (two SQLite commits in WAL mode with synchronous=FULL, on the event loop): the least any
gateway that keeps every message does. bench/load.py `roundtrip --floor` measures both against
Rasa alone and the real gateway in one run. Not part of Voordeur.
"""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any

import aiohttp

RASA_URL = os.environ.get("NULL_GATEWAY_RASA_URL", "http://127.0.0.1:5005")
STORE = os.environ.get("NULL_GATEWAY_STORE")
_session: aiohttp.ClientSession | None = None
_db: sqlite3.Connection | None = None


def _store() -> sqlite3.Connection | None:
    global _db
    if STORE and _db is None:
        _db = sqlite3.connect(STORE, isolation_level=None)
        _db.execute("PRAGMA journal_mode=WAL")
        _db.execute("PRAGMA synchronous=FULL")
        _db.execute("CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, session TEXT, text TEXT,"
                    " status TEXT, in_reply_to INTEGER)")
    return _db


def _write(db: sqlite3.Connection, rows: list[tuple[Any, ...]], done: int | None = None) -> list[int]:
    db.execute("BEGIN IMMEDIATE")
    if done is not None:
        db.execute("UPDATE messages SET status = 'done' WHERE id = ?", (done,))
    ids = [db.execute("INSERT INTO messages (session, text, status, in_reply_to) VALUES (?, ?, ?, ?)", row).lastrowid
           for row in rows]
    db.execute("COMMIT")
    return [i for i in ids if i is not None]


async def _read_body(receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def app(scope, receive, send) -> None:
    global _session
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                if _session is not None:
                    await _session.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    payload = json.loads(await _read_body(receive))
    db = _store()
    inbound = _write(db, [(payload["session"], payload["text"], "received", None)])[0] if db else 0
    if _session is None:
        _session = aiohttp.ClientSession()
    async with _session.post(f"{RASA_URL}/webhooks/voordeur/webhook", json={
            "sender": payload["session"], "message": payload["text"], "metadata": {"channel": "webchat"}}) as answer:
        replies = (await answer.json()).get("messages") or []
    ids = (_write(db, [(payload["session"], r.get("text"), "out", inbound) for r in replies], done=inbound)
           if db else list(range(len(replies))))
    body = json.dumps({"messages": [{"id": str(i), "text": r.get("text"), "buttons": r.get("buttons") or [],
                                     "from": "bot"} for i, r in zip(ids, replies, strict=False)],
                       "state": "bot"}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
