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


@transaction.atomic
def container_create(
    *, name: str, key: str | None = None, allowed_origins=(), default_categories: bool = True
) -> Container:
    """Create a container, with the four usual consent categories unless told otherwise."""
    container = Container(name=name, allowed_origins=list(allowed_origins))
    if key:
        container.key = key
    container.full_clean()
    container.save()
    if default_categories:
        container_ensure_default_categories(container=container)
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
