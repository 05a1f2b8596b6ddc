import json

import pytest
from django.urls import reverse

from tagmanager.models import ConsentRecord, FireEvent, Tag
from tagmanager.services.containers import container_create
from tests.factories import FireEventFactory, TriggerFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "container",
    "tag",
    "trigger",
    "variable",
    "containerversion",
    "consentnotice",
    "consentrecord",
    "fireevent",
    "fireeventdaily",
    "deadletter",
]


@pytest.fixture
def container():
    return container_create(name="Shop", key="shop", allowed_origins=["https://shop.example"])


@pytest.mark.parametrize("model", MODELS)
def test_changelists_render(admin_client, container, model):
    response = admin_client.get(reverse(f"admin:tagmanager_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["container", "tag", "trigger", "variable"])
def test_add_forms_render_with_help(admin_client, model):
    response = admin_client.get(reverse(f"admin:tagmanager_{model}_add"))
    assert response.status_code == 200


def test_container_page_shows_categories_inline(admin_client, container):
    response = admin_client.get(reverse("admin:tagmanager_container_change", args=[container.pk]))
    assert response.status_code == 200
    for slug in ("necessary", "preferences", "analytics", "marketing"):
        assert f'value="{slug}"' in response.content.decode()


def tag_post(container, **overrides):
    categories = {c.slug: c.pk for c in container.categories.all()}
    data = {
        "container": container.pk,
        "name": "Meta",
        "tag_type": "meta_pixel",
        "parameters": json.dumps({"pixel_id": "123456789012345"}),
        "categories": [categories["marketing"]],
        "firing_triggers": [TriggerFactory(container=container).pk],
        "fire_limit": "unlimited",
        "priority": "0",
        "enabled": "on",
    }
    data.update(overrides)
    return data


def test_tag_add_saves_through_the_service(admin_client, container):
    response = admin_client.post(reverse("admin:tagmanager_tag_add"), tag_post(container))
    assert response.status_code == 302, response.content.decode()[:2000]
    tag = Tag.objects.get(name="Meta")
    assert [c.slug for c in tag.categories.all()] == ["marketing"]
    assert tag.firing_triggers.count() == 1


def test_tag_add_bad_parameter_is_a_form_error_naming_the_field(admin_client, container):
    response = admin_client.post(
        reverse("admin:tagmanager_tag_add"),
        tag_post(container, parameters=json.dumps({"pixel_id": "12ab", "colour": "red"})),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["parameters"]
    assert any(e.startswith("pixel_id:") and "Pixel ID" in e for e in errors)
    assert any(e.startswith("colour:") for e in errors)
    assert not Tag.objects.exists()


def test_tag_add_rejects_other_containers_category(admin_client, container):
    other = container_create(name="Other", key="other")
    foreign = other.categories.get(slug="marketing").pk
    response = admin_client.post(
        reverse("admin:tagmanager_tag_add"), tag_post(container, categories=[foreign])
    )
    assert response.status_code == 200
    assert "categories" in response.context["adminform"].form.errors


def test_trigger_add_bad_condition(admin_client, container):
    response = admin_client.post(
        reverse("admin:tagmanager_trigger_add"),
        {
            "container": container.pk,
            "name": "Buy",
            "trigger_type": "custom_event",
            "parameters": json.dumps({"event_name": "purchase"}),
            "conditions": json.dumps([{"variable": "page_path", "operator": "is", "value": 1}]),
        },
    )
    assert response.status_code == 200
    assert "Condition 1" in str(response.context["adminform"].form.errors["conditions"])


@pytest.mark.parametrize("model", [ConsentRecord, FireEvent])
def test_logs_are_read_only(admin_client, rf, admin_user, model):
    from django.contrib import admin

    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_fire_event_detail_is_view_only(admin_client):
    event = FireEventFactory()
    url = reverse("admin:tagmanager_fireevent_change", args=[event.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    response = admin_client.post(url, {"event_name": "changed"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.event_name == "page_view"
