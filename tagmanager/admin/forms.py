from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join

from tagmanager.models import Tag, Trigger, Variable
from tagmanager.registry import tag_types, trigger_types, variable_types
from tagmanager.services.tags import (
    tag_parameters_validate,
    trigger_definition_validate,
    variable_definition_validate,
)


def _type_choices(types) -> list[tuple[str, str]]:
    return [(slug, kind.label) for slug, kind in types.items()]


def _parameters_help(types) -> str:
    """One line per type: its parameters, so the JSON box is never a guess."""

    def line(kind):
        params = ", ".join(f"{p.name}{'' if p.required else ' (optional)'}" for p in kind.params)
        return kind.label, params or "no parameters"

    return format_html_join("", "<div><b>{}</b>: {}</div>", (line(kind) for kind in types.values()))


def _apply_errors(form: forms.ModelForm, exc: ValidationError) -> None:
    """Show ``parameters.<name>`` errors on the parameters field, naming the parameter."""
    for key, errors in exc.error_dict.items():
        field, _, param = key.partition(".")
        for error in errors:
            message = " ".join(error.messages)
            form.add_error(
                field if field in form.fields else None, f"{param}: {message}" if param else message
            )


class TagForm(forms.ModelForm):
    tag_type = forms.ChoiceField(label="Type")

    class Meta:
        model = Tag
        fields = [
            "container",
            "name",
            "tag_type",
            "parameters",
            "categories",
            "firing_triggers",
            "blocking_triggers",
            "fire_limit",
            "priority",
            "enabled",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag_type"].choices = _type_choices(tag_types())
        self.fields["parameters"].help_text = _parameters_help(tag_types())

    def clean(self):
        data = super().clean()
        if "tag_type" in data and "parameters" in data:
            try:
                data["parameters"] = tag_parameters_validate(
                    tag_type=data["tag_type"], parameters=data["parameters"]
                )
            except ValidationError as exc:
                _apply_errors(self, exc)
        container = data.get("container")
        if container:
            for field in ("categories", "firing_triggers", "blocking_triggers"):
                strangers = [o for o in data.get(field) or () if o.container_id != container.pk]
                if strangers:
                    self.add_error(field, "Pick only items of this tag's container.")
        return data


class TriggerForm(forms.ModelForm):
    trigger_type = forms.ChoiceField(label="Type")

    class Meta:
        model = Trigger
        fields = ["container", "name", "trigger_type", "parameters", "conditions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trigger_type"].choices = _type_choices(trigger_types())
        self.fields["parameters"].help_text = _parameters_help(trigger_types())

    def clean(self):
        data = super().clean()
        if "trigger_type" in data:
            try:
                data["parameters"], data["conditions"] = trigger_definition_validate(
                    trigger_type=data["trigger_type"],
                    parameters=data.get("parameters"),
                    conditions=data.get("conditions"),
                )
            except ValidationError as exc:
                _apply_errors(self, exc)
        return data


class VariableForm(forms.ModelForm):
    variable_type = forms.ChoiceField(label="Type")

    class Meta:
        model = Variable
        fields = ["container", "name", "variable_type", "parameters"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variable_type"].choices = _type_choices(variable_types())
        self.fields["parameters"].help_text = _parameters_help(variable_types())

    def clean(self):
        data = super().clean()
        if "variable_type" in data and "name" in data:
            try:
                data["parameters"] = variable_definition_validate(
                    name=data["name"],
                    variable_type=data["variable_type"],
                    parameters=data.get("parameters"),
                )
            except ValidationError as exc:
                _apply_errors(self, exc)
        return data
