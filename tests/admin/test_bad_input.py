"""Bad input to the admin pages gets a form error or a 4xx, never a server error."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

JUNK = ["", "abc", "-1", "99999999999999999999", "\x00", "1e5", "[]", "{}"]
FIELDS = [
    "container",
    "name",
    "tag_type",
    "trigger_type",
    "variable_type",
    "categories",
    "firing_triggers",
    "blocking_triggers",
    "fire_limit",
    "priority",
    "param_measurement_id",
    "param_event_parameters-0-name",
    "param_event_parameters-9999-value",
    "conditions-0-variable",
    "conditions-0-operator",
    "param_interval_ms",
    "param_name",
    "notes",
    "draft_hash",
    "names",
    "consent_signals",
]
BIG = "99999999999999999999"


@pytest.fixture
def pages(shop, meta):
    return [
        f"{reverse('admin:tagmanager_tag_add')}?container={shop.pk}&tag_type=ga4",
        reverse("admin:tagmanager_tag_change", args=[meta.pk]),
        f"{reverse('admin:tagmanager_trigger_add')}?container={shop.pk}&trigger_type=timer",
        f"{reverse('admin:tagmanager_variable_add')}?container={shop.pk}&variable_type=cookie",
        reverse("admin:tagmanager_consentcategory_add"),
        reverse("admin:tagmanager_container_publish", args=[shop.pk]),
        reverse("admin:tagmanager_container_rollback", args=[shop.pk, 1]),
    ]


@pytest.mark.parametrize("junk", JUNK)
def test_junk_posts(as_publisher, pages, junk):
    for url in pages:
        for retype in ({}, {"_retype": "1"}):
            response = as_publisher.post(url, {**{f: junk for f in FIELDS}, **retype})
            assert response.status_code < 500, url


@pytest.mark.parametrize("junk", JUNK)
def test_junk_queries(as_publisher, pages, junk):
    for url in pages:
        query = f"?container={junk}&tag_type={junk}&trigger_type={junk}&page={junk}"
        assert as_publisher.get(url.split("?")[0] + query).status_code < 500, url


def test_ids_too_large_for_the_database(as_publisher, shop):
    for url in [
        f"/admin/tagmanager/tag/{BIG}/change/",
        f"/admin/tagmanager/tag/{BIG}/delete/",
        f"/admin/tagmanager/tag/{BIG}/history/",
        f"/admin/tagmanager/container/{BIG}/change/",
        f"/admin/tagmanager/container/{BIG}/publish/",
        f"/admin/tagmanager/container/{BIG}/versions/",
        f"/admin/tagmanager/container/{shop.pk}/versions/{BIG}/rollback/",
        f"/admin/tagmanager/tag/?container__id__exact={BIG}",
        f"/admin/tagmanager/fireevent/?container__id__exact={BIG}",
        f"/admin/tagmanager/tag/add/?container={BIG}&tag_type=image",
    ]:
        assert as_publisher.get(url).status_code < 500, url
