"""Deleting through the removal services, which refuse to remove what is still in use."""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse


class ServiceDeleteAdmin(admin.ModelAdmin):
    """Subclasses implement ``delete_object(obj)`` with a service. A refusal ("still used by
    tag 'Meta'") is shown as an error message and nothing is deleted, for one object or a
    selection."""

    def delete_object(self, obj) -> None:
        raise NotImplementedError

    def delete_model(self, request, obj):
        self.delete_object(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_object(obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            # The admin's own transaction is rolled back, history entries included.
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            opts = self.opts
            return redirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change",
                    args=[quote(object_id)],
                    current_app=self.admin_site.name,
                )
            )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            func, name, description = actions["delete_selected"]
            actions["delete_selected"] = (self._refusable(func), name, description)
        return actions

    def _refusable(self, action):
        def run(modeladmin, request, queryset):
            try:
                with transaction.atomic():
                    return action(modeladmin, request, queryset)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return None

        return run
