"""Deleting through the removal services, consent categories and container settings through
theirs."""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse

from tagmanager.models import ConsentCategory, Container, Trigger
from tests.admin.conftest import category, login
from tests.factories import user_with

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_trigger_in_use_is_not_deleted(as_publisher, meta, all_pages):
    url = reverse("admin:tagmanager_trigger_delete", args=[all_pages.pk])
    response = as_publisher.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert response.url == reverse("admin:tagmanager_trigger_change", args=[all_pages.pk])
    assert messages_of(response) == [
        "Trigger 'All pages' is still used by tag 'Meta'; change those first."
    ]
    assert Trigger.objects.filter(pk=all_pages.pk).exists()
    assert not LogEntry.objects.exists()


def test_a_selection_with_a_trigger_in_use_deletes_nothing(as_publisher, meta, all_pages, purchase):
    response = as_publisher.post(
        reverse("admin:tagmanager_trigger_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [purchase.pk, all_pages.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert "still used by tag 'Meta'" in messages_of(response)[0]
    assert Trigger.objects.count() == 2
    assert not LogEntry.objects.exists()


def test_an_unused_trigger_is_deleted(as_publisher, purchase):
    url = reverse("admin:tagmanager_trigger_delete", args=[purchase.pk])
    response = as_publisher.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Trigger.objects.filter(pk=purchase.pk).exists()


def test_a_variable_in_use_is_not_deleted(as_publisher, shop):
    from tagmanager.services.tags import trigger_save, variable_save

    plan = variable_save(
        container=shop, name="plan", variable_type="cookie", parameters={"name": "p"}
    )
    trigger_save(
        container=shop,
        name="Pro",
        trigger_type="page_view",
        conditions=[{"variable": "plan", "operator": "equals", "value": "pro"}],
    )
    response = as_publisher.post(
        reverse("admin:tagmanager_variable_delete", args=[plan.pk]), {"post": "yes"}
    )
    assert "still used by trigger 'Pro'" in messages_of(response)[0]
    assert plan.__class__.objects.filter(pk=plan.pk).exists()


def test_a_category_in_use_is_not_deleted(as_publisher, shop, meta):
    marketing = category(shop, "marketing")
    response = as_publisher.post(
        reverse("admin:tagmanager_consentcategory_delete", args=[marketing.pk]), {"post": "yes"}
    )
    assert "needed by the tag(s) Meta" in messages_of(response)[0]
    assert ConsentCategory.objects.filter(pk=marketing.pk).exists()


def test_category_fields_are_checked_by_the_service(as_publisher, shop):
    response = as_publisher.post(
        reverse("admin:tagmanager_consentcategory_add"),
        {
            "container": shop.pk,
            "slug": "social",
            "names": '{"en": "Social"}',
            "descriptions": "{}",
            "order": "5",
            "consent_signals": '["ad_storage", "telepathy"]',
            "cookies": '["ok", "not a cookie"]',
        },
    )
    errors = response.context["adminform"].form.errors
    assert "telepathy" in errors["consent_signals"][0]
    assert "not a cookie" in errors["cookies"][0]
    response = as_publisher.post(
        reverse("admin:tagmanager_consentcategory_add"),
        {
            "container": shop.pk,
            "slug": "social",
            "names": '{"en": "Social"}',
            "descriptions": "{}",
            "order": "5",
            "consent_signals": '["ad_storage", "ad_storage"]',
            "cookies": '["_soc"]',
        },
    )
    assert response.status_code == 302
    social = ConsentCategory.objects.get(slug="social")
    assert social.consent_signals == ["ad_storage"]  # the service drops repeats


def inline_data(container, **extra) -> dict:
    """The container change form as posted, categories inline."""
    categories = list(container.categories.order_by("pk"))
    data = {
        "name": container.name,
        "key": container.key,
        "allowed_origins": '["https://shop.example"]',
        "revision": container.revision,
        "consent_lifetime_days": container.consent_lifetime_days,
        "honour_gpc": "on",
        "default_locale": container.default_locale,
        "banner_texts": '{"en": {"title": "Privacy"}}',
        "consent_mode_defaults": "[]",
        "categories-TOTAL_FORMS": str(len(categories)),
        "categories-INITIAL_FORMS": str(len(categories)),
    }
    for i, c in enumerate(categories):
        data.update(
            {
                f"categories-{i}-id": c.pk,
                f"categories-{i}-container": container.pk,
                f"categories-{i}-slug": c.slug,
                f"categories-{i}-order": c.order,
                f"categories-{i}-names": json.dumps({"en": c.slug.title()}),
                f"categories-{i}-descriptions": "{}",
                f"categories-{i}-consent_signals": "[]",
                f"categories-{i}-cookies": "[]",
            }
        )
    data.update(extra)
    return data


def test_container_inline_refuses_removing_a_category_in_use(as_publisher, shop, meta):
    index = list(shop.categories.order_by("pk")).index(category(shop, "marketing"))
    url = reverse("admin:tagmanager_container_change", args=[shop.pk])
    response = as_publisher.post(url, inline_data(shop, **{f"categories-{index}-DELETE": "on"}))
    assert response.status_code == 200
    assert "needed by the tag(s) Meta" in response.content.decode()
    assert shop.categories.filter(slug="marketing").exists()


def test_container_settings_saved_through_the_service(as_publisher, shop):
    url = reverse("admin:tagmanager_container_change", args=[shop.pk])
    response = as_publisher.post(url, inline_data(shop, key="shop-new", revision="2"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    shop.refresh_from_db()
    assert (shop.key, shop.revision) == ("shop-new", 2)
    assert shop.categories.get(slug="analytics").names == {"en": "Analytics"}


def test_a_new_container_gets_the_usual_categories():
    creator = user_with("creator", perms=["tagmanager.add_container", "tagmanager.view_container"])
    response = login(creator).post(
        reverse("admin:tagmanager_container_add"),
        {
            "name": "New site",
            "key": "new-site",
            "allowed_origins": "[]",
            "revision": "1",
            "consent_lifetime_days": "180",
            "default_locale": "en",
            "banner_texts": '{"en": {"title": "Privacy"}}',
            "consent_mode_defaults": "[]",
            "categories-TOTAL_FORMS": "0",
            "categories-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    container = Container.objects.get(key="new-site")
    assert sorted(container.categories.values_list("slug", flat=True)) == [
        "analytics",
        "marketing",
        "necessary",
        "preferences",
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("banner_texts", '{"en": ["not", "texts"], "de": 5}', "texts per language"),
        ("consent_mode_defaults", '[{"region": 5, "ad_storage": "maybe"}]', "region must list"),
        ("allowed_origins", '["https://Shop.example/"]', "as https://shop.example"),
        ("cookie_domain", "not a domain!", "is not a domain"),
        ("default_locale", "english please", "is not a language tag"),
    ],
)
def test_container_settings_are_validated_in_the_admin_as_in_the_api(
    as_publisher, shop, field, value, message
):
    url = reverse("admin:tagmanager_container_change", args=[shop.pk])
    before = getattr(shop, field)
    response = as_publisher.post(url, inline_data(shop, **{field: value}))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in str(errors.get(field) or errors)
    shop.refresh_from_db()
    assert getattr(shop, field) == before
