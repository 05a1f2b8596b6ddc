"""Only developers choose code: without tagmanager.change_code_tags, a tag that runs code, and
what decides what it runs or when (its triggers, its consent categories, the variables they
read), is read-only, with the reason on its page (``permissions.code_lock_reason``)."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from tagmanager import permissions


class CodeLockAdmin(admin.ModelAdmin):
    """Refuses changing and deleting locked objects (not merely hiding the buttons)."""

    # How the delete page names what the user lacks.
    code_lock_needed = "what decides which code runs, or when (managing code tags)"

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None:
            return permissions.can_change_definition(request.user, obj)
        return allowed

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if allowed and obj is not None:
            return permissions.can_change_definition(request.user, obj)
        return allowed

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(not permissions.can_change_definition(request.user, obj) for obj in objs):
            perms_needed = {*perms_needed, self.code_lock_needed}
        return deleted, model_count, perms_needed, protected

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["code_lock_reason"] = permissions.code_lock_reason(request.user, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


class CodeLockInlineFormSet(BaseInlineFormSet):
    """An inline whose locked rows are shown with every field disabled (posted values are
    ignored) and the reason as the first field's help. The inline sets ``user``."""

    user = None

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        reason = permissions.code_lock_reason(self.user, form.instance) if self.user else ""
        if reason and form.instance.pk:
            for field in form.fields.values():
                field.disabled = True
            # Nor is the row saved: a disabled JSON field still reports posted text as a change.
            form.has_changed = lambda: False
            first = next((f for name, f in form.fields.items() if name != "id"), None)
            if first is not None:
                first.help_text = reason
        return form
