"""Daily rows for a date range: roll-ups where the day is rolled up, raw rows elsewhere."""

from datetime import date, timedelta

from tagmanager import ratelimit
from tagmanager.models import (
    ConsentDaily,
    Container,
    FireDuplicateDaily,
    FireEventDaily,
    RefusedDaily,
    RollupDay,
)
from tagmanager.reports.raw import FIRE_FIELDS, consent_daily_from_raw, fire_daily_from_raw

FIRE_COUNTS = ("fires", "value_total", "consent_violations", "outside_triggers")


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def day_runs(days: list[date], *, longest: int | None = None) -> list[tuple[date, date]]:
    """Sorted days as (first, last) runs of consecutive days (each at most ``longest`` days),
    so raw rows are read with few range queries."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if (
            runs
            and runs[-1][1] == day - timedelta(days=1)
            and (longest is None or (day - runs[-1][0]).days < longest)
        ):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def rolled_up_days(*, container: Container, start: date, end: date) -> set[date]:
    return set(
        RollupDay.objects.filter(container=container, day__range=(start, end)).values_list(
            "day", flat=True
        )
    )


def daily_rows(
    *, container: Container, start: date, end: date, consent: bool = True
) -> tuple[list[dict], list[dict] | None, set[date]]:
    """(fire rows, consent rows, rolled-up days) for the UTC days ``start`` .. ``end``;
    consent rows None, and not read, when ``consent`` is false."""
    done = rolled_up_days(container=container, start=start, end=end)
    fires = [
        row
        for row in FireEventDaily.objects.filter(container=container, day__range=(start, end))
        .values(*FIRE_FIELDS, *FIRE_COUNTS)
        .order_by()
        if row["day"] in done
    ]
    consents = None
    if consent:
        consents = [
            row
            for row in ConsentDaily.objects.filter(container=container, day__range=(start, end))
            .values("day", "action", "records", "granted")
            .order_by()
            if row["day"] in done
        ]
    for first, last in day_runs([d for d in days_between(start, end) if d not in done]):
        fires += fire_daily_from_raw(container=container, start=first, end=last)
        if consent:
            consents += consent_daily_from_raw(container=container, start=first, end=last)
    return fires, consents, done


def duplicate_rows(*, container: Container, start: date, end: date) -> list[dict]:
    """Fire events received again with an event id already stored, per day and tag."""
    return list(
        FireDuplicateDaily.objects.filter(container=container, day__range=(start, end))
        .values("day", "tag_id", "duplicates")
        .order_by()
    )


def refused_rows(*, container: Container, start: date, end: date, today: date) -> list[dict]:
    """Requests refused over a rate limit, per day and door: the rows the roll-up task took
    in, plus the counts still waiting in the cache (recent days), so today's show at once."""
    rows = list(
        RefusedDaily.objects.filter(container=container, day__range=(start, end))
        .values("day", "door", "refused")
        .order_by()
    )
    recent = [
        d
        for d in days_between(max(start, today - timedelta(days=ratelimit.REFUSED_DAYS)), end)
        if d <= today
    ]
    pending = ratelimit.refused_pending(container_ids=[container.pk], days=recent)
    rows += [
        {"day": day, "door": door, "refused": count} for (_, day, door), count in pending.items()
    ]
    return rows
