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

import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from bot.taxonomy import themes_by_intent

DEFAULT_MIN_CELL = 10
PRIME = (1 << 61) - 1

# "Buiten openingstijden" is its own group: the resident got a number and an address, but
# could not be helped right away; neither helped nor not helped.
GROUPS = {"met": "geholpen", "no_local_service": "niet_geholpen", "waiting_list": "niet_geholpen",
          "not_helped": "niet_geholpen", "out_of_hours": "buiten_openingstijden", "declined": "overig",
          "out_of_scope": "overig"}

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
    raw = (env if env is not None else os.environ).get("VOORDEUR_MIN_CELL", "")
    try:
        value = int(raw)
    except ValueError:
        return DEFAULT_MIN_CELL
    return max(2, value)


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


def project(leaf: Leaf, view: View) -> Values:
    wijk, intent, outcome = leaf
    topic = {None: None, "theme": themes_by_intent().get(intent, "gesprek"), "intent": intent}[view[1]]
    result = {None: None, "group": GROUPS.get(outcome, "overig"), "outcome": outcome}[view[2]]
    return (wijk if view[0] else None, topic, result)


class _Week:
    def __init__(self, cells: Mapping[Leaf, int], threshold: int):
        self.threshold = threshold
        self.leaves = sorted(leaf for leaf, n in cells.items() if n > 0)
        index = {leaf: i for i, leaf in enumerate(self.leaves)}
        members: dict[NodeKey, set[int]] = defaultdict(set)
        value: dict[NodeKey, int] = defaultdict(int)
        for leaf in self.leaves:
            for view in VIEWS:
                key = (view, project(leaf, view))
                members[key].add(index[leaf])
                value[key] += cells[leaf]
        self.members = {k: frozenset(v) for k, v in members.items()}
        self.value = dict(value)
        self.order = sorted(self.value, key=self.rank)
        self.status = {k: ("small" if self.value[k] < threshold else "shown") for k in self.value}
        # The equations: parent = sum of its children one level finer along one axis.
        children: dict[tuple[NodeKey, int], list[NodeKey]] = defaultdict(list)
        for key in self.value:
            view, values = key
            for axis in range(3):
                levels = (WIJK_LEVELS, TOPIC_LEVELS, RESULT_LEVELS)[axis]
                i = levels.index(view[axis])
                if i == 0:
                    continue
                coarser = list(view)
                coarser[axis] = levels[i - 1]
                leaf_index = next(iter(self.members[key]))
                parent = (tuple(coarser), project(self.leaves[leaf_index], tuple(coarser)))
                children[(parent, axis)].append(key)
        self.lines = [(parent, sorted(kids, key=self.rank)) for (parent, _), kids in sorted(
            children.items(), key=lambda item: (self.rank(item[0][0]), item[0][1]))]

    def rank(self, key: NodeKey) -> tuple:
        view, values = key
        return (self.value[key], len(self.members[key]), tuple(str(v) for v in view), tuple(str(v) for v in values))

    def hidden(self, key: NodeKey) -> bool:
        return self.status[key] != "shown"

    def hide(self, key: NodeKey) -> None:
        if self.status[key] == "shown":
            self.status[key] = "hidden"

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
        for parent, kids in self.lines:
            terms = [parent, *kids]
            hidden = [k for k in terms if self.hidden(k)]
            if len(hidden) == 1 or (hidden and self._pinned(parent, kids)):
                visible = [k for k in kids if not self.hidden(k)] + ([] if self.hidden(parent) else [parent])
                if visible:  # a line that is all hidden already cannot be helped here
                    self.hide(visible[0])
                    changed = True
        return changed

    # ---- globally: no hidden node is a combination of visible ones ------------------------

    def disclosed(self) -> NodeKey | None:
        # Visible finest cells are known numbers; only the hidden ones are unknowns.
        hidden_leaves = [i for i in range(len(self.leaves)) if self.hidden(self._leaf_key(i))]
        column = {leaf: c for c, leaf in enumerate(hidden_leaves)}
        basis: dict[int, dict[int, int]] = {}  # pivot column -> row (sparse, mod PRIME, pivot 1)

        def reduce(row: dict[int, int]) -> dict[int, int]:
            row = dict(row)
            while row:
                pivot = min(row)
                base = basis.get(pivot)
                if base is None:
                    return row
                factor = row[pivot]
                for c, v in base.items():
                    nv = (row.get(c, 0) - factor * v) % PRIME
                    if nv:
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
        for key in self.order:
            if self.hidden(key) and not reduce(vector(key)):
                return key
        return None

    def pinned_by_bounds(self) -> NodeKey | None:
        """A hidden primary count that interval propagation over all equations fixes exactly
        (hidden primaries 0..t-1, complementary t or more, visible ones exact)."""
        big = float("inf")
        lo, hi = [], []
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
                members = self.members[key]
                if sum(lo[m] for m in members) >= sum(hi[m] for m in members):
                    return key
        return None

    def _leaf_key(self, i: int) -> NodeKey:
        return (FINEST, self.leaves[i])

    def relative_to_hide(self, key: NodeKey) -> NodeKey | None:
        for parent, kids in self.lines:
            if key in kids or key == parent:
                for k in [*kids, parent]:
                    if not self.hidden(k):
                        return k
        overlapping = [k for k in self.order if not self.hidden(k) and self.members[k] & self.members[key]]
        return overlapping[0] if overlapping else None

    def run(self) -> dict[NodeKey, Figure]:
        while True:
            while self.local_pass():
                pass
            found = self.disclosed() or self.pinned_by_bounds()
            if found is None:
                break
            extra = self.relative_to_hide(found)
            if extra is None:  # everything around it is hidden already; nothing more to do
                break
            self.hide(extra)
        return {k: Figure(self.value[k], self.status[k]) for k in self.value}


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
