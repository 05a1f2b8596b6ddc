"""The marketer's workbench in headless Chromium: the tag form with its live summary, publish
with the diff, versions and rollback, and what an editor does not get. Screenshots are kept in
test-artifacts/."""

import re

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

EDITOR = "editor"


@pytest.fixture
def shop(transactional_db):
    from tagmanager.services.containers import container_create
    from tagmanager.services.publishing import container_publish
    from tagmanager.services.tags import tag_save, trigger_save

    container = container_create(name="Shop", key="shop", allowed_origins=["https://shop.example"])
    pages = trigger_save(container=container, name="All pages", trigger_type="page_view")
    trigger_save(
        container=container,
        name="Purchase",
        trigger_type="custom_event",
        parameters={"event_name": "purchase"},
    )
    trigger_save(
        container=container,
        name="Staff",
        trigger_type="page_view",
        conditions=[{"variable": "page_path", "operator": "starts_with", "value": "/staff"}],
    )
    tag_save(
        container=container,
        name="Meta",
        tag_type="meta_pixel",
        parameters={"pixel_id": "123456789012345"},
        categories=[container.categories.get(slug="marketing")],
        firing_triggers=[pages],
    )
    container_publish(container=container, notes="first")
    return container


def users(shop):
    from tagmanager.services.roles import ROLES
    from tests.factories import user_with

    publisher = user_with("publisher", perms=ROLES["Tag publishers"], containers=[shop])
    editor = user_with(EDITOR, perms=ROLES["Tag editors"], containers=[shop])
    return publisher, editor


def summary(page) -> str:
    return page.inner_text("[data-tm-summary]")


def check(page, field: str, label: str, on: bool = True):
    box = page.locator(f'input[name="{field}"]').locator(
        f"xpath=ancestor::label[contains(normalize-space(.), '{label}')]"
    )
    box.locator("input").set_checked(on)


def test_publisher_edits_publishes_and_rolls_back(admin_page, live_server, shop):
    from tagmanager.models import Tag

    publisher, _ = users(shop)
    page = admin_page(publisher)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    meta = Tag.objects.get(name="Meta")

    # The tag form: fields of the type, and a summary that follows the choices.
    page.goto(f"{live_server.url}/admin/tagmanager/tag/{meta.pk}/change/")
    assert page.input_value("#id_param_pixel_id") == "123456789012345"
    assert summary(page).startswith("This tag fires on All pages (every page view), and needs")
    check(page, "firing_triggers", "Purchase")
    assert summary(page).startswith(
        "This tag fires on All pages (every page view) or Purchase (the event 'purchase')"
    )
    check(page, "blocking_triggers", "Staff")
    assert "except when Staff (every page view, when page_path starts with '/staff') matches" in (
        summary(page)
    )
    check(page, "categories", "Analytics")
    assert "needs consent for Analytics and Marketing." in summary(page)
    page.select_option("#id_fire_limit", "session")
    assert summary(page).endswith("It fires at most once per session.")
    page.fill("#id_param_pixel_id", "999999999999")
    screenshot(page, "admin-tag-form-summary")
    page.click('input[name="_save"]')
    page.wait_for_selector(".messagelist .success")
    meta.refresh_from_db()
    assert meta.parameters["pixel_id"] == "999999999999"
    assert meta.fire_limit == "session"

    # The container page links to Publish; the publish page shows the diff.
    page.goto(f"{live_server.url}/admin/tagmanager/container/{shop.pk}/change/")
    page.click("a.tm-page-link:text-is('Publish')")
    page.wait_for_selector("#tm-publish-form")
    diff = page.inner_text(".tm-diff")
    assert "Meta" in diff and "999999999999" in diff and "123456789012345" in diff
    assert "Fires on" in diff and "Purchase" in diff
    page.fill("#id_notes", "Meta on purchases too")
    screenshot(page, "admin-publish-diff")
    page.click('input[name="_publish"]')

    # The versions page: the new live version, with its note and author.
    page.wait_for_selector(".tm-version-table")
    row = page.locator('tr[data-tm-version="2"]')
    assert row.locator(".tm-badge-live").count() == 1
    assert "Meta on purchases too" in row.inner_text()
    assert "publisher" in row.inner_text()
    row.locator("summary").click()
    screenshot(page, "admin-versions")
    shop.refresh_from_db()
    assert shop.live_version.number == 2

    # Roll back to version 1, after a confirmation page.
    page.locator('tr[data-tm-version="1"] a.button').click()
    page.wait_for_selector("#tm-rollback-form")
    assert "123456789012345" in page.inner_text(".tm-diff")
    page.click('input[name="_rollback"]')
    page.wait_for_selector('tr[data-tm-version="3"]')
    assert "rollback of v1" in page.inner_text('tr[data-tm-version="3"]')
    shop.refresh_from_db()
    assert shop.live_version.number == 3
    assert shop.live_version.rollback_of.number == 1
    assert errors == []


def test_type_select_shows_the_new_types_fields(admin_page, live_server, shop):
    publisher, _ = users(shop)
    page = admin_page(publisher)
    page.goto(f"{live_server.url}/admin/tagmanager/tag/add/")
    page.check("input[name=tag_type][value=meta_pixel]")
    screenshot(page, "admin-tag-add-step1")
    page.click("input[type=submit]")
    page.wait_for_selector("#id_param_pixel_id")
    page.fill("#id_name", "Conversions")
    page.fill("#id_param_currency", "EUR")
    # No retype button with script: the select itself shows the form again.
    assert page.locator("[data-tm-retype-button]").count() == 0
    with page.expect_navigation():
        page.select_option("#id_tag_type", "tiktok")
    page.wait_for_selector("[data-tm-retyped]")
    assert page.input_value("#id_name") == "Conversions"
    assert page.input_value("#id_param_currency") == "EUR"
    assert page.locator("#id_param_pixel_id").count() == 1
    assert "TikTok Pixel settings" in page.inner_text("#content-main")


def test_conditions_editor_adds_rows(admin_page, live_server, shop):
    from tagmanager.models import Trigger

    publisher, _ = users(shop)
    page = admin_page(publisher)
    page.goto(
        f"{live_server.url}/admin/tagmanager/trigger/add/?container={shop.pk}"
        "&trigger_type=page_view"
    )
    page.fill("#id_name", "Checkout pages")
    page.fill('input[name="conditions-0-variable"]', "page_path")
    page.select_option('select[name="conditions-0-operator"]', "starts_with")
    page.fill('input[name="conditions-0-value"]', "/checkout")
    page.click("[data-tm-add-row]")
    page.fill('input[name="conditions-1-variable"]', "utm_source")
    page.select_option('select[name="conditions-1-operator"]', "equals")
    page.fill('input[name="conditions-1-value"]', "mail")
    screenshot(page, "admin-trigger-conditions")
    page.click('input[name="_save"]')
    page.wait_for_selector(".messagelist .success")
    assert Trigger.objects.get(name="Checkout pages").conditions == [
        {"variable": "page_path", "operator": "starts_with", "value": "/checkout"},
        {"variable": "utm_source", "operator": "equals", "value": "mail"},
    ]


def test_editor_gets_no_publish_button(admin_page, live_server, shop):
    from tagmanager.models import Tag

    _, editor = users(shop)
    page = admin_page(editor)
    page.goto(f"{live_server.url}/admin/tagmanager/container/{shop.pk}/change/")
    tools = page.text_content(".object-tools")
    assert "Publish" not in tools and "Review changes" in tools
    page.click("a.tm-page-link:text-is('Review changes')")
    page.wait_for_selector(".tm-publish")
    assert page.locator('input[name="_publish"]').count() == 0
    assert re.search("ask a publisher", page.inner_text(".tm-publish"))
    page.goto(f"{live_server.url}/admin/tagmanager/container/{shop.pk}/versions/")
    assert page.locator("text=Roll back to this version").count() == 0
    # Nor may the editor pick a tag type that runs code.
    page.goto(f"{live_server.url}/admin/tagmanager/tag/add/")
    assert page.locator("input[name=tag_type][value=custom_html]").count() == 0
    assert Tag.objects.count() == 1
