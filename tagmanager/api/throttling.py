"""Throttling of the management API: requests per user, and per client without credentials.

Counted with the public endpoints' rate limits (``tagmanager.ratelimit``): in the cache, shared
by every process, and allowing requests when the cache fails. DRF answers 429 with
``Retry-After``.
"""

from rest_framework.throttling import BaseThrottle

from tagmanager import ratelimit
from tagmanager.endpoints import client_ip


class ApiThrottle(BaseThrottle):
    """``API_THROTTLE_USER`` requests per signed-in user (token or session), and
    ``API_THROTTLE_ANON`` per client (IP truncated to /24 or /48) for requests without valid
    credentials, failed tokens included (see ``ApiMixin.initial``)."""

    def allow_request(self, request, view) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            name, setting = f"api:u:{user.pk}", "API_THROTTLE_USER"
        else:
            name = f"api:a:{ratelimit.client_id(client_ip(request.META))}"
            setting = "API_THROTTLE_ANON"
        self.retry_after = ratelimit.hit([(name, ratelimit.setting_rate(setting))])
        return not self.retry_after

    def wait(self) -> float | None:
        return self.retry_after or None
