"""Rate limits on the public doors (collect, consent, pixel): per client (IP truncated to /24
or /48) and per container, 429 with Retry-After, the same through the Django views and the WSGI
fast path, counted in the reports without a database write per refusal."""

import hashlib
import io
import json
import time
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tagmanager import cache as tm_cache
from tagmanager.endpoints import PIXEL_GIF
from tagmanager.models import ConsentRecord, FireEvent, RefusedDaily
from tagmanager.reports import container_report
from tagmanager.services.containers import container_create
from tagmanager.services.demo import demo_container_ensure
from tagmanager.tasks import rollups_refresh
from tagmanager.wsgi import FastPath
from tests.api.conftest import client_for
from tests.factories import user_with
from tests.test_ratelimit import BrokenCache

pytestmark = pytest.mark.django_db
ORIGIN = "http://localhost:8000"


@pytest.fixture(autouse=True)
def demo():
    cache.clear()
    return demo_container_ensure()


@pytest.fixture(autouse=True)
def whole_hour():
    """The limits below count per hour: start well inside an hour window, so that no test
    sees its window end halfway."""
    left = 3600 - time.time() % 3600
    if left < 5:
        time.sleep(left + 0.05)


@pytest.fixture
def limits(settings):
    def set_limits(**rates):
        settings.TAGMANAGER = {
            **settings.TAGMANAGER,
            **{f"RATE_LIMIT_{name.upper()}": rate for name, rate in rates.items()},
        }

    return set_limits


def beacon(key="demo") -> str:
    return json.dumps({"key": key, "events": [{"event_id": uuid.uuid4().hex, "event": "x"}]})


def collect(client, ip="203.0.113.5", key="demo", origin=ORIGIN, **headers):
    return client.post(
        "/tm/collect",
        data=beacon(key),
        content_type="text/plain",
        HTTP_ORIGIN=origin,
        REMOTE_ADDR=ip,
        **headers,
    )


def consent(client, ip="203.0.113.5"):
    consent_id = str(uuid.uuid4())
    body = {
        "key": "demo",
        "consent_id": consent_id,
        "version": 1,
        "categories": {"analytics": True},
        "action": "custom",
        "source": "banner",
        "secret_sha256": hashlib.sha256(consent_id.encode()).hexdigest(),
    }
    return client.post(
        "/tm/consent",
        data=json.dumps(body),
        content_type="text/plain",
        HTTP_ORIGIN=ORIGIN,
        REMOTE_ADDR=ip,
    )


def wsgi(path, method="GET", body=b"", **environ):
    """The fast path's answer: (status code, headers, body)."""
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

    environ = {"PATH_INFO": path, "REQUEST_METHOD": method, "REMOTE_ADDR": "", **environ}
    if method == "POST":
        environ |= {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}

    def django(environ, start_response):
        raise AssertionError(f"{path} reached Django")

    answer = b"".join(FastPath(django, prefix="/tm/")(environ, start_response))
    return seen["status"], seen["headers"], answer


@pytest.fixture
def no_close(monkeypatch):
    """The fast path closes old connections around a request, as Django's handler does; not
    the one holding the test's transaction."""
    from tagmanager import wsgi as fast

    monkeypatch.setattr(fast, "close_old_connections", lambda: None)


def test_collect_over_the_client_limit_is_429_with_retry_after(client, limits):
    limits(collect_client="2/hour")
    assert [collect(client, ip=f"203.0.113.{n}").status_code for n in (5, 77)] == [204, 204]
    refused = collect(client, ip="203.0.113.200")  # same /24: the same client
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert refused.json() == {"error": f"Too many requests; retry in {refused['Retry-After']} s."}
    assert refused["Access-Control-Allow-Origin"] == ORIGIN
    assert refused["Access-Control-Expose-Headers"] == "Retry-After"
    assert FireEvent.objects.count() == 2  # nothing of the refused batch is stored
    assert collect(client, ip="198.51.100.5").status_code == 204  # another network


def test_collect_over_the_container_limit_is_429_for_every_client(client, limits):
    limits(collect_container="2/hour")
    container_create(name="Blog", key="blog", allowed_origins=[ORIGIN])
    statuses = [collect(client, ip=f"198.51.{n}.1").status_code for n in range(3)]
    assert statuses == [204, 204, 429]
    assert collect(client, key="blog").status_code == 204  # another container


def test_the_client_is_the_header_the_proxy_sets(client, limits, settings, no_close):
    limits(collect_client="1/hour")
    settings.TAGMANAGER = {**settings.TAGMANAGER, "CLIENT_IP_HEADER": "X-Real-IP"}
    proxy = {"ip": "10.0.0.1"}  # every request comes from the proxy
    assert collect(client, **proxy, HTTP_X_REAL_IP="203.0.113.5").status_code == 204
    assert collect(client, **proxy, HTTP_X_REAL_IP="198.51.100.5").status_code == 204
    assert collect(client, **proxy, HTTP_X_REAL_IP="198.51.100.6").status_code == 429

    def fast(real_ip):
        environ = {"REMOTE_ADDR": "10.0.0.1", "HTTP_ORIGIN": ORIGIN, "HTTP_X_REAL_IP": real_ip}
        return wsgi("/tm/collect", "POST", beacon().encode(), **environ)[0]

    assert fast("198.51.100.7") == 429  # the fast path reads the same header
    assert fast("192.0.2.1") == 204


def test_views_and_fast_path_count_alike(client, limits, no_close):
    """One count whichever way a request comes in, and the same answer."""
    limits(collect_client="2/hour", pixel_client="1/hour")
    assert collect(client).status_code == 204
    body, environ = beacon().encode(), {"REMOTE_ADDR": "203.0.113.9", "HTTP_ORIGIN": ORIGIN}
    assert wsgi("/tm/collect", "POST", body, **environ)[0] == 204
    status, headers, answer = wsgi("/tm/collect", "POST", body, **environ)
    view = collect(client)
    assert (status, view.status_code) == (429, 429)
    assert json.loads(answer) == view.json()
    for name in ("Access-Control-Allow-Origin", "Access-Control-Expose-Headers"):
        assert headers[name] == view[name]
    assert abs(int(headers["Retry-After"]) - int(view["Retry-After"])) <= 1
    assert wsgi("/tm/p/demo.gif", REMOTE_ADDR="203.0.113.9")[0] == 200
    status, headers, answer = wsgi("/tm/p/demo.gif", REMOTE_ADDR="203.0.113.9")
    view = client.get("/tm/p/demo.gif", REMOTE_ADDR="203.0.113.9")
    assert (status, view.status_code) == (429, 429)
    assert answer == view.content == PIXEL_GIF
    assert headers["Content-Type"] == view["Content-Type"] == "image/gif"
    assert int(headers["Retry-After"]) > 0 and int(view["Retry-After"]) > 0


def test_pixel_over_its_limit_is_still_the_gif_with_429(client, limits):
    limits(pixel_client="1/hour")
    first = client.get("/tm/p/demo.gif?id=open-00000001", REMOTE_ADDR="203.0.113.5")
    assert first.status_code == 200
    refused = client.get("/tm/p/demo.gif?id=open-00000002", REMOTE_ADDR="203.0.113.5")
    assert refused.status_code == 429 and refused.content == PIXEL_GIF
    assert refused["Content-Type"] == "image/gif" and refused["Content-Length"] == "43"
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "no-store" in refused["Cache-Control"]
    assert list(FireEvent.objects.values_list("event_id", flat=True)) == ["open-00000001"]


def test_consent_over_its_limit_is_429_and_stores_nothing(client, limits):
    """The reported attack: one client storing consent records by the thousand."""
    limits(consent_client="3/hour")
    statuses = [consent(client).status_code for _ in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    refused = consent(client)
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert refused["Access-Control-Allow-Origin"] == ORIGIN
    assert ConsentRecord.objects.count() == 3
    assert consent(client, ip="198.51.100.1").status_code == 201


def test_consent_over_the_container_limit(client, limits):
    limits(consent_container="2/hour")
    statuses = [consent(client, ip=f"198.51.{n}.1").status_code for n in range(3)]
    assert statuses == [201, 201, 429]


def test_default_limits_let_real_traffic_through(client):
    """A busy office behind one address: 100 beacons, 40 decisions and 100 pixel hits within
    a minute are all taken with the default limits."""
    assert {collect(client).status_code for _ in range(100)} == {204}
    assert {consent(client).status_code for _ in range(40)} == {201}
    hits = {client.get("/tm/p/demo.gif", REMOTE_ADDR="203.0.113.5").status_code for _ in range(100)}
    assert hits == {200}


def test_a_failing_cache_never_fails_a_request(client, limits, monkeypatch):
    limits(collect_client="1/hour", consent_client="1/hour", pixel_client="1/hour")
    monkeypatch.setattr(tm_cache, "cache", BrokenCache())
    monkeypatch.setattr(tm_cache, "caches", {"default": BrokenCache()})
    assert {collect(client).status_code for _ in range(3)} == {204}
    assert {consent(client).status_code for _ in range(3)} == {201}
    assert {client.get("/tm/p/demo.gif").status_code for _ in range(3)} == {200}


def test_refusals_are_counted_in_the_reports_without_a_write_each(client, limits, demo, today):
    limits(collect_client="1/hour", consent_client="1/hour", pixel_client="1/hour")
    collect(client), consent(client), client.get("/tm/p/demo.gif")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert collect(client).status_code == 429
        for _ in range(2):
            assert consent(client).status_code == 429
        assert client.get("/tm/p/demo.gif").status_code == 429
    assert not [q for q in queries.captured_queries if "refused" in q["sql"].lower()]
    assert len(queries.captured_queries) == 0  # metadata cached: a refusal costs no query

    def refused():
        report = container_report(container=demo, start=today - timedelta(days=1), end=today)
        return report["totals"]["refused"], {d["door"]: d["values"] for d in report["refused"]}

    assert refused() == (8, {"collect": [0, 5], "consent": [0, 2], "pixel": [0, 1]})

    rollups_refresh.delay()  # the beat task takes the counts into the database
    rows = RefusedDaily.objects.filter(container=demo, day=today)
    assert dict(rows.values_list("door", "refused")) == {"collect": 5, "consent": 2, "pixel": 1}
    assert refused() == (8, {"collect": [0, 5], "consent": [0, 2], "pixel": [0, 1]})
    rollups_refresh.delay()  # nothing taken twice
    assert sum(rows.values_list("refused", flat=True)) == 8
    assert collect(client).status_code == 429
    assert refused()[0] == 9  # database rows + what waits in the cache


def test_the_report_api_and_page_show_refusals(client, limits, demo):
    limits(collect_client="1/hour")
    for _ in range(4):
        collect(client)
    user = user_with("reader", perms=["tagmanager.view_fireevent"], containers=[demo])
    body = client_for(user).get("/tm/api/containers/demo/report/", {"days": 7}).json()
    assert body["totals"]["refused"] == 3
    collect_series = next(s for s in body["refused"] if s["door"] == "collect")
    assert collect_series["values"][-1] == 3 and collect_series["total"] == 3
    client.force_login(user_with("admin", superuser=True))
    page = client.get(f"/admin/tagmanager/container/{demo.pk}/reports/?days=7")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<span class="tm-total-value" data-total="refused">3</span>' in html
    assert 'id="tm-chart-refused"' in html
