import pytest
from django.core.exceptions import ValidationError

from tagmanager.services.containers import container_create
from tagmanager.services.tags import tag_save, trigger_save, variable_save
from tests.factories import ConsentCategoryFactory, ContainerFactory, TriggerFactory

pytestmark = pytest.mark.django_db


def test_container_create_adds_the_usual_categories():
    container = container_create(name="Shop", key="shop")
    slugs = list(container.categories.values_list("slug", "required", "sale_or_sharing"))
    assert slugs == [
        ("necessary", True, False),
        ("preferences", False, False),
        ("analytics", False, False),
        ("marketing", False, True),
    ]


def test_container_create_rejects_bad_key():
    with pytest.raises(ValidationError) as info:
        container_create(name="Shop", key="not a key!")
    assert "key" in info.value.message_dict


def test_tag_save_validates_parameters_with_field_names():
    container = ContainerFactory()
    category = ConsentCategoryFactory(container=container)
    with pytest.raises(ValidationError) as info:
        tag_save(
            container=container,
            name="Pixel",
            tag_type="meta_pixel",
            parameters={"pixel_id": "abc"},
            categories=[category],
            firing_triggers=[],
        )
    assert list(info.value.message_dict) == ["parameters.pixel_id"]


def test_tag_needs_a_category_of_its_own_container():
    container = ContainerFactory()
    with pytest.raises(ValidationError) as info:
        tag_save(
            container=container,
            name="Pixel",
            tag_type="image",
            parameters={"url": "https://p.example/x.gif"},
            categories=[],
            firing_triggers=[],
        )
    assert "categories" in info.value.message_dict
    foreign = ConsentCategoryFactory()
    with pytest.raises(ValidationError, match="another container"):
        tag_save(
            container=container,
            name="Pixel",
            tag_type="image",
            parameters={"url": "https://p.example/x.gif"},
            categories=[foreign],
            firing_triggers=[TriggerFactory(container=container)],
        )


def test_tag_save_creates_then_updates():
    container = ContainerFactory()
    category = ConsentCategoryFactory(container=container)
    trigger = TriggerFactory(container=container)
    args = dict(container=container, name="GA", tag_type="ga4", categories=[category])
    tag = tag_save(**args, parameters={"measurement_id": "G-AAAA1111"}, firing_triggers=[trigger])
    same = tag_save(
        **args, parameters={"measurement_id": "G-BBBB2222"}, firing_triggers=[], tag=tag
    )
    assert same.pk == tag.pk
    tag.refresh_from_db()
    assert tag.parameters == {"measurement_id": "G-BBBB2222"}
    assert list(tag.firing_triggers.all()) == []


def test_duplicate_tag_name_is_a_validation_error_not_a_crash():
    container = ContainerFactory()
    category = ConsentCategoryFactory(container=container)
    args = dict(
        container=container,
        name="Same",
        tag_type="image",
        parameters={"url": "https://p.example/x.gif"},
        categories=[category],
        firing_triggers=[],
    )
    tag_save(**args)
    with pytest.raises(ValidationError):
        tag_save(**args)


def test_trigger_and_variable_validation():
    container = ContainerFactory()
    with pytest.raises(ValidationError) as info:
        trigger_save(
            container=container,
            name="Buy",
            trigger_type="custom_event",
            parameters={},
            conditions=[{"variable": "page_path", "operator": "nope", "value": "x"}],
        )
    assert set(info.value.message_dict) == {"parameters.event_name", "conditions"}
    with pytest.raises(ValidationError) as info:
        variable_save(
            container=container,
            name="page_url",
            variable_type="constant",
            parameters={"value": "x"},
        )
    assert "built-in" in info.value.message_dict["name"][0]
    variable = variable_save(
        container=container, name="plan", variable_type="cookie", parameters={"name": "plan"}
    )
    assert variable.parameters == {"name": "plan"}
