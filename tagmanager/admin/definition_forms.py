"""Admin forms for tags, triggers and variables, built from their type's declared parameters.

A form class is made per type (``TagForm.for_type("meta_pixel", user=...)``): one real field
per parameter, validated by the type, errors shown on the field they concern. Posting with
``_retype`` (the type or container select changed) shows the form again for the new choice,
keeping what was typed and saving nothing.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from tagmanager import permissions
from tagmanager.admin import summary
from tagmanager.admin.forms import ContainerBoundForm
from tagmanager.admin.params import PREFIX, param_fields, param_initial, param_values
from tagmanager.admin.widgets import (
    RETYPE,
    ConditionsField,
    PkChoiceField,
    PkMultipleChoiceField,
    RetypeSelect,
)
from tagmanager.models import ConsentCategory, Container, Tag, Trigger, Variable
from tagmanager.registry import tag_types, trigger_types, variable_types
from tagmanager.registry.variables import BUILTIN_VARIABLES
from tagmanager.services.tags import (
    tag_parameters_validate,
    trigger_definition_validate,
    variable_definition_validate,
)


class DefinitionForm(ContainerBoundForm):
    """A tag, trigger or variable: a type from a registry plus that type's parameters."""

    type_field = ""
    kind = None  # the type whose parameter fields this class carries (see for_type)

    @classmethod
    def registry(cls) -> dict:
        raise NotImplementedError

    @classmethod
    def allowed_types(cls, user) -> dict:
        """The types ``user`` may pick."""
        return cls.registry()

    @classmethod
    def for_type(cls, slug: str | None, *, user) -> type:
        """This form with the fields of type ``slug`` (none if unknown or not allowed)."""
        kind = cls.allowed_types(user).get(slug) if slug else None
        attrs = {"kind": kind, "user": user, **(param_fields(kind.params) if kind else {})}
        return type(cls.__name__, (cls,), attrs)

    @property
    def params(self) -> tuple:
        return self.kind.params if self.kind else ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.retyped = False
        types = self.allowed_types(self.user)
        field = self.fields[self.type_field]
        field.choices = [("", "---------")] + [(slug, k.label) for slug, k in types.items()]
        if self.instance.pk and self.kind and self.kind.slug == self.instance_type():
            self.initial.update(param_initial(self.params, self.instance.parameters))
        if self.is_bound and RETYPE in self.data:
            self._unbind()

    def instance_type(self) -> str:
        return getattr(self.instance, self.type_field, "")

    def _unbind(self) -> None:
        """Show the posted values again without validating or saving them."""
        for name, field in self.fields.items():
            if not field.disabled:
                self.initial[name] = field.widget.value_from_datadict(
                    self.data, self.files, self.add_prefix(name)
                )
        self.is_bound = False
        self.retyped = True

    def validate_definition(self, data: dict, values: dict) -> None:
        """Validate through the service's validator; put cleaned values into ``data``."""
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        slug = data.get(self.type_field)
        if slug and self.kind and slug == self.kind.slug:
            try:
                self.validate_definition(data, param_values(self.params, data))
            except ValidationError as exc:
                self._apply_errors(exc)
        return data

    def _apply_errors(self, exc: ValidationError) -> None:
        """Put ``parameters.<name>`` errors on that parameter's field, led by its label."""
        for key, errors in exc.error_dict.items():
            field, _, param = key.partition(".")
            messages = [m for error in errors for m in error.messages]
            if param:
                name = PREFIX + param
                if name not in self.fields:
                    self.add_error(None, [f"{param}: {m}" for m in messages])
                elif name not in self.errors:
                    label = self.fields[name].label
                    self.add_error(name, [f"{label}: {m}" for m in messages])
            elif field in self.fields and field not in self.errors:
                self.add_error(field, messages)
            elif field not in self.fields:
                self.add_error(None, messages)


class TagForm(DefinitionForm):
    type_field = "tag_type"

    container = PkChoiceField(
        queryset=Container.objects.none(), widget=RetypeSelect(button="Show its triggers")
    )
    tag_type = forms.ChoiceField(label="Type", widget=RetypeSelect(button="Show its fields"))
    categories = PkMultipleChoiceField(
        queryset=ConsentCategory.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Needs consent for",
        help_text="The tag fires only when the visitor granted ALL of these.",
    )
    firing_triggers = PkMultipleChoiceField(
        queryset=Trigger.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Fires on",
        help_text="Any of these triggers fires the tag.",
    )
    blocking_triggers = PkMultipleChoiceField(
        queryset=Trigger.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Except when",
        help_text="The tag does not fire on an event that matches any of these.",
    )

    class Meta:
        model = Tag
        fields = [
            "container",
            "name",
            "tag_type",
            "categories",
            "firing_triggers",
            "blocking_triggers",
            "fire_limit",
            "priority",
            "enabled",
        ]

    @classmethod
    def registry(cls) -> dict:
        return tag_types()

    @classmethod
    def allowed_types(cls, user) -> dict:
        return {s: k for s, k in tag_types().items() if permissions.can_use_tag_type(user, s)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        container = self.current_container()
        self.container = container
        if container is not None:
            self.fields["categories"].queryset = container.categories.order_by("order", "slug")
            for name in ("firing_triggers", "blocking_triggers"):
                self.fields[name].queryset = container.triggers.order_by("name")
        # Changing the container changes which categories and triggers may be picked; an
        # existing tag stays where it is.
        if self.fields["container"].disabled:
            self.fields["container"].widget = forms.Select(choices=self.fields["container"].choices)

    def validate_definition(self, data, values):
        data["parameters"] = tag_parameters_validate(tag_type=self.kind.slug, parameters=values)

    # The summary sentence, from what is currently chosen.

    def _chosen(self, name: str) -> list[str]:
        if not self.is_bound and name not in self.initial and self.instance.pk:
            value = getattr(self.instance, name).all()  # read-only page: not in the form
        else:
            value = self[name].value() or []
        return [str(getattr(v, "pk", v)) for v in value]

    def _current(self, name: str):
        # A read-only page leaves the model's own fields out of the form.
        return self[name].value() if name in self.fields else getattr(self.instance, name)

    def summary_data(self) -> dict:
        """What the browser needs to rebuild the summary sentence as the user edits."""
        locale = self.container.default_locale if self.container else "en"
        return {
            "triggers": {
                str(t.pk): summary.trigger_phrase(t)
                for t in self.fields["firing_triggers"].queryset
            },
            "categories": {
                str(c.pk): summary.category_name(c, locale)
                for c in self.fields["categories"].queryset
            },
            "texts": summary.TEXTS,
            "limits": summary.FIRE_LIMITS,
        }

    def summary_text(self) -> str:
        data = self.summary_data()
        pick = lambda name, table: [table[k] for k in self._chosen(name) if k in table]  # noqa: E731
        return summary.tag_summary(
            triggers=pick("firing_triggers", data["triggers"]),
            blocking=pick("blocking_triggers", data["triggers"]),
            categories=pick("categories", data["categories"]),
            fire_limit=self._current("fire_limit") or "",
            enabled=bool(self._current("enabled")),
        )


class TriggerForm(DefinitionForm):
    type_field = "trigger_type"

    container = PkChoiceField(queryset=Container.objects.none())
    trigger_type = forms.ChoiceField(label="Type", widget=RetypeSelect(button="Show its fields"))
    conditions = ConditionsField(
        label="Only when",
        help_text="All conditions must hold; leave empty to match every time. "
        "Variables: the built-ins (page_path, utm_campaign, event.value: any field of the "
        "pushed event ...) or this container's own.",
    )

    class Meta:
        model = Trigger
        fields = ["container", "name", "trigger_type", "conditions"]

    @classmethod
    def registry(cls) -> dict:
        return trigger_types()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        container = self.current_container()
        own = list(container.variables.values_list("name", flat=True)) if container else []
        builtins = [n for n in BUILTIN_VARIABLES if n != "event"]
        self.fields["conditions"].widget.suggestions = [
            *builtins,
            "event.value",
            "event.currency",
            *own,
        ]

    def validate_definition(self, data, values):
        data["parameters"], data["conditions"] = trigger_definition_validate(
            trigger_type=self.kind.slug, parameters=values, conditions=data.get("conditions")
        )


class VariableForm(DefinitionForm):
    type_field = "variable_type"

    container = PkChoiceField(queryset=Container.objects.none())
    variable_type = forms.ChoiceField(label="Type", widget=RetypeSelect(button="Show its fields"))

    class Meta:
        model = Variable
        fields = ["container", "name", "variable_type"]

    @classmethod
    def registry(cls) -> dict:
        return variable_types()

    def clean(self):
        data = super().clean()
        container = self.instance.container if self.instance.pk else data.get("container")
        if container is not None and data.get("name"):
            variable = self.instance if self.instance.pk else Variable(container=container)
            try:
                permissions.require_variable_change(self.user, variable, name=data["name"])
            except PermissionDenied as exc:
                self.add_error("name", str(exc))
        return data

    def validate_definition(self, data, values):
        data["parameters"] = variable_definition_validate(
            name=data.get("name", ""), variable_type=self.kind.slug, parameters=values
        )
