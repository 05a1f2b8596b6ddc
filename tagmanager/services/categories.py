"""Create, change and remove consent categories."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from tagmanager.models import ConsentCategory, Container
from tagmanager.models.consent import CONSENT_SIGNALS

# What a category's definition is made of: the keyword arguments of ``category_save``, and the
# fields the admin form and the API edit.
CATEGORY_FIELDS = (
    "slug",
    "names",
    "descriptions",
    "required",
    "order",
    "consent_signals",
    "sale_or_sharing",
    "cookies",
)

# Cookie names as browsers accept them, plus "*" so that "_ga_*" covers a family of cookies.
_COOKIE = re.compile(r"[A-Za-z0-9!#$%&'+\-.^_`|~*]{1,200}")
_LOCALE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")


def _texts_problems(field: str, texts, *, required: bool) -> dict:
    if not isinstance(texts, dict):
        return {field: ['Expected an object of language: text, e.g. {"en": "Analytics"}.']}
    if required and not any(isinstance(v, str) and v.strip() for v in texts.values()):
        return {field: ['Give at least one language, e.g. {"en": "Analytics"}.']}
    bad = [k for k, v in texts.items() if not _LOCALE.fullmatch(k) or not isinstance(v, str)]
    if bad:
        return {field: [f"Use language tags (en, de-AT) mapped to text; check: {', '.join(bad)}."]}
    return {}


def category_definition_validate(
    *, names, descriptions, consent_signals, cookies
) -> tuple[dict, dict, list, list]:
    """Cleaned texts, signals and cookie names, or ValidationError keyed by field."""
    errors = {}
    errors.update(_texts_problems("names", names, required=True))
    errors.update(_texts_problems("descriptions", descriptions, required=False))
    if not isinstance(consent_signals, (list, tuple)) or not all(
        isinstance(s, str) for s in consent_signals
    ):
        errors["consent_signals"] = ["Expected a list of Consent Mode signals."]
    else:
        unknown = sorted(set(consent_signals) - set(CONSENT_SIGNALS))
        if unknown:
            errors["consent_signals"] = [
                f"Unknown signal(s) {', '.join(unknown)}; expected any of: "
                f"{', '.join(CONSENT_SIGNALS)}."
            ]
    if not isinstance(cookies, (list, tuple)) or not all(isinstance(c, str) for c in cookies):
        errors["cookies"] = ["Expected a list of cookie names."]
    else:
        bad = [c for c in cookies if not _COOKIE.fullmatch(c)]
        if bad:
            errors["cookies"] = [f"Not a cookie name: {', '.join(map(repr, bad))}."]
    if errors:
        raise ValidationError(errors)
    # Keep the given order but drop repeats, so the loader's config stays small and stable.
    return (
        names,
        descriptions,
        list(dict.fromkeys(consent_signals)),
        list(dict.fromkeys(cookies)),
    )


@transaction.atomic
def category_save(
    *,
    container: Container,
    slug: str,
    names: dict,
    descriptions: dict | None = None,
    required: bool = False,
    order: int = 0,
    consent_signals: list[str] = (),
    sale_or_sharing: bool = False,
    cookies: list[str] = (),
    category: ConsentCategory | None = None,
) -> ConsentCategory:
    """Create a consent category, or update ``category``; changes reach visitors on publish.

    >>> category_save(container=shop, slug="analytics", names={"en": "Analytics"},
    ...               consent_signals=["analytics_storage"], cookies=["_ga", "_ga_*"])
    """
    names, descriptions, consent_signals, cookies = category_definition_validate(
        names=names,
        descriptions=descriptions or {},
        consent_signals=list(consent_signals),
        cookies=list(cookies),
    )
    category = category or ConsentCategory(container=container)
    category.slug, category.names, category.descriptions = slug, names, descriptions
    category.required, category.order = required, order
    category.consent_signals, category.sale_or_sharing = consent_signals, sale_or_sharing
    category.cookies = cookies
    category.full_clean()
    category.save()
    return category


@transaction.atomic
def category_delete(*, category: ConsentCategory) -> None:
    """Remove a category no tag needs any more.

    Raises ``ValidationError`` (code ``in_use``) naming the tags that still need it: removing it
    silently would let those tags fire with fewer consent checks than the marketer chose.
    """
    users = list(category.tags.order_by("name").values_list("name", flat=True))
    if users:
        raise ValidationError(
            f"Consent category '{category.slug}' is needed by the tag(s) {', '.join(users)}; "
            "remove it from them first.",
            code="in_use",
        )
    category.delete()
