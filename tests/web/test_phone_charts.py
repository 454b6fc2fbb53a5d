"""The charts' phone drawing (issue 21): on a 375 px screen the 720-unit chart was
scaled to under half, its 11 px labels printed at 4-5 px. Each chart now carries a
drawing 340 units wide, shown 1:1 on a phone (reports.css), with fewer labels."""

from __future__ import annotations

from datetime import date, timedelta

from bizcenter.web.report_charts import SMALL_WIDTH, bar_chart, line_chart

DAYS = [str(date(2026, 11, 1) + timedelta(days=i)) for i in range(30)]


def test_a_line_chart_has_a_phone_drawing_with_three_date_labels():
    chart = line_chart(DAYS, [("Spend", "spend", [float(i) for i in range(30)]),
                              ("Conversions", "conversions", list(range(30)))])
    small = chart.small
    assert small is not None and small.small is None
    assert small.width == SMALL_WIDTH <= 375 - 2 * 12
    assert len(small.x_ticks) <= 3 and len(chart.x_ticks) <= 8
    # Each date label (about 65 units at 12 px) has room beside the next.
    steps = [b.pos - a.pos for a, b in zip(small.x_ticks, small.x_ticks[1:], strict=False)]
    assert min(steps) > 80
    # The same numbers on the same scale: the phone's is only narrower.
    assert [t.label for t in small.lines[0].ticks] == [t.label for t in chart.lines[0].ticks]
    assert small.markers and len(small.lines[0].points) == 30


def test_a_bar_chart_has_a_phone_drawing_with_short_names():
    chart = bar_chart([("Spring sale — a campaign with a long name", 120.5), ("Brand", 40)])
    small = chart.small
    assert small is not None and small.width == SMALL_WIDTH
    assert [b.name for b in small.bars] == [b.name for b in chart.bars]
    assert all(len(b.label) <= 15 for b in small.bars)
    assert small.bars[0].label.endswith("…")
    assert small.bars[0].value == "120.5"
    assert max(b.value_x for b in small.bars) < SMALL_WIDTH
