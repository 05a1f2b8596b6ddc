"""Admin page of one container: preview (create a signed link that opens the customer's site
with the draft and the debug panel, in the browser that opens it).

Who may: whoever may preview the container (``tagmanager.services.preview.preview_permitted``:
a member with view or change permission on containers). Creating a link is a CSRF-protected
POST; it changes nothing on the server.
"""

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse

from tagmanager.conf import get_setting
from tagmanager.loader.config import config_problems
from tagmanager.selectors import container_draft_config, container_has_unpublished_changes
from tagmanager.services.preview import preview_link_create, preview_permitted


class PreviewLinkForm(forms.Form):
    url = forms.CharField(
        label="Page of the site",
        max_length=2000,
        help_text="The page to open, on one of the container's allowed origins, e.g. "
        "https://www.example.com/shop/. Other pages of the site follow once it is open.",
        widget=forms.TextInput(
            attrs={"class": "vURLField", "list": "tm-preview-origins", "autocomplete": "off"}
        ),
    )


def urls(model_admin) -> list:
    def view(request, object_id):
        return preview_view(model_admin, request, object_id)

    return [
        path(
            "<path:object_id>/preview/",
            model_admin.admin_site.admin_view(view),
            name="tagmanager_container_preview",
        )
    ]


def _page_url(page: str, container_id) -> str | None:
    try:
        return reverse(f"admin:tagmanager_container_{page}", args=[container_id])
    except NoReverseMatch:
        return None


def preview_view(model_admin, request, object_id):
    container = model_admin.get_object(request, unquote(object_id))
    if container is None:
        raise Http404("No container with this id, or not one of yours.")
    if not preview_permitted(user=request.user, container=container):
        raise PermissionDenied
    origins = [o for o in container.allowed_origins or [] if o != "self"]  # "self": no URL
    initial = {"url": origins[0] + "/"} if origins else {}
    form = PreviewLinkForm(request.POST if request.method == "POST" else None, initial=initial)
    link = None
    if request.method == "POST" and form.is_valid():
        try:
            link = preview_link_create(
                container=container, user=request.user, url=form.cleaned_data["url"]
            )
        except ValidationError as exc:
            form.add_error("url", exc)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": container,
        "container": container,
        "title": "Preview",
        "subtitle": str(container),
        "form": form,
        "link": link,
        "origins": origins,
        "lifetime_minutes": round(get_setting("PREVIEW_MAX_AGE") / 60),
        "live": container.live_version,
        "pending": container_has_unpublished_changes(container=container),
        "problems": config_problems(container_draft_config(container=container)),
        "publish_url": _page_url("publish", container.pk),
    }
    status = 400 if request.method == "POST" and link is None else 200
    return TemplateResponse(request, "tagmanager/admin/preview.html", context, status=status)
