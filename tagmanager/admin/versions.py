"""Admin pages of one container: publish (review the draft, publish it) and versions (history,
rollback).

GET only reads. Publishing and rolling back are CSRF-protected POSTs that need
``tagmanager.publish_container`` (403 otherwise); each is recorded on the version (author, time,
note, rollback of) and in the admin's history (LogEntry) of the container and of the version.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from tagmanager import permissions
from tagmanager.admin.diffs import diff_layout
from tagmanager.admin.forms import PublishForm, RollbackForm
from tagmanager.loader.config import config_hash, config_problems
from tagmanager.selectors import (
    container_draft_config,
    container_draft_diff,
    container_has_unpublished_changes,
    container_setup_warnings,
    version_diff,
)
from tagmanager.services.publishing import container_publish, container_rollback

VERSIONS_PER_PAGE = 20


def urls(model_admin) -> list:
    def wrap(view):
        def wrapper(request, *args, **kwargs):
            return view(model_admin, request, *args, **kwargs)

        return model_admin.admin_site.admin_view(wrapper)

    return [
        path(
            "<path:object_id>/publish/",
            wrap(publish_view),
            name="tagmanager_container_publish",
        ),
        path(
            "<path:object_id>/versions/",
            wrap(versions_view),
            name="tagmanager_container_versions",
        ),
        path(
            "<path:object_id>/versions/<int:number>/rollback/",
            wrap(rollback_view),
            name="tagmanager_container_rollback",
        ),
    ]


def _container(model_admin, request, object_id):
    """The container, if the user is a member and may view it (404 / 403 otherwise)."""
    container = model_admin.get_object(request, unquote(object_id))
    if container is None:
        raise Http404("No container with this id, or not one of yours.")
    if not model_admin.has_view_or_change_permission(request, container):
        raise PermissionDenied
    return container


def _context(model_admin, request, container, title: str, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": container,
        "container": container,
        "title": title,
        "subtitle": str(container),
        "may_publish": permissions.can_publish(request.user, container),
        "versions_url": reverse("admin:tagmanager_container_versions", args=[container.pk]),
        "publish_url": reverse("admin:tagmanager_container_publish", args=[container.pk]),
        **extra,
    }


def _record(model_admin, request, container, version, message: str) -> None:
    """The admin's history: on the container, and on the new version."""
    model_admin.log_change(request, container, message)
    model_admin.log_addition(request, version, message)


def _message(version) -> str:
    what = (
        f"Rolled back to version {version.rollback_of.number} as version {version.number}"
        if version.rollback_of_id
        else f"Published version {version.number}"
    )
    return f"{what}: {version.notes}" if version.notes else what


def publish_view(model_admin, request, object_id):
    container = _container(model_admin, request, object_id)
    if request.method == "POST":
        permissions.require_publish(request.user, container)
    draft = container_draft_config(container=container)
    problems = config_problems(draft)
    draft_hash = config_hash(draft)
    pending = container_has_unpublished_changes(container=container)
    posted = request.POST if request.method == "POST" else None
    form = PublishForm(posted, initial={"draft_hash": draft_hash})
    if request.method == "POST" and form.is_valid():
        reviewed = form.cleaned_data["draft_hash"]
        if reviewed and reviewed != draft_hash:
            form.add_error(
                None,
                "The draft changed while you were reviewing it. Review the changes below "
                "and publish again.",
            )
        elif not pending:
            form.add_error(None, "Nothing to publish: the draft is the same as the live version.")
        else:
            try:
                version = container_publish(
                    container=container, author=request.user, notes=form.cleaned_data["notes"]
                )
            except ValidationError as exc:
                problems = exc.messages
                form.add_error(None, "Nothing was published: fix the problems listed below.")
            else:
                _record(model_admin, request, container, version, _message(version))
                messages.success(request, f"Version {version.number} is live.")
                return redirect("admin:tagmanager_container_versions", container.pk)
    if request.method == "POST":
        # Show the form again with the draft as it is now.
        form.data = form.data.copy()
        form.data["draft_hash"] = draft_hash
    context = _context(
        model_admin,
        request,
        container,
        "Publish" if permissions.can_publish(request.user, container) else "Unpublished changes",
        form=form,
        problems=problems,
        warnings=container_setup_warnings(container=container),
        pending=pending,
        diff=diff_layout(container_draft_diff(container=container)),
        live=container.live_version,
    )
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "tagmanager/admin/publish.html", context, status=status)


def versions_view(model_admin, request, object_id):
    container = _container(model_admin, request, object_id)
    versions = container.versions.select_related("author", "rollback_of").order_by("-number")
    page = Paginator(versions, VERSIONS_PER_PAGE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    rows = []
    if items:
        # The version just below this page, so every row's diff needs no further query.
        older = container.versions.filter(number__lt=items[-1].number).order_by("-number").first()
        for version, previous in zip(items, [*items[1:], older], strict=True):
            rows.append(
                {
                    "version": version,
                    "live": version.pk == container.live_version_id,
                    "diff": diff_layout(version_diff(version=version, against=previous)),
                    "rollback_url": reverse(
                        "admin:tagmanager_container_rollback",
                        args=[container.pk, version.number],
                    ),
                }
            )
    context = _context(
        model_admin,
        request,
        container,
        "Versions",
        page=page,
        rows=rows,
        pending=container_has_unpublished_changes(container=container),
    )
    return TemplateResponse(request, "tagmanager/admin/versions.html", context)


def rollback_view(model_admin, request, object_id, number):
    container = _container(model_admin, request, object_id)
    # Only publishers get here, even to look: the page is a confirmation.
    permissions.require_publish(request.user, container)
    target = container.versions.filter(number=number).first()
    if target is None:
        raise Http404(f"Version {number} does not exist.")
    live = container.live_version
    is_live = live is not None and live.pk == target.pk
    form = RollbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if is_live:
            form.add_error(None, f"Version {number} is already live.")
        elif form.is_valid():
            try:
                version = container_rollback(
                    container=container,
                    version=target,
                    author=request.user,
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                _record(model_admin, request, container, version, _message(version))
                messages.success(
                    request,
                    f"Version {version.number} is live: the configuration of version {number}.",
                )
                return redirect("admin:tagmanager_container_versions", container.pk)
    context = _context(
        model_admin,
        request,
        container,
        f"Roll back to version {number}",
        form=form,
        target=target,
        live=live,
        is_live=is_live,
        diff=diff_layout(version_diff(version=target, against=live)) if live else None,
    )
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "tagmanager/admin/rollback.html", context, status=status)
