"""The OpenAPI 3 description of the API (drf-spectacular), and the views serving it.

The schema covers this API's views only, whatever else the host project mounts, and documents
the errors each operation can answer with, so clients (and the schema fuzzer) can rely on it.
"""

import inspect

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import AllowAny

import tagmanager
from tagmanager.api.throttling import ApiThrottle

DESCRIPTION = """\
Manage consent-aware tag containers: containers, consent categories, tags, triggers and
variables (the draft), versions (publish, roll back, compare), and read consent records and
fire events.

Authenticate with `Authorization: Token <key>` (create a key with
`manage.py drf_create_token <username>` or in the admin) or a signed-in admin session.
A user sees only the containers they are a member of, and needs the Django model permissions
of what they do; publishing and rolling back need `tagmanager.publish_container`, tags that run
code (custom HTML, script) and the variables they use need `tagmanager.change_code_tags`.
"""

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "The reason.",
}
VALIDATION_ERROR = {
    "type": "object",
    "additionalProperties": True,
    "description": "Reasons keyed by field (parameters.<name> for a type's parameters), "
    "non_field_errors for the whole request, or detail.",
}
_ERRORS = {
    "400": ("Bad input; the body names every problem.", "ValidationError"),
    "401": ("Not authenticated.", "Error"),
    "403": ("Authenticated, but not allowed (the reason names the permission).", "Error"),
    "404": ("No such object among your containers.", "Error"),
    "409": ("Conflicts with other data (the reason says which).", "Error"),
    "415": ("The body is not JSON.", "Error"),
    "429": ("Too many requests (API_THROTTLE_*); retry after Retry-After seconds.", "Error"),
}
_WRITES = {"post", "put", "patch", "delete"}
RETRY_AFTER = {
    "schema": {"type": "integer", "minimum": 1},
    "description": "Seconds until the request will be allowed again.",
}

SCHEMA_SETTINGS = {
    "TITLE": "tagmanager API",
    "DESCRIPTION": DESCRIPTION,
    "VERSION": tagmanager.__version__,
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["tagmanager.api.schema.endpoints_of_this_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tagmanager.api.schema.error_responses",
    ],
}


class ApiSchema(AutoSchema):
    """drf-spectacular's inspector, set on the views themselves (see ``ApiMixin``)."""


def document(**kwargs):
    """``extend_schema`` for a view method, whatever the host's ``DEFAULT_SCHEMA_CLASS``.

    ``extend_schema`` builds on the schema class it finds on the method, else on DRF's default
    one, which is not drf-spectacular's unless the host configures it so; naming ours keeps
    the API documented in any host. Works inside ``extend_schema_view`` too.

    >>> @document(summary="Publish", request=PublishInputSerializer)
    ... @action(detail=True, methods=["post"])
    ... def publish(self, request, key=None): ...
    """
    decorate = extend_schema(**kwargs)

    def decorator(view_method):
        if not inspect.isclass(view_method):
            view_method.schema = ApiSchema
        return decorate(view_method)

    return decorator


def endpoints_of_this_api(endpoints):
    """Keep the endpoints of this API, leaving out the host's and the schema views'."""
    from rest_framework.routers import APIRootView

    from tagmanager.api.base import ApiMixin

    def ours(callback) -> bool:
        cls = getattr(callback, "cls", object)
        return issubclass(cls, ApiMixin) and not issubclass(cls, APIRootView)

    return [e for e in endpoints if ours(e[3])]


def error_responses(result, generator, request, public):
    """Add the error answers every operation can give, where the view did not name them."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _WRITES | {"get"}:
                continue
            codes = ["401", "403"]
            queries = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
            if "requestBody" in operation or queries:
                codes.append("400")
            if "{" in path:
                codes.append("404")
            if method in _WRITES:
                codes.append("409")
            if "requestBody" in operation:
                codes.append("415")
            codes.append("429")
            responses = operation.setdefault("responses", {})
            for code in codes:
                description, name = _ERRORS[code]
                response = responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
                        },
                    },
                )
                if code == "429":
                    response.setdefault("headers", {"Retry-After": RETRY_AFTER})
    return result


def api_schema(request=None) -> dict:
    """The schema as a dict, as ``GET schema/`` serves it."""
    from tagmanager.api.generator import ApiSchemaGenerator

    return ApiSchemaGenerator().get_schema(request=request, public=True)


class SchemaView(SpectacularAPIView):
    """``GET schema/``: the OpenAPI 3 schema, YAML or JSON (``?format=json``)."""

    authentication_classes = (SessionAuthentication, TokenAuthentication)
    permission_classes = (AllowAny,)
    throttle_classes = (ApiThrottle,)  # building the schema is costly
    # Not part of any schema (whatever the host's DEFAULT_SCHEMA_CLASS, which a schema view
    # of another kind would trip over in drf-spectacular's generator).
    schema = None
    custom_settings = SCHEMA_SETTINGS
    serve_public = True
    urlconf = None


class DocsView(SpectacularSwaggerView):
    """``GET docs/``: Swagger UI over the schema, its assets served locally (no CDN)."""

    authentication_classes = (SessionAuthentication, TokenAuthentication)
    permission_classes = (AllowAny,)
    throttle_classes = (ApiThrottle,)
    schema = None  # as SchemaView
    url_name = "tagmanager:api:schema"
    title = "tagmanager API"

    @staticmethod
    def _swagger_ui_resource(filename):
        from django.templatetags.static import static

        return static(f"drf_spectacular_sidecar/swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon():
        from django.templatetags.static import static

        return static("drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png")
