"""Small-cell suppression for everything managers see of the need log: the dashboard and
`voordeur needs export` both publish only what `publish_week` returns.

The approach, and why it is safe against differencing:

1. **One ISO week is the unit.** Every figure is computed and suppressed per week, from that
   week's events only, deterministically (ties broken by name). Which weeks a manager selects
   never changes what a week shows, so two overlapping exports (weeks 1-4 and 1-5) hold the
   very same figures for weeks 1-4; their difference is exactly the week-5 figures, which are
   themselves suppressed.
2. **Inside a week, one table with all its totals.** The finest cells are
   (wijk, intent, outcome). Every total the dashboard can show (per wijk, theme, intent,
   outcome, met/unmet group, and each combination, with or without a wijk) is a node of a
   lattice over three axes: wijk (all / per wijk), topic (all / theme / intent) and result
   (all / group / outcome). All nodes of a week are suppressed together:
   - primary: every non-zero count below the threshold (VOORDEUR_MIN_CELL, default 10) is
     hidden and shown as "<10";
   - complementary, line by line: each parent = sum of its children one level down one axis
     is an equation; if exactly one of its terms is hidden, the smallest visible child (then
     the parent) is hidden too; the same when the bounds of that line pin a hidden count
     (primary counts lie in 1..threshold-1, complementary ones at or above the threshold);
   - complementary, by bounds: interval propagation over all equations of the week (hidden
     primaries 0..t-1, complementary t or more) must not pin a hidden primary count;
   - complementary, globally: a hidden node must not be a linear combination of visible
     nodes (checked exactly by elimination modulo a large prime); if it is, a visible
     relative is hidden and the check runs again. Complementary cells are shown as "x".
   Zero counts are published as zero (no person behind them).
3. **Periods only add up published figures.** A total over several weeks is the sum of the
   weeks' published figures; if one of them is hidden the total is shown as a lower bound
   ("≥ 34"), never as an exact number. So no figure spanning weeks carries hidden mass.

What this does not promise: protection against an attacker who knows some residents' events
from elsewhere, and narrow (not exact) bounds on a hidden count that need several equations
at once (linear programming); the per-line bound check covers the simple cases.
"""

from __future__ import annotations

import heapq
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from bot.config import Settings
from bot.needs import periods
from bot.taxonomy import themes_by_intent

DEFAULT_MIN_CELL = 10
# Below 5 the bound attacker can pin a count in an almost fully hidden table ("x" = at least 3,
# "<3" = at most 2; docs/needs.md), so a lower VOORDEUR_MIN_CELL is raised to this.
SAFE_MIN_CELL = 5
PRIME = (1 << 61) - 1

# "Buiten openingstijden" is its own group: the resident got a number and an address, but
# could not be helped right away; neither helped nor not helped.
# The answers to "Is het gelukt?" (bot/follow_up.py) replace "met" by what really happened.
GROUPS = {"met": "geholpen", "no_local_service": "niet_geholpen", "waiting_list": "niet_geholpen",
          "not_helped": "niet_geholpen", "out_of_hours": "buiten_openingstijden", "declined": "overig",
          "out_of_scope": "overig", "contact_made": "geholpen", "contact_failed": "niet_geholpen",
          "still_waiting": "overig", "gave_up": "niet_geholpen"}

# Axis levels, coarse to fine. A view names one level per axis: (wijk, topic, result).
WIJK_LEVELS = (None, "wijk")
TOPIC_LEVELS = (None, "theme", "intent")
RESULT_LEVELS = (None, "group", "outcome")
VIEWS = [(w, t, r) for w in WIJK_LEVELS for t in TOPIC_LEVELS for r in RESULT_LEVELS]
FINEST = ("wijk", "intent", "outcome")

Leaf = tuple[str, str, str]  # (wijk, intent, outcome)
View = tuple[str | None, str | None, str | None]
Values = tuple[str | None, str | None, str | None]
NodeKey = tuple[View, Values]


def min_cell(env: Mapping[str, str] | None = None) -> int:
    raw = (env if env is not None else Settings.load().extra).get("VOORDEUR_MIN_CELL", "")
    try:
        value = int(raw)
    except ValueError:
        return DEFAULT_MIN_CELL
    return max(SAFE_MIN_CELL, value)


@dataclass(frozen=True)
class Figure:
    value: int
    status: str  # "shown", "small" (primary, below the threshold) or "hidden" (complementary)

    @property
    def visible(self) -> bool:
        return self.status == "shown"


def label(figure: Figure | None, threshold: int) -> str:
    if figure is None:
        return "0"
    return {"shown": str(figure.value), "small": f"<{threshold}", "hidden": "x"}[figure.status]


@lru_cache(maxsize=1 << 16)
def project(leaf: Leaf, view: View) -> Values:
    wijk, intent, outcome = leaf
    topic = {None: None, "theme": themes_by_intent().get(intent, "gesprek"), "intent": intent}[view[1]]
    result = {None: None, "group": GROUPS.get(outcome, "overig"), "outcome": outcome}[view[2]]
    return (wijk if view[0] else None, topic, result)


@dataclass(frozen=True)
class Layout:
    """The shape of one suppressed table: its views, the levels of each axis (coarse to fine),
    how a leaf projects onto a view, the finest view, and which nodes to keep visible when
    there is a choice (higher is kept longer)."""
    views: list
    axes: tuple
    project: Callable
    finest: tuple
    keep: Callable = field(default=lambda key: 0)


WEEK_LAYOUT = Layout(VIEWS, (WIJK_LEVELS, TOPIC_LEVELS, RESULT_LEVELS), project, FINEST)


class _Week:
    """One table suppressed together. `frozen` statuses were published before (the weeks and
    months inside a quarter, say) and never change; only the other nodes may be hidden."""

    def __init__(self, cells: Mapping, threshold: int, layout: Layout = WEEK_LAYOUT,
                 frozen: Mapping[NodeKey, str] | None = None):
        self.threshold = threshold
        self.layout = layout
        self.frozen = dict(frozen or {})
        self.settled: set[NodeKey] = set()  # shown because they follow from the visible figures
        self.forced: set[NodeKey] = set()  # shown so once, then needed hidden: never shown again
        self.leaves = sorted(leaf for leaf, n in cells.items() if n > 0)
        index = {leaf: i for i, leaf in enumerate(self.leaves)}
        members: dict[NodeKey, set[int]] = defaultdict(set)
        value: dict[NodeKey, int] = defaultdict(int)
        for leaf in self.leaves:
            for view in layout.views:
                key = (view, layout.project(leaf, view))
                members[key].add(index[leaf])
                value[key] += cells[leaf]
        self.members = {k: frozenset(v) for k, v in members.items()}
        self.value = dict(value)
        self._ranks = {k: (self.value[k], len(self.members[k]), tuple(str(v) for v in k[0]), tuple(str(v) for v in k[1]))
                       for k in self.value}
        self.order = sorted(self.value, key=self.rank)
        self.status = {k: self.frozen.get(k) or ("small" if self.value[k] < threshold else "shown")
                       for k in self.value}
        # The equations: parent = sum of its children one level finer along one axis.
        children: dict[tuple[NodeKey, int], list[NodeKey]] = defaultdict(list)
        for key in self.value:
            view, _values = key
            for axis, levels in enumerate(layout.axes):
                i = levels.index(view[axis])
                if i == 0:
                    continue
                coarser = list(view)
                coarser[axis] = levels[i - 1]
                leaf_index = next(iter(self.members[key]))
                parent = (tuple(coarser), layout.project(self.leaves[leaf_index], tuple(coarser)))
                if parent in self.value:  # a layout may leave views out (weeks: finest cells only)
                    children[(parent, axis)].append(key)
        # Lines made only of frozen figures were settled when those were published.
        self.lines = [(parent, sorted(kids, key=self.rank)) for (parent, _), kids in sorted(
            children.items(), key=lambda item: (self.rank(item[0][0]), item[0][1]))
            if parent not in self.frozen or any(k not in self.frozen for k in kids)]
        # A line's verdict depends only on its own terms: look again only after one changed.
        self.lines_of: dict[NodeKey, list[int]] = defaultdict(list)
        for i, (parent, kids) in enumerate(self.lines):
            for k in (parent, *kids):
                self.lines_of[k].append(i)
        self.dirty = set(range(len(self.lines)))

    def rank(self, key: NodeKey) -> tuple:
        """Smallest value first, then fewest cells, then by name (made once per node)."""
        return self._ranks[key]

    def hidden(self, key: NodeKey) -> bool:
        return self.status[key] != "shown"

    def hide(self, key: NodeKey) -> None:
        if self.status[key] == "shown" and key not in self.frozen:
            self.status[key] = "hidden"
            self.dirty.update(self.lines_of.get(key, ()))

    def hideable(self, kids: Iterable[NodeKey], parent: NodeKey | None = None) -> list[NodeKey]:
        """Visible, not frozen; the ones to keep visible last, then children before the parent,
        then the smallest first."""
        keys = [*kids, *([parent] if parent is not None else [])]
        return sorted((k for k in keys if not self.hidden(k) and k not in self.frozen),
                      key=lambda k: (self.layout.keep(k), k == parent, self.rank(k)))

    # ---- line by line ---------------------------------------------------------------------

    def _bounds(self, key: NodeKey) -> tuple[int, float]:
        status = self.status[key]
        if status == "shown":
            return self.value[key], self.value[key]
        return (1, self.threshold - 1) if status == "small" else (self.threshold, float("inf"))

    def _pinned(self, parent: NodeKey, kids: list[NodeKey]) -> bool:
        """Whether the bounds of this line (primary counts 1..t-1, complementary ones t or more)
        fix a hidden primary count exactly."""
        p_low, p_high = self._bounds(parent)
        hidden = [k for k in kids if self.hidden(k)]
        known = sum(self.value[k] for k in kids if not self.hidden(k))
        for k in hidden:
            if self.status[k] != "small":
                continue
            others = [self._bounds(o) for o in hidden if o != k]
            own_low, own_high = self._bounds(k)
            top = min(own_high, p_high - known - sum(low for low, _ in others))
            bottom = max(own_low, p_low - known - sum(high for _, high in others))
            if top <= bottom:
                return True
        if self.status[parent] == "small":
            low = known + sum(self._bounds(k)[0] for k in hidden)
            high = known + sum(self._bounds(k)[1] for k in hidden)
            if min(high, p_high) <= max(low, p_low):
                return True
        return False

    def local_pass(self) -> bool:
        changed = False
        for i, (parent, kids) in enumerate(self.lines):
            if i not in self.dirty:
                continue
            self.dirty.discard(i)
            terms = [parent, *kids]
            hidden = [k for k in terms if self.hidden(k)]
            if len(hidden) == 1 or (hidden and self._pinned(parent, kids)):
                visible = self.hideable(kids, parent)
                if visible:  # a line that is all hidden (or frozen) cannot be helped here
                    self.hide(visible[0])
                    changed = True
        return changed

    # ---- globally: no hidden node is a combination of visible ones ------------------------

    def disclosed(self) -> NodeKey | None:
        # Visible finest cells are known numbers; only the hidden ones are unknowns.
        hidden_leaves = [i for i in range(len(self.leaves)) if self.hidden(self._leaf_key(i))]
        if self.layout is not WEEK_LAYOUT:  # a cell's weeks side by side: far less fill-in
            hidden_leaves.sort(key=lambda i: (self.leaves[i][1:], self.leaves[i][0]))
        column = {leaf: c for c, leaf in enumerate(hidden_leaves)}
        basis: dict[int, dict[int, int]] = {}  # pivot column -> row (sparse, mod PRIME, pivot 1)

        def reduce(row: dict[int, int]) -> dict[int, int]:
            row = dict(row)
            columns = list(row)
            heapq.heapify(columns)  # the row's columns, smallest first
            while columns:
                pivot = heapq.heappop(columns)
                if pivot not in row:
                    continue
                base = basis.get(pivot)
                if base is None:
                    return row
                factor = row[pivot]
                for c, v in base.items():
                    nv = (row.get(c, 0) - factor * v) % PRIME
                    if nv:
                        if c not in row:
                            heapq.heappush(columns, c)
                        row[c] = nv
                    else:
                        row.pop(c, None)
            return row

        def vector(key: NodeKey) -> dict[int, int]:
            return {column[i]: 1 for i in self.members[key] if i in column}

        for key in self.order:
            if self.hidden(key):
                continue
            row = reduce(vector(key))
            if row:
                pivot = min(row)
                inverse = pow(row[pivot], PRIME - 2, PRIME)
                basis[pivot] = {c: v * inverse % PRIME for c, v in row.items()}
        # A hidden node follows from the visible ones exactly when its vector lies in their
        # span, that is when it is orthogonal to every vector of their null space. Two random
        # null-space vectors decide that for every node at once (a node outside the span is
        # orthogonal to a random one with probability 1/PRIME, about 4e-19), instead of one
        # elimination per node.
        rng = random.Random(len(hidden_leaves))
        probes = []
        for _ in range(2):
            z = [0] * len(hidden_leaves)
            for c in range(len(hidden_leaves)):
                if c not in basis:
                    z[c] = rng.randrange(1, PRIME)
            for pivot in sorted(basis, reverse=True):
                z[pivot] = -sum(v * z[c] for c, v in basis[pivot].items() if c != pivot) % PRIME
            probes.append(z)
        # Each probe as a value per leaf (0 for a visible one), so a node's test is one sum.
        self._probes = [[z[column[i]] if i in column else 0 for i in range(len(self.leaves))] for z in probes]
        # What must be protected comes first: a small count, or a figure published before.
        # A complementary figure of this table that follows anyway is only shown (see run).
        first = None
        for key in self.order:
            if self.hidden(key) and self._in_span(key):
                if self.status[key] == "small" or key in self.frozen:
                    return key
                first = first or key
        return first

    def _in_span(self, key: NodeKey) -> bool:
        members = self.members[key]
        return all(sum(z[i] for i in members) % PRIME == 0 for z in self._probes)

    def show_what_is_known(self) -> None:
        """A complementary figure that follows exactly from the visible ones protects nothing
        (a sum of published cells, say): show it. Showing a known number adds no knowledge,
        but a sum written out can tighten the bounds an attacker propagates line by line: if a
        small count is pinned then, these figures stay hidden."""
        self.disclosed()
        shown = [key for key in self.order if self.status[key] == "hidden" and key not in self.frozen
                 and key not in self.forced and self._in_span(key)]
        for key in shown:
            self.status[key] = "shown"
        if shown and self.pinned_by_bounds() is not None:
            for key in shown:
                self.status[key] = "hidden"

    def _release(self, key: NodeKey) -> NodeKey | None:
        """A figure shown earlier because it followed from the visible ones, that overlaps `key`:
        hiding the others did not protect `key`, so it is hidden after all (and stays so)."""
        settled = sorted((k for k in self.settled if self.members[k] & self.members[key]),
                         key=lambda k: (self.layout.keep(k), self.rank(k)))
        if not settled:
            return None
        release = settled[0]
        self.settled.discard(release)
        self.frozen.pop(release, None)
        self.forced.add(release)
        return release

    def pinned_by_bounds(self) -> NodeKey | None:
        """A hidden primary count that interval propagation over all equations fixes exactly
        (hidden primaries 0..t-1, complementary t or more, visible ones exact)."""
        big = float("inf")
        lo: list[float] = []
        hi: list[float] = []
        for i in range(len(self.leaves)):
            key = self._leaf_key(i)
            status = self.status[key]
            low, high = {"shown": (self.value[key],) * 2, "small": (0, self.threshold - 1),
                         "hidden": (self.threshold, big)}[status]
            lo.append(low)
            hi.append(high)
        equations = []
        for key in self.order:
            status = self.status[key]
            low, high = {"shown": (self.value[key],) * 2, "small": (0, self.threshold - 1),
                         "hidden": (self.threshold, big)}[status]
            equations.append((sorted(self.members[key]), low, high))
        for _ in range(30):
            changed = False
            for members, low, high in equations:
                sum_lo, sum_hi = sum(lo[m] for m in members), sum(hi[m] for m in members)
                for m in members:
                    new_lo = max(lo[m], low - (sum_hi - hi[m]))
                    new_hi = min(hi[m], high - (sum_lo - lo[m]))
                    if new_lo != lo[m] or new_hi != hi[m]:
                        sum_lo += new_lo - lo[m]
                        sum_hi += new_hi - hi[m]
                        lo[m], hi[m], changed = new_lo, new_hi, True
            if not changed:
                break
        for key in self.order:
            if self.status[key] == "small":
                leaves = self.members[key]
                if sum(lo[m] for m in leaves) >= sum(hi[m] for m in leaves):
                    return key
        return None

    def _leaf_key(self, i: int) -> NodeKey:
        return (self.layout.finest, self.leaves[i])

    def relative_to_hide(self, key: NodeKey) -> NodeKey | None:
        candidates = []
        for parent, kids in self.lines:
            if key in kids or key == parent:
                candidates += self.hideable(kids, parent)[:1]
        if candidates:  # of the best candidate of each line, the one to keep least
            return min(candidates, key=lambda k: (self.layout.keep(k), self.rank(k)))
        overlapping = self.hideable(k for k in self.order if self.members[k] & self.members[key])
        return overlapping[0] if overlapping else None

    def run(self) -> dict[NodeKey, Figure]:
        while True:
            while self.local_pass():
                pass
            found = self.disclosed()
            if found is not None and self.layout is not WEEK_LAYOUT and found not in self.frozen \
                    and found not in self.forced and self.status[found] == "hidden":
                # A complementary figure of this table that follows from what is published anyway:
                # hiding it protects nothing, so show it and look again.
                self.status[found] = self.frozen[found] = "shown"  # not hidden again, unless released
                self.settled.add(found)
                self.dirty.update(self.lines_of.get(found, ()))
                continue
            found = found or self.pinned_by_bounds()
            if found is None:
                break
            extra = self.relative_to_hide(found) or self._release(found)
            if extra is None:  # everything around it is hidden already; nothing more to do
                break
            self.hide(extra)
        if self.layout is not WEEK_LAYOUT:
            self.show_what_is_known()
        return {k: Figure(self.value[k], self.status[k]) for k in self.value}


def publish_table(cells: Mapping, threshold: int, layout: Layout) -> dict:
    """Every figure of one table of another shape (`layout`), suppressed by the same rules; the
    referral outcomes (bot/needs/referral_outcomes.py) use it. Absent keys are zero."""
    return _Week(cells, threshold, layout).run()


def publish_week(cells: Mapping[Leaf, int], threshold: int) -> dict[NodeKey, Figure]:
    """Every figure of one week, keyed by (view, values); absent keys are zero."""
    return _publish_cached(tuple(sorted((leaf, n) for leaf, n in cells.items() if n > 0)), threshold)


@lru_cache(maxsize=512)
def _publish_cached(cells: tuple[tuple[Leaf, int], ...], threshold: int) -> dict[NodeKey, Figure]:
    return _Week(dict(cells), threshold).run()


def publish(counts: Mapping[tuple[str, str, str, str], int], threshold: int) -> dict[str, dict[NodeKey, Figure]]:
    """counts keyed by (week, wijk, intent, outcome) -> the published figures per week."""
    by_week: dict[str, dict[Leaf, int]] = defaultdict(dict)
    for (week, wijk, intent, outcome), n in counts.items():
        by_week[week][(wijk, intent, outcome)] = by_week[week].get((wijk, intent, outcome), 0) + n
    return {week: publish_week(cells, threshold) for week, cells in sorted(by_week.items())}


@dataclass(frozen=True)
class Total:
    """A figure over several weeks: the sum of the weeks' published figures."""
    visible_sum: int
    hidden_parts: int

    def text(self) -> str:
        if not self.hidden_parts:
            return str(self.visible_sum)
        return f"≥ {self.visible_sum}" if self.visible_sum else "x"


def period_total(weeks: Iterable[dict[NodeKey, Figure]], key: NodeKey) -> Total:
    visible, hidden = 0, 0
    for figures in weeks:
        figure = figures.get(key)
        if figure is None:
            continue
        if figure.visible:
            visible += figure.value
        else:
            hidden += 1
    return Total(visible, hidden)


def node(wijk: str | None = None, theme: str | None = None, intent: str | None = None,
         group: str | None = None, outcome: str | None = None, by_wijk: bool | None = None) -> NodeKey:
    """The key of a figure: node(theme="schulden", group="niet_geholpen") etc."""
    topic_level = "intent" if intent else ("theme" if theme else None)
    result_level = "outcome" if outcome else ("group" if group else None)
    wijk_level = "wijk" if wijk else None
    return ((wijk_level, topic_level, result_level), (wijk, intent or theme, outcome or group))


# ---- periods: months, quarters and years -------------------------------------------------
#
# A wijk and theme that is "<10" every week can still hold a clear signal over a month or a
# quarter (23 debt questions in one wijk, never more than 9 in a week). So the dashboard shows
# months, quarters and years. All of them, for one ISO year, are suppressed as ONE table, in
# which the weekly finest cells (what `voordeur needs export` publishes) keep the status they
# got in their week (frozen): the year's figures are chosen so that no hidden figure, weekly
# or not, follows from any combination of what is published for that year, exactly or through
# bounds. The weekly totals are not published any more. Years share no events, so figures of
# different years cannot be combined. When there is a choice, the wijk x theme figures are kept
# visible longest (then theme totals, then wijk and grand totals; finer figures give way first;
# see _period_keep).

TIME_LEVELS = ("year", "quarter", "month", "week")
PERIOD_LEVELS = TIME_LEVELS[:3]
PeriodLeaf = tuple[str, str, str, str]  # (week, wijk, intent, outcome)
PeriodKey = tuple[tuple, tuple]  # ((time, wijk, topic, result) levels, (period, wijk, topic, result))


def _period_keep(key: PeriodKey) -> int:
    time, wijk, topic, result = key[0]
    if time == "week":
        return 0
    if result is not None or topic == "intent":
        view_weight = 0
    else:
        view_weight = {("wijk", "theme"): 3, (None, "theme"): 2}.get((wijk, topic), 1)
    # Between periods the longer one is kept: it holds the signal that weeks and months hide.
    return view_weight * 3 + {"year": 2, "quarter": 1, "month": 0}[time]


@lru_cache(maxsize=1 << 16)
def _project_period(leaf: PeriodLeaf, view: tuple) -> tuple:
    return (periods.containing(leaf[0], view[0]), *project(leaf[1:], view[1:]))


YEAR_LAYOUT = Layout([(t, *view) for t in PERIOD_LEVELS for view in VIEWS] + [("week", *FINEST)],
                     (TIME_LEVELS, WIJK_LEVELS, TOPIC_LEVELS, RESULT_LEVELS), _project_period,
                     ("week", *FINEST), _period_keep)


def publish_year(counts: Mapping[PeriodLeaf, int], year: str, threshold: int) -> dict[PeriodKey, Figure]:
    """Every published figure of one ISO year: its year, quarters and months (keyed by
    ((time level, wijk level, topic level, result level), (period, wijk, topic, result))) and
    the weekly finest cells. `counts` may hold other years too; only this one is used."""
    cells = tuple(sorted((leaf, n) for leaf, n in counts.items()
                         if n > 0 and periods.containing(leaf[0], "year") == year))
    return _publish_year_cached(cells, threshold)


@lru_cache(maxsize=32)
def _publish_year_cached(cells: tuple, threshold: int) -> dict[PeriodKey, Figure]:
    by_week: dict[str, dict[Leaf, int]] = defaultdict(dict)
    for (week, *leaf), n in cells:
        by_week[week][tuple(leaf)] = n
    frozen: dict[PeriodKey, str] = {}
    for week, week_cells in by_week.items():
        for (view, values), figure in publish_week(week_cells, threshold).items():
            if view == FINEST:
                frozen[(("week", *view), (week, *values))] = figure.status
    return _Week(dict(cells), threshold, YEAR_LAYOUT, frozen).run()


def period_node(period: str, wijk: str | None = None, theme: str | None = None, intent: str | None = None,
                group: str | None = None, outcome: str | None = None) -> PeriodKey:
    """The key of a figure over a period: period_node("2026-11", wijk="Noord", theme="zorg")."""
    view, values = node(wijk=wijk, theme=theme, intent=intent, group=group, outcome=outcome)
    return ((periods.level_of(period), *view), (period, *values))
