"""The Reports page's figures: each chart of a report with the data table behind it."""

from tagmanager.reports.charts import (
    horizontal_bars,
    number,
    percent,
    stacked_columns,
)

ACTION_COLOURS = {
    "accept_all": "#009E73",
    "custom": "#56B4E9",
    "reject_all": "#D55E00",
    "gpc": "#CC79A7",
    "withdraw": "#79706E",
}
MAX_CAMPAIGNS = 10


def _figure(chart, head: list[str], rows: list[list[str]]) -> dict:
    return {"chart": chart, "table": {"head": head, "rows": rows}}


def fires_figure(report: dict) -> dict:
    series = [{"label": s["tag"], "values": s["values"]} for s in report["fires"]]
    chart = stacked_columns(
        chart_id="tm-chart-fires",
        title="Fires per tag per day",
        description="Stacked columns: how many times each tag fired on each day (UTC).",
        days=report["days"],
        series=series,
        unit="fire",
    )
    rows = [
        [
            day.isoformat(),
            *(number(s["values"][n]) for s in series),
            number(sum(s["values"][n] for s in series)),
        ]
        for n, day in enumerate(report["days"])
    ]
    return _figure(chart, ["Day", *(s["label"] for s in series), "Total"], rows)


def consent_figure(report: dict) -> dict:
    actions = report["consent"]["actions"]
    chart = stacked_columns(
        chart_id="tm-chart-consent",
        title="Consent decisions per day",
        description="Stacked columns: decisions recorded each day (UTC), by the visitor's choice.",
        days=report["days"],
        series=[
            {"label": a["label"], "values": a["values"], "colour": ACTION_COLOURS.get(a["action"])}
            for a in actions
        ],
        unit="decision",
    )
    rows = [
        [day.isoformat(), *(number(a["values"][n]) for a in actions)]
        for n, day in enumerate(report["days"])
    ]
    return _figure(chart, ["Day", *(a["label"] for a in actions)], rows)


def acceptance_figure(report: dict) -> dict:
    categories = report["consent"]["categories"]
    chart = horizontal_bars(
        chart_id="tm-chart-acceptance",
        title="Acceptance rate per category",
        description="Bars: the share of visitors' choices (accept all, reject all, custom) "
        "that granted each category.",
        groups=[{"label": c["label"], "values": [c["rate"]]} for c in categories],
        series=["Acceptance rate"],
        unit="",
        maximum=1.0,
        fmt=percent,
    )
    chart.empty = not any(c["decisions"] for c in categories)
    rows = [
        [c["label"], number(c["granted"]), number(c["decisions"]), percent(c["rate"])]
        for c in categories
    ]
    return _figure(chart, ["Category", "Granted", "Choices", "Rate"], rows)


def conversions_figure(report: dict) -> dict:
    section = report["conversions"]
    tags = [t["tag"] for t in section["tags"]][:8]
    campaigns = section["campaigns"][:MAX_CAMPAIGNS]
    groups = []
    for campaign in campaigns:
        values = {e["tag"]: e["value"] for e in campaign["tags"]}
        groups.append({"label": campaign["label"], "values": [values.get(t) for t in tags]})
    chart = horizontal_bars(
        chart_id="tm-chart-conversions",
        title="Conversion value by campaign",
        description="Bars: per utm campaign, the value of the conversions each tag reported "
        f"(events: {', '.join(section['events'])}). Each ad platform's tag counts its own.",
        groups=groups,
        series=tags,
        unit="",
    )
    rows = [
        [campaign["label"], entry["tag"], number(entry["conversions"]), number(entry["value"])]
        for campaign in section["campaigns"]
        for entry in campaign["tags"]
    ]
    return _figure(chart, ["Campaign", "Tag", "Conversions", "Value"], rows)


def refused_figure(report: dict) -> dict:
    doors = report["refused"]
    chart = stacked_columns(
        chart_id="tm-chart-refused",
        title="Requests refused per day (rate limits)",
        description="Stacked columns: requests each public endpoint answered with 429 "
        "(too many requests from one network, or for this container) each day (UTC).",
        days=report["days"],
        series=[{"label": d["label"], "values": d["values"]} for d in doors],
        unit="request",
    )
    rows = [
        [day.isoformat(), *(number(d["values"][n]) for d in doors)]
        for n, day in enumerate(report["days"])
    ]
    return _figure(chart, ["Day", *(d["label"] for d in doors)], rows)


def report_figures(report: dict) -> dict:
    """The figures by name; the consent ones None when the report has no consent part."""
    with_consent = report["consent"] is not None
    return {
        "fires": fires_figure(report),
        "consent": consent_figure(report) if with_consent else None,
        "acceptance": acceptance_figure(report) if with_consent else None,
        "conversions": conversions_figure(report),
        "refused": refused_figure(report),
    }
