"""Preview links: a signed, expiring token that lets one browser run a container's draft.

The token names the container and the user who asked for it, never the draft (the draft is
read each time the preview loads). It is signed with ``django.core.signing`` under a salt of
its own and is valid for ``TAGMANAGER["PREVIEW_MAX_AGE"]`` seconds. Every load verifies it
again and checks that its user may still preview the container, so taking a user's membership
or permission away ends their links at once.

Usage::

    from tagmanager.services.preview import preview_link_create, preview_token_verify

    link = preview_link_create(container=shop, user=request.user, url="https://shop.example/")
    link.url  # "https://shop.example/?tm_preview=eyJj…"
    grant = preview_token_verify(token=token, key="shop")  # or raises PreviewRefused
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError

from tagmanager import permissions
from tagmanager.conf import get_setting
from tagmanager.models import Container

SALT = "tagmanager.preview"
PARAM = "tm_preview"  # the query parameter, and the session cookie the preview sets on the site
# Either lets a member open the container in the admin, so either lets them preview it.
VIEW_PERMISSIONS = ("tagmanager.view_container", "tagmanager.change_container")
# What django.core.signing produces: URL-safe base64 and ":" separators.
_TOKEN = re.compile(r"[A-Za-z0-9_\-:]{1,400}")


@dataclass(frozen=True)
class PreviewLink:
    url: str
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class PreviewGrant:
    container: Container
    user: object
    token: str
    expires_at: datetime


class PreviewRefused(Exception):
    """A preview token that does not open the draft; ``status`` is the HTTP answer (403/404)."""

    def __init__(self, reason: str, status: int = 403):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def preview_permitted(*, user, container: Container) -> bool:
    """Whether ``user`` may preview ``container``: an active staff user who is a member of it
    (superusers: of any) and holds ``tagmanager.view_container`` or ``change_container``."""
    if user is None or not user.is_active or not user.is_staff:
        return False
    if user.is_superuser:
        return True
    return permissions.container_visible(user, container) and any(
        user.has_perm(perm) for perm in VIEW_PERMISSIONS
    )


def _expiry(token: str) -> datetime:
    # The signing timestamp sits between the payload and the signature.
    issued = signing.b62_decode(token.rsplit(":", 2)[-2])
    return datetime.fromtimestamp(issued, tz=timezone.utc) + timedelta(
        seconds=get_setting("PREVIEW_MAX_AGE")
    )


def preview_token_create(*, container: Container, user) -> str:
    """A token for ``user`` to preview ``container``'s draft; PermissionDenied if they may not."""
    if not preview_permitted(user=user, container=container):
        raise PermissionDenied("You may not preview this container.")
    return signing.dumps({"c": container.pk, "u": user.pk}, salt=SALT)


def preview_url(url: str, token: str) -> str:
    """``url`` with the preview parameter set to ``token`` (any earlier one replaced)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != PARAM]
    query.append((PARAM, token))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _check_site_url(container: Container, url: str) -> str:
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a malformed port
    except ValueError as exc:
        raise ValidationError("Enter a valid URL, e.g. https://www.example.com/shop.") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("Enter a full http:// or https:// URL of a page of the site.")
    explicit = port is not None and port != {"http": 80, "https": 443}[parts.scheme]
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    origin = f"{parts.scheme}://{host}" + (f":{port}" if explicit else "")
    allowed = [o for o in container.allowed_origins or [] if o != "self"]
    if origin not in allowed:
        listed = ", ".join(allowed) or "none yet"
        raise ValidationError(
            f"{origin} is not one of this container's allowed origins ({listed}). Preview a "
            "page of one of them, or add the site to the container's allowed origins."
        )
    return url


def preview_link_create(*, container: Container, user, url: str) -> PreviewLink:
    """A link that opens ``url`` (a page of one of the container's allowed origins) with the
    container's draft and the debug panel, in the browser that opens it.

    Raises ``ValidationError`` for a URL outside the allowed origins, ``PermissionDenied`` for
    a user who may not preview the container.
    """
    url = _check_site_url(container, url)
    token = preview_token_create(container=container, user=user)
    return PreviewLink(url=preview_url(url, token), token=token, expires_at=_expiry(token))


def preview_token_verify(*, token: str, key: str) -> PreviewGrant:
    """The grant behind ``token`` for the container whose loader is ``key``.

    Raises ``PreviewRefused`` (with a reason a person can act on) when the token is malformed,
    forged, expired, for another container, or its user may no longer preview the container.
    """
    if not _TOKEN.fullmatch(token or ""):
        raise PreviewRefused("this is not a preview link")
    try:
        data = signing.loads(token, salt=SALT, max_age=get_setting("PREVIEW_MAX_AGE"))
    except signing.SignatureExpired as exc:
        raise PreviewRefused("this preview link has expired; create a new one") from exc
    except signing.BadSignature as exc:
        raise PreviewRefused("this preview link is not valid (bad signature)") from exc
    if not (
        isinstance(data, dict)
        and isinstance(data.get("c"), int)
        and isinstance(data.get("u"), (int, str))
    ):
        raise PreviewRefused("this is not a preview link")
    container = Container.objects.select_related("live_version").filter(pk=data["c"]).first()
    if container is None:
        raise PreviewRefused("the container of this preview link no longer exists", 404)
    if container.key != key:
        raise PreviewRefused("this preview link is for another container", 404)
    user = get_user_model().objects.filter(pk=data["u"]).first()
    if not preview_permitted(user=user, container=container):
        raise PreviewRefused("the user who created this preview link may no longer preview it")
    return PreviewGrant(container=container, user=user, token=token, expires_at=_expiry(token))
