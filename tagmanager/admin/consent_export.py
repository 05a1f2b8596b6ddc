"""Admin page: export a container's consent records as CSV or JSON, streamed. Either one
visitor's (a consent id and the ids linked to it through a proven ``previous_consent_id``,
see ``services.export``: a data-subject request) or a date range (an audit).

Who may: users with view permission on consent records, for the containers they are members
of (superusers: all). URL name ``admin:tagmanager_consentrecord_export``; the consent record
list links to it. The form is a POST, so visitors' consent ids stay out of URLs and logs.
"""

from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from tagmanager import permissions
from tagmanager.admin.widgets import PkChoiceField
from tagmanager.models import Container
from tagmanager.services.export import consent_records_for_export, export_stream

CONTENT_TYPES = {"csv": "text/csv", "json": "application/json"}


def export_response(records, *, fmt: str, name: str = "consent-records") -> StreamingHttpResponse:
    """``records`` (consent records) streamed as a ``name.<fmt>`` attachment."""
    records = records.select_related("notice").order_by("created_at", "pk")
    response = StreamingHttpResponse(
        export_stream(records, fmt=fmt), content_type=f"{CONTENT_TYPES[fmt]}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=dt_timezone.utc)


class ConsentExportForm(forms.Form):
    container = PkChoiceField(queryset=Container.objects.none())
    consent_id = forms.UUIDField(
        label="Consent id",
        required=False,
        help_text="One visitor's records (a data-subject request): this consent id and the "
        "ids linked to it through a proven previous consent id, both ways (at most 100).",
        widget=forms.TextInput(attrs={"class": "vTextField", "autocomplete": "off"}),
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To",
        required=False,
        help_text="Or every record of a date range: UTC days, both included.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    format = forms.ChoiceField(
        choices=[("csv", "CSV"), ("json", "JSON")], initial="csv", widget=forms.RadioSelect
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["container"].queryset = permissions.containers_for_user(user)

    def clean(self):
        data = super().clean()
        consent_id, since, until = data.get("consent_id"), data.get("since"), data.get("until")
        if self.errors:
            return data
        if consent_id and (since or until):
            raise ValidationError("Give a consent id or a date range, not both.")
        if not consent_id and not (since and until):
            raise ValidationError(
                "Give a date range, both days."
                if since or until
                else "Give a consent id, or a date range."
            )
        if since and until and since > until:
            self.add_error("until", "The last day is before the first.")
        return data

    def records(self):
        data = self.cleaned_data
        since, until = data["since"], data["until"]
        return consent_records_for_export(
            container=data["container"],
            consent_id=data["consent_id"],
            since=_day_start(since) if since else None,
            # Up to the end of the last day; the last representable day has no next one.
            until=_day_start(until + timedelta(days=1)) if until and until < date.max else None,
        )


def urls(model_admin) -> list:
    def view(request):
        return export_view(model_admin, request)

    return [
        path(
            "export/",
            model_admin.admin_site.admin_view(view),
            name="tagmanager_consentrecord_export",
        )
    ]


def export_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied("You may not view consent records.")
    containers = permissions.containers_for_user(request.user)
    only = list(containers[:2])
    form = ConsentExportForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial={"format": "csv", "container": only[0].pk if len(only) == 1 else None},
    )
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["container"].key
        return export_response(
            form.records(), fmt=form.cleaned_data["format"], name=f"consent-records-{key}"
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Export consent records",
        "form": form,
        "has_containers": bool(only),
    }
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "tagmanager/admin/consent_export.html", context, status=status)
