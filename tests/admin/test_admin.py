import pytest
from django.urls import reverse

from tagmanager.models import ConsentRecord, FireEvent
from tagmanager.services.containers import container_create
from tests.factories import FireEventFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "container",
    "consentcategory",
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


@pytest.mark.parametrize(
    ("model", "type_field", "slug"),
    [
        ("tag", "tag_type", "meta_pixel"),
        ("trigger", "trigger_type", "click"),
        ("variable", "variable_type", "cookie"),
    ],
)
def test_typed_add_forms_render_the_types_fields(admin_client, container, model, type_field, slug):
    url = reverse(f"admin:tagmanager_{model}_add")
    response = admin_client.get(f"{url}?container={container.pk}&{type_field}={slug}")
    assert response.status_code == 200
    assert any(name.startswith("param_") for name in response.context["adminform"].form.fields)


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
