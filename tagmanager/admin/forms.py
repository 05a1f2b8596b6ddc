"""Admin forms: the base of forms for a container's objects, consent categories, the first
step of "Add", publish and rollback. Tags, triggers and variables: definition_forms.py."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from tagmanager import permissions
from tagmanager.admin.widgets import PkChoiceField, is_pk
from tagmanager.models import ConsentCategory, Container
from tagmanager.services.categories import CATEGORY_FIELDS, category_definition_validate


class ContainerBoundForm(forms.ModelForm):
    """A form for an object of a container: only the user's containers are offered, and an
    existing object stays in its container. The admin sets ``user`` on the class."""

    user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("container")
        if field is not None:
            field.queryset = permissions.containers_for_user(self.user)
            if self.instance.pk:
                field.disabled = True

    def current_container(self) -> Container | None:
        """The container being edited in: the object's, else the one chosen (or the only one)."""
        if self.instance.pk:
            return self.instance.container
        field = self.fields.get("container")
        if field is None:
            return None
        raw = self.data.get(self.add_prefix("container")) if self.data else None
        if raw is None:
            raw = self.initial.get("container")
        if isinstance(raw, Container):
            raw = raw.pk
        visible = field.queryset
        if raw not in (None, ""):
            return visible.filter(pk=raw).first() if is_pk(raw) else None
        only = list(visible[:2])
        return only[0] if len(only) == 1 else None


class ConsentCategoryForm(ContainerBoundForm):
    """Texts, signals and cookie names checked by the category service's validator."""

    class Meta:
        model = ConsentCategory
        fields = ["container", *CATEGORY_FIELDS]

    def clean(self):
        data = super().clean()
        if "names" not in data:
            return data
        try:
            cleaned = category_definition_validate(
                names=data.get("names"),
                descriptions=data.get("descriptions") or {},
                consent_signals=data.get("consent_signals") or [],
                cookies=data.get("cookies") or [],
            )
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            keys = ("names", "descriptions", "consent_signals", "cookies")
            data.update(dict(zip(keys, cleaned, strict=True)))
        return data


class ConsentCategoryAdminForm(ConsentCategoryForm):
    """The category's own page (not inline): its container is chosen here."""

    container = PkChoiceField(queryset=Container.objects.none())


def _type_label(kind) -> str:
    code = " (runs code on the site)" if getattr(kind, "runs_code", False) else ""
    return format_html(
        '<strong>{}</strong>{} <span class="help">{}</span>', kind.label, code, kind.description
    )


class TypeList(forms.RadioSelect):
    """Radio buttons in a list the admin's styles leave full width."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["class"] = "tm-type-list"
        return context


def type_start_form(*, type_field: str, types: dict, containers) -> type[forms.Form]:
    """The first step of "Add": which container, and which type."""
    choices = [(slug, _type_label(kind)) for slug, kind in types.items()]
    fields = {
        "container": PkChoiceField(queryset=containers, label="Container", empty_label=None),
        type_field: forms.ChoiceField(
            choices=choices,
            label="Type",
            widget=TypeList,
        ),
    }
    return type("TypeStartForm", (forms.Form,), fields)


class PublishForm(forms.Form):
    notes = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="What changed and why; shown in the versions list.",
    )
    # The draft the user reviewed: publishing something else needs another look.
    draft_hash = forms.CharField(widget=forms.HiddenInput, required=False)


class RollbackForm(forms.Form):
    notes = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Why; by default \u201cRollback to version N\u201d.",
    )
