"""Trigger and variable forms: the type's parameters, and conditions as rows."""

import pytest
from django.urls import reverse

from tagmanager.models import Trigger, Variable

pytestmark = pytest.mark.django_db


def add_url(model: str, container, type_field: str, slug: str) -> str:
    return (
        f"{reverse(f'admin:tagmanager_{model}_add')}?container={container.pk}&{type_field}={slug}"
    )


def rows(*conditions) -> dict:
    data = {}
    for index, (variable, operator, value) in enumerate(conditions):
        data[f"conditions-{index}-variable"] = variable
        data[f"conditions-{index}-operator"] = operator
        data[f"conditions-{index}-value"] = value
    return data


def trigger_post(shop, **extra) -> dict:
    return {
        "container": shop.pk,
        "name": "Checkout",
        "trigger_type": "page_view",
        **extra,
    }


def test_conditions_editor_offers_the_operators_and_variables(as_publisher, shop):
    from tagmanager.services.tags import variable_save

    variable_save(container=shop, name="plan", variable_type="cookie", parameters={"name": "p"})
    response = as_publisher.get(add_url("trigger", shop, "trigger_type", "page_view"))
    html = response.content.decode()
    assert 'name="conditions-0-variable"' in html
    assert '<option value="starts_with">starts with</option>' in html
    assert '<option value="plan">' in html and '<option value="page_path">' in html


def test_conditions_are_saved_from_rows(as_publisher, shop):
    data = trigger_post(
        shop,
        **rows(
            ("page_path", "starts_with", "/checkout"),
            ("", "equals", ""),  # a blank row is ignored
            ("event.value", "greater_than", "100"),
        ),
    )
    response = as_publisher.post(add_url("trigger", shop, "trigger_type", "page_view"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Trigger.objects.get(name="Checkout").conditions == [
        {"variable": "page_path", "operator": "starts_with", "value": "/checkout"},
        {"variable": "event.value", "operator": "greater_than", "value": 100},
    ]


def test_a_bad_condition_is_an_error_on_the_conditions(as_publisher, shop):
    data = trigger_post(
        shop, **rows(("page_path", "matches_regex", "(unclosed"), ("bad name!", "equals", "x"))
    )
    response = as_publisher.post(add_url("trigger", shop, "trigger_type", "page_view"), data)
    errors = response.context["adminform"].form.errors["conditions"]
    assert errors[0].startswith("Condition 1: invalid regular expression")
    assert errors[1].startswith("Condition 2: variable must be")
    assert not Trigger.objects.exists()


def test_an_unknown_operator_is_refused(as_publisher, shop):
    data = trigger_post(shop, **rows(("page_path", "is", "/")))
    response = as_publisher.post(add_url("trigger", shop, "trigger_type", "page_view"), data)
    assert "Condition 1: operator must be one of" in str(
        response.context["adminform"].form.errors["conditions"]
    )


def test_existing_conditions_show_as_rows(as_publisher, shop):
    from tagmanager.services.tags import trigger_save

    trigger = trigger_save(
        container=shop,
        name="Big",
        trigger_type="custom_event",
        parameters={"event_name": "purchase"},
        conditions=[{"variable": "event.value", "operator": "greater_than", "value": 100}],
    )
    response = as_publisher.get(reverse("admin:tagmanager_trigger_change", args=[trigger.pk]))
    html = response.content.decode()
    assert 'name="conditions-0-variable" value="event.value"' in html
    assert '<option value="greater_than" selected>' in html
    assert 'name="conditions-0-value" value="100"' in html
    assert 'name="conditions-1-variable" value=""' in html  # one blank row to add another
    assert 'name="param_event_name"' in html and 'value="purchase"' in html


def test_trigger_parameters_are_fields(as_publisher, shop):
    url = add_url("trigger", shop, "trigger_type", "timer")
    response = as_publisher.post(
        url, trigger_post(shop, name="Tick", trigger_type="timer", param_interval_ms="50")
    )
    errors = response.context["adminform"].form.errors
    assert errors["param_interval_ms"] == ["Interval (ms): Must be at least 100."]
    response = as_publisher.post(
        url,
        trigger_post(shop, name="Tick", trigger_type="timer", param_interval_ms="5000"),
    )
    assert response.status_code == 302
    assert Trigger.objects.get(name="Tick").parameters == {"interval_ms": 5000, "limit": 1}


def test_scroll_depth_takes_a_comma_separated_list(as_publisher, shop):
    response = as_publisher.post(
        add_url("trigger", shop, "trigger_type", "scroll_depth"),
        trigger_post(
            shop, name="Scroll", trigger_type="scroll_depth", param_percentages="75, 25,50"
        ),
    )
    assert response.status_code == 302
    trigger = Trigger.objects.get(name="Scroll")
    assert trigger.parameters == {"percentages": [25, 50, 75]}
    response = as_publisher.get(reverse("admin:tagmanager_trigger_change", args=[trigger.pk]))
    assert 'value="25, 50, 75"' in response.content.decode()


def test_variable_form(as_publisher, shop):
    url = add_url("variable", shop, "variable_type", "cookie")
    response = as_publisher.post(
        url,
        {"container": shop.pk, "name": "page_path", "variable_type": "cookie", "param_name": ""},
    )
    errors = response.context["adminform"].form.errors
    assert "built-in" in errors["name"][0]
    assert errors["param_name"] == ["Cookie name: This field is required."]
    response = as_publisher.post(
        url,
        {"container": shop.pk, "name": "plan", "variable_type": "cookie", "param_name": "plan"},
    )
    assert response.status_code == 302
    assert Variable.objects.get(name="plan").parameters == {"name": "plan"}
