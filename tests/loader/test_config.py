import copy

import pytest

from tagmanager.loader.config import config_finalize, config_hash, config_problems


def base_config() -> dict:
    return {
        "key": "shop",
        "consent": {
            "revision": 1,
            "lifetimeDays": 180,
            "cookie": "tm_consent",
            "cookieDomain": "",
            "gpc": True,
            "regionDefaults": [],
            "defaultLocale": "en",
            "texts": {"en": {"title": "t"}},
            "categories": [
                {
                    "slug": "necessary",
                    "required": True,
                    "signals": [],
                    "saleSharing": False,
                    "cookies": [],
                    "names": {},
                    "descriptions": {},
                },
                {
                    "slug": "marketing",
                    "required": False,
                    "signals": ["ad_storage"],
                    "saleSharing": True,
                    "cookies": [],
                    "names": {},
                    "descriptions": {},
                },
            ],
        },
        "variables": [{"name": "plan", "type": "cookie", "params": {"name": "plan"}}],
        "triggers": [
            {"id": 1, "name": "All pages", "type": "page_view", "params": {}, "conditions": []}
        ],
        "tags": [
            {
                "id": 5,
                "name": "Pixel",
                "type": "image",
                "params": {"url": "https://p.example/i.gif?plan={{plan}}&u={{page_url}}"},
                "categories": ["marketing"],
                "triggers": [1],
                "blocking": [],
                "limit": "unlimited",
                "priority": 0,
            }
        ],
        "events": {},
    }


def test_valid_config_has_no_problems():
    assert config_problems(base_config()) == []


def mutate(change):
    config = copy.deepcopy(base_config())
    change(config)
    return config_problems(config)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c["tags"][0].update(categories=[]), "Tag 'Pixel': has no consent category."),
        (lambda c: c["tags"][0].update(categories=["ads"]), "unknown consent category 'ads'"),
        (lambda c: c["tags"][0].update(triggers=[]), "has no firing trigger"),
        (lambda c: c["tags"][0].update(blocking=[99]), "trigger of another container"),
        (lambda c: c["tags"][0]["params"].update(url="nope"), "Tag 'Pixel': url: Enter"),
        (lambda c: c["tags"][0].update(type="gone"), "Tag 'Pixel': Unknown type 'gone'"),
        (lambda c: c["variables"].clear(), "refers to the missing variable {{plan}}"),
        (
            lambda c: c["triggers"][0]["conditions"].append(
                {"variable": "cart", "operator": "equals", "value": "1"}
            ),
            "Trigger 'All pages': refers to the missing variable {{cart}}",
        ),
        (
            lambda c: c["triggers"][0].update(type="custom_event"),
            "Trigger 'All pages': event_name: This field is required.",
        ),
        (lambda c: c["variables"][0].update(params={}), "Variable 'plan': name: This field"),
        (lambda c: c["consent"]["categories"].clear(), "no consent categories"),
        (lambda c: c["consent"].update(defaultLocale="de"), "missing for the default language"),
    ],
)
def test_each_problem_is_reported(change, expected):
    problems = mutate(change)
    assert any(expected in p for p in problems), problems


def test_all_problems_are_listed_at_once():
    def break_everything(c):
        c["tags"][0].update(categories=[], triggers=[])
        c["variables"].clear()

    assert len(mutate(break_everything)) == 3


def test_builtin_and_event_variables_need_no_definition():
    def use_builtins(c):
        c["tags"][0]["params"]["url"] = "https://p.example/i?v={{event.value}}&r={{referrer}}"

    assert mutate(use_builtins) == []


def test_hash_is_canonical_and_covers_the_version():
    config = base_config()
    reordered = dict(reversed(list(copy.deepcopy(config).items())))
    assert config_hash(config) == config_hash(reordered)
    first, second = config_finalize(config, version=1), config_finalize(config, version=2)
    assert first["hash"] != second["hash"]
    assert first["hash"] == config_hash(first)  # the hash field itself is ignored
    assert first["v"] == 1 and first["version"] == 1
