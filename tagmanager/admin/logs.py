"""Read-only admin for records nobody may edit: versions, notices, consent and fire logs."""

from django.contrib import admin
from django.http import StreamingHttpResponse

from tagmanager.models import (
    ConsentNotice,
    ConsentRecord,
    ContainerVersion,
    DeadLetter,
    FireEvent,
    FireEventDaily,
)
from tagmanager.services.export import export_stream


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


def _export(queryset, fmt: str) -> StreamingHttpResponse:
    records = queryset.select_related("notice").order_by("created_at", "pk")
    content_type = "text/csv" if fmt == "csv" else "application/json"
    response = StreamingHttpResponse(
        export_stream(records, fmt=fmt), content_type=f"{content_type}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="consent-records.{fmt}"'
    return response


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    actions = ["export_csv", "export_json"]
    list_display = ["consent_id", "container", "action", "source", "gpc", "created_at"]
    list_filter = ["container", "action", "source", "gpc"]
    search_fields = ["=consent_id", "=previous_consent_id"]
    date_hierarchy = "created_at"
    list_select_related = ["container"]

    @admin.action(description="Export selected records as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return _export(queryset, "csv")

    @admin.action(description="Export selected records as JSON", permissions=["view"])
    def export_json(self, request, queryset):
        return _export(queryset, "json")


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


@admin.register(FireEventDaily)
class FireEventDailyAdmin(ReadOnlyAdmin):
    list_display = ["day", "container", "tag_id", "event_name", "fires", "value_total"]
    list_filter = ["container", "event_name"]
    date_hierarchy = "day"


@admin.register(DeadLetter)
class DeadLetterAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "container", "reason"]
    list_filter = ["container"]
    date_hierarchy = "received_at"
