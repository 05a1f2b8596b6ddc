"""Only developers choose code, in the admin: without change_code_tags, what decides when or
whether a code tag runs (its triggers, its consent categories, the variables its triggers read)
is read-only with the reason on the page, a crafted POST is a 403, and ids and URL hosts take no
{{variables}}."""

import json

import pytest
from django.urls import reverse

from tagmanager.models import ConsentCategory, ContainerVersion, Tag, Trigger
from tagmanager.services.publishing import container_publish
from tagmanager.services.tags import tag_save, trigger_save, variable_save
from tests.admin.conftest import category
from tests.admin.test_deletion_and_categories import inline_data

pytestmark = pytest.mark.django_db


def change(model: str, obj) -> str:
    return reverse(f"admin:tagmanager_{model}_change", args=[obj.pk])


def delete(model: str, obj) -> str:
    return reverse(f"admin:tagmanager_{model}_delete", args=[obj.pk])


def trigger_post(shop, trigger, **extra) -> dict:
    return {
        "container": shop.pk,
        "name": trigger.name,
        "trigger_type": "page_view",
        "conditions-0-variable": "page_path",
        "conditions-0-operator": "equals",
        "conditions-0-value": "/never",  # would stop the code tag from firing
        **extra,
    }


def category_post(shop, slug: str, **extra) -> dict:
    return {
        "container": shop.pk,
        "slug": slug,
        "order": "1",
        "required": "on",  # would fire the code tag without consent
        "names": json.dumps({"en": slug.title()}),
        "descriptions": "{}",
        "consent_signals": "[]",
        "cookies": "[]",
        **extra,
    }


@pytest.fixture
def staff_only(shop, custom_html):
    """A blocking trigger of the code tag, reading the variable ``plan``."""
    variable = variable_save(
        container=shop, name="plan", variable_type="cookie", parameters={"name": "plan"}
    )
    trigger = trigger_save(
        container=shop,
        name="Staff",
        trigger_type="page_view",
        conditions=[{"variable": "plan", "operator": "equals", "value": "staff"}],
    )
    custom_html.blocking_triggers.add(trigger)
    return trigger, variable


def assert_locked_page(response, reason: str) -> None:
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert b"data-tm-code-lock" in response.content
    assert response.context["code_lock_reason"].startswith(reason)
    assert "only users allowed to manage code tags" in response.context["code_lock_reason"]


# --- triggers -------------------------------------------------------------------------------


def test_editor_sees_a_code_tags_trigger_read_only_with_the_reason(
    as_editor, all_pages, custom_html
):
    response = as_editor.get(change("trigger", all_pages))
    assert_locked_page(
        response, "Trigger 'All pages' decides when tags that run code fire ('Chat widget')"
    )


def test_editor_cannot_change_a_code_tags_triggers_with_a_crafted_post(
    as_editor, shop, custom_html, all_pages, staff_only
):
    staff, _ = staff_only
    for trigger in (all_pages, staff):  # firing and blocking
        response = as_editor.post(change("trigger", trigger), trigger_post(shop, trigger))
        assert response.status_code == 403
        trigger.refresh_from_db()
        assert trigger.conditions != [
            {"variable": "page_path", "operator": "equals", "value": "/never"}
        ]


def test_editor_cannot_delete_a_code_tags_trigger(as_editor, all_pages, purchase):
    Tag.objects.all().delete()  # free of other tags: only the code tag keeps it
    tag_save(
        container=all_pages.container,
        name="Chat",
        tag_type="custom_html",
        parameters={"html": "<p>hi</p>"},
        categories=[category(all_pages.container, "preferences")],
        firing_triggers=[all_pages],
    )
    assert as_editor.get(delete("trigger", all_pages)).status_code == 403
    assert as_editor.post(delete("trigger", all_pages), {"post": "yes"}).status_code == 403
    response = as_editor.post(
        reverse("admin:tagmanager_trigger_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [purchase.pk, all_pages.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 403
    assert Trigger.objects.count() == 2


def test_editor_still_changes_other_triggers(as_editor, shop, custom_html, purchase, meta):
    meta.firing_triggers.add(purchase)  # used by a tag that runs no code
    data = {**trigger_post(shop, purchase), "trigger_type": "custom_event"}
    data["param_event_name"] = "purchase"
    response = as_editor.post(change("trigger", purchase), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    purchase.refresh_from_db()
    assert purchase.conditions[0]["value"] == "/never"
    assert as_editor.get(change("trigger", purchase)).context["code_lock_reason"] == ""


# --- consent categories ---------------------------------------------------------------------


def test_editor_sees_a_code_tags_category_read_only_with_the_reason(as_editor, shop, custom_html):
    response = as_editor.get(change("consentcategory", category(shop, "preferences")))
    assert_locked_page(
        response, "Consent category 'preferences' decides whether tags that run code fire"
    )


def test_editor_cannot_make_a_code_tags_category_required(as_editor, shop, custom_html):
    preferences = category(shop, "preferences")
    response = as_editor.post(
        change("consentcategory", preferences), category_post(shop, "preferences")
    )
    assert response.status_code == 403
    preferences.refresh_from_db()
    assert preferences.required is False
    assert (
        as_editor.post(delete("consentcategory", preferences), {"post": "yes"}).status_code == 403
    )


def test_editor_still_changes_other_categories(as_editor, shop, custom_html):
    analytics = category(shop, "analytics")
    response = as_editor.post(
        change("consentcategory", analytics), category_post(shop, "analytics")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    analytics.refresh_from_db()
    assert analytics.required is True


def test_publisher_cannot_change_it_inline_on_the_container_page(as_publisher, shop, custom_html):
    url = change("container", shop)
    page = as_publisher.get(url)
    assert "decides whether tags that run code fire" in page.content.decode()
    rows = list(shop.categories.order_by("pk"))
    index = rows.index(category(shop, "preferences"))
    other = rows.index(category(shop, "analytics"))
    data = inline_data(
        shop,
        **{
            f"categories-{index}-required": "on",
            f"categories-{index}-slug": "renamed",
            f"categories-{index}-names": '{"en": "Essential"}',
            f"categories-{other}-names": '{"en": "Statistics"}',
        },
    )
    response = as_publisher.post(url, data)
    assert response.status_code == 302
    preferences = ConsentCategory.objects.get(pk=rows[index].pk)
    assert (preferences.slug, preferences.required, preferences.names) == (
        "preferences",
        False,
        {"en": "Preferences"},
    )
    # The rest of the page was saved.
    assert category(shop, "analytics").names == {"en": "Statistics"}


# --- variables read by a code tag's triggers, and the code tag itself -------------------------


def test_editor_cannot_change_a_variable_a_code_tags_trigger_reads(as_editor, shop, staff_only):
    _, plan = staff_only
    response = as_editor.get(change("variable", plan))
    assert_locked_page(response, "Variable 'plan' is used by a tag that runs code")
    data = {
        "container": shop.pk,
        "name": "plan",
        "variable_type": "cookie",
        "param_name": "other",
    }
    assert as_editor.post(change("variable", plan), data).status_code == 403
    plan.refresh_from_db()
    assert plan.parameters == {"name": "plan"}


def test_editor_sees_why_a_code_tag_is_read_only(as_editor, custom_html):
    response = as_editor.get(change("tag", custom_html))
    assert_locked_page(response, "'Chat widget' runs code on the site")


def test_developer_changes_all_of_it(as_developer, shop, custom_html, all_pages, staff_only):
    _, plan = staff_only
    for url in (
        change("trigger", all_pages),
        change("consentcategory", category(shop, "preferences")),
        change("variable", plan),
        change("tag", custom_html),
    ):
        response = as_developer.get(url)
        assert b'name="_save"' in response.content
        assert response.context["code_lock_reason"] == ""
    response = as_developer.post(change("trigger", all_pages), trigger_post(shop, all_pages))
    assert response.status_code == 302, response.context["adminform"].form.errors
    preferences = category(shop, "preferences")
    response = as_developer.post(
        change("consentcategory", preferences), category_post(shop, "preferences")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    preferences.refresh_from_db()
    assert preferences.required is True


# --- ids and URL hosts ------------------------------------------------------------------------


def tag_post(shop, trigger, tag_type: str, **params) -> dict:
    return {
        "container": shop.pk,
        "name": "New",
        "tag_type": tag_type,
        "categories": [category(shop, "analytics").pk],
        "firing_triggers": [trigger.pk],
        "fire_limit": "unlimited",
        "priority": "0",
        "enabled": "on",
        **{f"param_{k}": v for k, v in params.items()},
    }


@pytest.mark.parametrize(
    "tag_type, field, value, message",
    [
        ("ga4", "measurement_id", "{{gid}}", "ids are fixed when you publish"),
        ("image", "url", "https://{{utm_source}}/p.gif", "scheme and host of a URL are fixed"),
    ],
)
def test_an_id_or_url_host_with_a_variable_is_a_form_error(
    as_developer, shop, all_pages, tag_type, field, value, message
):
    url = f"{reverse('admin:tagmanager_tag_add')}?container={shop.pk}&tag_type={tag_type}"
    response = as_developer.post(url, tag_post(shop, all_pages, tag_type, **{field: value}))
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[f"param_{field}"])
    assert not Tag.objects.filter(name="New").exists()


def test_rolling_back_to_a_version_with_a_variable_id_is_refused(as_publisher, shop, meta):
    v1 = container_publish(container=shop)
    config = {
        **v1.config,
        "tags": [{**t, "params": {"pixel_id": "{{pid}}"}} for t in v1.config["tags"]],
    }
    ContainerVersion.objects.filter(pk=v1.pk).update(config=config)  # published before the rule
    container_publish(container=shop)
    url = reverse("admin:tagmanager_container_rollback", args=[shop.pk, 1])
    response = as_publisher.post(url, {"notes": ""})
    assert response.status_code == 400
    errors = response.context["form"].non_field_errors()
    assert any(e.startswith("Tag 'Meta': pixel_id: Enter the id itself") for e in errors)
    assert shop.versions.count() == 2
