from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tagmanager.models import ConsentCategory, Container, Tag, Trigger

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("tagmanager_demo", stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "containers": list(Container.objects.values_list("key", flat=True)),
        "categories": sorted(ConsentCategory.objects.values_list("slug", flat=True)),
        "tags": sorted(
            (t.name, t.tag_type, tuple(sorted(c.slug for c in t.categories.all())))
            for t in Tag.objects.prefetch_related("categories")
        ),
        "triggers": sorted(Trigger.objects.values_list("name", "trigger_type")),
        "users": list(get_user_model().objects.values_list("username", "password")),
    }


def test_demo_creates_container_tags_and_admin():
    output = run()
    assert snapshot()["tags"] == [
        ("Ad network pixel", "image", ("marketing",)),
        ("Google Analytics 4", "ga4", ("analytics",)),
        ("Meta Pixel", "meta_pixel", ("marketing",)),
        ("Purchase conversion", "google_ads", ("marketing",)),
    ]
    assert snapshot()["categories"] == ["analytics", "marketing", "necessary", "preferences"]
    purchase = Tag.objects.get(name="Purchase conversion").firing_triggers.get()
    assert purchase.trigger_type == "custom_event"
    assert purchase.parameters == {"event_name": "purchase"}
    password = output.split("password: ")[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)


def test_demo_is_idempotent_and_restores_changes():
    run()
    before = snapshot()
    Tag.objects.filter(name="Meta Pixel").update(parameters={"pixel_id": "999999999"})
    output = run()
    assert snapshot() == before
    assert "already exists" in output
    assert Tag.objects.get(name="Meta Pixel").parameters["pixel_id"] == "123456789012345"
