"""Opening hours in Europe/Amsterdam with Dutch public holidays, on a fixed clock."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.directory import (
    DEFAULT_PATH, easter_sunday, format_moment, format_week, holiday_name, load_directory, public_holidays,
    status,
)

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(scope="module")
def directory():
    return load_directory(DEFAULT_PATH)


@pytest.mark.parametrize("year, easter", [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)),
                                          (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28)),
                                          (2038, date(2038, 4, 25))])
def test_easter_is_computed(year, easter):
    assert easter_sunday(year) == easter


def test_dutch_public_holidays_2026():
    days = public_holidays(2026)
    assert days[date(2026, 4, 6)] == "Tweede Paasdag"
    assert days[date(2026, 4, 27)] == "Koningsdag"
    assert days[date(2026, 5, 14)] == "Hemelvaartsdag"
    assert days[date(2026, 5, 25)] == "Tweede Pinksterdag"
    assert days[date(2026, 12, 25)] == "Eerste Kerstdag" and days[date(2026, 12, 26)] == "Tweede Kerstdag"
    assert holiday_name(date(2026, 4, 28)) is None


def test_kingsday_moves_to_saturday_when_27_april_is_a_sunday():
    assert holiday_name(date(2025, 4, 26)) == "Koningsdag"  # 27 April 2025 was a Sunday
    assert holiday_name(date(2025, 4, 27)) is None


def test_open_on_a_weekday_afternoon(directory):
    service = directory.service("schuldhulp")
    now = datetime(2026, 3, 10, 14, 30, tzinfo=AMS)  # Tuesday
    current = status(service, AMS, now)
    assert current.open_now and current.closes_at == datetime(2026, 3, 10, 17, 0, tzinfo=AMS)


def test_the_clock_is_read_in_amsterdam_time(directory):
    service = directory.service("schuldhulp")
    # 16:30 UTC in summer is 18:30 in Amsterdam: closed; 07:30 UTC is 09:30: open.
    assert not status(service, AMS, datetime(2026, 7, 7, 16, 30, tzinfo=timezone.utc)).open_now
    assert status(service, AMS, datetime(2026, 7, 7, 7, 30, tzinfo=timezone.utc)).open_now
    with pytest.raises(ValueError):
        status(service, AMS, datetime(2026, 7, 7, 9, 30))


def test_closed_on_kingsday_and_opens_the_next_morning(directory):
    service = directory.service("schuldhulp")
    now = datetime(2026, 4, 27, 10, 0, tzinfo=AMS)  # Koningsdag, a Monday
    current = status(service, AMS, now)
    assert not current.open_now and current.holiday == "Koningsdag"
    assert current.next_opening == datetime(2026, 4, 28, 9, 0, tzinfo=AMS)
    assert format_moment(current.next_opening, now) == "morgen om 9:00"


def test_easter_weekend_skips_tweede_paasdag(directory):
    service = directory.service("schuldhulp")
    now = datetime(2026, 4, 3, 18, 0, tzinfo=AMS)  # Friday evening before Easter
    current = status(service, AMS, now)
    assert current.next_opening == datetime(2026, 4, 7, 9, 0, tzinfo=AMS)  # Tuesday, not Easter Monday
    assert format_moment(current.next_opening, now) == "dinsdag 7 april om 9:00"


def test_christmas_skips_both_days(directory):
    food = directory.service("voedselbank")  # open TU and FR 10:00-13:00
    now = datetime(2026, 12, 24, 14, 0, tzinfo=AMS)  # Thursday
    current = status(food, AMS, now)
    assert current.next_opening == datetime(2026, 12, 29, 10, 0, tzinfo=AMS)  # 25th is Friday: closed
    on_christmas = status(food, AMS, datetime(2026, 12, 25, 11, 0, tzinfo=AMS))
    assert not on_christmas.open_now and on_christmas.holiday == "Eerste Kerstdag"


def test_lines_that_are_always_open(directory):
    for service_id in ("wijkagent", "lijn-113", "veilig-thuis", "alarmnummer"):
        current = status(directory.service(service_id), AMS, datetime(2026, 12, 25, 3, 0, tzinfo=AMS))
        assert current.open_now and current.always_open


def test_daylight_saving_change_keeps_local_opening_time(directory):
    service = directory.service("schuldhulp")
    now = datetime(2026, 3, 28, 12, 0, tzinfo=AMS)  # Saturday; clocks go forward on Sunday night
    opening = status(service, AMS, now).next_opening
    assert opening.hour == 9 and opening.utcoffset().total_seconds() == 7200


def test_week_in_short_dutch(directory):
    assert format_week(directory.service("schuldhulp")) == "ma t/m vr 9:00 tot 17:00"
    assert format_week(directory.service("voedselbank")) == "di, vr 10:00 tot 13:00"
    assert format_week(directory.service("wijkagent")) == "dag en nacht"
