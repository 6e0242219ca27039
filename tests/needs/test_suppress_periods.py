"""Months, quarters and years next to the weekly export: still no count below the threshold can
be derived (issue 14.4). The same two attackers as tests/needs/test_suppress.py, now over
everything published for a year: every month, quarter and year figure of the dashboard and the
weekly cells of `voordeur needs export`. And the signal: a wijk and theme with 10 or more
events in a period is visible, even when every week of it is hidden."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.needs import periods
from bot.needs.suppress import YEAR_LAYOUT, label, period_node, publish_year
from tests.needs.test_suppress import bounds_attack, exactly_derivable

# Weeks 12-15 of 2026: two months (March, April) and two quarters.
WEEKS = ["2026-W12", "2026-W13", "2026-W14", "2026-W15"]
WIJKEN = ["Centrum", "Noord"]
INTENTS = ["debt_bills", "debt_rent", "nuisance_noise"]
OUTCOMES = ["met", "no_local_service"]
LEAVES = [(w, wijk, i, o) for w in WEEKS for wijk in WIJKEN for i in INTENTS for o in OUTCOMES]

counts = st.integers(0, 30).map(lambda n: n if n > 18 else n // 3)
year_cells = st.dictionaries(st.sampled_from(LEAVES), counts, max_size=18)
# Not 3: at a threshold of 3 a table that is hidden almost entirely lets bounds ("x" is at least
# 3, "<3" at most 2) pin a count; the weekly attacker finds the same in publish_week (known, see
# docs/needs.md). The default threshold is 10; VOORDEUR_MIN_CELL below 5 is not safe.
thresholds = st.sampled_from([5, 10])
FINEST = YEAR_LAYOUT.finest


def published(cells: dict, t: int) -> dict:
    return publish_year(cells, "2026", t)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(year_cells, thresholds)
def test_no_hidden_count_follows_from_all_periods_and_the_weeks(cells, t):
    figures = published(cells, t)
    assert exactly_derivable(figures, cells, YEAR_LAYOUT.project, FINEST) == []


@settings(max_examples=100, deadline=None, derandomize=True)
@given(year_cells, thresholds)
def test_bounds_over_all_periods_never_pin_a_small_count(cells, t):
    figures = published(cells, t)
    assert bounds_attack(figures, cells, t, YEAR_LAYOUT.project, FINEST) == []


@settings(max_examples=60, deadline=None, derandomize=True)
@given(year_cells, thresholds)
def test_every_small_count_is_hidden_in_every_period(cells, t):
    for key, figure in published(cells, t).items():
        if figure.value < t:
            assert not figure.visible and label(figure, t) == f"<{t}", key


def test_23_events_hidden_in_every_week_are_visible_over_the_month_and_quarter():
    cells = {  # Westhaven, overlast: 23 events over four weeks of March, never more than 9 in a week
        ("2026-W10", "Westhaven", "nuisance_noise", "met"): 4, ("2026-W10", "Westhaven", "nuisance_youth", "met"): 2,
        ("2026-W11", "Westhaven", "nuisance_noise", "waiting_list"): 3, ("2026-W11", "Westhaven", "nuisance_drugs", "met"): 3,
        ("2026-W12", "Westhaven", "nuisance_neighbours", "no_local_service"): 6,
        ("2026-W13", "Westhaven", "nuisance_noise", "met"): 5,
        # elsewhere: other wijken and themes, small and large
        ("2026-W10", "Noord", "debt_bills", "met"): 14, ("2026-W12", "Noord", "care_mental", "met"): 3,
        ("2026-W11", "Westhaven", "debt_rent", "met"): 4, ("2026-W13", "Centrum", "nuisance_noise", "met"): 2,
    }
    figures = published(cells, 10)
    for week in ("2026-W10", "2026-W11", "2026-W12", "2026-W13"):
        for leaf in [leaf for leaf in cells if leaf[0] == week and leaf[1] == "Westhaven"]:
            assert not figures[(FINEST, leaf)].visible  # the weekly export hides every one
    assert periods.containing("2026-W10", "month") == "2026-03"
    for period in ("2026-03", "2026-K1", "2026"):
        figure = figures[period_node(period, wijk="Westhaven", theme="overlast")]
        assert figure.visible and figure.value == 23, (period, figure)
    assert exactly_derivable(figures, cells, YEAR_LAYOUT.project, FINEST) == []
    assert bounds_attack(figures, cells, 10, YEAR_LAYOUT.project, FINEST) == []
