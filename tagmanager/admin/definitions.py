"""Admin for what marketers define: containers, categories, tags, triggers, variables."""

from django.contrib import admin

from tagmanager.admin.forms import TagForm, TriggerForm, VariableForm
from tagmanager.models import ConsentCategory, Container, Tag, Trigger, Variable
from tagmanager.registry import tag_types, trigger_types
from tagmanager.services.tags import tag_save, trigger_save, variable_save


class ConsentCategoryInline(admin.StackedInline):
    model = ConsentCategory
    extra = 0
    fields = [
        ("slug", "order", "required", "sale_or_sharing"),
        "names",
        "descriptions",
        "consent_signals",
        "cookies",
    ]


@admin.register(Container)
class ContainerAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "revision", "live_version", "honour_gpc"]
    search_fields = ["name", "key"]
    readonly_fields = ["live_version", "created_at", "updated_at"]
    filter_horizontal = ["members"]
    inlines = [ConsentCategoryInline]
    fieldsets = [
        (None, {"fields": ["name", "key", "allowed_origins", "members"]}),
        (
            "Consent",
            {
                "fields": [
                    "revision",
                    "consent_lifetime_days",
                    "honour_gpc",
                    "cookie_domain",
                    "consent_mode_defaults",
                ]
            },
        ),
        ("Banner", {"fields": ["default_locale", "banner_texts"]}),
        ("Publishing", {"fields": ["live_version", "created_at", "updated_at"]}),
    ]


class _ServiceSavedAdmin(admin.ModelAdmin):
    """Saves through a service, which also sets the many-to-many fields."""

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Tag)
class TagAdmin(_ServiceSavedAdmin):
    form = TagForm
    list_display = ["name", "type_label", "container", "category_list", "priority", "enabled"]
    list_filter = ["container", "tag_type", "enabled", "categories__slug"]
    search_fields = ["name"]
    filter_horizontal = ["categories", "firing_triggers", "blocking_triggers"]

    @admin.display(description="Type", ordering="tag_type")
    def type_label(self, obj):
        kind = tag_types().get(obj.tag_type)
        return kind.label if kind else obj.tag_type

    @admin.display(description="Needs consent for")
    def category_list(self, obj):
        return ", ".join(c.slug for c in obj.categories.all())

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("container").prefetch_related("categories")
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
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
class TriggerAdmin(_ServiceSavedAdmin):
    form = TriggerForm
    list_display = ["name", "type_label", "container"]
    list_filter = ["container", "trigger_type"]
    search_fields = ["name"]

    @admin.display(description="Type", ordering="trigger_type")
    def type_label(self, obj):
        kind = trigger_types().get(obj.trigger_type)
        return kind.label if kind else obj.trigger_type

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        form.instance = trigger_save(
            container=data["container"],
            name=data["name"],
            trigger_type=data["trigger_type"],
            parameters=data["parameters"],
            conditions=data["conditions"],
            trigger=obj if change else None,
        )


@admin.register(Variable)
class VariableAdmin(_ServiceSavedAdmin):
    form = VariableForm
    list_display = ["name", "variable_type", "container"]
    list_filter = ["container", "variable_type"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        form.instance = variable_save(
            container=data["container"],
            name=data["name"],
            variable_type=data["variable_type"],
            parameters=data["parameters"],
            variable=obj if change else None,
        )
