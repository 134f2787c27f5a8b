"""Charts drawn on the server as SVG (issue 16): no CDN, no JavaScript.

A chart is built from plain data (category labels and named series of numbers) into a
`Chart` holding its geometry (bars, line points, axis ticks) in a fixed drawing box;
`agency/charts/chart.html` draws it as an inline `<svg>` that scales to its container
(`viewBox`), with a title for assistive technology, a legend, and the same numbers in a
table under a `<details>`. Colours come from the stylesheet (`--chart-1` … in
static/css/app.css) through the classes `c0`, `c1`, … of each series.

Each drawn bar and point carries its figures as data attributes (`data-series`,
`data-label`, `data-value`) so tests and readers can check what is drawn.

Kinds: `bar_chart` (one series, or several stacked, or side by side) and `line_chart`
(several series over the same categories; a missing value (None) breaks the line).
This module depends on Django only: it knows nothing of the apps that feed it."""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

Number = int | float | Decimal

# the drawing box (user units of the viewBox); the SVG is scaled to its container's width
WIDTH = 420
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 50, 8, 12, 28
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM
COLOURS = 6  # c0 … c5 in the stylesheet; more series reuse them

FORMATS = ("int", "money", "percent")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number | None]


@dataclass(frozen=True)
class Point:
    """A value drawn: a line's point, or a bar's top-left corner."""
    x: float
    y: float
    colour: int
    series: str
    label: str
    value: str  # the figure as data (plain, no grouping): "1234.50", "37"
    text: str  # the figure as shown: "¥1,234.50"


@dataclass(frozen=True)
class Bar(Point):
    width: float
    height: float


@dataclass(frozen=True)
class Path:
    colour: int
    series: str
    d: str  # the SVG path ("M x y L x y …"), broken where a value is missing


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class AxisLabel:
    x: float
    text: str


@dataclass(frozen=True)
class LegendItem:
    colour: int
    name: str


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[str]
    total: str | None


@dataclass
class Chart:
    kind: str  # "bar" or "line"
    title: str
    testid: str
    labels: list[str]
    series_names: list[str]
    value_format: str
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM
    bars: list[Bar] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    axis_labels: list[AxisLabel] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    show_total: bool = False
    empty: bool = False
    note: str = ""  # a line under the chart (what is counted)
    category: str = ""  # the table's first column ("Month")

    @property
    def period(self) -> str:
        return f"{self.labels[0]} – {self.labels[-1]}" if self.labels else ""

    @property
    def summary(self) -> str:
        """The accessible name: the title and the period."""
        return f"{self.title} ({self.period})" if self.labels else self.title


# --- months --------------------------------------------------------------------------------

def last_months(today: datetime.date, n: int = 12) -> list[datetime.date]:
    """The first days of the `n` months up to and including `today`'s, oldest first."""
    out = [today.replace(day=1)]
    while len(out) < n:
        out.append((out[-1] - datetime.timedelta(days=1)).replace(day=1))
    return out[::-1]


def month_end(month: datetime.date) -> datetime.date:
    """The last day of `month`'s month."""
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - \
        datetime.timedelta(days=1)


def month_labels(months: Sequence[datetime.date]) -> tuple[list[str], list[str]]:
    """(table labels "2026-01", axis labels "1" … "12"): the axis shows the month's number
    only, to stay legible on a phone; the chart's caption gives the period."""
    return [f"{m:%Y-%m}" for m in months], [str(m.month) for m in months]


# --- numbers -------------------------------------------------------------------------------

def nice_scale(top: float, *, ticks: int = 4, integer: bool = False) -> tuple[float, float]:
    """The axis' top and step: a round step (1, 2, 2.5 or 5 × 10^k; whole numbers for
    counts) so that `ticks` steps reach `top` or just above it. An empty scale is 0..1
    (or 0..ticks for counts)."""
    if top <= 0:
        return (float(ticks), 1.0) if integer else (1.0, 0.25)
    raw = top / ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        step = m * mag
        if integer and step != int(step):
            continue
        if step * ticks >= top:
            break
    if integer:
        step = max(1.0, float(step))
    return step * ticks, float(step)


def _plain(value: Number) -> str:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, float):
        return f"{value:g}" if value != int(value) else str(int(value))
    return str(value)


def format_value(value: Number | None, value_format: str) -> str:
    """A figure as the table shows it."""
    if value is None:
        return "—"
    if value_format == "money":
        return f"¥{Decimal(value):,.2f}"
    if value_format == "percent":
        return f"{float(value):.0f}%"
    return f"{int(value):,}"


def format_tick(value: float, value_format: str) -> str:
    """An axis figure, short: ¥ amounts in 万 (zh) or k (other languages)."""
    if value_format == "percent":
        return f"{value:g}%"
    if value_format == "money":
        if value == 0:
            return "0"
        if (get_language() or "").lower().startswith("zh"):
            return f"{value / 10000:g}万" if value >= 10000 else f"{value:g}"
        return f"{value / 1000:g}k" if value >= 1000 else f"{value:g}"
    return f"{value:,.0f}"


def _rounded(v: float) -> float:
    return round(v, 1)


# --- building ------------------------------------------------------------------------------

def _frame(chart: Chart, top: float, step: float, n: int,
           axis_labels: Sequence[str] | None) -> float:
    """Ticks and category labels; returns the width of one category band."""
    k = 0
    while k * step <= top + 1e-9:
        y = chart.plot_bottom - (k * step / top) * PLOT_H
        chart.ticks.append(Tick(y=_rounded(y), text=format_tick(k * step, chart.value_format)))
        k += 1
    band = PLOT_W / n if n else PLOT_W
    shown = list(axis_labels) if axis_labels is not None else chart.labels
    for i, text in enumerate(shown):
        chart.axis_labels.append(AxisLabel(x=_rounded(LEFT + band * (i + .5)), text=text))
    return band


def _check(labels: Sequence[str], series: Sequence[Series], value_format: str) -> None:
    if value_format not in FORMATS:
        raise ValueError(f"value_format must be one of {FORMATS}")
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for "
                             f"{len(labels)} labels")


def _mark(chart: Chart, j: int, s: Series, label: str, value: Number, *, x: float,
          top: float, base: float = 0.0, clamp: bool = False) -> tuple[Point, float]:
    """Series `j`'s `value` at `label` placed on the axis 0…`top`, at `x`: its `Point` (x
    and the y of its top, rounded to the drawing's precision; colour, names; the figure as
    data and as text), and its height, unrounded (a stack's next bar starts there). It
    stands on `base` (a stacked bar's bottom); `clamp` cuts it at `top` (a line's point
    stays in the box)."""
    h = (min(float(value), top) if clamp else float(value)) / top * PLOT_H
    return Point(x=_rounded(x), y=_rounded(chart.plot_bottom - (base + h)), colour=j % COLOURS,
                 series=s.name, label=label, value=_plain(value),
                 text=format_value(value, chart.value_format)), h


def _table(chart: Chart, series: Sequence[Series], totals: bool) -> None:
    for i, label in enumerate(chart.labels):
        values = [s.values[i] for s in series]
        total = (format_value(sum((v for v in values if v is not None), Decimal(0)
                                  if chart.value_format == "money" else 0),
                              chart.value_format) if totals else None)
        chart.rows.append(Row(label=label, cells=[format_value(v, chart.value_format)
                                                  for v in values], total=total))


def bar_chart(*, title: str, testid: str, labels: Sequence[str], series: Sequence[Series],
              value_format: str = "int", stacked: bool = True,
              axis_labels: Sequence[str] | None = None, note: str = "") -> Chart:
    """Bars per category: several series stacked (with a total column in the table) or
    side by side (`stacked=False`). Missing values count as 0."""
    _check(labels, series, value_format)
    chart = Chart(kind="bar", title=title, testid=testid, labels=list(labels),
                  series_names=[s.name for s in series], value_format=value_format,
                  show_total=stacked and len(series) > 1, note=note, category=_("Month"))
    n = len(labels)
    sums = [sum(float(s.values[i] or 0) for s in series) for i in range(n)]
    peak = (max(sums, default=0) if stacked else
            max((float(v or 0) for s in series for v in s.values), default=0))
    chart.empty = peak == 0
    top, step = nice_scale(peak, integer=value_format == "int")
    band = _frame(chart, top, step, n, axis_labels)
    group = band * .7
    width = group if stacked else group / max(1, len(series))
    for i, label in enumerate(labels):
        base = 0.0
        for j, s in enumerate(series):
            value = s.values[i]
            x = LEFT + band * i + (band - group) / 2 + (0 if stacked else j * width)
            point, h = _mark(chart, j, s, label, 0 if value is None else value, x=x, top=top,
                             base=base)
            chart.bars.append(Bar(**vars(point), width=_rounded(width), height=_rounded(h)))
            if stacked:
                base += h
    chart.legend = [LegendItem(colour=j % COLOURS, name=s.name) for j, s in enumerate(series)]
    _table(chart, series, totals=chart.show_total)
    return chart


def line_chart(*, title: str, testid: str, labels: Sequence[str], series: Sequence[Series],
               value_format: str = "int", y_max: float | None = None,
               axis_labels: Sequence[str] | None = None, note: str = "") -> Chart:
    """A line per series over the categories, a point at each known value; a missing value
    (None: nothing to measure that month) leaves a gap. `y_max` fixes the axis' top
    (100 for percentages)."""
    _check(labels, series, value_format)
    chart = Chart(kind="line", title=title, testid=testid, labels=list(labels),
                  series_names=[s.name for s in series], value_format=value_format,
                  note=note, category=_("Month"))
    known = [float(v) for s in series for v in s.values if v is not None]
    chart.empty = not known
    if y_max is not None:
        top, step = float(y_max), float(y_max) / 4
    else:
        top, step = nice_scale(max(known, default=0), integer=value_format == "int")
    band = _frame(chart, top, step, len(labels), axis_labels)
    for j, s in enumerate(series):
        parts: list[str] = []
        pen_down = False
        for i, (label, value) in enumerate(zip(labels, s.values, strict=True)):
            if value is None:
                pen_down = False
                continue
            point, _h = _mark(chart, j, s, label, value, x=LEFT + band * (i + .5), top=top,
                              clamp=True)
            chart.points.append(point)
            parts.append(f"{'L' if pen_down else 'M'}{point.x:g} {point.y:g}")
            pen_down = True
        chart.paths.append(Path(colour=j % COLOURS, series=s.name, d=" ".join(parts)))
    chart.legend = [LegendItem(colour=j % COLOURS, name=s.name) for j, s in enumerate(series)]
    _table(chart, series, totals=False)
    return chart
