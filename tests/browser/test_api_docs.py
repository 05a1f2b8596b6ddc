"""The API's Swagger UI in headless Chromium: served from local files, and usable."""

import pytest

from tagmanager.services.demo import demo_container_ensure
from tests.browser.conftest import screenshot
from tests.factories import user_with

pytestmark = pytest.mark.browser


def test_swagger_ui_lists_operations_and_runs_one(admin_page, live_server):
    shop = demo_container_ensure()
    user = user_with("integrator", perms=["tagmanager.view_container"], containers=[shop])
    page = admin_page(user)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/tm/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/tm/api/containers/{key}/publish/" in [p.replace("\u200b", "") for p in paths]
    # Everything came from the live server itself: no CDN.
    assert requests and all(url.startswith(live_server.url) for url in requests)

    block = page.locator("#operations-containers-containers_list")
    block.locator(".opblock-summary").click()
    block.locator(".try-out__btn").click()
    block.locator(".execute").click()
    response = block.locator(".live-responses-table tbody .response-col_status").first
    response.wait_for(timeout=10_000)
    assert response.inner_text().strip().startswith("200")
    assert '"key": "demo"' in block.locator(".live-responses-table .microlight").first.inner_text()
    screenshot(page, "api-docs-swagger-ui")
