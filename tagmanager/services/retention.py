"""Retention: roll fire events up into daily counts and purge them; purge old consent proof."""

from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone

from django.db import connection, transaction
from django.db.models.functions import TruncDate
from django.utils import timezone

from tagmanager.conf import get_setting
from tagmanager.models import ConsentRecord, Container, DeadLetter, FireEvent, RollupDay
from tagmanager.services.rollups import fire_rollups_add, rollup_day_compute


def _day_bounds(day) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=dt_timezone.utc)
    return start, start + timedelta(days=1)


def fire_events_purge(*, now=None) -> int:
    """Roll up, then delete, every day of events older than FIRE_EVENT_RETENTION_DAYS."""
    now = now or timezone.now()
    cutoff = (now - timedelta(days=get_setting("FIRE_EVENT_RETENTION_DAYS"))).date()
    days = (
        FireEvent.objects.filter(server_time__lt=_day_bounds(cutoff)[0])
        .annotate(day=TruncDate("server_time", tzinfo=dt_timezone.utc))
        .values_list("day", flat=True)
        .order_by()  # no default ordering column in the DISTINCT
        .distinct()
    )
    deleted = 0
    for day in sorted(set(days)):
        start, end = _day_bounds(day)
        events = FireEvent.objects.filter(server_time__gte=start, server_time__lt=end)
        with transaction.atomic():
            # The roll-ups are all that remains of the day once its events are gone: a day
            # purged before only gets its late events added to them.
            ids = set(events.values_list("container_id", flat=True).order_by().distinct())
            for container in Container.objects.filter(pk__in=ids).select_related("live_version"):
                purged = RollupDay.objects.filter(container=container, day=day, fires_purged=True)
                if purged.exists():
                    fire_rollups_add(container=container, day=day)
                else:
                    rollup_day_compute(day=day, container=container)
                RollupDay.objects.filter(container=container, day=day).update(fires_purged=True)
            deleted += events.delete()[0]
    return deleted


def dead_letters_purge(*, now=None) -> int:
    """Delete dead letters older than DEAD_LETTER_RETENTION_DAYS."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=get_setting("DEAD_LETTER_RETENTION_DAYS"))
    return DeadLetter.objects.filter(received_at__lt=cutoff).delete()[0]


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
