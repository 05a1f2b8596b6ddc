"""Only developers choose code, through the API: without change_code_tags, the triggers,
consent categories (``required`` too), fire limit, priority, enabled flag and variables that
decide when or whether a code tag runs are a 403 to change; ids and URL hosts take no
{{variables}}, for anybody."""

import pytest

from tagmanager.models import ConsentCategory, ContainerVersion, Tag, Trigger, Variable
from tagmanager.services.publishing import container_publish
from tagmanager.services.tags import tag_save, trigger_save, variable_save
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

LOCKED = "only users allowed to manage code tags may change or delete it."


@pytest.fixture
def widget(shop):
    """A custom HTML tag on All pages, blocked by "Staff" (which reads the variable ``plan``
    and the not yet defined ``tier``), needing consent for preferences."""
    variable_save(container=shop, name="plan", variable_type="cookie", parameters={"name": "p"})
    staff = trigger_save(
        container=shop,
        name="Staff",
        trigger_type="page_view",
        conditions=[
            {"variable": "plan", "operator": "equals", "value": "staff"},
            {"variable": "tier", "operator": "equals", "value": "1"},
        ],
    )
    return tag_save(
        container=shop,
        name="Widget",
        tag_type="custom_html",
        parameters={"html": "<script>widget()</script>"},
        categories=[shop.categories.get(slug="preferences")],
        firing_triggers=[shop.triggers.get(name="All pages")],
        blocking_triggers=[staff],
    )


def category_url(shop, slug: str) -> str:
    return f"/tm/api/categories/{shop.categories.get(slug=slug).pk}/"


def trigger_url(shop, name: str) -> str:
    return f"/tm/api/triggers/{shop.triggers.get(name=name).pk}/"


def test_editor_cannot_make_a_code_tags_category_required(editor, shop, widget):
    client = client_for(editor)
    url = category_url(shop, "preferences")
    for method, body in (
        ("patch", {"required": True}),
        ("patch", {"slug": "necessary_too"}),
        ("put", {"slug": "preferences", "names": {"en": "Preferences"}, "required": True}),
        ("patch", {"required": "not a boolean"}),  # 403 before validation
    ):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, response.json()
        assert response.json()["detail"] == (
            "Consent category 'preferences' decides whether tags that run code fire "
            f"('Widget'); {LOCKED}"
        )
    assert client.delete(url).status_code == 403
    preferences = ConsentCategory.objects.get(container=shop, slug="preferences")
    assert preferences.required is False
    assert client.get(url).status_code == 200  # reading it is fine


def test_editor_still_changes_other_categories(editor, shop, widget):
    response = client_for(editor).patch(
        category_url(shop, "analytics"), {"required": True}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["required"] is True


def test_editor_cannot_change_a_code_tags_firing_or_blocking_trigger(editor, shop, widget):
    client = client_for(editor)
    never = [{"variable": "page_path", "operator": "equals", "value": "/never"}]
    for name in ("All pages", "Staff"):
        url = trigger_url(shop, name)
        for method, body in (
            ("patch", {"conditions": never}),
            ("patch", {"name": f"{name} (old)"}),
            ("put", {"name": name, "trigger_type": "click", "parameters": {"selector": "x"}}),
        ):
            response = getattr(client, method)(url, body, format="json")
            assert response.status_code == 403, response.json()
            assert response.json()["detail"] == (
                f"Trigger '{name}' decides when tags that run code fire ('Widget'); {LOCKED}"
            )
        assert client.delete(url).status_code == 403
    assert Trigger.objects.get(container=shop, name="All pages").conditions == []


def test_editor_still_changes_other_triggers(editor, shop, widget):
    response = client_for(editor).patch(
        trigger_url(shop, "Purchase"),
        {"conditions": [{"variable": "page_path", "operator": "equals", "value": "/thanks"}]},
        format="json",
    )
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize(
    "change",
    [
        {"categories": ["necessary"]},
        {"firing_triggers": ["All pages", "Purchase"]},
        {"blocking_triggers": []},
        {"fire_limit": "visitor"},
        {"priority": 100},
        {"enabled": False},
    ],
)
def test_editor_cannot_change_when_or_whether_a_code_tag_fires(editor, widget, change):
    response = client_for(editor).patch(f"/tm/api/tags/{widget.pk}/", change, format="json")
    assert response.status_code == 403, response.json()
    tag = Tag.objects.get(pk=widget.pk)
    assert [c.slug for c in tag.categories.all()] == ["preferences"]
    assert [t.name for t in tag.blocking_triggers.all()] == ["Staff"]
    assert (tag.fire_limit, tag.priority, tag.enabled) == ("unlimited", 0, True)


def test_editor_cannot_set_a_variable_a_code_tags_trigger_reads(editor, shop, widget):
    client = client_for(editor)
    plan = Variable.objects.get(container=shop, name="plan")
    response = client.patch(
        f"/tm/api/variables/{plan.pk}/", {"parameters": {"name": "other"}}, format="json"
    )
    assert response.status_code == 403
    assert "Variable 'plan' is used by a tag that runs code" in response.json()["detail"]
    response = client.post(
        "/tm/api/variables/",
        {"container": "demo", "name": "tier", "variable_type": "url_param", "parameters": {}},
        format="json",
    )
    assert response.status_code == 403
    assert "'{{tier}}' is used by a tag that runs code" in response.json()["detail"]


def test_developer_changes_all_of_it(coder, shop, widget):
    client = client_for(coder)
    response = client.patch(category_url(shop, "preferences"), {"required": True}, format="json")
    assert response.status_code == 200, response.json()
    response = client.patch(trigger_url(shop, "Staff"), {"conditions": []}, format="json")
    assert response.status_code == 200, response.json()
    response = client.patch(f"/tm/api/tags/{widget.pk}/", {"fire_limit": "page"}, format="json")
    assert response.status_code == 200, response.json()


# --- ids and URL hosts, for everybody ---------------------------------------------------------


@pytest.mark.parametrize(
    "tag_type, parameters, field, message",
    [
        ("ga4", {"measurement_id": "{{gid}}"}, "measurement_id", "ids are fixed"),
        ("image", {"url": "https://{{utm_source}}/p.gif"}, "url", "scheme and host"),
        ("script", {"src": "https://{{utm_source}}/x.js"}, "src", "scheme and host"),
    ],
)
def test_an_id_or_url_host_with_a_variable_is_a_400(coder, tag_type, parameters, field, message):
    response = client_for(coder).post(
        "/tm/api/tags/",
        {
            "container": "demo",
            "name": "Crafted",
            "tag_type": tag_type,
            "parameters": parameters,
            "categories": ["analytics"],
            "firing_triggers": ["All pages"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert message in response.json()[f"parameters.{field}"][0]
    assert not Tag.objects.filter(name="Crafted").exists()


def test_rolling_back_to_a_version_with_a_variable_host_is_a_400(publisher, shop):
    v1 = shop.live_version
    config = {
        **v1.config,
        "tags": [
            {**t, "params": {"url": "https://{{utm_source}}/p.gif"}} if t["type"] == "image" else t
            for t in v1.config["tags"]
        ],
    }
    ContainerVersion.objects.filter(pk=v1.pk).update(config=config)  # published before the rule
    container_publish(container=shop)
    response = client_for(publisher).post("/tm/api/containers/demo/versions/1/rollback/")
    assert response.status_code == 400
    assert "Tag 'Ad network pixel': url: The scheme and host" in str(response.json())
    assert shop.versions.count() == 2
