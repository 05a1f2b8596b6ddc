"""Admin for what marketers define: categories, tags, triggers, variables (containers: see
containers.py)."""

from django.contrib import admin

from tagmanager import permissions
from tagmanager.admin import summary
from tagmanager.admin.code_lock import CodeLockAdmin
from tagmanager.admin.containers import category_instance_save
from tagmanager.admin.definition_forms import TagForm, TriggerForm, VariableForm
from tagmanager.admin.deletion import ServiceDeleteAdmin
from tagmanager.admin.forms import ConsentCategoryAdminForm
from tagmanager.admin.scoping import CategoryListFilter, ContainerListFilter, ContainerScopedAdmin
from tagmanager.admin.typed import TypedAdmin
from tagmanager.models import ConsentCategory, Tag, Trigger, Variable
from tagmanager.registry import tag_types, trigger_types
from tagmanager.services.categories import category_delete
from tagmanager.services.removal import tag_delete, trigger_delete, variable_delete
from tagmanager.services.tags import tag_save, trigger_save, variable_save


@admin.register(ConsentCategory)
class ConsentCategoryAdmin(CodeLockAdmin, ServiceDeleteAdmin, ContainerScopedAdmin):
    form = ConsentCategoryAdminForm
    change_form_template = "tagmanager/admin/typed_change_form.html"
    code_lock_needed = "consent categories of tags that run code"
    list_display = ["slug", "display_name", "container", "required", "sale_or_sharing", "order"]
    list_filter = [("container", ContainerListFilter), "required"]
    list_select_related = ["container"]
    search_fields = ["slug"]
    fields = [
        "container",
        ("slug", "order", "required", "sale_or_sharing"),
        "names",
        "descriptions",
        "consent_signals",
        "cookies",
    ]

    @admin.display(description="Name")
    def display_name(self, obj):
        return summary.category_name(obj, obj.container.default_locale)

    def save_model(self, request, obj, form, change):
        if change:
            permissions.require_code_unlocked(request.user, obj)
        form.instance = category_instance_save(form.cleaned_data["container"], obj)

    def delete_object(self, obj):
        category_delete(category=obj)


class _ServiceSavedAdmin(ServiceDeleteAdmin, TypedAdmin):
    """Saves and deletes through services; saving also sets the many-to-many fields."""

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Tag)
class TagAdmin(CodeLockAdmin, _ServiceSavedAdmin):
    form = TagForm
    list_display = ["name", "type_label", "container", "category_list", "summary", "enabled"]
    list_filter = [("container", ContainerListFilter), "tag_type", "enabled", CategoryListFilter]
    search_fields = ["name"]
    head_fields = ["container", "tag_type", "name"]
    tail_fieldsets = [
        ("When it fires", {"fields": ["firing_triggers", "blocking_triggers", "fire_limit"]}),
        ("Consent", {"fields": ["categories"]}),
        ("Options", {"fields": ["priority", "enabled"]}),
    ]

    class Media:
        js = ["tagmanager/admin/tag_summary.js"]

    @admin.display(description="Type", ordering="tag_type")
    def type_label(self, obj):
        kind = tag_types().get(obj.tag_type)
        return kind.label if kind else obj.tag_type

    @admin.display(description="Needs consent for")
    def category_list(self, obj):
        return ", ".join(c.slug for c in obj.categories.all())

    @admin.display(description="Summary")
    def summary(self, obj):
        return summary.tag_sentence(obj)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("container")
            .prefetch_related("categories", "firing_triggers", "blocking_triggers")
        )

    # Tags that run code: only for users with tagmanager.change_code_tags, enforced by
    # CodeLockAdmin and in the form's type choices, not merely hidden.
    code_lock_needed = "tags that run code (custom HTML, scripts)"

    def delete_object(self, obj):
        tag_delete(tag=obj)

    def form_context(self, request, form) -> dict:
        return {"tag_summary": form.summary_text(), "tag_summary_data": form.summary_data()}

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        permissions.require_tag_type(request.user, data["tag_type"])
        form.instance = tag_save(
            container=data["container"],
            name=data["name"],
            tag_type=data["tag_type"],
            parameters=data["parameters"],
            categories=list(data["categories"]),
            firing_triggers=list(data["firing_triggers"]),
            blocking_triggers=list(data["blocking_triggers"]),
            fire_limit=data["fire_limit"],
            priority=data["priority"],
            enabled=data["enabled"],
            tag=obj if change else None,
        )


@admin.register(Trigger)
class TriggerAdmin(CodeLockAdmin, _ServiceSavedAdmin):
    form = TriggerForm
    list_display = ["name", "type_label", "container", "description"]
    list_filter = [("container", ContainerListFilter), "trigger_type"]
    list_select_related = ["container"]
    search_fields = ["name"]
    head_fields = ["container", "trigger_type", "name"]
    tail_fieldsets = [("Conditions", {"fields": ["conditions"]})]
    # The triggers of code tags decide when code runs (CodeLockAdmin).
    code_lock_needed = "triggers of tags that run code"

    @admin.display(description="Type", ordering="trigger_type")
    def type_label(self, obj):
        kind = trigger_types().get(obj.trigger_type)
        return kind.label if kind else obj.trigger_type

    @admin.display(description="Waits for")
    def description(self, obj):
        return summary.trigger_phrase(obj)

    def delete_object(self, obj):
        trigger_delete(trigger=obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            permissions.require_code_unlocked(request.user, obj)
        form.instance = trigger_save(
            container=data["container"],
            name=data["name"],
            trigger_type=data["trigger_type"],
            parameters=data["parameters"],
            conditions=data["conditions"],
            trigger=obj if change else None,
        )


@admin.register(Variable)
class VariableAdmin(CodeLockAdmin, _ServiceSavedAdmin):
    form = VariableForm
    list_display = ["name", "variable_type", "container"]
    list_filter = [("container", ContainerListFilter), "variable_type"]
    list_select_related = ["container"]
    search_fields = ["name"]
    head_fields = ["container", "variable_type", "name"]

    # A variable a code tag uses is part of that code: only for users with
    # tagmanager.change_code_tags (read-only page and refused delete for the others).
    code_lock_needed = "variables that tags running code use"

    def delete_object(self, obj):
        variable_delete(variable=obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        variable = obj if change else Variable(container=data["container"])
        permissions.require_variable_change(request.user, variable, name=data["name"])
        form.instance = variable_save(
            container=data["container"],
            name=data["name"],
            variable_type=data["variable_type"],
            parameters=data["parameters"],
            variable=obj if change else None,
        )
