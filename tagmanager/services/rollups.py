"""Daily roll-ups: fire counts and consent decisions per UTC day, computed from the raw rows.

Reports read them for every day marked in ``RollupDay`` and stay fast however many raw rows
there are; retention rolls a day up before it purges the day's fire events.
"""

from collections import defaultdict
from datetime import date, timedelta
from datetime import timezone as dt_timezone

from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from tagmanager.models import (
    ConsentDaily,
    ConsentRecord,
    Container,
    FireEvent,
    FireEventDaily,
    RollupDay,
)
from tagmanager.reports.daily import day_runs, days_between
from tagmanager.reports.raw import consent_daily_from_raw, day_start, fire_daily_from_raw

# Consecutive days rolled up from one read of the raw rows (bounds memory and transaction).
_DAYS_PER_PASS = 31


def _containers_with_rows(day: date) -> list[Container]:
    start, end = day_start(day), day_start(day + timedelta(days=1))
    ids = set(
        FireEvent.objects.filter(server_time__gte=start, server_time__lt=end)
        .values_list("container_id", flat=True)
        .order_by()  # no default ordering column in the DISTINCT
        .distinct()
    ) | set(
        ConsentRecord.objects.filter(created_at__gte=start, created_at__lt=end)
        .values_list("container_id", flat=True)
        .order_by()  # no default ordering column in the DISTINCT
        .distinct()
    )
    return list(Container.objects.filter(pk__in=ids).select_related("live_version"))


def _day_write(*, container: Container, day: date, fires: list, consents: list) -> int:
    # A day without raw rows keeps the roll-ups it has: its raw rows were purged, and the
    # roll-ups are all that remains of it. Never replace them by nothing, nor by the few late
    # events of a purged day (retention adds those: fire_rollups_add).
    purged = RollupDay.objects.filter(container=container, day=day, fires_purged=True).exists()
    if fires and not purged:
        FireEventDaily.objects.filter(container=container, day=day).delete()
        FireEventDaily.objects.bulk_create(FireEventDaily(container=container, **r) for r in fires)
    if consents:
        ConsentDaily.objects.filter(container=container, day=day).delete()
        ConsentDaily.objects.bulk_create(ConsentDaily(container=container, **r) for r in consents)
    RollupDay.objects.update_or_create(
        container=container, day=day, defaults={"computed_at": timezone.now()}
    )
    return len(fires) + len(consents)


@transaction.atomic
def _container_rollup(*, container: Container, first: date, last: date) -> int:
    """Roll up the days ``first`` .. ``last`` of one container, reading the raw rows once."""
    # One roll-up of a container at a time (beat and retention may meet on the same day).
    Container.objects.select_for_update().filter(pk=container.pk).first()
    fires, consents = defaultdict(list), defaultdict(list)
    for row in fire_daily_from_raw(container=container, start=first, end=last):
        fires[row["day"]].append(row)
    for row in consent_daily_from_raw(container=container, start=first, end=last):
        consents[row["day"]].append(row)
    return sum(
        _day_write(container=container, day=day, fires=fires[day], consents=consents[day])
        for day in days_between(first, last)
    )


def rollup_day_compute(*, day: date, container: Container | None = None) -> int:
    """(Re)compute one UTC day's roll-ups from the raw rows and mark the day rolled up.

    For one container, or for every container with raw rows that day. Idempotent: computing a
    day again gives the same rows (plus whatever arrived meanwhile). Returns how many daily rows
    were written.

    >>> rollup_day_compute(day=date(2025, 3, 1), container=shop)
    """
    containers = [container] if container is not None else _containers_with_rows(day)
    return sum(_container_rollup(container=c, first=day, last=day) for c in containers)


def _first_raw_day(container_id: int) -> date | None:
    firsts = [
        FireEvent.objects.filter(container_id=container_id).aggregate(t=Min("server_time"))["t"],
        ConsentRecord.objects.filter(container_id=container_id).aggregate(t=Min("created_at"))["t"],
    ]
    firsts = [t for t in firsts if t is not None]
    return min(firsts).astimezone(dt_timezone.utc).date() if firsts else None


def rollups_refresh(*, now=None) -> int:
    """Roll up every completed UTC day (before today) not rolled up yet, and yesterday again.

    Starts at each container's first raw row, so days without any rows are marked too and not
    looked at again. Yesterday is recomputed on every run to count late arrivals (beacons sent
    when a page closes, batches redelivered after a worker restart). Returns the number of
    (container, day) roll-ups computed.
    """
    today = (now or timezone.now()).astimezone(dt_timezone.utc).date()
    yesterday = today - timedelta(days=1)
    computed = 0
    for container in Container.objects.select_related("live_version").order_by("pk"):
        first = _first_raw_day(container.pk)
        if first is None or first > yesterday:
            continue
        done = set(
            RollupDay.objects.filter(container=container, day__gte=first).values_list(
                "day", flat=True
            )
        )
        missing = [d for d in days_between(first, yesterday) if d not in done or d == yesterday]
        for run_first, run_last in day_runs(missing, longest=_DAYS_PER_PASS):
            _container_rollup(container=container, first=run_first, last=run_last)
            computed += (run_last - run_first).days + 1
    return computed


def fire_rollups_add(*, container: Container, day: date) -> int:
    """Add the raw fire events of one day to its roll-ups (a day whose events were purged
    before: these arrived late). The caller deletes them afterwards, in the same transaction."""
    added = 0
    for row in fire_daily_from_raw(container=container, start=day, end=day):
        key = {k: row[k] for k in ("day", "tag_id", "event_name", "utm_campaign")}
        counts = {
            k: row[k] for k in ("fires", "value_total", "consent_violations", "outside_triggers")
        }
        daily, created = FireEventDaily.objects.get_or_create(
            container=container, **key, defaults=counts
        )
        if not created:
            FireEventDaily.objects.filter(pk=daily.pk).update(
                **{k: F(k) + v for k, v in counts.items()}
            )
        added += row["fires"]
    return added
