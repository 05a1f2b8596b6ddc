"""Publishing fixes what reaches the browser as code: a draft saved before the rule (or written
around the services) with a {{variable}} in a vendor id or a URL's host does not publish, an old
snapshot with one does not roll back, and the served configuration carries the rules the
runtime enforces."""

import pytest
from django.core.exceptions import ValidationError

from tagmanager.loader.config import config_served
from tagmanager.models import ContainerVersion, Tag
from tagmanager.services.demo import demo_container_ensure
from tagmanager.services.publishing import container_publish, container_rollback

pytestmark = pytest.mark.django_db

STALE = {
    "Google Analytics 4": {"measurement_id": "{{gid}}"},
    "Ad network pixel": {"url": "https://{{utm_source}}/x.js"},
}


def stale_draft(container) -> None:
    """Parameters no service accepts any more, as an old draft may still hold them."""
    for name, parameters in STALE.items():
        Tag.objects.filter(container=container, name=name).update(parameters=parameters)


def test_publish_refuses_a_stale_draft_with_a_variable_id_or_host():
    container = demo_container_ensure()
    stale_draft(container)
    with pytest.raises(ValidationError) as info:
        container_publish(container=container)
    messages = info.value.messages
    assert any(
        "Google Analytics 4" in m and "measurement_id" in m and "ids are fixed" in m
        for m in messages
    )
    assert any("Ad network pixel" in m and "scheme and host" in m for m in messages)
    assert ContainerVersion.objects.count() == 1


def test_rollback_refuses_a_snapshot_with_a_variable_id_or_host():
    container = demo_container_ensure()
    old = container.live_version
    config = dict(old.config)
    config["tags"] = [
        {**t, "params": STALE.get(t["name"], t["params"])} for t in old.config["tags"]
    ]
    # A version published before the rule existed.
    ContainerVersion.objects.filter(pk=old.pk).update(config=config)
    container_publish(container=container, notes="v2")
    old.refresh_from_db()
    with pytest.raises(ValidationError) as info:
        container_rollback(container=container, version=old)
    assert any("Tag 'Google Analytics 4': measurement_id:" in m for m in info.value.messages)
    assert any("Tag 'Ad network pixel': url:" in m for m in info.value.messages)
    container.refresh_from_db()
    assert container.live_version.number == 2


def test_rollback_of_a_clean_snapshot_still_works():
    container = demo_container_ensure()
    v1 = container.live_version
    container_publish(container=container)
    assert container_rollback(container=container, version=v1).number == 3


def test_the_served_configuration_carries_the_rules_of_the_types_in_use():
    container = demo_container_ensure()
    served = config_served(container.live_version.config)
    assert served["fixed"] == {
        "ga4": {"measurement_id": r"G-[A-Z0-9]{4,16}"},
        "google_ads": {"conversion_id": r"AW-\d{6,14}", "conversion_label": r"[\w-]{4,64}"},
        "image": {"url": ""},
        "meta_pixel": {"pixel_id": r"\d{8,20}"},
    }
    Tag.objects.filter(container=container).exclude(tag_type="image").delete()
    version = container_publish(container=container)
    assert config_served(version.config)["fixed"] == {"image": {"url": ""}}
