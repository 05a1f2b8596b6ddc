"""The public, hot endpoints. Each validates cheaply and calls one service or selector."""

import uuid

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tagmanager import payloads
from tagmanager.conf import get_setting
from tagmanager.loader.serve import JS, UNKNOWN, loader_http, loader_payload_get
from tagmanager.models import Container
from tagmanager.selectors import container_ingest_meta
from tagmanager.services.consent import consent_record_create
from tagmanager.services.ingestion import fire_events_dispatch


@require_GET
def loader(request, key: str):
    """``GET /tm/<key>.js``: runtime + published configuration, from the cache when warm."""
    payload = loader_payload_get(key=key)
    if isinstance(payload, str):
        reason = (
            "no container with this key"
            if payload == UNKNOWN
            else "this container has no published version yet"
        )
        response = HttpResponse(
            f"/* tagmanager: {reason} ({key}) */\n", content_type=JS, status=404
        )
        response["Cache-Control"] = f"public, max-age={get_setting('LOADER_MISSING_CACHE_TIMEOUT')}"
        return response
    status, headers, body = loader_http(
        payload,
        if_none_match=request.headers.get("If-None-Match", ""),
        accept_encoding=request.headers.get("Accept-Encoding", ""),
    )
    response = HttpResponse(body, status=status)
    if status == 304:
        del response["Content-Type"]
    for name, value in headers:
        response[name] = value
    return response


def _error(status: int, reason: str, origin: str = "") -> JsonResponse:
    response = JsonResponse({"error": reason}, status=status)
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    return response


def _read_body(request) -> bytes | None:
    """The body, or None when it is over the limit (checked before reading it all)."""
    limit = get_setting("COLLECT_MAX_BYTES")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


@csrf_exempt
@require_POST
def collect(request):
    """``POST /tm/collect``: a batch of fire events as JSON in a text/plain body. 204."""
    origin = request.headers.get("Origin", "")
    body = _read_body(request)
    if body is None:
        return _error(413, f"Body larger than {get_setting('COLLECT_MAX_BYTES')} bytes.")
    try:
        data = payloads.json_object(body)
        key = payloads.container_key(data)
        events = payloads.collect_events(data, max_events=get_setting("COLLECT_MAX_EVENTS"))
    except payloads.PayloadError as exc:
        return _error(400, str(exc))
    try:
        meta = container_ingest_meta(key=key)
        if meta is None:
            return _error(404, f"No container with key {key!r}.")
        if origin not in meta["origins"]:
            return _error(403, f"Origin {origin or '(none)'!r} is not allowed for this container.")
        fire_events_dispatch(container_id=meta["id"], events=events)
    except DatabaseError:
        # Neither the broker nor the database could take the batch: say so, don't crash.
        return _error(503, "Temporarily unable to store events; retry later.")
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Origin"] = origin
    return response


def _client_ip(request) -> str:
    header = get_setting("CLIENT_IP_HEADER")
    if header:
        return request.headers.get(header, "").split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


@csrf_exempt
@require_POST
def consent(request):
    """``POST /tm/consent``: one consent decision. 201 with the stored record's id."""
    origin = request.headers.get("Origin", "")
    body = _read_body(request)
    if body is None:
        return _error(413, f"Body larger than {get_setting('COLLECT_MAX_BYTES')} bytes.")
    try:
        data = payloads.json_object(body)
        key = payloads.container_key(data)
        decision = payloads.consent_parse(data)
    except payloads.PayloadError as exc:
        return _error(400, str(exc), origin)
    meta = container_ingest_meta(key=key)
    if meta is None:
        return _error(404, f"No container with key {key!r}.")
    if origin not in meta["origins"]:
        return _error(403, f"Origin {origin or '(none)'!r} is not allowed for this container.")
    container = Container.objects.select_related("live_version").get(pk=meta["id"])
    try:
        record = consent_record_create(
            container=container,
            data=decision,
            ip=_client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ValidationError as exc:
        return _error(400, " ".join(exc.messages), origin)
    response = JsonResponse({"id": record.pk, "consent_id": str(record.consent_id)}, status=201)
    response["Access-Control-Allow-Origin"] = origin
    return response


# The classic transparent 1x1 GIF, 43 bytes.
PIXEL_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@require_GET
def pixel(request, key: str):
    """``GET /tm/p/<key>.gif``: log an event (email open, ``<noscript>``) and answer the GIF.

    Always the image, never a redirect; 404 (still the image) for an unknown key.
    """
    meta = container_ingest_meta(key=key)
    if meta is not None:
        event = payloads.pixel_event(request.GET, new_id=uuid.uuid4().hex)
        fire_events_dispatch(container_id=meta["id"], events=[event])
    response = HttpResponse(PIXEL_GIF, content_type="image/gif", status=200 if meta else 404)
    response["Content-Length"] = str(len(PIXEL_GIF))
    response["Cache-Control"] = "no-store, max-age=0"
    return response
