"""Only developers choose code, in the browser: a crafted link (?utm_source=evil.example,
?gid=GTM-EVIL123) chooses neither the host a tag loads from nor the Google container it loads.
The version served here was published before the rule (the server refuses such tags now), so
what stops them is the runtime itself."""

import pytest

pytestmark = pytest.mark.browser

CRAFTED = "?utm_source=evil.example&gid=GTM-EVIL123&utm_content=@evil.example/x"


def tag(name: str, tag_type: str, parameters: dict) -> dict:
    return {
        "name": name,
        "tag_type": tag_type,
        "parameters": parameters,
        "categories": ["analytics"],
        "triggers": ["pv"],
    }


SPEC = {
    "variables": {"gid": {"variable_type": "url_param", "parameters": {"name": "gid"}}},
    "triggers": {"pv": {"trigger_type": "page_view"}},
    "tags": [
        tag("GA4", "ga4", {"measurement_id": "G-TEST12345"}),
        tag("Pixel", "image", {"url": "https://px.example.net/p.gif?s={{utm_source}}"}),
        tag("Path pixel", "image", {"url": "https://px.example.net/{{utm_content}}"}),
        # Replaced in the published version by what older releases let through:
        tag("Crafted GA4", "ga4", {"measurement_id": "G-CRAFTED1"}),
        tag("Stale GTM", "ga4", {"measurement_id": "G-CRAFTED2"}),
        tag("Crafted script", "script", {"src": "https://cdn.example.net/x.js"}),
        tag("Crafted pixel", "image", {"url": "https://px.example.net/x.gif"}),
    ],
}
STALE = {
    "Crafted GA4": {"measurement_id": "{{gid}}"},
    "Stale GTM": {"measurement_id": "GTM-EVIL123"},
    "Crafted script": {"src": "https://{{utm_source}}/x.js", "async": True},
    "Crafted pixel": {"url": "https://{{utm_source}}/p.gif"},
}


def publish_stale(published) -> None:
    """Make the live version hold the stale parameters, as if published by an older release."""
    from tagmanager.loader.serve import loader_cache_refresh
    from tagmanager.models import ContainerVersion

    published.container.refresh_from_db()
    version = published.container.live_version
    config = {
        **version.config,
        "tags": [
            {**t, "params": STALE.get(t["name"], t["params"])} for t in version.config["tags"]
        ],
    }
    ContainerVersion.objects.filter(pk=version.pk).update(config=config)
    loader_cache_refresh(key=published.key)


def test_a_crafted_link_chooses_no_host_and_no_vendor_id(containers, site, visit):
    shop = containers.create(SPEC)
    publish_stale(shop)
    v = visit()
    v.grant(site.origin)
    v.open(containers.page(shop) + CRAFTED, banner=False)
    fired = {
        e["tag"]
        for e in v.wait_collected(lambda e: e["tag"] == shop.tags["Path pixel"])
        + v.wait_collected(lambda e: e["tag"] == shop.tags["GA4"])
    }
    v.settle()

    sent = [r for r in v.requests if not r.url.startswith(site.origin)]  # but the page
    assert [r.url for r in sent if r.host.endswith("evil.example")] == []
    assert [r.url for r in sent if "EVIL" in r.url] == []
    assert [r.query["id"] for r in v.to("www.googletagmanager.com", "/gtag/js")] == ["G-TEST12345"]
    configured = v.js("dataLayer.map(a => Array.from(a)).filter(a => a[0] == 'config')")
    assert [c[1] for c in configured] == ["G-TEST12345"]
    # Variables still fill the path and query, encoded where they land.
    assert v.to("px.example.net", "/p.gif")[0].query == {"s": "evil.example"}
    assert [r.url for r in v.to("px.example.net") if "/p.gif" not in r.url] == [
        "https://px.example.net/%40evil.example%2Fx"
    ]
    # The refused tags did not fire (nor throw into the page).
    fired |= {e["tag"] for e in v.collected()}
    assert fired == {shop.tags[name] for name in ("GA4", "Pixel", "Path pixel")}
    assert v.errors == []
