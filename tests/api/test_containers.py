import pytest

from tagmanager.loader.serve import loader_payload_get
from tagmanager.models import Container
from tests.api.conftest import EDITOR, client_for
from tests.factories import user_with

pytestmark = pytest.mark.django_db

OWNER = [*EDITOR, "tagmanager.add_container", "tagmanager.change_container"]


@pytest.fixture
def owner(shop):
    return client_for(user_with("owner", perms=OWNER, containers=[shop]))


def test_create_container_makes_the_creator_a_member(owner):
    response = owner.post(
        "/tm/api/containers/",
        {
            "name": "Blog",
            "key": "blog",
            "allowed_origins": ["https://Blog.example", "http://localhost:8000"],
            "consent_lifetime_days": 365,
            "banner_texts": {"en": {"title": "Cookies?"}, "de": {"title": "Kekse?"}},
            "consent_mode_defaults": [{"region": ["US-CA"], "analytics_storage": "granted"}],
            "cookie_domain": ".blog.example",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["key"] == "blog" and body["live_version"] is None
    assert body["allowed_origins"] == ["https://blog.example", "http://localhost:8000"]
    assert body["loader_url"] == "http://testserver/tm/blog.js"
    container = Container.objects.get(key="blog")
    assert container.members.filter(username="owner").exists()
    assert container.consent_lifetime_days == 365
    assert sorted(container.categories.values_list("slug", flat=True)) == [
        "analytics",
        "marketing",
        "necessary",
        "preferences",
    ]
    assert owner.get("/tm/api/containers/blog/").status_code == 200


def test_create_without_default_categories_and_with_a_generated_key(owner):
    response = owner.post(
        "/tm/api/containers/", {"name": "Bare", "default_categories": False}, format="json"
    )
    assert response.status_code == 201
    container = Container.objects.get(key=response.json()["key"])
    assert container.categories.count() == 0


def test_container_validation_names_each_field(owner):
    response = owner.post(
        "/tm/api/containers/",
        {
            "name": "",
            "key": "no spaces",
            "allowed_origins": ["https://shop.example/path", "ftp://x"],
            "revision": 0,
            "consent_lifetime_days": 10**9,
            "default_locale": "english!",
            "consent_mode_defaults": [{"region": ["california"], "ad_storage": "maybe"}],
            "cookie_domain": "not a domain",
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {
        "name",
        "key",
        "allowed_origins",
        "revision",
        "consent_lifetime_days",
        "default_locale",
        "consent_mode_defaults",
        "cookie_domain",
    }
    assert "is not an origin" in errors["allowed_origins"]["0"][0]


def test_taken_key_is_a_400(owner):
    response = owner.post("/tm/api/containers/", {"name": "Copy", "key": "demo"}, format="json")
    assert response.status_code == 400
    assert "already exists" in response.json()["key"][0]


def test_update_settings(owner, shop):
    response = owner.patch(
        "/tm/api/containers/demo/",
        {"revision": 2, "honour_gpc": False, "allowed_origins": ["https://shop.example"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    shop.refresh_from_db()
    assert (shop.revision, shop.honour_gpc) == (2, False)
    assert shop.allowed_origins == ["https://shop.example"]
    assert shop.name == "Demo shop"
    # PUT needs the name; whatever else it leaves out keeps its value.
    response = owner.put("/tm/api/containers/demo/", {"revision": 3}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"name"}


def test_changing_the_key_moves_the_loader(owner, shop, django_capture_on_commit_callbacks):
    assert loader_payload_get(key="demo") is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.patch("/tm/api/containers/demo/", {"key": "shop"}, format="json")
    assert response.status_code == 200
    assert response.json()["loader_url"].endswith("/tm/shop.js")
    assert isinstance(loader_payload_get(key="demo"), str)  # unknown now
    assert not isinstance(loader_payload_get(key="shop"), str)
    assert owner.get("/tm/api/containers/shop/").status_code == 200


def test_container_list_is_paginated(owner):
    body = owner.get("/tm/api/containers/").json()
    assert body["count"] == 1
    assert body["results"][0]["live_version"] == 1
