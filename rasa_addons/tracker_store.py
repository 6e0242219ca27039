"""Tracker stores that keep what the dialogue needs and no resident text.

Rasa's own stores keep every message a resident typed, for as long as the store lives. The
dialogue does not need those words after the message is handled: the policies (RulePolicy) and
the actions read intents, entities, slots and the last message only, and the last message is in
memory while it is handled. So these stores save every event without its text:

- `user` and `bot` events are saved with `text` empty (also `parse_data.text`); intent,
  confidence, ranking, entities (a wijk, a postcode) and slots stay;
- a tracker saved with no events at all is deleted: the gateway's erase replaces a sender's
  events by none (`PUT /conversations/{sender}/tracker/events` with `[]`), and Rasa's SQL store
  would otherwise keep every row (it only ever appends);
- events older than the retention period (VOORDEUR_RETENTION_DAYS, default 30, as the gateway)
  are deleted: the sender's own old rows at every save, every sender's old rows once an hour.

Chosen over "delete a sender's events on erase only" by measurement (docs/benchmarks.md): the
dialogue tests pass unchanged (in memory, SQLite, PostgreSQL: tests/security/test_tracker_store.py)
and a message costs about the same (+0.1 ms in memory, +5 ms in SQL); text that is never written
cannot leak from a backup, a dump or a forgotten erase while Rasa was down.

    tracker_store:                                   # endpoints.yml (make run: in memory)
      type: rasa_addons.tracker_store.TextFreeInMemoryTrackerStore
    tracker_store:                                   # deploy/endpoints.yml (docker-compose)
      type: rasa_addons.tracker_store.TextFreeSQLTrackerStore
      dialect: postgresql
      ...                                            # the arguments of Rasa's SQL store

No event broker is configured: a broker would receive events before they are made text-free.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Dict, Optional, Text

from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

PRUNE_EVERY_SECONDS = 3600.0
TEXT_EVENTS = ("user", "bot")


def retention_seconds(days: Optional[Any] = None) -> float:
    return float(days if days is not None else os.environ.get("VOORDEUR_RETENTION_DAYS", "30")) * 86400


def text_free(event: Dict[Text, Any]) -> Dict[Text, Any]:
    """A serialised event without the words a resident (or the assistant) wrote."""
    if event.get("event") not in TEXT_EVENTS:
        return event
    event = dict(event, text=None)
    if isinstance(event.get("parse_data"), dict):
        event["parse_data"] = dict(event["parse_data"], text=None)
    return event


class _Retention:
    """When events count as expired, and when to sweep all senders again."""

    def _init_retention(self, retention_days: Optional[Any]) -> None:
        self.retention = retention_seconds(retention_days)
        self._last_sweep = 0.0

    def cutoff(self) -> float:
        return time.time() - self.retention

    def sweep_due(self) -> bool:
        if time.monotonic() - self._last_sweep < PRUNE_EVERY_SECONDS:
            return False
        self._last_sweep = time.monotonic()
        return True


class TextFreeInMemoryTrackerStore(_Retention, InMemoryTrackerStore):
    """Rasa's in-memory store (make run), saving text-free events within the retention period."""

    def __init__(self, domain, event_broker=None, retention_days: Optional[Any] = None, **kwargs) -> None:
        kwargs.pop("host", None)
        super().__init__(domain, event_broker, **kwargs)
        self._init_retention(retention_days)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        cutoff = self.cutoff()
        if self.sweep_due():
            for sender in [s for s, state in self.store.items() if _newest(state) < cutoff]:
                del self.store[sender]
        if not tracker.events:
            self.store.pop(tracker.sender_id, None)
            return
        state = tracker.current_state(EventVerbosity.ALL)
        state["events"] = [text_free(e) for e in state["events"] if (e.get("timestamp") or 0) >= cutoff]
        state["latest_message"] = dict(state.get("latest_message") or {}, text=None)
        if not state["events"]:
            self.store.pop(tracker.sender_id, None)
            return
        self.store[tracker.sender_id] = json.dumps(state)


def _newest(serialised: Text) -> float:
    events = json.loads(serialised).get("events") or []
    return max((e.get("timestamp") or 0 for e in events), default=0)


class TextFreeSQLTrackerStore(_Retention, SQLTrackerStore):
    """Rasa's SQL store (docker-compose: PostgreSQL), saving text-free events and deleting
    forgotten senders and expired events."""

    def __init__(self, domain=None, retention_days: Optional[Any] = None, **kwargs) -> None:
        super().__init__(domain, **kwargs)
        self._init_retention(retention_days)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        cutoff = self.cutoff()
        with self.session_scope() as session:
            rows = session.query(self.SQLEvent)
            if not tracker.events:
                rows.filter(self.SQLEvent.sender_id == tracker.sender_id).delete(synchronize_session=False)
            else:
                for event in self._additional_events(session, tracker):
                    data = text_free(event.as_dict())
                    session.add(self.SQLEvent(
                        sender_id=tracker.sender_id, type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=(data.get("parse_data") or {}).get("intent", {}).get("name"),
                        action_name=data.get("name"), data=json.dumps(data),
                    ))
                # This sender's expired rows (cheap: sender_id is indexed). A session that itself
                # spans the cutoff would need a resident writing every hour for the whole period.
                rows.filter(self.SQLEvent.sender_id == tracker.sender_id,
                            self.SQLEvent.timestamp < cutoff).delete(synchronize_session=False)
            if self.sweep_due():  # idle senders too, once an hour
                rows.filter(self.SQLEvent.timestamp < cutoff).delete(synchronize_session=False)
            session.commit()
