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
    # Days a fire event is kept before it is rolled up into daily counts and purged.
    "FIRE_EVENT_RETENTION_DAYS": 90,
    # Days a consent record is kept after it expires (proof must outlive the consent).
    "CONSENT_RECORD_RETENTION_DAYS": 365 * 3,
}


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
        from tagmanager import registry

        registry.clear_cache()
