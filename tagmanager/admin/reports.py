"""Admin page of one container: Reports (fires, consent, conversions, pixel audit) as charts.

Open to members of the container holding ``tagmanager.view_fireevent`` (403 without the
permission, 404 for a container the user is not a member of); the consent sections only for
those also holding ``tagmanager.view_consentrecord`` (the page says they are left out).
GET only; the date range comes from the query string: ``?days=7|30|90`` or
``?start=YYYY-MM-DD&end=YYYY-MM-DD`` (UTC days).
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from tagmanager import permissions
from tagmanager.reports import container_report
from tagmanager.reports.figures import report_figures
from tagmanager.reports.ranges import MAX_DAYS, PRESETS, report_range

VIEW_PERMISSION = "tagmanager.view_fireevent"


def urls(model_admin) -> list:
    def view(request, object_id):
        return reports_view(model_admin, request, object_id)

    return [
        path(
            "<path:object_id>/reports/",
            model_admin.admin_site.admin_view(view),
            name="tagmanager_container_reports",
        )
    ]


class ReportRangeForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Period",
        choices=[(n, f"Last {n} days") for n in PRESETS],
        coerce=int,
        required=False,
    )
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["range"] = report_range(
                today=timezone.now().date(),
                days=data.get("days"),
                start=data.get("start"),
                end=data.get("end"),
            )
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        return data


def _container(request, object_id):
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied("You may not view this container's reports.")
    container = None
    if str(object_id).isdigit() and int(object_id) < 2**63:  # beyond: no such row anyway
        container = (
            permissions.containers_for_user(request.user)
            .select_related("live_version")
            .filter(pk=int(object_id))
            .first()
        )
    if container is None:
        raise Http404("No container with this id, or not one of yours.")
    return container


def reports_view(model_admin, request, object_id):
    container = _container(request, object_id)
    form = ReportRangeForm(request.GET or None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "container": container,
        "title": "Reports",
        "subtitle": str(container),
        "form": form,
        "presets": PRESETS,
        "max_days": MAX_DAYS,
    }
    if form.is_bound and not form.is_valid():
        return TemplateResponse(request, "tagmanager/admin/reports.html", context, status=400)
    today = timezone.now().date()
    start, end = form.cleaned_data["range"] if form.is_bound else report_range(today=today)
    explicit = form.is_bound and form.cleaned_data.get("start")
    with_consent = request.user.has_perm(permissions.VIEW_CONSENT)
    report = container_report(container=container, start=start, end=end, consent=with_consent)
    context.update(
        consent_permission=permissions.VIEW_CONSENT,
        start=start,
        end=end,
        preset=None if explicit else (end - start).days + 1,
        report=report,
        figures=report_figures(report),
    )
    return TemplateResponse(request, "tagmanager/admin/reports.html", context)
