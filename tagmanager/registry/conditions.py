"""Trigger conditions: ``[{"variable": "page_path", "operator": "starts_with", "value": "/shop"}]``.

All conditions of a trigger must hold (AND); make two triggers for OR.
"""

import re

from django.core.exceptions import ValidationError

OPERATORS = {
    "equals": "equals",
    "not_equals": "does not equal",
    "contains": "contains",
    "not_contains": "does not contain",
    "starts_with": "starts with",
    "ends_with": "ends with",
    "matches_regex": "matches regex",
    "not_matches_regex": "does not match regex",
    "less_than": "is less than",
    "greater_than": "is greater than",
}
NUMERIC = {"less_than", "greater_than"}
REGEX = {"matches_regex", "not_matches_regex"}
_VARIABLE = re.compile(r"[A-Za-z_][\w.]{0,127}")


def conditions_validate(conditions) -> list[dict]:
    """Cleaned list of conditions, or ValidationError naming the position and field."""
    if conditions in (None, ""):
        return []
    if not isinstance(conditions, list):
        raise ValidationError({"conditions": ["Expected a list of conditions."]})
    cleaned, errors = [], []
    for index, item in enumerate(conditions, start=1):
        problem = _condition_problem(item)
        if problem:
            errors.append(ValidationError(f"Condition {index}: {problem}", code="invalid"))
        else:
            cleaned.append(
                {"variable": item["variable"], "operator": item["operator"], "value": item["value"]}
            )
    if errors:
        raise ValidationError({"conditions": errors})
    return cleaned


def _condition_problem(item) -> str:
    if not isinstance(item, dict):
        return "expected an object with variable, operator and value."
    unknown = set(item) - {"variable", "operator", "value"}
    if unknown:
        return f"unknown field(s) {', '.join(sorted(unknown))}."
    variable, operator, value = item.get("variable"), item.get("operator"), item.get("value")
    if not isinstance(variable, str) or not _VARIABLE.fullmatch(variable):
        return "variable must be a variable name such as page_path or event.value."
    if operator not in OPERATORS:
        return f"operator must be one of {', '.join(OPERATORS)}."
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return "value must be text or a number."
    if operator in NUMERIC:
        try:
            float(value)
        except (TypeError, ValueError):
            return f"'{operator}' needs a number as value."
    if operator in REGEX:
        try:
            re.compile(str(value))
        except re.error as exc:
            return f"invalid regular expression: {exc}."
    return ""


def condition_describe(condition: dict) -> str:
    return f"{condition['variable']} {OPERATORS[condition['operator']]} {condition['value']!r}"
