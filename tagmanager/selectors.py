"""Reads shared by views, the API, the admin and reports."""

from django.db import connection

from tagmanager.conf import get_setting
from tagmanager.models import Container
from tagmanager.registry import tag_types


def health_status() -> dict:
    """What a worker (or a probe) can see: the database answers, and how many containers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"database": connection.vendor, "containers": Container.objects.count()}


def container_draft_config(*, container: Container) -> dict:
    """The container's current (unpublished) definitions as loader configuration data.

    Disabled tags are left out. Triggers carry their names for error messages; tags are
    sorted so that higher priority fires first.
    """
    categories = list(container.categories.order_by("order", "slug"))
    tags = (
        container.tags.enabled()
        .prefetch_related("categories", "firing_triggers", "blocking_triggers")
        .order_by("-priority", "name", "pk")
    )
    tag_list = [
        {
            "id": tag.pk,
            "name": tag.name,
            "type": tag.tag_type,
            "params": tag.parameters,
            "categories": sorted(c.slug for c in tag.categories.all()),
            "triggers": sorted(t.pk for t in tag.firing_triggers.all()),
            "blocking": sorted(t.pk for t in tag.blocking_triggers.all()),
            "limit": tag.fire_limit,
            "priority": tag.priority,
        }
        for tag in tags
    ]
    types = tag_types()
    used_types = sorted({t["type"] for t in tag_list})
    return {
        "key": container.key,
        "consent": {
            "revision": container.revision,
            "lifetimeDays": container.consent_lifetime_days,
            "cookie": get_setting("CONSENT_COOKIE_NAME"),
            "cookieDomain": container.cookie_domain,
            "gpc": container.honour_gpc,
            "regionDefaults": container.consent_mode_defaults,
            "defaultLocale": container.default_locale,
            "texts": container.banner_texts,
            "categories": [
                {
                    "slug": c.slug,
                    "required": c.required,
                    "signals": c.consent_signals,
                    "saleSharing": c.sale_or_sharing,
                    "cookies": c.cookies,
                    "names": c.names,
                    "descriptions": c.descriptions,
                }
                for c in categories
            ],
        },
        "variables": [
            {"name": v.name, "type": v.variable_type, "params": v.parameters}
            for v in container.variables.order_by("name")
        ],
        "triggers": [
            {
                "id": t.pk,
                "name": t.name,
                "type": t.trigger_type,
                "params": t.parameters,
                "conditions": t.conditions,
            }
            for t in container.triggers.order_by("pk")
        ],
        "tags": tag_list,
        "events": {
            slug: types[slug].event_names
            for slug in used_types
            if slug in types and types[slug].event_names
        },
    }


def container_has_unpublished_changes(*, container: Container) -> bool:
    """Whether the draft differs from the live version (always true before the first publish)."""
    live = container.live_version
    if live is None:
        return True
    published = {k: v for k, v in live.config.items() if k not in ("v", "version", "hash")}
    return published != container_draft_config(container=container)


def container_draft_diff(*, container: Container) -> dict:
    """What publishing now would change, compared with the live version (see loader.diff)."""
    from tagmanager.loader.diff import config_diff

    live = container.live_version
    return config_diff(live.config if live else None, container_draft_config(container=container))


def version_diff(*, version, against=None) -> dict:
    """What ``version`` changed compared with ``against`` (default: the version before it)."""
    from tagmanager.loader.diff import config_diff

    if against is None:
        against = (
            version.container.versions.filter(number__lt=version.number).order_by("-number").first()
        )
    return config_diff(against.config if against else None, version.config)


def container_ingest_meta(*, key: str) -> dict | None:
    """What the collect endpoint needs to accept a batch, cached briefly: id and origins."""
    from tagmanager.cache import cache_get, cache_set, local_get, local_set

    cache_key = f"tagmanager:ingest:{key}"
    meta = local_get(cache_key)
    if meta is None:
        meta = cache_get(cache_key)
        if meta is None:
            row = Container.objects.filter(key=key).values("pk", "allowed_origins").first()
            meta = {"id": row["pk"], "origins": row["allowed_origins"]} if row else {}
            cache_set(cache_key, meta, get_setting("INGEST_CACHE_TIMEOUT"))
        local_set(
            cache_key,
            meta,
            min(get_setting("LOCAL_CACHE_SECONDS"), get_setting("INGEST_CACHE_TIMEOUT")),
        )
    return meta or None
