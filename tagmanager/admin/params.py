"""Form fields for the parameters a tag, trigger or variable type declares.

The fields only collect what the user typed; the type's own ``validate`` (through the services'
validators) decides what is valid, so the admin, the API and publishing say the same thing.
"""

from django import forms

from tagmanager.admin.widgets import MappingField
from tagmanager.registry.params import Param

PREFIX = "param_"


def field_name(param: Param) -> str:
    return PREFIX + param.name


def _help(param: Param) -> str:
    example = param.extra.get("example")
    parts = [param.help_text] if param.help_text else []
    if example:
        parts.append(f"For example {example}.")
    return " ".join(parts)


def _choices(param: Param) -> list[tuple]:
    choices = [c if isinstance(c, tuple) else (c, c) for c in param.choices]
    return choices if param.required else [("", "---------"), *choices]


def param_field(param: Param) -> forms.Field:
    """A form field for one parameter, labelled and explained as the type declares it."""
    common = {
        "label": param.label,
        "help_text": _help(param),
        "required": param.required,
        # Errors lead with the label, as the type's own errors do.
        "error_messages": {"required": f"{param.label}: This field is required."},
    }
    text_attrs = {"class": "vTextField"}
    if param.kind in ("int", "decimal"):
        text_attrs = {"class": "vIntegerField" if param.kind == "int" else "vTextField"}
    if param.kind == "bool":
        return forms.BooleanField(**{**common, "required": False}, initial=param.default)
    if param.kind == "choice":
        return forms.ChoiceField(choices=_choices(param), initial=param.default, **common)
    if param.kind == "mapping":
        return MappingField(**{**common, "required": False}, initial=param.default)
    if param.kind == "html":
        return forms.CharField(
            widget=forms.Textarea(attrs={"class": "tm-code", "rows": 10, "spellcheck": "false"}),
            strip=False,
            initial=param.default,
            **common,
        )
    if param.kind == "int_list":
        return IntListField(initial=param.default, **common)
    if param.kind == "url":
        text_attrs = {"class": "vURLField", "inputmode": "url", "spellcheck": "false"}
    if param.default not in (None, ""):
        text_attrs["placeholder"] = str(param.default)
    return forms.CharField(
        widget=forms.TextInput(attrs=text_attrs), initial=param.default, **common
    )


class IntListField(forms.CharField):
    """Whole numbers typed as ``25, 50, 75``; the type checks them."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value


def param_fields(params) -> dict[str, forms.Field]:
    return {field_name(p): param_field(p) for p in params}


def param_values(params, cleaned_data: dict) -> dict:
    """What the user entered, keyed by parameter name, for the type to validate.

    Empty entries are left out, so the type fills in its defaults.
    """
    values = {}
    for param in params:
        value = cleaned_data.get(field_name(param))
        if value is None or value == "" or value == {}:
            continue
        if param.kind == "bool" and value is False and param.default is not True:
            continue  # an unticked box means "not set" unless it switches a default off
        values[param.name] = value
    return values


def param_initial(params, parameters: dict) -> dict:
    """Initial field values for stored parameters."""
    return {
        field_name(p): parameters[p.name]
        for p in params
        if (parameters or {}).get(p.name) is not None
    }
