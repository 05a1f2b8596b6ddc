"""Mounted by ``tagmanager.urls`` at ``api/`` (``/tm/api/`` in the host project)."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from tagmanager.api.base import ApiMixin
from tagmanager.api.errors import endpoint_not_found
from tagmanager.api.schema import DocsView, SchemaView
from tagmanager.api.views import containers, definitions, records, types

app_name = "api"


class Router(DefaultRouter):
    """The browsable API's root page, with the API's own authentication and permissions."""

    class APIRootView(ApiMixin, DefaultRouter.APIRootView):
        schema = None  # a list of links, not an operation of the schema

    # "tags/1.json" would read a number with a dot as a format; ?format= does the same job.
    include_format_suffixes = False


router = Router(trailing_slash=True)
router.register("containers", containers.ContainerViewSet, basename="container")
router.register("categories", definitions.CategoryViewSet, basename="category")
router.register("tags", definitions.TagViewSet, basename="tag")
router.register("triggers", definitions.TriggerViewSet, basename="trigger")
router.register("variables", definitions.VariableViewSet, basename="variable")
router.register("consent-records", records.ConsentRecordViewSet, basename="consentrecord")
router.register("fire-events", records.FireEventViewSet, basename="fireevent")

versions = containers.VersionViewSet
version_paths = [
    path("", versions.as_view({"get": "list"}), name="version-list"),
    path("<int:number>/", versions.as_view({"get": "retrieve"}), name="version-detail"),
    path("<int:number>/diff/", versions.as_view({"get": "diff"}), name="version-diff"),
    path("<int:number>/rollback/", versions.as_view({"post": "rollback"}), name="version-rollback"),
]

urlpatterns = [
    path("containers/<slug:key>/versions/", include(version_paths)),
    path("types/tags/", types.TagTypesView.as_view(), name="types-tags"),
    path("types/triggers/", types.TriggerTypesView.as_view(), name="types-triggers"),
    path("types/variables/", types.VariableTypesView.as_view(), name="types-variables"),
    path("types/conditions/", types.ConditionsView.as_view(), name="types-conditions"),
    # Reports (tagmanager/api/reports.py) are mounted here.
    path("", include("tagmanager.api.reports")),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    path("", include(router.urls)),
    # Last: whatever matched nothing above is a JSON 404 rather than the site's HTML page.
    re_path(r"", endpoint_not_found),
]
