"""The pure parts: the tag summary sentence, diff layout, and the rows fields."""

import pytest

from tagmanager.admin.diffs import diff_layout, field_changes, value_text
from tagmanager.admin.summary import tag_summary, trigger_words, words_join
from tagmanager.admin.widgets import ConditionsField, MappingField, RowsWidget


@pytest.mark.parametrize(
    ("items", "expected"),
    [([], ""), (["a"], "a"), (["a", "b"], "a or b"), (["a", "b", "c"], "a, b or c")],
)
def test_words_join(items, expected):
    assert words_join(items, "or") == expected


@pytest.mark.parametrize(
    ("trigger_type", "parameters", "conditions", "expected"),
    [
        ("page_view", {}, [], "T (every page view)"),
        ("click", {"selector": "a.buy"}, [], "T (a click on a.buy)"),
        ("custom_event", {"event_name": "purchase"}, [], "T (the event 'purchase')"),
        ("timer", {"interval_ms": 500, "limit": 2}, [], "T (a timer every 500 ms, up to 2 times)"),
        ("scroll_depth", {"percentages": [25, 50]}, [], "T (scrolling past 25, 50% of the page)"),
        ("click", {}, [], "T (click)"),  # incomplete draft: the type's label
        ("mystery", {"x": 1}, [], "T (mystery x=1)"),
        (
            "page_view",
            {},
            [
                {"variable": "page_path", "operator": "starts_with", "value": "/shop"},
                {"variable": "event.value", "operator": "greater_than", "value": 10},
            ],
            "T (every page view, when page_path starts with '/shop' and "
            "event.value is greater than '10')",
        ),
    ],
)
def test_trigger_words(trigger_type, parameters, conditions, expected):
    label = {"click": "Click"}.get(trigger_type, "")
    words = trigger_words(
        name="T",
        trigger_type=trigger_type,
        label=label,
        parameters=parameters,
        conditions=conditions,
    )
    assert words == expected


def test_tag_summary_sentences():
    assert tag_summary(
        triggers=["A", "B"],
        blocking=["C"],
        categories=["Marketing", "Analytics"],
        fire_limit="visitor",
    ) == (
        "This tag fires on A or B, except when C matches, and needs consent for Marketing and "
        "Analytics. It fires at most once per visitor."
    )
    assert tag_summary(
        triggers=[], blocking=[], categories=[], fire_limit="unlimited", enabled=False
    ) == (
        "This tag has no firing trigger, so it never fires, and needs at least one consent "
        "category before it can be published. It fires every time a trigger matches. "
        "It is disabled: it does not fire until enabled."
    )


def test_value_text():
    assert value_text(None) == "\u2014"
    assert value_text(True) == "yes"
    assert value_text(["a", "b"]) == "a, b"
    assert value_text([1, 2]) == "[1, 2]"
    assert value_text({"b": 1, "a": "x"}) == '{"a": "x", "b": 1}'


def test_field_changes_open_objects_one_level():
    rows = field_changes("params", {"id": "1", "same": 2}, {"id": "2", "same": 2, "new": "n"})
    assert rows == [
        {"field": "Parameters \u203a id", "before": "1", "after": "2"},
        {"field": "Parameters \u203a new", "before": "\u2014", "after": "n"},
    ]


def test_diff_layout_counts_and_skips_empty_sections():
    diff = {
        "tags": {"added": [{"key": 1, "name": "A"}], "removed": [], "changed": []},
        "triggers": {
            "added": [],
            "removed": [{"key": 2, "name": "B"}],
            "changed": [{"key": 3, "name": "C", "fields": {"type": ["click", "page_view"]}}],
        },
        "variables": {"added": [], "removed": [], "changed": []},
        "categories": {"added": [], "removed": [], "changed": []},
        "settings": {"gpc": [True, False]},
        "empty": False,
    }
    layout = diff_layout(diff)
    assert [s["key"] for s in layout["sections"]] == ["tags", "triggers"]
    assert layout["counts"] == {"added": 1, "removed": 1, "changed": 1}
    assert layout["sections"][1]["changed"][0]["rows"] == [
        {"field": "Type", "before": "click", "after": "page_view"}
    ]
    assert layout["settings"] == [
        {"field": "Honour Global Privacy Control", "before": "yes", "after": "no"}
    ]


def test_rows_widget_reads_rows_in_order_and_ignores_strangers():
    widget = RowsWidget([{"key": "name"}, {"key": "value"}])
    data = {
        "m-10-name": "b",
        "m-10-value": "2",
        "m-2-name": "a",
        "m-2-value": "1",
        "m-3-colour": "red",
        "other-1-name": "x",
    }
    assert widget.value_from_datadict(data, {}, "m") == [
        {"name": "a", "value": "1"},
        {"name": "b", "value": "2"},
    ]


def test_conditions_field_keeps_numbers_numeric():
    field = ConditionsField()
    cleaned = field.clean(
        [
            {"variable": "event.value", "operator": "less_than", "value": "10"},
            {"variable": "event.value", "operator": "greater_than", "value": "2.5"},
            {"variable": "page_path", "operator": "equals", "value": "10"},
            {"variable": "", "operator": "equals", "value": " "},
        ]
    )
    assert [c["value"] for c in cleaned] == [10, 2.5, "10"]


def test_mapping_field_refuses_duplicates():
    from django.core.exceptions import ValidationError

    field = MappingField()
    assert field.clean([{"name": "a", "value": "1"}]) == {"a": "1"}
    with pytest.raises(ValidationError, match="appears twice"):
        field.clean([{"name": "a", "value": "1"}, {"name": "a", "value": "2"}])
