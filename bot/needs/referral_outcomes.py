"""Anonymous counts of how call-back referrals went (issue 15.6), and what managers may see of them.

Recording: the referral lifecycle (bot/referrals/lifecycle.py) calls `count_stage` inside each
step, so every caller counts. A count goes to the ISO week in which the step happened, the
referral's wijk, its service and that service's theme: closed fields only, no id, no exact time
(bot/needs/models.py ReferralOutcome). Each stage counts once per referral: the referral row
remembers which stages it counted (`Referral.counted`, the conversation side, as `CaseNeed` is
for the need log). The counts outlive the referral: erase and retention delete the referral, and
the counts are joined to nothing.

Publishing: the counts of one ISO year, per month, quarter and year, per wijk and per service or
theme, are suppressed as one table by the need log's own machinery (bot/needs/suppress.py
`publish_table`), with the same threshold and the same two kinds of hidden figures ("<10", "x").
Each stage is its own table: a sum over stages (offered + accepted) means nothing and is not
published.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.directory import Directory, Service, default_directory
from bot.needs import periods
from bot.needs.models import ReferralOutcome, iso_week
from bot.needs.suppress import PERIOD_LEVELS, WIJK_LEVELS, Figure, Layout, label, publish_table
from bot.referrals.models import Referral
from bot.taxonomy import theme_of

UNKNOWN = "onbekend"
# offered: the assistant (or a worker) offered a call back; accepted / declined: the resident's
# answer; withdrawn: consent taken back (also by erasing the conversation); contacted_in_time:
# the service called or made an appointment on or before the deadline; contacted_late: after it;
# not_reached: closed after the second failed try; overdue: the deadline passed without any
# result from the service; no_longer_needed: the service closed it as not needed any more.
STAGES = ("offered", "accepted", "declined", "withdrawn", "contacted_in_time", "contacted_late", "not_reached",
          "overdue", "no_longer_needed")
STAGE_NL = {"offered": "Terugbellen aangeboden", "accepted": "Ja, bel mij", "declined": "Nee, ik bel zelf",
            "withdrawn": "Ingetrokken", "contacted_in_time": "Gebeld op tijd", "contacted_late": "Gebeld, te laat",
            "not_reached": "Niet bereikt (2 keer geprobeerd)", "overdue": "Termijn voorbij zonder resultaat",
            "no_longer_needed": "Niet meer nodig"}


def _local(now: datetime | None, directory: Directory | None = None) -> datetime:
    moment = now or clock.now()
    if moment.tzinfo is None:  # naive times in the store are UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone((directory or default_directory()).timezone)


def theme_of_service(service: Service) -> str:
    """A service's theme: that of its first need (the directory lists a service's needs)."""
    try:
        return theme_of(service.intents[0]) if service.intents else UNKNOWN
    except KeyError:
        return UNKNOWN


def _theme_and_wijk(referral: Referral, directory: Directory) -> tuple[str, str]:
    service = next((s for s in directory.services if s.id == referral.service_id), None)
    theme = theme_of_service(service) if service is not None else UNKNOWN
    wijk = referral.wijk if referral.wijk in directory.wijk_names() else UNKNOWN
    return theme, wijk


def counted(referral: Referral) -> set[str]:
    return {stage for stage in (referral.counted or "").split(",") if stage}


async def count_stage(session: AsyncSession, referral: Referral, stage: str, now: datetime | None = None) -> bool:
    """Count this stage of this referral once, in the week it happened; return whether it counted now."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    done = counted(referral)
    if stage in done:
        return False
    referral.counted = ",".join(sorted(done | {stage}))
    directory = default_directory()  # read once: it looks up the configured file
    theme, wijk = _theme_and_wijk(referral, directory)
    values = {"week": iso_week(_local(now, directory).date()), "wijk": wijk, "service_id": referral.service_id,
              "theme": theme, "stage": stage, "count": 1}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ReferralOutcome).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["week", "wijk", "service_id", "theme", "stage"],
        set_={"count": ReferralOutcome.count + 1})
    await session.execute(statement)
    return True


def local_date(now: datetime | None = None) -> date:
    """The municipality's date of this moment (a deadline is a local date)."""
    return _local(now).date()


# ---- publishing --------------------------------------------------------------------------
#
# A leaf is (month, wijk, topic, stage) with topic "theme/service"; views choose per axis:
# the period (year, quarter, month), the wijk (all or one), the topic (all, a theme, a
# service) and always one stage.

TOPIC_LEVELS = (None, "theme", "service")
STAGE_LEVELS = ("stage",)
FINEST = ("month", "wijk", "service", "stage")
ReferralLeaf = tuple[str, str, str, str]
ReferralKey = tuple[tuple, tuple]


@lru_cache(maxsize=4096)
def _period_of(month: str, level: str) -> str:
    return month if level == "month" else periods.containing(periods.weeks_in(month)[0], level)


def _project(leaf: ReferralLeaf, view: tuple) -> tuple:
    month, wijk, topic, stage = leaf
    time, wijk_level, topic_level, _ = view
    return (_period_of(month, time), wijk if wijk_level else None,
            {None: None, "theme": topic.split("/", 1)[0], "service": topic}[topic_level], stage)


def _keep(key: ReferralKey) -> int:
    """Which figures stay visible longest when the suppression must choose: per service over
    all wijken, then per wijk and the totals, then themes; longer periods before shorter ones."""
    time, wijk, topic, _ = key[0]
    weight = {(None, "service"): 3, ("wijk", None): 2, (None, None): 2, (None, "theme"): 1,
              ("wijk", "theme"): 1}.get((wijk, topic), 0)
    return weight * 3 + {"year": 2, "quarter": 1, "month": 0}[time]


LAYOUT = Layout([(t, w, topic, "stage") for t in PERIOD_LEVELS for w in WIJK_LEVELS for topic in TOPIC_LEVELS],
                (PERIOD_LEVELS, WIJK_LEVELS, TOPIC_LEVELS, STAGE_LEVELS), _project, FINEST, _keep)


def topic(theme: str, service_id: str) -> str:
    return f"{theme}/{service_id}"


def publish_year(counts: Mapping[ReferralLeaf, int], threshold: int) -> dict[ReferralKey, Figure]:
    """Every published referral figure of one ISO year (counts keyed by (month, wijk, topic, stage))."""
    return _publish_cached(tuple(sorted((leaf, n) for leaf, n in counts.items() if n > 0)), threshold)


@lru_cache(maxsize=32)
def _publish_cached(cells: tuple, threshold: int) -> dict[ReferralKey, Figure]:
    return publish_table(dict(cells), threshold, LAYOUT)


def node(period: str, stage: str, wijk: str | None = None, theme: str | None = None,
         service: str | None = None) -> ReferralKey:
    """The key of a figure: node("2026-03", "accepted", wijk="Noord", service="schulden/schuldhulp")."""
    topic_level = "service" if service else ("theme" if theme else None)
    return ((periods.level_of(period), "wijk" if wijk else None, topic_level, "stage"),
            (period, wijk, service or theme, stage))


async def load_year(db: AsyncSession, year: str) -> dict[ReferralLeaf, int]:
    """Counts of one ISO year per (month, wijk, topic, stage)."""
    weeks = periods.weeks_in(year)
    rows = await db.execute(
        select(ReferralOutcome.week, ReferralOutcome.wijk, ReferralOutcome.theme, ReferralOutcome.service_id,
               ReferralOutcome.stage, func.sum(ReferralOutcome.count))
        .where(ReferralOutcome.week >= weeks[0], ReferralOutcome.week <= weeks[-1])
        .group_by(ReferralOutcome.week, ReferralOutcome.wijk, ReferralOutcome.theme, ReferralOutcome.service_id,
                  ReferralOutcome.stage))
    counts: dict[ReferralLeaf, int] = defaultdict(int)
    for week, wijk, theme, service_id, stage, n in rows.all():
        counts[(periods.containing(week, "month"), wijk, topic(theme, service_id), stage)] += int(n or 0)
    return dict(counts)


async def period_figures(db: AsyncSession, period: str, threshold: int) -> dict[ReferralKey, Figure]:
    """The published referral figures of the ISO year that holds `period`."""
    year = periods.containing(periods.weeks_in(period)[0], "year")
    return publish_year(await load_year(db, year), threshold)


def topics_in(figures: Mapping[ReferralKey, Figure]) -> list[str]:
    """The services ("theme/service") that have any figure, sorted."""
    return sorted({values[2] for (view, values) in figures if view[2] == "service"})


EXPORT_COLUMNS = ["period", "wijk", "theme", "service", "stage", "count"]


def export_rows(figures: Mapping[ReferralKey, Figure], threshold: int) -> list[dict]:
    """`voordeur referrals export`: every published figure of a year (months, quarters, the year;
    per wijk or all, per service, theme or all), "" meaning all; count a number, "<10" or "x"."""
    order = {"year": 0, "quarter": 1, "month": 2}
    rows = []
    for (view, values), figure in sorted(figures.items(), key=lambda kf: (
            order[kf[0][0][0]], kf[0][1][0], str(kf[0][1][1]), str(kf[0][1][2]), kf[0][1][3])):
        period, wijk, topic_value, stage = values
        if view[2] == "service":
            theme, service = topic_value.split("/", 1)
        else:
            theme, service = topic_value or "", ""
        rows.append({"period": period, "wijk": wijk or "", "theme": theme, "service": service, "stage": stage,
                     "count": figure.value if figure.visible else label(figure, threshold)})
    return rows
