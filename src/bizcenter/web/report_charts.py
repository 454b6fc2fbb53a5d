"""Chart geometry for server-rendered SVG: numbers in, coordinates and labels out.

The pages draw charts as inline SVG from these values, with no JavaScript and
no inline style (the Content-Security-Policy forbids both), so a chart works
with scripts off, prints, and is read by screen readers through its title and
the data table beside it. Nothing here touches Django: pure functions, tested
on their own.

It lives in the web door, not in reporting: pixels, CSS class keys and shortened
labels are how a page draws numbers, not what the numbers are (the reporting
services compute those, and the API and CLI never need a chart).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

Number = int | float | Decimal


@dataclass(frozen=True)
class Tick:
    pos: float  # x or y in the SVG's coordinates
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # what a hover or a screen reader gets: "2026-03-01: 1,234.50"


@dataclass(frozen=True)
class Line:
    name: str
    key: str  # a CSS class: its colour comes from the stylesheet
    path: str  # the SVG path's d attribute
    points: list[Point]
    ticks: list[Tick]  # this series' own axis (left for the first, right for the second)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    lines: list[Line]
    x_ticks: list[Tick]
    markers: bool  # few enough points to draw each one
    # The same chart drawn for a phone: drawn 1:1 at about 340 px wide, so its labels
    # stay 12 px where the wide one, scaled down, would print them at 5 (issue 21).
    small: LineChart | None = None

    @property
    def plot_width(self) -> float:
        return self.right - self.left


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    label: str
    value: str
    text_y: float  # baseline of the bar's labels
    value_x: float
    name: str = ""  # the label in full, for the bar's title


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: float  # where bars start; labels end here
    bar_height: float
    bars: list[Bar]
    small: BarChart | None = None  # the phone's version, as for the line chart


def nice_step(span: float, count: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that cuts ``span`` into
    about ``count`` parts, so axis labels read 0, 250, 500 and not 0, 233, 466."""
    if span <= 0:
        return 1.0
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def nice_ticks(top: Number, count: int = 4, *, whole: bool = False) -> list[float]:
    """From 0 up to the first round value at or above ``top``; ``whole`` for things
    counted in units (conversions), which have no 0.25 mark."""
    high = float(top)
    if high <= 0:
        return [0.0, 1.0]
    step = nice_step(high, count)
    if whole:
        step = max(1.0, math.ceil(step))
    steps = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(steps + 1)]


def compact(value: Number) -> str:
    """Short axis labels: 950, 1.5k, 12k, 3.4M."""
    number = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= limit:
            scaled = number / limit
            text = f"{scaled:.1f}" if abs(scaled) < 10 else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    if number == int(number):
        return str(int(number))
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _label_every(count: int, most: int) -> int:
    return max(1, math.ceil(count / most))


# The phone's charts: as wide as a 375 px screen leaves for them, so drawn unscaled.
SMALL_WIDTH = 340


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[Number]]],
               *, width: int = 720, height: int = 260, value_format: Sequence[str] = (),
               max_x_labels: int = 8, max_markers: int = 62, margin: float = 56.0,
               small: bool = True) -> LineChart:
    """Lines over time, each on its own scale: the first on the left axis, the second on
    the right (spend in money and conversions in units have nothing in common but time).

    ``series`` is (name, css key, values), each as long as ``labels``;
    ``value_format`` holds a format per series for point labels (default ``{:,}``).
    ``small`` adds the phone's version: narrower, three date labels, fewer markers.
    """
    left, right, top, bottom = margin, width - margin, 16.0, height - 32.0
    count = len(labels)
    span_x = right - left

    def x_at(i: int) -> float:
        return left + span_x / 2 if count == 1 else left + span_x * i / (count - 1)

    lines = []
    for n, (name, key, values) in enumerate(series):
        if len(values) != count:
            raise ValueError(f"series {name} has {len(values)} values for {count} labels")
        whole = all(isinstance(v, int) for v in values)
        ticks = nice_ticks(max((float(v) for v in values), default=0.0), whole=whole)
        high = ticks[-1]
        fmt = value_format[n] if n < len(value_format) else "{:,}"
        points = [Point(round(x_at(i), 1), round(bottom - (bottom - top) * float(v) / high, 1),
                        f"{labels[i]}: {fmt.format(v)}") for i, v in enumerate(values)]
        path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(points))
        axis = [Tick(round(bottom - (bottom - top) * t / high, 1), compact(t)) for t in ticks]
        lines.append(Line(name, key, path, points, axis))
    every = _label_every(count, max_x_labels)
    x_ticks = [Tick(round(x_at(i), 1), labels[i]) for i in range(0, count, every)]
    phone = line_chart(labels, series, width=SMALL_WIDTH, height=220,
                       value_format=value_format, max_x_labels=3, max_markers=31,
                       margin=40.0, small=False) if small else None
    return LineChart(width, height, left, top, right, bottom, lines, x_ticks,
                     markers=count <= max_markers, small=phone)


def shorten(text: str, most: int = 28) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def bar_chart(items: Sequence[tuple[str, Number]], *, width: int = 720, label_width: int = 220,
              bar_height: int = 22, gap: int = 10, value_format: str = "{:,}",
              label_most: int = 28, small: bool = True) -> BarChart:
    """Horizontal bars, largest value the full width: names stay readable however long
    the list, and the longest bar is the one to look at."""
    left = float(label_width)
    room = width - left - 90.0  # the value is written after the bar
    high = max((float(v) for _, v in items), default=0.0)
    bars = []
    for i, (label, value) in enumerate(items):
        y = gap / 2 + i * (bar_height + gap)
        length = room * float(value) / high if high > 0 else 0.0
        bars.append(Bar(y=float(y), width=round(max(length, 1.0 if value else 0.0), 1),
                        label=shorten(label, label_most), value=value_format.format(value),
                        text_y=round(y + bar_height * 0.7, 1),
                        value_x=round(left + length + 6, 1), name=label))
    height = len(items) * (bar_height + gap)
    phone = bar_chart(items, width=SMALL_WIDTH, label_width=118, value_format=value_format,
                      label_most=15, small=False) if small else None
    return BarChart(width, height, left, float(bar_height), bars, small=phone)
