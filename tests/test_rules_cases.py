"""The table of rule cases the runtime's unit tests read too (js/test/conditions.test.js): the
server's judgement of a condition (tagmanager.audit, used by the pixel audit) and the browser's
agree on every case."""

import json
from pathlib import Path

import pytest

from tagmanager.audit import js_text, operator_holds
from tagmanager.registry.conditions import OPERATORS

CASES = json.loads((Path(__file__).parent / "rules_cases.json").read_text())["conditions"]


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c['text']!r} {c['operator']} {c['value']!r}" for c in CASES]
)
def test_condition_case(case):
    assert operator_holds(case["operator"], case["text"], js_text(case["value"])) is case["holds"]


def test_the_table_covers_every_operator():
    assert {c["operator"] for c in CASES} == set(OPERATORS)
