"""TikTok and LinkedIn in a real browser, with stub vendor scripts that record what the tags
handed them; fire limits per visitor and the priority order."""

import pytest

pytestmark = pytest.mark.browser

# Stand-ins for the vendors' scripts: they take over the queue the tag set up, as the real ones
# do, and record every call in window.vendorCalls.
TIKTOK_STUB = """
window.vendorCalls = window.vendorCalls || [];
var queued = window.ttq.splice(0);
window.ttq.page = function () { vendorCalls.push(['tiktok', 'page']); };
window.ttq.track = function (name, data) { vendorCalls.push(['tiktok', 'track', name, data]); };
queued.forEach(function (call) { window.ttq[call[0]].apply(null, call.slice(1)); });
vendorCalls.push(['tiktok', 'loaded', Object.keys(window.ttq._i)]);
"""
LINKEDIN_STUB = """
window.vendorCalls = window.vendorCalls || [];
vendorCalls.push(['linkedin', 'loaded', window._linkedin_partner_id,
                  window._linkedin_data_partner_ids.slice()]);
"""


def test_tiktok_loads_once_and_gets_page_views_and_events(containers, visit):
    shop = containers.create(
        {
            "triggers": {
                "pv": {"trigger_type": "page_view"},
                "purchase": {
                    "trigger_type": "custom_event",
                    "parameters": {"event_name": "purchase"},
                },
            },
            "tags": [
                {
                    "name": "TikTok",
                    "tag_type": "tiktok",
                    "parameters": {"pixel_id": "CABCDEFGHIJ123"},
                    "categories": ["marketing"],
                    "triggers": ["pv", "purchase"],
                }
            ],
        }
    )
    v = visit()
    v.stubs[("analytics.tiktok.com", "/i18n/pixel/events.js")] = TIKTOK_STUB
    v.open(containers.page(shop))
    v.settle()
    assert v.vendor() == []  # nothing before consent
    v.click("accept-all")
    v.until(lambda: v.js("(window.vendorCalls || []).length") >= 2, message="the stub")
    v.js("tm.push({event: 'purchase', value: '49.90', currency: 'EUR'})")
    v.until(lambda: v.js("vendorCalls.length") >= 3, message="the purchase")
    assert v.js("vendorCalls") == [
        ["tiktok", "page"],
        ["tiktok", "loaded", ["CABCDEFGHIJ123"]],
        ["tiktok", "track", "CompletePayment", {"value": 49.9, "currency": "EUR"}],
    ]
    loads = v.to("analytics.tiktok.com", "/i18n/pixel/events.js")
    assert len(loads) == 1
    assert loads[0].url.endswith("?sdkid=CABCDEFGHIJ123&lib=ttq")
    fired = v.wait_collected(lambda e: e["tag"] == shop.tags["TikTok"], count=2)
    assert sorted(e["event"] for e in fired) == ["page_view", "purchase"]


def test_linkedin_loads_insight_once_and_sends_the_conversion(containers, visit):
    shop = containers.create(
        {
            "triggers": {
                "pv": {"trigger_type": "page_view"},
                "signup": {"trigger_type": "custom_event", "parameters": {"event_name": "signup"}},
            },
            "tags": [
                {
                    "name": "Insight",
                    "tag_type": "linkedin",
                    "parameters": {"partner_id": "123456"},
                    "categories": ["marketing"],
                    "triggers": ["pv"],
                },
                {
                    "name": "Signup conversion",
                    "tag_type": "linkedin",
                    "parameters": {"partner_id": "123456", "conversion_id": "987654"},
                    "categories": ["marketing"],
                    "triggers": ["signup"],
                },
            ],
        }
    )
    v = visit()
    v.stubs[("snap.licdn.com", "/li.lms-analytics/insight.min.js")] = LINKEDIN_STUB
    v.open(containers.page(shop))
    v.settle()
    assert v.vendor() == []
    v.click("accept-all")
    v.until(lambda: v.js("(window.vendorCalls || []).length") >= 1, message="the stub")
    assert v.js("vendorCalls") == [["linkedin", "loaded", "123456", ["123456"]]]
    assert v.to("px.ads.linkedin.com") == []
    v.js("tm.push({event: 'signup'})")
    v.until(lambda: v.to("px.ads.linkedin.com"), message="the conversion pixel")
    v.settle()
    [pixel] = v.to("px.ads.linkedin.com")
    assert (
        pixel.url == "https://px.ads.linkedin.com/collect/?pid=123456&conversionId=987654&fmt=gif"
    )
    assert len(v.to("snap.licdn.com")) == 1
    assert v.js("window._linkedin_data_partner_ids") == ["123456"]


def test_a_tag_limited_per_visitor_fires_once_across_pages_and_again_for_another(containers, visit):
    shop = containers.create(
        {
            "triggers": {"pv": {"trigger_type": "page_view"}},
            "tags": [
                {
                    "name": "Once",
                    "tag_type": "image",
                    "parameters": {"url": "https://px.example.net/once.gif"},
                    "categories": ["analytics"],
                    "triggers": ["pv"],
                    "fire_limit": "visitor",
                }
            ],
        }
    )
    page = containers.page(shop)
    v = visit()
    v.open(page)
    v.click("accept-all")
    v.until(lambda: v.to("px.example.net", "/once.gif"), message="the first fire")
    for _ in range(2):
        v.reload(banner=False)
        v.settle()
    assert len(v.to("px.example.net", "/once.gif")) == 1
    other = visit()  # another browser: another visitor
    other.open(page)
    other.click("accept-all")
    other.until(lambda: other.to("px.example.net", "/once.gif"), message="another visitor's")


def test_tags_fire_in_priority_order(containers, visit):
    def pixel(name, priority):
        return {
            "name": name,
            "tag_type": "image",
            "parameters": {"url": f"https://px.example.net/{name}.gif"},
            "categories": ["analytics"],
            "triggers": ["pv"],
            "priority": priority,
        }

    shop = containers.create(
        {
            "triggers": {"pv": {"trigger_type": "page_view"}},
            "tags": [pixel("low", 1), pixel("high", 30), pixel("middle", 20), pixel("zero", 0)],
        }
    )
    v = visit()
    v.open(containers.page(shop))
    v.click("accept-all")
    v.until(lambda: len(v.to("px.example.net")) == 4, message="four pixels")
    order = [r.url.rsplit("/", 1)[1] for r in v.to("px.example.net")]
    assert order == ["high.gif", "middle.gif", "low.gif", "zero.gif"]
