"""A circuit breaker: after a backend failed, leave it alone for a while.

The hot endpoints talk to two optional backends, the cache and the ingestion buffer. When one
of them is down or hung, each call costs a socket timeout; the breaker makes only one request
per process pay for it, then skips the backend for the number of seconds a setting names.
"""

import logging
import threading
import time

from tagmanager.conf import get_setting

logger = logging.getLogger(__name__)


class CircuitBreaker:
    """Usage::

    breaker = CircuitBreaker("cache", retry_after_setting="CACHE_RETRY_AFTER")
    if breaker.available():
        try:
            ...
        except BackendError as exc:
            breaker.failed(exc)
    """

    def __init__(self, name: str, *, retry_after_setting: str):
        self.name = name
        self.retry_after_setting = retry_after_setting
        self._open_until = 0.0
        self._lock = threading.Lock()

    def available(self) -> bool:
        return time.monotonic() >= self._open_until

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            first = self.available()
            self._open_until = time.monotonic() + get_setting(self.retry_after_setting)
        if first:
            logger.warning("%s unavailable, working without it for a while: %r", self.name, exc)

    def reset(self) -> None:
        """Forget a past failure (an operator who fixed the backend, or a test)."""
        self._open_until = 0.0
