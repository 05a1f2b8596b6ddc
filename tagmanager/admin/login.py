"""The admin's sign-in, throttled: after ``LOGIN_FAILURE_LIMIT`` failed attempts for one
username from one client (IP truncated to /24 or /48), that pair is refused until the window
ends: the form says so, the answer is 429 with ``Retry-After``, and the password is not even
checked. Other users, and the same user from elsewhere, sign in as usual.

The app applies it to ``django.contrib.admin.site`` when it is ready. For your own admin site::

    from tagmanager.admin.login import throttle_login

    throttle_login(my_site)  # a login_form of your own should subclass ThrottledLoginForm
"""

import hashlib
import math
from functools import wraps

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from tagmanager import ratelimit
from tagmanager.endpoints import client_ip


def _counter(username: str, request) -> str:
    # Hashed: usernames may hold characters a cache key may not; case as the backend ignores it.
    user = hashlib.sha256(username.strip().casefold().encode("utf-8", "replace")).hexdigest()
    client = ratelimit.client_id(client_ip(request.META)) if request is not None else "?"
    return f"login:{user[:32]}:{client}"


class ThrottledLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": "Too many failed sign-ins for this username from your network. "
        "Try again in %(minutes)s minute(s).",
    }
    # Seconds until this username may try again from this client; 0 while it may.
    retry_after = 0

    def clean(self):
        rate = ratelimit.setting_rate("LOGIN_FAILURE_LIMIT")
        counter = _counter(self.cleaned_data.get("username") or "", self.request)
        self.retry_after = ratelimit.over(counter, rate)
        if self.retry_after:
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": math.ceil(self.retry_after / 60)},
            )
        try:
            return super().clean()
        except ValidationError:
            ratelimit.hit([(counter, rate)])
            raise


def throttle_login(site) -> None:
    """Sign-ins to ``site`` (an ``AdminSite``) use ``ThrottledLoginForm`` (unless the site
    has a form of its own) and answer 429 with ``Retry-After`` when it refuses one."""
    if getattr(site.login, "tagmanager_throttled", False):
        return
    if site.login_form is None:
        site.login_form = ThrottledLoginForm
    login = site.login

    @wraps(login)
    def throttled_login(request, extra_context=None):
        response = login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        wait = getattr(form, "retry_after", 0)
        if wait:
            response.status_code = 429
            response["Retry-After"] = str(wait)
        return response

    throttled_login.tagmanager_throttled = True
    site.login = throttled_login
