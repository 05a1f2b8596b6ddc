import pytest
from django.core.checks import run_checks
from django.test import override_settings


def ids(**kwargs):
    return sorted(m.id for m in run_checks() if m.id and m.id.startswith("tagmanager."))


def test_default_configuration_is_clean():
    assert ids() == []


@override_settings(TAGMANAGER=["not", "a", "dict"])
def test_e001_setting_not_a_dict():
    assert ids() == ["tagmanager.E001"]


@override_settings(TAGMANAGER={"TAG_TYPES": ["tagmanager.registry.tags.Missing"]})
def test_e002_type_path_cannot_be_imported():
    assert ids() == ["tagmanager.E002"]


@override_settings(TAGMANAGER={"TRIGGER_TYPES": ["tagmanager.registry.tags.ImagePixel"]})
def test_e002_type_of_the_wrong_kind():
    assert ids() == ["tagmanager.E002"]


@pytest.mark.parametrize("value", [0, -5, "90", True, None])
def test_e003_positive_integers(value):
    with override_settings(TAGMANAGER={"FIRE_EVENT_RETENTION_DAYS": value}):
        assert ids() == ["tagmanager.E003"]


@override_settings(TAGMANAGER={"CONSENT_COOKIE_NAME": "bad name;"})
def test_e004_cookie_name():
    assert ids() == ["tagmanager.E004"]


@override_settings(TAGMANAGER={"FIRE_EVENTS_RETENTION_DAYS": 30})
def test_w001_unknown_key():
    messages = [m for m in run_checks() if m.id == "tagmanager.W001"]
    assert len(messages) == 1 and "FIRE_EVENTS_RETENTION_DAYS" in messages[0].msg


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_w002_dummy_cache():
    assert ids() == ["tagmanager.W002"]
