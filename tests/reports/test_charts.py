from datetime import date, timedelta
from decimal import Decimal

import pytest

from tagmanager.reports.charts import (
    MAX_SERIES,
    OTHER_COLOUR,
    horizontal_bars,
    limit_series,
    nice_scale,
    number,
    percent,
    plural,
    stacked_columns,
)

DAYS = [date(2025, 3, 1) + timedelta(days=n) for n in range(3)]


@pytest.mark.parametrize(
    ("maximum", "scale"),
    [(0, (1.0, 0.2)), (10, (10, 2)), (7, (8, 2)), (16, (20, 5)), (1234, (1250, 250)), (3, (3, 1))],
)
def test_nice_scale(maximum, scale):
    assert nice_scale(maximum) == pytest.approx(scale)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1234567, "1,234,567"),
        (Decimal("150.5"), "150.50"),
        (Decimal("100.0000"), "100"),
        (0.5, "0.50"),
    ],
)
def test_number(value, text):
    assert number(value) == text


def test_percent_and_plural():
    assert (percent(0.8), percent(None), percent(1)) == ("80%", "–", "100%")
    assert (plural(1, "fire"), plural(0, "fire"), plural(2, "fire")) == ("fire", "fires", "fires")


def test_stacked_columns_geometry():
    chart = stacked_columns(
        chart_id="c",
        title="t",
        description="d",
        days=DAYS,
        series=[{"label": "A", "values": [4, 0, 2]}, {"label": "B", "values": [6, 0, 0]}],
        unit="fire",
    )
    plot = chart.plot
    assert [t["label"] for t in chart.y_ticks] == ["0", "2", "4", "6", "8", "10"]
    assert [b.title for b in chart.bars] == [
        "Mar 1 · A: 4 fires",
        "Mar 1 · B: 6 fires",
        "Mar 3 · A: 2 fires",
    ]
    a1, b1, a3 = chart.bars
    # The day's column reaches the top of the scale (10 = 4 + 6); stacks touch, no gaps.
    assert a1.y + a1.height == pytest.approx(plot["bottom"])
    assert b1.y == pytest.approx(plot["top"]) and b1.y + b1.height == pytest.approx(a1.y)
    assert a3.height == pytest.approx(a1.height / 2)
    assert a1.x < a3.x and a1.colour != b1.colour
    assert [t["label"] for t in chart.x_ticks] == ["Mar 1", "Mar 2", "Mar 3"]
    assert not chart.empty and chart.legend[0] == {"label": "A", "colour": a1.colour}


def test_many_days_thin_the_labels_and_empty_is_flagged():
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(90)]
    chart = stacked_columns(
        chart_id="c", title="t", description="d", days=days, series=[], unit="fire"
    )
    assert chart.empty and chart.bars == []
    assert len(chart.x_ticks) <= 12


def test_limit_series_groups_the_smallest_as_other():
    series = [{"label": str(n), "values": [10 - n, 1]} for n in range(10)]
    limited = limit_series(series)
    assert len(limited) == MAX_SERIES
    assert limited[-1] == {"label": "Other (3)", "values": [1 + 2 + 3, 3], "other": True}
    chart = stacked_columns(
        chart_id="c", title="t", description="d", days=DAYS[:2], series=series, unit="fire"
    )
    assert chart.legend[-1] == {"label": "Other (3)", "colour": OTHER_COLOUR}


def test_horizontal_bars_scale_and_missing_values():
    chart = horizontal_bars(
        chart_id="h",
        title="t",
        description="d",
        groups=[
            {"label": "spring", "values": [Decimal("150.5"), 100]},
            {"label": "autumn", "values": [20, None]},
        ],
        series=["Meta", "Ads"],
        unit="",
    )
    assert [b.title for b in chart.bars] == [
        "spring · Meta: 150.50",
        "spring · Ads: 100",
        "autumn · Meta: 20",
    ]
    meta, ads, autumn = chart.bars
    assert meta.width / ads.width == pytest.approx(1.505, rel=1e-3)
    assert [t["label"] for t in chart.y_ticks] == ["0", "50", "100", "150", "200"]
    assert [t["label"] for t in chart.x_ticks] == ["spring", "autumn"]
    assert [item["label"] for item in chart.legend] == ["Meta", "Ads"]
    rates = horizontal_bars(
        chart_id="r",
        title="t",
        description="d",
        groups=[{"label": "Analytics", "values": [0.6]}],
        series=["Rate"],
        unit="",
        maximum=1.0,
        fmt=percent,
    )
    assert rates.bars[0].width == pytest.approx(0.6 * (rates.plot["right"] - rates.plot["left"]))
    assert [t["label"] for t in rates.y_ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert rates.legend == []
