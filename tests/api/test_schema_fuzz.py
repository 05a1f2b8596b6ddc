"""Property-based fuzzing of the API against its own OpenAPI schema (schemathesis).

Every operation of the schema is called through the WSGI application with generated valid and
invalid requests, as a member of the demo container. Checks: no 500, only documented status
codes and content types, bodies matching the documented schemas.

Half of the examples aim at real objects (the demo container's key, ids that exist, bodies
whose references resolve), so success answers are checked too, not only 400s and 404s. Each
example runs in a transaction rolled back afterwards: a deletion or a key change never leaves
later examples without their fixtures. Seeded (derandomized) and bounded per operation.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tagmanager.api.schema import api_schema
from tagmanager.models import ConsentCategory, ConsentRecord, FireEvent, Tag, Trigger, Variable
from tests.api.conftest import CODE, PUBLISHER, client_for, decide
from tests.factories import FireEventFactory, VariableFactory, user_with

EXAMPLES_PER_OPERATION = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

SCHEMA = schemathesis.openapi.from_dict(api_schema())
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}

# Routes beside a collection's {id}: a generated id that spells one reaches that operation.
SIBLING_ROUTES = {"export"}
# Which model a collection's {id} names, to aim at objects that exist.
MODELS = {
    "categories": ConsentCategory,
    "tags": Tag,
    "triggers": Trigger,
    "variables": Variable,
    "consent-records": ConsentRecord,
    "fire-events": FireEvent,
}
# Fields that make a generated body refer to things that exist in the demo container.
ANCHORS = {
    "tags": lambda draw: {
        "tag_type": "image",
        "parameters": {"url": "https://px.example/i.gif?e={{event}}"},
        "categories": draw(st.sampled_from([["marketing"], ["analytics", "marketing"]])),
        "firing_triggers": ["All pages"],
        "blocking_triggers": draw(st.sampled_from([[], ["Purchase"]])),
    },
    "triggers": lambda draw: {
        "trigger_type": "custom_event",
        "parameters": {"event_name": draw(st.from_regex(r"[a-z_]{1,20}", fullmatch=True))},
        "conditions": [{"variable": "page_path", "operator": "starts_with", "value": "/"}],
    },
    "variables": lambda draw: {
        "name": draw(st.from_regex(r"v_[a-z0-9_]{0,20}", fullmatch=True)),
        "variable_type": "constant",
        "parameters": {"value": "x"},
    },
    "categories": lambda draw: {"names": {"en": "Fuzzed"}, "consent_signals": []},
    "containers": lambda draw: {
        "allowed_origins": [],
        "banner_texts": {"en": {"title": "Hi"}},
        "consent_mode_defaults": [],
        "cookie_domain": "",
    },
}


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler sharing the test's connection and transaction, as the test
    client does (it must not close the connection between requests)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(shop, other, settings):
    """The demo container with logs and a second version, a member with every permission of
    the workbench, and another container the member must never reach."""
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True  # a 500 shows its traceback
    VariableFactory(container=shop, name="coupon")
    first = decide(shop)
    decide(shop, previous=str(first.consent_id), action="withdraw")
    FireEventFactory(container=shop, tag_id=shop.tags.first().pk, event_name="purchase")
    perms = [*PUBLISHER, *CODE, "tagmanager.add_container", "tagmanager.change_container"]
    user = user_with("fuzzer", perms=perms, containers=[shop])
    client = client_for(user)
    assert client.post("/tm/api/containers/demo/publish/").status_code == 201
    return {"token": client._credentials["HTTP_AUTHORIZATION"], "shop": shop}


def _collection(path: str) -> str:
    return path.removeprefix("/tm/api/").split("/")[0]


def aim(case, draw, shop) -> None:
    """Point a generated case at the demo container's real objects."""
    collection = _collection(case.operation.path)
    params = case.path_parameters or {}
    if "key" in params:
        params["key"] = shop.key
    if "number" in params:
        params["number"] = draw(st.sampled_from([1, 2]))
    if "id" in params and collection in MODELS:
        ids = list(MODELS[collection].objects.filter(container=shop).values_list("pk", flat=True))
        params["id"] = draw(st.sampled_from(ids))
    if isinstance(case.query, dict) and "container" in case.query:
        case.query["container"] = shop.key
    if isinstance(case.body, dict):
        if "container" in case.body:
            case.body["container"] = shop.key
        if collection in ANCHORS and case.method in ("POST", "PUT", "PATCH"):
            case.body.update(ANCHORS[collection](draw))


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_conforms_to_schema(label, fuzz_world, wsgi_app):
    operation = OPERATIONS[label]
    strategy = st.one_of(
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
    )
    shop = fuzz_world["shop"]
    headers = {"Authorization": fuzz_world["token"]}

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, data=st.data())
    def run(case, data):
        if data.draw(st.booleans(), label="aim at real objects"):
            aim(case, data.draw, shop)
        params = case.path_parameters or {}
        if str(params.get("id", "")).strip("/") in SIBLING_ROUTES:
            # GET consent-records/export/ is the export, an operation fuzzed on its own.
            params["id"] = "0"
        with transaction.atomic():
            response = case.call(app=wsgi_app, headers=headers)
            case.validate_response(response, checks=CHECKS)
            transaction.set_rollback(True)

    run()
