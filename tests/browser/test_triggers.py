"""Triggers, conditions, blocking triggers, fire limits and variables in a real browser.

Consent is granted up front (a stored decision), so these tests see only trigger behaviour."""

import pytest

pytestmark = pytest.mark.browser

TALL = '<div style="height: 3000px">top</div><footer id="footer" style="height: 200px">end</footer>'
PIXEL = "https://px.example.net/t.gif?e={{event}}&r={{random}}"


def one_tag(trigger: dict, **tag) -> dict:
    return {
        "triggers": {"t": trigger},
        "tags": [
            {
                "name": "Pixel",
                "tag_type": "image",
                "parameters": {"url": PIXEL},
                "categories": ["analytics"],
                "triggers": ["t"],
                **tag,
            }
        ],
    }


CASES = {
    "dom_ready": ({"trigger_type": "dom_ready"}, {}, "", [], 1),
    "window_loaded": ({"trigger_type": "window_loaded"}, {}, "", [], 1),
    "click": (
        {"trigger_type": "click", "parameters": {"selector": "a.buy"}},
        {},
        '<a class="buy" href="#x"><span id="inner">Buy</span></a> <button id="other">No</button>',
        ["#other", "#inner"],
        1,
    ),
    "form_submit": (
        {"trigger_type": "form_submit", "parameters": {"selector": "form.lead"}},
        {},
        '<form class="lead" onsubmit="event.preventDefault()"><button id="send">Send</button>'
        '</form><form onsubmit="event.preventDefault()"><button id="other">Other</button></form>',
        ["#other", "#send"],
        1,
    ),
    "timer": (
        {"trigger_type": "timer", "parameters": {"interval_ms": 150, "limit": 2}},
        {},
        "",
        ["wait"],
        2,
    ),
    "scroll_depth": (
        {"trigger_type": "scroll_depth", "parameters": {"percentages": [50, 100]}},
        {},
        TALL,
        ["scroll:0.5", "scroll:1", "scroll:0", "scroll:1"],
        2,
    ),
    "element_visible": (
        {"trigger_type": "element_visible", "parameters": {"selector": "#footer", "threshold": 50}},
        {},
        TALL,
        ["scroll:0.5", "scroll:1", "scroll:0", "scroll:1"],
        1,
    ),
    "custom_event_once_per_page": (
        {"trigger_type": "custom_event", "parameters": {"event_name": "signup"}},
        {"fire_limit": "page"},
        "",
        ["push:signup", "push:signup", "push:signup"],
        1,
    ),
    "custom_event_unlimited": (
        {"trigger_type": "custom_event", "parameters": {"event_name": "signup"}},
        {},
        "",
        ["push:signup", "push:other", "push:signup"],
        2,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_trigger_types(containers, visit, site, case):
    trigger, tag_options, body, actions, expected = CASES[case]
    shop = containers.create(one_tag(trigger, **tag_options))
    v = visit()
    v.grant(site.origin)
    v.open(containers.page(shop, body=body), banner=False)
    for action in actions:
        if action == "wait":
            v.settle(800)
        elif action.startswith("scroll:"):
            fraction = float(action.split(":")[1])
            v.js(f"scrollTo(0, (document.documentElement.scrollHeight - innerHeight) * {fraction})")
            v.settle(250)
        elif action.startswith("push:"):
            v.js(f"tm.push({{event: '{action[5:]}'}})")
        else:
            v.page.click(action)
    v.until(lambda: len(v.to("px.example.net")) >= expected, message=f"{expected} fires")
    v.settle()
    assert len(v.to("px.example.net")) == expected
    names = {r.query["e"] for r in v.to("px.example.net")}
    assert names == {trigger.get("parameters", {}).get("event_name", trigger["trigger_type"])}
    if case == "scroll_depth":
        assert [e["trigger"] for e in v.wait_collected(lambda e: True, 2)] == [
            shop.triggers["t"]
        ] * 2


# operator, variable, value, whether the condition holds for {x: "Hello 42", n: 42}
OPERATORS = [
    ("equals", "event.x", "Hello 42", True),
    ("not_equals", "event.x", "Hello", True),
    ("contains", "event.x", "llo", True),
    ("not_contains", "event.x", "llo", False),
    ("starts_with", "event.x", "Hell", True),
    ("ends_with", "event.x", "41", False),
    ("matches_regex", "event.x", r"^H\w+ \d+$", True),
    ("not_matches_regex", "event.x", r"^\d", True),
    ("less_than", "event.n", 100, True),
    ("greater_than", "event.n", 100, False),
    ("starts_with", "page_path", "/shop", True),
    ("equals", "utm_source", "news", True),
    ("equals", "event", "check", True),
]


def test_conditions_blocking_and_variables(containers, visit, site):
    triggers = {
        f"op{i}": {
            "trigger_type": "custom_event",
            "parameters": {"event_name": "check"},
            "conditions": [{"variable": var, "operator": op, "value": value}],
        }
        for i, (op, var, value, _) in enumerate(OPERATORS)
    }
    triggers |= {
        "evt": {"trigger_type": "custom_event", "parameters": {"event_name": "evt"}},
        "evt-blocked": {
            "trigger_type": "custom_event",
            "parameters": {"event_name": "evt"},
            "conditions": [{"variable": "event.block", "operator": "equals", "value": "yes"}],
        },
        "pv": {"trigger_type": "page_view"},
        "vars": {"trigger_type": "custom_event", "parameters": {"event_name": "vars"}},
    }

    def pixel(name, url, on, **extra):
        return {
            "name": name,
            "tag_type": "image",
            "parameters": {"url": url},
            "categories": ["analytics"],
            "triggers": on,
            **extra,
        }

    tags = [
        pixel(f"op{i}", f"https://px.example.net/op.gif?i={i}", [f"op{i}"])
        for i in range(len(OPERATORS))
    ]
    tags += [
        # A page_view blocking trigger never blocks a custom event: other type.
        pixel(
            "blockable",
            "https://px.example.net/b.gif?r={{random}}",
            ["evt"],
            blocking=["evt-blocked", "pv"],
        ),
        pixel(
            "variables",
            "https://px.example.net/v.gif?c={{brand}}&q={{ref}}&k={{plan}}&l={{cart}}&t={{price}}"
            "&a={{sku}}&s={{utm_source}}&v={{event.value}}&n={{event.item.name}}&u={{nothing}}",
            ["vars"],
        ),
    ]
    variables = {
        "brand": {"variable_type": "constant", "parameters": {"value": "A&B"}},
        "ref": {"variable_type": "url_param", "parameters": {"name": "ref"}},
        "plan": {"variable_type": "cookie", "parameters": {"name": "plan"}},
        "cart": {"variable_type": "data_layer", "parameters": {"key": "cart.total"}},
        "price": {"variable_type": "dom_element", "parameters": {"selector": "#price"}},
        "sku": {
            "variable_type": "dom_element",
            "parameters": {"selector": "#price", "attribute": "data-sku"},
        },
        "nothing": {"variable_type": "dom_element", "parameters": {"selector": "#missing"}},
    }
    shop = containers.create({"triggers": triggers, "tags": tags, "variables": variables})
    v = visit()
    v.grant(site.origin)
    url = containers.page(
        shop,
        path="/shop/p",
        body='<span id="price" data-sku="SKU 1/2"> 149.00 </span>',
        before="document.cookie = 'plan=' + encodeURIComponent('gold plus') + '; path=/';",
    )
    v.open(url + "?utm_source=news&ref=a%20b%26c", banner=False)

    v.js("tm.push({event: 'check', x: 'Hello 42', n: 42})")
    expected = {str(i) for i, case in enumerate(OPERATORS) if case[3]}
    v.until(lambda: len(v.to("px.example.net", "/op.gif")) >= len(expected), message="conditions")
    v.settle()
    assert {r.query["i"] for r in v.to("px.example.net", "/op.gif")} == expected

    v.js("tm.push({event: 'evt', block: 'yes'})")
    v.js("tm.push({event: 'evt', block: 'no'})")
    v.js("tm.push({event: 'evt'})")
    v.until(lambda: len(v.to("px.example.net", "/b.gif")) >= 2, message="unblocked")

    v.js("tm.push({cart: {total: 99.5}})")  # no event: state only
    v.js("tm.push({event: 'vars', value: 12.5, item: {name: 'Shoe & sock'}})")
    hit = v.until(lambda: v.to("px.example.net", "/v.gif"), message="variables")[0]
    v.settle()
    assert len(v.to("px.example.net", "/b.gif")) == 2
    assert hit.query == {
        "c": "A&B",
        "q": "a b&c",
        "k": "gold plus",
        "l": "99.5",
        "t": "149.00",
        "a": "SKU 1/2",
        "s": "news",
        "v": "12.5",
        "n": "Shoe & sock",
    }
    assert "&u=" in hit.url  # an element that is not there: empty
    collected = v.wait_collected(lambda e: e["event"] == "vars")[0]
    assert collected["utm"] == {"utm_source": "news"}
    assert collected["value"] == 12.5
    assert collected["url"] == url  # no query string: utm_* travel apart
