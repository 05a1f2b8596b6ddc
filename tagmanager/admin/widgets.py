"""Form fields for structured values: rows of inputs instead of a JSON box."""

import re

from django import forms
from django.core.exceptions import ValidationError

from tagmanager.registry.conditions import NUMERIC, OPERATORS

# Posted by a select whose change shows the form again for the new choice, saving nothing.
RETYPE = "_retype"
# More rows than anyone types by hand; keeps a crafted POST from making the form huge.
MAX_ROWS = 200


def is_pk(value) -> bool:
    """Whether ``value`` can be an object id. Larger numbers overflow SQLite's integers."""
    text = str(value)
    return text.isdigit() and len(text) <= 18


class PkChoiceField(forms.ModelChoiceField):
    """Refuses a value that cannot be an id before asking the database."""

    def to_python(self, value):
        if value not in self.empty_values and not hasattr(value, "_meta") and not is_pk(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class PkMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses values that cannot be ids before asking the database."""

    def _check_values(self, value):
        for item in value:
            if not hasattr(item, "_meta") and not is_pk(item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


class RowsWidget(forms.Widget):
    """A table of rows, one input (or select) per column, named ``<name>-<row>-<column>``.

    The value is a list of dicts keyed by column. One blank row is always offered, so the
    editor works without script; the admin script adds and removes rows.
    """

    template_name = "tagmanager/admin/widgets/rows.html"

    def __init__(self, columns: list[dict], *, add_label: str = "Add a row", attrs=None):
        super().__init__(attrs)
        self.columns = columns
        self.add_label = add_label
        self.suggestions: list[str] = []

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.columns = [dict(c) for c in self.columns]
        copy.suggestions = list(self.suggestions)
        return copy

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = [row for row in (value or []) if isinstance(row, dict)] + [{}]
        list_id = f"{context['widget']['attrs'].get('id', name)}-suggestions"
        context["widget"].update(
            {
                "add_label": self.add_label,
                "list_id": list_id if self.suggestions else "",
                "suggestions": self.suggestions,
                "columns": self.columns,
                "rows": [
                    [
                        {
                            "name": f"{name}-{index}-{column['key']}",
                            "value": "" if row.get(column["key"]) is None else row[column["key"]],
                            "column": column,
                        }
                        for column in self.columns
                    ]
                    for index, row in enumerate(rows)
                ],
            }
        )
        return context

    def value_from_datadict(self, data, files, name):
        keys = {c["key"] for c in self.columns}
        pattern = re.compile(rf"{re.escape(name)}-(\d{{1,4}})-(\w+)")
        rows: dict[int, dict] = {}
        for key in data:
            match = pattern.fullmatch(key)
            if match and match[2] in keys:
                rows.setdefault(int(match[1]), {})[match[2]] = data.get(key)
        return [rows[index] for index in sorted(rows)]

    def value_omitted_from_data(self, data, files, name):
        return False

    def id_for_label(self, id_):
        return f"{id_}-0-{self.columns[0]['key']}" if id_ else id_


class RetypeSelect(forms.Select):
    """A select that shows the form again for the new choice: at once with the admin script,
    or with the button next to it."""

    template_name = "tagmanager/admin/widgets/retype_select.html"

    def __init__(self, *args, button: str = "Show", **kwargs):
        super().__init__(*args, **kwargs)
        self.button = button

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update({"button": self.button, "retype": RETYPE})
        return context


class RowsField(forms.Field):
    """Rows with every text column empty are ignored."""

    columns: list[dict] = []
    add_label = "Add a row"

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", RowsWidget(self.columns, add_label=self.add_label))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if not isinstance(value, list):
            return []
        text_keys = [c["key"] for c in self.columns if not c.get("choices")]
        rows = [
            {k: (row.get(k) or "").strip() for k in (c["key"] for c in self.columns)}
            for row in value
            if isinstance(row, dict)
        ]
        rows = [row for row in rows if any(row[k] for k in text_keys)]
        if len(rows) > MAX_ROWS:
            raise ValidationError(f"At most {MAX_ROWS} rows.", code="max_rows")
        return rows


def _number(text: str):
    try:
        number = float(text)
    except ValueError:
        return text  # the registry explains what is wrong
    return int(number) if number.is_integer() and "." not in text else number


class ConditionsField(RowsField):
    """Trigger conditions as rows of variable / operator / value; all must hold."""

    columns = [
        {"key": "variable", "label": "Variable", "placeholder": "page_path", "list": True},
        {"key": "operator", "label": "Operator", "choices": list(OPERATORS.items())},
        {"key": "value", "label": "Value", "placeholder": "/checkout"},
    ]
    add_label = "Add a condition"

    def prepare_value(self, value):
        return [
            {**c, "value": "" if c.get("value") is None else str(c.get("value"))}
            for c in (value or [])
            if isinstance(c, dict)
        ]

    def to_python(self, value):
        rows = super().to_python(value)
        # The numeric operators compare numbers; keep them numbers in the configuration.
        return [
            {**row, "value": _number(row["value"])} if row["operator"] in NUMERIC else row
            for row in rows
        ]


class MappingField(RowsField):
    """``{name: value}`` pairs as rows (e.g. a GA4 tag's event parameters)."""

    columns = [
        {"key": "name", "label": "Name", "placeholder": "content_group"},
        {"key": "value", "label": "Value", "placeholder": "{{page_path}}"},
    ]
    add_label = "Add a parameter"

    def prepare_value(self, value):
        if isinstance(value, dict):
            return [{"name": k, "value": "" if v is None else str(v)} for k, v in value.items()]
        return value

    def to_python(self, value):
        rows = super().to_python(value)
        mapping = {}
        for row in rows:
            if not row["name"]:
                raise ValidationError(
                    f"Give the value '{row['value']}' a name.", code="missing_name"
                )
            if row["name"] in mapping:
                raise ValidationError(f"'{row['name']}' appears twice.", code="duplicate")
            mapping[row["name"]] = row["value"]
        return mapping
