"""Read-only admin for records nobody may edit: versions, notices, consent and fire logs."""

from django.contrib import admin

from tagmanager.admin import consent_export
from tagmanager.admin.log_filters import exact_search, period_filter
from tagmanager.admin.scoping import ContainerListFilter, ContainerScopedAdmin
from tagmanager.models import (
    ConsentNotice,
    ConsentRecord,
    ContainerVersion,
    DeadLetter,
    FireEvent,
    FireEventDaily,
)


class ReadOnlyAdmin(ContainerScopedAdmin):
    """Read-only, and limited to the user's containers (dead letters of no container: superusers
    only)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContainerVersion)
class ContainerVersionAdmin(ReadOnlyAdmin):
    list_display = ["container", "number", "author", "created_at", "notes", "rollback_of"]
    list_filter = [("container", ContainerListFilter)]
    list_select_related = ["container", "author", "rollback_of"]
    exclude = ["config"]
    readonly_fields = [
        "container",
        "number",
        "content_hash",
        "notes",
        "author",
        "created_at",
        "rollback_of",
    ]


@admin.register(ConsentNotice)
class ConsentNoticeAdmin(ReadOnlyAdmin):
    list_display = ["container", "revision", "locale", "sha256", "created_at"]
    list_filter = [("container", ContainerListFilter), "locale"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    actions = ["export_csv", "export_json"]
    list_display = ["consent_id", "container", "action", "source", "gpc", "created_at"]
    # Filters with fixed choices only, and no date hierarchy: both would read the whole table
    # on every load of the list (see log_filters).
    list_filter = [
        ("container", ContainerListFilter),
        period_filter("created_at"),
        "action",
        "source",
        "gpc",
    ]
    search_fields = ["consent_id", "previous_consent_id"]  # whole ids: get_search_results
    search_help_text = "A whole consent id (also found where it is the previous consent id)."
    list_select_related = ["container"]
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        uuid_fields = ("consent_id", "previous_consent_id")
        return exact_search(queryset, search_term, uuid_fields=uuid_fields), False

    def get_urls(self):
        # The Export page (by consent id or date range); the list links to it.
        return [*consent_export.urls(self), *super().get_urls()]

    @admin.action(description="Export selected records as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return consent_export.export_response(queryset, fmt="csv")

    @admin.action(description="Export selected records as JSON", permissions=["view"])
    def export_json(self, request, queryset):
        return consent_export.export_response(queryset, fmt="json")


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
    # As for consent records: no filter reads the table to offer its choices; event names
    # are searched for instead of listed.
    list_filter = [
        ("container", ContainerListFilter),
        period_filter("server_time"),
        "consent_violation",
    ]
    search_fields = ["event_id", "event_name", "consent_id"]  # whole values: get_search_results
    search_help_text = "A whole event id, event name (e.g. purchase) or consent id."
    list_select_related = ["container"]
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        text_fields = ("event_id", "event_name")
        found = exact_search(
            queryset, search_term, text_fields=text_fields, uuid_fields=("consent_id",)
        )
        return found, False


@admin.register(FireEventDaily)
class FireEventDailyAdmin(ReadOnlyAdmin):
    list_display = ["day", "container", "tag_id", "event_name", "fires", "value_total"]
    list_filter = [("container", ContainerListFilter), "event_name"]
    date_hierarchy = "day"


@admin.register(DeadLetter)
class DeadLetterAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "container", "reason"]
    list_filter = [("container", ContainerListFilter)]
    date_hierarchy = "received_at"
