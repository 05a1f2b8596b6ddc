"""The "variables" cases of the table the runtime's unit tests read too
(js/test/variables-cases.test.js runs every case in the browser's modules): what the server
knows of a ``{{variable}}`` agrees with what the browser resolves.

The server resolves no variable itself. It decides which references a tag may publish (built-ins,
the container's variables: ``tagmanager.registry.variables``, ``config_problems``), and the pixel
audit reads ``page_path``, ``page_hostname`` and, in part, ``page_url`` from a fire's stored page
(``tagmanager.audit``). A case's ``valid`` says whether the server saves its variables and
publishes its template; ``value`` is the browser's answer, judged here where the server can."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from tagmanager.audit import condition_possible, page_variables
from tagmanager.loader.config import config_problems
from tagmanager.registry import variable_refs, variable_types
from tagmanager.registry.params import VARIABLE_REF
from tagmanager.registry.variables import BUILTIN_VARIABLES
from tagmanager.services.tags import variable_definition_validate

CASES = json.loads((Path(__file__).parent / "rules_cases.json").read_text())["variables"]


def case_id(case) -> str:
    return json.dumps(case["template"], ensure_ascii=True) + (
        f" ({case['note']})" if "note" in case else ""
    )


def only_reference(case) -> str | None:
    """The name of a template that is exactly one reference."""
    found = isinstance(case["template"], str) and VARIABLE_REF.fullmatch(case["template"])
    return found.group(1) if found else None


def builtin_reference(case) -> str | None:
    """The built-in a template that is exactly one reference reads (the container's variables
    come first in the browser)."""
    name = only_reference(case)
    return None if any(v["name"] == name for v in case.get("variables", ())) else name


def stored_page(case) -> str:
    """The page a fire of this case is stored with: the browser sends origin and path (the
    table gives the URL as the browser has it, so that is the URL up to its query or fragment)."""
    return case["page"]["url"].partition("#")[0].partition("?")[0]


def publish_problems(case) -> list[str]:
    """Why the server would not save the case's variables or publish its template in a tag."""
    problems = []
    for variable in case.get("variables", ()):
        try:
            cleaned = variable_definition_validate(
                name=variable["name"], variable_type=variable["type"], parameters=variable["params"]
            )
        except ValidationError as exc:
            problems += exc.messages
        else:
            assert cleaned == variable["params"], (
                "the table holds variables as the server saves them"
            )
    template = case["template"]
    tag_type, params = (
        ("custom_html", {"html": template})
        if isinstance(template, str)
        else ("ga4", {"measurement_id": "G-ABC123XYZ9", "event_parameters": template})
    )
    config = {
        "consent": {
            "categories": [{"slug": "necessary"}],
            "defaultLocale": "en",
            "texts": {"en": {}},
        },
        "variables": case.get("variables", []),
        "triggers": [
            {"id": 1, "name": "Pages", "type": "page_view", "params": {}, "conditions": []}
        ],
        "tags": [
            {
                "id": 1,
                "name": "Case",
                "type": tag_type,
                "params": params,
                "categories": ["necessary"],
                "triggers": [1],
                "blocking": [],
            }
        ],
    }
    return problems + config_problems(config)


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_the_server_publishes_exactly_the_valid_cases(case):
    problems = publish_problems(case)
    assert (not problems) is case["valid"], problems
    # An invalid case is refused for its names only, not for a mistake in the table.
    assert all("missing variable" in p or "built-in" in p for p in problems), problems


PAGE_CASES = [c for c in CASES if builtin_reference(c) in ("page_path", "page_hostname")]


@pytest.mark.parametrize("case", PAGE_CASES, ids=[case_id(c) for c in PAGE_CASES])
def test_the_audit_reads_page_path_and_hostname_as_the_browser(case):
    assert page_variables(stored_page(case))[builtin_reference(case)] == case["value"]


URL_CASES = [c for c in CASES if builtin_reference(c) == "page_url"]


@pytest.mark.parametrize("case", URL_CASES, ids=[case_id(c) for c in URL_CASES])
def test_the_audit_allows_the_page_url_the_browser_had(case):
    condition = {"variable": "page_url", "operator": "equals", "value": case["value"]}
    assert condition_possible(condition, stored_page(case))
    other_path = {**condition, "value": stored_page(case) + "x"}
    assert not condition_possible(other_path, stored_page(case))


CONSTANT_CASES = [
    c
    for c in CASES
    if any(
        v["type"] == "constant" and v["name"] == only_reference(c) for v in c.get("variables", ())
    )
]


@pytest.mark.parametrize("case", CONSTANT_CASES, ids=[case_id(c) for c in CONSTANT_CASES])
def test_a_constant_is_the_value_the_server_publishes(case):
    (variable,) = [v for v in case["variables"] if v["name"] == only_reference(case)]
    assert case["value"] == variable["params"]["value"]


def test_the_table_covers_every_built_in_and_every_variable_type():
    referenced = set().union(*(variable_refs(c["template"]) for c in CASES))
    assert set(BUILTIN_VARIABLES) <= referenced
    assert any(name.startswith("event.") for name in referenced)
    used = {v["type"] for c in CASES for v in c.get("variables", ())}
    assert used == set(variable_types())
