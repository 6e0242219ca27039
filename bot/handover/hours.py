"""When people staff the console (Europe/Amsterdam; closed on Dutch public holidays).
Set VOORDEUR_DESK_HOURS, e.g. "mon-fri 09:00-17:00" (the default) or
"mon-thu 09:00-17:00; fri 09:00-12:30"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.directory.holidays import holiday_name
from bot.directory.hours import format_moment
from bot.responses import response

TZ = ZoneInfo("Europe/Amsterdam")
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@dataclass(frozen=True)
class DeskHours:
    slots: dict[int, list[tuple[time, time]]]  # weekday -> [(open, close)]

    @classmethod
    def parse(cls, spec: str) -> DeskHours:
        slots: dict[int, list[tuple[time, time]]] = {}
        for part in filter(None, (p.strip() for p in spec.split(";"))):
            match = re.fullmatch(r"(\w{3})(?:-(\w{3}))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})", part)
            if not match:
                raise ValueError(f"desk hours: cannot read {part!r}")
            first, last = DAYS.index(match[1]), DAYS.index(match[2] or match[1])
            opens, closes = time(int(match[3]), int(match[4])), time(int(match[5]), int(match[6]))
            for day in range(first, last + 1):
                slots.setdefault(day, []).append((opens, closes))
        return cls(slots)

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(TZ)
        if holiday_name(local.date()):
            return False
        return any(o <= local.time() < c for o, c in self.slots.get(local.weekday(), []))

    def next_opening(self, now: datetime) -> datetime | None:
        local = now.astimezone(TZ)
        for offset in range(15):
            day = (local + timedelta(days=offset)).date()
            if holiday_name(day):
                continue
            for opens, _ in sorted(self.slots.get(day.weekday(), [])):
                start = datetime.combine(day, opens, TZ)
                if start > local:
                    return start
        return None


def desk_hours(settings: Settings | None = None) -> DeskHours:
    return _parsed((settings or Settings.load()).desk_hours)


@lru_cache(maxsize=8)
def _parsed(spec: str) -> DeskHours:
    """Parsed once per setting, not on every message (a test may change the setting)."""
    return DeskHours.parse(spec)


def say_when(moment: datetime, now: datetime) -> str:
    """'vandaag om 9:00', 'morgen om 9:00', 'dinsdag 28 april om 9:00'."""
    return format_moment(moment, now.astimezone(TZ))


def worker_back_note(now: datetime, settings: Settings | None = None) -> str | None:
    """Outside desk hours: "Een medewerker is er weer morgen om 9:00." for a text that offers a
    person but is not the assistant's answer (those get it from bot/decision.py); None when open."""
    hours = desk_hours(settings)
    opening = None if hours.is_open(now) else hours.next_opening(now)
    if opening is None:
        return None
    return response("utter_gateway_worker_back").text.format(next_opening=say_when(opening, now))
