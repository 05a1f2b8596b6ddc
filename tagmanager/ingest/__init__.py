"""Ingestion buffers: where an accepted beacon waits until it is stored in bulk.

The buffer is an extension point, named by a dotted path in ``TAGMANAGER["INGEST_BUFFER"]``:

- ``tagmanager.ingest.CeleryTaskBuffer`` (default): one Celery task per beacon; works with
  any broker Celery supports.
- ``tagmanager.ingest.redis_buffer.RedisBuffer``: beacons are appended to a Redis list and a
  drain task stores them hundreds at a time; the fastest, for a Redis deployment.
- ``tagmanager.ingest.DirectBuffer``: no buffer; the request stores its beacon itself.

A buffer of your own subclasses ``IngestBuffer``::

    class KafkaBuffer(IngestBuffer):
        def push(self, beacon):
            ...  # raise BufferUnavailable when the backend cannot take it now

Whatever the buffer, the request falls back to storing the beacon itself when ``push`` raises
``BufferUnavailable``, and storing is idempotent, so a buffer may deliver a beacon twice.
"""

from collections.abc import Callable
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from tagmanager.conf import get_setting


class BufferUnavailable(Exception):
    """The buffer cannot take a beacon right now (its backend is down, hung or refused it)."""


class IngestBuffer:
    """Base class of ingestion buffers."""

    def push(self, beacon: dict) -> None:
        """Take one beacon (see ``tagmanager.services.ingestion``) or raise BufferUnavailable."""
        raise NotImplementedError

    def push_body(self, beacon: dict, body: bytes) -> None:
        """Take a beacon whose events were parsed from ``body`` (a JSON object whose "events"
        are ``beacon["e"]``, as ``POST /tm/collect`` received it). A buffer that serializes
        beacons may keep ``body`` as it is rather than encode the events again; by default
        this is ``push(beacon)``."""
        self.push(beacon)

    def drain(self, *, store: Callable[[list[dict]], object], max_seconds: float) -> int:
        """Store waiting beacons with ``store(beacons)``; return how many. Buffers that deliver
        on their own (through Celery) have nothing to drain."""
        return 0

    def status(self) -> dict:
        """What an operator wants to know: waiting beacons and the like."""
        return {}


class DirectBuffer(IngestBuffer):
    """No buffering: the request stores its beacon before answering."""

    def push(self, beacon: dict) -> None:
        from tagmanager.services.ingestion import fire_beacons_store

        fire_beacons_store(beacons=[beacon])


class CeleryTaskBuffer(IngestBuffer):
    """One Celery task per beacon (late acknowledgement: a worker's death redelivers it)."""

    def push(self, beacon: dict) -> None:
        from tagmanager.tasks import fire_events_ingest

        try:
            # ignore_result: nobody reads it, and otherwise publishing first subscribes to the
            # result in a Redis result backend, whose reconnect loop ignores the broker's
            # socket timeouts and holds the request for many seconds when Redis hangs.
            fire_events_ingest.apply_async(
                args=(beacon["c"], beacon["e"], beacon["r"], beacon.get("v")),
                retry=False,
                ignore_result=True,
            )
        except Exception as exc:  # any broker failure: refused, timed out, protocol error
            raise BufferUnavailable(f"broker: {exc!r}") from exc


@cache
def get_buffer() -> IngestBuffer:
    """The configured buffer (one instance per process)."""
    path = get_setting("INGEST_BUFFER")
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"TAGMANAGER['INGEST_BUFFER']: cannot import {path!r}: {exc}"
        ) from None
    if not (isinstance(cls, type) and issubclass(cls, IngestBuffer)):
        raise ImproperlyConfigured(
            f"TAGMANAGER['INGEST_BUFFER']: {path!r} is not an IngestBuffer subclass."
        )
    return cls()


def clear_cache() -> None:
    get_buffer.cache_clear()
