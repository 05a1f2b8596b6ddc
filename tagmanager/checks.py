"""System checks. Ids are stable; docs/checks.md lists them."""

import re

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from tagmanager.conf import DEFAULTS, RATE_SETTINGS, get_config

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
    "INGEST_RETRY_AFTER",
    "CACHE_RETRY_AFTER",
    "INGEST_DRAIN_BATCH",
    "INGEST_LEASE_SECONDS",
    "PREVIEW_MAX_AGE",
    "DEAD_LETTER_RETENTION_DAYS",
)
_NON_NEGATIVE_INTS = ("SEAL_GRACE_SECONDS", "LOCAL_CACHE_SECONDS")
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
    for key in (*_POSITIVE_INTS, *_NON_NEGATIVE_INTS):
        value, least = config[key], 0 if key in _NON_NEGATIVE_INTS else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            errors.append(
                checks.Error(
                    f"TAGMANAGER['{key}'] must be a whole number of at least {least}, "
                    f"not {value!r}.",
                    id="tagmanager.E003",
                )
            )
    for key, least in (("INGEST_REDIS_TIMEOUT", 0.001), ("INGEST_DRAIN_LINGER", 0)):
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < least:
            errors.append(
                checks.Error(
                    f"TAGMANAGER['{key}'] must be a number of seconds "
                    f"({'positive' if least else 'zero or more'}), not {value!r}.",
                    id="tagmanager.E006",
                )
            )
    events = config["CONVERSION_EVENTS"]
    if not isinstance(events, (list, tuple)) or not all(
        isinstance(e, str) and 0 < len(e) <= 100 for e in events
    ):
        errors.append(
            checks.Error(
                "TAGMANAGER['CONVERSION_EVENTS'] must be a list of event names "
                f"(1 to 100 characters), not {events!r}.",
                hint="e.g. ['purchase', 'lead']",
                id="tagmanager.E007",
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


@checks.register(checks.Tags.database)
def check_sqlite_concurrency(app_configs=None, databases=None, **kwargs):
    """SQLite's default (deferred) transactions fail with "database is locked" when two
    writers meet; a consent decision or a beacon would be refused."""
    db = settings.DATABASES.get("default", {})
    if not db.get("ENGINE", "").endswith("sqlite3"):
        return []
    if str(db.get("OPTIONS", {}).get("transaction_mode", "")).upper() == "IMMEDIATE":
        return []
    return [
        checks.Warning(
            "SQLite without transaction_mode IMMEDIATE: concurrent consent decisions and "
            "beacons can be refused with 'database is locked'.",
            hint="DATABASES['default']['OPTIONS'] = {'transaction_mode': 'IMMEDIATE', "
            "'timeout': 20, 'init_command': 'PRAGMA journal_mode=WAL;'} (README).",
            id="tagmanager.W004",
        )
    ]


def _nothing(items):
    return None


def _broker_configured() -> str:
    """The broker URL the Celery app in force would use, or "" when none was configured
    (Celery would then try amqp://localhost, where nothing may store what it is sent)."""
    from celery import current_app

    url = str(getattr(settings, "CELERY_BROKER_URL", "") or "")
    if not url:
        url = str(current_app.conf.broker_url or "")
    return "" if url.startswith("memory://") else url


@checks.register()
def check_ingest_buffer(app_configs=None, **kwargs):
    from tagmanager.ingest import NEEDS_BROKER, buffer_class, buffer_path

    path = buffer_path()
    try:
        buffer_class(path)(store=_nothing, bury=_nothing)  # may refuse its settings
    except (ImproperlyConfigured, ImportError) as exc:  # ImportError: redis not installed
        return [
            checks.Error(
                str(exc) if isinstance(exc, ImproperlyConfigured) else f"{path}: {exc}",
                hint="e.g. tagmanager.ingest.direct.DirectBuffer or "
                "tagmanager.ingest.redis_buffer.RedisBuffer (see docs/ingestion.md).",
                id="tagmanager.E005",
            )
        ]
    broker = _broker_configured()
    if path in NEEDS_BROKER and not broker:
        return [
            checks.Error(
                f"TAGMANAGER['INGEST_BUFFER'] is {path}, which hands beacons to a Celery "
                "broker, but no broker is configured: events would be lost.",
                hint="Set CELERY_BROKER_URL, or use tagmanager.ingest.direct.DirectBuffer "
                "(the default) to store events in the request.",
                id="tagmanager.E008",
            )
        ]
    if path == "tagmanager.ingest.celery.CeleryTaskBuffer" and broker.startswith("redis"):
        return [
            checks.Warning(
                "One Celery task per beacon over a Redis broker can lose a beacon when a "
                "worker is killed (the Redis transport pops a message before it records it "
                "as unacknowledged).",
                hint="TAGMANAGER['INGEST_BUFFER'] = "
                "'tagmanager.ingest.redis_buffer.RedisBuffer' (docs/ingestion.md).",
                id="tagmanager.W003",
            )
        ]
    return []


@checks.register()
def check_rates(app_configs=None, **kwargs):
    from tagmanager.ratelimit import rate_parse

    errors = []
    config = get_config()
    for key in RATE_SETTINGS:
        try:
            rate_parse(config[key])
        except ValueError as exc:
            errors.append(
                checks.Error(
                    f"TAGMANAGER['{key}'] is {exc}; until it is fixed there is no such limit.",
                    hint="'<count>/<period>': '60/minute', '5/15minutes', '1000/hour'; "
                    "None or 'off' for no limit.",
                    id="tagmanager.E009",
                )
            )
    return errors


@checks.register(checks.Tags.caches, deploy=True)
def check_rate_limit_cache(app_configs=None, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            checks.Warning(
                "Rate limits are counted in the default cache, which is per process "
                f"({backend.rsplit('.', 1)[-1]}): each web process allows the full rate.",
                hint="Use a shared cache: Redis (CACHE_URL=redis://...) or Memcached.",
                id="tagmanager.W005",
            )
        ]
    return []
