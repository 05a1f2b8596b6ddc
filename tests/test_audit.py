import math

import pytest

from tagmanager.audit import (
    condition_possible,
    fire_within_triggers,
    js_number,
    js_parse_float,
    js_text,
    operator_holds,
    page_matters,
    page_variables,
    trigger_possible,
)

URL = "https://shop.example/shop/shoes"


@pytest.mark.parametrize(
    ("operator", "actual", "expected", "result"),
    [
        ("equals", "/shop", "/shop", True),
        ("equals", "/shop", "/Shop", False),
        ("not_equals", "/shop", "/shop", False),
        ("not_equals", "/shop", "/blog", True),
        ("contains", "/shop/shoes", "sho", True),
        ("contains", "/shop/shoes", "", True),
        ("not_contains", "/shop/shoes", "hat", True),
        ("not_contains", "/shop/shoes", "", False),
        ("starts_with", "/shop/shoes", "/shop", True),
        ("starts_with", "/blog", "/shop", False),
        ("ends_with", "/shop/shoes", "shoes", True),
        ("ends_with", "/shop/shoes", "hats", False),
        ("matches_regex", "/shop/42", r"^/shop/\d+$", True),
        ("matches_regex", "/shop/x", r"^/shop/\d+$", False),
        ("matches_regex", "/a/shop", "shop", True),  # RegExp.test searches
        ("not_matches_regex", "/shop/x", r"\d", True),
        ("matches_regex", "/x", "(?<name>x)", None),  # JavaScript-only syntax: undecided
        ("less_than", "5", "10", True),  # numbers, not text ("5" > "10" as text)
        ("greater_than", "5", "10", False),
        ("greater_than", "12px", "10", True),  # parseFloat reads the numeric prefix
        ("greater_than", "abc", "10", False),  # NaN compares false
        ("less_than", "abc", "10", False),
        ("not_less_than", "abc", "10", True),  # not the runtime's, but the negation rule holds
        ("less_than", "-1", "", True),  # Number("") is 0
        ("greater_than", "20", "0x10", True),  # Number("0x10") is 16
        ("sounds_like", "x", "x", None),
    ],
)
def test_operator_holds_like_the_runtime(operator, actual, expected, result):
    assert operator_holds(operator, actual, expected) is result


@pytest.mark.parametrize(
    ("function", "text", "number"),
    [
        (js_parse_float, "  3.5kg", 3.5),
        (js_parse_float, "-.5e1x", -5.0),
        (js_parse_float, "Infinity!", math.inf),
        (js_parse_float, "1_000", 1.0),
        (js_number, " 12 ", 12.0),
        (js_number, "", 0.0),
        (js_number, "0b101", 5.0),
        (js_number, "1_000", math.nan),
        (js_number, "inf", math.nan),
    ],
)
def test_javascript_number_parsing(function, text, number):
    value = function(text)
    assert (math.isnan(value) and math.isnan(number)) or value == number


@pytest.mark.parametrize(
    ("value", "text"),
    [("shop", "shop"), (10, "10"), (1.0, "1"), (2.5, "2.5"), (1e21, "1e+21"), (1e-7, "1e-7")],
)
def test_condition_values_become_text_as_in_javascript(value, text):
    assert js_text(value) == text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (URL, {"page_path": "/shop/shoes", "page_hostname": "shop.example"}),
        ("https://Shop.Example:8443", {"page_path": "/", "page_hostname": "shop.example"}),
        ("http://[::1]:8000/x", {"page_path": "/x", "page_hostname": "[::1]"}),
        ("", {}),
        ("not a url", {}),
        ("http://[::1/x", {}),
    ],
)
def test_page_variables_from_a_stored_url(url, expected):
    assert page_variables(url) == expected


def cond(variable, operator, value):
    return {"variable": variable, "operator": operator, "value": value}


@pytest.mark.parametrize(
    ("condition", "possible"),
    [
        # page_path and page_hostname are known exactly.
        (cond("page_path", "starts_with", "/shop"), True),
        (cond("page_path", "starts_with", "/blog"), False),
        (cond("page_path", "not_contains", "shoes"), False),
        (cond("page_path", "matches_regex", "^/shop/[a-z]+$"), True),
        (cond("page_path", "matches_regex", "^/blog"), False),
        (cond("page_hostname", "equals", "shop.example"), True),
        (cond("page_hostname", "equals", "www.shop.example"), False),
        (cond("page_hostname", "ends_with", ".example"), True),
        # page_url: the browser's full address may have had a query string or fragment.
        (cond("page_url", "equals", URL), True),
        (cond("page_url", "equals", URL + "?size=42"), True),
        (cond("page_url", "equals", URL + "#top"), True),
        (cond("page_url", "equals", "https://shop.example/blog"), False),
        (cond("page_url", "starts_with", "https://shop.example/shop"), True),
        (cond("page_url", "starts_with", URL + "?ref=mail"), True),
        (cond("page_url", "starts_with", "https://shop.example/blog"), False),
        (cond("page_url", "not_contains", "/shop/"), False),
        (cond("page_url", "not_contains", "/blog/"), True),
        (cond("page_url", "contains", "utm_source=mail"), True),  # could be in the query
        (cond("page_url", "ends_with", "/blog"), True),
        (cond("page_url", "matches_regex", "^https://blog"), True),
        (cond("page_url", "not_equals", URL), True),
        (cond("page_url", "greater_than", 3), False),
        # Other variables cannot be judged on the server.
        (cond("referrer", "equals", "nothing"), True),
        (cond("event.value", "greater_than", 1000), True),
        (cond("plan", "equals", "gold"), True),
    ],
)
def test_condition_possible_on_a_stored_page(condition, possible):
    assert condition_possible(condition, URL) is possible


def test_unknown_page_is_never_judged():
    assert condition_possible(cond("page_path", "equals", "/x"), "") is True
    assert condition_possible(cond("page_url", "equals", "/x"), "garbage") is True


CUSTOM = {"type": "custom_event", "params": {"event_name": "purchase"}, "conditions": []}
SHOP_VIEWS = {
    "type": "page_view",
    "params": {},
    "conditions": [
        cond("page_hostname", "equals", "shop.example"),
        cond("page_path", "starts_with", "/shop"),
    ],
}


@pytest.mark.parametrize(
    ("trigger", "page", "event", "possible"),
    [
        (SHOP_VIEWS, URL, "page_view", True),
        (SHOP_VIEWS, "https://shop.example/blog", "page_view", False),
        (SHOP_VIEWS, "https://other.example/shop", "page_view", False),
        (CUSTOM, URL, "purchase", True),
        (CUSTOM, URL, "lead", False),
        (CUSTOM, URL, "", True),
        ({**CUSTOM, "params": {"event_name": "x" * 150}}, URL, "x" * 100, True),
        ({"type": "click", "params": {"selector": "a"}, "conditions": []}, URL, "click", True),
    ],
)
def test_trigger_possible(trigger, page, event, possible):
    assert trigger_possible(trigger, page_url=page, event_name=event) is possible


CONFIG = {
    "tags": [{"id": 1, "triggers": [10]}, {"id": 2, "triggers": [11]}],
    "triggers": [{"id": 10, **SHOP_VIEWS}, {"id": 11, **CUSTOM}],
}
NEWER = {"tags": [{"id": 1, "triggers": [11]}], "triggers": [{"id": 11, **CUSTOM}]}


@pytest.mark.parametrize(
    ("configs", "tag", "trigger", "page", "event", "within"),
    [
        ([CONFIG], 1, 10, URL, "page_view", True),
        ([CONFIG], 1, 10, "https://shop.example/blog", "page_view", False),
        ([CONFIG], 1, 11, URL, "purchase", False),  # not tag 1's trigger
        ([CONFIG], 3, 10, URL, "page_view", False),  # tag not in the configuration
        ([CONFIG], 2, 99, URL, "purchase", False),
        ([CONFIG, NEWER], 1, 11, URL, "purchase", True),  # published that day
        ([NEWER], 1, 10, URL, "page_view", False),
        ([CONFIG], None, None, "", "email_open", True),  # pixel hit
        ([CONFIG], 1, None, "", "email_open", True),
        ([], 1, 10, URL, "page_view", True),  # nothing to judge by
        ([{"tags": [{"id": 1, "triggers": [12]}], "triggers": []}], 1, 12, URL, "x", True),
    ],
)
def test_fire_within_triggers(configs, tag, trigger, page, event, within):
    result = fire_within_triggers(
        configs=configs, tag_id=tag, trigger_id=trigger, page_url=page, event_name=event
    )
    assert result is within


@pytest.mark.parametrize(
    ("configs", "tag", "trigger", "matters"),
    [
        ([CONFIG], 1, 10, True),  # page_hostname and page_path conditions
        ([CONFIG], 2, 11, False),  # a custom event without page conditions
        ([CONFIG], 1, 11, False),  # not the tag's trigger: outside whatever the page
        ([NEWER, CONFIG], 1, 10, True),
        ([NEWER], 1, 10, False),
        ([], 1, 10, False),
    ],
)
def test_page_matters(configs, tag, trigger, matters):
    assert page_matters(configs=configs, tag_id=tag, trigger_id=trigger) is matters
