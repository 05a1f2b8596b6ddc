"""Per-container loaders: a loader carries the code of the types its configuration uses and no
other; a type of another app brings its own; a type without browser code cannot be published."""

import gzip
from pathlib import Path

from django.test import override_settings

from tagmanager.conf import DEFAULTS
from tagmanager.loader.build import KINDS, RUNTIME, loader_source, runtime_fingerprint, types_used
from tagmanager.loader.config import config_problems

PIECES = {kind: sorted(p.stem for p in (RUNTIME / kind).glob("*.js")) for kind in KINDS}


def config(tags=(), triggers=(), variables=()):
    return {
        "key": "k",
        "consent": {"texts": {}},
        "tags": list(tags),
        "triggers": list(triggers),
        "variables": list(variables),
    }


def tag(tag_type, params=None):
    return {
        "id": 1,
        "name": tag_type,
        "type": tag_type,
        "params": params or {},
        "categories": ["a"],
        "triggers": [1],
        "blocking": [],
    }


def trigger(trigger_type, *operators, params=None):
    conditions = [{"variable": "page_path", "operator": o, "value": "/"} for o in operators]
    return {
        "id": 1,
        "name": "t",
        "type": trigger_type,
        "params": params or {},
        "conditions": conditions,
    }


def carried(source: str) -> dict:
    return {
        kind: [
            slug
            for slug in PIECES[kind]
            if f'tmTypes.{kind}["{slug}"]' in source or f"tmTypes.{kind}.{slug}=" in source
        ]
        for kind in KINDS
    }


def test_every_type_of_tagmanager_has_a_piece():
    from tagmanager.registry import tag_types, trigger_types, variable_types
    from tagmanager.registry.conditions import OPERATORS

    assert PIECES["tags"] == sorted(tag_types())
    assert PIECES["variables"] == sorted(variable_types())
    assert PIECES["triggers"] == sorted(
        set(trigger_types()) - {"page_view", "dom_ready", "window_loaded"}
    )
    assert PIECES["operators"] == sorted({o.removeprefix("not_") for o in OPERATORS})


def test_a_loader_carries_only_the_types_its_configuration_uses():
    one_pixel = config([tag("image")], [trigger("page_view")])
    assert carried(loader_source(one_pixel)) == {
        "operators": [],
        "variables": [],
        "triggers": [],
        "tags": ["image"],
    }
    several = config(
        [tag("ga4"), tag("meta_pixel")],
        [trigger("click", "not_contains", "matches_regex"), trigger("timer")],
        [{"name": "c", "type": "cookie", "params": {"name": "x"}}],
    )
    assert carried(loader_source(several)) == {
        "operators": ["contains", "matches_regex"],
        "variables": ["cookie"],
        "triggers": ["click", "timer"],
        "tags": ["ga4", "meta_pixel"],
    }
    assert types_used(several)["operators"] == ["contains", "matches_regex"]


def test_a_smaller_container_gets_a_smaller_loader():
    everything = config(
        [tag(t) for t in PIECES["tags"]],
        [trigger(t, *PIECES["operators"]) for t in PIECES["triggers"]],
        [{"name": v, "type": v, "params": {}} for v in PIECES["variables"]],
    )
    full = len(gzip.compress(loader_source(everything).encode(), 9))
    small = len(gzip.compress(loader_source(config([tag("image")])).encode(), 9))
    assert small < full - 1000


@override_settings(
    TAGMANAGER={
        "TAG_TYPES": [
            *DEFAULTS["TAG_TYPES"],
            "tests.customtype.types.Confetti",
            "tests.customtype.types.Invisible",
        ]
    }
)
def test_a_type_of_another_app_brings_its_browser_code():
    with_confetti = loader_source(config([tag("confetti", {"colour": "red"})]))
    assert "tmTypes.tags.confetti = (params, event, name, api)" in with_confetti
    assert "confetti" not in loader_source(config([tag("image")]))
    problems = config_problems(
        {
            "consent": {"categories": [{"slug": "a"}], "defaultLocale": "en", "texts": {"en": {}}},
            "variables": [],
            "triggers": [trigger("page_view")],
            "tags": [tag("invisible"), tag("confetti", {"colour": "red"})],
        }
    )
    assert problems == [
        "The tag type 'invisible' has no browser code (see docs/extending.md): nothing of it "
        "would run."
    ]


def test_the_loader_cache_key_changes_with_another_apps_browser_code(tmp_path, monkeypatch):
    """An upgrade of another app's type must not leave loaders built with its old code in the
    cache until they expire: the runtime fingerprint (part of the cache key) covers it."""
    import tests.customtype.types as custom

    copy = tmp_path / "confetti.js"
    copy.write_text((Path(custom.__file__).parent / "confetti.js").read_text())
    monkeypatch.setattr(custom, "__file__", str(tmp_path / "types.py"))
    settings = {"TAG_TYPES": [*DEFAULTS["TAG_TYPES"], "tests.customtype.types.Confetti"]}
    without = runtime_fingerprint()
    with override_settings(TAGMANAGER=settings):
        before = runtime_fingerprint()
        assert runtime_fingerprint() == before  # read once, not per request
    copy.write_text(copy.read_text() + "// version 2\n")
    with override_settings(TAGMANAGER=settings):
        after = runtime_fingerprint()
    assert len({without, before, after}) == 3
    assert runtime_fingerprint() == without


def test_page_view_dom_ready_and_window_loaded_need_no_piece():
    used = config(
        [tag("image", {"url": "https://px.example/p.gif"})],
        [trigger("page_view"), trigger("dom_ready")],
    )
    assert carried(loader_source(used))["triggers"] == []
    assert config_problems_of(used) == []


def config_problems_of(partial: dict) -> list[str]:
    consent = {"categories": [{"slug": "a"}], "defaultLocale": "en", "texts": {"en": {}}}
    return config_problems({**partial, "consent": consent})
