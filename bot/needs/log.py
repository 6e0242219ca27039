"""Record need events from closed fields only; anything else is refused, not stored."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.needs.models import OUTCOMES, NeedEvent, iso_week
from bot.taxonomy import theme_of, themes_by_intent

UNKNOWN_WIJK = "onbekend"


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
        channel=channel if channel in ("webchat", "telegram", "whatsapp") else "other",
    )


def record_need(session: AsyncSession, fields: dict[str, Any], channel: str, known_wijken: set[str]) -> None:
    session.add(need_event(fields, channel, known_wijken))
