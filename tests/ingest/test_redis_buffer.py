"""RedisBuffer against a real Redis (a key prefix of its own per test)."""

import json
import socket
import threading
import time
import uuid

import pytest
from django.db import DatabaseError

from tagmanager.ingest import BufferUnavailable, get_buffer
from tagmanager.ingest.redis_buffer import RedisBuffer
from tests.conftest import port_open, skip_or_fail, wait_for

REDIS = "redis://127.0.0.1:6379/3"


@pytest.fixture
def buffer(settings, monkeypatch):
    if not port_open("127.0.0.1", 6379):
        skip_or_fail("no Redis on 127.0.0.1:6379")
    prefix = f"tm-test-{uuid.uuid4().hex[:10]}"
    settings.TAGMANAGER = {
        "INGEST_BUFFER": "tagmanager.ingest.redis_buffer.RedisBuffer",
        "INGEST_REDIS_URL": REDIS,
        "INGEST_REDIS_KEY": prefix,
        "INGEST_DRAIN_BATCH": 3,
        "INGEST_DRAIN_LINGER": 0,
    }
    buf = get_buffer()
    wakes = []
    monkeypatch.setattr(buf, "_wake", lambda: wakes.append(buf.client.llen(buf.buffer)))
    buf.wakes = wakes
    yield buf
    keys = list(buf.client.scan_iter(match=f"{prefix}:*"))
    if keys:
        buf.client.delete(*keys)


def beacon(n: int) -> dict:
    return {"c": 1, "e": [{"event_id": f"e{n:08d}"}], "r": 1_700_000_000_000 + n}


class Store:
    def __init__(self, fail=None):
        self.batches, self.fail = [], fail

    def __call__(self, beacons):
        if self.fail:
            raise self.fail
        self.batches.append(beacons)


def test_pushed_beacons_are_drained_in_batches_and_nothing_is_left(buffer):
    for n in range(7):
        buffer.push(beacon(n))
    assert buffer.status() == {"waiting": 7, "claims": 0, "expired_claims": 0}
    store = Store()
    assert buffer.drain(store=store, max_seconds=5) == 7
    assert [len(b) for b in store.batches] == [3, 3, 1]
    assert [b for batch in store.batches for b in batch] == [beacon(n) for n in range(7)]
    assert buffer.status() == {"waiting": 0, "claims": 0, "expired_claims": 0}


def test_a_drainer_is_woken_when_none_is_awake_and_for_each_full_batch(buffer):
    for n in range(7):
        buffer.push(beacon(n))
    assert buffer.wakes == [1, 3, 6]
    buffer.drain(store=Store(), max_seconds=5)
    buffer.push(beacon(8))  # the drainer went back to sleep: wake one again
    assert buffer.wakes == [1, 3, 6, 1]


def test_an_awake_drainer_lingers_and_takes_what_comes_meanwhile(buffer, settings):
    settings.TAGMANAGER = {**settings.TAGMANAGER, "INGEST_DRAIN_LINGER": 1.0}
    buffer.push(beacon(1))
    store = Store()
    done = []
    drainer = threading.Thread(target=lambda: done.append(buffer.drain(store=store, max_seconds=5)))
    drainer.start()
    assert wait_for(lambda: store.batches, timeout=5)
    buffer.push(beacon(2))  # while it lingers: no wake-up needed
    buffer.push(beacon(3))
    drainer.join(timeout=10)
    assert done == [3]
    assert buffer.wakes == [1]
    assert buffer.client.exists(buffer.awake) == 0  # asleep again: the next push wakes one


def test_a_dead_drainers_claim_comes_back_after_its_lease_and_is_stored_once(buffer):
    for n in range(5):
        buffer.push(beacon(n))
    # A drainer claims three beacons and dies before storing them (its lease runs out).
    claim = f"{buffer.claim_prefix}dead"
    taken = buffer._claim(keys=[buffer.buffer, claim, buffer.leases], args=[3, time.time() - 1])
    assert len(taken) == 3
    assert buffer.status() == {"waiting": 2, "claims": 1, "expired_claims": 1}
    store = Store()
    assert buffer.drain(store=store, max_seconds=5) == 5
    stored = sorted(b["r"] for batch in store.batches for b in batch)
    assert stored == [beacon(n)["r"] for n in range(5)]
    assert buffer.status()["claims"] == 0


def test_a_live_claim_is_left_alone_until_its_lease_expires(buffer):
    buffer.push(beacon(1))
    claim = f"{buffer.claim_prefix}busy"
    buffer._claim(keys=[buffer.buffer, claim, buffer.leases], args=[3, time.time() + 60])
    assert buffer.reclaim() == 0
    assert buffer.reclaim(now=time.time() + 61) == 1
    assert buffer.status()["waiting"] == 1


def test_a_failed_store_gives_the_beacons_back_at_once(buffer):
    for n in range(4):
        buffer.push(beacon(n))
    with pytest.raises(DatabaseError):
        buffer.drain(store=Store(fail=DatabaseError("server closed the connection")), max_seconds=5)
    assert buffer.status() == {"waiting": 4, "claims": 0, "expired_claims": 0}
    store = Store()
    assert buffer.drain(store=store, max_seconds=5) == 4


def test_unreachable_redis_is_refused(settings):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.TAGMANAGER = {
        "INGEST_BUFFER": "tagmanager.ingest.redis_buffer.RedisBuffer",
        "INGEST_REDIS_URL": f"redis://127.0.0.1:{port}/0",
    }
    buf = get_buffer()
    assert isinstance(buf, RedisBuffer)
    with pytest.raises(BufferUnavailable, match="Redis: "):
        buf.push(beacon(1))


@pytest.mark.django_db
def test_dispatch_then_drain_stores_through_the_real_service(buffer, settings):
    from tagmanager.models import FireEvent
    from tagmanager.services.demo import demo_container_ensure
    from tagmanager.services.ingestion import fire_events_dispatch, fire_events_drain

    demo = demo_container_ensure()
    settings.CELERY_TASK_ALWAYS_EAGER = False  # go through the buffer
    events = [{"event_id": uuid.uuid4().hex, "event": "page_view"} for _ in range(10)]
    for part in (events[:4], events[4:], events[:2]):
        fire_events_dispatch(container_id=demo.pk, events=part)
    assert FireEvent.objects.count() == 0 and buffer.status()["waiting"] == 3
    assert fire_events_drain(max_seconds=5) == 3
    assert sorted(FireEvent.objects.values_list("event_id", flat=True)) == sorted(
        e["event_id"] for e in events
    )


def test_a_drain_after_redis_forgot_its_scripts_still_works(buffer):
    buffer.push(beacon(1))
    buffer.client.script_flush()  # as after a Redis restart: the claim script is gone
    store = Store()
    assert buffer.drain(store=store, max_seconds=5) == 1
    assert store.batches == [[beacon(1)]]


def _pusher_connection_id(buffer) -> int:
    """The Redis client id of the connection this thread pushes on."""
    _, conn = buffer._pushers.pair
    conn.send_command("CLIENT", "ID")
    return conn.read_response()


def test_a_push_after_its_connection_was_cut_uses_a_new_one(buffer):
    buffer.push(beacon(1))
    first = _pusher_connection_id(buffer)
    buffer.client.client_kill_filter(_id=first)  # as a Redis restart or a proxy would
    # The cut connection fails one push at most (the caller stores that beacon itself) ...
    with pytest.raises(BufferUnavailable):
        for n in range(2, 4):
            buffer.push(beacon(n))
    # ... and is not used again.
    buffer.push(beacon(4))
    assert _pusher_connection_id(buffer) != first
    waiting = buffer.client.lrange(buffer.buffer, 0, -1)
    assert waiting[0].decode().startswith('{"c":1,"e":[{"event_id":"e00000001"}]')
    assert waiting[-1].decode().startswith('{"c":1,"e":[{"event_id":"e00000004"}]')


def test_each_thread_and_each_forked_process_pushes_on_its_own_connection(buffer, monkeypatch):
    import os

    buffer.push(beacon(1))
    main = buffer._pushers.pair[1]
    other = []

    def push_in_thread():
        buffer.push(beacon(2))
        other.append(buffer._pushers.pair[1])

    thread = threading.Thread(target=push_in_thread)
    thread.start()
    thread.join()
    assert other and other[0] is not main
    # A forked child must not share its parent's socket: a new process id, a new connection.
    monkeypatch.setattr(os, "getpid", lambda: -1)
    buffer.push(beacon(3))
    assert buffer._pushers.pair[1] is not main
    assert buffer.status()["waiting"] == 3


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda data: json.dumps(data).encode(), id="compact"),
        # Raw newlines and indentation in the body, non-ASCII text, another UTF encoding:
        # whatever json.loads accepted on the request is stored the same.
        pytest.param(
            lambda data: json.dumps(data, indent=2, ensure_ascii=False).encode(), id="newlines"
        ),
        pytest.param(lambda data: json.dumps(data).encode("utf-16"), id="utf-16"),
    ],
)
def test_a_collect_body_is_buffered_as_sent_and_drained_as_the_events_it_holds(buffer, encode):
    events = [
        {"event_id": "e1", "event": "page_view", "url": "https://shop.example/ü\n"},
        {"event_id": "e2", "event": "purchase", "value": 149.0, "utm": {"utm_source": "mail"}},
    ]
    body = encode({"key": "demo", "events": events, "v": 3})
    buffer.push_body({"c": 7, "e": events, "r": 1_700_000_000_000, "v": 3}, body)
    buffer.push(beacon(1))  # the plain encoding, in the same list
    (item, _) = buffer.client.lrange(buffer.buffer, 0, -1)
    assert item.endswith(b"\n" + body)  # not encoded a second time
    store = Store()
    assert buffer.drain(store=store, max_seconds=5) == 2
    assert store.batches == [[{"c": 7, "e": events, "r": 1_700_000_000_000, "v": 3}, beacon(1)]]


@pytest.mark.django_db
def test_collect_through_the_redis_buffer_stores_exactly_what_was_posted(buffer, settings):
    from django.test import Client

    from tagmanager.models import FireEvent
    from tagmanager.services.demo import demo_container_ensure
    from tagmanager.services.ingestion import fire_events_drain

    demo = demo_container_ensure()  # allows the demo site's origin
    settings.CELERY_TASK_ALWAYS_EAGER = False
    events = [
        {"event_id": uuid.uuid4().hex, "event": "purchase", "value": 12.5, "currency": "EUR"},
        {"event_id": uuid.uuid4().hex, "event": "page_view", "url": "https://shop.example/a"},
    ]
    body = json.dumps({"key": demo.key, "events": events}, indent=1)
    answer = Client().post(
        "/tm/collect", body, content_type="text/plain", HTTP_ORIGIN="http://localhost:8000"
    )
    assert answer.status_code == 204 and buffer.status()["waiting"] == 1
    assert fire_events_drain(max_seconds=5) == 1
    stored = {e.event_id: e for e in FireEvent.objects.all()}
    assert set(stored) == {e["event_id"] for e in events}
    assert stored[events[0]["event_id"]].currency == "EUR"
    assert stored[events[1]["event_id"]].page_url == "https://shop.example/a"


def test_a_buffer_of_ones_own_with_push_alone_still_takes_collect_bodies(settings, monkeypatch):
    from tagmanager.ingest import IngestBuffer
    from tagmanager.services import ingestion

    taken = []

    class Mine(IngestBuffer):
        def push(self, beacon):
            taken.append(beacon)

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(ingestion, "get_buffer", Mine)
    events = [{"event_id": "x1"}]
    ingestion.fire_events_dispatch(
        container_id=1, events=events, body=json.dumps({"events": events}).encode()
    )
    assert [b["e"] for b in taken] == [events]


def test_a_refused_push_leaves_no_unread_answer_behind(buffer):
    buffer.client.set(buffer.buffer, "not a list")  # RPUSH answers WRONGTYPE, SET still answers
    with pytest.raises(BufferUnavailable, match="WRONGTYPE"):
        buffer.push(beacon(1))
    assert buffer.client.get(buffer.awake)  # the failed push's SET did run: a drainer "awake"
    buffer.client.delete(buffer.buffer)
    # Read from a connection out of step, this push would take the failed push's SET answer
    # for its own RPUSH and its own RPUSH answer (1, true) for "nobody was awake", and wake.
    buffer.push(beacon(2))
    assert buffer.wakes == []
    assert buffer.client.lrange(buffer.buffer, 0, -1) == [
        json.dumps(beacon(2), separators=(",", ":")).encode()
    ]


def _at_depth(frames: int, function, *args):
    """``function(*args)`` called ``frames`` stack frames deeper than here."""
    if frames == 0:
        return function(*args)
    return _at_depth(frames - 1, function, *args)


def test_a_body_nested_as_deep_as_the_request_allowed_is_decoded_deeper_in_the_stack():
    import sys

    from tagmanager.ingest.redis_buffer import _decode, _decode_at_depth

    # As deep as json.loads goes from here, give or take: what a request could accept.
    depth = sys.getrecursionlimit() - len(__import__("inspect").stack()) - 40
    body = b'{"events": [{"event_id": "e1"}], "x": ' + b"[" * depth + b"]" * depth + b"}"
    item = b'{"c":1,"r":0}\n' + body
    assert _decode_at_depth(item)["e"] == [{"event_id": "e1"}]
    # A drain's stack is deeper than the request's was: plain decoding fails there ...
    with pytest.raises(RecursionError):
        _at_depth(200, _decode_at_depth, item)
    # ... and the buffer's decoding does not.
    assert _at_depth(200, _decode, item) == {"c": 1, "r": 0, "e": [{"event_id": "e1"}]}


@pytest.mark.django_db
def test_an_undecodable_item_goes_to_the_dead_letters_and_holds_up_nothing(buffer):
    from tagmanager.models import DeadLetter

    buffer.push(beacon(1))
    buffer.client.rpush(buffer.buffer, b'{"c":1,"r":0}\n{"events": [', b"\xff\x00 not json")
    buffer.push(beacon(2))
    store = Store()
    assert buffer.drain(store=store, max_seconds=5) == 4
    assert store.batches == [[beacon(1)], [beacon(2)]]  # batches of 3 items, 2 of them bad
    assert buffer.status() == {"waiting": 0, "claims": 0, "expired_claims": 0}
    letters = DeadLetter.objects.all()
    assert sorted(json.dumps(d.payload) for d in letters) == sorted(
        [
            json.dumps({"buffered": '{"c":1,"r":0}\n{"events": ['}),
            # Bytes that are not UTF-8 escaped; NUL, which no database keeps, as JSON text.
            json.dumps({"unstorable_json": json.dumps({"buffered": "\\xff\x00 not json"})}),
        ]
    )
    assert all(d.reason.startswith("Undecodable buffered beacon: ") for d in letters)
