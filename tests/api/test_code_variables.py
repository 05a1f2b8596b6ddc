"""Variables that code tags use are part of that code: changing them needs change_code_tags."""

import pytest

from tagmanager.models import Variable
from tagmanager.services.tags import tag_save, variable_save
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

CDN = {"value": "https://cdn.example.net"}


@pytest.fixture
def cdn(shop):
    """``cdn`` feeds a custom HTML tag, which also uses ``region`` (not defined yet);
    ``plan`` feeds an image pixel only."""
    variable = variable_save(container=shop, name="cdn", variable_type="constant", parameters=CDN)
    variable_save(
        container=shop, name="plan", variable_type="constant", parameters={"value": "gold"}
    )
    tag_save(
        container=shop,
        name="Widget",
        tag_type="custom_html",
        parameters={"html": '<script src="{{cdn}}/{{region}}/w.js"></script>'},
        categories=[shop.categories.get(slug="preferences")],
        firing_triggers=[shop.triggers.get(name="All pages")],
    )
    tag_save(
        container=shop,
        name="Plan pixel",
        tag_type="image",
        parameters={"url": "https://px.example/p.gif?plan={{plan}}"},
        categories=[shop.categories.get(slug="analytics")],
        firing_triggers=[shop.triggers.get(name="All pages")],
    )
    return variable


def url(variable) -> str:
    return f"/tm/api/variables/{variable.pk}/"


EVIL = {"value": "https://evil.example"}


def test_editor_cannot_change_a_variable_a_code_tag_uses(editor, cdn):
    client = client_for(editor)
    for method, body in (
        ("patch", {"parameters": EVIL}),
        ("patch", {"name": "cdn_old"}),
        ("put", {"name": "cdn", "variable_type": "constant", "parameters": EVIL}),
    ):
        response = getattr(client, method)(url(cdn), body, format="json")
        assert response.status_code == 403, response.json()
        assert "Variable 'cdn' is used by a tag that runs code" in response.json()["detail"]
    response = client.delete(url(cdn))
    assert response.status_code == 403
    assert "change or delete it" in response.json()["detail"]
    cdn.refresh_from_db()
    assert (cdn.name, cdn.parameters) == ("cdn", CDN)
    # Reading it is fine.
    assert client.get(url(cdn)).json()["parameters"] == CDN


def test_editor_cannot_give_a_variable_a_name_a_code_tag_uses(editor, cdn, shop):
    client = client_for(editor)
    plan = Variable.objects.get(container=shop, name="plan")
    response = client.patch(url(plan), {"name": "region"}, format="json")
    assert response.status_code == 403
    assert "'{{region}}' is used by a tag that runs code" in response.json()["detail"]
    response = client.post(
        "/tm/api/variables/",
        {"container": "demo", "name": "region", "variable_type": "constant", "parameters": EVIL},
        format="json",
    )
    assert response.status_code == 403
    assert not Variable.objects.filter(name="region").exists()
    plan.refresh_from_db()
    assert plan.name == "plan"


def test_editor_still_changes_other_variables(editor, cdn, shop):
    client = client_for(editor)
    plan = Variable.objects.get(container=shop, name="plan")
    response = client.patch(url(plan), {"parameters": {"value": "silver"}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["parameters"] == {"value": "silver"}
    created = client.post(
        "/tm/api/variables/",
        {"container": "demo", "name": "tier", "variable_type": "constant", "parameters": EVIL},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert client.delete(f"/tm/api/variables/{created.json()['id']}/").status_code == 204


def test_code_tag_permission_allows_it(coder, cdn):
    client = client_for(coder)
    response = client.patch(url(cdn), {"parameters": EVIL}, format="json")
    assert response.status_code == 200, response.json()
    created = client.post(
        "/tm/api/variables/",
        {"container": "demo", "name": "region", "variable_type": "constant", "parameters": CDN},
        format="json",
    )
    assert created.status_code == 201, created.json()
    # Removing it is still refused while the tag uses it: that is a conflict, not a permission.
    assert client.delete(url(cdn)).status_code == 409
