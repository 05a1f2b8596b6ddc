import pytest
from django.core.cache import cache

from tagmanager.services.demo import demo_container_ensure
from tagmanager.wsgi import LoaderFastPath

pytestmark = pytest.mark.django_db


class Downstream:
    """Stands for Django's WSGI app: records what reached it."""

    def __init__(self):
        self.paths = []

    def __call__(self, environ, start_response):
        self.paths.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"django"]


def call(app, path, method="GET", **headers):
    seen = {}

    def start_response(status, response_headers):
        seen["status"], seen["headers"] = status, dict(response_headers)

    body = b"".join(app({"PATH_INFO": path, "REQUEST_METHOD": method, **headers}, start_response))
    return seen["status"], seen["headers"], body


@pytest.fixture
def warm(client, django_capture_on_commit_callbacks):
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        demo_container_ensure()
    return client.get("/tm/demo.js")  # the Django view's answer, for comparison


def test_warm_loader_is_answered_without_django(warm):
    downstream = Downstream()
    app = LoaderFastPath(downstream, prefix="/tm/")
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
        ("/tm/../x.js", "GET"),
        ("/x/demo.js", "GET"),
    ],
)
def test_everything_else_goes_to_django(warm, path, method):
    downstream = Downstream()
    status, _, body = call(LoaderFastPath(downstream), path, method)
    assert downstream.paths == [path] and body == b"django"


def test_cold_cache_goes_to_django(warm):
    cache.clear()
    downstream = Downstream()
    call(LoaderFastPath(downstream), "/tm/demo.js")
    assert downstream.paths == ["/tm/demo.js"]
