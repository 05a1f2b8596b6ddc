"""System checks. Ids are stable; docs/checks.md lists them."""

import re

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from tagmanager.conf import DEFAULTS, get_config

_POSITIVE_INTS = (
    "LOADER_MAX_AGE",
    "LOADER_STALE_WHILE_REVALIDATE",
    "LOADER_CACHE_TIMEOUT",
    "LOADER_MISSING_CACHE_TIMEOUT",
    "FIRE_EVENT_RETENTION_DAYS",
    "COLLECT_MAX_BYTES",
    "COLLECT_MAX_EVENTS",
    "INGEST_CACHE_TIMEOUT",
    "CONSENT_RECORD_RETENTION_DAYS",
)
_COOKIE_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+\-.^_`|~]+")


@checks.register()
def check_settings(app_configs=None, **kwargs):
    user = getattr(settings, "TAGMANAGER", {})
    if not isinstance(user, dict):
        return [
            checks.Error(
                "The TAGMANAGER setting must be a dict.",
                hint="TAGMANAGER = {'FIRE_EVENT_RETENTION_DAYS': 90, ...}",
                id="tagmanager.E001",
            )
        ]
    errors = [
        checks.Warning(
            f"Unknown key TAGMANAGER['{key}'] is ignored.",
            hint=f"Known keys: {', '.join(sorted(DEFAULTS))}.",
            id="tagmanager.W001",
        )
        for key in sorted(set(user) - set(DEFAULTS))
    ]
    config = get_config()
    for key in _POSITIVE_INTS:
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors.append(
                checks.Error(
                    f"TAGMANAGER['{key}'] must be a positive whole number, not {value!r}.",
                    id="tagmanager.E003",
                )
            )
    name = config["CONSENT_COOKIE_NAME"]
    if not isinstance(name, str) or not _COOKIE_NAME.fullmatch(name):
        errors.append(
            checks.Error(
                f"TAGMANAGER['CONSENT_COOKIE_NAME'] {name!r} is not a valid cookie name.",
                id="tagmanager.E004",
            )
        )
    return errors


@checks.register()
def check_type_registries(app_configs=None, **kwargs):
    from tagmanager.registry import load_types

    errors = []
    for setting in ("TAG_TYPES", "TRIGGER_TYPES", "VARIABLE_TYPES"):
        try:
            load_types(setting)
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="tagmanager.E002"))
    return errors


@checks.register(checks.Tags.caches)
def check_cache(app_configs=None, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend.endswith("DummyCache"):
        return [
            checks.Warning(
                "The default cache is DummyCache: every loader request reads the database.",
                hint="Use Redis (CACHE_URL=redis://...) or local memory.",
                id="tagmanager.W002",
            )
        ]
    return []
