import hashlib
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tagmanager.payloads import (
    PayloadError,
    collect_events,
    consent_parse,
    consent_violation,
    container_key,
    fire_event_parse,
    ip_truncate,
    json_object,
    url_without_query,
)


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("203.0.113.77", "203.0.113.0"),
        ("2001:db8:abcd:12:34::1", "2001:db8:abcd::"),
        ("::ffff:198.51.100.9", "198.51.100.0"),
        ("not an ip", None),
        ("", None),
        (None, None),
    ],
)
def test_ip_truncate(ip, expected):
    assert ip_truncate(ip) == expected


@given(st.ip_addresses())
def test_truncated_ip_never_reveals_the_host_part(address):
    truncated = ip_truncate(str(address))
    if address.version == 4 or getattr(address, "ipv4_mapped", None):
        assert truncated.endswith(".0")
    else:
        assert truncated.endswith("::") or truncated.count(":") <= 3


def test_url_without_query():
    assert url_without_query("https://a.example/p/x?email=me@x.org#f") == "https://a.example/p/x"
    assert url_without_query("javascript:alert(1)") == ""


def test_fire_event_parse_full():
    event = fire_event_parse(
        {
            "event_id": "0f8b7d2c-aaaa-bbbb",
            "tag": 12,
            "trigger": 3,
            "event": "purchase",
            "url": "https://shop.example/thanks?order=1",
            "consent_id": "3b0c5a52-7c1e-4b9a-9d55-0d5f8c7b1a10",
            "categories": ["necessary", "marketing"],
            "value": 149.0,
            "currency": "usd",
            "ts": 1732262400123,
            "utm": {"utm_campaign": "bf", "other": "x"},
        }
    )
    assert event.value == Decimal("149.0000") and event.currency == "USD"
    assert event.page_url == "https://shop.example/thanks"
    assert event.utm == {"utm_campaign": "bf"}
    assert event.categories == ("marketing", "necessary")
    assert event.client_time.year == 2024


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"event_id": "short"}, "event_id"),
        ({"tag": "12"}, "tag"),
        ({"tag": True}, "tag"),
        ({"value": "NaN"}, "value"),
        ({"value": 1e12}, "value"),
        ({"currency": "dollars"}, "currency"),
        ({"consent_id": "nope"}, "consent_id"),
        ({"categories": "marketing"}, "categories"),
        ({"ts": -1}, "ts"),
        ({"event": "<script>"}, "event"),
    ],
)
def test_fire_event_parse_reasons(change, reason):
    with pytest.raises(ValueError, match=reason):
        fire_event_parse({"event_id": "abcdefgh12", **change})


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=10), c, max_size=5),
        max_leaves=15,
    )
)
def test_any_json_event_is_parsed_or_refused_with_a_reason(item):
    try:
        fire_event_parse(item)
    except ValueError as exc:
        assert str(exc)


@given(st.binary(max_size=200))
def test_any_body_is_an_object_or_a_payload_error(body):
    try:
        data = json_object(body)
    except PayloadError as exc:
        assert str(exc)
    else:
        assert isinstance(data, dict)


def test_batch_shape():
    assert container_key({"key": "demo"}) == "demo"
    with pytest.raises(PayloadError, match="key"):
        container_key({"key": "../etc"})
    with pytest.raises(PayloadError, match="non-empty"):
        collect_events({"events": []}, max_events=5)
    with pytest.raises(PayloadError, match="At most 5"):
        collect_events({"events": [{}] * 6}, max_events=5)
    with pytest.raises(PayloadError, match="JSON object"):
        json_object(json.dumps([1]).encode())


def test_consent_violation():
    assert consent_violation(required=["marketing"], granted=("necessary",))
    assert not consent_violation(required=["marketing"], granted=("marketing", "necessary"))
    assert not consent_violation(required=None, granted=())


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=10), c, max_size=3),
    max_leaves=10,
)


@given(secret=_json, sha=_json)
def test_link_proof_fields_parse_totally(secret, sha):
    """Whatever the proof fields hold: a decision with a hash (or none), or a 400 naming the
    hash; a presented secret is only ever hashed (or ignored as no proof), never refused."""
    body = {
        "consent_id": "3b0c5a52-7c1e-4b9a-9d55-0d5f8c7b1a10",
        "previous_consent_id": "0f5b4c1e-1111-4b9a-9d55-0d5f8c7b1a10",
        "categories": {},
        "action": "reject_all",
        "source": "banner",
        "previous_secret": secret,
        "secret_sha256": sha,
    }
    try:
        data = consent_parse(body)
    except PayloadError as exc:
        assert "secret_sha256" in str(exc)
        return
    for digest in (data.secret_sha256, data.previous_secret_sha256):
        assert digest == "" or (len(digest) == 64 and set(digest) <= set("0123456789abcdef"))
    if isinstance(secret, str) and 0 < len(secret) <= 256 and "\x00" not in secret:
        try:
            expected = hashlib.sha256(secret.encode()).hexdigest()
        except UnicodeEncodeError:  # an unpaired surrogate: no proof
            expected = ""
    else:
        expected = ""
    assert data.previous_secret_sha256 == expected
