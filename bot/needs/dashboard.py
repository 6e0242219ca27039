"""The managers' dashboard at /dashboard (manager role only) and its CSV download.

Every figure comes from bot/needs/suppress.py through bot/needs/report.py; the filters only
choose which published figures to show and never change what is suppressed."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bot.handover.auth import require
from bot.needs import report
from bot.needs.charts import bar_chart
from bot.needs.log import UNKNOWN_WIJK
from bot.needs.models import OUTCOMES
from bot.needs.suppress import GROUPS, label, min_cell, node, period_total
from bot.store.models import User
from bot.taxonomy import themes_by_intent

HERE = Path(__file__).parent
TEMPLATES = Environment(
    loader=ChoiceLoader([FileSystemLoader(HERE / "templates"), FileSystemLoader(HERE.parent / "handover" / "templates")]),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
THEMES = ["schulden", "zorg", "overlast", "crisis", "gesprek"]


def _filters(request: Request, wijken: list[str]) -> tuple[str, str, str | None, str | None, str | None]:
    since, until = report.default_period()
    error = None
    try:
        since = report.parse_week(request.query_params.get("since") or since)
        until = report.parse_week(request.query_params.get("until") or until)
        if since > until:
            since, until = until, since
    except ValueError:
        since, until = report.default_period()
        error = "Geef weken op als jaar-Wweek, bijvoorbeeld 2026-W05. De laatste 8 weken worden getoond."
    wijk = request.query_params.get("wijk") or None
    theme = request.query_params.get("theme") or None
    return since, until, (wijk if wijk in wijken else None), (theme if theme in THEMES else None), error


def routes(switchboard) -> list[Route]:
    sessions = switchboard.sessions

    def all_wijken(extra: set[str] = frozenset()) -> list[str]:
        known = set(getattr(switchboard, "known_wijken", set()) or set())
        return sorted(known | set(extra) - {UNKNOWN_WIJK}) + [UNKNOWN_WIJK]

    async def figures_for(since: str, until: str) -> tuple[dict, set[str]]:
        async with sessions() as db:
            counts = await report.load_counts(db, since, until)
        return report.published(counts, min_cell()), {wijk for _, wijk, _, _ in counts}

    @require("manager")
    async def page(request: Request, user: User, csrf: str) -> Response:
        since, until, wijk, theme, error = _filters(request, all_wijken())
        by_week, seen = await figures_for(since, until)
        wijken = all_wijken(seen)
        if request.query_params.get("wijk") in wijken:
            wijk = request.query_params.get("wijk")
        weeks = report.weeks_between(since, until)
        t = min_cell()
        per_week = [by_week.get(w, {}) for w in weeks]

        def series(key) -> list:
            return [figures.get(key) for figures in per_week]

        def row(name: str, key) -> dict:
            return {"name": name, "cells": [label(f, t) for f in series(key)],
                    "total": period_total(per_week, key).text()}

        shown_themes = [theme] if theme else THEMES
        intents = [i for i, th in themes_by_intent().items() if th in shown_themes]
        unmet_chart = bar_chart("Niet geholpen per thema per week", weeks,
                                [(report.THEME_NL[th], series(node(wijk=wijk, theme=th, group="niet_geholpen")))
                                 for th in shown_themes if th != "gesprek"] or
                                [(report.THEME_NL[th], series(node(wijk=wijk, theme=th, group="niet_geholpen")))
                                 for th in shown_themes], t)
        met_chart = bar_chart("Geholpen en niet geholpen per week", weeks,
                              [(report.GROUP_NL[g], series(node(wijk=wijk, theme=theme, group=g)))
                               for g in report.GROUP_NL], t, stacked=True)
        heat_rows = []
        for w in ([wijk] if wijk else wijken):
            cells = []
            for th in shown_themes:
                total = period_total(per_week, node(wijk=w, theme=th))
                cells.append({"text": total.text(), "alpha": round(min(0.85, total.visible_sum / 100), 2)})
            heat_rows.append({"wijk": w, "cells": cells})
        tables = [
            {"title": "Per thema", "head": "Thema", "rows": [row(report.THEME_NL[th], node(wijk=wijk, theme=th)) for th in shown_themes]},
            {"title": "Per vraag", "head": "Vraag", "rows": [r for r in (row(report.INTENT_NL.get(i, i), node(wijk=wijk, intent=i))
                                                             for i in intents) if r["total"] != "0"]},
            {"title": "Per uitkomst", "head": "Uitkomst", "rows": [row(report.OUTCOME_NL[o], node(wijk=wijk, theme=theme, outcome=o))
                                                                   for o in OUTCOMES]},
            {"title": "Per wijk", "head": "Wijk", "rows": [row(w, node(wijk=w, theme=theme)) for w in ([wijk] if wijk else wijken)]},
            {"title": "Per week", "head": "", "rows": [row("Totaal", node(wijk=wijk, theme=theme))]},
        ]
        query = {k: v for k, v in {"since": since, "until": until, "wijk": wijk or "", "theme": theme or ""}.items() if v}
        html = TEMPLATES.get_template("dashboard.html").render(
            user=user, csrf=csrf, since=since, until=until, wijk=wijk, theme=theme, wijken=wijken, themes=THEMES,
            THEME_NL=report.THEME_NL, threshold=t, weeks=weeks, unmet_chart=unmet_chart, met_chart=met_chart,
            heat_themes=shown_themes, heat_rows=heat_rows, tables=tables, error=error,
            csv_url="/dashboard/export.csv?" + urlencode(query))
        return HTMLResponse(html, headers={"cache-control": "no-store"})

    @require("manager")
    async def export_csv(request: Request, user: User, csrf: str) -> Response:
        since, until, wijk, theme, _ = _filters(request, all_wijken())
        by_week, seen = await figures_for(since, until)
        wijk = request.query_params.get("wijk") if request.query_params.get("wijk") in all_wijken(seen) else None
        rows = report.export_rows(by_week, min_cell(), wijk=wijk, theme=theme)
        name = f"behoeften-{since}-{until}.csv"
        return Response(report.rows_as_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"})

    return [Route("/dashboard", page), Route("/dashboard/export.csv", export_csv)]


__all__ = ["routes", "GROUPS"]
