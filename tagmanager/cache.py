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

import time

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache

from tagmanager.breaker import CircuitBreaker
from tagmanager.conf import get_setting

breaker = CircuitBreaker("The cache", retry_after_setting="CACHE_RETRY_AFTER")


def _guarded(operation, default=None):
    """``operation()``, unless the cache failed a moment ago or fails now: then ``default``."""
    if not breaker.available():
        return default
    try:
        return operation()
    except Exception as exc:  # the backend's own errors (connection refused, timeout ...)
        breaker.failed(exc)
        return default


def cache_get(key: str, default=None):
    return _guarded(lambda: cache.get(key, default), default)


def cache_set(key: str, value, timeout: float) -> None:
    _guarded(lambda: cache.set(key, value, timeout))


def cache_add(key: str, value, timeout: float) -> None:
    """Set ``key`` only if the cache does not hold it yet."""
    _guarded(lambda: cache.add(key, value, timeout))


def cache_delete(key: str) -> None:
    _guarded(lambda: cache.delete(key))


def cache_get_many(keys: list[str]) -> dict:
    return _guarded(lambda: cache.get_many(keys), {}) if keys else {}


def cache_incr(counts: dict[str, tuple[int, int]]) -> list[int] | None:
    """Add to counters: ``{key: (delta, timeout)}``, a missing key starting at ``delta`` and
    living ``timeout`` seconds. Returns the new counts in order; None when the cache failed.
    Atomic across processes; with Django's Redis cache one round trip for all keys."""
    return _guarded(lambda: _incr(counts))


def _incr(counts: dict[str, tuple[int, int]]) -> list[int]:
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        return _redis_incr(backend, counts)
    totals = []
    for key, (delta, timeout) in counts.items():
        try:
            total = backend.incr(key, delta)
        except ValueError:  # missing (or expired): create it, unless another got there first
            total = delta if backend.add(key, delta, timeout) else backend.incr(key, delta)
        totals.append(total)
    return totals


def _redis_incr(backend, counts: dict[str, tuple[int, int]]) -> list[int]:
    # Django's RedisCache.incr costs two round trips per key (EXISTS, INCRBY) and cannot set a
    # timeout; one pipeline of INCRBY + EXPIRE per key costs one. Counters are stored as plain
    # integers, which is how Django's Redis serializer stores ints too.
    keys = [backend.make_and_validate_key(key) for key in counts]
    client = backend._cache.get_client(keys[0], write=True)
    with client.pipeline(transaction=False) as pipe:
        for key, (delta, timeout) in zip(keys, counts.values(), strict=True):
            pipe.incrby(key, delta)
            pipe.expire(key, timeout)
        return pipe.execute()[0::2]


def cache_counter_add(key: str, delta: int) -> bool:
    """Add ``delta`` (negative: subtract) to an existing counter; False when the key is gone
    or the cache failed."""

    def add() -> bool:
        try:
            cache.incr(key, delta)
        except ValueError:  # gone
            return False
        return True

    return _guarded(add, False)


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
    breaker.reset()
    _local.clear()
