"""Tags, triggers, variables and consent categories: validation, references, CRUD, filters."""

import pytest

from tagmanager.models import ConsentCategory, Tag, Trigger, Variable
from tests.api.conftest import client_for
from tests.factories import TagFactory, VariableFactory

pytestmark = pytest.mark.django_db


def tag_body(**overrides):
    return {
        "container": "demo",
        "name": "Pixel",
        "tag_type": "meta_pixel",
        "parameters": {"pixel_id": "123456789012345"},
        "categories": ["marketing"],
        "firing_triggers": ["All pages"],
        **overrides,
    }


# Tags


def test_create_tag_by_names_and_read_it_back(api, shop):
    purchase = shop.triggers.get(name="Purchase")
    response = api.post(
        "/tm/api/tags/",
        tag_body(
            categories=["marketing", shop.categories.get(slug="analytics").pk],
            blocking_triggers=[purchase.pk],
            fire_limit="session",
            priority=5,
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["container"] == "demo"
    assert sorted(body["categories"]) == ["analytics", "marketing"]
    assert body["firing_triggers"] == ["All pages"]
    assert body["blocking_triggers"] == ["Purchase"]
    assert (body["fire_limit"], body["priority"], body["enabled"]) == ("session", 5, True)
    assert body["runs_code"] is False
    assert api.get(f"/tm/api/tags/{body['id']}/").json() == body


def test_tag_parameters_errors_are_keyed_by_parameter(api):
    response = api.post(
        "/tm/api/tags/", tag_body(parameters={"pixel_id": "abc", "colour": "red"}), format="json"
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"parameters.pixel_id", "parameters.colour"}
    assert "not a valid Pixel ID" in errors["parameters.pixel_id"][0]
    assert "Unknown parameter" in errors["parameters.colour"][0]


def test_tag_shape_errors_name_each_field(api):
    response = api.post(
        "/tm/api/tags/",
        {"container": "demo", "tag_type": ["image"], "categories": [], "priority": "high"},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"name", "tag_type", "categories", "priority"}


def test_unknown_tag_type_lists_the_known_ones(api):
    response = api.post("/tm/api/tags/", tag_body(tag_type="carrier_pigeon"), format="json")
    assert response.status_code == 400
    assert "meta_pixel" in response.json()["tag_type"][0]


def test_unknown_references_are_named(api):
    response = api.post(
        "/tm/api/tags/",
        tag_body(categories=["marketing", "telepathy"], firing_triggers=["Nope", 999999]),
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"categories": ["No consent category 'telepathy' in this container."]}
    response = api.post("/tm/api/tags/", tag_body(firing_triggers=["Nope", 999999]), format="json")
    assert response.json() == {"firing_triggers": ["No trigger 'Nope', 999999 in this container."]}


def test_duplicate_tag_name_is_a_400(api):
    response = api.post("/tm/api/tags/", tag_body(name="Meta Pixel"), format="json")
    assert response.status_code == 400
    assert "already exists" in response.json()["non_field_errors"][0]


def test_partial_update_keeps_what_it_does_not_name(api, shop):
    tag = shop.tags.get(name="Meta Pixel")
    response = api.patch(f"/tm/api/tags/{tag.pk}/", {"priority": 3}, format="json")
    assert response.status_code == 200, response.json()
    tag.refresh_from_db()
    assert tag.priority == 3
    assert tag.parameters["pixel_id"] == "123456789012345"
    assert sorted(t.name for t in tag.firing_triggers.all()) == ["All pages", "Purchase"]
    assert [c.slug for c in tag.categories.all()] == ["marketing"]


def test_partial_update_validates_parameters_against_the_new_type(api, shop):
    tag = shop.tags.get(name="Meta Pixel")
    response = api.patch(f"/tm/api/tags/{tag.pk}/", {"tag_type": "ga4"}, format="json")
    assert response.status_code == 400
    assert "parameters.measurement_id" in response.json()
    tag.refresh_from_db()
    assert tag.tag_type == "meta_pixel"


def test_full_update_replaces(api, shop):
    tag = shop.tags.get(name="Meta Pixel")
    body = tag_body(name="Meta Pixel", parameters={"pixel_id": "999999999"})
    body.pop("container")
    response = api.put(f"/tm/api/tags/{tag.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    tag.refresh_from_db()
    assert tag.parameters["pixel_id"] == "999999999"
    assert [t.name for t in tag.firing_triggers.all()] == ["All pages"]
    response = api.put(f"/tm/api/tags/{tag.pk}/", {"name": "X"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"tag_type", "categories"}


def test_delete_tag(api, shop):
    tag = shop.tags.get(name="Meta Pixel")
    assert api.delete(f"/tm/api/tags/{tag.pk}/").status_code == 204
    assert not Tag.objects.filter(pk=tag.pk).exists()
    assert api.delete(f"/tm/api/tags/{tag.pk}/").status_code == 404


def test_tag_filters(api, shop):
    TagFactory(container=shop, name="Off", enabled=False)
    names = lambda **q: [t["name"] for t in api.get("/tm/api/tags/", q).json()["results"]]  # noqa: E731
    assert names(tag_type="meta_pixel") == ["Meta Pixel"]
    assert names(enabled="false") == ["Off"]
    assert names(name="pixel") == ["Ad network pixel", "Meta Pixel"]
    assert names(category="analytics") == ["Google Analytics 4"]
    assert len(names(container="demo")) == 5


def test_bad_filter_values_are_400_naming_them(api):
    response = api.get("/tm/api/tags/", {"container": "not a key!"})
    assert response.status_code == 400
    assert "container" in response.json()
    response = api.get("/tm/api/tags/", {"name": "x" * 201})
    assert response.status_code == 400
    assert "name" in response.json()


def test_pagination_by_limit_and_offset(api):
    first = api.get("/tm/api/tags/", {"limit": 3}).json()
    assert first["count"] == 4 and len(first["results"]) == 3
    assert "offset=3" in first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    ids = [t["id"] for t in first["results"] + second["results"]]
    assert len(set(ids)) == 4
    # Offsets past any table answer an empty page, not an error.
    far = api.get("/tm/api/tags/", {"offset": 10**30}).json()
    assert far["results"] == []


def test_unknown_ids_are_404_and_bad_bodies_400(api):
    assert api.get("/tm/api/tags/999999999/").status_code == 404
    assert api.get("/tm/api/tags/99999999999999999999999/").status_code == 404
    for url in ("/tm/api/tags/abc/", "/tm/api/tags/1.5/", "/tm/api/nowhere/", "/tm/api/tags"):
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.json()["detail"].startswith("Not found"), url
    response = api.delete("/tm/api/tags/-1/")
    assert response.status_code == 404 and response.json()["detail"]
    response = api.post("/tm/api/tags/", [1, 2], format="json")
    assert response.status_code == 400
    response = api.post("/tm/api/tags/", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    response = api.post("/tm/api/tags/", "name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_text_that_cannot_be_stored_is_400(api):
    for bad in ('"a\\u0000b"', '"\\ud800"'):
        body = f'{{"container": "demo", "name": {bad}, "variable_type": "constant"}}'
        response = api.post("/tm/api/variables/", body, content_type="application/json")
        assert response.status_code == 400
        assert "NUL characters or unpaired surrogates" in response.json()["detail"]
    body = '{"container": "demo", "name": "x", "variable_type": "constant", "parameters": NaN}'
    assert api.post("/tm/api/variables/", body, content_type="application/json").status_code == 400


# Triggers


def test_trigger_crud_with_condition_errors(api, shop):
    response = api.post(
        "/tm/api/triggers/",
        {
            "container": "demo",
            "name": "Checkout",
            "trigger_type": "click",
            "parameters": {"selector": "a.buy"},
            "conditions": [
                {"variable": "page_path", "operator": "starts_with", "value": "/checkout"}
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = api.patch(
        f"/tm/api/triggers/{pk}/",
        {"conditions": [{"variable": "page_path", "operator": "near", "value": "x"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "Condition 1: operator must be one of" in response.json()["conditions"][0]
    response = api.patch(f"/tm/api/triggers/{pk}/", {"parameters": {}}, format="json")
    assert response.json() == {"parameters.selector": ["This field is required."]}
    assert api.delete(f"/tm/api/triggers/{pk}/").status_code == 204


def test_trigger_in_use_cannot_be_removed(api, shop):
    trigger = shop.triggers.get(name="Purchase")
    response = api.delete(f"/tm/api/triggers/{trigger.pk}/")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "Meta Pixel" in detail and "Purchase conversion" in detail
    assert Trigger.objects.filter(pk=trigger.pk).exists()


def test_trigger_filters(api, shop):
    rows = api.get("/tm/api/triggers/", {"trigger_type": "custom_event"}).json()["results"]
    assert [t["name"] for t in rows] == ["Purchase"]
    assert rows[0]["parameters"] == {"event_name": "purchase"}


# Variables


def test_variable_crud_and_name_rules(api, shop):
    body = {"container": "demo", "name": "page_url", "variable_type": "constant"}
    response = api.post("/tm/api/variables/", {**body, "parameters": {"value": "1"}}, format="json")
    assert response.status_code == 400
    assert "built-in variable" in response.json()["name"][0]
    response = api.post(
        "/tm/api/variables/", {**body, "name": "plan", "parameters": {}}, format="json"
    )
    assert response.json() == {"parameters.value": ["This field is required."]}
    response = api.post(
        "/tm/api/variables/",
        {**body, "name": "plan", "parameters": {"value": "gold"}},
        format="json",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert api.get("/tm/api/variables/", {"variable_type": "constant"}).json()["count"] == 1
    response = api.put(
        f"/tm/api/variables/{pk}/",
        {"name": "plan", "variable_type": "url_param", "parameters": {"name": "plan"}},
        format="json",
    )
    assert response.status_code == 200
    assert Variable.objects.get(pk=pk).variable_type == "url_param"
    assert api.delete(f"/tm/api/variables/{pk}/").status_code == 204


def test_variable_in_use_cannot_be_removed(api, shop):
    variable = VariableFactory(container=shop, name="order_ref")
    TagFactory(
        container=shop, name="Uses it", parameters={"url": "https://p.example/?o={{order_ref}}"}
    )
    response = api.delete(f"/tm/api/variables/{variable.pk}/")
    assert response.status_code == 409
    assert "tag 'Uses it'" in response.json()["detail"]


# Consent categories


def test_category_crud(api, shop):
    response = api.post(
        "/tm/api/categories/",
        {
            "container": "demo",
            "slug": "personalisation",
            "names": {"en": "Personalisation", "de": "Personalisierung"},
            "consent_signals": ["personalization_storage"],
            "cookies": ["_pers", "_pers_*"],
            "order": 9,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["required"] is False and body["descriptions"] == {}
    pk = body["id"]
    response = api.patch(f"/tm/api/categories/{pk}/", {"required": True}, format="json")
    assert response.status_code == 200
    category = ConsentCategory.objects.get(pk=pk)
    assert category.required and category.cookies == ["_pers", "_pers_*"]
    assert (
        api.get("/tm/api/categories/", {"required": "true", "container": "demo"}).json()["count"]
        == 2
    )
    assert api.delete(f"/tm/api/categories/{pk}/").status_code == 204


def test_category_validation(api):
    response = api.post(
        "/tm/api/categories/",
        {
            "container": "demo",
            "slug": "Bad-Slug",
            "names": {},
            "consent_signals": ["mind_reading"],
            "cookies": ["bad cookie"],
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"slug", "consent_signals"}
    response = api.post(
        "/tm/api/categories/",
        {"container": "demo", "slug": "extra", "names": {}, "cookies": ["bad cookie"]},
        format="json",
    )
    assert set(response.json()) == {"names", "cookies"}
    response = api.post(
        "/tm/api/categories/",
        {"container": "demo", "slug": "marketing", "names": {"en": "Again"}},
        format="json",
    )
    assert response.status_code == 400
    assert "already exists" in response.json()["non_field_errors"][0]


def test_category_needed_by_tags_cannot_be_removed(api, shop):
    category = shop.categories.get(slug="marketing")
    response = api.delete(f"/tm/api/categories/{category.pk}/")
    assert response.status_code == 409
    assert "Meta Pixel" in response.json()["detail"]
    assert ConsentCategory.objects.filter(pk=category.pk).exists()


def test_container_of_a_definition_cannot_change(shop, other):
    from tests.api.conftest import EDITOR
    from tests.factories import user_with

    client = client_for(user_with("both", perms=EDITOR, containers=[shop, other]))
    tag = shop.tags.get(name="Meta Pixel")
    response = client.patch(f"/tm/api/tags/{tag.pk}/", {"container": "other"}, format="json")
    assert response.status_code == 200
    assert response.json()["container"] == "demo"
