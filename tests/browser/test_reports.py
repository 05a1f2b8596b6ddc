"""The Reports page in Chromium: charts render as SVG with the known numbers."""

import pytest
from django.urls import reverse

from tagmanager.services.rollups import rollups_refresh
from tests.browser.conftest import screenshot
from tests.factories import user_with
from tests.report_data import known_data, shop_create

pytestmark = pytest.mark.browser


def test_reports_page_renders_its_charts(admin_page, live_server, today):
    shop = shop_create()
    days = known_data(shop, today)
    rollups_refresh()  # past days from the roll-ups, today from the raw events
    member = user_with(
        "marketer",
        perms=[
            "tagmanager.view_container",
            "tagmanager.view_fireevent",
            "tagmanager.view_consentrecord",
        ],
        containers=[shop.container],
    )
    page = admin_page(member)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    # From the container's page, as a marketer gets there.
    change = reverse("admin:tagmanager_container_change", args=[shop.container.pk])
    page.goto(f"{live_server.url}{change}")
    page.click(".object-tools a:text-is('Reports')")
    page.wait_for_selector("#tm-chart-fires")
    page.click(".tm-presets a:text-is('Last 7 days')")
    page.wait_for_url("**/reports/?days=7")

    fires = page.locator("#tm-chart-fires svg[role=img]")
    assert fires.get_attribute("aria-labelledby") == "tm-chart-fires-title tm-chart-fires-desc"
    box = fires.bounding_box()
    assert box["width"] > 600 and box["height"] > 150  # laid out, not collapsed
    d1 = days["d1"]
    titles = fires.locator("rect > title").all_text_contents()
    assert f"{d1:%b} {d1.day} · GA4: 5 fires" in titles
    legend = page.locator("#tm-chart-fires .tm-legend li").all_inner_texts()
    assert [item.strip() for item in legend] == ["GA4", "Meta", "Ads", "No tag (pixel hits)"]

    acceptance = page.locator("#tm-chart-acceptance svg.tm-chart")
    assert acceptance.locator("text.tm-value").all_text_contents() == ["80%", "60%", "40%"]
    assert acceptance.locator("text.tm-category").all_text_contents() == [
        "Preferences",
        "Analytics",
        "Marketing",
    ]
    conversions = page.locator("#tm-chart-conversions svg.tm-chart")
    assert conversions.locator("text.tm-category").all_text_contents() == ["spring", "autumn"]
    assert conversions.locator("text.tm-value").all_text_contents() == ["150.50", "100", "20"]
    consent_bars = page.locator("#tm-chart-consent svg.tm-chart rect").count()
    assert consent_bars == 6  # four actions on day 1, two on day 2

    # Every chart's data table is there for screen readers and for copying.
    page.click("#tm-chart-fires details summary")
    assert page.locator("#tm-chart-fires table tbody tr").count() == 7
    assert (
        page.locator('[data-audit="consent_violations"].tm-error li').inner_text() == "Ads: 1 fire"
    )
    assert page.locator('[data-audit="never_fired"] li').inner_text() == "Silent"
    assert errors == []
    screenshot(page, "reports")
