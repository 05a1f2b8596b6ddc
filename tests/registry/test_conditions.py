import pytest
from django.core.exceptions import ValidationError

from tagmanager.registry.conditions import condition_describe, conditions_validate


def test_valid_conditions_are_kept():
    conditions = [
        {"variable": "page_path", "operator": "starts_with", "value": "/shop"},
        {"variable": "event.value", "operator": "greater_than", "value": 10},
    ]
    assert conditions_validate(conditions) == conditions
    assert conditions_validate(None) == []


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"variable": "page path", "operator": "equals", "value": "x"}, "variable"),
        ({"variable": "page_path", "operator": "like", "value": "x"}, "operator must be"),
        ({"variable": "page_path", "operator": "matches_regex", "value": "("}, "regular exp"),
        ({"variable": "event.value", "operator": "less_than", "value": "ten"}, "number"),
        ({"variable": "page_path", "operator": "equals", "value": None}, "value"),
        ({"variable": "page_path", "operator": "equals", "value": "x", "y": 1}, "unknown"),
        ("page_path = x", "expected an object"),
    ],
)
def test_invalid_condition_names_position_and_problem(condition, message):
    with pytest.raises(ValidationError) as info:
        conditions_validate(
            [{"variable": "page_url", "operator": "contains", "value": "a"}, condition]
        )
    text = info.value.message_dict["conditions"][0]
    assert text.startswith("Condition 2:") and message in text


def test_describe():
    text = condition_describe({"variable": "page_path", "operator": "starts_with", "value": "/a"})
    assert text == "page_path starts with '/a'"
