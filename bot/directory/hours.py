"""Opening hours in the municipality's time zone: open now, next opening, and plain Dutch.

Every function takes `now` explicitly (an aware datetime), so tests fix the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.directory.holidays import holiday_name
from bot.directory.model import Service

DAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
DAY_SHORT = ("ma", "di", "wo", "do", "vr", "za", "zo")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
LOOK_AHEAD_DAYS = 21


@dataclass(frozen=True)
class Status:
    open_now: bool
    always_open: bool = False
    closes_at: datetime | None = None  # when open now
    next_opening: datetime | None = None  # when closed now
    holiday: str | None = None  # today's public holiday, if the service is closed for it


def local_now(tz: ZoneInfo, now: datetime | None = None) -> datetime:
    if now is None:
        return datetime.now(tz)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(tz)


def _open_days(service: Service, day: date) -> bool:
    return service.open_on_holidays or holiday_name(day) is None


def _slots(service: Service, day: date, tz: ZoneInfo):
    if not _open_days(service, day):
        return
    for schedule in service.schedules:
        if day.weekday() in schedule.days:
            yield (datetime.combine(day, schedule.opens_at, tz), datetime.combine(day, schedule.closes_at, tz))


def status(service: Service, tz: ZoneInfo, now: datetime | None = None) -> Status:
    now = local_now(tz, now)
    if service.always_open:
        return Status(open_now=True, always_open=True)
    today = now.date()
    holiday = None if service.open_on_holidays else holiday_name(today)
    for opens, closes in sorted(_slots(service, today, tz)):
        if opens <= now < closes:
            return Status(open_now=True, closes_at=closes)
    for offset in range(LOOK_AHEAD_DAYS):
        day = today + timedelta(days=offset)
        for opens, _ in sorted(_slots(service, day, tz)):
            if opens > now:
                return Status(open_now=False, next_opening=opens, holiday=holiday)
    return Status(open_now=False, holiday=holiday)


def format_time(moment: datetime) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def format_moment(moment: datetime, now: datetime) -> str:
    """'vandaag om 9:00', 'morgen om 9:00', 'dinsdag 28 april om 9:00'."""
    moment = moment.astimezone(now.tzinfo)
    days = (moment.date() - now.date()).days
    if days == 0:
        when = "vandaag"
    elif days == 1:
        when = "morgen"
    else:
        when = f"{DAY_NAMES[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]}"
    return f"{when} om {format_time(moment)}"


def format_day(day: date) -> str:
    """'dinsdag 24 november': a day as residents say it (a deadline, a follow-up)."""
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def format_week(service: Service) -> str:
    """The weekly hours in short Dutch: 'ma t/m vr 9:00 tot 17:00'."""
    if service.always_open:
        return "dag en nacht"
    parts = []
    for schedule in service.schedules:
        days = list(schedule.days)
        if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
            label = f"{DAY_SHORT[days[0]]} t/m {DAY_SHORT[days[-1]]}"
        else:
            label = ", ".join(DAY_SHORT[d] for d in days)
        parts.append(f"{label} {format_time(datetime.combine(date.today(), schedule.opens_at))} tot "
                     f"{format_time(datetime.combine(date.today(), schedule.closes_at))}")
    return "; ".join(parts)
