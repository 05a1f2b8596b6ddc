"""Hostile values on every public write endpoint: each is a 4xx with a reason or a dead letter,
never a 5xx, and a good event sent after it is stored."""

import json
import uuid

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagmanager.models import ConsentRecord, DeadLetter, FireEvent
from tagmanager.payloads import MAX_DEPTH, PayloadError, json_loads
from tagmanager.services.demo import demo_container_ensure

pytestmark = pytest.mark.django_db
ORIGIN = "http://localhost:8000"
HUGE_INT = "9" * 5000


@pytest.fixture(autouse=True)
def demo():
    cache.clear()
    return demo_container_ensure()


def good_event():
    return {"event_id": uuid.uuid4().hex, "event": "page_view"}


def collect(client, body: str):
    return client.post("/tm/collect", body, content_type="text/plain", HTTP_ORIGIN=ORIGIN)


def assert_good_traffic_still_stored(client):
    event = good_event()
    assert collect(client, json.dumps({"key": "demo", "events": [event]})).status_code == 204
    assert FireEvent.objects.filter(event_id=event["event_id"]).count() == 1


def events_body(raw_event: str) -> str:
    """A batch of a good event, the hostile one (raw JSON text) and another good event."""
    a, b = json.dumps(good_event()), json.dumps(good_event())
    return '{"key": "demo", "events": [' + a + ", " + raw_event + ", " + b + "]}"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ('{"event_id": "nanvalue1", "value": NaN}', "NaN"),
        ('{"event_id": "infvalue1", "value": Infinity}', "Infinity"),
        ('{"event_id": "infvalue2", "value": -Infinity}', "-Infinity"),
        ('{"event_id": "hugeexp01", "value": 1e1000000}', "out of range"),
        ('{"event_id": "tinyexp01", "value": -1e-1000000, "ts": 1e999}', "out of range"),
        ('{"event_id": "hugeint01", "value": ' + HUGE_INT + "}", "more than 40 digits"),
        ('{"event_id": "deepnest1", "x": ' + "[" * 600 + "]" * 600 + "}", "nested deeper"),
        ('{"event_id": "deepnest2", "x": ' + '{"a":' * 100 + "1" + "}" * 100 + "}", "nested"),
    ],
)
def test_values_json_or_python_choke_on_are_a_400_with_a_reason(client, raw, reason):
    response = collect(client, events_body(raw))
    assert response.status_code == 400 and reason in response.json()["error"]
    assert_good_traffic_still_stored(client)


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({"value": "1e1000000"}, "'value' is out of range"),
        ({"value": "-1e1000000"}, "'value' is out of range"),
        ({"value": "1e-1000000"}, None),  # rounds to 0.0000: stored
        ({"value": "NaN"}, "'value' must be a finite number"),
        ({"value": "sNaN"}, "'value' must be a finite number"),
        ({"value": "Infinity"}, "'value' must be a finite number"),
        ({"value": "9" * 5000}, "'value' is out of range"),
        ({"value": "١٢٣"}, None),  # Arabic-Indic digits: a number Decimal reads
        ({"value": "12\x00"}, "'value' must be a number"),
        ({"url": "https://shop.example/\ud800"}, "invalid Unicode"),
        ({"event": "a\x00b"}, "NUL character"),
        ({"currency": "\ud800\udfff"}, "'currency'"),
        ({"tag": 2**63}, "'tag' must be a positive integer id"),
        ({"ts": 1e300}, "'ts' must be milliseconds"),
        ({"consent_id": "x" * 10_000}, "'consent_id' must be a UUID"),
        ({"categories": [["nested"]]}, "'categories' must be a list"),
        ({"utm": {"utm_source": "a\x00"}}, "'utm' contains a NUL"),
    ],
)
def test_event_values_that_cannot_be_stored_are_dead_letters_with_their_reason(
    client, event, reason
):
    hostile = {**good_event(), **event}
    response = collect(client, events_body(json.dumps(hostile)))
    assert response.status_code == 204
    if reason is None:
        assert FireEvent.objects.filter(event_id=hostile["event_id"]).exists()
    else:
        (letter,) = DeadLetter.objects.all()
        assert reason in letter.reason
    assert FireEvent.objects.count() == (3 if reason is None else 2)
    assert_good_traffic_still_stored(client)


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe\x00garbage",
        b'{"key": "demo", "events": [' + b"1," * 20_000 + b"1]}",
        ("{" * 50_000).encode(),
        b'{"key": "demo", "events": [{}], "version": ' + HUGE_INT.encode() + b"}",
        b'{"key": "demo", "events": [{}], "version": 1e400}',
        b'{"key": "\\ud800", "events": [{}]}',
        b'{"key": "demo\\u0000", "events": [{}]}',
        json.dumps({"key": "demo", "events": [{}], "version": 2**40}).encode(),
        b"",
        b"null",
        # Not UTF-8: refused, whatever json.loads alone would have guessed.
        json.dumps({"key": "demo", "events": [{}]}).encode("utf-16"),
        json.dumps({"key": "demo", "events": [{}]}).encode("utf-32"),
        ("\x00" + "[" * 800 + "]" * 800).encode("utf-32-be"),
        # Unterminated strings full of escapes: linear work, then a 400.
        ("[" * 40 + '"\\' * 20_000).encode(),
        b'{"key": "demo", "events": [' + b'"\\"' * 15_000 + b"]",
    ],
)
def test_hostile_collect_bodies_are_a_4xx(client, body):
    response = collect(client, body)
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["error"]
    assert_good_traffic_still_stored(client)


@pytest.mark.parametrize(
    "body",
    [
        '{"key": "demo", "consent_id": "' + str(uuid.uuid4()) + '", "version": ' + HUGE_INT + "}",
        '{"key": "demo", "categories": {"analytics": NaN}}',
        '{"key": "demo", "version": 1e1000000}',
        '{"key": "demo", "x": ' + "[" * 5000 + "]" * 5000 + "}",
        # Valid but for a lone surrogate in the consent id.
        json.dumps(
            {
                "key": "demo",
                "consent_id": "\ud800" + "0" * 35,
                "categories": {"necessary": True},
                "action": "custom",
                "source": "banner",
            }
        ),
        # A UUID spelled in Arabic-Indic digits (uuid.UUID would read it as the nil UUID).
        json.dumps(
            {
                "key": "demo",
                "consent_id": "٠" * 32,
                "categories": {"necessary": True},
                "action": "custom",
                "source": "banner",
            }
        ),
        json.dumps(
            {
                "key": "demo",
                "consent_id": str(uuid.uuid4()),
                "version": 2**62,
                "categories": {"necessary": True},
                "action": "custom",
                "source": "banner",
            }
        ),
    ],
)
def test_hostile_consent_bodies_are_a_400(client, body):
    response = client.post("/tm/consent", body, content_type="text/plain", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 400 and response.json()["error"]
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("t=%C2%B2", "'tag' must be a positive integer id"),  # "²": isdigit() yet not int()
        ("t=" + "1" * 5000, "'tag' must be a positive integer id"),
        ("v=1e1000000", "'value' is out of range"),
        ("v=NaN", "'value' must be a finite number"),
        ("v=-Infinity", "'value' must be a finite number"),
        ("id=poisonpill1&v=1e1000000", "'value' is out of range"),
        ("e=%00", "NUL character"),
        ("id=" + "x" * 5000, "'event_id' must be"),
        ("cur=%ED%A0%80", "'currency'"),
    ],
)
def test_hostile_pixel_queries_are_an_image_and_a_dead_letter(client, query, reason):
    response = client.get(f"/tm/p/demo.gif?{query}")
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    (letter,) = DeadLetter.objects.all()
    assert reason in letter.reason
    assert_good_traffic_still_stored(client)


def test_dead_letters_keep_no_query_strings_user_info_or_recipients_in_clear(client):
    client.get("/tm/p/demo.gif?v=lots&r=alice@example.com&id=mail-0001-abc")
    hostile = {
        **good_event(),
        "value": "lots",
        "url": "https://bob:secret@shop.example/checkout;jsessionid=42?token=abc&email=a@b.c#x",
        "recipient": "carol@example.com",
        "user": {"email": "dave@example.com"},
    }
    collect(client, events_body(json.dumps(hostile)))
    kept = json.dumps([d.payload for d in DeadLetter.objects.all()])
    for secret in ("alice", "carol", "dave", "bob", "secret", "token", "jsessionid", "a@b.c"):
        assert secret not in kept
    assert "https://shop.example/checkout" in kept and "sha256:" in kept


def _depth(value) -> int:
    deepest, pending = 0, [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth + 1)
            pending += [(v, depth + 1) for v in (item.values() if isinstance(item, dict) else item)]
    return deepest


def _nested(draw_text: str, depth: int) -> str:
    return "[" * depth + draw_text + "]" * depth


json_ish = st.text(
    alphabet=st.sampled_from(list('[]{}":,\\ 0123456789.eE+-truefalsn') + ["\x00", "\ud800"]),
    max_size=300,
)


@settings(max_examples=400, deadline=None)
@given(
    text=json_ish | st.builds(_nested, json_ish, st.integers(0, 60)),
    encoding=st.sampled_from(["utf-8", "utf-16", "utf-32", "utf-16-be", "latin-1"]),
)
def test_json_loads_refuses_or_returns_a_value_no_deeper_than_the_limit(text, encoding):
    try:
        body = text.encode(encoding, "surrogatepass")
    except UnicodeEncodeError:
        return
    try:
        value = json_loads(body)
    except PayloadError:
        return
    assert _depth(value) <= MAX_DEPTH


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_json_loads_of_any_bytes_is_a_value_or_a_payload_error(body):
    try:
        value = json_loads(body)
    except PayloadError:
        return
    assert _depth(value) <= MAX_DEPTH


# Strings full of what the depth and integer checks look for: brackets, quotes, backslashes
# and runs of digits, which must count for nothing inside a string.
_tricky_text = st.text(alphabet=st.sampled_from(list('[]{}"\\:,0123456789 aé\n')), max_size=60)
_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**45), 10**45)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _tricky_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_tricky_text, inner, max_size=3),
    max_leaves=40,
)


def _longest_int_digits(value) -> int:
    longest, pending = 0, [value]
    while pending:
        item = pending.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            longest = max(longest, len(str(abs(item))))
        elif isinstance(item, (list, dict)):
            pending += list(item.values() if isinstance(item, dict) else item)
    return longest


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(value=_json_values, wrap=st.integers(0, 40), ensure_ascii=st.booleans())
def test_valid_json_is_refused_exactly_when_too_deep_or_an_integer_too_long(
    value, wrap, ensure_ascii
):
    # Valid JSON, however its strings mimic brackets or numbers: read back as it was unless it
    # really nests too deep or holds a really long integer, and then refused for that reason.
    for level in range(wrap):
        value = [value] if level % 2 else {"[": value, '"]': "}{"}
    body = json.dumps(value, ensure_ascii=ensure_ascii).encode()
    if _depth(value) > MAX_DEPTH:
        with pytest.raises(PayloadError, match="nested deeper"):
            json_loads(body)
    elif _longest_int_digits(value) > 40:
        with pytest.raises(PayloadError, match="more than 40 digits"):
            json_loads(body)
    else:
        assert json_loads(body) == value


@pytest.mark.parametrize(
    "text",
    [
        # Depth 1 outside strings, 40 brackets inside one.
        '["' + "[" * 40 + "]" * 40 + '"]',
        '["' + "[" * 40 + '"]',
        # A string holding a quote (escaped) and brackets, between shallow ones.
        '[{"a": "\\"[[[[", "b": []}, "]]]]\\\\", {}]',
        # Many brackets, none in a string (escaped quotes in them): the quick reading.
        "[" + ", ".join(['{"a": "q\\"r", "b": [1, 2]}'] * 40) + "]",
        # Digit runs longer than any integer allowed, in strings only.
        '{"id": "' + "1" * 100 + '", "n": 12345678901234567890}',
    ],
)
def test_strings_that_look_deep_or_long_are_read(text):
    assert json_loads(text.encode()) == json.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        # 40 levels outside strings, each opened with a string whose bracket, if counted,
        # would close it again (and make the whole look one level deep).
        '["]", ' * 40 + "1" + "]" * 40,
        '{"a": "}", "b": ' * 40 + "1" + "}" * 40,
        # A string before the deep part ends with an escaped quote then a bracket.
        '["\\"]", ' + "[" * 40 + "]" * 40 + "]",
    ],
)
def test_deep_nesting_behind_strings_of_brackets_is_refused(text):
    with pytest.raises(PayloadError, match="nested deeper"):
        json_loads(text.encode())


@pytest.mark.parametrize("sign", ["", "-"])
def test_integers_are_read_up_to_40_digits_and_refused_beyond(sign):
    assert json_loads(f'{{"n": {sign}{"9" * 40}}}'.encode()) == {"n": int(sign + "9" * 40)}
    with pytest.raises(PayloadError, match="more than 40 digits"):
        json_loads(f'{{"n": {sign}1{"0" * 40}}}'.encode())
    # The same beside a string holding a longer run of digits (the slower, exact path).
    with pytest.raises(PayloadError, match="more than 40 digits"):
        json_loads(f'{{"s": "{"7" * 50}", "n": {sign}1{"0" * 40}}}'.encode())


def test_a_byte_order_mark_is_refused_as_json_loads_refuses_it():
    with pytest.raises(PayloadError, match="Unexpected UTF-8 BOM"):
        json_loads("\ufeff{}".encode())
