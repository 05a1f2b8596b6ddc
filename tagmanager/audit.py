"""Pure judgements for the pixel audit: could a stored fire have matched its tag's trigger?

The runtime (``js/src/events.js`` and ``js/src/conditions/``) compares a variable's value with the
condition's value as text, except for the two numeric operators. The server keeps a fire's page
as origin + path only (no query string, no fragment), so it can judge conditions on
``page_path`` and ``page_hostname`` exactly, and conditions on ``page_url`` (the full address in
the browser) only where the missing query string or fragment cannot change the answer. Any other
variable (cookies, data layer, event fields ...) is unknown here and counts as satisfied: the
audit names a fire only when it certainly did not match. Both sides are tested with one table
of cases, ``tests/rules_cases.json``.

Usage::

    from tagmanager.audit import fire_within_triggers

    fire_within_triggers(configs=[version.config], tag_id=12, trigger_id=7,
                         page_url="https://shop.example/thanks", event_name="purchase")
"""

import math
import re
from urllib.parse import urlsplit

URL_VARIABLES = frozenset({"page_url", "page_path", "page_hostname"})

# A JavaScript decimal literal: parseFloat reads the longest one at the start of a text,
# Number (the other side of ``parseFloat(a) < b``) needs the whole text to be one.
_JS_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_JS_RADIX = re.compile(r"0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")
# The event name the server keeps is cut at this length (tagmanager.payloads).
EVENT_NAME_MAX = 100


def js_parse_float(text: str) -> float:
    """``parseFloat(text)``; NaN when the text does not start with a number."""
    found = _JS_DECIMAL.match(text.lstrip())
    return float(found.group().replace("Infinity", "inf")) if found else math.nan


def js_number(text: str) -> float:
    """``Number(text)``: blank is 0, hexadecimal/octal/binary literals count, else NaN."""
    text = text.strip()
    if not text:
        return 0.0
    if _JS_DECIMAL.fullmatch(text):
        return float(text.replace("Infinity", "inf"))
    radix = _JS_RADIX.fullmatch(text)
    return float(int(text, 0)) if radix else math.nan


def js_text(value) -> str:
    """``"" + value`` for the JSON values a condition holds (text or a number)."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        mantissa, _, exponent = repr(value).partition("e")
        return f"{mantissa}e{int(exponent):+d}" if exponent else mantissa
    return str(value)


def _regex_search(pattern: str, text: str) -> bool | None:
    try:
        return re.search(pattern, text) is not None
    except re.error:  # valid in JavaScript, not in Python: cannot judge
        return None


def operator_holds(operator: str, actual: str, expected: str) -> bool | None:
    """The runtime's ``OPS[operator](actual, expected)``, ``not_`` operators included.

    None when it cannot be decided here (an unknown operator, a pattern Python cannot read).
    """
    negate = operator.startswith("not_")
    base = operator[4:] if negate else operator
    if base == "equals":
        result = actual == expected
    elif base == "contains":
        result = expected in actual
    elif base == "starts_with":
        result = actual.startswith(expected)
    elif base == "ends_with":
        result = actual.endswith(expected)
    elif base == "matches_regex":
        result = _regex_search(expected, actual)
    elif base == "less_than":
        result = js_parse_float(actual) < js_number(expected)
    elif base == "greater_than":
        result = js_parse_float(actual) > js_number(expected)
    else:
        return None
    if result is None:
        return None
    return result != negate


def page_variables(page_url: str) -> dict[str, str]:
    """``page_path`` and ``page_hostname`` as the browser had them, from a stored page URL."""
    try:
        parts = urlsplit(page_url)
        hostname = parts.hostname or ""
    except ValueError:
        return {}
    if not parts.scheme or not parts.netloc:
        return {}
    if parts.netloc.rpartition("@")[2].startswith("["):
        hostname = f"[{hostname}]"  # location.hostname keeps an IPv6 address's brackets
    return {"page_path": parts.path or "/", "page_hostname": hostname}


def _page_url_possible(operator: str, stored: str, expected: str) -> bool:
    """Whether ``location.href`` = ``stored`` + (nothing, or ``?…`` / ``#…``) could satisfy it."""
    extended = (stored + "?", stored + "#")
    if operator == "equals":
        return expected == stored or expected.startswith(extended)
    if operator == "starts_with":
        return stored.startswith(expected) or expected.startswith(extended)
    if operator == "not_contains":
        return expected not in stored
    if operator in ("less_than", "greater_than"):
        # A query string or fragment never extends parseFloat's numeric prefix.
        return operator_holds(operator, stored, expected) is not False
    # contains, ends_with, regular expressions, not_equals ...: a query string could decide.
    return True


def condition_possible(condition: dict, page_url: str) -> bool:
    """False only when a fire on ``page_url`` certainly failed ``condition``."""
    variable = condition.get("variable")
    if variable not in URL_VARIABLES or not page_url:
        return True
    operator = condition.get("operator", "")
    expected = js_text(condition.get("value", ""))
    if variable == "page_url":
        if not page_variables(page_url):
            return True
        return _page_url_possible(operator, page_url, expected)
    actual = page_variables(page_url).get(variable)
    if actual is None:
        return True
    return operator_holds(operator, actual, expected) is not False


def trigger_possible(trigger: dict, *, page_url: str, event_name: str) -> bool:
    """Whether a fire on ``page_url`` for ``event_name`` could have matched ``trigger``
    (a trigger of the loader configuration: type, params, conditions)."""
    if trigger.get("type") == "custom_event":
        wanted = js_text((trigger.get("params") or {}).get("event_name", ""))
        if event_name and wanted[:EVENT_NAME_MAX] != event_name:
            return False
    return all(condition_possible(c, page_url) for c in trigger.get("conditions") or ())


def _tag_trigger(config: dict, tag_id, trigger_id) -> tuple[bool, dict | None]:
    """(whether the tag fires on this trigger in ``config``, the trigger's definition)."""
    tag = next((t for t in config.get("tags", ()) if t.get("id") == tag_id), None)
    if tag is None or trigger_id not in tag.get("triggers", ()):
        return False, None
    trigger = next((t for t in config.get("triggers", ()) if t.get("id") == trigger_id), None)
    return True, trigger


def page_matters(*, configs: list[dict], tag_id, trigger_id) -> bool:
    """Whether judging a fire of this tag and trigger needs its page: the trigger has a
    condition on a URL variable in one of ``configs``."""
    for config in configs:
        fires_on, trigger = _tag_trigger(config, tag_id, trigger_id)
        conditions = (trigger or {}).get("conditions") or () if fires_on else ()
        if any(c.get("variable") in URL_VARIABLES for c in conditions):
            return True
    return False


def fire_within_triggers(
    *, configs: list[dict], tag_id, trigger_id, page_url: str, event_name: str = ""
) -> bool:
    """Whether a fire could have come from its tag's firing trigger in one of ``configs``.

    ``configs`` are the loader configurations that were live when the fire happened. A fire
    without a tag or trigger (a pixel hit), or with no configuration to judge it by, counts as
    within its triggers. Otherwise it is outside when, in every configuration, the trigger is
    not among the tag's firing triggers or the page and event certainly fail the trigger.
    """
    if tag_id is None or trigger_id is None or not configs:
        return True
    for config in configs:
        fires_on, trigger = _tag_trigger(config, tag_id, trigger_id)
        if not fires_on:
            continue
        if trigger is None or trigger_possible(trigger, page_url=page_url, event_name=event_name):
            return True
    return False
