"""Calendar periods made of ISO weeks: the need log only knows the week of an event.

A week belongs to the month of its Thursday (as ISO weeks belong to the year of their
Thursday), so weeks nest in months, months in quarters and quarters in ISO years, and a period
never shares a week with another period of the same kind. That nesting is what lets
bot/needs/suppress.py publish month, quarter and year figures next to the weekly ones.

Period ids: "2026-W07" (week), "2026-02" (month), "2026-K1" (quarter), "2026" (year)."""

from __future__ import annotations

import re
from datetime import date, timedelta

LEVELS = ("week", "month", "quarter", "year")  # fine to coarse
LEVEL_NL = {"week": "week", "month": "maand", "quarter": "kwartaal", "year": "jaar"}
MONTH_NL = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
            "oktober", "november", "december"]
PATTERNS = {"week": re.compile(r"^\d{4}-W\d{2}$"), "month": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
            "quarter": re.compile(r"^\d{4}-K[1-4]$"), "year": re.compile(r"^\d{4}$")}


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def thursday(week: str) -> date:
    return date.fromisocalendar(int(week[:4]), int(week[6:]), 4)


def level_of(period: str) -> str:
    for level, pattern in PATTERNS.items():
        if pattern.match(period):
            return level
    raise ValueError(f"not a period: {period!r}")


def containing(week: str, level: str) -> str:
    """The period of `level` that holds this week."""
    day = thursday(week)
    return {"week": week, "month": f"{day.year}-{day.month:02d}",
            "quarter": f"{day.year}-K{(day.month - 1) // 3 + 1}", "year": f"{day.year}"}[level]


def weeks_in(period: str) -> list[str]:
    """The ISO weeks of a period, in order."""
    level = level_of(period)
    if level == "week":
        return [period]
    year = int(period[:4])
    day = date.fromisocalendar(year, 1, 4) - timedelta(days=7 * 6)  # a Thursday well before
    weeks = []
    while day.year <= year + 1 and day <= date(year, 12, 31) + timedelta(days=7):
        week = week_of(day)
        if containing(week, level) == period:
            weeks.append(week)
        day += timedelta(days=7)
    return weeks


def parts(period: str) -> list[str]:
    """The periods one level finer that make up this one (a year: its months, as managers read
    a year; a quarter: its months; a month: its weeks)."""
    level = level_of(period)
    finer = {"year": "month", "quarter": "month", "month": "week"}.get(level)
    if finer is None:
        return [period]
    out: list[str] = []
    for week in weeks_in(period):
        part = containing(week, finer)
        if part not in out:
            out.append(part)
    return out


def previous(period: str) -> str:
    """The period of the same kind just before this one."""
    level = level_of(period)
    first = weeks_in(period)[0]
    return containing(week_of(thursday(first) - timedelta(days=7)), level)


def current(level: str, today: date) -> str:
    return containing(week_of(today), level)


def label(period: str) -> str:
    """Dutch name: 'week 7 van 2026', 'februari 2026', '1e kwartaal 2026', '2026'."""
    level = level_of(period)
    if level == "week":
        return f"week {int(period[6:])} van {period[:4]}"
    if level == "month":
        return f"{MONTH_NL[int(period[5:]) - 1]} {period[:4]}"
    if level == "quarter":
        return f"{period[-1]}e kwartaal {period[:4]}"
    return period


def short_label(period: str) -> str:
    """For chart axes: 'W07', 'feb', 'K1', '2026'."""
    level = level_of(period)
    return {"week": period[-3:], "month": MONTH_NL[int(period[5:7]) - 1][:3] if level == "month" else "",
            "quarter": period[-2:], "year": period}[level]
