"""The tag form built from the tag type's parameters, saved through tag_save."""

import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from tagmanager.models import Tag
from tests.admin.conftest import category

pytestmark = pytest.mark.django_db

ADD = "admin:tagmanager_tag_add"


def add_url(container, tag_type: str) -> str:
    return f"{reverse(ADD)}?container={container.pk}&tag_type={tag_type}"


def change_url(tag) -> str:
    return reverse("admin:tagmanager_tag_change", args=[tag.pk])


def form_of(response):
    return response.context["adminform"].form


def meta_post(shop, trigger, **overrides) -> dict:
    data = {
        "container": shop.pk,
        "name": "Meta",
        "tag_type": "meta_pixel",
        "param_pixel_id": "123456789012345",
        "param_event_name": "",
        "param_value": "{{event.value}}",
        "param_currency": "EUR",
        "categories": [category(shop, "marketing").pk],
        "firing_triggers": [trigger.pk],
        "fire_limit": "unlimited",
        "priority": "0",
        "enabled": "on",
    }
    data.update(overrides)
    return data


def test_add_starts_by_asking_container_and_type(as_publisher, shop, blog):
    response = as_publisher.get(reverse(ADD))
    assert response.status_code == 200
    assert response.templates[0].name == "tagmanager/admin/add_start.html"
    form = response.context["form"]
    assert list(form.fields["container"].queryset) == [shop]  # a member of shop only
    assert "meta_pixel" in dict(form.fields["tag_type"].choices)


def test_start_step_explains_a_bad_choice(as_publisher, blog):
    response = as_publisher.get(f"{reverse(ADD)}?container={blog.pk}&tag_type=meta_pixel")
    assert response.templates[0].name == "tagmanager/admin/add_start.html"
    assert "container" in response.context["form"].errors


def test_fields_follow_the_type(as_publisher, shop):
    response = as_publisher.get(add_url(shop, "meta_pixel"))
    assert response.status_code == 200
    fields = form_of(response).fields
    assert {"param_pixel_id", "param_event_name", "param_value", "param_currency"} <= set(fields)
    assert "parameters" not in fields
    assert fields["param_pixel_id"].label == "Pixel ID"
    assert "123456789012345" in fields["param_pixel_id"].help_text
    assert fields["param_pixel_id"].required
    assert not fields["param_event_name"].required

    response = as_publisher.get(add_url(shop, "ga4"))
    fields = form_of(response).fields
    assert "param_measurement_id" in fields and "param_pixel_id" not in fields
    assert "param_event_parameters" in fields
    assert b"Google Analytics 4 settings" in response.content


def test_categories_and_triggers_are_those_of_the_container(
    as_publisher, shop, blog, all_pages, publisher
):
    blog.members.add(publisher)
    response = as_publisher.get(add_url(shop, "image"))
    form = form_of(response)
    assert {c.container_id for c in form.fields["categories"].queryset} == {shop.pk}
    assert list(form.fields["firing_triggers"].queryset) == [all_pages]
    assert set(form.fields["container"].queryset) == {shop, blog}


def test_add_saves_through_the_service_with_defaults(as_publisher, shop, all_pages):
    response = as_publisher.post(add_url(shop, "meta_pixel"), meta_post(shop, all_pages))
    assert response.status_code == 302, form_of(response).errors
    tag = Tag.objects.get(name="Meta")
    assert tag.parameters == {
        "pixel_id": "123456789012345",
        "value": "{{event.value}}",
        "currency": "EUR",
    }
    assert [c.slug for c in tag.categories.all()] == ["marketing"]
    assert list(tag.firing_triggers.all()) == [all_pages]


def test_a_bad_parameter_is_an_error_on_its_field(as_publisher, shop, all_pages):
    response = as_publisher.post(
        add_url(shop, "meta_pixel"),
        meta_post(shop, all_pages, param_pixel_id="12x", param_currency="euro"),
    )
    assert response.status_code == 200
    errors = form_of(response).errors
    assert errors["param_pixel_id"] == [
        "Pixel ID: '12x' is not a valid Pixel ID (for example 123456789012345)."
    ]
    assert errors["param_currency"][0].startswith("Currency: ")
    assert "param_value" not in errors
    assert not Tag.objects.exists()


def test_a_missing_required_parameter_is_an_error_on_its_field(as_publisher, shop, all_pages):
    response = as_publisher.post(
        add_url(shop, "meta_pixel"), meta_post(shop, all_pages, param_pixel_id="")
    )
    assert "param_pixel_id" in form_of(response).errors
    assert not Tag.objects.exists()


def test_another_containers_category_is_refused(as_publisher, shop, blog, all_pages):
    response = as_publisher.post(
        add_url(shop, "meta_pixel"),
        meta_post(shop, all_pages, categories=[category(blog, "marketing").pk]),
    )
    assert "categories" in form_of(response).errors
    assert not Tag.objects.exists()


def test_mapping_parameter_is_edited_as_rows(as_publisher, shop, all_pages):
    data = meta_post(shop, all_pages, name="GA4", tag_type="ga4", param_measurement_id="G-AB12CD")
    data.update(
        {
            "param_event_parameters-0-name": "content_group",
            "param_event_parameters-0-value": "{{page_path}}",
            "param_event_parameters-1-name": "",
            "param_event_parameters-1-value": "",
            "param_event_parameters-2-name": "plan",
            "param_event_parameters-2-value": "pro",
            "categories": [category(shop, "analytics").pk],
        }
    )
    response = as_publisher.post(add_url(shop, "ga4"), data)
    assert response.status_code == 302, form_of(response).errors
    assert Tag.objects.get(name="GA4").parameters == {
        "measurement_id": "G-AB12CD",
        "event_parameters": {"content_group": "{{page_path}}", "plan": "pro"},
    }


def test_mapping_rows_need_names(as_publisher, shop, all_pages):
    data = meta_post(shop, all_pages, name="GA4", tag_type="ga4", param_measurement_id="G-AB12CD")
    data.update({"param_event_parameters-0-name": "", "param_event_parameters-0-value": "x"})
    response = as_publisher.post(add_url(shop, "ga4"), data)
    assert "param_event_parameters" in form_of(response).errors


def test_change_form_shows_stored_parameters(as_publisher, meta):
    response = as_publisher.get(change_url(meta))
    assert form_of(response)["param_pixel_id"].value() == "123456789012345"
    assert form_of(response).fields["container"].disabled


def test_changing_the_type_shows_the_new_fields_and_saves_nothing(as_publisher, shop, meta):
    data = meta_post(shop, meta.firing_triggers.get(), tag_type="tiktok", _retype="1")
    data["name"] = "Renamed"
    response = as_publisher.post(change_url(meta), data)
    assert response.status_code == 200
    form = form_of(response)
    assert "param_pixel_id" in form.fields and "param_event_name" in form.fields
    assert not form.errors
    assert form["name"].value() == "Renamed"  # what was typed is kept
    assert form["param_currency"].value() == "EUR"  # shared parameters carry over
    assert b"data-tm-retyped" in response.content
    meta.refresh_from_db()
    assert (meta.name, meta.tag_type) == ("Meta", "meta_pixel")


def test_changing_the_type_of_a_tag_saves_the_new_parameters(as_publisher, shop, meta):
    data = meta_post(shop, meta.firing_triggers.get(), tag_type="tiktok")
    data["param_pixel_id"] = "C4ABCDEFGHIJ1234567"
    response = as_publisher.post(change_url(meta), data)
    assert response.status_code == 302, form_of(response).errors
    meta.refresh_from_db()
    assert meta.tag_type == "tiktok"
    assert meta.parameters["pixel_id"] == "C4ABCDEFGHIJ1234567"


def test_moving_a_tag_to_another_container_is_ignored(as_publisher, publisher, shop, blog, meta):
    blog.members.add(publisher)
    response = as_publisher.post(
        change_url(meta), meta_post(shop, meta.firing_triggers.get(), container=blog.pk)
    )
    assert response.status_code == 302
    meta.refresh_from_db()
    assert meta.container == shop


def test_duplicate_name_is_a_form_error(as_publisher, shop, meta, all_pages):
    response = as_publisher.post(add_url(shop, "meta_pixel"), meta_post(shop, all_pages))
    assert response.status_code == 200
    assert form_of(response).errors
    assert Tag.objects.count() == 1


def test_summary_on_the_change_page(as_publisher, shop, meta, purchase):
    meta.blocking_triggers.set([purchase])
    meta.fire_limit = "page"
    meta.save()
    response = as_publisher.get(change_url(meta))
    summary = response.context["tag_summary"]
    assert summary == (
        "This tag fires on All pages (every page view), except when Purchase (the event "
        "'purchase') matches, and needs consent for Marketing. It fires at most once per page."
    )
    assert escape(summary).encode() in response.content
    data = response.context["tag_summary_data"]
    assert data["triggers"][str(purchase.pk)] == "Purchase (the event 'purchase')"
    assert b'<script id="tm-summary-data" type="application/json">' in response.content
    assert (
        json.loads(
            response.content.split(b'id="tm-summary-data" type="application/json">')[1].split(
                b"</script>"
            )[0]
        )["limits"]["page"]
        == "It fires at most once per page."
    )


def test_summary_follows_what_was_posted(as_publisher, shop, all_pages, purchase):
    response = as_publisher.post(
        add_url(shop, "meta_pixel"),
        meta_post(shop, all_pages, firing_triggers=[all_pages.pk, purchase.pk], _retype="1"),
    )
    assert response.context["tag_summary"].startswith(
        "This tag fires on All pages (every page view) or Purchase (the event 'purchase')"
    )


def test_summary_in_the_changelist(as_publisher, meta):
    response = as_publisher.get(reverse("admin:tagmanager_tag_changelist"))
    assert b"This tag fires on All pages (every page view)" in response.content
