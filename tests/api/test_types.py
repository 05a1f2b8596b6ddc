import pytest

from tagmanager.registry import tag_types, trigger_types, variable_types
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def test_tag_types_describe_parameters(viewer):
    body = client_for(viewer).get("/tm/api/types/tags/").json()
    assert [t["slug"] for t in body] == list(tag_types())
    meta = next(t for t in body if t["slug"] == "meta_pixel")
    assert meta["runs_code"] is False
    assert meta["event_names"]["purchase"] == "Purchase"
    pixel_id = next(p for p in meta["params"] if p["name"] == "pixel_id")
    assert (pixel_id["kind"], pixel_id["required"]) == ("id", True)
    assert next(t for t in body if t["slug"] == "custom_html")["runs_code"] is True


def test_trigger_and_variable_types(viewer):
    client = client_for(viewer)
    triggers = client.get("/tm/api/types/triggers/").json()
    assert [t["slug"] for t in triggers] == list(trigger_types())
    timer = next(t for t in triggers if t["slug"] == "timer")
    assert {p["name"] for p in timer["params"]} == {"interval_ms", "limit"}
    variables = client.get("/tm/api/types/variables/").json()
    assert [t["slug"] for t in variables] == list(variable_types())


def test_conditions(viewer):
    body = client_for(viewer).get("/tm/api/types/conditions/").json()
    assert {"slug": "starts_with", "label": "starts with"} in body["operators"]
    assert "page_path" in body["builtin_variables"]
