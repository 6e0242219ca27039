"""Server-side SVG bar charts for the dashboard: no JavaScript, no external assets.

A published count is a solid bar. A hidden count is drawn as what is known of it, a range:
"<10" as a light band with whiskers from 1 to 9, "x" (10 or more) as a band from 10 with an
arrow up, because its upper end is not published. Never a bar of made-up height."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from bot.needs.suppress import Figure, label

# Each colour has at least 3:1 contrast against white (WCAG 1.4.11, graphics).
PALETTE = ["#1b6ca8", "#b3263a", "#8a5a00", "#00707f", "#6a4c93", "#5a5a5a"]
HEIGHT, TOP, BOTTOM, LEFT = 240, 40, 30, 40
BAR, GAP = 14, 3


@dataclass(frozen=True)
class Bar:
    """What is known of one count: exactly `low` when high == low; between low and high when
    high is a number; at least low when high is None."""
    low: int
    high: int | None
    text: str

    @property
    def exact(self) -> bool:
        return self.high == self.low


def bar_of(figure: Figure | None, threshold: int) -> Bar:
    if figure is None:
        return Bar(0, 0, "0")
    if figure.visible:
        return Bar(figure.value, figure.value, str(figure.value))
    if figure.status == "small":
        return Bar(1, threshold - 1, label(figure, threshold))
    return Bar(threshold, None, f"≥{threshold}")


def _nice_max(value: float) -> int:
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if value <= step:
            return step
    return int(value) + 1


def _legend_rows(names: list[str], width: int) -> list[list[tuple[int, str]]]:
    """The legend's entries (x, name), wrapped into rows no wider than the chart, so many series
    do not make the chart wide (and tiny on a phone)."""
    rows: list[list[tuple[int, str]]] = [[]]
    x = LEFT
    for name in names:
        step = 26 + 7 * len(name)
        if rows[-1] and x + step > width:
            rows.append([])
            x = LEFT
        rows[-1].append((x, name))
        x += step
    return rows


def _group_width(categories: list[str], n_series: int) -> int:
    # Wide enough for its label (about 6.5 px a character at 11 px), so a long name is not cut off.
    return max(n_series * (BAR + GAP) + 14, max((round(6.5 * len(c)) + 10 for c in categories), default=0))


def chart_width(categories: list[str], names: list[str]) -> int:
    """The chart's own width in px (the legend wraps to it)."""
    group = _group_width(categories, max(1, len(names)))
    return max(LEFT + group * len(categories) + 10, 360, max((LEFT + 26 + 7 * len(n) for n in names), default=0))


def bar_chart(title: str, categories: list[str], series: list[tuple[str, list[Bar]]],
              readable_width: bool = False) -> Markup:
    """Grouped bars: one group per category, one bar per series. With `readable_width` the chart
    is never drawn narrower than 80% of its size (its box scrolls instead), so its text stays
    readable on a phone."""
    n_series = max(1, len(series))
    group = _group_width(categories, n_series)
    width = chart_width(categories, [name for name, _ in series])
    legend = _legend_rows([name for name, _ in series], width)
    top_margin = TOP + 18 * (len(legend) - 1)
    height = HEIGHT + top_margin - TOP
    plot_h = height - top_margin - BOTTOM
    peak = max([b.high if b.high is not None else b.low * 1.5 for _, bars in series for b in bars] or [1])
    top = _nice_max(max(peak, 1))

    def y(v: float) -> float:
        return top_margin + plot_h - plot_h * min(v, top) / top

    min_width = f";min-width:{width * 0.8:.0f}px" if readable_width else ""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" style="max-width:{width * 1.6:.0f}px{min_width}" aria-label="{escape(title)}">'
             f'<title>{escape(title)}</title>']
    for tick in (0, top // 2, top):
        parts.append(f'<line x1="{LEFT}" x2="{width - 6}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#c8c8c8"/>'
                     f'<text x="{LEFT - 4}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end">{tick}</text>')
    s_index = 0
    for row_index, row in enumerate(legend):
        for legend_x, name in row:
            colour = PALETTE[s_index % len(PALETTE)]
            row_y = 6 + 18 * row_index
            parts.append(f'<rect x="{legend_x}" y="{row_y}" width="12" height="12" fill="{colour}"/>'
                         f'<text x="{legend_x + 16}" y="{row_y + 10}" font-size="12">{escape(name)}</text>')
            s_index += 1
    for c_index, category in enumerate(categories):
        x0 = LEFT + c_index * group + 8
        bars_x0 = x0 + (group - 14 - n_series * (BAR + GAP)) / 2  # the bars centred over the label
        for s_index, (name, bars) in enumerate(series):
            bar = bars[c_index]
            colour = PALETTE[s_index % len(PALETTE)]
            x = bars_x0 + s_index * (BAR + GAP)
            tip = f"<title>{escape(category)} · {escape(name)}: {escape(bar.text)}</title>"
            if bar.exact:
                if bar.low:
                    parts.append(f'<rect class="bar" x="{x}" y="{y(bar.low):.1f}" width="{BAR}" '
                                 f'height="{y(0) - y(bar.low):.1f}" fill="{colour}">{tip}</rect>')
                continue
            high = bar.high if bar.high is not None else min(top, max(bar.low * 1.5, bar.low + top / 6))
            mid = x + BAR / 2
            parts.append(f'<g class="range">{tip}'
                         f'<rect x="{x}" y="{y(high):.1f}" width="{BAR}" height="{y(bar.low) - y(high):.1f}" '
                         f'fill="{colour}" fill-opacity="0.18" stroke="{colour}"/>'
                         f'<line x1="{x}" x2="{x + BAR}" y1="{y(bar.low):.1f}" y2="{y(bar.low):.1f}" '
                         f'stroke="{colour}" stroke-width="2"/>')
            if bar.high is not None:
                parts.append(f'<line x1="{x}" x2="{x + BAR}" y1="{y(high):.1f}" y2="{y(high):.1f}" '
                             f'stroke="{colour}" stroke-width="2"/>')
            else:  # no upper end: an arrow up
                parts.append(f'<path d="M{mid - 4:.1f},{y(high) + 5:.1f} L{mid:.1f},{y(high) - 2:.1f} '
                             f'L{mid + 4:.1f},{y(high) + 5:.1f}" fill="none" stroke="{colour}" stroke-width="2"/>')
            # Written upwards from the top of the range: side by side, "<10<10<10" never overlaps.
            parts.append(f'<text x="{mid + 3.5:.1f}" y="{y(high) - 4:.1f}" font-size="10" '
                         f'transform="rotate(-90 {mid + 3.5:.1f} {y(high) - 4:.1f})">{escape(bar.text)}</text></g>')
        parts.append(f'<text x="{x0 + (group - 14) / 2:.1f}" y="{height - 10}" font-size="11" text-anchor="middle">'
                     f'{escape(category)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
