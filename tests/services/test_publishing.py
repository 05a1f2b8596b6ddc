import pytest
from django.core.exceptions import ValidationError

from tagmanager.models import ContainerVersion, Tag
from tagmanager.services.demo import demo_container_ensure
from tagmanager.services.publishing import container_publish, container_rollback
from tests.factories import ContainerFactory

pytestmark = pytest.mark.django_db


def test_publish_snapshots_the_draft(admin_user):
    container = demo_container_ensure()  # publishes version 1 itself
    version = container_publish(container=container, author=admin_user, notes="Again")
    container.refresh_from_db()
    assert container.live_version == version
    assert (version.number, version.notes, version.author) == (2, "Again", admin_user)
    names = [t["name"] for t in version.config["tags"]]
    assert names[0] == "Purchase conversion"  # priority 10 first
    assert set(names) == {
        "Purchase conversion",
        "Ad network pixel",
        "Google Analytics 4",
        "Meta Pixel",
    }
    assert version.config["events"]["meta_pixel"]["purchase"] == "Purchase"
    assert version.content_hash == version.config["hash"]


def test_snapshot_is_immutable_by_later_edits():
    container = demo_container_ensure()
    version = container.live_version
    Tag.objects.filter(container=container).update(enabled=False)
    version.refresh_from_db()
    assert len(version.config["tags"]) == 4
    second = container_publish(container=container)
    assert second.number == 2 and second.config["tags"] == []


def test_invalid_draft_lists_every_problem_and_publishes_nothing():
    container = demo_container_ensure()
    Tag.objects.filter(name="Meta Pixel").update(parameters={"pixel_id": "x"})
    Tag.objects.get(name="Google Analytics 4").categories.clear()
    with pytest.raises(ValidationError) as info:
        container_publish(container=container)
    messages = info.value.messages
    assert any("Meta Pixel" in m and "pixel_id" in m for m in messages)
    assert any("Google Analytics 4" in m and "no consent category" in m for m in messages)
    assert ContainerVersion.objects.count() == 1
    container.refresh_from_db()
    assert container.live_version.number == 1


def test_rollback_republishes_an_old_snapshot():
    container = demo_container_ensure()
    v1 = container.live_version
    Tag.objects.filter(container=container, name="Meta Pixel").delete()
    v2 = container_publish(container=container)
    v3 = container_rollback(container=container, version=v1)
    container.refresh_from_db()
    assert container.live_version == v3
    assert (v1.number, v2.number, v3.number) == (1, 2, 3)
    assert "Rollback to version 1" in v3.notes
    assert v3.rollback_of == v1 and v2.rollback_of is None
    strip = lambda c: {k: v for k, v in c.items() if k not in ("version", "hash")}  # noqa: E731
    assert strip(v3.config) == strip(v1.config)
    assert strip(v3.config) != strip(v2.config)


def test_rollback_refuses_another_containers_version():
    container = demo_container_ensure()
    other = ContainerFactory()
    with pytest.raises(ValidationError):
        container_rollback(container=other, version=container.live_version)


def test_the_author_name_outlives_the_user():
    from django.contrib.auth import get_user_model

    container = demo_container_ensure()
    Tag.objects.filter(container=container, name="Meta Pixel").delete()
    author = get_user_model().objects.create_user(username="pat")
    version = container_publish(container=container, author=author, notes="Remove Meta")
    author.delete()
    version.refresh_from_db()
    assert version.author is None and version.author_name == "pat"
