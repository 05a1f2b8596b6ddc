"""Admin of containers: settings, consent categories inline, links to the container's pages,
and the list with each container's live version and pending changes."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from tagmanager import permissions
from tagmanager.admin.code_lock import CodeLockInlineFormSet
from tagmanager.admin.forms import ConsentCategoryForm
from tagmanager.admin.scoping import ContainerScopedAdmin
from tagmanager.models import ConsentCategory, Container
from tagmanager.selectors import container_has_unpublished_changes, container_setup_warnings
from tagmanager.services.categories import category_delete, category_save
from tagmanager.services.containers import (
    CONTAINER_SETTINGS,
    container_create,
    container_ensure_default_categories,
    container_update,
)

# The container's own pages, in the order of its object tools. Preview and reports may not be
# installed (or not yet): a page whose URL name does not resolve is left out.
CONTAINER_PAGES = (
    ("publish", "Publish"),
    ("versions", "Versions"),
    ("preview", "Preview"),
    ("reports", "Reports"),
)


def container_page_url(page: str, container_id) -> str | None:
    try:
        return reverse(f"admin:tagmanager_container_{page}", args=[container_id])
    except NoReverseMatch:
        return None


class ConsentCategoryFormSet(CodeLockInlineFormSet):
    def clean(self):
        super().clean()
        # The service refuses too; saying it here keeps the rest of the page's changes.
        for form in self.deleted_forms:
            category = form.instance
            if category.pk and category.tags.exists():
                names = ", ".join(category.tags.order_by("name").values_list("name", flat=True))
                form.add_error(
                    None,
                    f"'{category.slug}' is needed by the tag(s) {names}; remove it there first.",
                )
                raise ValidationError(f"Consent category '{category.slug}' is still needed.")


class ConsentCategoryInline(admin.StackedInline):
    model = ConsentCategory
    form = ConsentCategoryForm
    formset = ConsentCategoryFormSet
    extra = 0
    fields = [
        ("slug", "order", "required", "sale_or_sharing"),
        "names",
        "descriptions",
        "consent_signals",
        "cookies",
    ]

    def get_formset(self, request, obj=None, **kwargs):
        # A category a code tag needs is read-only without change_code_tags (its row says why).
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"user": request.user})


@admin.register(Container)
class ContainerAdmin(ContainerScopedAdmin):
    container_field = "pk"
    change_form_template = "admin/tagmanager/container/change_form.html"
    list_display = ["name", "key", "live_version_link", "unpublished", "pages"]
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

    def get_queryset(self, request):
        return permissions.containers_for_user(request.user).select_related("live_version")

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return self.fieldsets
        # Membership decides who sees what: only superusers manage it.
        head = [f for f in self.fieldsets[0][1]["fields"] if f != "members"]
        return [(None, {"fields": head}), *self.fieldsets[1:]]

    def save_model(self, request, obj, form, change):
        settings = {f: form.cleaned_data[f] for f in CONTAINER_SETTINGS if f in form.cleaned_data}
        if change:
            # From the database: the service compares the old key with the new one.
            form.instance = container_update(container=Container.objects.get(pk=obj.pk), **settings)
        else:
            form.instance = container_create(
                default_categories=False,
                # Whoever creates a container can see it.
                members=[] if request.user.is_superuser else [request.user],
                **settings,
            )
        obj.pk = form.instance.pk

    def save_formset(self, request, form, formset, change):
        if formset.model is not ConsentCategory:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for category in formset.deleted_objects:
            category_delete(category=category)
        for category, _ in formset.changed_objects:
            permissions.require_code_unlocked(request.user, category)
        for category in [*formset.new_objects, *(o for o, _ in formset.changed_objects)]:
            category_instance_save(form.instance, category)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not form.instance.categories.exists():
            container_ensure_default_categories(container=form.instance)

    @admin.display(description="Live version", ordering="live_version__number")
    def live_version_link(self, obj):
        if obj.live_version is None:
            return "not published"
        url = container_page_url("versions", obj.pk)
        return format_html('<a href="{}">v{}</a>', url, obj.live_version.number)

    @admin.display(description="Unpublished changes", boolean=True)
    def unpublished(self, obj):
        return container_has_unpublished_changes(container=obj)

    @admin.display(description="Pages")
    def pages(self, obj):
        links = [(container_page_url(page, obj.pk), label) for page, label in CONTAINER_PAGES[1:]]
        return format_html_join(" · ", '<a href="{}">{}</a>', [x for x in links if x[0]])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "container_pages": []}
        container = self.get_object(request, object_id)
        if container is not None:
            may_publish = permissions.can_publish(request.user, container)
            for page, label in CONTAINER_PAGES:
                url = container_page_url(page, container.pk)
                if page == "publish" and not may_publish:
                    label = "Review changes"
                if url:
                    extra_context["container_pages"].append({"url": url, "label": label})
            if request.method == "GET":
                for warning in container_setup_warnings(container=container):
                    messages.warning(request, warning)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        # Pages of one container, each in its own module: publish / versions, preview, reports.
        # URL names: tagmanager_container_<page>, taking the container's object_id.
        from tagmanager.admin import preview, reports, versions

        return [*versions.urls(self), *preview.urls(self), *reports.urls(self), *super().get_urls()]


def category_instance_save(container, category) -> ConsentCategory:
    """Save a category whose fields a form set, through the service."""
    return category_save(
        container=container,
        slug=category.slug,
        names=category.names,
        descriptions=category.descriptions,
        required=category.required,
        order=category.order,
        consent_signals=category.consent_signals,
        sale_or_sharing=category.sale_or_sharing,
        cookies=category.cookies,
        category=category if category.pk else None,
    )
