"""The call-back deadline, counted in Dutch working days (no weekends, no public holidays)."""

from __future__ import annotations

from datetime import date, timedelta

from bot.directory.holidays import holiday_name


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


def add_working_days(start: date, days: int) -> date:
    """The working day `days` working days after `start` (start itself does not count)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day
