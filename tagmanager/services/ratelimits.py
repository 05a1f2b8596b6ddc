"""Refused requests (rate limits) into the database, for the reports.

The endpoints count each refusal in the cache (``tagmanager.ratelimit.refused_count``); this
takes the counts into ``RefusedDaily`` rows, so an attack costs no database write per request.
"""

from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

from django.db import DatabaseError, transaction
from django.db.models import F

from tagmanager import ratelimit
from tagmanager.models import Container, RefusedDaily


def refused_count_add(*, container_id: int, day: date, door: str, count: int) -> None:
    """Add ``count`` refusals to the day's row (created at the first)."""
    with transaction.atomic():
        row, created = RefusedDaily.objects.get_or_create(
            container_id=container_id, day=day, door=door, defaults={"refused": count}
        )
        if not created:
            RefusedDaily.objects.filter(pk=row.pk).update(refused=F("refused") + count)


def refused_counts_flush(*, now: datetime | None = None) -> int:
    """Take the refusals counted in the cache over the last ``REFUSED_DAYS`` days into the
    database; returns how many. Run by the roll-up task (``tagmanager.rollups_refresh``).

    Each count is subtracted from its cache counter before it is added to its row, so
    refusals counted meanwhile stay for the next run and none is taken twice; a row that
    cannot be written gives its count back to the cache.
    """
    today = (now or datetime.now(dt_timezone.utc)).astimezone(dt_timezone.utc).date()
    days = [today - timedelta(days=n) for n in range(ratelimit.REFUSED_DAYS)]
    ids = list(Container.objects.values_list("pk", flat=True))
    taken = 0
    for start in range(0, len(ids), 200):
        pending = ratelimit.refused_pending(container_ids=ids[start : start + 200], days=days)
        for (container_id, day, door), count in sorted(pending.items()):
            if not ratelimit.refused_take(
                container_id=container_id, day=day, door=door, count=count
            ):
                continue
            try:
                refused_count_add(container_id=container_id, day=day, door=door, count=count)
            except DatabaseError:
                ratelimit.refused_give_back(
                    container_id=container_id, day=day, door=door, count=count
                )
                raise
            taken += count
    return taken
