from django.db import transaction

from tagmanager.models import ConsentCategory, Container

DEFAULT_CATEGORIES = (
    {
        "slug": "necessary",
        "names": {"en": "Necessary"},
        "descriptions": {"en": "Needed for the site to work. Always on."},
        "required": True,
        "consent_signals": ["security_storage"],
    },
    {
        "slug": "preferences",
        "names": {"en": "Preferences"},
        "descriptions": {"en": "Remember your choices, such as language."},
        "consent_signals": ["functionality_storage", "personalization_storage"],
    },
    {
        "slug": "analytics",
        "names": {"en": "Analytics"},
        "descriptions": {"en": "Measure how the site is used, to improve it."},
        "consent_signals": ["analytics_storage"],
    },
    {
        "slug": "marketing",
        "names": {"en": "Marketing"},
        "descriptions": {"en": "Measure and personalise advertising, with our partners."},
        "consent_signals": ["ad_storage", "ad_user_data", "ad_personalization"],
        "sale_or_sharing": True,
    },
)


# Settings of a container its members may change (the key too: its loader URL changes with it).
CONTAINER_SETTINGS = (
    "name",
    "key",
    "allowed_origins",
    "revision",
    "consent_lifetime_days",
    "default_locale",
    "banner_texts",
    "honour_gpc",
    "consent_mode_defaults",
    "cookie_domain",
)


def _settings_apply(container: Container, settings: dict) -> None:
    unknown = sorted(set(settings) - set(CONTAINER_SETTINGS))
    if unknown:
        raise TypeError(f"Not a container setting: {', '.join(unknown)}.")
    for field, value in settings.items():
        setattr(container, field, value)


@transaction.atomic
def container_create(
    *,
    name: str,
    key: str | None = None,
    allowed_origins=(),
    default_categories: bool = True,
    members=(),
    **settings,
) -> Container:
    """Create a container, with the four usual consent categories unless told otherwise.

    ``members`` are the users who may see and edit it; ``settings`` are further fields of
    ``CONTAINER_SETTINGS`` (revision, banner_texts ...).
    """
    origins = list(allowed_origins) if isinstance(allowed_origins, tuple) else allowed_origins
    container = Container(name=name, allowed_origins=origins)
    if key:
        container.key = key
    _settings_apply(container, settings)
    container.full_clean()
    container.save()
    if members:
        container.members.add(*members)
    if default_categories:
        container_ensure_default_categories(container=container)
    return container


@transaction.atomic
def container_update(*, container: Container, **settings) -> Container:
    """Change settings of ``CONTAINER_SETTINGS``; consent and banner changes reach visitors
    with the next publish, a new key at once (the old loader URL stops serving).

    >>> container_update(container=shop, allowed_origins=["https://shop.example"])
    """
    from tagmanager.loader.serve import loader_cache_refresh
    from tagmanager.selectors import container_ingest_meta_refresh

    old_key = container.key
    _settings_apply(container, settings)
    container.full_clean()
    container.save()
    if container.key != old_key:
        keys = (old_key, container.key)
        transaction.on_commit(lambda: [loader_cache_refresh(key=k) for k in keys])
        # The new key's ingestion metadata is refreshed on save (tagmanager.signals).
        transaction.on_commit(lambda: container_ingest_meta_refresh(key=old_key))
    return container


def container_ensure_default_categories(*, container: Container) -> list[ConsentCategory]:
    """Create whichever of the usual categories the container lacks; never touch the others."""
    categories = []
    for order, spec in enumerate(DEFAULT_CATEGORIES):
        category, _ = ConsentCategory.objects.get_or_create(
            container=container,
            slug=spec["slug"],
            defaults={**spec, "order": order, "cookies": []},
        )
        categories.append(category)
    return categories
