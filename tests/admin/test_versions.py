"""The publish page (draft diff, problems, note) and the versions page (history, rollback)."""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from tagmanager.models import Container, ContainerVersion
from tagmanager.services.publishing import container_publish
from tagmanager.services.tags import tag_save

pytestmark = pytest.mark.django_db


def publish_url(container):
    return reverse("admin:tagmanager_container_publish", args=[container.pk])


def versions_url(container):
    return reverse("admin:tagmanager_container_versions", args=[container.pk])


def rollback_url(container, number):
    return reverse("admin:tagmanager_container_rollback", args=[container.pk, number])


def publish(client, container, notes="", **extra):
    page = client.get(publish_url(container))
    draft_hash = page.context["form"]["draft_hash"].value()
    return client.post(publish_url(container), {"notes": notes, "draft_hash": draft_hash, **extra})


def test_publish_page_shows_the_draft_diff(as_publisher, shop, meta):
    container_publish(container=shop)
    meta.parameters = {**meta.parameters, "pixel_id": "999999999999"}
    meta.save()
    tag_save(
        container=shop,
        name="Pinterest",
        tag_type="image",
        parameters={"url": "https://px.example.net/p.gif"},
        categories=[shop.categories.get(slug="marketing")],
        firing_triggers=[meta.firing_triggers.get()],
    )
    response = as_publisher.get(publish_url(shop))
    assert response.status_code == 200
    diff = response.context["diff"]
    tags = next(s for s in diff["sections"] if s["key"] == "tags")
    assert [i["name"] for i in tags["added"]] == ["Pinterest"]
    (changed,) = tags["changed"]
    assert changed["name"] == "Meta"
    assert changed["rows"][0] == {
        "field": "Parameters \u203a pixel_id",
        "before": "123456789012345",
        "after": "999999999999",
    }
    html = response.content.decode()
    assert "Pinterest" in html and "999999999999" in html and 'name="_publish"' in html


def test_publish_page_shows_consent_settings_changes(as_publisher, shop, meta):
    container_publish(container=shop)
    Container.objects.filter(pk=shop.pk).update(revision=2, honour_gpc=False)
    response = as_publisher.get(publish_url(shop))
    rows = {r["field"]: (r["before"], r["after"]) for r in response.context["diff"]["settings"]}
    assert rows["Consent policy revision"] == ("1", "2")
    assert rows["Honour Global Privacy Control"] == ("yes", "no")


def test_publish_with_a_note_records_who_and_when(as_publisher, publisher, shop, meta):
    response = publish(as_publisher, shop, notes="Launch Meta")
    assert response.status_code == 302
    assert response.url == versions_url(shop)
    shop.refresh_from_db()
    version = shop.live_version
    assert (version.number, version.notes, version.author) == (1, "Launch Meta", publisher)
    assert version.created_at is not None
    entries = LogEntry.objects.filter(user=publisher).order_by("pk")
    assert [(e.content_type.model, e.action_flag) for e in entries] == [
        ("container", CHANGE),
        ("containerversion", ADDITION),
    ]
    assert entries[0].object_id == str(shop.pk)
    assert entries[0].get_change_message() == "Published version 1: Launch Meta"
    history = as_publisher.get(reverse("admin:tagmanager_container_history", args=[shop.pk]))
    assert "Published version 1: Launch Meta" in history.content.decode()


def test_problems_are_listed_and_nothing_is_published(as_publisher, shop, meta):
    meta.firing_triggers.clear()
    response = as_publisher.get(publish_url(shop))
    assert response.context["problems"] == [
        "Tag 'Meta': has no firing trigger, so it would never fire."
    ]
    assert b"These problems stop publishing" in response.content
    response = publish(as_publisher, shop, notes="try")
    assert response.status_code == 400
    assert "Nothing was published" in str(response.context["form"].non_field_errors())
    assert "has no firing trigger" in response.content.decode()
    assert not ContainerVersion.objects.exists()
    assert not LogEntry.objects.exists()


def test_a_draft_changed_since_review_is_not_published(as_publisher, shop, meta):
    page = as_publisher.get(publish_url(shop))
    reviewed = page.context["form"]["draft_hash"].value()
    meta.parameters = {**meta.parameters, "pixel_id": "999999999999"}
    meta.save()
    response = as_publisher.post(publish_url(shop), {"notes": "x", "draft_hash": reviewed})
    assert response.status_code == 400
    assert "changed while you were reviewing" in response.content.decode()
    assert not ContainerVersion.objects.exists()
    # The page now shows the new draft; publishing it works.
    fresh = response.context["form"]["draft_hash"].value()
    assert fresh != reviewed
    response = as_publisher.post(publish_url(shop), {"notes": "x", "draft_hash": fresh})
    assert response.status_code == 302
    assert ContainerVersion.objects.get().config["tags"][0]["params"]["pixel_id"] == "999999999999"


def test_nothing_to_publish(as_publisher, shop, meta):
    container_publish(container=shop)
    response = as_publisher.get(publish_url(shop))
    assert response.context["diff"]["empty"]
    assert b"nothing to publish" in response.content
    response = publish(as_publisher, shop)
    assert response.status_code == 400
    assert shop.versions.count() == 1


def test_get_changes_nothing(as_publisher, shop, meta):
    as_publisher.get(publish_url(shop))
    as_publisher.get(versions_url(shop))
    assert not ContainerVersion.objects.exists()


def test_posts_need_the_csrf_token(publisher, shop, meta):
    client = Client(enforce_csrf_checks=True)
    client.force_login(publisher)
    assert client.post(publish_url(shop), {"notes": "x"}).status_code == 403
    assert not ContainerVersion.objects.exists()


@pytest.fixture
def three_versions(shop, meta, publisher):
    v1 = container_publish(container=shop, author=publisher, notes="first")
    meta.parameters = {**meta.parameters, "pixel_id": "222222222222"}
    meta.save()
    v2 = container_publish(container=shop, author=publisher, notes="second")
    meta.parameters = {**meta.parameters, "pixel_id": "333333333333"}
    meta.save()
    v3 = container_publish(container=shop, author=publisher, notes="third")
    return v1, v2, v3


def test_versions_page_lists_every_version_with_its_diff(as_publisher, shop, three_versions):
    response = as_publisher.get(versions_url(shop))
    rows = response.context["rows"]
    assert [r["version"].number for r in rows] == [3, 2, 1]
    assert [r["live"] for r in rows] == [True, False, False]
    assert [r["version"].notes for r in rows] == ["third", "second", "first"]
    (changed,) = next(s for s in rows[0]["diff"]["sections"] if s["key"] == "tags")["changed"]
    assert changed["rows"][0]["before"] == "222222222222"
    assert changed["rows"][0]["after"] == "333333333333"
    first_tags = next(s for s in rows[2]["diff"]["sections"] if s["key"] == "tags")
    assert [i["name"] for i in first_tags["added"]] == ["Meta"]
    html = response.content.decode()
    assert html.count("Roll back to this version") == 2  # not on the live one
    assert "publisher" in html


def test_versions_page_paginates(as_publisher, shop, three_versions, monkeypatch):
    from tagmanager.admin import versions

    monkeypatch.setattr(versions, "VERSIONS_PER_PAGE", 2)
    response = as_publisher.get(versions_url(shop) + "?page=2")
    (row,) = response.context["rows"]
    assert row["version"].number == 1
    response = as_publisher.get(versions_url(shop))
    last = response.context["rows"][-1]
    assert last["version"].number == 2
    tags = next(s for s in last["diff"]["sections"] if s["key"] == "tags")
    assert tags["changed"][0]["rows"][0]["before"] == "123456789012345"  # against v1


def test_rollback_asks_for_confirmation_then_publishes_a_new_version(
    as_publisher, publisher, shop, three_versions
):
    v1, _, v3 = three_versions
    page = as_publisher.get(rollback_url(shop, 1))
    assert page.status_code == 200
    tags = next(s for s in page.context["diff"]["sections"] if s["key"] == "tags")
    assert tags["changed"][0]["rows"][0]["after"] == "123456789012345"
    assert shop.versions.count() == 3  # the GET changed nothing

    response = as_publisher.post(rollback_url(shop, 1), {"notes": ""})
    assert response.status_code == 302
    shop.refresh_from_db()
    live = shop.live_version
    assert live.number == 4
    assert live.rollback_of == v1
    assert live.author == publisher
    assert live.notes == "Rollback to version 1"
    assert live.config["tags"] == v1.config["tags"]
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Container), object_id=str(shop.pk)
    ).get()
    assert (
        entry.get_change_message() == "Rolled back to version 1 as version 4: Rollback to version 1"
    )
    listing = as_publisher.get(versions_url(shop))
    assert "rollback of v1" in listing.content.decode()


def test_rollback_to_the_live_version_is_refused(as_publisher, shop, three_versions):
    page = as_publisher.get(rollback_url(shop, 3))
    assert page.context["is_live"]
    response = as_publisher.post(rollback_url(shop, 3), {"notes": ""})
    assert response.status_code == 400
    assert shop.versions.count() == 3


def test_rollback_to_an_unknown_version_is_404(as_publisher, shop, three_versions):
    assert as_publisher.get(rollback_url(shop, 99)).status_code == 404
    assert as_publisher.post(rollback_url(shop, 99)).status_code == 404


def test_container_page_links_to_its_pages(as_publisher, shop):
    response = as_publisher.get(reverse("admin:tagmanager_container_change", args=[shop.pk]))
    pages = {p["label"]: p["url"] for p in response.context["container_pages"]}
    assert pages["Publish"] == publish_url(shop)
    assert pages["Versions"] == versions_url(shop)
    assert f'href="{publish_url(shop)}"' in response.content.decode()


def test_container_page_hides_pages_that_do_not_exist(as_publisher, shop, monkeypatch):
    from django.urls import NoReverseMatch

    from tagmanager.admin import containers

    real = containers.reverse

    def without_preview(name, *args, **kwargs):
        if name.endswith("_preview"):
            raise NoReverseMatch(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(containers, "reverse", without_preview)
    response = as_publisher.get(reverse("admin:tagmanager_container_change", args=[shop.pk]))
    labels = [p["label"] for p in response.context["container_pages"]]
    assert "Preview" not in labels and "Versions" in labels


def test_container_changelist_shows_live_version_and_pending_changes(
    as_publisher, shop, blog, meta, publisher
):
    blog.members.add(publisher)
    container_publish(container=shop)
    response = as_publisher.get(reverse("admin:tagmanager_container_changelist"))
    html = response.content.decode()
    assert f'<a href="{versions_url(shop)}">v1</a>' in html
    assert "not published" in html  # blog
    model_admin = response.context["cl"].model_admin
    assert model_admin.unpublished(shop) is False
    assert model_admin.unpublished(blog) is True
