"""What the two hottest write endpoints answer, as plain (status, headers, body).

Shared by the Django views (``tagmanager.views``) and the optional WSGI fast path
(``tagmanager.wsgi``), so that both answer exactly alike: same checks, same order, same codes.
"""

import json
import uuid
from typing import NamedTuple

from django.db import DatabaseError

from tagmanager import payloads
from tagmanager.conf import get_setting
from tagmanager.selectors import container_ingest_meta
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


def collect_answer(*, body: bytes, origin: str) -> Answer:
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
    try:
        meta = container_ingest_meta(key=key)
        if meta is None:
            return error(404, f"No container with key {key!r}.")
        if origin not in meta["origins"]:
            return error(403, f"Origin {origin or '(none)'!r} is not allowed for this container.")
        fire_events_dispatch(container_id=meta["id"], events=events, version=version, body=body)
    except DatabaseError:
        # Neither the buffer nor the database could take the batch: say so, don't crash.
        return error(503, "Temporarily unable to store events; retry later.")
    return Answer(204, [("Access-Control-Allow-Origin", origin)], b"")


def pixel_answer(*, key: str, query) -> Answer:
    """``GET /tm/p/<key>.gif``: log an event from ``query`` (a mapping of first values) and
    answer the GIF: always the image, never a redirect; 404 (still the image) for an unknown
    key, 503 (still the image) when nothing could take the event."""
    try:
        meta = container_ingest_meta(key=key)
        if meta is not None:
            event = payloads.pixel_event(query, new_id=uuid.uuid4().hex)
            fire_events_dispatch(container_id=meta["id"], events=[event])
        status = 200 if meta else 404
    except DatabaseError:
        status = 503
    headers = [
        ("Content-Type", "image/gif"),
        ("Content-Length", str(len(PIXEL_GIF))),
        ("Cache-Control", "no-store, max-age=0"),
    ]
    return Answer(status, headers, PIXEL_GIF)
