"""Built-in trigger types."""

from tagmanager.registry import TriggerType
from tagmanager.registry.params import Param


class PageView(TriggerType):
    slug = "page_view"
    label = "Page view"
    description = "As soon as the loader runs on a page."


class DomReady(TriggerType):
    slug = "dom_ready"
    label = "DOM ready"
    description = "When the page's HTML has been parsed (DOMContentLoaded)."


class WindowLoaded(TriggerType):
    slug = "window_loaded"
    label = "Window loaded"
    description = "When the page and its images have loaded."


class Click(TriggerType):
    slug = "click"
    label = "Click"
    description = "A click on an element matching a CSS selector (or inside one)."
    params = (Param("selector", "CSS selector", kind="selector", help_text="e.g. a.buy, #signup"),)


class FormSubmit(TriggerType):
    slug = "form_submit"
    label = "Form submit"
    description = "A form matching the CSS selector is submitted."
    params = (Param("selector", "CSS selector", kind="selector", required=False, default="form"),)


class CustomEvent(TriggerType):
    slug = "custom_event"
    label = "Custom event"
    description = "The page pushes an event: tm.push({event: 'purchase', ...})."
    params = (
        Param(
            "event_name",
            "Event name",
            pattern=r"[\w.:-]{1,100}",
            help_text="e.g. purchase, add_to_cart, lead",
        ),
    )


class HistoryChange(TriggerType):
    slug = "history_change"
    label = "History change"
    description = "Single-page app navigation (pushState, replaceState, popstate)."


class Timer(TriggerType):
    slug = "timer"
    label = "Timer"
    description = "Every interval, up to a number of times."
    params = (
        Param("interval_ms", "Interval (ms)", kind="int", min_value=100, max_value=86_400_000),
        Param("limit", "Times", kind="int", required=False, default=1, min_value=1, max_value=1000),
    )


class ScrollDepth(TriggerType):
    slug = "scroll_depth"
    label = "Scroll depth"
    description = "The visitor scrolled past each given percentage of the page."
    params = (
        Param(
            "percentages",
            "Percentages",
            kind="int_list",
            min_value=1,
            max_value=100,
            help_text="Comma-separated, e.g. 25, 50, 75, 100",
        ),
    )


class ElementVisible(TriggerType):
    slug = "element_visible"
    label = "Element visible"
    description = "An element matching the selector becomes visible (IntersectionObserver)."
    params = (
        Param("selector", "CSS selector", kind="selector"),
        Param(
            "threshold",
            "Visible percentage",
            kind="int",
            required=False,
            default=50,
            min_value=1,
            max_value=100,
        ),
    )
