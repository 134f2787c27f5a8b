"""The server-drawn SVG charts (issue 16): the geometry of known data, to the unit, and
what the partial draws of it (bars and points carry their figures as data attributes)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from agency.charts import (
    Series,
    bar_chart,
    format_tick,
    format_value,
    last_months,
    line_chart,
    month_end,
    month_labels,
    nice_scale,
)

# the drawing box: plot from x 50 to 412, y 12 (top) to 212 (the baseline), 200 high


def drawn(html: str, tag: str) -> list[dict[str, str]]:
    """The attributes of each `<tag …>` the partial drew."""
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', m))
            for m in re.findall(rf"<{tag} ([^>]*)>", html)]


def test_axis_steps_are_round_and_reach_the_top():
    assert nice_scale(5, integer=True) == (8.0, 2.0)
    assert nice_scale(320, integer=True) == (400.0, 100.0)
    assert nice_scale(3, integer=True) == (4.0, 1.0)
    assert nice_scale(0, integer=True) == (4.0, 1.0)
    assert nice_scale(1969413.56) == (2000000.0, 500000.0)
    assert nice_scale(9) == (10.0, 2.5)
    assert nice_scale(0) == (1.0, 0.25)


def test_the_months_are_the_last_twelve_oldest_first():
    months = last_months(datetime.date(2026, 3, 31), 12)
    assert months[0] == datetime.date(2025, 4, 1)
    assert months[-1] == datetime.date(2026, 3, 1)
    assert len(months) == 12
    assert month_end(datetime.date(2024, 2, 1)) == datetime.date(2024, 2, 29)
    assert month_end(datetime.date(2026, 12, 1)) == datetime.date(2026, 12, 31)
    assert month_labels(months[-3:]) == (["2026-01", "2026-02", "2026-03"], ["1", "2", "3"])


def test_a_stacked_bar_chart_draws_each_value_to_scale():
    chart = bar_chart(title="人数", testid="t", labels=["2026-01", "2026-02"],
                      series=[Series("上海市", [2, 4]), Series("北京市", [1, 1])])

    assert [t.text for t in chart.ticks] == ["0", "2", "4", "6", "8"]
    assert [t.y for t in chart.ticks] == [212.0, 162.0, 112.0, 62.0, 12.0]
    assert [(b.series, b.label, b.value, b.y, b.height) for b in chart.bars] == [
        ("上海市", "2026-01", "2", 162.0, 50.0),  # 2 of 8 → 50 of 200, from the baseline
        ("北京市", "2026-01", "1", 137.0, 25.0),  # stacked on top of it
        ("上海市", "2026-02", "4", 112.0, 100.0),
        ("北京市", "2026-02", "1", 87.0, 25.0),
    ]
    # two bands of 181 units; each bar 70 % of its band, centred
    assert [(b.x, b.width) for b in chart.bars[::2]] == [(77.2, 126.7), (258.1, 126.7)]
    assert [(r.label, r.cells, r.total) for r in chart.rows] == [
        ("2026-01", ["2", "1"], "3"), ("2026-02", ["4", "1"], "5")]
    assert chart.summary == "人数 (2026-01 – 2026-02)"
    assert chart.empty is False


def test_side_by_side_bars_share_their_band():
    chart = bar_chart(title="t", testid="t", labels=["a"], stacked=False,
                      series=[Series("x", [3]), Series("y", [4])])
    assert [(b.x, b.width, b.y, b.height) for b in chart.bars] == [
        (104.3, 126.7, 62.0, 150.0), (231.0, 126.7, 12.0, 200.0)]


def test_the_partial_draws_the_bars_with_their_figures_and_a_table():
    chart = bar_chart(title="账单", testid="chart-x", labels=["2026-01", "2026-02"],
                      value_format="money",
                      series=[Series("社保", [Decimal("12000.50"), Decimal("0.00")])])
    html = render_to_string("agency/charts/chart.html", {"chart": chart})

    bars = drawn(html, "rect")
    assert [(b["data-label"], b["data-value"], b["height"]) for b in bars] == [
        ("2026-01", "12000.50", "120"), ("2026-02", "0.00", "0")]
    assert 'role="img"' in html
    assert '<title id="chart-x-svgtitle">账单 (2026-01 – 2026-02)</title>' in html
    assert re.findall(r'<td class="num">([^<]*)</td>', html) == ["¥12,000.50", "¥0.00"]
    assert "var(" not in html  # colours come from the stylesheet, through classes
    assert [b["class"] for b in bars] == ["bar c0", "bar c0"]


def test_a_line_chart_leaves_a_gap_where_nothing_was_measured():
    chart = line_chart(title="时限", testid="chart-sla", labels=["a", "b", "c"],
                       value_format="percent", y_max=100,
                       series=[Series("明细", [50, None, 100]), Series("咨询", [None, None, None])])

    assert [t.text for t in chart.ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert [(p.label, p.value, p.x, p.y) for p in chart.points] == [
        ("a", "50", 110.3, 112.0), ("c", "100", 351.7, 12.0)]
    assert [p.d for p in chart.paths] == ["M110.3 112 M351.7 12", ""]
    assert [r.cells for r in chart.rows] == [["50%", "—"], ["—", "—"], ["100%", "—"]]
    html = render_to_string("agency/charts/chart.html", {"chart": chart})
    assert [(c["data-series"], c["data-value"]) for c in drawn(html, "circle")] == [
        ("明细", "50"), ("明细", "100")]


def test_an_empty_chart_says_so():
    chart = bar_chart(title="t", testid="t", labels=["a"], series=[Series("x", [0])])
    assert chart.empty is True
    with translation.override("en"):
        html = render_to_string("agency/charts/chart.html", {"chart": chart})
    assert "No figures for this period yet." in html


def test_figures_are_formatted_for_the_table_and_the_axis():
    assert format_value(Decimal("1969413.56"), "money") == "¥1,969,413.56"
    assert format_value(12345, "int") == "12,345"
    assert format_value(87.5, "percent") == "88%"
    assert format_value(None, "percent") == "—"
    with translation.override("zh-hans"):
        assert format_tick(1500000, "money") == "150万"
        assert format_tick(5000, "money") == "5000"
    with translation.override("en"):
        assert format_tick(1500000, "money") == "1500k"
    assert format_tick(25, "percent") == "25%"


def test_a_series_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError):
        bar_chart(title="t", testid="t", labels=["a", "b"], series=[Series("x", [1])])
    with pytest.raises(ValueError):
        line_chart(title="t", testid="t", labels=["a"], series=[Series("x", [1])],
                   value_format="euro")
