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


def container_setup_warnings(*, container: Container) -> list[str]:
    """What keeps a container from working on its site although it can be published."""
    if not container.allowed_origins:
        return [
            "No allowed origins: every consent decision and beacon from the site will be "
            "refused (403) while its tags fire. Add the site's origin, e.g. "
            "https://www.example.com, under Allowed origins."
        ]
    return []


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


def ingest_cache_key(key: str) -> str:
    """Where a container's ingestion metadata is cached (shared cache and process copy)."""
    return f"tagmanager:ingest:{key}"


def _ingest_meta_read(key: str) -> dict:
    row = Container.objects.filter(key=key).values("pk", "allowed_origins").first()
    return {"id": row["pk"], "origins": row["allowed_origins"]} if row else {}


def container_ingest_meta(*, key: str, fresh: bool = False) -> dict | None:
    """What the ingestion endpoints need to accept a batch, cached: id and allowed origins.

    The shared cache is rewritten whenever a container is saved or deleted
    (``container_ingest_meta_refresh``); each process keeps a copy for at most
    ``LOCAL_CACHE_SECONDS``. ``fresh``: skip that copy (an origin refused by it is checked
    again, so that an origin just added is accepted at once on every process)."""
    from tagmanager.cache import cache_add, cache_get, local_get, local_set

    cache_key = ingest_cache_key(key)
    meta = None if fresh else local_get(cache_key)
    if meta is None:
        meta = cache_get(cache_key)
        if meta is None:
            meta = _ingest_meta_read(key)
            # add, not set: a reader must never overwrite what a change just wrote with the
            # older row it read before that change committed.
            cache_add(cache_key, meta, get_setting("INGEST_CACHE_TIMEOUT"))
        local_set(
            cache_key,
            meta,
            min(get_setting("LOCAL_CACHE_SECONDS"), get_setting("INGEST_CACHE_TIMEOUT")),
        )
    return meta or None


def container_ingest_meta_refresh(*, key: str) -> None:
    """Rewrite the cached ingestion metadata of ``key`` from the database (after a change)."""
    from tagmanager.cache import cache_set, local_delete

    cache_key = ingest_cache_key(key)
    cache_set(cache_key, _ingest_meta_read(key), get_setting("INGEST_CACHE_TIMEOUT"))
    local_delete(cache_key)


SELF_ORIGIN = "self"


def origin_allowed(*, origins: list, origin: str, own_origin: str) -> bool:
    """Whether a request with this ``Origin`` header may write for a container allowing
    ``origins``. "self" allows pages served by the tag manager itself: ``own_origin`` is the
    request's scheme and (validated, see ``tagmanager.endpoints.own_origin``) host, or "". A
    browser cannot send another site's page as ours, and a host outside ALLOWED_HOSTS (DNS
    rebinding) never counts."""
    if origin in origins:
        return True
    return SELF_ORIGIN in origins and bool(origin) and origin == own_origin


def container_origin_allowed(*, key: str, meta: dict, origin: str, own_origin: str) -> bool:
    """``origin_allowed`` against the cached metadata, and once more against the shared cache
    when the process's copy refuses it (it may predate the change that allowed it)."""
    if origin_allowed(origins=meta["origins"], origin=origin, own_origin=own_origin):
        return True
    fresh = container_ingest_meta(key=key, fresh=True)
    return fresh is not None and origin_allowed(
        origins=fresh["origins"], origin=origin, own_origin=own_origin
    )
