"""A tag type defined in another app (tests/customtype) fires in the browser: its browser code
rides along in the loader of a container that uses it, and only there."""

import pytest
from django.test import override_settings

from tagmanager.conf import DEFAULTS

pytestmark = pytest.mark.browser

WITH_CONFETTI = {"TAG_TYPES": [*DEFAULTS["TAG_TYPES"], "tests.customtype.types.Confetti"]}


@override_settings(TAGMANAGER=WITH_CONFETTI)
def test_a_tag_type_of_another_app_fires_once_consented(containers, visit):
    shop = containers.create(
        {
            "triggers": {"pv": {"trigger_type": "page_view"}},
            "tags": [
                {
                    "name": "Party",
                    "tag_type": "confetti",
                    "parameters": {"colour": "teal"},
                    "categories": ["analytics"],
                    "triggers": ["pv"],
                }
            ],
        }
    )
    v = visit()
    v.open(containers.page(shop))
    v.settle()
    assert v.js("document.querySelectorAll('[data-confetti]').length") == 0
    v.click("accept-all")
    fired = v.wait_collected(lambda e: e["tag"] == shop.tags["Party"])
    assert fired[0]["event"] == "page_view"
    assert v.js("document.querySelector('[data-confetti]').textContent") == (
        "page_view: confetti in teal"
    )
