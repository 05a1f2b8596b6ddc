"""Store batches of fire events: parse, flag consent violations, bulk insert, dedup on event_id."""

import logging

from django.conf import settings
from django.db import transaction

from tagmanager.models import Container, DeadLetter, FireEvent
from tagmanager.payloads import consent_violation, fire_event_parse

logger = logging.getLogger(__name__)


def _tag_categories(container_id: int) -> dict[int, list[str]]:
    config = (
        Container.objects.filter(pk=container_id)
        .values_list("live_version__config", flat=True)
        .first()
    )
    return {t["id"]: t["categories"] for t in (config or {}).get("tags", [])}


def fire_events_store(*, container_id: int, events: list) -> int:
    """Store a batch; malformed events go to the dead letters. Returns how many were valid.

    Idempotent: storing the same batch twice stores nothing new (``ON CONFLICT DO NOTHING``).
    """
    tag_categories = _tag_categories(container_id)
    rows, dead = [], []
    for item in events:
        try:
            event = fire_event_parse(item)
        except ValueError as exc:
            dead.append(DeadLetter(container_id=container_id, payload=item, reason=str(exc)))
            continue
        rows.append(
            FireEvent(
                event_id=event.event_id,
                container_id=container_id,
                tag_id=event.tag_id,
                trigger_id=event.trigger_id,
                consent_id=event.consent_id,
                categories=list(event.categories),
                consent_violation=consent_violation(
                    required=tag_categories.get(event.tag_id), granted=event.categories
                ),
                event_name=event.event_name,
                page_url=event.page_url,
                value=event.value,
                currency=event.currency,
                utm=event.utm,
                recipient=event.recipient,
                client_time=event.client_time,
            )
        )
    with transaction.atomic():
        FireEvent.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        DeadLetter.objects.bulk_create(dead)
    return len(rows)


def fire_events_dispatch(*, container_id: int, events: list) -> None:
    """Hand a batch to a worker; if the broker cannot take it right now, store it here.

    Broker sockets time out quickly (``CELERY_BROKER_TIMEOUT``), so a dead or hung broker
    costs a request at most about that long, and nothing is lost.
    """
    from tagmanager.tasks import fire_events_ingest

    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        fire_events_store(container_id=container_id, events=events)
        return
    try:
        fire_events_ingest.apply_async(args=(container_id, events), retry=False)
    except Exception:  # any broker failure: connection refused, timeout, protocol error
        logger.warning("Broker unavailable; storing %d events synchronously", len(events))
        fire_events_store(container_id=container_id, events=events)
