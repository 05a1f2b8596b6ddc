"""The app's settings: one ``TAGMANAGER`` dict in the host's settings, read lazily.

Usage::

    from tagmanager.conf import get_setting
    get_setting("FIRE_EVENT_RETENTION_DAYS")
"""

from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

DEFAULTS = {
    # Dotted paths of the tag, trigger and variable types marketers can pick from.
    "TAG_TYPES": [
        "tagmanager.registry.tags.ImagePixel",
        "tagmanager.registry.tags.ScriptUrl",
        "tagmanager.registry.tags.CustomHtml",
        "tagmanager.registry.tags.GoogleAnalytics4",
        "tagmanager.registry.tags.MetaPixel",
        "tagmanager.registry.tags.GoogleAdsConversion",
        "tagmanager.registry.tags.TikTokPixel",
        "tagmanager.registry.tags.LinkedInInsight",
    ],
    "TRIGGER_TYPES": [
        "tagmanager.registry.triggers.PageView",
        "tagmanager.registry.triggers.DomReady",
        "tagmanager.registry.triggers.WindowLoaded",
        "tagmanager.registry.triggers.Click",
        "tagmanager.registry.triggers.FormSubmit",
        "tagmanager.registry.triggers.CustomEvent",
        "tagmanager.registry.triggers.HistoryChange",
        "tagmanager.registry.triggers.Timer",
        "tagmanager.registry.triggers.ScrollDepth",
        "tagmanager.registry.triggers.ElementVisible",
    ],
    "VARIABLE_TYPES": [
        "tagmanager.registry.variables.Constant",
        "tagmanager.registry.variables.UrlParameter",
        "tagmanager.registry.variables.Cookie",
        "tagmanager.registry.variables.DataLayerKey",
        "tagmanager.registry.variables.DomElement",
    ],
    # Name of the first-party cookie holding the visitor's consent decision.
    "CONSENT_COOKIE_NAME": "tm_consent",
    # Browser cache lifetime of the loader, and how long a stale copy may be served meanwhile.
    "LOADER_MAX_AGE": 300,
    "LOADER_STALE_WHILE_REVALIDATE": 86400,
    # Seconds the built loader stays in the server's cache (publishing refreshes it at once;
    # with a per-process cache other processes catch up within this time).
    "LOADER_CACHE_TIMEOUT": 300,
    # Seconds an unknown or unpublished key is remembered as such.
    "LOADER_MISSING_CACHE_TIMEOUT": 10,
    # Largest accepted body of POST /tm/collect and /tm/consent, and events per batch.
    "COLLECT_MAX_BYTES": 65536,
    "COLLECT_MAX_EVENTS": 50,
    # Request header holding the client's IP as set by your reverse proxy (e.g.
    # "X-Real-IP"); empty = REMOTE_ADDR. Only its truncated form is ever stored.
    "CLIENT_IP_HEADER": "",
    # Seconds a container's key -> id and allowed origins are cached for the collect endpoint.
    "INGEST_CACHE_TIMEOUT": 60,
    # Seconds the hot endpoints leave the cache alone after it failed (they read the database).
    "CACHE_RETRY_AFTER": 5,
    # Seconds the hot endpoints keep a container's loader and ingestion metadata in the
    # process's memory (0: not at all); other processes see a publish within this time.
    "LOCAL_CACHE_SECONDS": 5,
    # Where accepted beacons wait before they are stored in bulk (tagmanager.ingest). The
    # default stores them in the request and needs no broker.
    "INGEST_BUFFER": "tagmanager.ingest.direct.DirectBuffer",
    # Seconds requests leave the buffer alone after it failed (they store synchronously).
    "INGEST_RETRY_AFTER": 5,
    # RedisBuffer: its Redis (empty = the Celery broker URL), key prefix, socket timeout.
    "INGEST_REDIS_URL": "",
    "INGEST_REDIS_KEY": "tagmanager:ingest",
    "INGEST_REDIS_TIMEOUT": 0.5,
    # Beacons stored per transaction by a drain, seconds a drainer waits for more when the
    # buffer runs dry, and seconds before the claim of a drainer that died is handed on.
    "INGEST_DRAIN_BATCH": 500,
    "INGEST_DRAIN_LINGER": 1.0,
    "INGEST_LEASE_SECONDS": 60,
    # Days a fire event is kept before it is rolled up into daily counts and purged.
    "FIRE_EVENT_RETENTION_DAYS": 90,
    # Seconds a consent record waits before it is sealed into the hash chain, so that one
    # committed a little late (a slow transaction, another web node) is still sealed in order.
    "SEAL_GRACE_SECONDS": 60,
    # Days a dead letter (an event that could not be stored) is kept for inspection.
    "DEAD_LETTER_RETENTION_DAYS": 30,
    # Days a consent record is kept after it expires (proof must outlive the consent).
    "CONSENT_RECORD_RETENTION_DAYS": 365 * 3,
    # Seconds a preview link (the draft with the debug panel, in one browser) stays valid.
    "PREVIEW_MAX_AGE": 3600,
    # Event names whose fires count as conversions in the reports (value per campaign).
    "CONVERSION_EVENTS": ["purchase", "lead"],
    # Rate limits ("<count>/<period>", e.g. "60/minute"; None or "off": no limit; see
    # tagmanager.ratelimit). Counted in the cache; over a limit the answer is 429 + Retry-After.
    # Per client (IP truncated to /24 or /48: a whole office or mobile network behind one
    # NAT counts as one) and per container, for each public door.
    "RATE_LIMIT_COLLECT_CLIENT": "1200/minute",
    "RATE_LIMIT_COLLECT_CONTAINER": "60000/minute",
    "RATE_LIMIT_CONSENT_CLIENT": "60/minute",
    "RATE_LIMIT_CONSENT_CONTAINER": "6000/minute",
    # Mail providers' image proxies (Gmail, Apple Mail) fetch the pixels of a whole mailing
    # from a few networks, hence the large per-client rate.
    "RATE_LIMIT_PIXEL_CLIENT": "6000/minute",
    "RATE_LIMIT_PIXEL_CONTAINER": "60000/minute",
    # The management API: per user (token or session), and per client for requests without
    # valid credentials (failed tokens included).
    "API_THROTTLE_USER": "3600/hour",
    "API_THROTTLE_ANON": "120/minute",
    # Failed admin sign-ins per username and client before that pair is locked out until the
    # window ends.
    "LOGIN_FAILURE_LIMIT": "5/15minutes",
}


# The settings that are rates ("<count>/<period>"), checked by tagmanager.E009.
RATE_SETTINGS = (
    "RATE_LIMIT_COLLECT_CLIENT",
    "RATE_LIMIT_COLLECT_CONTAINER",
    "RATE_LIMIT_CONSENT_CLIENT",
    "RATE_LIMIT_CONSENT_CONTAINER",
    "RATE_LIMIT_PIXEL_CLIENT",
    "RATE_LIMIT_PIXEL_CONTAINER",
    "API_THROTTLE_USER",
    "API_THROTTLE_ANON",
    "LOGIN_FAILURE_LIMIT",
)


@cache
def get_config() -> dict:
    user = getattr(settings, "TAGMANAGER", {})
    if not isinstance(user, dict):
        # checks.py reports this (tagmanager.E001); keep the app importable meanwhile.
        user = {}
    return {**DEFAULTS, **user}


def get_setting(name: str):
    return get_config()[name]


@receiver(setting_changed)
def _reset(*, setting, **kwargs):
    if setting == "TAGMANAGER":
        get_config.cache_clear()
        from tagmanager import ingest, registry

        registry.clear_cache()
        ingest.clear_cache()
