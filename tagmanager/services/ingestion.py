"""Store fire events: parse, flag consent violations, insert in bulk, count duplicates.

The endpoints accept a beacon (one POST /tm/collect, or one pixel hit) and hand it to the
configured ingestion buffer (``tagmanager.ingest``), which stores it later, in bulk. Storing is
idempotent on ``event_id``: a beacon stored twice (redelivered after a crash, resent by a
browser) adds nothing but to the day's duplicate count.

A beacon, as buffers carry it, is plain data: ``{"c": container id, "e": [events], "r":
milliseconds since 1970 when the server received it, "v": the published version the browser
ran (optional)}``; ``r`` becomes the events' server time, ``v`` decides which categories each
tag needed (consent violations).
"""

import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from django.db import DataError, IntegrityError, connection, transaction

from tagmanager.breaker import CircuitBreaker
from tagmanager.ingest import BufferUnavailable, get_buffer
from tagmanager.models import Container, DeadLetter
from tagmanager.payloads import (
    beacon_problem,
    consent_violation,
    dead_letter_form,
    dead_letter_text,
    fire_event_parse,
    safe_text,
)
from tagmanager.services.fire_sql import COLUMN, FIELDS, duplicates_count, rows_insert

logger = logging.getLogger(__name__)

# After the buffer failed, requests store synchronously for INGEST_RETRY_AFTER seconds.
buffer_breaker = CircuitBreaker("The ingestion buffer", retry_after_setting="INGEST_RETRY_AFTER")
# What the data causes: a value the database refuses, a reference that is gone, a value the
# driver cannot adapt. On these a batch is split to find the culprit. Anything else (the
# database down, restarting or locked, code ahead of its migrations) goes up, and the batch is
# kept and tried again, whole.
DATA_ERRORS = (DataError, IntegrityError, ValueError, TypeError, ArithmeticError)
# Tag -> categories of a published version; versions never change, so this never goes stale.
_VERSION_TAGS: dict[int, dict[int, list[str]]] = {}


def beacon_make(
    *, container_id: int, events: list, received: float | None = None, version: int | None = None
) -> dict:
    """A beacon as buffers carry it (``received``: seconds since 1970, default now)."""
    beacon = {"c": container_id, "e": events, "r": int((received or time.time()) * 1000)}
    if version is not None:
        beacon["v"] = version
    return beacon


@dataclass(frozen=True)
class StoreResult:
    stored: int  # events newly stored
    duplicates: int  # events whose id was already stored (or repeated in the same batch)
    dead: int  # malformed events, kept as dead letters

    def __add__(self, other):
        return StoreResult(*(a + b for a, b in zip(self._tuple(), other._tuple(), strict=True)))

    def _tuple(self):
        return self.stored, self.duplicates, self.dead


def _tag_categories(beacons: list[dict]) -> dict[tuple, dict[int, list[str]]]:
    """Per (container, version the browser ran), the categories each tag needed: from that
    version when the beacon names it and it exists, else from the live version."""
    from tagmanager.models import ContainerVersion

    wanted = {(b["c"], b.get("v")) for b in beacons}
    containers = {c for c, _ in wanted}
    live = dict(Container.objects.filter(pk__in=containers).values_list("pk", "live_version_id"))
    named = {
        (c, n): pk
        for c, n, pk in ContainerVersion.objects.filter(
            container_id__in=containers, number__in={v for _, v in wanted if v is not None}
        ).values_list("container_id", "number", "pk")
    }
    version_of = {(c, v): named.get((c, v)) or live.get(c) for c, v in wanted}
    missing = {v for v in version_of.values() if v is not None and v not in _VERSION_TAGS}
    if missing:
        if len(_VERSION_TAGS) > 1000:  # bounded: old versions drop out
            _VERSION_TAGS.clear()
        for pk, config in ContainerVersion.objects.filter(pk__in=missing).values_list(
            "pk", "config"
        ):
            _VERSION_TAGS[pk] = {t["id"]: t["categories"] for t in config.get("tags", [])}
    # Containers that no longer exist are left out: their events cannot be stored.
    return {
        (c, n): _VERSION_TAGS.get(v, {}) if v else {}
        for (c, n), v in version_of.items()
        if c in live
    }


def _dead_letter(container_id, item, reason: str) -> DeadLetter:
    # A form any database keeps, with personal data left out or hashed (payloads.py); an
    # object always (JSON null would be SQL NULL).
    payload = dead_letter_form(item)
    if not isinstance(payload, dict):
        payload = {"item": payload}
    return DeadLetter(container_id=container_id, payload=payload, reason=safe_text(reason, 500))


def _rows(beacons: list[dict]) -> tuple[list[tuple], list[DeadLetter]]:
    """Parse every event: rows to insert (values in ``FIELDS`` order) and dead letters."""
    tags = _tag_categories(beacons)
    rows, dead = [], []
    for beacon in beacons:
        container_id = beacon["c"]
        received = datetime.fromtimestamp(beacon["r"] / 1000, tz=timezone.utc)
        required = tags.get((container_id, beacon.get("v")))
        if required is None:  # deleted since the beacon was accepted
            reason = f"Container {container_id} no longer exists."
            dead += [_dead_letter(None, item, reason) for item in beacon["e"]]
            continue
        for item in beacon["e"]:
            try:
                event = fire_event_parse(item)
            except ValueError as exc:
                dead.append(_dead_letter(container_id, item, str(exc)))
                continue
            values = {
                "event_id": event.event_id,
                "container_id": container_id,
                "tag_id": event.tag_id,
                "trigger_id": event.trigger_id,
                "consent_id": event.consent_id,
                "categories": list(event.categories),
                "consent_violation": consent_violation(
                    required=required.get(event.tag_id), granted=event.categories
                ),
                "event_name": event.event_name,
                "page_url": event.page_url,
                "value": event.value,
                "currency": event.currency,
                "utm": event.utm,
                "recipient": event.recipient,
                "client_time": event.client_time,
                "server_time": received,
            }
            rows.append(tuple(values[f.attname] for f in FIELDS))
    return rows, dead


def _store(beacons: list[dict]) -> StoreResult:
    rows, dead = _rows(beacons)
    event_id, container, tag, received = (
        COLUMN["event_id"],
        COLUMN["container_id"],
        COLUMN["tag_id"],
        COLUMN["server_time"],
    )
    unique = {}
    for row in rows:
        unique.setdefault((row[container], row[event_id]), row)
    # Inserting in key order: concurrent batches then lock index entries in the same order.
    ordered = [unique[k] for k in sorted(unique)]
    with transaction.atomic():
        inserted = rows_insert(ordered) if ordered else set()
        duplicates, first = Counter(), set()
        for row in rows:
            key = (row[container], row[event_id])
            if key in inserted and key not in first:
                first.add(key)
                continue
            duplicates[(row[container], row[received].date(), row[tag] or 0)] += 1
        duplicates_count(duplicates)
        if dead:
            DeadLetter.objects.bulk_create(dead)
    return StoreResult(stored=len(inserted), duplicates=sum(duplicates.values()), dead=len(dead))


def _bury(beacon: dict, exc: Exception) -> StoreResult:
    """Keep the events of a beacon the database refuses as dead letters, with the reason."""
    container_id, events = beacon["c"], beacon["e"]
    if not Container.objects.filter(pk=container_id).exists():
        container_id = None  # deleted since: keep the events without it
    reason = f"Not storable: {type(exc).__name__}: {exc}"
    try:
        with transaction.atomic():
            DeadLetter.objects.bulk_create([_dead_letter(container_id, e, reason) for e in events])
    except IntegrityError:  # the container was deleted a moment ago
        with transaction.atomic():
            DeadLetter.objects.bulk_create([_dead_letter(None, e, reason) for e in events])
    logger.warning("%d events went to the dead letters: %s", len(events), safe_text(reason, 200))
    return StoreResult(stored=0, duplicates=0, dead=len(events))


def _bury_malformed(beacon, reason: str) -> StoreResult:
    """Keep what is not a beacon at all (from a buffer of one's own, or tampered with)."""
    events = beacon.get("e") if isinstance(beacon, dict) else None
    items = events if isinstance(events, list) and events else [beacon]
    with transaction.atomic():
        DeadLetter.objects.bulk_create([_dead_letter(None, item, reason) for item in items])
    return StoreResult(stored=0, duplicates=0, dead=len(items))


def fire_undecodable_bury(items: list[tuple[bytes, str]]) -> int:
    """Keep buffered beacons that cannot be decoded as dead letters (a safe, shortened text of
    the buffered bytes, personal data scrubbed), so that they hold up nothing; how many."""
    letters = [
        DeadLetter(
            container_id=None,
            payload={"buffered": dead_letter_text(item)},
            reason=safe_text(f"Undecodable buffered beacon: {why}", 500),
        )
        for item, why in items
    ]
    DeadLetter.objects.bulk_create(letters)
    logger.warning("%d undecodable buffered beacons went to the dead letters", len(letters))
    return len(letters)


def _store_isolating(beacons: list[dict]) -> StoreResult:
    """Store the beacons; if the database refuses the batch for a reason of the data, split it
    in halves (beacons, then a beacon's events) until the one event at fault is found, bury
    that and store everything else exactly once (each attempt is its own transaction)."""
    try:
        return _store(beacons)
    except DATA_ERRORS as exc:
        if len(beacons) > 1:
            middle = len(beacons) // 2
            return _store_isolating(beacons[:middle]) + _store_isolating(beacons[middle:])
        (beacon,) = beacons
        events = beacon["e"]
        if len(events) > 1:
            middle = len(events) // 2
            return _store_isolating([{**beacon, "e": events[:middle]}]) + _store_isolating(
                [{**beacon, "e": events[middle:]}]
            )
        return _bury(beacon, exc)


def fire_beacons_store(*, beacons: list) -> StoreResult:
    """Store many beacons in one transaction: the bulk path of every ingestion buffer.

    Malformed events go to the dead letters with the reason; the rest are stored; an event id
    seen before (in the same container) is counted as a duplicate of its tag on the day it was
    received again. If the database refuses the batch because of one event's data
    (``DATA_ERRORS``), the batch is split until that event is found; it goes to the dead
    letters, so one poisoned event can never hold up the others. Any other error (the database
    down, locked or restarting) goes up with nothing stored: the caller keeps the batch and
    tries it again.
    """
    total, good = StoreResult(0, 0, 0), []
    # One transaction around it all, each attempt a savepoint inside: if the database goes
    # away halfway through a split, nothing is kept, and the batch is tried again from the
    # start (no half stored, buried twice or counted as duplicates of itself).
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Foreign keys are checked per statement, inside the savepoint that caused them.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for beacon in beacons:
            problem = beacon_problem(beacon)
            if problem:
                total += _bury_malformed(beacon, f"Not a beacon: {problem}")
            elif beacon["e"]:
                good.append(beacon)
        return total + (_store_isolating(good) if good else StoreResult(0, 0, 0))


def fire_events_store(
    *, container_id: int, events: list, received: float | None = None, version: int | None = None
) -> StoreResult:
    """Store one beacon's events now (the synchronous path)."""
    beacon = beacon_make(
        container_id=container_id, events=events, received=received, version=version
    )
    return fire_beacons_store(beacons=[beacon])


def _store_beacons(beacons: list) -> StoreResult:
    return fire_beacons_store(beacons=beacons)


def ingest_buffer():
    """The configured buffer, given this service's ways to store and to bury."""
    return get_buffer(store=_store_beacons, bury=fire_undecodable_bury)


def fire_events_dispatch(
    *, container_id: int, events: list, version: int | None = None, body: bytes | None = None
) -> None:
    """Hand a beacon to the ingestion buffer; if it cannot take it right now, store it here.

    Buffers give up on an unreachable or hung backend quickly (socket timeouts), so a request
    waits at most about that long, and nothing is lost. ``body``: the JSON object ``events``
    was parsed from (its "events"), which a buffer may carry as it is instead of encoding the
    events again.
    """
    beacon = beacon_make(container_id=container_id, events=events, version=version)
    try:
        # After a failure the buffer is left alone for INGEST_RETRY_AFTER seconds, so that
        # one request per process, not every request, waits for its timeout.
        if not buffer_breaker.available():
            raise BufferUnavailable("it failed less than INGEST_RETRY_AFTER seconds ago")
        if body is None:
            ingest_buffer().push(beacon)
        else:
            ingest_buffer().push_body(beacon, body)
    except BufferUnavailable as exc:
        if buffer_breaker.available():
            buffer_breaker.failed(exc)
        logger.warning(
            "Ingest buffer unavailable (%s); storing %d events synchronously", exc, len(events)
        )
        fire_beacons_store(beacons=[beacon])


def fire_events_drain(*, max_seconds: float = 10.0) -> int:
    """Store what the buffer holds, in bulk, for at most about ``max_seconds``; return how many
    beacons were stored (the periodic and on-demand drain task)."""
    return ingest_buffer().drain(max_seconds=max_seconds)
