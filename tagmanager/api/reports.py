"""``GET containers/<key>/report/``: the Reports page's numbers as JSON.

Same selector (``tagmanager.reports.container_report``), permission
(``tagmanager.view_fireevent``) and container scoping (404 outside your containers) as the
admin page; as there, the consent part (``consent``, ``totals.consent_decisions``) is null
unless the user also holds ``tagmanager.view_consentrecord``. Mounted by
``tagmanager.api.urls``.
"""

import re

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from tagmanager import permissions
from tagmanager.api.base import ApiMixin
from tagmanager.api.schema import document
from tagmanager.reports import container_report
from tagmanager.reports.ranges import MAX_DAYS, PRESETS, report_range

KEY = re.compile(r"[-a-zA-Z0-9_]+")  # a container key (a slug)


class ReportQuerySerializer(serializers.Serializer):
    days = serializers.ChoiceField(
        choices=PRESETS,
        required=False,
        help_text="The last 7, 30 or 90 UTC days up to today (default 30, unless start is set).",
    )
    start = serializers.DateField(
        required=False, help_text="First UTC day (YYYY-MM-DD); wins over days."
    )
    end = serializers.DateField(
        required=False, help_text=f"Last UTC day, default today; at most {MAX_DAYS} days."
    )

    def validate(self, attrs):
        try:
            attrs["range"] = report_range(
                today=timezone.now().date(),
                days=attrs.get("days"),
                start=attrs.get("start"),
                end=attrs.get("end"),
            )
        except ValueError as exc:
            raise serializers.ValidationError({"non_field_errors": [str(exc)]}) from None
        return attrs


class ReportTag(serializers.Serializer):
    tag_id = serializers.IntegerField(help_text="0 for pixel hits without a tag.")
    tag = serializers.CharField(help_text="The tag's name.")


class ReportTagCount(ReportTag):
    count = serializers.IntegerField()


class ReportTagSeries(ReportTag):
    values = serializers.ListField(child=serializers.IntegerField(), help_text="One per day.")
    total = serializers.IntegerField()


class ReportActionSeries(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["accept_all", "custom", "reject_all", "gpc", "withdraw"]
    )
    label = serializers.CharField()
    values = serializers.ListField(child=serializers.IntegerField(), help_text="One per day.")
    total = serializers.IntegerField()


class ReportRefusedSeries(serializers.Serializer):
    door = serializers.ChoiceField(choices=["collect", "consent", "pixel"])
    label = serializers.CharField()
    values = serializers.ListField(child=serializers.IntegerField(), help_text="One per day.")
    total = serializers.IntegerField()


class ReportCategoryRate(serializers.Serializer):
    slug = serializers.CharField()
    label = serializers.CharField()
    granted = serializers.IntegerField(help_text="Choices that granted the category.")
    decisions = serializers.IntegerField(help_text="Choices: accept all, reject all, custom.")
    rate = serializers.FloatField(allow_null=True, help_text="granted / decisions, 0..1.")


class ReportConsent(serializers.Serializer):
    actions = ReportActionSeries(many=True)
    categories = ReportCategoryRate(many=True)


class ReportTagConversions(ReportTag):
    conversions = serializers.IntegerField()
    value = serializers.DecimalField(
        max_digits=24, decimal_places=4, help_text="Sum of the values sent, any currency."
    )


class ReportCampaign(serializers.Serializer):
    campaign = serializers.CharField(allow_blank=True, help_text="utm_campaign; empty: none.")
    label = serializers.CharField()
    tags = ReportTagConversions(many=True)
    best_value = serializers.DecimalField(
        max_digits=24, decimal_places=4, help_text="The largest value any one tag reported."
    )


class ReportConversions(serializers.Serializer):
    events = serializers.ListField(child=serializers.CharField(), help_text="CONVERSION_EVENTS.")
    campaigns = ReportCampaign(many=True)
    tags = ReportTagConversions(many=True)


class ReportAudit(serializers.Serializer):
    never_fired = ReportTag(many=True, help_text="Tags of the live version without a fire.")
    outside_triggers = ReportTagCount(many=True, help_text="Fires outside the tag's triggers.")
    duplicates = ReportTagCount(many=True, help_text="Events received again (same event id).")
    consent_violations = ReportTagCount(many=True, help_text="Fires without the needed consent.")


WITHHELD = f"null without the permission {permissions.VIEW_CONSENT}."


class ReportTotals(serializers.Serializer):
    fires = serializers.IntegerField()
    consent_decisions = serializers.IntegerField(
        allow_null=True, help_text=f"Decisions; {WITHHELD}"
    )
    conversions = serializers.IntegerField()
    consent_violations = serializers.IntegerField()
    outside_triggers = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    refused = serializers.IntegerField(help_text="Requests refused over a rate limit (429).")


class ReportSources(serializers.Serializer):
    rolled_up_days = serializers.IntegerField(help_text="Days read from the daily roll-ups.")
    raw_days = serializers.IntegerField(help_text="Days counted from the raw rows.")


class ReportSerializer(serializers.Serializer):
    container = serializers.CharField(help_text="Container key.")
    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.ListField(child=serializers.DateField(), help_text="Every day, in order.")
    totals = ReportTotals()
    fires = ReportTagSeries(many=True, help_text="Fires per tag per day, most fires first.")
    consent = ReportConsent(
        allow_null=True,
        help_text=f"Consent decisions per day and acceptance rates; {WITHHELD}",
    )
    conversions = ReportConversions()
    audit = ReportAudit()
    refused = ReportRefusedSeries(
        many=True,
        help_text="Requests each public endpoint refused over a rate limit (429), per day.",
    )
    sources = ReportSources()


class ContainerReportView(ApiMixin, APIView):
    """Reports of one of your containers (needs ``tagmanager.view_fireevent``; the consent
    part also ``tagmanager.view_consentrecord``)."""

    required_permissions = ("tagmanager.view_fireevent",)

    @document(
        summary="A container's report: fires, consent, conversions and the pixel audit",
        description="Per UTC day. Days already rolled up are read from the daily roll-ups, "
        "the others counted from the raw rows (see `sources`). `consent` and "
        "`totals.consent_decisions` are null unless you also hold "
        f"`{permissions.VIEW_CONSENT}`.",
        parameters=[
            OpenApiParameter(
                "key", str, OpenApiParameter.PATH, description="Container key.", pattern=KEY.pattern
            ),
            ReportQuerySerializer,
        ],
        responses=ReportSerializer,
    )
    def get(self, request, key):
        if not KEY.fullmatch(key):
            raise NotFound("No container with this key among yours.")
        container = get_object_or_404(
            permissions.containers_for_user(request.user).select_related("live_version"),
            key=key,
        )
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["range"]
        report = container_report(
            container=container,
            start=start,
            end=end,
            consent=request.user.has_perm(permissions.VIEW_CONSENT),
        )
        body = {**report, "container": container.key, "start": start, "end": end}
        return Response(ReportSerializer(body).data)


urlpatterns = [
    path(
        # Any text reaches the view, so that a malformed key is a JSON 404 like an unknown one.
        "containers/<path:key>/report/",
        ContainerReportView.as_view(),
        name="container-report",
    ),
]
