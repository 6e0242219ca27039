"""Server-side SVG charts for the dashboard: no JavaScript, no external assets. Hidden figures
are drawn as an open, dashed bar with their label ("<10" or "x"), never as a number."""

from __future__ import annotations

from markupsafe import Markup, escape

from bot.needs.suppress import Figure, label

PALETTE = ["#1b6ca8", "#d1495b", "#edae49", "#00798c", "#6a4c93", "#7a7a7a"]
HEIGHT, TOP, BOTTOM, LEFT = 230, 34, 28, 36


def _nice_max(value: float) -> int:
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step:
            return step
    return int(value) + 1


def bar_chart(title: str, categories: list[str], series: list[tuple[str, list[Figure | None]]], threshold: int,
              stacked: bool = False) -> Markup:
    """Grouped (or stacked) bars per category; series are (name, figures per category)."""
    n_series = max(1, len(series))
    group = max(28, (14 if stacked else 12 * n_series) + 10)
    legend_width = LEFT + sum(22 + 7 * len(name) for name, _ in series)
    width = max(LEFT + group * len(categories) + 10, legend_width, 360)
    plot_h = HEIGHT - TOP - BOTTOM

    def shown(f: Figure | None) -> int:
        return f.value if f is not None and f.visible else 0

    def hidden_height(f: Figure | None) -> int:
        return threshold if f is not None and not f.visible else 0

    if stacked:
        peak = max([sum(shown(s[1][i]) + hidden_height(s[1][i]) for s in series) for i in range(len(categories))] or [1])
    else:
        peak = max([shown(f) + hidden_height(f) for _, figs in series for f in figs] or [1])
    top = _nice_max(max(peak, 1))

    def y(v: float) -> float:
        return TOP + plot_h - plot_h * v / top

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {HEIGHT}" '
             f'width="100%" style="max-width:{width * 1.6:.0f}px" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for tick in (0, top // 2, top):  # grid and axis labels
        parts.append(f'<line x1="{LEFT}" x2="{width - 6}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>'
                     f'<text x="{LEFT - 4}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end">{tick}</text>')
    legend_x = LEFT
    for s_index, (name, _) in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        parts.append(f'<rect x="{legend_x}" y="6" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{legend_x + 14}" y="15" font-size="11">{escape(name)}</text>')
        legend_x += 22 + 7 * len(name)
    for c_index, category in enumerate(categories):
        x0 = LEFT + c_index * group + 5
        base = 0.0
        for s_index, (name, figures) in enumerate(series):
            figure = figures[c_index]
            colour = PALETTE[s_index % len(PALETTE)]
            x = x0 if stacked else x0 + s_index * 12
            bar_w = 14 if stacked else 10
            text = label(figure, threshold)
            if figure is not None and not figure.visible:
                h = threshold
                attrs = f'fill="white" stroke="{colour}" stroke-dasharray="3 2"'
            else:
                h = shown(figure)
                attrs = f'fill="{colour}"'
            if h:
                y_top = y(base + h)
                parts.append(f'<rect x="{x}" y="{y_top:.1f}" width="{bar_w}" height="{y(base) - y_top:.1f}" {attrs}>'
                             f'<title>{escape(category)} · {escape(name)}: {escape(text)}</title></rect>')
                if figure is not None and not figure.visible:
                    parts.append(f'<text x="{x + bar_w / 2}" y="{y_top - 2:.1f}" font-size="8" text-anchor="middle">'
                                 f'{escape(text)}</text>')
            if stacked:
                base += h
        parts.append(f'<text x="{x0 + (group - 10) / 2:.1f}" y="{HEIGHT - 10}" font-size="10" text-anchor="middle">'
                     f'{escape(category[-3:])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
