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
from tagmanager.selectors import container_setup_warnings, origin_allowed
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
    assert local_get("tagmanager:ingest:shop") == {"id": shop.pk, "origins": []}
    container_update(container=shop, allowed_origins=[SITE])
    assert collect(client, "shop", SITE) == 204


def test_a_process_whose_own_copy_predates_the_change_accepts_the_added_origin(client, shop):
    """Another web process keeps its copy for LOCAL_CACHE_SECONDS; a refusal by that copy is
    checked against the shared cache, which the change rewrote."""
    stale = {"id": shop.pk, "origins": []}
    container_update(container=shop, allowed_origins=[SITE])
    local_set("tagmanager:ingest:shop", stale, 60)  # as that process still holds it
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
    ("origins", "origin", "host", "allowed"),
    [
        (["self"], "http://shop.test:8123", "shop.test:8123", True),
        (["self"], "https://shop.test", "shop.test", True),
        (["self"], "http://SHOP.test:8123", "shop.test:8123", False),  # browsers send lowercase
        (["self"], "http://evil.example", "shop.test:8123", False),
        (["self"], "http://shop.test:8124", "shop.test:8123", False),
        (["self"], "", "shop.test", False),
        (["self"], "null", "shop.test", False),
        ([], "http://shop.test", "shop.test", False),
        ([SITE], SITE, "tm.example", True),
    ],
)
def test_self_allows_only_pages_of_the_same_host(origins, origin, host, allowed):
    assert origin_allowed(origins=origins, origin=origin, host=host) is allowed


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
