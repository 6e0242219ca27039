"""Desk hours: open and closed moments, public holidays, and what the resident is told."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.handover.hours import DeskHours, say_when

TZ = ZoneInfo("Europe/Amsterdam")
HOURS = DeskHours.parse("mon-fri 09:00-17:00")


def test_open_on_a_weekday_and_closed_in_the_evening():
    assert HOURS.is_open(datetime(2026, 11, 24, 10, 0, tzinfo=TZ))
    assert not HOURS.is_open(datetime(2026, 11, 24, 17, 0, tzinfo=TZ))


def test_closed_on_a_public_holiday_and_the_next_opening_skips_it():
    christmas_eve_evening = datetime(2026, 12, 24, 18, 0, tzinfo=TZ)
    assert not HOURS.is_open(datetime(2026, 12, 25, 10, 0, tzinfo=TZ))  # Eerste Kerstdag, a Friday
    nxt = HOURS.next_opening(christmas_eve_evening)
    assert nxt == datetime(2026, 12, 28, 9, 0, tzinfo=TZ)  # Monday; 25th and weekend skipped
    assert say_when(nxt, christmas_eve_evening) == "maandag 28 december om 9:00"


def test_friday_evening_says_monday():
    friday = datetime(2026, 11, 27, 20, 0, tzinfo=TZ)
    assert HOURS.next_opening(friday) == datetime(2026, 11, 30, 9, 0, tzinfo=TZ)


def test_a_bad_spec_is_refused():
    import pytest

    with pytest.raises(ValueError):
        DeskHours.parse("weekdays nine to five")
