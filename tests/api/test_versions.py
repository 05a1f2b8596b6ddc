import pytest

from tagmanager.models import Tag
from tagmanager.services.containers import container_create
from tests.api.conftest import client_for
from tests.factories import TagFactory, TriggerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pub(publisher):
    return client_for(publisher)


def test_publish_with_notes_records_who_and_when(pub, shop):
    Tag.objects.filter(container=shop, name="Meta Pixel").update(priority=7)
    response = pub.post("/tm/api/containers/demo/publish/", {"notes": "Meta first"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["notes"], body["author"]) == (2, "Meta first", "publisher")
    assert body["live"] is True and body["rollback_of"] is None
    assert len(body["content_hash"]) == 64 and body["created_at"]
    shop.refresh_from_db()
    assert shop.live_version.number == 2


def test_publish_problems_are_all_listed_and_nothing_is_published(pub, shop):
    Tag.objects.filter(container=shop, name="Meta Pixel").update(parameters={"pixel_id": "x"})
    TagFactory(container=shop, name="Lonely", categories=[shop.categories.get(slug="analytics")])
    response = pub.post("/tm/api/containers/demo/publish/", {"notes": "broken"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The draft has 2 problem(s); nothing was published."
    assert any("Meta Pixel" in p and "pixel_id" in p for p in body["problems"])
    assert any("Lonely" in p and "no firing trigger" in p for p in body["problems"])
    assert shop.versions.count() == 1


def test_publish_notes_are_validated(pub):
    response = pub.post("/tm/api/containers/demo/publish/", {"notes": ["a"]}, format="json")
    assert response.status_code == 400 and "notes" in response.json()


def test_rollback_publishes_an_old_snapshot_as_a_new_version(pub, shop):
    first = shop.live_version
    Tag.objects.filter(container=shop).update(enabled=False)
    assert pub.post("/tm/api/containers/demo/publish/").status_code == 201
    response = pub.post(
        "/tm/api/containers/demo/versions/1/rollback/", {"notes": "Back"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["rollback_of"], body["notes"], body["live"]) == (
        3,
        1,
        "Back",
        True,
    )
    shop.refresh_from_db()
    assert shop.live_version.number == 3
    assert shop.live_version.config["tags"] == first.config["tags"]
    default = pub.post("/tm/api/containers/demo/versions/2/rollback/").json()
    assert default["notes"] == "Rollback to version 2"


def test_rollback_to_an_unknown_version_is_404(pub):
    assert pub.post("/tm/api/containers/demo/versions/42/rollback/").status_code == 404


def test_list_and_retrieve_versions(pub, shop):
    pub.post("/tm/api/containers/demo/publish/", {"notes": "Second"}, format="json")
    body = pub.get("/tm/api/containers/demo/versions/").json()
    assert body["count"] == 2
    assert [(v["number"], v["live"]) for v in body["results"]] == [(2, True), (1, False)]
    assert "config" not in body["results"][0]
    detail = pub.get("/tm/api/containers/demo/versions/1/").json()
    assert detail["notes"] == "Demo set-up" and detail["author"] is None
    assert detail["config"]["key"] == "demo" and len(detail["config"]["tags"]) == 4
    assert pub.get("/tm/api/containers/demo/versions/9/").status_code == 404
    assert pub.get("/tm/api/containers/nope/versions/").status_code == 404


def test_draft_diff_shows_added_changed_removed(pub, shop):
    trigger = TriggerFactory(container=shop, name="Checkout", trigger_type="page_view")
    Tag.objects.filter(container=shop, name="Meta Pixel").update(priority=9)
    Tag.objects.filter(container=shop, name="Ad network pixel").delete()
    diff = pub.get("/tm/api/containers/demo/diff/").json()
    assert (diff["base"], diff["target"], diff["empty"]) == (1, "draft", False)
    assert diff["triggers"]["added"] == [{"key": trigger.pk, "name": "Checkout"}]
    assert [t["name"] for t in diff["tags"]["removed"]] == ["Ad network pixel"]
    changed = diff["tags"]["changed"]
    assert [(c["name"], c["fields"]) for c in changed] == [("Meta Pixel", {"priority": [0, 9]})]
    assert diff["settings"] == {}


def test_draft_diff_is_empty_right_after_publish(pub):
    assert pub.get("/tm/api/containers/demo/diff/").json()["empty"] is True


def test_version_diff_against_previous_and_another(pub, shop):
    Tag.objects.filter(container=shop, name="Meta Pixel").update(priority=9)
    pub.post("/tm/api/containers/demo/publish/")
    shop.revision = 2
    shop.save()
    pub.post("/tm/api/containers/demo/publish/")
    second = pub.get("/tm/api/containers/demo/versions/2/diff/").json()
    assert (second["base"], second["target"]) == (1, 2)
    assert [c["name"] for c in second["tags"]["changed"]] == ["Meta Pixel"]
    assert second["settings"] == {}
    third = pub.get("/tm/api/containers/demo/versions/3/diff/", {"against": 1}).json()
    assert (third["base"], third["target"]) == (1, 3)
    assert third["settings"] == {"revision": [1, 2]}
    first = pub.get("/tm/api/containers/demo/versions/1/diff/").json()
    assert first["base"] is None
    assert len(first["tags"]["added"]) == 4


def test_version_diff_bad_against(pub):
    response = pub.get("/tm/api/containers/demo/versions/1/diff/", {"against": 7})
    assert response.status_code == 400
    assert response.json() == {"against": ["This container has no version 7."]}
    response = pub.get("/tm/api/containers/demo/versions/1/diff/", {"against": "one"})
    assert response.status_code == 400 and "against" in response.json()


def test_diff_of_a_never_published_container(pub, publisher):
    fresh = container_create(name="Fresh", key="fresh", members=[publisher])
    assert fresh.live_version is None
    diff = pub.get("/tm/api/containers/fresh/diff/").json()
    assert diff["base"] is None
    assert [c["name"] for c in diff["categories"]["added"]][:1] == ["analytics"]


def test_publishing_a_container_without_origins_answers_with_a_warning(pub, shop):
    Tag.objects.filter(container=shop, name="Meta Pixel").update(priority=7)
    response = pub.post("/tm/api/containers/demo/publish/", {}, format="json")
    assert response.status_code == 201 and response.json()["warnings"] == []
    shop.allowed_origins = []
    shop.save()
    Tag.objects.filter(container=shop, name="Meta Pixel").update(priority=8)
    response = pub.post("/tm/api/containers/demo/publish/", {}, format="json")
    assert response.status_code == 201
    (warning,) = response.json()["warnings"]
    assert "No allowed origins" in warning
