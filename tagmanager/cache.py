"""The cache as the hot endpoints use it: a failing cache backend is a miss, not an error;
and a small memory of the process in front of it.

A Redis cache that is down or hung must not take the loader and the ingestion endpoints down
with it. A read or write that fails (after the backend's own socket timeout) counts as a miss,
and the process then leaves the cache alone for ``CACHE_RETRY_AFTER`` seconds, so that only
one request per process pays for the timeout.

``local_get``/``local_set`` keep what the hot endpoints read for ``LOCAL_CACHE_SECONDS`` in the
process itself: a shared (Redis) cache costs a round trip and an unpickling per request, which
for the loader and the pixel is most of the work.
"""

import logging
import threading
import time

from django.core.cache import cache

from tagmanager.conf import get_setting

logger = logging.getLogger(__name__)
_MISS = object()
_state = {"down_until": 0.0}
_lock = threading.Lock()


def _available() -> bool:
    return time.monotonic() >= _state["down_until"]


def _failed(exc: Exception) -> None:
    with _lock:
        _state["down_until"] = time.monotonic() + get_setting("CACHE_RETRY_AFTER")
    logger.warning("Cache unavailable, working without it for a while: %r", exc)


def cache_get(key: str, default=None):
    if not _available():
        return default
    try:
        return cache.get(key, default)
    except Exception as exc:  # the backend's own errors (connection refused, timeout ...)
        _failed(exc)
        return default


def cache_set(key: str, value, timeout: float) -> None:
    if not _available():
        return
    try:
        cache.set(key, value, timeout)
    except Exception as exc:
        _failed(exc)


_local: dict = {}
_LOCAL_MAX = 10_000


def local_get(key: str):
    """What ``local_set`` kept under ``key`` and has not expired, else None."""
    entry = _local.get(key)
    if entry is None or entry[0] < time.monotonic():
        return None
    return entry[1]


def local_set(key: str, value, timeout: float | None = None) -> None:
    timeout = get_setting("LOCAL_CACHE_SECONDS") if timeout is None else timeout
    if timeout <= 0:
        return
    if len(_local) >= _LOCAL_MAX:  # bounded: probing random keys cannot fill the memory
        _local.clear()
    _local[key] = (time.monotonic() + timeout, value)


def local_delete(key: str) -> None:
    _local.pop(key, None)


def reset() -> None:
    """Forget a past failure and everything kept locally (tests)."""
    _state["down_until"] = 0.0
    _local.clear()
