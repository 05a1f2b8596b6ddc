"""Pure parsers for what browsers send. No ORM, no request: plain data in, plain data out."""

import ipaddress
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit, urlunsplit


class PayloadError(ValueError):
    """The payload as a whole is unusable; the message says why (sent back as a 400)."""


_EVENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")
_EVENT_NAME = re.compile(r"[\w .:-]{1,100}")
_CURRENCY = re.compile(r"[A-Z]{3}")
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def json_object(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"Body is not valid JSON: {exc}") from None
    except RecursionError:
        raise PayloadError("Body is not valid JSON: nested too deeply.") from None
    if not isinstance(data, dict):
        raise PayloadError("Body must be a JSON object.")
    return data


def container_key(data: dict) -> str:
    key = data.get("key")
    if not isinstance(key, str) or not re.fullmatch(r"[-a-zA-Z0-9_]{1,64}", key):
        raise PayloadError("'key' must be a container key.")
    return key


def collect_version(data: dict) -> int | None:
    """The published version the browser's loader carried (its tags' categories apply)."""
    version = data.get("version")
    if version is None:
        return None
    if isinstance(version, bool) or not isinstance(version, int) or not 0 < version < 2**31:
        raise PayloadError("'version' must be a version number.")
    return version


def collect_events(data: dict, *, max_events: int) -> list:
    events = data.get("events")
    if not isinstance(events, list) or not events:
        raise PayloadError("'events' must be a non-empty list.")
    if len(events) > max_events:
        raise PayloadError(f"At most {max_events} events per batch (got {len(events)}).")
    return events


@dataclass(frozen=True)
class FireEventData:
    event_id: str
    tag_id: int | None
    trigger_id: int | None
    event_name: str
    page_url: str
    consent_id: str | None
    categories: tuple[str, ...]
    value: Decimal | None
    currency: str
    utm: dict
    client_time: datetime | None
    recipient: str = ""


def _optional_int(item: dict, field: str) -> int | None:
    value = item.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise ValueError(f"'{field}' must be a positive integer id.")
    return value


def storable_text(value: str) -> bool:
    """No NUL (PostgreSQL refuses it) and no unpaired surrogate (not encodable as UTF-8)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(item: dict, field: str, limit: int) -> str:
    value = item.get(field, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"'{field}' must be text.")
    if not storable_text(value):
        raise ValueError(f"'{field}' contains a NUL character or invalid Unicode.")
    return value[:limit]


def fire_event_parse(item) -> FireEventData:
    """One event of a batch, or ValueError with the reason (it then goes to the dead letters)."""
    if not isinstance(item, dict):
        raise ValueError("Event must be an object.")
    event_id = item.get("event_id")
    if not isinstance(event_id, str) or not _EVENT_ID.fullmatch(event_id):
        raise ValueError("'event_id' must be 8-64 characters of A-Z a-z 0-9 _ -.")
    event_name = _text(item, "event", 100)
    if event_name and not _EVENT_NAME.fullmatch(event_name):
        raise ValueError("'event' has characters that are not allowed.")
    consent_id = item.get("consent_id")
    if consent_id is not None:
        try:
            consent_id = str(uuid.UUID(str(consent_id)))
        except ValueError:
            raise ValueError("'consent_id' must be a UUID.") from None
    categories = item.get("categories", [])
    if not isinstance(categories, list) or not all(
        isinstance(c, str) and _SLUG.fullmatch(c) for c in categories
    ):
        raise ValueError("'categories' must be a list of category slugs.")
    value = item.get("value")
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError("'value' must be a number.")
        try:
            value = Decimal(str(value))
        except InvalidOperation:
            raise ValueError("'value' must be a number.") from None
        if not value.is_finite() or abs(value) >= Decimal("1e10"):
            raise ValueError("'value' is out of range.")
        value = value.quantize(Decimal("0.0001"))
    currency = _text(item, "currency", 10).upper()
    if currency and not _CURRENCY.fullmatch(currency):
        raise ValueError("'currency' must be a 3-letter ISO 4217 code.")
    utm = item.get("utm") or {}
    if not isinstance(utm, dict):
        raise ValueError("'utm' must be an object.")
    utm = {k: str(v)[:200] for k, v in utm.items() if k in UTM_FIELDS and isinstance(v, str)}
    if not all(storable_text(v) for v in utm.values()):
        raise ValueError("'utm' contains a NUL character or invalid Unicode.")
    ts = item.get("ts")
    client_time = None
    if ts is not None:
        if isinstance(ts, bool) or not isinstance(ts, (int, float)) or not 0 < ts < 32503680000000:
            raise ValueError("'ts' must be milliseconds since 1970.")
        client_time = datetime.fromtimestamp(ts / 1000, tz=timezone.utc)
    return FireEventData(
        event_id=event_id,
        tag_id=_optional_int(item, "tag"),
        trigger_id=_optional_int(item, "trigger"),
        event_name=event_name,
        page_url=url_without_query(_text(item, "url", 2048)),
        consent_id=consent_id,
        categories=tuple(sorted(set(categories))),
        value=value,
        currency=currency,
        utm=utm,
        client_time=client_time,
        recipient=_text(item, "recipient", 100),
    )


def url_without_query(url: str) -> str:
    """Scheme, host and path only: queries and fragments may carry personal data."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https"):
        return ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))[:2048]


def ip_truncate(ip: str | None) -> str | None:
    """IPv4 to its /24, IPv6 to its /48; anything else to None. The raw IP is never kept."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)


def consent_violation(*, required: list[str] | None, granted: tuple[str, ...]) -> bool:
    """A fire whose tag needs categories the event says were not granted."""
    return bool(required) and not set(required) <= set(granted)


CONSENT_ACTIONS = ("accept_all", "reject_all", "custom", "withdraw", "gpc")
CONSENT_SOURCES = ("banner", "preferences", "api", "gpc")


@dataclass(frozen=True)
class ConsentData:
    consent_id: str
    previous_consent_id: str | None
    version: int | None
    locale: str
    categories: dict
    action: str
    source: str
    gpc: bool
    page_url: str


def _uuid(data: dict, field: str, *, required: bool) -> str | None:
    value = data.get(field)
    if value is None and not required:
        return None
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise PayloadError(f"'{field}' must be a UUID.") from None


def consent_parse(data: dict) -> ConsentData:
    """A consent decision as the runtime posts it (docs/loader.md), or PayloadError."""
    categories = data.get("categories")
    if not isinstance(categories, dict) or not all(
        isinstance(k, str) and _SLUG.fullmatch(k) and isinstance(v, bool)
        for k, v in categories.items()
    ):
        raise PayloadError("'categories' must map category slugs to true or false.")
    action, source = data.get("action"), data.get("source")
    if action not in CONSENT_ACTIONS:
        raise PayloadError(f"'action' must be one of {', '.join(CONSENT_ACTIONS)}.")
    if source not in CONSENT_SOURCES:
        raise PayloadError(f"'source' must be one of {', '.join(CONSENT_SOURCES)}.")
    version = data.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise PayloadError("'version' must be a version number.")
    locale = data.get("locale") or ""
    if not isinstance(locale, str) or not re.fullmatch(
        r"[A-Za-z]{0,8}(-[A-Za-z0-9]{1,8})*", locale
    ):
        raise PayloadError("'locale' must be a language tag such as en or de-AT.")
    url = data.get("url") or ""
    if not isinstance(url, str) or not storable_text(url):
        raise PayloadError("'url' must be text (no NUL characters or invalid Unicode).")
    return ConsentData(
        consent_id=_uuid(data, "consent_id", required=True),
        previous_consent_id=_uuid(data, "previous_consent_id", required=False),
        version=version,
        locale=locale[:16],
        categories=categories,
        action=action,
        source=source,
        gpc=data.get("gpc") is True,
        page_url=url_without_query(url[:4096]),
    )


def pixel_event(query, *, new_id: str) -> dict:
    """The fire event a pixel hit describes: ``e`` event, ``id`` event id, ``r`` recipient,
    ``v``/``cur`` value and currency, ``t`` tag id, and utm_* fields. Same shape as a beacon's."""
    event = {
        "event_id": query.get("id") or new_id,
        "event": query.get("e") or "email_open",
        "utm": {k: query[k] for k in UTM_FIELDS if query.get(k)},
    }
    if query.get("v"):
        event["value"] = query["v"]
    if query.get("cur"):
        event["currency"] = query["cur"]
    if query.get("t"):
        event["tag"] = int(query["t"]) if query["t"].isdigit() else query["t"]
    if query.get("r"):
        event["recipient"] = query["r"]
    return event
