"""Allowed origins act at once, on every way a container changes; "self" lets the demo work on
whatever host and port it is served; a container without origins says so."""

import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from tagmanager.cache import local_get, local_set
from tagmanager.models import Container, FireEvent
from tagmanager.selectors import container_setup_warnings, ingest_cache_key, origin_allowed
from tagmanager.services.containers import container_create, container_update

# Transactions commit as in production: the cache is refreshed when the change commits.
pytestmark = pytest.mark.django_db(transaction=True)
SITE = "https://shop.example"


def collect(client, key, origin, **extra):
    body = json.dumps({"key": key, "events": [{"event_id": uuid.uuid4().hex}]})
    return client.post(
        "/tm/collect", body, content_type="text/plain", HTTP_ORIGIN=origin, **extra
    ).status_code


@pytest.fixture
def shop():
    return container_create(name="Shop", key="shop", allowed_origins=[])


def test_an_added_origin_is_accepted_at_once_even_where_its_refusal_was_cached(client, shop):
    assert collect(client, "shop", SITE) == 403  # and the refusal is now cached, twice over
    assert local_get(ingest_cache_key("shop")) == {"id": shop.pk, "origins": []}
    container_update(container=shop, allowed_origins=[SITE])
    assert collect(client, "shop", SITE) == 204


def test_a_process_whose_own_copy_predates_the_change_accepts_the_added_origin(client, shop):
    """Another web process keeps its copy for LOCAL_CACHE_SECONDS; a refusal by that copy is
    checked against the shared cache, which the change rewrote."""
    stale = {"id": shop.pk, "origins": []}
    container_update(container=shop, allowed_origins=[SITE])
    local_set(ingest_cache_key("shop"), stale, 60)  # as that process still holds it
    assert collect(client, "shop", SITE) == 204


def test_a_removed_origin_is_refused_at_once(client, shop):
    container_update(container=shop, allowed_origins=[SITE])
    assert collect(client, "shop", SITE) == 204  # cached as allowed
    container_update(container=shop, allowed_origins=["https://other.example"])
    assert collect(client, "shop", SITE) == 403


def test_origins_changed_outside_the_services_act_at_once_too(client, shop):
    assert collect(client, "shop", SITE) == 403
    row = Container.objects.get(pk=shop.pk)
    row.allowed_origins = [SITE]
    row.save()  # as a shell or a data migration would
    assert collect(client, "shop", SITE) == 204
    row.delete()
    assert collect(client, "shop", SITE) == 404


def test_origins_changed_in_the_admin_act_at_once(client, shop):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    assert collect(client, "shop", SITE) == 403
    browser = Client()
    browser.force_login(admin)
    page = browser.get(f"/admin/tagmanager/container/{shop.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(_inline_management(page))
    data["allowed_origins"] = json.dumps([SITE])
    for name in ("banner_texts", "consent_mode_defaults"):
        data[name] = json.dumps(getattr(shop, name))
    answer = browser.post(f"/admin/tagmanager/container/{shop.pk}/change/", data)
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    assert Container.objects.get(pk=shop.pk).allowed_origins == [SITE]
    assert collect(client, "shop", SITE) == 204


def _inline_management(page) -> dict:
    """The inline formsets' management data and rows, as the page rendered them."""
    data = {}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for form in formset.formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is None:
                    continue
                if isinstance(value, (list, dict)):
                    value = json.dumps(value)
                elif isinstance(value, bool):
                    if not value:
                        continue
                    value = "on"
                data[form.add_prefix(name)] = value
    return data


@pytest.mark.parametrize(
    ("origins", "origin", "own", "allowed"),
    [
        (["self"], "http://shop.test:8123", "http://shop.test:8123", True),
        (["self"], "https://shop.test", "https://shop.test", True),
        (["self"], "http://shop.test", "https://shop.test", False),  # an http page, https TM
        (["self"], "http://SHOP.test:8123", "http://shop.test:8123", False),  # sent lowercase
        (["self"], "http://evil.example", "http://shop.test:8123", False),
        (["self"], "http://shop.test:8124", "http://shop.test:8123", False),
        (["self"], "", "http://shop.test", False),
        (["self"], "null", "http://shop.test", False),
        (["self"], "", "", False),  # a host outside ALLOWED_HOSTS: no own origin at all
        ([], "http://shop.test", "http://shop.test", False),
        ([SITE], SITE, "https://tm.example", True),
    ],
)
def test_self_allows_only_pages_of_the_same_origin(origins, origin, own, allowed):
    assert origin_allowed(origins=origins, origin=origin, own_origin=own) is allowed


@pytest.mark.parametrize(
    ("environ", "own"),
    [
        ({"HTTP_HOST": "tm.example:8000"}, "http://tm.example:8000"),
        ({"HTTP_HOST": "TM.example"}, "http://tm.example"),
        ({"HTTP_HOST": "evil.example"}, ""),  # DNS rebinding: not one of ALLOWED_HOSTS
        ({"HTTP_HOST": ""}, ""),
        ({"HTTP_HOST": "tm.example", "wsgi.url_scheme": "https"}, "https://tm.example"),
        ({"HTTP_HOST": "tm.example", "HTTP_X_FORWARDED_PROTO": "https"}, "https://tm.example"),
    ],
)
def test_own_origin_is_the_validated_host_and_the_scheme(settings, environ, own):
    from tagmanager.endpoints import own_origin

    settings.ALLOWED_HOSTS = ["tm.example"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert own_origin({"wsgi.url_scheme": "http", **environ}) == own


def test_a_rebound_host_is_not_self_on_the_fast_path_either(settings):
    """Through the WSGI fast path (which skips Django's host check) a page of evil.example
    that reaches this server by DNS rebinding sends Origin == Host; "self" must not take it."""
    import io

    from django.core.wsgi import get_wsgi_application

    from tagmanager.services.demo import demo_container_ensure
    from tagmanager.wsgi import FastPath

    settings.ALLOWED_HOSTS = ["tm.example"]
    demo_container_ensure()
    app = FastPath(get_wsgi_application(), prefix="/tm/")

    def post(host):
        body = json.dumps({"key": "demo", "events": [{"event_id": uuid.uuid4().hex}]}).encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/tm/collect",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "HTTP_HOST": host,
            "HTTP_ORIGIN": f"http://{host}",
            "REMOTE_ADDR": "203.0.113.9",
        }
        statuses = []
        app(environ, lambda status, headers: statuses.append(status))
        return statuses[0]

    assert post("evil.example").startswith("403")
    assert post("tm.example").startswith("204")


def test_the_demo_works_on_whatever_host_and_port_it_is_served(client, settings):
    from tagmanager.services.demo import demo_container_ensure

    settings.ALLOWED_HOSTS = ["*"]
    demo_container_ensure()
    for host in ("shop.test:8123", "127.0.0.1:9000", "demo.internal"):
        answer = collect(client, "demo", f"http://{host}", HTTP_HOST=host)
        assert answer == 204, host
        assert collect(client, "demo", "http://evil.example", HTTP_HOST=host) == 403
    assert FireEvent.objects.count() == 3


def test_self_is_a_valid_allowed_origin_and_typos_are_not(shop):
    container_update(container=shop, allowed_origins=["self", SITE])
    with pytest.raises(ValidationError):
        container_update(container=shop, allowed_origins=["Self"])


def test_a_container_without_origins_is_a_warning_on_its_admin_page_and_at_publish(shop):
    (warning,) = container_setup_warnings(container=shop)
    assert "No allowed origins" in warning
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    browser = Client()
    browser.force_login(admin)
    for page in ("change", "publish"):
        html = browser.get(f"/admin/tagmanager/container/{shop.pk}/{page}/").content.decode()
        assert "No allowed origins" in html, page
    container_update(container=shop, allowed_origins=[SITE])
    assert container_setup_warnings(container=shop) == []
    html = browser.get(f"/admin/tagmanager/container/{shop.pk}/publish/").content.decode()
    assert "No allowed origins" not in html
