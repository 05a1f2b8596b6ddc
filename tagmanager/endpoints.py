"""What the two hottest write endpoints answer, as plain (status, headers, body).

Shared by the Django views (``tagmanager.views``) and the optional WSGI fast path
(``tagmanager.wsgi``), so that both answer exactly alike: same checks, same order, same codes.
"""

import json
import uuid
from typing import NamedTuple

from django.db import DatabaseError

from tagmanager import payloads, ratelimit
from tagmanager.conf import get_setting
from tagmanager.selectors import container_ingest_meta, container_origin_allowed
from tagmanager.services.ingestion import fire_events_dispatch

# The classic transparent 1x1 GIF, 43 bytes.
PIXEL_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


class Answer(NamedTuple):
    status: int
    headers: list
    body: bytes


def error(status: int, reason: str, origin: str = "") -> Answer:
    body = json.dumps({"error": reason}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    if origin:
        headers.append(("Access-Control-Allow-Origin", origin))
    return Answer(status, headers, body)


def body_over_limit(declared: str | None) -> bool:
    """Whether a declared Content-Length is already over COLLECT_MAX_BYTES."""
    try:
        return int(declared or 0) > get_setting("COLLECT_MAX_BYTES")
    except ValueError:
        return False


def too_large() -> Answer:
    return error(413, f"Body larger than {get_setting('COLLECT_MAX_BYTES')} bytes.")


def client_ip(meta) -> str:
    """The client's IP from a WSGI environ (or ``request.META``, the same): the last value of
    the ``CLIENT_IP_HEADER`` your proxy sets, else ``REMOTE_ADDR``."""
    header = get_setting("CLIENT_IP_HEADER")
    if header:
        return meta.get(f"HTTP_{header.upper().replace('-', '_')}", "").split(",")[-1].strip()
    return meta.get("REMOTE_ADDR", "")


def _over_limit(door: str, *, key: str, client_ip: str) -> int:
    """Seconds to wait when this request to ``door`` is over its client's or its container's
    rate limit (the refusal is counted for the container's reports), else 0."""
    wait = ratelimit.door_hit(door, client_ip=client_ip, container=key)
    if wait:
        try:
            meta = container_ingest_meta(key=key)
        except DatabaseError:
            meta = None
        if meta:
            ratelimit.refused_count(door=door, container_id=meta["id"])
    return wait


def rate_limited(door: str, *, key: str, client_ip: str, origin: str) -> Answer | None:
    """429 with ``Retry-After`` when this request to ``door`` (collect, consent) is over a
    rate limit, else None. The page's script may read it, Retry-After included."""
    wait = _over_limit(door, key=key, client_ip=client_ip)
    if not wait:
        return None
    status, headers, body = error(429, f"Too many requests; retry in {wait} s.", origin)
    headers.append(("Retry-After", str(wait)))
    if origin:
        headers.append(("Access-Control-Expose-Headers", "Retry-After"))
    return Answer(status, headers, body)


def own_origin(environ) -> str:
    """This server's origin as the request reached it (scheme and Host, as Django's
    ``request.scheme`` and ``request.get_host()`` read them), or "" when the host is not one of
    ALLOWED_HOSTS: the allowed origin "self" then matches nothing."""
    from django.conf import settings
    from django.http.request import split_domain_port, validate_host

    if settings.USE_X_FORWARDED_HOST and environ.get("HTTP_X_FORWARDED_HOST"):
        host = environ["HTTP_X_FORWARDED_HOST"]
    else:
        host = environ.get("HTTP_HOST", "")
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, allowed):
        return ""
    scheme = environ.get("wsgi.url_scheme", "http")
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy and environ.get(proxy[0]) is not None:
        scheme = "https" if environ.get(proxy[0], "").split(",")[0].strip() == proxy[1] else "http"
    return f"{scheme}://{host.lower()}"


def collect_answer(
    *, body: bytes, origin: str, client_ip: str = "", own_origin: str = ""
) -> Answer:
    """``POST /tm/collect``: checks cheapest first, then hands the batch to the buffer. 204."""
    if len(body) > get_setting("COLLECT_MAX_BYTES"):
        return too_large()
    try:
        data = payloads.json_object(body)
        key = payloads.container_key(data)
        events = payloads.collect_events(data, max_events=get_setting("COLLECT_MAX_EVENTS"))
        version = payloads.collect_version(data)
    except payloads.PayloadError as exc:
        return error(400, str(exc))
    refused = rate_limited("collect", key=key, client_ip=client_ip, origin=origin)
    if refused:
        return refused
    try:
        meta = container_ingest_meta(key=key)
        if meta is None:
            return error(404, f"No container with key {key!r}.")
        if not container_origin_allowed(key=key, meta=meta, origin=origin, own_origin=own_origin):
            return error(403, f"Origin {origin or '(none)'!r} is not allowed for this container.")
        fire_events_dispatch(container_id=meta["id"], events=events, version=version, body=body)
    except DatabaseError:
        # Neither the buffer nor the database could take the batch: say so, don't crash.
        return error(503, "Temporarily unable to store events; retry later.")
    return Answer(204, [("Access-Control-Allow-Origin", origin)], b"")


def pixel_answer(*, key: str, query, client_ip: str = "") -> Answer:
    """``GET /tm/p/<key>.gif``: log an event from ``query`` (a mapping of first values) and
    answer the GIF: always the image, never a redirect; 404 (still the image) for an unknown
    key, 429 (still the image, with Retry-After, nothing logged) over a rate limit, 503 (still
    the image) when nothing could take the event."""
    headers = [
        ("Content-Type", "image/gif"),
        ("Content-Length", str(len(PIXEL_GIF))),
        ("Cache-Control", "no-store, max-age=0"),
    ]
    wait = _over_limit("pixel", key=key, client_ip=client_ip)
    if wait:
        return Answer(429, [*headers, ("Retry-After", str(wait))], PIXEL_GIF)
    try:
        meta = container_ingest_meta(key=key)
        if meta is not None:
            event = payloads.pixel_event(query, new_id=uuid.uuid4().hex)
            fire_events_dispatch(container_id=meta["id"], events=[event])
        status = 200 if meta else 404
    except DatabaseError:
        status = 503
    return Answer(status, headers, PIXEL_GIF)
