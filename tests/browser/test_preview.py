"""Preview links in a real browser: the draft and the debug panel for the browser that opened the
link, the live version for everyone else, nothing recorded, strict CSP, and the admin page."""

import time
from unittest import mock
from urllib.parse import quote

import pytest
from django.core import signing

from tagmanager.services.preview import SALT, preview_link_create
from tagmanager.services.tags import tag_save
from tests.browser.conftest import screenshot
from tests.factories import user_with

pytestmark = pytest.mark.browser

PANEL = "[data-tm-debug]"

# Published as version 1; the draft then adds a tag and moves one to another category.
SPEC = {
    "variables": {"plan": {"variable_type": "constant", "parameters": {"value": "gold"}}},
    "triggers": {
        "pv": {"trigger_type": "page_view"},
        "ready": {"trigger_type": "dom_ready"},
        "purchase": {"trigger_type": "custom_event", "parameters": {"event_name": "purchase"}},
        "blocker": {
            "trigger_type": "page_view",
            "conditions": [{"variable": "page_path", "operator": "contains", "value": "/thanks"}],
        },
    },
    "tags": [
        {
            "name": "Analytics pixel",
            "tag_type": "image",
            "parameters": {"url": "https://px.example.net/analytics.gif?e={{event}}&p={{plan}}"},
            "categories": ["analytics"],
            "triggers": ["pv"],
            "blocking": ["blocker"],
        },
        {
            "name": "Ad pixel",
            "tag_type": "image",
            "parameters": {"url": "https://px.example.net/ad.gif"},
            "categories": ["marketing"],
            "triggers": ["pv"],
        },
        {
            "name": "Moved pixel",
            "tag_type": "image",
            "parameters": {"url": "https://px.example.net/moved.gif"},
            "categories": ["marketing"],
            "triggers": ["pv"],
        },
        {
            "name": "Once pixel",
            "tag_type": "image",
            "parameters": {"url": "https://px.example.net/once.gif?e={{event}}"},
            "categories": ["analytics"],
            "triggers": ["pv", "ready"],
            "fire_limit": "session",
        },
        {
            "name": "Purchase pixel",
            "tag_type": "image",
            "parameters": {"url": "https://px.example.net/buy.gif?v={{event.value}}"},
            "categories": ["analytics"],
            "triggers": ["purchase"],
        },
    ],
}


def draft_edits(shop) -> int:
    """Add "Draft pixel" (analytics) and move "Moved pixel" from marketing to analytics."""
    from tagmanager.models import Tag, Trigger

    container = shop.container
    analytics = container.categories.get(slug="analytics")
    pv = Trigger.objects.get(pk=shop.triggers["pv"])
    draft = tag_save(
        container=container,
        name="Draft pixel",
        tag_type="image",
        parameters={"url": "https://px.example.net/draft.gif?e={{event}}"},
        categories=[analytics],
        firing_triggers=[pv],
        blocking_triggers=[],
        fire_limit="unlimited",
        priority=0,
    )
    Tag.objects.get(pk=shop.tags["Moved pixel"]).categories.set([analytics])
    return draft.pk


@pytest.fixture
def shop(containers):
    published = containers.create(SPEC)
    published.tags["Draft pixel"] = draft_edits(published)
    return published


@pytest.fixture
def marketer(shop):
    return user_with("marketer", perms=["tagmanager.view_container"], containers=[shop.container])


def link_for(shop, marketer, url: str) -> str:
    return preview_link_create(container=shop.container, user=marketer, url=url).url


def panel_rows(v) -> dict:
    """Tag name -> (status, text) for the event shown in the debug panel."""
    rows = v.page.locator(f"{PANEL} tr[data-tag]")
    return {
        row.locator("th").inner_text(): (
            row.get_attribute("data-status"),
            row.locator("td").inner_text(),
        )
        for row in rows.all()
    }


def panel_vars(v) -> dict:
    rows = v.page.locator(f"{PANEL} tr[data-var]")
    return {row.get_attribute("data-var"): row.locator("td").inner_text() for row in rows.all()}


def show_event(v, name: str, nth: int = 0):
    v.page.locator(f'{PANEL} button[data-event="{name}"]').nth(nth).click()


def ours(v, server: str) -> list:
    """Requests to the tag manager's ingestion endpoints."""
    return [r for r in v.requests if r.url.startswith(server) and r.method == "POST"]


def test_preview_runs_the_draft_with_the_debug_panel(
    shop, marketer, containers, visit, live_server
):
    page = containers.page(shop, f"/{shop.key}/shop")
    containers.page(shop, f"/{shop.key}/thanks")
    v = visit()
    v.open(link_for(shop, marketer, page))
    v.page.wait_for_selector(f"{PANEL} .panel", state="visible")

    # Before any decision every tag but the required ones waits for consent, naming it.
    show_event(v, "page_view")
    rows = panel_rows(v)
    assert rows["Draft pixel"] == ("consent", "Blocked by consent: needs analytics")
    assert rows["Ad pixel"] == ("consent", "Blocked by consent: needs marketing")
    assert rows["Purchase pixel"][0] == "nomatch"
    assert v.vendor() == []

    v.js("tm.consent.set({analytics: true, marketing: false})")
    v.until(lambda: v.to("px.example.net", "/draft.gif"), message="the draft-only tag")
    v.until(lambda: panel_rows(v)["Draft pixel"][0] == "fired", message="the panel to update")
    rows = panel_rows(v)
    assert rows["Draft pixel"][1].startswith("Fired after consent, trigger")
    assert rows["Moved pixel"][0] == "fired"  # in the draft it needs analytics only
    assert rows["Ad pixel"] == ("consent", "Blocked by consent: needs marketing")
    assert rows["Once pixel"][0] == "fired"
    assert rows["Purchase pixel"] == ("nomatch", "Trigger not matched")
    assert v.to("px.example.net", "/moved.gif") and not v.to("px.example.net", "/ad.gif")

    # DOM ready: the page-limited tag already fired.
    show_event(v, "dom_ready")
    assert panel_rows(v)["Once pixel"] == ("limit", "Fire limit reached (once per session)")
    assert len(v.to("px.example.net", "/once.gif")) == 1
    # The preview keeps its fire limits apart from the site's own.
    keys = v.js("Object.keys(sessionStorage)")
    assert keys == [f"tm_preview.tm.{shop.key}.{shop.tags['Once pixel']}"]

    v.js("tm.push({event: 'purchase', value: 42, currency: 'EUR'})")
    v.until(lambda: v.to("px.example.net", "/buy.gif?v=42"), message="the purchase tag")
    show_event(v, "purchase")
    assert panel_rows(v)["Purchase pixel"][0] == "fired"
    values = panel_vars(v)
    assert values["event"] == '"purchase"'
    assert values["event.value"] == "42"
    assert values["plan"] == '"gold"'
    assert values["page_path"] == f'"/{shop.key}/shop"'
    assert values["utm_campaign"] == "null"
    v.page.click(f'{PANEL} [data-tab="consent"]')
    assert v.page.locator(f'{PANEL} tr[data-category="analytics"] td').inner_text() == "granted"
    assert v.page.locator(f'{PANEL} tr[data-category="marketing"] td').inner_text() == "denied"

    # What the live loader would have sent, shown instead of sent.
    v.page.click(f'{PANEL} [data-tab="sent"]')
    v.until(lambda: v.page.locator(f"{PANEL} [data-sent]").count() >= 2, message="not sent")
    shown = v.page.locator(f"{PANEL} .sent").inner_text()
    assert f"POST {live_server.url}/tm/consent" in shown and "/tm/collect" in shown
    assert '"action": "custom"' in shown

    # The preview follows to another page of the site (session cookie), consent kept apart.
    assert "tm_preview" in v.cookies() and "tm_consent_preview" in v.cookies()
    assert "tm_consent" not in v.cookies()
    v.page.goto(containers.site.origin + f"/{shop.key}/thanks")
    v.ready(banner=False)
    v.page.wait_for_selector(f"{PANEL} .panel", state="visible")
    show_event(v, "page_view")
    rows = panel_rows(v)
    assert rows["Analytics pixel"][0] == "blocked"
    assert rows["Analytics pixel"][1].startswith("Blocked by trigger")
    assert rows["Draft pixel"][0] == "fired"
    assert rows["Once pixel"] == ("limit", "Fire limit reached (once per session)")
    v.settle()
    assert len(v.to("px.example.net", "/draft.gif")) == 2
    # Nothing reached the ingestion endpoints, from either page.
    v.page.evaluate("dispatchEvent(new Event('pagehide'))")
    v.settle()
    assert ours(v, live_server.url) == []
    assert v.errors == []


def test_the_token_leaves_the_address_bar_before_any_tag_runs(
    shop, marketer, containers, visit, live_server
):
    """Tags send the page's address on: once the preview cookie holds the token, the address
    bar no longer does, and no tag request carries it; the other parameters stay."""
    from tagmanager.models import Trigger

    container = shop.container
    tag_save(
        container=container,
        name="Page pixel",
        tag_type="image",
        parameters={"url": "https://px.example.net/page.gif?u={{page_url}}&c={{utm_campaign}}"},
        categories=[container.categories.get(slug="analytics")],
        firing_triggers=[Trigger.objects.get(pk=shop.triggers["pv"])],
    )
    page = containers.page(shop, f"/{shop.key}/landing")
    token = preview_link_create(container=container, user=marketer, url=page).token
    clean = f"{page}?utm_campaign=spring&ref=mail#top"
    v = visit()
    v.open(f"{page}?utm_campaign=spring&tm_preview={token}&ref=mail#top")
    v.page.wait_for_selector(f"{PANEL} .panel", state="visible")
    assert v.page.url == clean
    assert v.js("location.href") == clean
    assert v.cookies()["tm_preview"] == token

    v.js("tm.consent.set({analytics: true, marketing: false})")
    v.until(lambda: v.to("px.example.net", "/page.gif"), message="the page pixel")
    v.until(lambda: v.to("px.example.net", "/draft.gif"), message="the draft pixel")
    assert v.to("px.example.net", "/page.gif")[0].query == {"u": clean, "c": "spring"}
    show_event(v, "page_view")
    assert panel_vars(v)["page_url"] == f'"{clean}"'
    # Only the link itself and the preview script ever carried the token, encoded or not.
    forms = {token, quote(token, safe="")}
    carried = [r.url for r in v.requests if any(f in r.url + (r.body or "") for f in forms)]
    assert carried == [
        f"{page}?utm_campaign=spring&tm_preview={token}&ref=mail",
        f"{live_server.url}/tm/preview/{shop.key}/{quote(token, safe='')}.js",
    ]

    # The cookie keeps the preview on a reload of the cleaned address.
    v.page.reload()
    v.page.wait_for_selector(f"{PANEL} .panel", state="visible")
    assert v.page.url == clean
    assert v.errors == []


def test_a_normal_visitor_meanwhile_gets_the_live_version(
    shop, marketer, containers, visit, live_server
):
    page = containers.page(shop)
    previewer = visit()
    previewer.open(link_for(shop, marketer, page))
    previewer.page.wait_for_selector(f"{PANEL} .panel", state="visible")

    visitor = visit()
    visitor.open(page)
    visitor.click("accept-all")
    visitor.wait_collected(lambda e: e["tag"] == shop.tags["Moved pixel"])
    visitor.wait_consent("accept_all")
    visitor.settle()
    assert visitor.to("px.example.net", "/analytics.gif")
    assert not visitor.to("px.example.net", "/draft.gif")
    assert shop.tags["Draft pixel"] not in {e["tag"] for e in visitor.collected()}
    assert visitor.page.locator(PANEL).count() == 0
    assert "tm_preview" not in visitor.cookies()
    assert not [r for r in visitor.requests if "/tm/preview/" in r.url]

    # Live, the moved tag still needs marketing: refusing marketing leaves it out.
    other = visit()
    other.open(page)
    other.js("tm.consent.set({analytics: true, marketing: false})")
    other.wait_collected(lambda e: e["tag"] == shop.tags["Analytics pixel"])
    other.settle()
    assert not other.to("px.example.net", "/moved.gif")
    assert not other.to("px.example.net", "/draft.gif")


def expired_token(shop, marketer) -> str:
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 2 * 3600):
        return signing.dumps({"c": shop.container.pk, "u": marketer.pk}, salt=SALT)


@pytest.mark.parametrize("kind", ["forged", "expired", "not a member"])
def test_a_refused_token_falls_back_to_the_live_version(
    shop, marketer, containers, visit, live_server, kind
):
    page = containers.page(shop)
    if kind == "forged":
        token = link_for(shop, marketer, page).split("tm_preview=")[1][:-4] + "AAAA"
    elif kind == "expired":
        token = expired_token(shop, marketer)
    else:
        token = link_for(shop, marketer, page).split("tm_preview=")[1]
        shop.container.members.remove(marketer)
    v = visit()
    # A cookie left by an earlier preview, and the link's parameter.
    v.context.add_cookies([{"name": "tm_preview", "value": "stale", "url": containers.site.origin}])
    v.open(f"{page}?tm_preview={token}")
    v.click("accept-all")
    v.wait_collected(lambda e: e["tag"] == shop.tags["Analytics pixel"])
    v.wait_consent("accept_all")
    assert [r.url for r in v.requests if "/tm/preview/" in r.url]  # it was asked, and refused
    assert v.page.locator(PANEL).count() == 0
    assert "tm_preview" not in v.cookies()
    assert not v.to("px.example.net", "/draft.gif")


def test_preview_under_strict_csp_has_zero_violations(shop, marketer, containers, visit):
    policy = "script-src 'nonce-abc123' 'strict-dynamic'; style-src 'nonce-abc123'"
    page = containers.page(shop, nonce="abc123", headers={"Content-Security-Policy": policy})
    v = visit()
    console = []
    v.page.on("console", lambda m: console.append(m.text))
    v.context.add_init_script(
        "window.violations = []; document.addEventListener('securitypolicyviolation',"
        " e => violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    v.open(link_for(shop, marketer, page))
    v.page.wait_for_selector(f"{PANEL} .panel", state="visible")
    # The panel's own styles applied (a fixed box), the banner's too.
    assert (
        v.page.locator(f"{PANEL} .panel").evaluate("e => getComputedStyle(e).position") == "fixed"
    )
    assert (
        v.page.locator("[data-tm-banner]").evaluate("e => getComputedStyle(e).position") == "fixed"
    )
    v.click("accept-all")
    v.until(lambda: v.to("px.example.net", "/draft.gif"), message="the draft-only tag")
    v.settle()
    assert v.js("violations") == []
    assert not [m for m in console if "Content Security Policy" in m]
    assert v.js("[...document.scripts].filter(s => s.src.includes('/tm/preview/'))[0].nonce") == (
        "abc123"
    )


def test_panel_is_isolated_and_keyboard_operable(shop, marketer, containers, visit):
    # Hostile page styles: none of them reaches the panel, and the panel's don't reach the page.
    styles = (
        "<style>* { color: rgb(255, 0, 0) !important; font-size: 40px }"
        " table { display: none }</style>"
    )
    own = "<table id='own'><tr><td>x</td></tr></table><button id='own-button'>buy</button>"
    page = containers.page(shop, body=styles + own)
    v = visit()
    v.open(link_for(shop, marketer, page))
    v.page.wait_for_selector(f"{PANEL} .panel", state="visible")
    cell = v.page.locator(f"{PANEL} tr[data-tag] td").first
    assert cell.is_visible()
    assert cell.evaluate("e => getComputedStyle(e).fontSize") == "13px"
    assert v.page.locator(f"{PANEL} .panel").bounding_box()["width"] == 640
    assert "255, 0, 0" not in cell.evaluate("e => getComputedStyle(e).color")
    own = v.page.locator("#own td")
    assert own.evaluate("e => getComputedStyle(e).borderBottomWidth") == "0px"
    assert own.evaluate("e => getComputedStyle(e).fontSize") == "40px"

    # Clicks in the panel are not the page's: no click event for the tags.
    v.page.click(f'{PANEL} [data-tab="problems"]')
    assert "None: this draft can be published." in v.page.locator(f"{PANEL} .body").inner_text()
    v.page.click(f'{PANEL} [data-tab="events"]')
    v.page.click("#own-button")
    v.until(lambda: v.page.locator(f'{PANEL} button[data-event="click"]').count() == 1)
    v.settle(200)
    assert v.page.locator(f'{PANEL} button[data-event="click"]').count() == 1

    # Tabs with the keyboard: focus, arrow keys, Enter; Escape folds the panel away.
    v.page.locator(f'{PANEL} [data-tab="events"]').focus()
    v.page.keyboard.press("ArrowRight")
    assert v.page.locator(f'{PANEL} [data-tab="consent"]').get_attribute("aria-selected") == "true"
    assert v.page.locator(f'{PANEL} tr[data-category="analytics"]').is_visible()
    v.page.keyboard.press("ArrowLeft")
    v.page.keyboard.press("Tab")  # into the tab panel
    v.page.keyboard.press("Escape")
    assert v.page.locator(f"{PANEL} .body").is_hidden()
    assert (
        v.page.locator(f'{PANEL} [data-action="toggle"]').get_attribute("aria-expanded") == "false"
    )
    v.page.keyboard.press("Enter")  # focus is on the toggle: open again
    assert v.page.locator(f"{PANEL} .body").is_visible()


def test_exit_preview_returns_to_the_live_version(shop, marketer, containers, visit):
    page = containers.page(shop)
    v = visit()
    v.open(link_for(shop, marketer, page))
    v.page.wait_for_selector(f"{PANEL} .panel", state="visible")
    v.js("tm.consent.acceptAll()")
    v.until(lambda: v.to("px.example.net", "/draft.gif"), message="the draft-only tag")
    v.js("sessionStorage.setItem('site', '1')")
    assert len(v.js("Object.keys(sessionStorage)")) == 2  # and the preview's fire limit
    with v.page.expect_navigation():
        v.page.click(f'{PANEL} [data-action="exit"]')
    v.ready(banner=True)  # the live version, no decision yet: the preview's was its own
    assert v.page.url == page
    assert v.page.locator(PANEL).count() == 0
    cookies = v.cookies()
    assert "tm_preview" not in cookies and "tm_consent_preview" not in cookies
    assert v.js("Object.keys(sessionStorage)") == ["site"]


def test_admin_creates_a_link_that_opens_the_preview(
    shop, marketer, containers, admin_page, live_server
):
    page_url = containers.page(shop)
    admin = admin_page(marketer)
    admin.goto(f"{live_server.url}/admin/tagmanager/container/{shop.container.pk}/preview/")
    admin.fill("#id_url", "https://elsewhere.example/")
    admin.click("#tm-preview-form input[type=submit]")
    assert (
        "is not one of this container's allowed origins" in admin.locator(".errorlist").inner_text()
    )

    admin.fill("#id_url", page_url)
    admin.click("#tm-preview-form input[type=submit]")
    link = admin.locator("#tm-preview-url").input_value()
    assert link.startswith(page_url + "?tm_preview=")
    assert admin.locator("#tm-preview-open").get_attribute("href") == link
    screenshot(admin, "preview-admin-page")

    admin.goto(link)
    admin.wait_for_selector(f"{PANEL} .panel", state="visible")
    admin.wait_for_selector("[data-tm-banner]", state="visible")
    admin.evaluate("tm.consent.set({analytics: true, marketing: false})")
    admin.locator(f'{PANEL} button[data-event="page_view"]').click()
    draft = admin.locator(f'{PANEL} tr[data-tag="{shop.tags["Draft pixel"]}"]')
    draft.and_(admin.locator('[data-status="fired"]')).wait_for()
    assert draft.locator("th").inner_text() == "Draft pixel"
    ad = admin.locator(f'{PANEL} tr[data-tag="{shop.tags["Ad pixel"]}"]')
    assert ad.get_attribute("data-status") == "consent"
    screenshot(admin, "preview-debug-panel")
