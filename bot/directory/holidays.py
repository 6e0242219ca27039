"""Dutch public holidays, computed (no download): the days of the Algemene termijnenwet.

Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher); the movable feasts
follow from it. Koningsdag moves to 26 April when 27 April is a Sunday.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache


def easter_sunday(year: int) -> date:
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def public_holidays(year: int) -> dict[date, str]:
    """Date -> Dutch name of every public holiday in that year."""
    easter = easter_sunday(year)
    kingsday = date(year, 4, 27)
    if kingsday.weekday() == 6:
        kingsday = date(year, 4, 26)
    days = {
        date(year, 1, 1): "Nieuwjaarsdag",
        easter: "Eerste Paasdag",
        easter + timedelta(days=1): "Tweede Paasdag",
        kingsday: "Koningsdag",
        date(year, 5, 5): "Bevrijdingsdag",
        easter + timedelta(days=39): "Hemelvaartsdag",
        easter + timedelta(days=49): "Eerste Pinksterdag",
        easter + timedelta(days=50): "Tweede Pinksterdag",
        date(year, 12, 25): "Eerste Kerstdag",
        date(year, 12, 26): "Tweede Kerstdag",
    }
    return days


def holiday_name(day: date) -> str | None:
    return public_holidays(day.year).get(day)
