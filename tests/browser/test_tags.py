"""Tag behaviour in a real browser: replay of queued events, isolation of broken tags, strict
CSP, single-page apps."""

import pytest

pytestmark = pytest.mark.browser


def image(name: str, url: str, triggers: list, **extra) -> dict:
    return {
        "name": name,
        "tag_type": "image",
        "parameters": {"url": url},
        "categories": ["analytics"],
        "triggers": triggers,
        **extra,
    }


def test_event_pushed_before_consent_is_replayed_once_on_accept(containers, visit):
    shop = containers.create()
    v = visit()
    v.open(
        containers.page(
            shop,
            before="tm.push({event: 'purchase', value: 149, currency: 'USD', order_id: 'A-1'});",
        )
    )
    v.settle()
    assert v.vendor() == []
    assert v.js("dataLayer.length") == 1

    v.click("accept-all")
    purchases = v.wait_collected(lambda e: e["event"] == "purchase", count=2)
    assert sorted(e["tag"] for e in purchases) == sorted(
        [shop.tags["Meta"], shop.tags["Ads purchase"]]
    )
    assert {(e["value"], e["currency"]) for e in purchases} == {(149, "USD")}

    conversions = v.js(
        "dataLayer.map(a => Array.from(a)).filter(a => a[0] == 'event' && a[1] == 'conversion')"
    )
    assert conversions == [
        [
            "event",
            "conversion",
            {
                "send_to": "AW-123456789/buy123",
                "value": 149,
                "currency": "USD",
                "transaction_id": "A-1",
            },
        ]
    ]
    tracked = v.js("fbq.queue.map(a => Array.from(a)).filter(a => a[0] == 'track')")
    assert tracked == [
        ["track", "PageView", {}],
        ["track", "Purchase", {"value": 149, "currency": "USD"}],
    ]
    assert len(v.to("www.googletagmanager.com", "id=AW-123456789")) == 1
    v.settle()
    assert len([e for e in v.collected() if e["event"] == "purchase"]) == 2


def test_a_broken_tag_does_not_stop_the_others(containers, visit):
    spec = {
        "triggers": {"pv": {"trigger_type": "page_view"}},
        "tags": [
            {
                "name": "Missing script",
                "tag_type": "script",
                "parameters": {"src": "https://broken.example.net/missing.js"},
                "categories": ["analytics"],
                "triggers": ["pv"],
                "priority": 30,
            },
            {
                "name": "Throwing HTML",
                "tag_type": "custom_html",
                "parameters": {"html": "<script>throw new Error('boom from a tag')</script>"},
                "categories": ["analytics"],
                "triggers": ["pv"],
                "priority": 20,
            },
            {
                "name": "Meta with a sabotaged fbq",
                "tag_type": "meta_pixel",
                "parameters": {"pixel_id": "123456789012345"},
                "categories": ["analytics"],
                "triggers": ["pv"],
                "priority": 10,
            },
            image("Good pixel", "https://px.example.net/ok.gif?e={{event}}", ["pv"]),
        ],
    }
    shop = containers.create(spec)
    v = visit()
    page = containers.page(
        shop, before="window.fbq = function () { throw new Error('sabotaged fbq'); };"
    )
    v.open(page)
    v.click("accept-all")
    v.until(lambda: v.to("px.example.net", "/ok.gif?e=page_view"), message="the good pixel")
    v.settle()
    assert len(v.to("px.example.net")) == 1
    assert len(v.to("broken.example.net", "/missing.js")) == 1
    assert any("boom from a tag" in e for e in v.errors)
    fired = {e["tag"] for e in v.wait_collected(lambda e: e["tag"] == shop.tags["Good pixel"])}
    assert shop.tags["Meta with a sabotaged fbq"] not in fired


@pytest.mark.parametrize(
    "policy",
    [
        "script-src 'nonce-abc123' 'strict-dynamic'",
        "script-src 'nonce-abc123' 'strict-dynamic'; style-src 'nonce-abc123'",
    ],
)
def test_strict_csp_custom_html_runs_with_zero_violations(containers, visit, policy):
    spec = {
        "triggers": {"pv": {"trigger_type": "page_view"}},
        "tags": [
            {
                "name": "Custom",
                "tag_type": "custom_html",
                "parameters": {
                    "html": '<p id="from-tag">x</p><script>window.fromTag = (window.fromTag || 0)'
                    ' + 1; document.getElementById("from-tag").textContent = "ran";</script>'
                },
                "categories": ["analytics"],
                "triggers": ["pv"],
            },
            {
                "name": "GA4",
                "tag_type": "ga4",
                "parameters": {"measurement_id": "G-TEST12345"},
                "categories": ["analytics"],
                "triggers": ["pv"],
            },
        ],
    }
    shop = containers.create(spec)
    v = visit()
    console = []
    v.page.on("console", lambda m: console.append(m.text))
    v.context.add_init_script(
        "window.violations = []; document.addEventListener('securitypolicyviolation',"
        " e => violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    url = containers.page(shop, nonce="abc123", headers={"Content-Security-Policy": policy})
    v.open(url)
    assert v.page.locator("[data-tm-banner]").evaluate("e => getComputedStyle(e).position") == (
        "fixed"
    )
    v.click("accept-all")
    v.until(lambda: v.js("window.fromTag"), message="the custom HTML script")
    v.until(lambda: v.to("www.googletagmanager.com"), message="gtag.js")
    v.settle()
    assert v.js("window.fromTag") == 1
    assert v.page.locator("#from-tag").inner_text() == "ran"
    assert v.js("violations") == []
    assert not [m for m in console if "Content Security Policy" in m]
    assert v.js(
        "[...document.scripts].filter(s => s.src.includes('googletagmanager'))[0].nonce"
    ) == ("abc123")


def test_spa_history_changes_fire_once_per_navigation(containers, visit, site):
    spec = {
        "triggers": {"nav": {"trigger_type": "history_change"}},
        "tags": [
            image(
                "Virtual page view",
                "https://px.example.net/spa.gif?p={{page_path}}&r={{random}}",
                ["nav"],
            )
        ],
    }
    shop = containers.create(spec)
    v = visit()
    v.grant(site.origin)
    v.open(containers.page(shop, path="/spa/"), banner=False)
    v.settle(200)
    assert v.to("px.example.net") == []

    def paths():
        return [r.query["p"] for r in v.to("px.example.net")]

    v.js("history.pushState({}, '', '/spa/a')")
    v.until(lambda: paths() == ["/spa/a"], message="first navigation")
    v.js("history.pushState({}, '', '/spa/b')")
    v.js("history.replaceState({}, '', '/spa/b')")  # same URL: not a navigation
    v.until(lambda: len(paths()) == 2, message="second navigation")
    v.js("history.back()")
    v.until(lambda: len(paths()) == 3, message="back")
    v.settle()
    assert paths() == ["/spa/a", "/spa/b", "/spa/a"]
    events = v.wait_collected(lambda e: e["event"] == "history_change", count=3)
    assert len(events) == 3
