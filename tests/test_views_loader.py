import gzip
import json
import re

import pytest
from django.core.cache import cache

from tagmanager import cache as tm_cache
from tagmanager.loader.build import loader_source
from tagmanager.loader.config import config_served
from tagmanager.models import Container
from tagmanager.services.demo import demo_container_ensure
from tagmanager.services.publishing import container_publish
from tests.factories import ContainerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def published(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        container = demo_container_ensure()
        version = container_publish(container=container)
    return container, version


def embedded_config(body: str) -> dict:
    """The configuration inside the loader: a JSON string literal handed to the runtime."""
    literal = re.search(r'\(window,document,("(?:[^"\\]|\\.)*"),', body).group(1)
    return json.loads(json.loads(literal))


def test_loader_serves_runtime_and_published_config(client, published):
    container, version = published
    response = client.get("/tm/demo.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    body = response.content.decode()
    assert embedded_config(body) == config_served(version.config)
    assert "hash" not in embedded_config(body)
    assert response["Content-Length"] == str(len(response.content))
    cache_control = response["Cache-Control"]
    assert "max-age=300" in cache_control and "stale-while-revalidate=86400" in cache_control
    assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])  # strong


def test_etag_gives_304(client, published):
    etag = client.get("/tm/demo.js")["ETag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get("/tm/demo.js", HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304 and response.content == b""
        assert response["ETag"] == etag
    assert client.get("/tm/demo.js", HTTP_IF_NONE_MATCH='"stale"').status_code == 200


@pytest.mark.parametrize(
    "accept, coding",
    [
        ("gzip, br", "br"),
        ("br", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("*", "br"),
        ("*, br;q=0", "gzip"),
        ("identity", None),
        ("gzip;q=0, br;q=0", None),
        ("gzip;q=nonsense", None),
        ("," * 4000 + "gzip", "gzip"),
    ],
)
def test_brotli_or_gzip_as_accepted(client, published, accept, coding):
    import brotli

    plain = client.get("/tm/demo.js").content
    response = client.get("/tm/demo.js", HTTP_ACCEPT_ENCODING=accept)
    assert response.get("Content-Encoding") == coding and response["Vary"] == "Accept-Encoding"
    decode = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[coding]
    assert decode(response.content) == plain
    assert int(response["Content-Length"]) == len(response.content)


def test_gzip_when_accepted(client, published):
    plain = client.get("/tm/demo.js").content
    response = client.get("/tm/demo.js", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip" and response["Vary"] == "Accept-Encoding"
    assert gzip.decompress(response.content) == plain


def test_warm_requests_make_no_database_query(client, published, django_assert_num_queries):
    client.get("/tm/demo.js")
    with django_assert_num_queries(0):
        for _ in range(3):
            assert client.get("/tm/demo.js").status_code == 200


def test_cold_cache_is_filled_from_the_database(client, published, django_assert_num_queries):
    cache.clear()
    tm_cache.reset()  # the process's own memory too
    with django_assert_num_queries(1):
        assert client.get("/tm/demo.js").status_code == 200


def test_the_process_keeps_the_loader_a_few_seconds_in_front_of_the_shared_cache(
    client, published, settings, django_assert_num_queries
):
    from tagmanager.loader.serve import cache_key

    etag = client.get("/tm/demo.js")["ETag"]
    cache.clear()  # e.g. Redis restarted: the process still answers from its memory
    with django_assert_num_queries(0):
        assert client.get("/tm/demo.js")["ETag"] == etag
    settings.TAGMANAGER = {"LOCAL_CACHE_SECONDS": 0}
    tm_cache.reset()
    client.get("/tm/demo.js")
    assert tm_cache.local_get(cache_key("demo")) is None  # 0: not kept at all


def test_response_does_not_depend_on_the_visitor(client, published):
    first = client.get("/tm/demo.js").content
    client.cookies["tm_consent"] = "1.x.1.necessary.0.banner"
    second = client.get("/tm/demo.js", HTTP_ACCEPT_LANGUAGE="de", HTTP_USER_AGENT="other").content
    assert first == second


def test_publish_replaces_the_served_version(client, published, django_capture_on_commit_callbacks):
    container, _ = published
    etag = client.get("/tm/demo.js")["ETag"]
    container.revision = 2
    container.save()
    with django_capture_on_commit_callbacks(execute=True):
        container_publish(container=container)
    response = client.get("/tm/demo.js")
    assert response["ETag"] != etag
    assert embedded_config(response.content.decode())["consent"]["revision"] == 2


def test_unknown_key_is_a_404_js_comment(client):
    response = client.get("/tm/nope.js")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/javascript")
    assert response.content.decode().startswith("/* tagmanager: no container with this key")


def test_unpublished_container_is_a_clear_404(client):
    ContainerFactory(key="draft")
    response = client.get("/tm/draft.js")
    assert response.status_code == 404
    assert b"no published version yet" in response.content


def test_unknown_keys_are_remembered_briefly(client, django_assert_num_queries):
    client.get("/tm/nope.js")
    with django_assert_num_queries(0):
        assert client.get("/tm/nope.js").status_code == 404


def test_only_get(client, published):
    assert client.post("/tm/demo.js").status_code == 405


def test_hostile_texts_stay_data():
    texts = {"en": {"title": '</script><script>alert(1)</script>"\u2028\\', "description": "x"}}
    source = loader_source({"consent": {"texts": texts}})
    assert "</script>" not in source
    assert "\u2028" not in source
    assert embedded_config(source)["consent"]["texts"] == texts


def test_loader_size_ceiling(published):
    """Runtime + banner + CSS + config, gzip -9: the demo container at most 7,200 bytes, one image
    pixel on page view at most 6,400 (measured: 7,012 and 6,270). A regression guard, not the
    goal: BENCHMARKS.md ("loader-size") tracks the 5,000 / 3,500 targets."""
    _, version = published
    config = config_served(version.config)
    assert len(gzip.compress(loader_source(config).encode(), 9)) <= 7200
    pixel = {
        "id": 1,
        "type": "image",
        "params": {"url": "https://pixel.example/p.gif?cb={{random}}"},
        "categories": ["marketing"],
        "triggers": [1],
        "blocking": [],
        "limit": "unlimited",
    }
    one_pixel = {
        **config,
        "tags": [pixel],
        "triggers": [{"id": 1, "type": "page_view", "params": {}, "conditions": []}],
        "variables": [],
        "events": {},
        "fixed": {"image": {"url": ""}},
    }
    assert len(gzip.compress(loader_source(one_pixel).encode(), 9)) <= 6400


def test_demo_container_is_published_by_the_demo_command(client):
    from django.core.management import call_command

    call_command("tagmanager_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Container.objects.get(key="demo").live_version is not None
