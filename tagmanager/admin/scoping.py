"""Container membership in the admin: a user sees only their containers' objects (superusers all).

Every model admin of the app scopes its changelist, its object URLs (an object outside the
user's containers "doesn't exist"), its list filters and its choice fields through
``tagmanager.permissions``.
"""

from django.contrib import admin

from tagmanager import permissions
from tagmanager.admin.widgets import is_pk
from tagmanager.models import ConsentCategory, Container, Trigger


class ContainerListFilter(admin.RelatedFieldListFilter):
    """The container filter, offering only the user's containers."""

    def field_choices(self, field, request, model_admin):
        return [(c.pk, str(c)) for c in permissions.containers_for_user(request.user)]


class CategoryListFilter(admin.SimpleListFilter):
    """Tags by consent category slug, offering only the slugs of the user's containers."""

    title = "consent category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        slugs = (
            permissions.scope_to_user(ConsentCategory.objects.all(), request.user)
            .order_by("slug")
            .values_list("slug", flat=True)
            .distinct()
        )
        return [(slug, slug) for slug in slugs]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(categories__slug=self.value()).distinct()
        return queryset


# Related models whose choices must stay inside the user's containers.
_SCOPED_CHOICES = {Container: None, ConsentCategory: "container", Trigger: "container"}


class ContainerScopedAdmin(admin.ModelAdmin):
    """A model admin whose objects belong to a container (``container_field``)."""

    container_field = "container"

    def get_queryset(self, request):
        return permissions.scope_to_user(
            super().get_queryset(request), request.user, field=self.container_field
        )

    def get_object(self, request, object_id, from_field=None):
        if from_field is None and not is_pk(object_id):
            return None  # not an id: "doesn't exist", without asking the database
        return super().get_object(request, object_id, from_field)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # Forms built from ContainerBoundForm read the user to scope their own choices.
        return type(form.__name__, (form,), {"user": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @staticmethod
    def _scope_choices(db_field, request, kwargs) -> None:
        model = db_field.related_model
        if model not in _SCOPED_CHOICES:
            return
        if model is Container:
            kwargs["queryset"] = permissions.containers_for_user(request.user)
        else:
            kwargs["queryset"] = permissions.scope_to_user(
                model._default_manager.all(), request.user, field=_SCOPED_CHOICES[model]
            )
