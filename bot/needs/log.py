"""Record need events from closed fields only; anything else is refused, not stored.

One resident's need counts once: the assistant's first event for an intent in a conversation
is updated by later follow-ups ("daar is een wachtlijst") and by the worker who closes the case,
through the conversation-side link in `CaseNeed` (see bot/needs/models.py)."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.needs.models import OUTCOMES, CaseNeed, NeedEvent, iso_week
from bot.store.case import Case
from bot.store.models import Conversation
from bot.taxonomy import theme_of, themes_by_intent

UNKNOWN_WIJK = "onbekend"
CHANNELS = ("webchat", "telegram", "whatsapp")


class InvalidNeed(ValueError):
    pass


def need_event(fields: dict[str, Any], channel: str, known_wijken: set[str], today: date | None = None) -> NeedEvent:
    """Build a need event, checking every field against its closed list."""
    intent = fields.get("intent")
    if not isinstance(intent, str) or intent not in themes_by_intent():
        raise InvalidNeed("unknown intent")
    outcome = fields.get("outcome")
    if not isinstance(outcome, str) or outcome not in OUTCOMES:
        raise InvalidNeed("unknown outcome")
    wijk = fields.get("wijk")
    if not isinstance(wijk, str) or wijk not in known_wijken:
        wijk = UNKNOWN_WIJK
    return NeedEvent(
        week=iso_week(today or date.today()),
        wijk=wijk,
        theme=theme_of(intent),
        intent=intent,
        outcome=outcome,
        channel=channel if channel in CHANNELS else "other",
    )


async def _linked(db: AsyncSession, conversation_id: int) -> list[tuple[CaseNeed, NeedEvent]]:
    rows = await db.execute(
        select(CaseNeed, NeedEvent).join(NeedEvent, NeedEvent.id == CaseNeed.need_event_id)
        .where(CaseNeed.conversation_id == conversation_id).order_by(NeedEvent.id.desc()))
    return [(link, event) for link, event in rows.all()]


def _wijk_for(event: NeedEvent, conversation: Conversation | Case, known_wijken: set[str]) -> None:
    """Give the event the wijk the resident told us, and the conversation the event's wijk."""
    if event.wijk == UNKNOWN_WIJK and conversation.wijk in known_wijken:
        event.wijk = conversation.wijk
    elif event.wijk in known_wijken:
        conversation.wijk = event.wijk


# The plain statements of `record_bot_need`, which runs for many resident messages: no objects,
# no unit of work (parameters: conversation; id, outcome, wijk; the event's columns; the link's).
_NEED_EVENTS, _CASE_NEEDS = cast(Table, NeedEvent.__table__), cast(Table, CaseNeed.__table__)
_CASE_EVENTS = (select(_CASE_NEEDS.c.intent, _NEED_EVENTS.c.id)
                .join_from(_CASE_NEEDS, _NEED_EVENTS, _NEED_EVENTS.c.id == _CASE_NEEDS.c.need_event_id)
                .where(_CASE_NEEDS.c.conversation_id == bindparam("conversation")))
_UPDATE_OUTCOME = update(_NEED_EVENTS).where(_NEED_EVENTS.c.id == bindparam("event"))
_INSERT_EVENT = insert(_NEED_EVENTS).returning(_NEED_EVENTS.c.id)
_INSERT_LINK = insert(_CASE_NEEDS)


async def record_bot_need(db: AsyncSession, conversation: Conversation | Case, fields: dict[str, Any],
                          known_wijken: set[str]) -> None:
    """A need event the assistant asked for. The same intent again in this case (a follow-up
    such as "daar is een wachtlijst") updates the first event's outcome instead of adding one."""
    fresh = need_event(fields, conversation.channel, known_wijken)
    _wijk_for(fresh, conversation, known_wijken)
    for intent, event_id in (await db.execute(_CASE_EVENTS, {"conversation": conversation.id})).all():
        if intent == fresh.intent:
            changes = {"outcome": fresh.outcome} | ({"wijk": fresh.wijk} if fresh.wijk != UNKNOWN_WIJK else {})
            await db.execute(_UPDATE_OUTCOME.values(**changes), {"event": event_id})
            return
    event_id = await db.scalar(_INSERT_EVENT, {"week": fresh.week, "wijk": fresh.wijk, "theme": fresh.theme,
                                               "intent": fresh.intent, "outcome": fresh.outcome,
                                               "channel": fresh.channel})
    await db.execute(_INSERT_LINK, {"conversation_id": conversation.id, "intent": fresh.intent,
                                    "need_event_id": event_id})


async def record_close(db: AsyncSession, conversation: Conversation, intent: str, outcome: str,
                       known_wijken: set[str]) -> NeedEvent:
    """The need event of a worker's close: it updates the event the assistant wrote for this
    case (same intent, else same theme, else a conversation-only one such as out_of_scope, as
    the worker's choice corrects the assistant's) or, if there is none, adds one. The case's
    links are removed: the case is done, and a new case counts anew."""
    closed = need_event({"intent": intent, "outcome": outcome, "wijk": conversation.wijk},
                        conversation.channel, known_wijken)
    linked = [event for _, event in await _linked(db, conversation.id)]
    match = (next((e for e in linked if e.intent == closed.intent), None)
             or next((e for e in linked if e.theme == closed.theme), None)
             or next((e for e in linked if e.theme == "gesprek"), None))
    if match is None:
        db.add(closed)
        event = closed
    else:
        match.intent, match.theme, match.outcome = closed.intent, closed.theme, closed.outcome
        if closed.wijk != UNKNOWN_WIJK:
            match.wijk = closed.wijk
        event = match
    await db.execute(delete(CaseNeed).where(CaseNeed.conversation_id == conversation.id))
    return event


async def record_follow_up(db: AsyncSession, conversation_id: int, intent: str, outcome: str) -> NeedEvent | None:
    """The resident's answer to "is het gelukt?" (bot/follow_up.py) becomes the real outcome of the
    need event this conversation wrote for `intent` (counted once, not again). None when the case
    has no such event any more (a worker closed it: the worker's outcome stands)."""
    if outcome not in OUTCOMES:
        raise InvalidNeed("unknown outcome")
    for link, event in await _linked(db, conversation_id):
        if link.intent == intent:
            event.outcome = outcome
            return event
    return None
