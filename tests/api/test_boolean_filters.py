"""Boolean filters take true/false (or 1/0) and answer anything else with a 400 naming the
filter, instead of quietly returning everything."""

import uuid

import pytest

from tagmanager.payloads import consent_parse
from tagmanager.services.consent import consent_record_create
from tests.api.conftest import decide
from tests.factories import FireEventFactory, TagFactory

pytestmark = pytest.mark.django_db

# (collection, filter): every boolean filter of the API.
BOOLEAN_FILTERS = [
    ("categories", "required"),
    ("tags", "enabled"),
    ("consent-records", "gpc"),
    ("fire-events", "consent_violation"),
]


@pytest.fixture
def rows(shop):
    """One object with the flag set and at least one without, in each collection."""
    TagFactory(container=shop, name="Off", enabled=False)
    decide(shop)
    data = consent_parse(
        {
            "consent_id": str(uuid.uuid4()),
            "categories": {"marketing": False},
            "action": "gpc",
            "source": "gpc",
            "gpc": True,
        }
    )
    consent_record_create(container=shop, data=data, ip="203.0.113.9", user_agent="pytest")
    FireEventFactory(container=shop, consent_violation=True)
    FireEventFactory(container=shop, consent_violation=False)


def results(api, collection: str, **query) -> list[dict]:
    response = api.get(f"/tm/api/{collection}/", query)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


@pytest.mark.parametrize(("collection", "name"), BOOLEAN_FILTERS)
@pytest.mark.parametrize("value", ["maybe", "yes", "2", "truee", "null"])
def test_a_bad_boolean_is_400_naming_the_filter(api, rows, collection, name, value):
    response = api.get(f"/tm/api/{collection}/", {name: value})
    assert response.status_code == 400
    assert response.json() == {name: ["Use true or false."]}


@pytest.mark.parametrize(("collection", "name"), BOOLEAN_FILTERS)
def test_true_and_false_filter(api, rows, collection, name):
    everything = results(api, collection)
    for true, false in (("true", "false"), ("1", "0"), ("True", "FALSE")):
        yes = results(api, collection, **{name: true})
        no = results(api, collection, **{name: false})
        assert yes and no
        assert all(row[name] is True for row in yes)
        assert all(row[name] is False for row in no)
        assert len(yes) + len(no) == len(everything)
    # Empty: not filtered.
    assert len(results(api, collection, **{name: ""})) == len(everything)
