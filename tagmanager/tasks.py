"""Celery tasks: thin wrappers that take plain data and call services or selectors."""

from celery import shared_task
from django.db import DatabaseError

from tagmanager.selectors import health_status


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
def fire_events_ingest(container_id: int, events: list) -> int:
    from tagmanager.services.ingestion import fire_events_store

    return fire_events_store(container_id=container_id, events=events)


@shared_task(name="tagmanager.consent_chains_seal")
def consent_chains_seal() -> int:
    from tagmanager.services.sealing import consent_chains_seal as seal

    return seal()


@shared_task(name="tagmanager.retention_run")
def retention_run() -> dict:
    from tagmanager.services.retention import consent_records_purge, fire_events_purge

    return {"fire_events": fire_events_purge(), "consent_records": consent_records_purge()}
