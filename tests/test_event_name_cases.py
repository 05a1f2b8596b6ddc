"""The "event_names" cases of the table the runtime's unit tests read too
(js/test/event-names.test.js fires each case's tag with the table's ``config_events`` and reads
the name its type is given): the vendor names the server serves (``event_names`` of the tag
types, as ``config.events`` in the loader's configuration) and a tag's ``event_name`` parameter
give the browser the table's names.

The runtime names an event ``params.event_name || config.events[tag type][event] || event``."""

import json
from pathlib import Path

import pytest
from django.db import transaction

from tagmanager.loader.config import config_served
from tagmanager.registry import tag_types
from tagmanager.services.publishing import container_publish
from tagmanager.services.tags import tag_save, trigger_save
from tests.factories import ConsentCategoryFactory, ContainerFactory

# Marked so that the test database exists before the module's fixture uses it.
pytestmark = pytest.mark.django_db

TABLE = json.loads((Path(__file__).parent / "rules_cases.json").read_text())["event_names"]
CASES = TABLE["cases"]

# A value for each kind of required parameter without an example in the registry.
_EXAMPLES = {"url": "https://px.example/p.gif", "html": "<i></i>"}


def required_params(tag_type: str) -> dict:
    return {
        p.name: p.extra.get("example") or _EXAMPLES[p.kind]
        for p in tag_types()[tag_type].params
        if p.required
    }


@pytest.fixture(scope="module")
def published(django_db_setup, django_db_blocker):
    """The served configuration of a container with one tag per case, fired by the case's
    event (the page view trigger, or a custom event trigger), and the tags' ids by case."""
    with django_db_blocker.unblock(), transaction.atomic():
        container = ContainerFactory()
        necessary = ConsentCategoryFactory(container=container, slug="necessary", required=True)
        triggers, tag_ids = {}, []
        for number, case in enumerate(CASES):
            event = case["event"]
            if event not in triggers:
                kind, params = (
                    ("page_view", {})
                    if event == "page_view"
                    else ("custom_event", {"event_name": event})
                )
                triggers[event] = trigger_save(
                    container=container, name=event, trigger_type=kind, parameters=params
                )
            parameters = required_params(case["tag_type"])
            if "event_name" in case:
                parameters["event_name"] = case["event_name"]
            tag = tag_save(
                container=container,
                name=f"Case {number}",
                tag_type=case["tag_type"],
                parameters=parameters,
                categories=[necessary],
                firing_triggers=[triggers[event]],
            )
            tag_ids.append(tag.pk)
        served = config_served(container_publish(container=container).config)
        transaction.set_rollback(True)
    return served, tag_ids


def case_id(case) -> str:
    given = f" event_name={case['event_name']!r}" if "event_name" in case else ""
    return f"{case['tag_type']} {case['event']}{given} -> {case['vendor_name']}"


@pytest.mark.parametrize("number", range(len(CASES)), ids=[case_id(c) for c in CASES])
def test_the_served_configuration_gives_the_vendor_name(published, number):
    served, tag_ids = published
    case = CASES[number]
    (tag,) = [t for t in served["tags"] if t["id"] == tag_ids[number]]
    if case.get("event_name"):  # a tag's own name wins
        assert tag["params"]["event_name"] == case["vendor_name"]
    else:  # an empty one is not kept: the vendor's name for the event, else its own
        assert "event_name" not in tag["params"]
        names = served["events"].get(case["tag_type"], {})
        assert names.get(case["event"], case["event"]) == case["vendor_name"]


def test_the_tables_config_events_are_what_the_loader_serves(published):
    served, _ = published
    assert served["events"] == TABLE["config_events"]


def test_the_table_covers_every_standard_event_of_every_tag_type():
    standard = set().union(*(kind.event_names for kind in tag_types().values()))
    plain = {(c["tag_type"], c["event"]) for c in CASES if "event_name" not in c}
    assert {(slug, event) for slug in tag_types() for event in standard} <= plain
    with_parameter = {c["tag_type"] for c in CASES if c.get("event_name")}
    takes_one = {s for s, k in tag_types().items() if any(p.name == "event_name" for p in k.params)}
    assert with_parameter == takes_one
