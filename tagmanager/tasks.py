"""Celery tasks: thin wrappers that take plain data and call services or selectors."""

import logging

from celery import shared_task
from django.db import DatabaseError

from tagmanager.selectors import health_status

logger = logging.getLogger(__name__)


@shared_task(name="tagmanager.health_check")
def health_check() -> dict:
    return health_status()


@shared_task(
    name="tagmanager.fire_events_ingest",
    acks_late=True,
    reject_on_worker_lost=True,
    # The database may be restarting: keep the batch and try again (storing is idempotent).
    autoretry_for=(DatabaseError,),
    retry_backoff=1,
    retry_backoff_max=30,
    max_retries=None,
)
def fire_events_ingest(
    container_id: int, events: list, received: int | None = None, version: int | None = None
) -> int:
    """One beacon (CeleryTaskBuffer); ``received``: milliseconds since 1970."""
    from tagmanager.services.ingestion import fire_events_store

    at = received / 1000 if received else None
    return fire_events_store(
        container_id=container_id, events=events, received=at, version=version
    ).stored


@shared_task(name="tagmanager.fire_events_drain", ignore_result=True)
def fire_events_drain() -> int:
    """Store what the ingestion buffer holds (RedisBuffer); beat runs it, pushes wake it."""
    from tagmanager.services.ingestion import fire_events_drain as drain

    return drain()


@shared_task(name="tagmanager.consent_chains_seal")
def consent_chains_seal() -> int:
    from tagmanager.services.sealing import consent_chains_seal as seal

    return seal()


@shared_task(name="tagmanager.retention_run")
def retention_run() -> dict:
    from tagmanager.services import retention

    # Each part on its own: a failure of one must not keep the others from running.
    done = {}
    for name, purge in (
        ("fire_events", retention.fire_events_purge),
        ("consent_records", retention.consent_records_purge),
        ("dead_letters", retention.dead_letters_purge),
    ):
        try:
            done[name] = purge()
        except Exception:
            logger.exception("Retention of %s failed", name)
            done[name] = None
    return done


@shared_task(name="tagmanager.rollups_refresh")
def rollups_refresh() -> int:
    from tagmanager.services.ratelimits import refused_counts_flush
    from tagmanager.services.rollups import rollups_refresh as refresh

    # Refused requests (rate limits) go from their cache counters into the daily rows too; a
    # failure there must not keep the roll-ups from running.
    try:
        refused_counts_flush()
    except Exception:
        logger.exception("Taking the refused-request counts into the database failed")
    return refresh()
