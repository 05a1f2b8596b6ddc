"""Chart geometry for server-rendered SVG: pure functions from numbers to shapes and labels.

Templates only draw what these return (no scripts, no external libraries), so charts work
under a strict Content-Security-Policy and can be tested without a browser.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# Colour-blind friendly (Okabe & Ito, then Tableau), dark enough for white gaps between stacks.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#4E79A7",
    "#9C755F",
    "#79706E",
)
OTHER_COLOUR = "#BAB0AC"
WIDTH = 960
MAX_SERIES = 8  # more series than this: the smallest are shown together as "Other"


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str  # tooltip and accessible name: what the bar is, and its value


@dataclass
class Chart:
    chart_id: str
    title: str
    description: str
    width: int
    height: int
    plot: dict  # left, top, right, bottom
    bars: list[Bar] = field(default_factory=list)
    x_ticks: list[dict] = field(default_factory=list)  # x, y, label, anchor
    y_ticks: list[dict] = field(default_factory=list)  # x, y, label, line (x1, x2)
    legend: list[dict] = field(default_factory=list)  # label, colour
    value_labels: list[dict] = field(default_factory=list)  # x, y, label (next to bars)
    axis_label: str = ""
    empty: bool = False
    horizontal: bool = False  # bars grow to the right; y_ticks are then vertical grid lines


def number(value) -> str:
    """12,345 / 1,234.50 / 0.5: thousands separated, two decimals only where needed."""
    if isinstance(value, (Decimal, float)) and value != int(value):
        return f"{value:,.2f}"
    return f"{int(value):,}"


def plural(count, unit: str) -> str:
    """``unit`` (a singular noun) as it reads after ``count``: 1 fire, 2 fires."""
    return unit if count == 1 else f"{unit}s"


def percent(rate) -> str:
    return "–" if rate is None else f"{rate * 100:.0f}%"


def nice_scale(maximum: float, ticks: int = 5) -> tuple[float, float]:
    """(top of the axis, step between ticks): round steps of 1, 2 or 5 times a power of ten."""
    if maximum <= 0:
        return 1.0, 1.0 / ticks if ticks else 1.0
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if step < 1 and maximum >= 1:
        step = 1.0
    return step * math.ceil(maximum / step - 1e-9), step


def colours(names: list[str]) -> list[str]:
    return [PALETTE[n % len(PALETTE)] for n in range(len(names))]


def limit_series(series: list[dict], *, key: str = "values") -> list[dict]:
    """The largest ``MAX_SERIES`` series (input sorted largest first); the rest summed as Other."""
    if len(series) <= MAX_SERIES:
        return series
    shown, rest = series[: MAX_SERIES - 1], series[MAX_SERIES - 1 :]
    other = [sum(values) for values in zip(*(s[key] for s in rest), strict=True)]
    return [*shown, {"label": f"Other ({len(rest)})", key: other, "other": True}]


def day_label(day: date) -> str:
    return f"{day:%b} {day.day}"


def stacked_columns(
    *,
    chart_id: str,
    title: str,
    description: str,
    days: list[date],
    series: list[dict],
    unit: str,
    height: int = 320,
) -> Chart:
    """Columns per day, one coloured segment per series (``{"label", "values"}``)."""
    series = limit_series(series)
    plot = {"left": 64, "top": 16, "right": WIDTH - 16, "bottom": height - 40}
    chart = Chart(chart_id, title, description, WIDTH, height, plot, axis_label=unit)
    totals = [sum(s["values"][n] for s in series) for n in range(len(days))]
    top, step = nice_scale(max(totals, default=0))
    chart.empty = not any(totals)
    span_y = plot["bottom"] - plot["top"]
    slot = (plot["right"] - plot["left"]) / max(len(days), 1)
    palette = [
        OTHER_COLOUR if s.get("other") else s.get("colour") or default
        for s, default in zip(series, colours([s["label"] for s in series]), strict=True)
    ]
    chart.legend = [
        {"label": s["label"], "colour": colour} for s, colour in zip(series, palette, strict=True)
    ]
    for n, day in enumerate(days):
        y = plot["bottom"]
        for s, colour in zip(series, palette, strict=True):
            value = s["values"][n]
            if not value:
                continue
            h = value / top * span_y
            y -= h
            chart.bars.append(
                Bar(
                    x=round(plot["left"] + slot * n + slot * 0.15, 2),
                    y=round(y, 2),
                    width=round(max(slot * 0.7, 1), 2),
                    height=round(h, 2),
                    colour=colour,
                    title=f"{day_label(day)} · {s['label']}: {number(value)} {plural(value, unit)}",
                )
            )
    every = max(1, math.ceil(len(days) / 12))
    chart.x_ticks = [
        {
            "x": round(plot["left"] + slot * (n + 0.5), 2),
            "y": plot["bottom"] + 18,
            "label": day_label(day),
        }
        for n, day in enumerate(days)
        if n % every == 0
    ]
    chart.y_ticks = _y_ticks(plot, top, step, number)
    return chart


def _y_ticks(plot: dict, top: float, step: float, fmt) -> list[dict]:
    ticks, value = [], 0.0
    while value <= top + 1e-9:
        y = plot["bottom"] - value / top * (plot["bottom"] - plot["top"])
        ticks.append({"x": plot["left"] - 8, "y": round(y, 2), "label": fmt(round(value, 6))})
        value += step
    return ticks


def horizontal_bars(
    *,
    chart_id: str,
    title: str,
    description: str,
    groups: list[dict],
    series: list[str],
    unit: str,
    maximum: float | None = None,
    fmt=number,
) -> Chart:
    """One row per group (``{"label", "values": [one per series]}``), a bar per series.

    ``maximum`` fixes the scale (1 for rates); otherwise it fits the largest value.
    """
    rows_per_group = max(len(series), 1)
    bar_h = 22 if rows_per_group == 1 else 14
    group_h = bar_h * rows_per_group + 14
    height = 40 + group_h * max(len(groups), 1)
    plot = {"left": 200, "top": 8, "right": WIDTH - 90, "bottom": height - 28}
    chart = Chart(
        chart_id, title, description, WIDTH, height, plot, axis_label=unit, horizontal=True
    )
    largest = max((v for g in groups for v in g["values"] if v is not None), default=0)
    top, step = (maximum, maximum / 4) if maximum else nice_scale(float(largest), 4)
    chart.empty = not groups or not largest
    palette = colours(series)
    if len(series) > 1:
        chart.legend = [{"label": s, "colour": c} for s, c in zip(series, palette, strict=True)]
    span_x = plot["right"] - plot["left"]
    for n, group in enumerate(groups):
        y0 = plot["top"] + n * group_h + 7
        chart.x_ticks.append(
            {
                "x": plot["left"] - 8,
                "y": round(y0 + bar_h * rows_per_group / 2 + 4, 2),
                "label": group["label"],
            }
        )
        for m, (name, value, colour) in enumerate(
            zip(series, group["values"], palette, strict=True)
        ):
            if value is None:
                continue
            w = float(value) / top * span_x if top else 0
            y = y0 + m * bar_h
            what = f"{group['label']}" + (f" · {name}" if len(series) > 1 else "")
            chart.bars.append(
                Bar(
                    x=plot["left"],
                    y=round(y, 2),
                    width=round(max(w, 0), 2),
                    height=bar_h - 3,
                    colour=colour,
                    title=f"{what}: {fmt(value)} {unit}".rstrip(),
                )
            )
            chart.value_labels.append(
                {
                    "x": round(plot["left"] + w + 6, 2),
                    "y": round(y + bar_h - 6, 2),
                    "label": fmt(value),
                }
            )
    # Vertical grid lines with their values along the bottom.
    value = 0.0
    while value <= top + 1e-9:
        x = plot["left"] + value / top * span_x
        chart.y_ticks.append({"x": round(x, 2), "y": plot["bottom"] + 18, "label": fmt(value)})
        value += step
    return chart
