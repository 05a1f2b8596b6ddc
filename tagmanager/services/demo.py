from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.crypto import get_random_string

from tagmanager.models import Container, Tag, Trigger
from tagmanager.selectors import container_has_unpublished_changes
from tagmanager.services.containers import (
    container_create,
    container_ensure_default_categories,
    container_update,
)
from tagmanager.services.publishing import container_publish
from tagmanager.services.tags import tag_save, trigger_save

DEMO_KEY = "demo"
# "self": the demo page is served by the same host as the tag manager, on whatever name and
# port (the two before it are what a preview link of the demo opens by default).
DEMO_ORIGINS = ["http://localhost:8000", "http://127.0.0.1:8000", "self"]
DEMO_COOKIES = {"analytics": ["_ga", "_ga_*"], "marketing": ["_fbp", "_gcl_au", "_ttp"]}

DEMO_TRIGGERS = {
    "All pages": {"trigger_type": "page_view"},
    "Purchase": {"trigger_type": "custom_event", "parameters": {"event_name": "purchase"}},
}
DEMO_TAGS = (
    {
        "name": "Google Analytics 4",
        "tag_type": "ga4",
        "parameters": {"measurement_id": "G-DEMO12345"},
        "categories": ["analytics"],
        "triggers": ["All pages"],
    },
    {
        "name": "Meta Pixel",
        "tag_type": "meta_pixel",
        "parameters": {"pixel_id": "123456789012345"},
        "categories": ["marketing"],
        "triggers": ["All pages", "Purchase"],
    },
    {
        "name": "Ad network pixel",
        "tag_type": "image",
        "parameters": {"url": "https://px.example.net/i.gif?e={{event}}&u={{page_url}}"},
        "categories": ["marketing"],
        "triggers": ["All pages"],
        "fire_limit": Tag.FireLimit.PAGE,
    },
    {
        "name": "Purchase conversion",
        "tag_type": "google_ads",
        "parameters": {
            "conversion_id": "AW-123456789",
            "conversion_label": "demoPurchase1",
            "value": "{{event.value}}",
            "currency": "{{event.currency}}",
            "transaction_id": "{{event.order_id}}",
        },
        "categories": ["marketing"],
        "triggers": ["Purchase"],
        "priority": 10,
    },
)


@transaction.atomic
def demo_container_ensure() -> Container:
    """Create the demo container, or bring it back to its demo state. Safe to run again."""
    container = Container.objects.filter(key=DEMO_KEY).first()
    if container is None:
        container = container_create(name="Demo shop", key=DEMO_KEY, allowed_origins=DEMO_ORIGINS)
    elif missing := [o for o in DEMO_ORIGINS if o not in container.allowed_origins]:
        container_update(
            container=container, allowed_origins=[*container.allowed_origins, *missing]
        )
    categories = {c.slug: c for c in container_ensure_default_categories(container=container)}
    for slug, cookies in DEMO_COOKIES.items():
        if categories[slug].cookies != cookies:
            categories[slug].cookies = cookies
            categories[slug].save(update_fields=["cookies"])
    triggers = {
        name: trigger_save(
            container=container,
            name=name,
            trigger=Trigger.objects.filter(container=container, name=name).first(),
            **spec,
        )
        for name, spec in DEMO_TRIGGERS.items()
    }
    for spec in DEMO_TAGS:
        tag_save(
            container=container,
            name=spec["name"],
            tag_type=spec["tag_type"],
            parameters=spec["parameters"],
            categories=[categories[slug] for slug in spec["categories"]],
            firing_triggers=[triggers[name] for name in spec["triggers"]],
            fire_limit=spec.get("fire_limit", Tag.FireLimit.UNLIMITED),
            priority=spec.get("priority", 0),
            tag=Tag.objects.filter(container=container, name=spec["name"]).first(),
        )
    if container_has_unpublished_changes(container=container):
        container_publish(container=container, notes="Demo set-up")
    return container


def demo_admin_ensure(*, username: str = "admin") -> str | None:
    """Create a superuser with a fresh random password; return it, or None if one exists."""
    users = get_user_model().objects
    if users.filter(username=username).exists():
        return None
    password = get_random_string(16)
    users.create_superuser(username=username, email="", password=password)
    return password
