"""Roles as in the admin: viewers read, editors draft, publishers publish, code tags need more."""

import pytest

from tagmanager.models import Tag
from tests.api.conftest import client_for
from tests.factories import user_with

pytestmark = pytest.mark.django_db

IMAGE = {"url": "https://px.example/i.gif"}
HTML = {"html": "<script>console.log('hi')</script>"}


def tag_body(**overrides):
    return {
        "container": "demo",
        "name": "New tag",
        "tag_type": "image",
        "parameters": IMAGE,
        "categories": ["marketing"],
        "firing_triggers": ["All pages"],
        **overrides,
    }


def test_viewer_reads_but_cannot_write(viewer, shop):
    client = client_for(viewer)
    assert client.get("/tm/api/tags/").status_code == 200
    response = client.post("/tm/api/tags/", tag_body(), format="json")
    assert response.status_code == 403
    assert "tagmanager.add_tag" in response.json()["detail"]
    tag = shop.tags.first()
    response = client.patch(f"/tm/api/tags/{tag.pk}/", {"enabled": False}, format="json")
    assert response.status_code == 403
    assert "tagmanager.change_tag" in response.json()["detail"]
    assert client.delete(f"/tm/api/tags/{tag.pk}/").status_code == 403
    assert Tag.objects.filter(pk=tag.pk, enabled=True).exists()


def test_editor_drafts(editor):
    response = client_for(editor).post("/tm/api/tags/", tag_body(), format="json")
    assert response.status_code == 201, response.json()


def test_editor_cannot_publish(editor, shop):
    response = client_for(editor).post("/tm/api/containers/demo/publish/", {"notes": "x"})
    assert response.status_code == 403
    assert response.json()["detail"] == "You may not publish or roll back this container."
    assert shop.versions.count() == 1


def test_editor_cannot_roll_back(editor, shop):
    response = client_for(editor).post("/tm/api/containers/demo/versions/1/rollback/")
    assert response.status_code == 403
    assert "roll back" in response.json()["detail"]
    assert shop.versions.count() == 1


def test_publisher_publishes_and_rolls_back(publisher, shop):
    client = client_for(publisher)
    assert client.post("/tm/api/containers/demo/publish/").status_code == 201
    assert client.post("/tm/api/containers/demo/versions/1/rollback/").status_code == 201
    assert shop.versions.count() == 3


def test_editor_cannot_add_custom_html_or_script(editor):
    client = client_for(editor)
    for tag_type, parameters in (
        ("custom_html", HTML),
        ("script", {"src": "https://s.example/a.js"}),
    ):
        response = client.post(
            "/tm/api/tags/", tag_body(tag_type=tag_type, parameters=parameters), format="json"
        )
        assert response.status_code == 403
        assert "custom HTML and script tags" in response.json()["detail"]
    assert not Tag.objects.filter(name="New tag").exists()


def test_padded_type_names_get_no_way_around_the_check(editor):
    response = client_for(editor).post(
        "/tm/api/tags/", tag_body(tag_type=" custom_html ", parameters=HTML), format="json"
    )
    assert response.status_code == 403
    assert not Tag.objects.filter(name="New tag").exists()


def test_editor_cannot_turn_a_tag_into_code(editor, shop):
    tag = shop.tags.get(name="Ad network pixel")
    response = client_for(editor).patch(
        f"/tm/api/tags/{tag.pk}/", {"tag_type": "custom_html", "parameters": HTML}, format="json"
    )
    assert response.status_code == 403
    tag.refresh_from_db()
    assert tag.tag_type == "image"


def test_editor_cannot_change_or_remove_a_code_tag(editor, coder):
    created = client_for(coder).post(
        "/tm/api/tags/", tag_body(tag_type="custom_html", parameters=HTML), format="json"
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    client = client_for(editor)
    # Not even into a harmless type, nor a rename.
    for change in ({"tag_type": "image", "parameters": IMAGE}, {"name": "Renamed"}):
        assert client.patch(f"/tm/api/tags/{pk}/", change, format="json").status_code == 403
    assert client.delete(f"/tm/api/tags/{pk}/").status_code == 403
    tag = Tag.objects.get(pk=pk)
    assert (tag.name, tag.tag_type) == ("New tag", "custom_html")
    # Reading it is fine.
    assert client.get(f"/tm/api/tags/{pk}/").json()["runs_code"] is True


def test_code_tag_permission_allows_all_of_it(coder):
    client = client_for(coder)
    created = client.post(
        "/tm/api/tags/", tag_body(tag_type="custom_html", parameters=HTML), format="json"
    )
    pk = created.json()["id"]
    changed = client.patch(
        f"/tm/api/tags/{pk}/", {"tag_type": "image", "parameters": IMAGE}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["runs_code"] is False
    assert client.delete(f"/tm/api/tags/{pk}/").status_code == 204


def test_code_check_comes_before_validation(editor):
    """An editor learns nothing about code tags' parameters: the answer is 403, not 400."""
    response = client_for(editor).post(
        "/tm/api/tags/", {"container": "demo", "tag_type": "custom_html"}, format="json"
    )
    assert response.status_code == 403


def test_adding_a_container_needs_its_permission(editor):
    response = client_for(editor).post("/tm/api/containers/", {"name": "Mine"}, format="json")
    assert response.status_code == 403
    assert "tagmanager.add_container" in response.json()["detail"]


def test_versions_need_view_permission(shop):
    user = user_with("tags-only", perms=["tagmanager.view_tag"], containers=[shop])
    client = client_for(user)
    response = client.get("/tm/api/containers/demo/versions/")
    assert response.status_code == 403
    assert "tagmanager.view_containerversion" in response.json()["detail"]
    assert client.get("/tm/api/consent-records/").status_code == 403
    assert client.get("/tm/api/fire-events/").status_code == 403
