import pytest
from django.test import override_settings
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from tagmanager.api.schema import api_schema
from tests.api.conftest import VIEW, client_for
from tests.factories import user_with

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/tm/api/containers/",
    "/tm/api/categories/",
    "/tm/api/tags/",
    "/tm/api/triggers/",
    "/tm/api/variables/",
    "/tm/api/consent-records/",
    "/tm/api/fire-events/",
    "/tm/api/containers/demo/versions/",
    "/tm/api/types/tags/",
]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_gets_401_asking_for_a_token(shop, url):
    response = APIClient().get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "credentials" in response.json()["detail"]


def test_bad_token_is_401(shop):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/tm/api/tags/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."


def test_token_of_inactive_user_is_refused(viewer):
    client = client_for(viewer)
    viewer.is_active = False
    viewer.save()
    assert client.get("/tm/api/tags/").status_code == 401


def test_token_authenticates(viewer):
    response = client_for(viewer).get("/tm/api/tags/")
    assert response.status_code == 200
    assert response.json()["count"] == 4


def test_session_authenticates_and_writes_need_csrf(viewer, shop):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(viewer)
    assert client.get("/tm/api/tags/").status_code == 200
    response = client.post("/tm/api/variables/", {"container": "demo"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_authenticated_without_view_permission_gets_403_naming_it(shop):
    user = user_with("member", containers=[shop])
    response = client_for(user).get("/tm/api/tags/")
    assert response.status_code == 403
    assert "tagmanager.view_tag" in response.json()["detail"]


def test_types_need_only_a_signed_in_user(shop):
    user = user_with("nobody")
    assert client_for(user).get("/tm/api/types/tags/").status_code == 200


@override_settings(
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": [],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
        "DEFAULT_PAGINATION_CLASS": None,
        "DEFAULT_FILTER_BACKENDS": [],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.TemplateHTMLRenderer"],
        "DEFAULT_PARSER_CLASSES": [],
    }
)
def test_the_host_rest_framework_setting_changes_nothing(viewer):
    assert APIClient().get("/tm/api/tags/").status_code == 401
    response = client_for(viewer).get("/tm/api/tags/?container=demo&limit=2")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["count"] == 4 and len(body["results"]) == 2


def test_browsable_api_renders_for_a_signed_in_user(viewer):
    client = APIClient()
    client.force_login(viewer)
    response = client.get("/tm/api/tags/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Meta Pixel" in response.content
    root = client.get("/tm/api/", HTTP_ACCEPT="text/html")
    assert root.status_code == 200 and b"/tm/api/tags/" in root.content


def test_schema_is_served_and_describes_only_this_api(client):
    response = client.get("/tm/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert "/tm/api/containers/{key}/publish/" in paths
    assert "/tm/api/consent-records/export/" in paths
    assert all(p.startswith("/tm/api/") for p in paths)
    assert not any("schema" in p or "docs" in p for p in paths)
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_schema_documents_real_serializers_and_errors(client):
    schema = client.get("/tm/api/schema/?format=json").json()
    publish = schema["paths"]["/tm/api/containers/{key}/publish/"]["post"]
    assert publish["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PublishProblems"
    }
    assert {"201", "401", "403", "404"} <= set(publish["responses"])
    export = schema["paths"]["/tm/api/consent-records/export/"]["get"]
    assert set(export["responses"]["200"]["content"]) == {"text/csv", "application/json"}
    diff = schema["components"]["schemas"]["Diff"]
    assert {"tags", "triggers", "variables", "categories", "settings", "empty"} <= set(
        diff["properties"]
    )
    tag = schema["components"]["schemas"]["TagCreateRequest"]
    assert set(tag["required"]) == {"container", "name", "tag_type", "categories"}


def test_docs_page_uses_local_assets(client):
    response = client.get("/tm/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "/tm/api/schema/" in html


def test_user_with_view_permission_but_no_membership_sees_nothing(shop):
    user = user_with("outsider", perms=VIEW)
    client = client_for(user)
    assert client.get("/tm/api/tags/").json()["count"] == 0
    assert client.get("/tm/api/containers/demo/").status_code == 404


def test_schema_is_valid_openapi():
    validate_schema(api_schema())  # raises on an invalid document
