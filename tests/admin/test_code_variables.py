"""In the admin, a variable a code tag uses is part of that code: only users with
change_code_tags may change, rename to, add or delete it."""

import pytest
from django.urls import reverse

from tagmanager.models import Variable
from tagmanager.services.tags import tag_save, variable_save
from tests.admin.conftest import category

pytestmark = pytest.mark.django_db

CDN = {"value": "https://cdn.example.net"}


@pytest.fixture
def cdn(shop, all_pages):
    """``cdn`` feeds a custom HTML tag, which also uses ``region`` (not defined yet);
    ``plan`` feeds an image pixel only."""
    variable = variable_save(container=shop, name="cdn", variable_type="constant", parameters=CDN)
    tag_save(
        container=shop,
        name="Widget",
        tag_type="custom_html",
        parameters={"html": '<script src="{{cdn}}/{{region}}/w.js"></script>'},
        categories=[category(shop, "preferences")],
        firing_triggers=[all_pages],
    )
    return variable


@pytest.fixture
def plan(shop, all_pages):
    variable = variable_save(
        container=shop, name="plan", variable_type="constant", parameters={"value": "gold"}
    )
    tag_save(
        container=shop,
        name="Plan pixel",
        tag_type="image",
        parameters={"url": "https://px.example/p.gif?plan={{plan}}"},
        categories=[category(shop, "analytics")],
        firing_triggers=[all_pages],
    )
    return variable


def change_url(variable) -> str:
    return reverse("admin:tagmanager_variable_change", args=[variable.pk])


def add_url(shop) -> str:
    return f"{reverse('admin:tagmanager_variable_add')}?container={shop.pk}&variable_type=constant"


def post(shop, name: str, value: str) -> dict:
    return {"container": shop.pk, "name": name, "variable_type": "constant", "param_value": value}


def test_editor_sees_it_read_only(as_editor, cdn):
    response = as_editor.get(change_url(cdn))
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert b'name="param_value"' not in response.content
    assert b"https://cdn.example.net" in response.content  # the parameters, as text


def test_editor_cannot_change_it_with_a_crafted_post(as_editor, shop, cdn):
    for name in ("cdn", "cdn_old"):
        response = as_editor.post(change_url(cdn), post(shop, name, "https://evil.example"))
        assert response.status_code == 403
    cdn.refresh_from_db()
    assert (cdn.name, cdn.parameters) == ("cdn", CDN)


def test_editor_cannot_delete_it(as_editor, cdn, plan):
    url = reverse("admin:tagmanager_variable_delete", args=[cdn.pk])
    assert as_editor.get(url).status_code == 403
    assert as_editor.post(url, {"post": "yes"}).status_code == 403
    response = as_editor.post(
        reverse("admin:tagmanager_variable_changelist"),
        {"action": "delete_selected", "_selected_action": [cdn.pk, plan.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert Variable.objects.count() == 2


def test_editor_cannot_rename_a_variable_to_a_name_a_code_tag_uses(as_editor, shop, cdn, plan):
    response = as_editor.post(change_url(plan), post(shop, "region", "gold"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["name"]
    assert errors == [
        "'{{region}}' is used by a tag that runs code (custom HTML or script); only users "
        "allowed to manage code tags may give a variable this name."
    ]
    plan.refresh_from_db()
    assert plan.name == "plan"


def test_editor_cannot_add_a_variable_a_code_tag_uses(as_editor, shop, cdn):
    response = as_editor.post(add_url(shop), post(shop, "region", "https://evil.example"))
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assert not Variable.objects.filter(name="region").exists()


def test_editor_still_changes_other_variables(as_editor, shop, cdn, plan):
    response = as_editor.post(change_url(plan), post(shop, "plan", "silver"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    plan.refresh_from_db()
    assert plan.parameters == {"value": "silver"}
    response = as_editor.post(add_url(shop), post(shop, "tier", "1"))
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_developer_changes_and_adds_them(as_developer, shop, cdn):
    response = as_developer.get(change_url(cdn))
    assert b'name="param_value"' in response.content
    response = as_developer.post(change_url(cdn), post(shop, "cdn", "https://cdn2.example.net"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    cdn.refresh_from_db()
    assert cdn.parameters == {"value": "https://cdn2.example.net"}
    response = as_developer.post(add_url(shop), post(shop, "region", "eu"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Variable.objects.filter(name="region").exists()
