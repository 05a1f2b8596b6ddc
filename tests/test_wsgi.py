import io
import json
import uuid

import pytest
from django.core.cache import cache

from tagmanager import cache as tm_cache
from tagmanager.models import DeadLetter, FireEvent
from tagmanager.services.demo import demo_container_ensure
from tagmanager.wsgi import FastPath, LoaderFastPath

pytestmark = pytest.mark.django_db


class Downstream:
    """Stands for Django's WSGI app: records what reached it."""

    def __init__(self):
        self.paths = []

    def __call__(self, environ, start_response):
        self.paths.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"django"]


def call(app, path, method="GET", body=b"", **headers):
    seen = {}

    def start_response(status, response_headers):
        seen["status"], seen["headers"] = status, dict(response_headers)

    environ = {"PATH_INFO": path, "REQUEST_METHOD": method, **headers}
    if method == "POST":
        environ |= {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
    answer = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], answer


@pytest.fixture(autouse=True)
def _keep_the_test_transaction(monkeypatch):
    """As Django's test client does: closing old connections around a request (which the fast
    path does, as Django's handler would) must not close the one holding the test's
    transaction. Counted, to show the fast path does it."""
    from tagmanager import wsgi

    calls = []
    monkeypatch.setattr(wsgi, "close_old_connections", lambda: calls.append(1))
    return calls


@pytest.fixture
def warm(client, django_capture_on_commit_callbacks):
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        demo_container_ensure()
    return client.get("/tm/demo.js")  # the Django view's answer, for comparison


def test_warm_loader_is_answered_without_django(warm):
    downstream = Downstream()
    app = FastPath(downstream, prefix="/tm/")
    status, headers, body = call(app, "/tm/demo.js")
    assert downstream.paths == []
    assert status == "200 OK" and body == warm.content
    assert headers["ETag"] == warm["ETag"]
    assert headers["Cache-Control"] == warm["Cache-Control"]
    assert headers["Content-Type"] == warm["Content-Type"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, _, body = call(app, "/tm/demo.js", HTTP_IF_NONE_MATCH=warm["ETag"])
    assert (status, body) == ("304 Not Modified", b"")
    status, headers, body = call(app, "/tm/demo.js", "HEAD")
    assert (
        status == "200 OK" and body == b"" and headers["Content-Length"] == str(len(warm.content))
    )


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/tm/other.js", "GET"),
        ("/tm/demo.js", "POST"),
        ("/tm/collect", "GET"),
        ("/tm/consent", "POST"),
        ("/tm/p/demo.gif", "POST"),
        ("/tm/p/../x.gif", "GET"),
        ("/tm/preview/demo/t.js", "GET"),
        ("/tm/api/containers/", "GET"),
        ("/tm/../x.js", "GET"),
        ("/x/demo.js", "GET"),
    ],
)
def test_everything_else_goes_to_django(warm, path, method):
    downstream = Downstream()
    status, _, body = call(FastPath(downstream), path, method)
    assert downstream.paths == [path] and body == b"django"


def test_cold_cache_goes_to_django(warm):
    cache.clear()
    tm_cache.reset()
    downstream = Downstream()
    call(FastPath(downstream), "/tm/demo.js")
    assert downstream.paths == ["/tm/demo.js"]


def beacon(events, key="demo"):
    return json.dumps({"key": key, "events": events}).encode()


@pytest.mark.parametrize(
    ("body", "origin", "status"),
    [
        (None, "http://localhost:8000", "204 No Content"),
        (b"not json", "http://localhost:8000", "400 Bad Request"),
        (beacon([{"event_id": "abcdefgh1"}], key="nope"), "http://localhost:8000", "404 Not Found"),
        (None, "https://elsewhere.example", "403 Forbidden"),
        (b"x" * 70_000, "http://localhost:8000", "413 Request Entity Too Large"),
    ],
)
def test_collect_is_answered_without_django_exactly_as_the_view(warm, client, body, origin, status):
    body = body or beacon([{"event_id": uuid.uuid4().hex}])
    downstream = Downstream()
    fast = call(FastPath(downstream), "/tm/collect", "POST", body, HTTP_ORIGIN=origin)
    assert downstream.paths == [] and fast[0] == status
    if not status.startswith("204"):
        assert "error" in json.loads(fast[2])
    # The Django view, given the same request, answers the same.
    view = client.post("/tm/collect", data=body, content_type="text/plain", HTTP_ORIGIN=origin)
    assert f"{view.status_code} " == status[:4] and view.content == fast[2]


def test_the_fast_path_closes_old_database_connections_as_django_would(
    warm, _keep_the_test_transaction
):
    call(FastPath(Downstream()), "/tm/p/demo.gif", QUERY_STRING="e=email_open")
    call(FastPath(Downstream()), "/tm/collect", "POST", beacon([]))
    assert len(_keep_the_test_transaction) == 2


def test_collect_through_the_fast_path_stores_and_dead_letters(warm):
    events = [{"event_id": uuid.uuid4().hex}, {"event_id": "bad"}]
    call(
        FastPath(Downstream()),
        "/tm/collect",
        "POST",
        beacon(events),
        HTTP_ORIGIN="http://localhost:8000",
    )
    assert FireEvent.objects.count() == 1 and DeadLetter.objects.count() == 1


def test_pixel_is_answered_without_django_exactly_as_the_view(warm, client):
    downstream = Downstream()
    query = "e=email_open&r=reader-7&utm_campaign=nov&id=pixelhit01&id=pixelhit02"
    status, headers, body = call(FastPath(downstream), "/tm/p/demo.gif", QUERY_STRING=query)
    view = client.get(f"/tm/p/demo.gif?{query}")
    assert downstream.paths == [] and status == "200 OK" and body == view.content
    for name in ("Content-Type", "Content-Length", "Cache-Control"):
        assert headers[name] == view[name]
    # Last value wins, as in the view: both hits are the same event, stored once.
    event = FireEvent.objects.get()
    assert (event.event_id, event.recipient, event.utm) == (
        "pixelhit02",
        "reader-7",
        {"utm_campaign": "nov"},
    )
    status, _, body = call(FastPath(downstream), "/tm/p/nope.gif", QUERY_STRING="")
    assert status == "404 Not Found" and body == view.content


def test_an_unexpected_error_is_a_500_with_a_reason_not_a_dropped_connection(warm, monkeypatch):
    from tagmanager import endpoints

    def broken(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(endpoints, "collect_answer", broken)
    status, _, body = call(FastPath(Downstream()), "/tm/collect", "POST", beacon([]))
    assert status.startswith("500") and json.loads(body) == {"error": "Internal error."}


def test_the_old_name_still_works():
    assert LoaderFastPath is FastPath
