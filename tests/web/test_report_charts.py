"""Chart geometry: round axis steps, points where the values put them, bars to scale."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bizcenter.web.report_charts import (
    bar_chart,
    compact,
    line_chart,
    nice_step,
    nice_ticks,
    shorten,
)


@pytest.mark.parametrize(("span", "step"), [
    (100, 25), (1000, 250), (7, 2), (10, 2.5), (1, 0.25), (0.3, 0.1), (123456, 50000),
])
def test_nice_steps(span, step):
    assert nice_step(span) == pytest.approx(step)


def test_ticks_start_at_zero_and_reach_the_top():
    assert nice_ticks(930) == [0, 250, 500, 750, 1000]
    assert nice_ticks(1000) == [0, 250, 500, 750, 1000]
    assert nice_ticks(Decimal("3.5")) == [0, 1, 2, 3, 4]
    assert nice_ticks(0) == [0, 1]  # an empty chart still has an axis
    # Counted things have no 0.25 mark.
    assert nice_ticks(2) == [0, 0.5, 1, 1.5, 2]
    assert nice_ticks(2, whole=True) == [0, 1, 2]
    assert nice_ticks(3, whole=True) == [0, 1, 2, 3]


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (950, "950"), (1500, "1.5k"), (12000, "12k"), (3_400_000, "3.4M"),
    (2_000_000_000, "2B"), (0.25, "0.25"), (Decimal("250.0"), "250"), (1000, "1k"),
])
def test_compact_labels(value, text):
    assert compact(value) == text


def test_line_chart_puts_points_on_their_own_axis():
    chart = line_chart(["d1", "d2", "d3"], [("Spend", "spend", [0, 50, 100]),
                                             ("Conversions", "conversions", [4, 2, 0])],
                       width=400, height=200)
    spend, conversions = chart.lines
    # First point at the left edge, last at the right; 0 on the bottom, the top tick on top.
    assert [p.x for p in spend.points] == [chart.left, (chart.left + chart.right) / 2,
                                           chart.right]
    assert spend.points[0].y == chart.bottom and spend.points[2].y == chart.top
    assert spend.path == (f"M{chart.left},{chart.bottom} L200.0,{(chart.top + chart.bottom) / 2}"
                          f" L{chart.right},{chart.top}")
    # Conversions' scale is its own: 4 is the top of the right axis.
    assert conversions.points[0].y == chart.top
    assert [t.label for t in conversions.ticks] == ["0", "1", "2", "3", "4"]
    assert [t.label for t in spend.ticks] == ["0", "25", "50", "75", "100"]
    assert spend.ticks[0].pos == chart.bottom and spend.ticks[-1].pos == chart.top
    assert spend.points[1].label == "d2: 50"
    assert chart.markers


def test_line_chart_labels_at_most_a_few_days_and_skips_markers_on_long_ranges():
    labels = [f"day {i}" for i in range(365)]
    chart = line_chart(labels, [("Spend", "spend", [1] * 365)], max_x_labels=8)
    assert len(chart.x_ticks) <= 8 and chart.x_ticks[0].label == "day 0"
    assert not chart.markers


def test_line_chart_of_one_point_and_of_nothing():
    one = line_chart(["only"], [("Spend", "spend", [Decimal("12.5")])],
                     value_format=("{:,.2f} GBP",))
    [point] = one.lines[0].points
    assert point.x == (one.left + one.right) / 2 and point.label == "only: 12.50 GBP"
    assert one.markers  # a single point must be drawn: a path of one point shows nothing
    empty = line_chart([], [("Spend", "spend", [])])
    assert empty.lines[0].path == "" and empty.x_ticks == []


def test_line_chart_refuses_series_of_the_wrong_length():
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        line_chart(["a", "b", "c"], [("Spend", "spend", [1, 2])])


def test_bars_are_to_scale_and_long_names_are_shortened():
    chart = bar_chart([("Spring sale", Decimal("200")), ("A" * 40, Decimal("100")),
                       ("Nothing", 0)], width=620, label_width=200, bar_height=20, gap=10)
    first, second, none = chart.bars
    assert first.width == 620 - 200 - 90  # the largest fills the room
    assert second.width == first.width / 2
    assert none.width == 0
    assert second.label == "A" * 27 + "…"
    assert [b.y for b in chart.bars] == [5, 35, 65]
    assert chart.height == 90
    assert first.value == "200" and first.value_x == 200 + first.width + 6


def test_tiny_bars_stay_visible():
    chart = bar_chart([("big", 1_000_000), ("small", 1)])
    assert chart.bars[1].width == 1.0


def test_shorten():
    assert shorten("short") == "short"
    assert shorten("x" * 30, 10) == "x" * 9 + "…"
