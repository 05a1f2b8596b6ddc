"""Read-only admin for records nobody may edit: versions, notices, consent and fire logs."""

from django.contrib import admin

from tagmanager.models import ConsentNotice, ConsentRecord, ContainerVersion, FireEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContainerVersion)
class ContainerVersionAdmin(ReadOnlyAdmin):
    list_display = ["container", "number", "author", "created_at", "notes"]
    list_filter = ["container"]
    exclude = ["config"]
    readonly_fields = ["container", "number", "content_hash", "notes", "author", "created_at"]


@admin.register(ConsentNotice)
class ConsentNoticeAdmin(ReadOnlyAdmin):
    list_display = ["container", "revision", "locale", "sha256", "created_at"]
    list_filter = ["container", "locale"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ["consent_id", "container", "action", "source", "gpc", "created_at"]
    list_filter = ["container", "action", "source", "gpc"]
    search_fields = ["=consent_id", "=previous_consent_id"]
    date_hierarchy = "created_at"
    list_select_related = ["container"]


@admin.register(FireEvent)
class FireEventAdmin(ReadOnlyAdmin):
    list_display = [
        "event_name",
        "container",
        "tag_id",
        "value",
        "currency",
        "consent_violation",
        "server_time",
    ]
    list_filter = ["container", "event_name", "consent_violation"]
    search_fields = ["=event_id", "=consent_id"]
    date_hierarchy = "server_time"
    list_select_related = ["container"]
    show_full_result_count = False
