"""Validators of container settings, on the model so that every way in (admin, API, services)
refuses the same values with the same message."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from tagmanager.models.consent import CONSENT_SIGNALS

LOCALE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
TEXT_NAME = re.compile(r"[a-z_]{1,50}")
REGION = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
DOMAIN = re.compile(rf"\.?({_LABEL}\.)*{_LABEL}")
DEFAULT_PORTS = {"http": 80, "https": 443}


def unstorable(value) -> bool:
    """Whether a (decoded JSON) value holds text no database column can keep: NUL characters
    (refused by PostgreSQL) or unpaired surrogates (not encodable as UTF-8). Iterative, so no
    nesting can exhaust the stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            pending += item.keys()
            pending += item.values()
        elif isinstance(item, list):
            pending += item
    return False


def origin_canonical(value: str) -> str | None:
    """The origin as a browser's ``Origin`` header carries it, or None if ``value`` is none."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except (ValueError, TypeError, AttributeError):
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.username is not None:
        return None
    if (
        parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or any(c.isspace() for c in value)
    ):
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{scheme}://{host}" + (f":{port}" if port and port != DEFAULT_PORTS[scheme] else "")


def validate_origins(value) -> None:
    """A list of origins exactly as browsers send them: ``https://shop.example[:port]``."""
    if not isinstance(value, list):
        raise ValidationError('Enter a list of origins, e.g. ["https://www.example.com"].')
    for item in value:
        if item == "self":  # pages served by the tag manager's own host (the demo)
            continue
        origin = origin_canonical(item) if isinstance(item, str) else None
        if origin is None:
            raise ValidationError(
                f"{item!r} is not an origin; enter scheme, host and optional port, "
                "e.g. https://www.example.com."
            )
        if item != origin:
            # Browsers send the origin in this form; anything else would never match.
            raise ValidationError(f"Enter {item!r} as {origin} (lowercase, no path).")


def validate_banner_texts(value) -> None:
    """``{"en": {"title": "...", "accept_all": "...", ...}, "de": {...}}``."""
    if not isinstance(value, dict) or not all(isinstance(t, dict) for t in value.values()):
        raise ValidationError('Enter texts per language: {"en": {"title": "...", ...}}.')
    bad = [k for k in value if not (isinstance(k, str) and LOCALE.fullmatch(k))]
    bad += [n for texts in value.values() for n in texts if not TEXT_NAME.fullmatch(n)]
    bad += [
        n
        for texts in value.values()
        for n, text in texts.items()
        if not isinstance(text, str) or len(text) > 10_000 or unstorable(text)
    ]
    if bad:
        raise ValidationError(
            "Use language tags mapped to named texts (each at most 10,000 characters); "
            f"check: {', '.join(map(str, bad))}."
        )


def consent_mode_default_problems(value) -> list[str]:
    """What is wrong with one Consent Mode default, as ``gtag("consent", "default", …)``."""
    if not isinstance(value, dict):
        return ['Each default is an object, e.g. {"region": ["US-CA"], "ad_storage": "granted"}.']
    problems = []
    for name, item in value.items():
        if name == "region":
            if not (
                isinstance(item, list)
                and item
                and all(isinstance(r, str) and REGION.fullmatch(r) for r in item)
            ):
                problems.append("region must list ISO 3166 codes such as US or US-CA.")
        elif name == "wait_for_update":
            if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 60_000:
                problems.append("wait_for_update must be milliseconds from 0 to 60000.")
        elif name in CONSENT_SIGNALS:
            if item not in ("granted", "denied"):
                problems.append(f"{name} must be granted or denied.")
        else:
            problems.append(
                f"Unknown key {name!r}; use region, wait_for_update or a signal "
                f"({', '.join(CONSENT_SIGNALS)})."
            )
    return problems


def validate_consent_mode_default(value) -> None:
    if problems := consent_mode_default_problems(value):
        raise ValidationError(problems)


def validate_consent_mode_defaults(value) -> None:
    if not isinstance(value, list):
        raise ValidationError(
            'Enter a list, e.g. [{"region": ["US-CA"], "ad_storage": "granted"}].'
        )
    problems = [p for item in value for p in consent_mode_default_problems(item)]
    if problems:
        raise ValidationError(problems)


def validate_locale(value) -> None:
    if not isinstance(value, str) or not LOCALE.fullmatch(value):
        raise ValidationError(f"{value!r} is not a language tag such as en or de-AT.")


def validate_cookie_domain(value) -> None:
    if value and not DOMAIN.fullmatch(value):
        raise ValidationError(f"{value!r} is not a domain such as .example.com.")
