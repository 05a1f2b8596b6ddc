import pytest
from django.test import Client

from tagmanager.services.containers import container_create
from tagmanager.services.roles import ROLES
from tagmanager.services.tags import tag_save, trigger_save
from tests.factories import user_with

EDITOR = ROLES["Tag editors"]
PUBLISHER = ROLES["Tag publishers"]
DEVELOPER = ROLES["Tag developers"]


@pytest.fixture
def shop():
    return container_create(name="Shop", key="shop", allowed_origins=["https://shop.example"])


@pytest.fixture
def blog():
    return container_create(name="Blog", key="blog", allowed_origins=["https://blog.example"])


def category(container, slug):
    return container.categories.get(slug=slug)


@pytest.fixture
def all_pages(shop):
    return trigger_save(container=shop, name="All pages", trigger_type="page_view")


@pytest.fixture
def purchase(shop):
    return trigger_save(
        container=shop,
        name="Purchase",
        trigger_type="custom_event",
        parameters={"event_name": "purchase"},
    )


@pytest.fixture
def meta(shop, all_pages):
    return tag_save(
        container=shop,
        name="Meta",
        tag_type="meta_pixel",
        parameters={"pixel_id": "123456789012345"},
        categories=[category(shop, "marketing")],
        firing_triggers=[all_pages],
    )


@pytest.fixture
def custom_html(shop, all_pages):
    return tag_save(
        container=shop,
        name="Chat widget",
        tag_type="custom_html",
        parameters={"html": "<div>chat</div>"},
        categories=[category(shop, "preferences")],
        firing_triggers=[all_pages],
    )


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor(shop):
    return user_with("editor", perms=EDITOR, containers=[shop])


@pytest.fixture
def publisher(shop):
    return user_with("publisher", perms=PUBLISHER, containers=[shop])


@pytest.fixture
def developer(shop):
    return user_with("developer", perms=DEVELOPER, containers=[shop])


@pytest.fixture
def as_editor(editor):
    return login(editor)


@pytest.fixture
def as_publisher(publisher):
    return login(publisher)


@pytest.fixture
def as_developer(developer):
    return login(developer)
