"""Retention: roll fire events up into daily counts and purge them; purge old consent proof."""

from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from tagmanager.conf import get_setting
from tagmanager.models import ConsentRecord, Container, FireEvent, FireEventDaily


def _day_bounds(day) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=dt_timezone.utc)
    return start, start + timedelta(days=1)


@transaction.atomic
def fire_events_rollup(*, day) -> int:
    """(Re)compute the daily counts of one UTC day from the raw events. Idempotent."""
    start, end = _day_bounds(day)
    rows = (
        FireEvent.objects.filter(server_time__gte=start, server_time__lt=end)
        .values("container_id", "tag_id", "event_name")
        .annotate(
            fires=Count("pk"),
            value_total=Sum("value"),
            violations=Count("pk", filter=Q(consent_violation=True)),
        )
    )
    FireEventDaily.objects.filter(day=day).delete()
    FireEventDaily.objects.bulk_create(
        FireEventDaily(
            container_id=row["container_id"],
            day=day,
            tag_id=row["tag_id"] or 0,
            event_name=row["event_name"],
            fires=row["fires"],
            value_total=row["value_total"] or 0,
            consent_violations=row["violations"],
        )
        for row in rows
    )
    return len(rows)


def fire_events_purge(*, now=None) -> int:
    """Roll up, then delete, every day of events older than FIRE_EVENT_RETENTION_DAYS."""
    now = now or timezone.now()
    cutoff = (now - timedelta(days=get_setting("FIRE_EVENT_RETENTION_DAYS"))).date()
    days = (
        FireEvent.objects.filter(server_time__lt=_day_bounds(cutoff)[0])
        .annotate(day=TruncDate("server_time", tzinfo=dt_timezone.utc))
        .values_list("day", flat=True)
        .distinct()
    )
    deleted = 0
    for day in sorted(set(days)):
        with transaction.atomic():
            fire_events_rollup(day=day)
            start, end = _day_bounds(day)
            deleted += FireEvent.objects.filter(
                server_time__gte=start, server_time__lt=end
            ).delete()[0]
    return deleted


def consent_records_purge(*, now=None) -> int:
    """Delete sealed consent records whose expiry is older than the retention period.

    Only a leading run of the hash chain is removed, and the container remembers where the
    chain now starts, so verification still covers everything that remains.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=get_setting("CONSENT_RECORD_RETENTION_DAYS"))
    deleted = 0
    for container in Container.objects.filter(consent_records__expires_at__lt=cutoff).distinct():
        with transaction.atomic():
            container = Container.objects.select_for_update().get(pk=container.pk)
            chain = ConsentRecord.objects.filter(
                container=container, seal_index__isnull=False
            ).order_by("seal_index")
            doomed = []
            for pk, index, seal_hash, expires_at in chain.values_list(
                "pk", "seal_index", "seal_hash", "expires_at"
            ).iterator():
                if expires_at >= cutoff:
                    break
                doomed.append((pk, index, seal_hash))
            if not doomed:
                continue
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL tagmanager.retention = 'on'")
            ids = [pk for pk, _, _ in doomed]
            for offset in range(0, len(ids), 1000):
                ConsentRecord.objects.filter(pk__in=ids[offset : offset + 1000]).delete()
            container.chain_base_index = doomed[-1][1] + 1
            container.chain_base_hash = doomed[-1][2]
            container.save(update_fields=["chain_base_index", "chain_base_hash"])
            deleted += len(doomed)
    return deleted
