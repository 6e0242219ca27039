"""The managers' dashboard at /dashboard (manager role only), its CSV and its printable form.

A manager picks a period (a month, a quarter or a year), optionally a wijk and a theme. Every
figure is a published figure of bot/needs/suppress.py (`publish_year`): filters only choose
which figures to show and never change what is hidden. The page is built as a list of tables;
the CSV and the printed page are those same tables, so they hold exactly what is on screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bot import clock
from bot.handover.auth import require
from bot.handover.queue import waiting
from bot.directory import default_directory
from bot.needs import periods, referral_outcomes, report
from bot.needs.charts import Bar, bar_chart, bar_of, chart_width
from bot.needs.log import UNKNOWN_WIJK
from bot.needs.models import OUTCOMES
from bot.needs.referral_outcomes import STAGE_NL, STAGES, topics_in
from bot.needs.suppress import Figure, NodeKey, label, min_cell, period_node
from bot.store.models import User
from bot.taxonomy import intent_label, theme_label, themes, themes_by_intent

HERE = Path(__file__).parent
TEMPLATES = Environment(
    loader=ChoiceLoader([FileSystemLoader(HERE / "templates"), FileSystemLoader(HERE.parent / "handover" / "templates")]),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
LEVELS = ("month", "quarter", "year")
# The answers to "Is het gelukt?" (a resident who only got a number; bot/follow_up.py): shown
# whenever the need log knows them, so a routed need is not read as a helped one.
FOLLOW_UP_OUTCOMES = ("contact_made", "contact_failed", "still_waiting", "gave_up")
# The call-back steps per service and per wijk: every step, so a manager sees where it goes wrong.
REFERRAL_COLUMNS = STAGES
# The chart: of the residents who said yes, what happened (the failures next to the successes).
REFERRAL_CHART_STAGES = ("accepted", "contacted_in_time", "contacted_late", "not_reached", "overdue", "withdrawn")
IN_TIME_RATE = "Op tijd gebeld, van wie ja zei"
PRESET_NL = {"month": "Maand", "quarter": "Kwartaal", "year": "Jaar"}


@dataclass(frozen=True)
class Choice:
    """What the manager asked to see."""
    level: str
    period: str
    wijk: str | None
    theme: str | None
    error: str | None = None

    def query(self) -> str:
        return urlencode({k: v for k, v in {"level": self.level, "period": self.period, "wijk": self.wijk or "",
                                            "theme": self.theme or ""}.items() if v})


def today() -> date:
    return clock.now().date()


def read_choice(request: Request, wijken: list[str]) -> Choice:
    params = request.query_params
    level = params.get("level") or "month"
    error = None
    if level not in LEVELS:
        level, error = "month", "Kies een maand, een kwartaal of een jaar."
    period = params.get("period") or periods.current(level, today())
    try:  # another kind of period than asked (the form's preset changed): the one it starts in
        period = periods.containing(periods.weeks_in(period)[0], level)
    except ValueError:
        period, error = periods.current(level, today()), "Die periode kennen we niet. Je ziet nu de huidige periode."
    wijk = params.get("wijk") or None
    theme = params.get("theme") or None
    return Choice(level, period, wijk if wijk in wijken else None, theme if theme in themes() else None, error)


def period_options(level: str, chosen: str) -> list[tuple[str, str]]:
    """The periods of this kind from the start of last year up to now (and the chosen one)."""
    now = periods.current(level, today())
    start = periods.containing(periods.weeks_in(str(today().year - 1))[0], level)
    options, period = [], now
    while True:
        options.append(period)
        if period == start:
            break
        period = periods.previous(period)
    if chosen not in options:
        options.insert(0, chosen)
    return [(p, periods.label(p)) for p in options]


def cell(figure: Figure | None, threshold: int, heat: bool = False) -> dict:
    text = label(figure, threshold)
    shown = figure.value if figure is not None and figure.visible else 0
    return {"text": text, "hidden": figure is not None and not figure.visible,
            "alpha": round(min(0.55, shown / 120), 2) if heat else 0}


def capitalised(text: str) -> str:
    """A row label as the other tables write them ("contact gelukt" -> "Contact gelukt")."""
    return text[:1].upper() + text[1:]


def rate(part: Figure | None, whole: Figure | None) -> dict:
    """"11 van de 15": only when both figures are published (a missing figure is 0). A rate
    from a hidden figure would give it away (15 and 73% is 11), so then it is "onbekend"."""
    if not all(f is None or f.visible for f in (part, whole)):
        return {"text": "onbekend", "hidden": True}
    whole_n = whole.value if whole else 0
    if not whole_n:
        return {"text": "-"}
    return {"text": f"{part.value if part else 0} van de {whole_n}"}


def difference(now: Figure | None, before: Figure | None) -> str:
    known = [f is None or f.visible for f in (now, before)]
    if not all(known):
        return "onbekend"
    delta = (now.value if now else 0) - (before.value if before else 0)
    return f"+{delta}" if delta > 0 else str(delta)


def build(choice: Choice, figures: dict[NodeKey, Figure], before: dict[NodeKey, Figure], wijken: list[str],
          threshold: int, queue_now: tuple[int, int], referrals: dict | None = None,
          referrals_before: dict | None = None) -> dict:
    """Everything the page shows, as plain data: key figures, charts and tables (the need log's,
    then the call-back section's, marked `section: "terugbellen"`)."""
    period, previous = choice.period, periods.previous(choice.period)
    wijk, theme, t = choice.wijk, choice.theme, threshold
    now_label, before_label = periods.label(period), periods.label(previous)
    shown_themes = [theme] if theme else list(themes())
    shown_wijken = [wijk] if wijk else wijken

    def fig(source: dict, p: str, **kw) -> Figure | None:
        return source.get(period_node(p, **kw))

    def pair_row(name: str, **kw) -> dict:
        a, b = fig(figures, period, **kw), fig(before, previous, **kw)
        return {"name": name, "cells": [cell(a, t), cell(b, t), {"text": difference(a, b)}]}

    key_rows = [
        pair_row("Alle vragen", wijk=wijk, theme=theme),
        pair_row("Niet geholpen", wijk=wijk, theme=theme, group="niet_geholpen"),
        pair_row("Buiten openingstijden, nummer gegeven", wijk=wijk, theme=theme, group="buiten_openingstijden"),
        pair_row("Crisis (113, 112, Veilig Thuis)", wijk=wijk, theme="crisis"),
    ]
    waiting_now, urgent_now = queue_now
    heat_columns = ["Wijk", *[theme_label(th) for th in shown_themes], "Totaal"]
    heat_rows = [{"name": w, "cells": [cell(fig(figures, period, wijk=w, theme=th), t, heat=True) for th in shown_themes]
                  + [cell(fig(figures, period, wijk=w, theme=theme), t)]} for w in shown_wijken]
    if not wijk:
        heat_rows.append({"name": "Alle wijken", "cells": [cell(fig(figures, period, theme=th), t) for th in shown_themes]
                          + [cell(fig(figures, period, theme=theme), t)]})
    intents = [i for i, th in themes_by_intent().items() if th in shown_themes]
    intent_rows = [pair_row(capitalised(intent_label(i)), wijk=wijk, intent=i) for i in intents]
    parts = [p for p in periods.parts(periods.containing(periods.weeks_in(period)[0], "year"))
             if choice.level != "quarter"] or [f"{period[:4]}-K{q}" for q in range(1, 5)]
    trend_rows = [{"name": theme_label(th), "cells": [cell(fig(figures, p, wijk=wijk, theme=th), t) for p in parts]}
                  for th in shown_themes]
    trend_rows.append({"name": "Alle vragen", "cells": [cell(fig(figures, p, wijk=wijk, theme=theme), t) for p in parts]})
    pair_columns = [now_label, before_label, "Verschil"]
    tables = [
        {"id": "kerncijfers", "title": f"Kerncijfers, {now_label}", "columns": ["Cijfer", *pair_columns], "rows": key_rows},
        {"id": "wijk-thema", "title": f"Wijk en thema, {now_label}", "columns": heat_columns, "rows": heat_rows,
         "heat": True},
        {"id": "thema", "title": f"Per thema: {now_label} en {before_label}", "columns": ["Thema", *pair_columns],
         "rows": [pair_row(theme_label(th), wijk=wijk, theme=th) for th in shown_themes]},
        {"id": "uitkomst", "title": f"Per uitkomst: {now_label} en {before_label}",
         "columns": ["Uitkomst", *pair_columns],
         "rows": [pair_row(capitalised(report.OUTCOME_NL.get(o, o)), wijk=wijk, theme=theme, outcome=o)
                  for o in OUTCOMES]},
        {"id": "vraag", "title": f"Per vraag: {now_label} en {before_label}", "columns": ["Vraag", *pair_columns],
         "rows": [r for r in intent_rows if any(c["text"] != "0" for c in r["cells"][:2])]},
        {"id": "verloop", "title": f"Verloop in {period[:4]}", "columns": ["Thema", *[periods.label(p) for p in parts]],
         "rows": trend_rows},
    ]
    chart_themes = [th for th in shown_themes if th != "gesprek"] or shown_themes

    def bars(source: dict, p: str, **kw) -> list[Bar]:
        return [bar_of(fig(source, p, theme=th, **kw), t) for th in chart_themes]

    compare_chart = bar_chart(f"Vragen per thema: {now_label} en {before_label}",
                              [theme_label(th) for th in chart_themes],
                              [(now_label, bars(figures, period, wijk=wijk)), (before_label, bars(before, previous, wijk=wijk))])
    trend_chart = bar_chart(f"Niet geholpen per thema, verloop in {period[:4]}",
                            [periods.short_label(p) for p in parts],
                            [(theme_label(th), [bar_of(fig(figures, p, wijk=wijk, theme=th, group="niet_geholpen"), t)
                                                    for p in parts]) for th in chart_themes])
    referral_tables, referral_chart = referral_section(choice, referrals or {}, referrals_before or {}, wijken,
                                                       threshold)
    tables += referral_tables
    follow_up = [o for o in FOLLOW_UP_OUTCOMES if o in OUTCOMES]
    if follow_up:
        tables.append({"id": "gelukt", "section": "terugbellen",
                       "title": f"Zelf gebeld, is het gelukt? {now_label} en {before_label}",
                       "columns": ["Antwoord", *pair_columns],
                       "rows": [pair_row(capitalised(report.OUTCOME_NL.get(o, o)), wijk=wijk, theme=theme, outcome=o)
                                for o in follow_up]})
    return {"tables": tables, "compare_chart": compare_chart, "trend_chart": trend_chart,
            "referral_chart": referral_chart,
            "waiting_now": waiting_now, "urgent_now": urgent_now, "now_label": now_label, "before_label": before_label}


def service_names(topics: list[str]) -> dict[str, str]:
    """Dutch names of the services behind these topics ("schulden/schuldhulp"), and of every
    service that takes call backs, in the directory's order (a service no longer in the
    directory keeps its id)."""
    directory = default_directory()
    names = {}
    for service in directory.services:
        if service.referral_team:
            theme = referral_outcomes.theme_of_service(service)
            names[referral_outcomes.topic(theme, service.id)] = service.name
    for topic in topics:
        service_id = topic.split("/", 1)[1]
        names.setdefault(topic, next((s.name for s in directory.services if s.id == service_id), service_id))
    return names


def referral_section(choice: Choice, figures: dict, before: dict, wijken: list[str], threshold: int) -> tuple:
    """The "Terugbellen" tables and chart: per step this period and the one before, per service
    and per wijk. Published figures of bot/needs/referral_outcomes.py only."""
    period, previous = choice.period, periods.previous(choice.period)
    wijk, theme, t = choice.wijk, choice.theme, threshold
    now_label, before_label = periods.label(period), periods.label(previous)
    names = service_names(topics_in(figures) + topics_in(before))
    services = [topic for topic in names if not theme or topic.split("/", 1)[0] == theme]

    def fig(source: dict, p: str, stage: str, **kw) -> Figure | None:
        return source.get(referral_outcomes.node(p, stage, **kw))

    pair_rows = []
    for stage in STAGES:
        a, b = fig(figures, period, stage, wijk=wijk, theme=theme), fig(before, previous, stage, wijk=wijk, theme=theme)
        pair_rows.append({"name": STAGE_NL[stage], "cells": [cell(a, t), cell(b, t), {"text": difference(a, b)}]})
    columns = [*(STAGE_NL[stage] for stage in REFERRAL_COLUMNS), IN_TIME_RATE]

    def stage_cells(**kw) -> list[dict]:
        shown = [cell(fig(figures, period, stage, **kw), t) for stage in REFERRAL_COLUMNS]
        return [*shown, rate(fig(figures, period, "contacted_in_time", **kw), fig(figures, period, "accepted", **kw))]

    service_rows = [{"name": names[topic], "cells": stage_cells(wijk=wijk, service=topic)} for topic in services]
    service_rows.append({"name": "Alle diensten", "cells": stage_cells(wijk=wijk, theme=theme)})
    wijk_rows = [{"name": w, "cells": stage_cells(wijk=w, theme=theme)} for w in ([wijk] if wijk else wijken)]
    if not wijk:
        wijk_rows.append({"name": "Alle wijken", "cells": stage_cells(theme=theme)})
    tables = [
        {"id": "terugbellen", "section": "terugbellen", "title": f"Terugbellen: {now_label} en {before_label}",
         "columns": ["Stap", now_label, before_label, "Verschil"], "rows": pair_rows},
        {"id": "terugbellen-dienst", "section": "terugbellen", "title": f"Terugbellen per dienst, {now_label}",
         "columns": ["Dienst", *columns], "rows": service_rows},
        {"id": "terugbellen-wijk", "section": "terugbellen", "title": f"Terugbellen per wijk, {now_label}",
         "columns": ["Wijk", *columns], "rows": wijk_rows},
    ]
    chart = bar_chart(f"Terugbellen per dienst: wie ja zei, en hoe het afliep, {now_label}",
                      [names[topic] for topic in services],
                      [(STAGE_NL[stage], [bar_of(fig(figures, period, stage, wijk=wijk, service=topic), t)
                                          for topic in services]) for stage in REFERRAL_CHART_STAGES],
                      readable_width=True)
    # Wider than a phone (about 350 px) at 80% of its size: its box scrolls, and says so.
    scrolls = chart_width([names[topic] for topic in services], [STAGE_NL[s] for s in REFERRAL_CHART_STAGES]) * 0.8 > 350
    return tables, {"svg": chart, "scrolls": scrolls}


def _wijken(request: Request, seen: set[str] | frozenset[str] = frozenset()) -> list[str]:
    known = set(getattr(request.app.state.switchboard, "known_wijken", set()) or set())
    return [*sorted((known | set(seen)) - {UNKNOWN_WIJK}), UNKNOWN_WIJK]


async def _view(request: Request) -> tuple[Choice, dict, list[str]]:
    sessions = request.app.state.switchboard.sessions
    threshold = min_cell()
    choice = read_choice(request, _wijken(request))
    async with sessions() as db:
        figures, seen = await report.period_figures(db, choice.period, threshold)
        previous = periods.previous(choice.period)
        same_year = previous[:4] == choice.period[:4]
        before = figures if same_year else (await report.period_figures(db, previous, threshold))[0]
        referrals = await referral_outcomes.period_figures(db, choice.period, threshold)
        referrals_before = referrals if same_year else await referral_outcomes.period_figures(db, previous, threshold)
        queue_now = await _queue_now(db)
    wijken = _wijken(request, seen)
    if request.query_params.get("wijk") in wijken and choice.wijk is None:
        choice = Choice(choice.level, choice.period, request.query_params["wijk"], choice.theme, choice.error)
    view = build(choice, figures, before, wijken, threshold, queue_now, referrals, referrals_before)
    return choice, view, wijken


async def _queue_now(db: AsyncSession) -> tuple[int, int]:
    """Residents waiting for a person right now, and how many of them urgently (a count only)."""
    rows = await waiting(db)
    return len(rows), sum(1 for c in rows if c.urgent)


@require("manager")
async def page(request: Request, user: User, csrf: str) -> Response:
    choice, view, wijken = await _view(request)
    html = TEMPLATES.get_template("dashboard.html").render(
        user=user, csrf=csrf, choice=choice, view=view, wijken=wijken, themes=themes(), theme_label=theme_label,
        levels=LEVELS, PRESET_NL=PRESET_NL, options=period_options(choice.level, choice.period),
        threshold=min_cell(), query=choice.query(), previous=periods.previous(choice.period),
        printing=request.query_params.get("print") == "1")
    return HTMLResponse(html, headers={"cache-control": "no-store"})


@require("manager")
async def export_csv(request: Request, user: User, csrf: str) -> Response:
    choice, view, _ = await _view(request)
    name = f"behoeften-{choice.period}{'-' + choice.wijk if choice.wijk else ''}{'-' + choice.theme if choice.theme else ''}.csv"
    return Response(report.table_as_csv(view["tables"]), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"})


def routes(switchboard=None) -> list[Route]:
    return [Route("/dashboard", page), Route("/dashboard/export.csv", export_csv)]
