import pytest
from django.core.exceptions import ValidationError

from tagmanager.models import ConsentCategory, Trigger, Variable
from tagmanager.services.categories import category_delete, category_save
from tagmanager.services.containers import container_create, container_update
from tagmanager.services.demo import demo_container_ensure
from tagmanager.services.removal import tag_delete, trigger_delete, variable_delete
from tests.factories import ContainerFactory, TagFactory, TriggerFactory, VariableFactory

pytestmark = pytest.mark.django_db


def test_category_save_cleans_and_validates():
    container = ContainerFactory()
    category = category_save(
        container=container,
        slug="ads",
        names={"en": "Ads"},
        consent_signals=["ad_storage", "ad_storage"],
        cookies=["_x", "_x_*", "_x"],
    )
    assert (category.consent_signals, category.cookies) == (["ad_storage"], ["_x", "_x_*"])
    with pytest.raises(ValidationError) as info:
        category_save(
            container=container,
            slug="Bad-Slug",
            names={"english": 5},
            consent_signals=["telepathy"],
            cookies=["a b"],
        )
    assert set(info.value.message_dict) == {"names", "consent_signals", "cookies"}
    with pytest.raises(ValidationError) as info:
        category_save(container=container, slug="Bad-Slug", names={"en": "x"})
    assert set(info.value.message_dict) == {"slug"}


def test_category_update_keeps_its_identity():
    container = ContainerFactory()
    category = category_save(container=container, slug="ads", names={"en": "Ads"})
    same = category_save(
        container=container, slug="ads", names={"en": "Adverts"}, required=True, category=category
    )
    assert same.pk == category.pk
    assert ConsentCategory.objects.get(pk=category.pk).names == {"en": "Adverts"}


def test_things_in_use_are_not_removed():
    shop = demo_container_ensure()
    with pytest.raises(ValidationError, match="needed by the tag"):
        category_delete(category=shop.categories.get(slug="marketing"))
    with pytest.raises(ValidationError, match="tag 'Meta Pixel'") as info:
        trigger_delete(trigger=shop.triggers.get(name="Purchase"))
    assert info.value.code == "in_use"
    variable = VariableFactory(container=shop, name="coupon")
    TriggerFactory(
        container=shop,
        name="Coupon page",
        conditions=[{"variable": "coupon", "operator": "equals", "value": "X"}],
    )
    with pytest.raises(ValidationError, match="trigger 'Coupon page'"):
        variable_delete(variable=variable)
    assert Variable.objects.filter(pk=variable.pk).exists()


def test_unused_things_are_removed():
    container = ContainerFactory()
    trigger = TriggerFactory(container=container)
    tag = TagFactory(container=container, firing_triggers=[trigger])
    tag_delete(tag=tag)
    trigger_delete(trigger=trigger)
    variable = VariableFactory(container=container)
    variable_delete(variable=variable)
    category = category_save(container=container, slug="x", names={"en": "X"})
    category_delete(category=category)
    assert not Trigger.objects.filter(pk=trigger.pk).exists()
    assert not container.variables.exists() and not container.categories.exists()


def test_container_create_with_settings_and_members(django_user_model):
    user = django_user_model.objects.create_user("u")
    container = container_create(
        name="Blog", key="blog", members=[user], revision=4, honour_gpc=False
    )
    assert (container.revision, container.honour_gpc) == (4, False)
    assert list(container.members.all()) == [user]
    with pytest.raises(TypeError, match="Not a container setting: live_version"):
        container_create(name="X", live_version=None)


def test_container_update_validates():
    container = ContainerFactory()
    container_update(container=container, name="Renamed", consent_lifetime_days=30)
    container.refresh_from_db()
    assert (container.name, container.consent_lifetime_days) == ("Renamed", 30)
    with pytest.raises(ValidationError) as info:
        container_update(container=container, key="bad key", revision=0)
    assert set(info.value.message_dict) == {"key", "revision"}
