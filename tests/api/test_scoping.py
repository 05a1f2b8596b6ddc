"""A member of one container never reads or touches another's objects through the API."""

import pytest

from tagmanager.models import ConsentCategory, ConsentRecord, FireEvent, Tag, Trigger, Variable
from tagmanager.services.demo import demo_container_ensure
from tests.api.conftest import PUBLISHER, client_for, decide
from tests.factories import ConsentCategoryFactory, FireEventFactory, VariableFactory, user_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other):
    return other


@pytest.fixture
def member(shop, theirs):
    VariableFactory(container=shop, name="my_var")
    perms = [*PUBLISHER, "tagmanager.change_container"]
    return client_for(user_with("member", perms=perms, containers=[shop]))


LISTS = {
    "/tm/api/categories/": ConsentCategory,
    "/tm/api/tags/": Tag,
    "/tm/api/triggers/": Trigger,
    "/tm/api/variables/": Variable,
    "/tm/api/consent-records/": ConsentRecord,
    "/tm/api/fire-events/": FireEvent,
}


@pytest.mark.parametrize("url", LISTS)
def test_lists_show_only_own_containers(member, shop, theirs, url):
    FireEventFactory(container=shop)
    decide(shop)
    body = member.get(url).json()
    rows = body["results"]
    assert rows, "the member's own objects are listed"
    assert {row["container"] for row in rows} == {"demo"}
    assert LISTS[url].objects.filter(container=theirs).exists()


@pytest.mark.parametrize("url", LISTS)
def test_objects_of_another_container_do_not_exist(member, theirs, url):
    obj = LISTS[url].objects.filter(container=theirs).first()
    assert member.get(f"{url}{obj.pk}/").status_code == 404


@pytest.mark.parametrize("url", ["/tm/api/tags/", "/tm/api/triggers/", "/tm/api/variables/"])
def test_another_containers_definitions_cannot_be_changed_or_removed(member, theirs, url):
    model = LISTS[url]
    obj = model.objects.filter(container=theirs).first()
    assert member.patch(f"{url}{obj.pk}/", {"name": "mine"}, format="json").status_code == 404
    assert member.delete(f"{url}{obj.pk}/").status_code == 404
    assert model.objects.filter(pk=obj.pk, container=theirs).exists()


def test_containers_list_and_detail(member, theirs):
    keys = [c["key"] for c in member.get("/tm/api/containers/").json()["results"]]
    assert keys == ["demo"]
    assert member.get("/tm/api/containers/other/").status_code == 404
    assert (
        member.patch("/tm/api/containers/other/", {"name": "x"}, format="json").status_code == 404
    )


def test_versions_of_another_container_are_404(member, theirs):
    assert member.get("/tm/api/containers/other/versions/").status_code == 404
    assert member.get("/tm/api/containers/other/versions/1/").status_code == 404
    assert member.get("/tm/api/containers/other/versions/1/diff/").status_code == 404
    assert member.get("/tm/api/containers/other/diff/").status_code == 404
    assert member.post("/tm/api/containers/other/publish/").status_code == 404
    assert member.post("/tm/api/containers/other/versions/1/rollback/").status_code == 404
    assert theirs.versions.count() == 1


def test_cannot_create_in_another_container(member, theirs):
    response = member.post(
        "/tm/api/variables/",
        {
            "container": "other",
            "name": "x",
            "variable_type": "constant",
            "parameters": {"value": 1},
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"container": ["You have no container with the key 'other'."]}
    # The same answer as for a key nobody has: nothing to learn by probing.
    response = member.post("/tm/api/variables/", {"container": "nope"}, format="json")
    assert response.json()["container"] == ["You have no container with the key 'nope'."]


def test_cannot_reference_another_containers_category_or_trigger(member, shop, theirs):
    their_trigger = theirs.triggers.get()
    their_category = theirs.categories.get(slug="marketing")
    response = member.post(
        "/tm/api/tags/",
        {
            "container": "demo",
            "name": "Sneaky",
            "tag_type": "image",
            "parameters": {"url": "https://px.example/i.gif"},
            "categories": [their_category.pk],
            "firing_triggers": [their_trigger.pk, "Their trigger"],
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors["categories"] == [f"No consent category {their_category.pk} in this container."]
    assert not Tag.objects.filter(name="Sneaky").exists()


def test_filter_by_another_containers_key_is_400(member, theirs):
    for url in ("/tm/api/tags/", "/tm/api/consent-records/", "/tm/api/fire-events/"):
        response = member.get(url, {"container": "other"})
        assert response.status_code == 400
        assert response.json() == {"container": ["You have no container with the key 'other'."]}


def test_export_of_another_container_is_refused(member, theirs):
    record = ConsentRecord.objects.get(container=theirs)
    response = member.get(
        "/tm/api/consent-records/export/",
        {"container": "other", "consent_id": str(record.consent_id)},
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "container" in response.json()


def test_superuser_sees_every_container(shop, theirs):
    admin = client_for(user_with("root", superuser=True))
    keys = {c["key"] for c in admin.get("/tm/api/containers/").json()["results"]}
    assert keys == {"demo", "other"}
    containers = {t["container"] for t in admin.get("/tm/api/tags/").json()["results"]}
    assert containers == {"demo", "other"}


def test_member_of_two_containers_filters_by_key(shop, theirs):
    user = user_with("both", perms=PUBLISHER, containers=[shop, theirs])
    client = client_for(user)
    assert client.get("/tm/api/tags/").json()["count"] == 5  # four of the demo, one of theirs
    rows = client.get("/tm/api/tags/", {"container": "other"}).json()["results"]
    assert [r["name"] for r in rows] == ["Their tag"]


def test_category_of_same_slug_in_two_containers_resolves_within_the_tags_container(shop, theirs):
    ConsentCategoryFactory(container=theirs, slug="shared")
    mine = ConsentCategoryFactory(container=shop, slug="shared")
    user = user_with("both", perms=PUBLISHER, containers=[shop, theirs])
    response = client_for(user).post(
        "/tm/api/tags/",
        {
            "container": "demo",
            "name": "Shared",
            "tag_type": "image",
            "parameters": {"url": "https://px.example/i.gif"},
            "categories": ["shared"],
            "firing_triggers": ["All pages"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert list(Tag.objects.get(name="Shared").categories.all()) == [mine]
    assert demo_container_ensure() == shop
