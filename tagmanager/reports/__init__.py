"""Report reads (selectors) for one container and a range of UTC days.

Days with a ``RollupDay`` are read from the daily roll-ups; the others (today, or every day
where no beat runs) are aggregated from the raw rows with the same code, so the numbers are the
same either way and fast once past days are rolled up.

Usage::

    from tagmanager.reports import container_report

    report = container_report(container=shop, start=date(2025, 3, 1), end=date(2025, 3, 31))
    report["fires"]        # [{"tag_id", "tag", "values": [per day], "total"}, ...]
    report["audit"]["never_fired"]
"""

from datetime import date

from django.utils import timezone

from tagmanager.conf import get_setting
from tagmanager.models import Container, Tag
from tagmanager.ratelimit import DOORS
from tagmanager.reports.daily import daily_rows, days_between, duplicate_rows, refused_rows
from tagmanager.reports.sections import ReportContext, refused_per_day, report_sections

__all__ = ["container_report", "report_context"]


def report_context(*, container: Container, days: list[date], tag_ids=()) -> ReportContext:
    """Names and settings the report sections need: tag labels, the live version's tags, the
    refusable consent categories and the conversion events."""
    config = container.live_version.config if container.live_version_id else {}
    live = [(t["id"], t.get("name") or f"Tag #{t['id']}") for t in config.get("tags", ())]
    names = dict(live)
    missing = {t for t in tag_ids if t and t not in names}
    if missing:
        names.update(Tag.objects.filter(pk__in=missing).values_list("pk", "name"))
    categories = [
        (c.slug, str(c))
        for c in container.categories.filter(required=False).order_by("order", "slug")
    ]
    return ReportContext(
        days=days,
        tag_names=names,
        live_tags=[tag_id for tag_id, _ in live],
        categories=categories,
        conversion_events=tuple(get_setting("CONVERSION_EVENTS")),
    )


def container_report(*, container: Container, start: date, end: date, consent: bool = True) -> dict:
    """Every section of the report for the UTC days ``start`` .. ``end`` (both included).

    Returns plain data: ``days``, ``totals``, ``fires`` (per tag per day), ``consent``
    (decisions per day by action, acceptance rate per category), ``conversions`` (per campaign
    and tag) and ``audit`` (tags that never fired, fires outside their triggers, duplicate event
    ids, consent violations), ``refused`` (requests each public endpoint refused over a rate
    limit, per day; their sum in ``totals["refused"]``), plus ``sources`` (how many days came
    from roll-ups).

    ``consent=False`` (a reader who may not see consent records) leaves the consent decisions
    out: ``consent`` and ``totals["consent_decisions"]`` are None and are not even read.
    """
    days = days_between(start, end)
    fire_rows, consent_rows, rolled = daily_rows(
        container=container, start=start, end=end, consent=consent
    )
    duplicates = duplicate_rows(container=container, start=start, end=end)
    tag_ids = {row["tag_id"] for row in fire_rows} | {row["tag_id"] for row in duplicates}
    context = report_context(container=container, days=days, tag_ids=tag_ids)
    report = report_sections(
        fire_rows=fire_rows, consent_rows=consent_rows, duplicate_rows=duplicates, context=context
    )
    today = timezone.now().date()
    refused = refused_rows(container=container, start=start, end=end, today=today)
    report["refused"] = refused_per_day(refused, context, DOORS)
    report["totals"]["refused"] = sum(s["total"] for s in report["refused"])
    report["sources"] = {"rolled_up_days": len(rolled), "raw_days": len(days) - len(rolled)}
    return report
