"""A tag's behaviour in one sentence, for people: which triggers, which consent, how often.

The sentence is built from plain data (``tag_summary``); the admin renders it on the server and
passes the same phrases to the browser, where the tag form's script rebuilds the sentence as the
user edits, so both always read alike. ``trigger_phrase``, ``category_name`` and
``tag_sentence`` adapt model objects (with their relations prefetched) to that data.
"""

from tagmanager.registry import trigger_types
from tagmanager.registry.conditions import OPERATORS

# What a trigger of a built-in type waits for; {name} is one of its parameters.
TRIGGER_WORDS = {
    "page_view": "every page view",
    "dom_ready": "DOM ready",
    "window_loaded": "window loaded",
    "click": "a click on {selector}",
    "form_submit": "a form submit on {selector}",
    "custom_event": "the event '{event_name}'",
    "history_change": "a history change (single-page navigation)",
    "timer": "a timer every {interval_ms} ms, up to {limit} times",
    "scroll_depth": "scrolling past {percentages}% of the page",
    "element_visible": "{selector} becoming {threshold}% visible",
}

# The sentence, in pieces the browser can put together too.
TEXTS = {
    "fires": "This tag fires on {triggers}",
    "never": "This tag has no firing trigger, so it never fires",
    "except": ", except when {blocking} matches",
    "consent": ", and needs consent for {categories}.",
    "no_consent": ", and needs at least one consent category before it can be published.",
    "disabled": "It is disabled: it does not fire until enabled.",
    "or": "or",
    "and": "and",
}

FIRE_LIMITS = {
    "unlimited": "It fires every time a trigger matches.",
    "page": "It fires at most once per page.",
    "session": "It fires at most once per session.",
    "visitor": "It fires at most once per visitor.",
}


def words_join(items: list[str], word: str) -> str:
    """``["a", "b", "c"]`` → ``"a, b or c"``."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _param_text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def condition_words(condition: dict) -> str:
    operator = OPERATORS.get(condition.get("operator"), condition.get("operator"))
    return f"{condition.get('variable')} {operator} '{condition.get('value')}'"


def trigger_words(
    *, name: str, trigger_type: str, label: str, parameters: dict, conditions: list
) -> str:
    """``Checkout (every page view, when page_path starts with '/checkout')``."""
    template = TRIGGER_WORDS.get(trigger_type)
    if template:
        values = {k: _param_text(v) for k, v in (parameters or {}).items()}
        try:
            what = template.format_map(values)
        except KeyError:  # a parameter is missing: the draft is incomplete, say what we know
            what = label.lower() if label else trigger_type
    else:
        what = (label or trigger_type).lower()
        if parameters:
            what += " " + ", ".join(f"{k}={_param_text(v)}" for k, v in parameters.items())
    if conditions:
        what += ", when " + words_join([condition_words(c) for c in conditions], TEXTS["and"])
    return f"{name} ({what})"


def tag_summary(
    *,
    triggers: list[str],
    blocking: list[str],
    categories: list[str],
    fire_limit: str,
    enabled: bool = True,
) -> str:
    """The sentence, from the words of the chosen triggers and the chosen category names."""
    if triggers:
        text = TEXTS["fires"].format(triggers=words_join(triggers, TEXTS["or"]))
    else:
        text = TEXTS["never"]
    if blocking:
        text += TEXTS["except"].format(blocking=words_join(blocking, TEXTS["or"]))
    if categories:
        text += TEXTS["consent"].format(categories=words_join(categories, TEXTS["and"]))
    else:
        text += TEXTS["no_consent"]
    limit = FIRE_LIMITS.get(fire_limit, "")
    if limit:
        text += " " + limit
    if not enabled:
        text += " " + TEXTS["disabled"]
    return text


def trigger_phrase(trigger) -> str:
    kind = trigger_types().get(trigger.trigger_type)
    return trigger_words(
        name=trigger.name,
        trigger_type=trigger.trigger_type,
        label=kind.label if kind else "",
        parameters=trigger.parameters,
        conditions=trigger.conditions,
    )


def category_name(category, locale: str = "en") -> str:
    names = category.names if isinstance(category.names, dict) else {}
    return names.get(locale) or names.get("en") or next(iter(names.values()), category.slug)


def tag_sentence(tag) -> str:
    """The summary of a saved tag (prefetch categories, firing and blocking triggers)."""
    locale = tag.container.default_locale
    return tag_summary(
        triggers=[trigger_phrase(t) for t in tag.firing_triggers.all()],
        blocking=[trigger_phrase(t) for t in tag.blocking_triggers.all()],
        categories=[category_name(c, locale) for c in tag.categories.all()],
        fire_limit=tag.fire_limit,
        enabled=tag.enabled,
    )
