import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tagmanager.models import Container, ContainerVersion
from tests.factories import (
    ConsentCategoryFactory,
    ContainerFactory,
    FireEventFactory,
    TagFactory,
    TriggerFactory,
    VariableFactory,
)

pytestmark = pytest.mark.django_db


def assert_integrity_error(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_container_key_is_unique():
    ContainerFactory(key="shop")
    assert_integrity_error(lambda: ContainerFactory(key="shop"))


def test_container_key_is_random_and_url_safe_by_default():
    a, b = Container.objects.create(name="A"), Container.objects.create(name="B")
    assert a.key != b.key
    assert len(a.key) >= 12
    assert all(c.isalnum() or c in "-_" for c in a.key)


def test_category_slug_is_unique_per_container_only():
    first, second = ContainerFactory(), ContainerFactory()
    ConsentCategoryFactory(container=first, slug="analytics")
    ConsentCategoryFactory(container=second, slug="analytics")  # another container: fine
    assert_integrity_error(lambda: ConsentCategoryFactory(container=first, slug="analytics"))


def test_fire_event_id_is_unique_per_container():
    first = FireEventFactory(event_id="abc")
    FireEventFactory(event_id="abc")  # another container: its own ids
    assert_integrity_error(lambda: FireEventFactory(event_id="abc", container=first.container))


def test_names_are_unique_per_container():
    container = ContainerFactory()
    TagFactory(container=container, name="GA4")
    TriggerFactory(container=container, name="All pages")
    VariableFactory(container=container, name="plan")
    assert_integrity_error(lambda: TagFactory(container=container, name="GA4"))
    assert_integrity_error(lambda: TriggerFactory(container=container, name="All pages"))
    assert_integrity_error(lambda: VariableFactory(container=container, name="plan"))
    TagFactory(name="GA4")  # same name in another container


def test_version_number_unique_per_container():
    container = ContainerFactory()
    ContainerVersion.objects.create(container=container, number=1, config={}, content_hash="x")
    assert_integrity_error(
        lambda: ContainerVersion.objects.create(
            container=container, number=1, config={}, content_hash="y"
        )
    )


def test_querysets_filter_by_container_and_enabled():
    container = ContainerFactory()
    on = TagFactory(container=container)
    TagFactory(container=container, enabled=False)
    TagFactory()
    from tagmanager.models import Tag

    assert list(Tag.objects.enabled().for_container(container)) == [on]


@pytest.mark.parametrize("slug", ["ad-storage", "Marketing", "a b", ""])
def test_category_slug_cannot_hold_the_cookie_separator(slug):
    from django.core.exceptions import ValidationError

    category = ConsentCategoryFactory.build(container=ContainerFactory(), slug=slug)
    with pytest.raises(ValidationError) as info:
        category.full_clean()
    assert "slug" in info.value.message_dict


@pytest.mark.parametrize(
    ("origins", "message"),
    [
        ("https://shop.example", "list of origins"),
        (["shop.example"], "not an origin"),
        (["ftp://shop.example"], "not an origin"),
        (["https://Shop.example/"], "as https://shop.example"),
        (["https://shop.example/path"], "not an origin"),
        (["https://shop.example:443"], "as https://shop.example"),
        (["http://[::1]:8000/"], "as http://[::1]:8000"),
        (["https://shop.example:99999"], "not an origin"),
        ([42], "not an origin"),
    ],
)
def test_allowed_origins_must_be_origins_as_browsers_send_them(origins, message):
    from tagmanager.services.containers import container_create

    with pytest.raises(ValidationError) as exc:
        container_create(name="Shop", allowed_origins=origins)
    assert message in str(exc.value.message_dict["allowed_origins"])


@pytest.mark.django_db
def test_good_origins_and_a_consent_lifetime_within_ten_years():
    from tagmanager.services.containers import container_create, container_update

    container = container_create(
        name="Shop", allowed_origins=["https://shop.example", "http://localhost:8000"]
    )
    with pytest.raises(ValidationError) as exc:
        container_update(container=container, consent_lifetime_days=3651)
    assert "consent_lifetime_days" in exc.value.message_dict
