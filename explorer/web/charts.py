"""Server-side SVG charts: year bars, a year histogram for the facet sidebar, a heat map.

Small hand-written SVG rather than a charting library: the libraries on offer emit
inline ``<style>`` and script, which the Content-Security-Policy forbids, and these charts
need only rectangles and text. Geometry goes in SVG attributes, colours in CSS classes
(static/site.css), every chart carries a ``<title>``/``<desc>`` text alternative and every
bar its own ``<title>`` with the exact figure. All text is escaped here, and the functions
return `Markup` so templates can place them as they are.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

from markupsafe import Markup, escape

HEAT_LEVELS = 6
HEAT_ROW, HEAT_HEAD = 22, 24  # px; static/site.css lines the HTML row labels up with them
HISTOGRAM_LABELS = 6  # at most this many year labels under the sidebar histogram


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _attrs(attrs: Mapping[str, object]) -> str:
    """``{"class_": "bar", "text_anchor": "end"}`` -> ``class="bar" text-anchor="end"``."""
    out = []
    for key, value in attrs.items():
        if value is None:
            continue
        name = _NAMES.get(key) or _NAMES.setdefault(key, key.rstrip("_").replace("_", "-"))
        if isinstance(value, float):
            shown = _num(value)
        elif isinstance(value, int):
            shown = str(value)
        else:
            shown = str(escape(value))
        out.append(f'{name}="{shown}"')
    return " ".join(out)


_NAMES: dict[str, str] = {}


def el(tag: str, content: str | None = None, **attrs: object) -> str:
    """One SVG element; ``content`` must already be escaped markup (or None)."""
    opening = f"<{tag} {_attrs(attrs)}".rstrip()
    return f"{opening}/>" if content is None else f"{opening}>{content}</{tag}>"


def title(text: str, **attrs: object) -> str:
    return el("title", str(escape(text)), **attrs)


def link(href: str | None, content: str, **attrs: object) -> str:
    return el("a", content, href=href, **attrs) if href else content


def _plural(n: int) -> str:
    return f"{n} summary" if n == 1 else f"{n} summaries"


# --------------------------------------------------------------------------- year bars


def year_bars(
    counts: Mapping[int, int],
    years: Sequence[int],
    *,
    chart_id: str,
    title_text: str,
    href: Callable[[int], str] | None = None,
) -> Markup:
    """Vertical bars, one per year, with the year below and the count above each bar."""
    years = list(years)
    if not years:
        return Markup("")
    slot = 40 if len(years) <= 12 else max(24, 480 // len(years))
    left, top, plot_h, bottom = 8, 22, 150, 24
    width, height = left * 2 + slot * len(years), top + plot_h + bottom
    peak = max(counts.get(y, 0) for y in years) or 1
    total = sum(counts.get(y, 0) for y in years)
    figures = ", ".join(f"{y}: {counts.get(y, 0)}" for y in years)
    parts = [
        title(title_text, id=f"{chart_id}-t"),
        el("desc", str(escape(f"{_plural(total)} by year. {figures}.")), id=f"{chart_id}-d"),
        el("line", class_="axis", x1=left, x2=width - left, y1=top + plot_h, y2=top + plot_h),
    ]
    label_every = 1 if slot >= 36 else 2
    for i, year in enumerate(years):
        n = counts.get(year, 0)
        bar_h = plot_h * n / peak
        x, y = left + i * slot + slot * 0.15, top + plot_h - bar_h
        bar = el("rect", title(f"{year}: {_plural(n)}"), class_="bar", x=float(x), y=float(y),
                 width=float(slot * 0.7), height=float(bar_h))
        parts.append(link(href(year) if href and n else None, bar))
        cx = float(left + i * slot + slot / 2)
        if n:
            parts.append(el("text", str(n), class_="value", x=cx, y=float(y - 5),
                            text_anchor="middle"))
        if i % label_every == 0 or i == len(years) - 1:
            # every other label is "minor": phones hide those so the rest stay legible
            minor = " label-minor" if (len(years) - 1 - i) % 2 else ""
            parts.append(el("text", str(year), class_="label" + minor, x=cx,
                            y=top + plot_h + 17, text_anchor="middle"))
    return Markup(el("svg", "".join(parts), id=chart_id, class_="chart chart-years",
                     viewBox=f"0 0 {width} {height}", width=width, height=height, role="img",
                     aria_labelledby=f"{chart_id}-t {chart_id}-d"))


# --------------------------------------------------------------------------- histogram


def label_positions(n: int, most: int) -> list[int]:
    """Which of n evenly spaced bars get a label: the first, every k-th, and the last when
    it is not crowded by the one before, with k chosen so at most `most` labels are shown."""
    if n <= 0:
        return []
    # a year label ("2019") is wider than one bar's slot: never label two bars side by side
    step = max(2 if n > 2 else 1, math.ceil(n / most))
    picks = list(range(0, n, step))
    if picks[-1] != n - 1:
        if n - 1 - picks[-1] < max(2, step // 2 + 1):
            picks[-1] = n - 1
        else:
            picks.append(n - 1)
    return picks


def year_histogram(
    counts: Mapping[int, int],
    years: Sequence[int],
    *,
    chart_id: str,
    selected: tuple[int | None, int | None] = (None, None),
    href: Callable[[int], str] | None = None,
) -> Markup:
    """The facet sidebar's compact histogram: bars inside the chosen range are highlighted.

    Each bar links to that single year; the from/to selects beside it are the accessible
    (and exact) way to choose a range, so the chart itself stays small.
    """
    years = tuple(years)
    if not years:
        return Markup("")
    peak = max(counts.get(y, 0) for y in years) or 1
    lo, hi = selected
    parts = []
    for i, year in enumerate(years):
        n = counts.get(year, 0)
        in_range = (lo is None or year >= lo) and (hi is None or year <= hi)
        label, shapes = _histogram_bar(i, year, n, peak, in_range)
        # what el("a", shapes, href=..., aria_label=label) and el("g", shapes) write,
        # without building attributes from keywords for each of the dozen bars of a page
        if href and n:
            parts.append(f'<a href="{escape(href(year))}" aria-label="{escape(label)}">'
                         f"{shapes}</a>")
        else:
            parts.append(f"<g>{shapes}</g>")
    head, tail = _histogram_frame(years, chart_id)
    return Markup(head + "".join(parts) + tail)


_SLOT, _PLOT_H, _BOTTOM = 22, 56, 18  # px: one bar's slot, the bars' height, the labels'


@lru_cache(maxsize=8192)
def _histogram_bar(i: int, year: int, n: int, peak: int, in_range: bool) -> tuple[str, str]:
    """(label, shapes) of one bar: the same few thousand combinations on every page."""
    bar_h = max(_PLOT_H * math.sqrt(n / peak), 2 if n else 0)
    label = f"{year}: {_plural(n)}"
    shapes = title(label) + el(
        "rect", class_="bar" if in_range else "bar bar-out", x=i * _SLOT + 2,
        y=float(_PLOT_H - bar_h), width=_SLOT - 4, height=float(bar_h),
    ) + el("rect", class_="hit-area", x=i * _SLOT, y=0, width=_SLOT, height=_PLOT_H)
    return label, shapes


@lru_cache(maxsize=256)
def _histogram_frame(years: tuple[int, ...], chart_id: str) -> tuple[str, str]:
    """The ``<svg>`` opening and the year labels with the closing tag: they depend only on
    the years shown (the corpus's span), not on the search."""
    width, height = _SLOT * len(years), _PLOT_H + _BOTTOM
    last = len(years) - 1

    def place(i: int) -> tuple[float, str]:
        # the end labels hug the chart's edges so that they are not cut off
        if i == 0:
            return 2, "start"
        return (width - 2, "end") if i == last else (i * _SLOT + _SLOT / 2, "middle")

    labels = "".join(
        el("text", str(years[i]), class_="label", x=place(i)[0], y=height - 4,
           text_anchor=place(i)[1])
        for i in label_positions(len(years), HISTOGRAM_LABELS))
    svg = el("svg", "\x00", id=chart_id, class_="chart chart-histogram",
             viewBox=f"0 0 {width} {height}", role="group",
             aria_label="Matching blog posts per year posted")
    head, tail = svg.split("\x00")
    return head, labels + tail


# --------------------------------------------------------------------------- heat map


def heat_level(n: int, peak: int) -> int:
    """0 for none, else 1..HEAT_LEVELS-1 on a square-root scale (small counts stay visible)."""
    if n <= 0 or peak <= 0:
        return 0
    return 1 + min(HEAT_LEVELS - 2, int(math.sqrt(n / peak) * (HEAT_LEVELS - 1)))


def heatmap(
    rows: Sequence[str],
    columns: Sequence[int],
    values: Mapping[str, Mapping[int, int]],
    *,
    chart_id: str,
    title_text: str,
    row_href: Callable[[str], str] | None = None,
) -> Markup:
    """Rows (topics) by columns (years), each cell shaded by its count and showing it.

    The row labels are HTML beside the chart rather than SVG text inside it, so that on a
    phone the cells scroll sideways while the topic names stay in view (SVG text cannot be
    made sticky), and long names end in an ellipsis chosen by the browser for the width.
    Label rows and cell rows share `HEAT_HEAD` and `HEAT_ROW` (CSS pixels) to line up.
    """
    if not rows or not columns:
        return Markup("")
    cell_w, cell_h, head = 36, HEAT_ROW, HEAT_HEAD
    width = cell_w * len(columns) + 4
    height = head + cell_h * len(rows) + 4
    peak = max(values.get(r, {}).get(c, 0) for r in rows for c in columns)
    parts = [title(title_text, id=f"{chart_id}-t")]
    for j, year in enumerate(columns):
        parts.append(el("text", str(year), class_="label", x=j * cell_w + cell_w // 2,
                        y=head - 8, text_anchor="middle"))
    labels = []
    for i, row in enumerate(rows):
        y = head + i * cell_h
        name = str(escape(row))
        label = (f'<a href="{escape(row_href(row))}" title="{name}">{name}</a>' if row_href
                 else f'<span title="{name}">{name}</span>')
        labels.append(f'<li class="row-label">{label}</li>')
        for j, year in enumerate(columns):
            n = values.get(row, {}).get(year, 0)
            level = heat_level(n, peak)
            x = j * cell_w
            cell = title(f"{row}, {year}: {_plural(n)}") + el(
                "rect", class_=f"cell heat-{level}", x=x + 1, y=y + 1, width=cell_w - 2,
                height=cell_h - 2, rx=2,
            )
            if n:
                cell += el("text", str(n), class_=f"cell-value heat-text-{level}",
                           x=x + cell_w // 2, y=y + cell_h / 2 + 4.5, text_anchor="middle")
            parts.append(el("g", cell))
    svg = el("svg", "".join(parts), class_="chart chart-heatmap", viewBox=f"0 0 {width} {height}",
             width=width, height=height, role="group", aria_labelledby=f"{chart_id}-t")
    return Markup(
        f'<div class="heatmap" id="{escape(chart_id)}">'
        f'<ul class="heatmap-labels" aria-label="Topics">{"".join(labels)}</ul>'
        f'<div class="heatmap-scroll" tabindex="0" aria-label="{escape(title_text)}">{svg}</div>'
        "</div>"
    )


# --------------------------------------------------------------------------- mini bar


def mini_bar(value: int, peak: int, *, width: int = 120, height: int = 8) -> Markup:
    """A tiny inline bar for lists (decorative: the number is printed beside it)."""
    share = value / peak if peak > 0 else 0
    bar_w = float(max(width * share, 2 if value else 0))
    inner = el("rect", class_="track", x=0, y=0, width=width, height=height, rx=height // 2)
    inner += el("rect", class_="bar", x=0, y=0, width=bar_w, height=height, rx=height // 2)
    return Markup(el("svg", inner, class_="mini-bar", width=width, height=height,
                     viewBox=f"0 0 {width} {height}", preserveAspectRatio="none",
                     aria_hidden="true", focusable="false"))
