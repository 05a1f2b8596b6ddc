"""Consent enforcement in a real browser: nothing fires or is stored before a decision, and each
decision (banner, preferences, API, withdrawal, GPC) does exactly what DESIGN.md promises."""

import pytest

pytestmark = pytest.mark.browser

GA = "www.googletagmanager.com"
GPC_ON = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"
DENIED_DEFAULT = {
    "ad_storage": "denied",
    "ad_user_data": "denied",
    "ad_personalization": "denied",
    "analytics_storage": "denied",
    "functionality_storage": "denied",
    "personalization_storage": "denied",
    "security_storage": "denied",
    "wait_for_update": 500,
}


def analytics_hits(v):
    return v.to(GA, "id=G-")


def marketing_hits(v):
    return v.to("connect.facebook.net") + v.to("px.example.net") + v.to(GA, "id=AW-")


def data_layer(v):
    return v.js("dataLayer.map(a => Array.from(a))")


def fbq_calls(v):
    return v.js("window.fbq ? fbq.queue.map(a => Array.from(a)) : []")


def test_before_any_decision_nothing_fires_and_nothing_is_stored(containers, visit):
    shop = containers.create()
    v = visit()
    url = containers.page(shop)
    v.open(url)
    v.settle()

    sent = [r.url for r in v.requests if not r.url.endswith("/favicon.ico")]
    assert sent == [url, containers.loader_url(shop.key)]
    assert v.context.cookies() == []
    assert v.js("localStorage.length + sessionStorage.length") == 0
    assert v.js("tm.consent.get()") == {
        "consentId": None,
        "revision": 1,
        "categories": {
            "necessary": True,
            "preferences": False,
            "analytics": False,
            "marketing": False,
        },
        "source": "default",
    }

    banner = v.page.locator("[data-tm-banner]")
    assert banner.get_attribute("role") == "dialog"
    assert banner.get_attribute("aria-modal") == "false"
    title = v.page.locator("#" + banner.get_attribute("aria-labelledby"))
    assert title.inner_text() == "We value your privacy"
    description = v.page.locator("#" + banner.get_attribute("aria-describedby"))
    assert description.inner_text().startswith("We use cookies")
    for action in ("accept-all", "reject-all", "open-preferences"):
        assert banner.locator(f'[data-tm-action="{action}"]').is_visible()
    assert not banner.locator('[data-tm-action="save"]').is_visible()
    assert not banner.locator("input[data-tm-category]").first.is_visible()
    assert not v.page.locator("[data-tm-settings]").is_visible()

    # Reject is exactly as prominent as Accept.
    accept, reject = (
        banner.locator(f'[data-tm-action="{a}"]') for a in ("accept-all", "reject-all")
    )
    assert accept.get_attribute("class") == reject.get_attribute("class")
    look = (
        "e => { const s = getComputedStyle(e);"
        " return [s.backgroundColor, s.color, s.fontSize, s.padding, s.height] }"
    )
    assert accept.evaluate(look) == reject.evaluate(look)


def test_accept_all_fires_each_tag_once_and_reports_it(containers, visit):
    shop = containers.create()
    v = visit()
    url = containers.page(shop)
    v.open(url)
    v.click("accept-all")

    consent = v.wait_consent("accept_all")
    assert consent["source"] == "banner"
    assert consent["categories"] == {
        "necessary": True,
        "preferences": True,
        "analytics": True,
        "marketing": True,
    }
    assert consent["key"] == shop.key
    assert consent["revision"] == 1
    assert consent["locale"] == "en"
    assert consent["gpc"] is False
    assert consent["previous_consent_id"] is None
    assert consent["url"] == url

    fired = v.wait_collected(lambda e: e["event"] == "page_view", count=3)
    assert sorted(e["tag"] for e in fired) == sorted(
        shop.tags[name] for name in ("GA4", "Meta", "Ad pixel")
    )
    for event in fired:
        assert event["consent_id"] == consent["consent_id"]
        assert event["url"] == url
        assert event["trigger"] == shop.triggers["pv"]
        assert set(event["categories"]) == {"necessary", "preferences", "analytics", "marketing"}
    v.settle()
    assert len(v.collected()) == 3
    # Each beacon names the version the browser ran: its tags' categories judge violations.
    beacons = [r.json() for r in v.requests if r.method == "POST" and r.url.endswith("/collect")]
    assert {b["version"] for b in beacons} == {shop.container.live_version.number}

    assert [r.url for r in analytics_hits(v)] == [f"https://{GA}/gtag/js?id=G-TEST12345"]
    assert len(v.to("connect.facebook.net", "/fbevents.js")) == 1
    assert len(v.to("px.example.net", "/ad.gif")) == 1
    assert v.to(GA, "id=AW-") == []
    assert len(v.vendor()) == 3
    assert fbq_calls(v) == [["init", "123456789012345"], ["track", "PageView", {}]]
    ga_events = [e for e in data_layer(v) if e[0] == "event"]
    assert ga_events == [["event", "page_view", {"send_to": "G-TEST12345"}]]

    value = v.cookies()["tm_consent"].split(".")
    assert value[:4] == [
        "1",
        consent["consent_id"],
        "1",
        "necessary-preferences-analytics-marketing",
    ]
    assert value[5] == "banner"
    assert not v.page.locator("[data-tm-banner]").is_visible()
    assert v.page.locator("[data-tm-settings]").is_visible()


def test_reject_all_fires_nothing_and_is_remembered(containers, visit):
    shop = containers.create()
    v = visit()
    v.open(containers.page(shop))
    v.click("reject-all")
    consent = v.wait_consent("reject_all")
    assert consent["categories"] == {
        "necessary": True,
        "preferences": False,
        "analytics": False,
        "marketing": False,
    }
    v.settle()
    assert v.vendor() == []
    v.wait_delivered()  # else a reload resends it (stored once all the same)

    for _ in range(2):
        v.reload(banner=False)
        v.settle(300)
        assert not v.page.locator("[data-tm-banner]").is_visible()
        assert v.js("tm.consent.get().source") == "banner"
    assert v.vendor() == []
    assert len(v.consents()) == 1
    assert v.collected() == []
    assert list(v.cookies()) == ["tm_consent"]
    assert v.cookies()["tm_consent"].split(".")[3] == "necessary"


def test_a_consent_call_queued_before_the_loader_runs_once_it_has(containers, visit):
    shop = containers.create()
    v = visit()
    v.open(
        containers.page(shop, before="tm.push(['consent', 'set', {analytics: true}]);"),
        banner=False,
    )
    consent = v.wait_consent("custom")
    assert consent["source"] == "api"
    assert consent["categories"]["analytics"] is True
    assert consent["categories"]["marketing"] is False
    assert v.js("tm.consent.get().categories.analytics") is True
    v.wait_collected(lambda e: e["tag"] == shop.tags["GA4"])
    assert not v.page.locator("[data-tm-banner]").is_visible()


def test_preferences_custom_choice_fires_only_analytics(containers, visit):
    shop = containers.create()
    v = visit()
    v.open(containers.page(shop))
    v.click("open-preferences")

    boxes = v.page.locator("[data-tm-banner] input[data-tm-category]")
    assert boxes.count() == 4
    state = boxes.evaluate_all("bs => bs.map(b => [b.dataset.tmCategory, b.checked, b.disabled])")
    assert state == [
        ["necessary", True, True],
        ["preferences", False, False],
        ["analytics", False, False],
        ["marketing", False, False],
    ]
    labels = v.page.locator("[data-tm-banner] label").all_inner_texts()
    assert labels[2].startswith("Analytics") and "Measure how" in labels[2]

    v.page.check('[data-tm-category="analytics"]')
    v.click("save")
    consent = v.wait_consent("custom")
    assert consent["source"] == "preferences"
    assert consent["categories"] == {
        "necessary": True,
        "preferences": False,
        "analytics": True,
        "marketing": False,
    }
    v.until(lambda: analytics_hits(v), message="GA4")
    v.settle()
    assert len(analytics_hits(v)) == 1
    assert marketing_hits(v) == []
    assert {e["tag"] for e in v.wait_collected(lambda e: True)} == {shop.tags["GA4"]}

    # Reopening shows the choice in force.
    v.page.click("[data-tm-settings]")
    state = boxes.evaluate_all("bs => bs.map(b => b.checked)")
    assert state == [True, False, True, False]


def test_withdraw_stops_tags_and_deletes_declared_cookies(containers, visit):
    shop = containers.create()
    v = visit()
    v.open(containers.page(shop))
    v.click("accept-all")
    accepted = v.wait_consent("accept_all")
    v.until(lambda: len(v.vendor()) == 3, message="tags")
    v.js(
        """() => {
        for (const c of ["_ga=GA1.1.1", "_ga_ABC123=GS1", "_fbp=fb.1.2", "mine=keep"])
            document.cookie = c + "; path=/";
    }"""
    )
    assert {"_ga", "_ga_ABC123", "_fbp", "mine"} <= set(v.cookies())
    queued_fbq, layer = len(fbq_calls(v)), len(data_layer(v))

    v.js("tm.consent.withdraw()")
    withdrawn = v.wait_consent("withdraw")
    assert withdrawn["source"] == "api"
    assert withdrawn["previous_consent_id"] == accepted["consent_id"]
    assert withdrawn["categories"] == {
        "necessary": True,
        "preferences": False,
        "analytics": False,
        "marketing": False,
    }
    assert set(v.cookies()) == {"mine", "tm_consent"}
    assert v.cookies()["tm_consent"].split(".")[3] == "necessary"
    assert v.js("tm.consent.get().categories.marketing") is False

    requests = len(v.vendor())
    v.js("tm.push({event: 'purchase', value: 10, currency: 'EUR', order_id: 'W-1'})")
    v.settle()
    assert len(v.vendor()) == requests
    assert len(fbq_calls(v)) == queued_fbq
    assert len(data_layer(v)) == layer + 1  # the consent update, and nothing else
    assert data_layer(v)[-1][:2] == ["consent", "update"]
    assert not [e for e in v.collected() if e["event"] == "purchase"]


def test_gpc_keeps_marketing_denied_and_is_recorded_once(containers, visit):
    shop = containers.create()
    v = visit()
    v.context.add_init_script(GPC_ON)
    v.open(containers.page(shop))

    notice = v.page.locator("[data-tm-banner] [data-tm-gpc]")
    assert notice.is_visible()
    assert "Global Privacy Control" in notice.inner_text()
    gpc = v.wait_consent("gpc")
    assert gpc["source"] == "gpc"
    assert gpc["gpc"] is True
    assert gpc["categories"] == {
        "necessary": True,
        "preferences": False,
        "analytics": False,
        "marketing": False,
    }
    assert "tm_consent" not in v.cookies()

    # Same session: not recorded again, and the banner still asks.
    v.wait_delivered()  # else a reload resends it (stored once all the same)
    v.reload(banner=True)
    v.settle(300)
    assert len(v.consents()) == 1
    assert v.js("tm.consent.get()")["source"] == "gpc"

    v.click("open-preferences")
    marketing = v.page.locator('[data-tm-banner] [data-tm-category="marketing"]')
    assert marketing.is_disabled() and not marketing.is_checked()
    v.click("accept-all")
    accepted = v.wait_consent("accept_all")
    assert accepted["gpc"] is True
    assert accepted["source"] == "preferences"
    assert accepted["previous_consent_id"] == gpc["consent_id"]
    assert accepted["categories"]["marketing"] is False
    assert accepted["categories"]["analytics"] is True
    v.until(lambda: analytics_hits(v), message="GA4")
    v.settle()
    assert len(analytics_hits(v)) == 1
    assert marketing_hits(v) == []
    assert [c["action"] for c in v.consents()] == ["gpc", "accept_all"]
    update = [e for e in data_layer(v) if e[:2] == ["consent", "update"]][-1][2]
    assert update["ad_storage"] == "denied" and update["analytics_storage"] == "granted"


def test_new_policy_revision_asks_again(containers, visit):
    shop = containers.create()
    v = visit()
    v.open(containers.page(shop))
    v.click("accept-all")
    v.wait_consent("accept_all")
    v.reload(banner=False)

    shop.container.revision = 2
    shop.container.save()
    containers.publish(shop)

    v.reload(banner=True)
    assert v.js("tm.consent.get()")["source"] == "default"
    assert v.js("tm.consent.get()")["revision"] == 2
    v.click("reject-all")
    assert v.wait_consent("reject_all")["revision"] == 2


def test_consent_mode_default_comes_first_and_update_before_vendor_scripts(containers, visit):
    region = {"region": ["US-CA"], "analytics_storage": "granted"}
    shop = containers.create(consent_mode_defaults=[region])
    v = visit()
    # Note how long the data layer was when the first vendor script element appeared.
    v.context.add_init_script(
        """new MutationObserver((ms, o) => {
            if (document.querySelector('script[src*="googletagmanager"]')) {
                window.__layerAtScript = dataLayer.map(a => Array.from(a));
                o.disconnect();
            }
        }).observe(document, {childList: true, subtree: true});"""
    )
    v.open(containers.page(shop))
    assert data_layer(v) == [["consent", "default", DENIED_DEFAULT], ["consent", "default", region]]

    v.click("accept-all")
    v.until(lambda: v.js("window.__layerAtScript"), message="gtag.js")
    before_script = v.js("window.__layerAtScript")
    assert [e[:2] for e in before_script[:3]] == [
        ["consent", "default"],
        ["consent", "default"],
        ["consent", "update"],
    ]
    assert before_script[2][2] == {
        "security_storage": "granted",
        "functionality_storage": "granted",
        "personalization_storage": "granted",
        "analytics_storage": "granted",
        "ad_storage": "granted",
        "ad_user_data": "granted",
        "ad_personalization": "granted",
    }
    layer = data_layer(v)
    assert layer[0] == ["consent", "default", DENIED_DEFAULT]
    assert [e[0] for e in layer[3:]] == ["js", "config", "event"]
    assert layer[4] == ["config", "G-TEST12345", {"send_page_view": False}]


def test_keyboard_only_reject(containers, visit):
    shop = containers.create()
    v = visit()
    v.open(containers.page(shop))
    focused = (
        "document.activeElement.closest('[data-tm-banner]')"
        " ? document.activeElement.dataset.tmAction : null"
    )
    # The focus moves to the banner once the page has been drawn.
    v.page.wait_for_function(f"({focused}) === 'accept-all'")
    for _ in range(5):
        if v.js(focused) == "reject-all":
            break
        v.page.keyboard.press("Tab")
    assert v.js(focused) == "reject-all"
    v.page.keyboard.press("Enter")
    v.wait_consent("reject_all")
    v.settle()
    assert v.vendor() == []
    assert v.js("document.activeElement === document.body")

    # The floating control reopens the preferences; Escape goes back to the first layer.
    v.page.locator("[data-tm-settings]").focus()
    v.page.keyboard.press("Enter")
    assert v.js("document.activeElement.dataset.tmCategory") == "preferences"
    assert v.page.locator('[data-tm-banner] [data-tm-action="save"]').is_visible()
    v.page.keyboard.press("Escape")
    assert v.js(focused) == "accept-all"
    assert not v.page.locator('[data-tm-banner] [data-tm-action="save"]').is_visible()
    v.page.keyboard.press("Tab")
    v.page.keyboard.press("Enter")  # Reject, again: focus goes back to the control
    v.wait_consent("reject_all", count=2)
    assert v.js("document.activeElement.hasAttribute('data-tm-settings')")
    assert v.page.locator("[data-tm-settings]").get_attribute("aria-label") == "Privacy settings"


def test_the_server_keeps_what_the_browser_sent(containers, visit):
    """End to end: the decision becomes a ConsentRecord and the fires become FireEvents."""
    from tagmanager.models import ConsentRecord, FireEvent
    from tests.conftest import wait_for

    shop = containers.create()
    v = visit()
    v.open(containers.page(shop))
    v.click("accept-all")
    consent = v.wait_consent("accept_all")
    v.wait_collected(lambda e: e["event"] == "page_view", count=3)
    v.page.evaluate("dispatchEvent(new Event('pagehide'))")  # flush now

    record = wait_for(
        lambda: ConsentRecord.objects.filter(consent_id=consent["consent_id"]).first(), timeout=10
    )
    assert record is not None, "the consent POST was not stored"
    assert record.action == "accept_all" and record.source == "banner"
    assert record.ip_truncated == "127.0.0.0"
    assert record.notice.texts["banner"]["accept_all"]
    stored = wait_for(
        lambda: FireEvent.objects.filter(consent_id=consent["consent_id"]).count() == 3,
        timeout=10,
    )
    assert stored, list(FireEvent.objects.values("event_name", "tag_id"))
    assert not FireEvent.objects.filter(consent_violation=True).exists()
