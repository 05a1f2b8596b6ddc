"""Pure parsers for what browsers send. No ORM, no request: plain data in, plain data out."""

import hashlib
import ipaddress
import json
import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, DecimalException
from itertools import accumulate
from urllib.parse import urlsplit, urlunsplit


class PayloadError(ValueError):
    """The payload as a whole is unusable; the message says why (sent back as a 400)."""


_EVENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")
_EVENT_NAME = re.compile(r"[\w .:-]{1,100}")
_CURRENCY = re.compile(r"[A-Z]{3}")
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


# Deepest nesting of arrays and objects a body may have (a beacon needs 4). Checked before the
# JSON parser, which recurses, ever sees the body.
MAX_DEPTH = 32
# Longest integer literal accepted: ids and times need 19 digits; Python's int() refuses
# more than 4,300 digits with a ValueError, and big ones cost quadratic time.
MAX_INT_DIGITS = 40
# The checks below read the UTF-8 bytes: no byte of a multi-byte character is ASCII, so every
# quote, bracket, backslash and digit byte is that character of the text.
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_ALL_BUT_MARKS = bytes(range(256)).translate(None, b'[]{}"')  # delete these: marks stay
_TO_PARENS = bytes.maketrans(b"[{]}", b"(())")
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGIT_RUN = b"0" * (MAX_INT_DIGITS + 1)


def _outside_brackets(text: bytes) -> bytes:
    """The brackets of ``text`` that lie outside strings, in order, as parentheses.

    Once escapes are gone, every quote opens or closes a string, so quotes alternate: up to
    the first place where the text stops being JSON (where the parser stops too), this is
    exactly the parser's reading. Fast path: keep only quotes and brackets, then drop every
    ``""``. When no quote is left, no string held a bracket (each run of adjacent quotes had
    an even length, so it began with an opening quote and ended with a closing one: no opening
    quote stood right before a bracket), and the brackets left are those outside strings.
    Otherwise the text between strings is cut out quote by quote."""
    if b"\\" in text:
        text = _ESCAPE.sub(b"", text)
    marks = text.translate(None, _ALL_BUT_MARKS)
    brackets = marks.replace(b'""', b"")
    if b'"' in brackets:
        brackets = b"".join(marks.split(b'"')[::2])
    return brackets.translate(_TO_PARENS)


def _too_deep(text: bytes) -> bool:
    """Whether arrays and objects nest deeper than MAX_DEPTH outside strings, in linear time
    whatever the text. Each pass of ``replace`` removes the innermost level of the brackets
    that remain."""
    if text.count(b"[") + text.count(b"{") <= MAX_DEPTH:  # nothing to count
        return False
    outside = brackets = _outside_brackets(text)
    for _ in range(MAX_DEPTH):
        if not brackets:
            return False
        brackets = brackets.replace(b"()", b"")
    if not brackets:
        return False
    # Left after MAX_DEPTH levels: deeper, or not balanced (then the parser refuses the text
    # where it breaks): count the depth each prefix reaches.
    steps = (1 if b == 40 else -1 for b in outside)
    return any(depth > MAX_DEPTH for depth in accumulate(steps))


def _reject_constant(name: str):
    raise PayloadError(f"Body is not valid JSON: {name} is not a number JSON allows.")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise PayloadError(f"Body holds an integer of more than {MAX_INT_DIGITS} digits.")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise PayloadError(f"Body holds a number out of range: {text[:20]}.")
    return value


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)
_DECODER_INT_CHECKED = json.JSONDecoder(
    parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_bounded_int
)


def json_loads(body: bytes | str):
    """``json.loads`` that cannot raise anything but PayloadError, whatever ``body`` holds:
    UTF-8 only (RFC 8259; what browsers send), no NaN or Infinity, no number too large for a
    float or too long for an int, no nesting deeper than ``MAX_DEPTH`` (checked first, on the
    very text the parser then reads, so the parser never recurses deep)."""
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PayloadError(f"Body is not UTF-8: {safe_text(str(exc), 200)}") from None
    else:
        text, body = body, body.encode("utf-8", "surrogatepass")
    if text.startswith("\ufeff"):  # as json.loads says (the decoder alone would not)
        raise PayloadError(
            "Body is not valid JSON: Unexpected UTF-8 BOM (decode using utf-8-sig): "
            "line 1 column 1 (char 0)"
        )
    if _too_deep(body):
        raise PayloadError(f"Body is nested deeper than {MAX_DEPTH} levels.")
    # Integers are read by the parser's own C code unless some run of digits (in a string or
    # not) is long enough to be an integer over the limit: then each is checked in Python.
    long_digits = _LONG_DIGIT_RUN in body.translate(_DIGITS_AS_ZERO)
    try:
        return (_DECODER_INT_CHECKED if long_digits else _DECODER).decode(text)
    except PayloadError:
        raise
    except RecursionError:  # defence in depth: _too_deep should have caught it
        raise PayloadError("Body is not valid JSON: nested too deeply.") from None
    except (ValueError, TypeError) as exc:  # JSONDecodeError among them
        raise PayloadError(f"Body is not valid JSON: {safe_text(str(exc), 200)}") from None


def json_object(body: bytes) -> dict:
    data = json_loads(body)
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


def _money(value) -> Decimal:
    """A value as stored (4 decimal places, under 10 billion), or ValueError. The magnitude
    is read from the exponent before any arithmetic: ``abs()`` or ``quantize`` of 1e1000000
    would raise decimal.Overflow."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("'value' must be a finite number.")
    text = str(value).strip() if isinstance(value, (int, str)) else repr(value)
    if len(text) > 100:
        raise ValueError("'value' is out of range.")
    try:
        number = Decimal(text)
        if not number.is_finite():
            raise ValueError("'value' must be a finite number.")
        if number.is_zero():
            return Decimal("0.0000")
        if number.adjusted() >= 10:
            raise ValueError("'value' is out of range.")
        if number.adjusted() < -4:
            return Decimal("0.0000")
        rounded = number.quantize(Decimal("0.0001"))
        if rounded.adjusted() >= 10:  # 9999999999.99995 rounds up past the column's size
            raise ValueError("'value' is out of range.")
        return rounded
    except DecimalException:
        raise ValueError("'value' must be a number.") from None


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
        consent_id = uuid_text(consent_id)
        if consent_id is None:
            raise ValueError("'consent_id' must be a UUID.")
    categories = item.get("categories", [])
    if not isinstance(categories, list) or not all(
        isinstance(c, str) and _SLUG.fullmatch(c) for c in categories
    ):
        raise ValueError("'categories' must be a list of category slugs.")
    value = item.get("value")
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError("'value' must be a number.")
        value = _money(value)
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
    """Scheme, host, port and path only: queries, fragments, ``user:password@`` and
    ``;parameters`` may carry personal data."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not host:
        return ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port is not None else "")
    path = parts.path.split(";", 1)[0]
    return urlunsplit((parts.scheme, netloc, path, "", ""))[:2048]


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
    # Link proof (docs/loader.md): the browser keeps a random secret per decision in its consent
    # cookie and sends the secret's sha256 with the decision; with the next decision it sends
    # the secret itself, whose sha256 is computed here. The raw secret goes no further.
    secret_sha256: str = ""
    previous_secret_sha256: str = ""


_UUID = re.compile(r"(urn:uuid:)?\{?[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}\}?")


def uuid_text(value) -> str | None:
    """The canonical text of a UUID, or None. ASCII hex digits only: ``uuid.UUID`` would read
    other scripts' digits and underscores ("٠" * 32 is the nil UUID)."""
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        return None
    return str(uuid.UUID(value))


def _uuid(data: dict, field: str, *, required: bool) -> str | None:
    value = data.get(field)
    if value is None and not required:
        return None
    text = uuid_text(value)
    if text is None:
        raise PayloadError(f"'{field}' must be a UUID.")
    return text


def _secret_sha256(data: dict) -> str:
    value = data.get("secret_sha256")
    if value is None:
        return ""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", value):
        raise PayloadError("'secret_sha256' must be a SHA-256 as 64 hexadecimal digits.")
    return value.lower()


def previous_secret_sha256(value) -> str:
    """The sha256 of the previous decision's secret as sent, or "" (no proof) for anything
    that cannot be one: a bad proof leaves the link unproven, it does not lose the decision."""
    if not isinstance(value, str) or not 0 < len(value) <= 256 or not storable_text(value):
        return ""
    return hashlib.sha256(value.encode()).hexdigest()


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
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, int) or not 0 < version < 2**31
    ):
        raise PayloadError("'version' must be a version number.")
    locale = data.get("locale") or ""
    if not isinstance(locale, str) or not re.fullmatch(
        r"[A-Za-z]{0,8}(-[A-Za-z0-9]{1,8})*", locale
    ):
        raise PayloadError("'locale' must be a language tag such as en or de-AT.")
    url = data.get("url") or ""
    if not isinstance(url, str) or not storable_text(url):
        raise PayloadError("'url' must be text (no NUL characters or invalid Unicode).")
    previous_consent_id = _uuid(data, "previous_consent_id", required=False)
    return ConsentData(
        consent_id=_uuid(data, "consent_id", required=True),
        previous_consent_id=previous_consent_id,
        version=version,
        locale=locale[:16],
        categories=categories,
        action=action,
        source=source,
        gpc=data.get("gpc") is True,
        page_url=url_without_query(url[:4096]),
        secret_sha256=_secret_sha256(data),
        previous_secret_sha256=previous_secret_sha256(data.get("previous_secret"))
        if previous_consent_id
        else "",
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
        # ASCII digits only: str.isdigit() is true for "²", which int() refuses.
        tag = query["t"]
        event["tag"] = int(tag) if re.fullmatch(r"[0-9]{1,18}", tag) else tag
    if query.get("r"):
        event["recipient"] = query["r"]
    return event


# --- beacons and dead letters ------------------------------------------------------------------


_YEAR_10000 = 253402300800000  # milliseconds since 1970; datetime ends before


def beacon_problem(beacon) -> str:
    """Why ``beacon`` is not a beacon as buffers carry it (see services.ingestion), or ""."""
    if not isinstance(beacon, dict):
        return "not an object"
    container, events, received = beacon.get("c"), beacon.get("e"), beacon.get("r")
    if isinstance(container, bool) or not isinstance(container, int) or container <= 0:
        return "'c' is not a container id"
    if not isinstance(events, list):
        return "'e' is not a list of events"
    if (
        isinstance(received, bool)
        or not isinstance(received, int)
        or not 0 < received < _YEAR_10000
    ):
        return "'r' is not a time in milliseconds"
    version = beacon.get("v")
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, int) or not 0 < version < 2**31
    ):
        return "'v' is not a version number"
    return ""


def safe_text(value: str, limit: int) -> str:
    """``value`` as text every database keeps: NUL and unpaired surrogates escaped, cut to
    ``limit`` characters."""
    text = value.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Fields of an event that name a person: kept in dead letters only as a hash.
PERSONAL_FIELDS = frozenset(
    {"recipient", "r", "user", "email", "em", "phone", "ph", "external_id", "ip", "user_agent"}
)
_URL_FIELDS = frozenset({"url", "page_url", "referrer", "u"})
_DEAD_TEXT, _DEAD_ITEMS, _DEAD_DEPTH = 200, 30, 4


def personal_hash(value) -> str:
    text = value if isinstance(value, str) else json.dumps(dead_letter_form(value))
    digest = hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()
    return f"sha256:{digest}"


def dead_letter_form(value, *, depth: int = 0):
    """What a dead letter keeps of a rejected event: plain JSON any database stores (finite
    numbers, safe and shortened text, at most 30 items per level and 4 levels), URLs without
    query, user info or parameters, and personal fields (``PERSONAL_FIELDS``) as a hash."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**53 else f"<integer of {value.bit_length()} bits>"
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, str):
        if value.startswith(("http://", "https://")):
            return safe_text(url_without_query(value) or "<not a URL>", _DEAD_TEXT)
        return safe_text(value, _DEAD_TEXT)
    if depth >= _DEAD_DEPTH and isinstance(value, (dict, list)):
        return "<nested deeper>"
    if isinstance(value, dict):
        kept = {}
        for key, item in list(value.items())[:_DEAD_ITEMS]:
            name = safe_text(key if isinstance(key, str) else repr(key), 50)
            if name in PERSONAL_FIELDS and item not in (None, ""):
                kept[name] = personal_hash(item)
            elif name in _URL_FIELDS and isinstance(item, str):
                kept[name] = safe_text(url_without_query(item), _DEAD_TEXT)
            else:
                kept[name] = dead_letter_form(item, depth=depth + 1)
        return kept
    if isinstance(value, (list, tuple)):
        return [dead_letter_form(item, depth=depth + 1) for item in value[:_DEAD_ITEMS]]
    return safe_text(repr(value), _DEAD_TEXT)


_EMAIL = re.compile(r"[^\s\"'<>()\[\]{},;:@/]+@[^\s\"'<>()\[\]{},;:@/]+\.[A-Za-z]{2,}")
_QUERY = re.compile(r"([?#;])[^\s\"'<>]*")


def dead_letter_text(raw: bytes) -> str:
    """What a dead letter keeps of bytes that could not be decoded: safe, shortened text with
    queries cut from URLs and e-mail addresses hashed."""
    text = raw[:4096].decode("utf-8", "backslashreplace")
    text = _EMAIL.sub(lambda m: personal_hash(m.group(0)), text)
    text = _QUERY.sub(r"\1…", text)
    return safe_text(text, 1000)
