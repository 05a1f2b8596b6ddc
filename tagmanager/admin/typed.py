"""Admin for objects with a type from a registry: tags, triggers, variables.

"Add" starts with a short step (container and type); the form then has that type's fields.
Changing the type, or the container, shows the form again for the new choice.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from tagmanager import permissions
from tagmanager.admin.forms import type_start_form
from tagmanager.admin.params import field_name
from tagmanager.admin.scoping import ContainerScopedAdmin
from tagmanager.admin.widgets import RETYPE

# Query parameters the admin itself uses, carried through the first step.
_PRESERVED = ("_popup", "_to_field", "_changelist_filters")


class TypedAdmin(ContainerScopedAdmin):
    """Subclasses set ``form`` (a DefinitionForm) and the fieldsets around the parameters."""

    change_form_template = "tagmanager/admin/typed_change_form.html"
    start_template = "tagmanager/admin/add_start.html"
    head_fields: list = []
    tail_fieldsets: list = []

    class Media:
        css = {"all": ["tagmanager/admin/admin.css"]}
        js = ["tagmanager/admin/forms.js"]

    @property
    def type_field(self) -> str:
        return self.form.type_field

    def chosen_type(self, request, obj) -> str:
        """The type the form is for: as posted, else the object's, else as asked in the URL."""
        if request.method == "POST":
            return request.POST.get(self.type_field, "")
        if obj is not None:
            return getattr(obj, self.type_field)
        return request.GET.get(self.type_field, "")

    # The first step of "Add".

    def add_view(self, request, form_url="", extra_context=None):
        if request.method != "POST" and not self._start_done(request):
            return self.start_view(request)
        return super().add_view(request, form_url, extra_context)

    def _start_done(self, request) -> bool:
        types = self.form.allowed_types(request.user)
        container = request.GET.get("container", "")
        return (
            request.GET.get(self.type_field) in types
            and container.isdigit()
            and permissions.containers_for_user(request.user).filter(pk=container).exists()
        )

    def start_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        containers = permissions.containers_for_user(request.user)
        form_class = type_start_form(
            type_field=self.type_field,
            types=self.form.allowed_types(request.user),
            containers=containers,
        )
        asked = any(k in request.GET for k in ("container", self.type_field))
        form = form_class(request.GET if asked else None)
        if asked:
            form.is_valid()  # shows what is wrong with the parameters given
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Add {self.opts.verbose_name}",
            "form": form,
            "has_containers": containers.exists(),
            "preserved": [(k, request.GET[k]) for k in _PRESERVED if k in request.GET],
            "media": self.media,
            "is_popup": "_popup" in request.GET,
        }
        return TemplateResponse(request, self.start_template, context)

    # The form and its fieldsets follow the chosen type.

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = self.form.for_type(self.chosen_type(request, obj), user=request.user)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            params = {"fields": ["parameters_display"]}
            title = "Settings"
        else:
            kind = self.form.allowed_types(request.user).get(self.chosen_type(request, obj))
            title = f"{kind.label} settings" if kind else "Settings"
            params = {
                "fields": [field_name(p) for p in kind.params] if kind else [],
                "description": kind.description if kind else "Choose a type to see its fields.",
            }
        return [(None, {"fields": self.head_fields}), (title, params), *self.tail_fieldsets]

    @admin.display(description="Parameters")
    def parameters_display(self, obj):
        kind = self.form.registry().get(getattr(obj, self.type_field))
        labels = {p.name: p.label for p in kind.params} if kind else {}
        rows = [(labels.get(k, k), v) for k, v in (obj.parameters or {}).items()]
        if not rows:
            return "none"
        return format_html(
            "<dl class='tm-params'>{}</dl>",
            format_html_join("", "<dt>{}</dt><dd><code>{}</code></dd>", rows),
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        context.update(self.form_context(request, form))
        context["retyped"] = getattr(form, "retyped", False)
        context["retype_var"] = RETYPE
        return super().render_change_form(request, context, add, change, form_url, obj)

    def form_context(self, request, form) -> dict:
        """Extra template context for the change form."""
        return {}
