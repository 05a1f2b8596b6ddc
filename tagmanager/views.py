"""The public, hot endpoints. Each validates cheaply and calls one service or selector."""

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tagmanager import endpoints, payloads
from tagmanager.conf import get_setting
from tagmanager.endpoints import PIXEL_GIF  # noqa: F401  (the pixel's bytes, for importers)
from tagmanager.loader.serve import JS, UNKNOWN, loader_http, loader_payload_get
from tagmanager.models import Container
from tagmanager.selectors import container_ingest_meta, container_origin_allowed
from tagmanager.services.consent import ConsentIdTaken, consent_record_create


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


def _error(status: int, reason: str, origin: str = "") -> HttpResponse:
    return _response(endpoints.error(status, reason, origin))


def _response(answer: endpoints.Answer) -> HttpResponse:
    response = HttpResponse(answer.body, status=answer.status)
    if not any(name == "Content-Type" for name, _ in answer.headers):
        del response["Content-Type"]
    for name, value in answer.headers:
        response[name] = value
    return response


def _read_body(request) -> bytes | None:
    """The body, or None when it is over the limit (checked before reading it all)."""
    if endpoints.body_over_limit(request.META.get("CONTENT_LENGTH")):
        return None
    limit = get_setting("COLLECT_MAX_BYTES")
    body = request.read(limit + 1)
    return None if len(body) > limit else body


@csrf_exempt
@require_POST
def collect(request):
    """``POST /tm/collect``: a batch of fire events as JSON in a text/plain body. 204."""
    body = _read_body(request)
    if body is None:
        return _response(endpoints.too_large())
    return _response(
        endpoints.collect_answer(
            body=body,
            origin=request.headers.get("Origin", ""),
            client_ip=_client_ip(request),
            own_origin=endpoints.own_origin(request.META),
        )
    )


def _client_ip(request) -> str:
    return endpoints.client_ip(request.META)


@csrf_exempt
@require_POST
def consent(request):
    """``POST /tm/consent``: one consent decision. 201 with the stored record's public id (its
    consent id, never a sequential one), also for the same decision sent again. Every answer
    is readable by an allowed page (CORS): the runtime retries 408, 429, 5xx and network
    errors, and drops a decision on any other 4xx."""
    origin = request.headers.get("Origin", "")
    body = _read_body(request)
    if body is None:
        return _response(endpoints.too_large())
    try:
        data = payloads.json_object(body)
        key = payloads.container_key(data)
        decision = payloads.consent_parse(data)
    except payloads.PayloadError as exc:
        return _error(400, str(exc), origin)
    refused = endpoints.rate_limited(
        "consent", key=key, client_ip=_client_ip(request), origin=origin
    )
    if refused:
        return _response(refused)
    try:
        meta = container_ingest_meta(key=key)
        # (Readable even by a page whose origin is refused: the runtime then stops retrying.)
        if meta is None:
            return _error(404, f"No container with key {key!r}.", origin)
        if not container_origin_allowed(
            key=key, meta=meta, origin=origin, own_origin=endpoints.own_origin(request.META)
        ):
            return _error(
                403, f"Origin {origin or '(none)'!r} is not allowed for this container.", origin
            )
        container = Container.objects.select_related("live_version").filter(pk=meta["id"]).first()
        if container is None:  # deleted since its id was cached
            return _error(404, f"No container with key {key!r}.", origin)
        record = consent_record_create(
            container=container,
            data=decision,
            ip=_client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ValidationError as exc:
        return _error(400, " ".join(exc.messages), origin)
    except ConsentIdTaken as exc:
        return _error(409, str(exc), origin)
    except DatabaseError:
        return _error(503, "Temporarily unable to record the decision; retry later.", origin)
    public_id = str(record.consent_id)
    response = JsonResponse({"id": public_id, "consent_id": public_id}, status=201)
    response["Access-Control-Allow-Origin"] = origin
    return response


@require_GET
def pixel(request, key: str):
    """``GET /tm/p/<key>.gif``: log an event (email open, ``<noscript>``) and answer the GIF.

    Always the image, never a redirect; 404 (still the image) for an unknown key.
    """
    return _response(
        endpoints.pixel_answer(key=key, query=request.GET, client_ip=_client_ip(request))
    )


@require_GET
def preview(request, key: str, token: str):
    """``GET /tm/preview/<key>/<token>.js``: the container's draft with the debug panel, for a
    valid preview link (see docs/preview.md). Never cached.

    A token that is malformed, forged, expired, for another container, or whose user may no
    longer preview it gets 403/404 with a JS comment saying which: the browser does not run
    a script with an error status, and the live loader then runs the published version.
    """
    from tagmanager.loader.preview import preview_script
    from tagmanager.services.preview import PreviewRefused, preview_token_verify

    try:
        grant = preview_token_verify(token=token, key=key)
    except PreviewRefused as exc:
        body, status = f"/* tagmanager: {exc.reason} */\n", exc.status
    else:
        body, status = preview_script(grant=grant), 200
    response = HttpResponse(body, content_type=JS, status=status)
    response["Cache-Control"] = "no-store"
    return response
