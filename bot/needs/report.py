"""Read the need log and turn it into what managers may see: per-week published figures for
`voordeur needs export`, per-period figures for the dashboard (bot/needs/suppress.py), the
dashboard's tables as a Dutch CSV, and the Dutch labels of outcomes (those of themes and intents
are in bot/taxonomy.py). Plain functions over a session."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.needs import periods
from bot.needs.models import NeedEvent, iso_week
from bot.needs.suppress import FINEST, Figure, NodeKey, label, publish, publish_year
from bot.taxonomy import themes_by_intent

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
COLUMNS = ["week", "wijk", "theme", "intent", "outcome", "count"]

GROUP_NL = {"geholpen": "Geholpen", "niet_geholpen": "Niet geholpen",
            "buiten_openingstijden": "Buiten openingstijden, nummer gegeven", "overig": "Overig"}
OUTCOME_NL = {"met": "geholpen", "no_local_service": "geen dienst in de buurt", "waiting_list": "wachtlijst",
              "not_helped": "niet geholpen", "declined": "zelf afgezien", "out_of_hours": "buiten openingstijden, nummer gegeven",
              "out_of_scope": "valt erbuiten", "contact_made": "contact gelukt", "contact_failed": "contact niet gelukt",
              "still_waiting": "nog geen contact", "gave_up": "opgegeven"}


def parse_week(text: str) -> str:
    """Check 'YYYY-Www' and return it; ValueError otherwise."""
    match = WEEK.match(text.strip())
    if not match:
        raise ValueError(f"not an ISO week (YYYY-Www): {text!r}")
    date.fromisocalendar(int(match[1]), int(match[2]), 1)  # raises for week 54 and the like
    return text.strip()


def weeks_between(since: str, until: str, limit: int = 160) -> list[str]:
    start = date.fromisocalendar(int(since[:4]), int(since[6:]), 1)
    end = date.fromisocalendar(int(until[:4]), int(until[6:]), 1)
    out: list[str] = []
    while start <= end and len(out) < limit:
        out.append(iso_week(start))
        start += timedelta(days=7)
    return out


def default_period(today: date | None = None, weeks: int = 8) -> tuple[str, str]:
    today = today or date.today()
    return iso_week(today - timedelta(days=7 * (weeks - 1))), iso_week(today)


async def load_counts(db: AsyncSession, since: str | None = None, until: str | None = None) -> dict:
    """Counts per (week, wijk, intent, outcome). Always all wijken and themes: filters select
    published figures afterwards and never change what is suppressed."""
    query = select(NeedEvent.week, NeedEvent.wijk, NeedEvent.intent, NeedEvent.outcome, func.count()).group_by(
        NeedEvent.week, NeedEvent.wijk, NeedEvent.intent, NeedEvent.outcome)
    if since:
        query = query.where(NeedEvent.week >= since)
    if until:
        query = query.where(NeedEvent.week <= until)
    return {(w, wijk, intent, outcome): n for w, wijk, intent, outcome, n in (await db.execute(query)).all()}


def published(counts: dict, threshold: int) -> dict[str, dict[NodeKey, Figure]]:
    return publish(counts, threshold)


def export_rows(figures_by_week: dict[str, dict[NodeKey, Figure]], threshold: int,
                wijk: str | None = None, theme: str | None = None) -> list[dict]:
    themes = themes_by_intent()
    rows = []
    for week, figures in sorted(figures_by_week.items()):
        for (_view, values), figure in sorted(((k, f) for k, f in figures.items() if k[0] == FINEST), key=lambda kf: kf[0][1]):
            cell_wijk, intent, outcome = values
            cell_theme = themes.get(intent, "gesprek") if intent is not None else "gesprek"
            if (wijk and cell_wijk != wijk) or (theme and cell_theme != theme):
                continue
            count: int | str = figure.value if figure.visible else label(figure, threshold)
            rows.append({"week": week, "wijk": cell_wijk, "theme": cell_theme, "intent": intent,
                         "outcome": outcome, "count": count})
    return rows


def rows_as_csv(rows: list[dict], columns: list[str] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def rows_as_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


async def load_year(db: AsyncSession, year: str) -> dict:
    """Counts per (week, wijk, intent, outcome) of one ISO year."""
    weeks = periods.weeks_in(year)
    query = select(NeedEvent.week, NeedEvent.wijk, NeedEvent.intent, NeedEvent.outcome, func.count()).where(
        NeedEvent.week >= weeks[0], NeedEvent.week <= weeks[-1]).group_by(
        NeedEvent.week, NeedEvent.wijk, NeedEvent.intent, NeedEvent.outcome)
    return {(w, wijk, intent, outcome): n for w, wijk, intent, outcome, n in (await db.execute(query)).all()}


async def period_figures(db: AsyncSession, period: str, threshold: int) -> tuple[dict[NodeKey, Figure], set[str]]:
    """The published figures of the ISO year that holds `period` (all its months, quarters and
    the year itself), and the wijken that occur in it."""
    year = periods.containing(periods.weeks_in(period)[0], "year")
    counts = await load_year(db, year)
    return publish_year(counts, year, threshold), {wijk for _, wijk, _, _ in counts}


def table_as_csv(tables: list[dict]) -> str:
    """The dashboard's tables one below the other, as Dutch Excel reads them: semicolons, a
    title line per table, Dutch headers, a byte-order mark so Excel takes it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for i, table in enumerate(tables):
        if i:
            writer.writerow([])
        writer.writerow([table["title"]])
        writer.writerow(table["columns"])
        for row in table["rows"]:
            writer.writerow([row["name"], *[cell["text"] for cell in row["cells"]]])
    return "\ufeff" + out.getvalue()

