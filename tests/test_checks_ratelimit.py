"""System checks of the rate limits: tagmanager.E009 (a malformed rate) and the deploy-only
tagmanager.W005 (counters in a per-process cache)."""

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from tagmanager.checks import RATE_SETTINGS
from tagmanager.conf import DEFAULTS


def ids(**kwargs):
    return sorted(m.id for m in run_checks(**kwargs) if m.id and m.id.startswith("tagmanager."))


def test_every_rate_setting_is_checked():
    assert set(RATE_SETTINGS) == {
        key for key in DEFAULTS if key.startswith(("RATE_LIMIT_", "API_THROTTLE_", "LOGIN_"))
    }


@pytest.mark.parametrize("key", RATE_SETTINGS)
@pytest.mark.parametrize("value", ["60", "lots/minute", "0/minute", 60, ["60/minute"]])
def test_e009_malformed_rate(key, value):
    with override_settings(TAGMANAGER={key: value}):
        assert ids() == ["tagmanager.E009"]


@pytest.mark.parametrize("value", ["60/minute", "5/15minutes", None, "off"])
def test_rates_and_off_are_fine(value):
    with override_settings(TAGMANAGER={"RATE_LIMIT_CONSENT_CLIENT": value}):
        assert ids() == []


def test_w004_per_process_cache_in_deployment_only():
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    redis = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    with override_settings(CACHES=locmem):
        assert "tagmanager.W005" not in ids()
        assert "tagmanager.W005" in ids(include_deployment_checks=True)
    with override_settings(CACHES=redis):
        assert "tagmanager.W005" not in ids(include_deployment_checks=True)
