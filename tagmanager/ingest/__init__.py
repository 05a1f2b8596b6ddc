"""Ingestion buffers: where an accepted beacon waits until it is stored in bulk.

This package knows nothing of models or services: the service that owns storing
(``tagmanager.services.ingestion``) hands each buffer how to store beacons and how to bury what
it cannot decode. The buffer is an extension point, named by a dotted path in
``TAGMANAGER["INGEST_BUFFER"]``:

- ``tagmanager.ingest.direct.DirectBuffer`` (default): no buffer; the request stores its beacon
  itself. Needs no broker.
- ``tagmanager.ingest.celery.CeleryTaskBuffer``: one Celery task per beacon; any broker.
- ``tagmanager.ingest.redis_buffer.RedisBuffer``: beacons are appended to a Redis list and a
  drain task stores them hundreds at a time; the fastest, for a Redis deployment.

A buffer of your own subclasses ``IngestBuffer``::

    class KafkaBuffer(IngestBuffer):
        def push(self, beacon):
            ...  # raise BufferUnavailable when the backend cannot take it now

        def drain(self, *, max_seconds):
            ...  # self.store(beacons) for what it took; self.bury(items) for undecodable ones

Whatever the buffer, the request falls back to storing the beacon itself when ``push`` raises
``BufferUnavailable``, and storing is idempotent, so a buffer may deliver a beacon twice.
"""

from collections.abc import Callable
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from tagmanager.conf import get_setting

# Stores beacons (plain dicts, see tagmanager.services.ingestion) in one go. It keeps bad
# events as dead letters itself and raises only when the database cannot be written now.
Store = Callable[[list[dict]], object]
# Keeps buffered items that cannot be decoded (the raw bytes, and why) as dead letters.
Bury = Callable[[list[tuple[bytes, str]]], object]

# The names the buffers had before they moved into modules of their own.
ALIASES = {
    "tagmanager.ingest.DirectBuffer": "tagmanager.ingest.direct.DirectBuffer",
    "tagmanager.ingest.CeleryTaskBuffer": "tagmanager.ingest.celery.CeleryTaskBuffer",
}
# Buffers that hand beacons to a Celery broker: without one configured, they cannot work.
NEEDS_BROKER = (
    "tagmanager.ingest.celery.CeleryTaskBuffer",
    "tagmanager.ingest.redis_buffer.RedisBuffer",
)


class BufferUnavailable(Exception):
    """The buffer cannot take a beacon right now (its backend is down, hung or refused it)."""


class IngestBuffer:
    """Base class of ingestion buffers. ``store`` and ``bury`` come from the service."""

    def __init__(self, *, store: Store, bury: Bury):
        self.store = store
        self.bury = bury

    def push(self, beacon: dict) -> None:
        """Take one beacon or raise BufferUnavailable."""
        raise NotImplementedError

    def push_body(self, beacon: dict, body: bytes) -> None:
        """Take a beacon whose events were parsed from ``body`` (a JSON object whose "events"
        are ``beacon["e"]``, as ``POST /tm/collect`` received it). A buffer that serializes
        beacons may keep ``body`` as it is rather than encode the events again; by default
        this is ``push(beacon)``."""
        self.push(beacon)

    def drain(self, *, max_seconds: float) -> int:
        """Store waiting beacons with ``self.store``; return how many. Buffers that deliver
        on their own (through Celery) have nothing to drain."""
        return 0

    def status(self) -> dict:
        """What an operator wants to know: waiting beacons and the like."""
        return {}


def buffer_path() -> str:
    """The configured buffer's dotted path (old names resolved)."""
    path = get_setting("INGEST_BUFFER")
    return ALIASES.get(path, path)


def buffer_class(path: str) -> type[IngestBuffer]:
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
    return cls


@cache
def get_buffer(*, store: Store, bury: Bury) -> IngestBuffer:
    """The configured buffer (one instance per process and pair of callables)."""
    return buffer_class(buffer_path())(store=store, bury=bury)


def clear_cache() -> None:
    get_buffer.cache_clear()
