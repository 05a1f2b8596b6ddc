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
    wakes = []
    # Any RedisBuffer of this test (the service's own too) records its wake-ups instead.
    monkeypatch.setattr(
        RedisBuffer, "wake", lambda self: wakes.append(self.client.llen(self.buffer))
    )
    buf = RedisBuffer(store=Store(), bury=Bury())
    buf.wakes = wakes
    yield buf
    keys = list(buf.client.scan_iter(match=f"{prefix}:*"))
    if keys:
        buf.client.delete(*keys)


# Only the tests that count connections use this database: what is connected to it is theirs.
COUNTED_DB = 14


def clients_on(admin, db: int) -> list[dict]:
    return [c for c in admin.client_list() if int(c.get("db", -1)) == db]


def clients_kill(admin, db: int) -> None:
    """Cut every connection to ``db`` (as a Redis restart would)."""
    for client in clients_on(admin, db):
        admin.client_kill_filter(_id=client["id"])


@pytest.fixture
def counted(buffer, settings, monkeypatch):
    """A buffer on COUNTED_DB that pushes and nothing else (no wake-ups, no other commands),
    with every connection to that database cut first; and an admin client on another."""
    import redis

    settings.TAGMANAGER = {
        **settings.TAGMANAGER,
        "INGEST_REDIS_URL": f"{REDIS[:-2]}/{COUNTED_DB}",
        "INGEST_REDIS_TIMEOUT": 30,  # a busy machine must not turn a slow push into a failure
    }
    monkeypatch.setattr(RedisBuffer, "wake", lambda self: None)
    admin = redis.Redis.from_url(REDIS)
    clients_kill(admin, COUNTED_DB)
    counted = RedisBuffer(store=Store(), bury=Bury())
    counted.admin = admin
    yield counted
    counted.client.delete(counted.buffer, counted.awake)
    clients_kill(admin, COUNTED_DB)


def beacon(n: int) -> dict:
    return {"c": 1, "e": [{"event_id": f"e{n:08d}"}], "r": 1_700_000_000_000 + n}


class Store:
    def __init__(self, fail=None):
        self.batches, self.fail = [], fail

    def __call__(self, beacons):
        if self.fail:
            raise self.fail
        self.batches.append(beacons)


class Bury:
    def __init__(self):
        self.items = []

    def __call__(self, items):
        self.items += items


def test_pushed_beacons_are_drained_in_batches_and_nothing_is_left(buffer):
    for n in range(7):
        buffer.push(beacon(n))
    assert buffer.status() == {"waiting": 7, "claims": 0, "expired_claims": 0}
    store = buffer.store
    assert buffer.drain(max_seconds=5) == 7
    assert [len(b) for b in store.batches] == [3, 3, 1]
    assert [b for batch in store.batches for b in batch] == [beacon(n) for n in range(7)]
    assert buffer.status() == {"waiting": 0, "claims": 0, "expired_claims": 0}


def test_a_drainer_is_woken_when_none_is_awake_and_for_each_full_batch(buffer):
    for n in range(7):
        buffer.push(beacon(n))
    assert buffer.wakes == [1, 3, 6]
    buffer.drain(max_seconds=5)
    buffer.push(beacon(8))  # the drainer went back to sleep: wake one again
    assert buffer.wakes == [1, 3, 6, 1]


def test_an_awake_drainer_lingers_and_takes_what_comes_meanwhile(buffer, settings):
    settings.TAGMANAGER = {**settings.TAGMANAGER, "INGEST_DRAIN_LINGER": 1.0}
    buffer.push(beacon(1))
    store = buffer.store
    done = []
    drainer = threading.Thread(target=lambda: done.append(buffer.drain(max_seconds=5)))
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
    _, taken = buffer.claim(batch=3, lease_until=time.time() - 1)
    assert len(taken) == 3
    assert buffer.status() == {"waiting": 2, "claims": 1, "expired_claims": 1}
    store = buffer.store
    assert buffer.drain(max_seconds=5) == 5
    stored = sorted(b["r"] for batch in store.batches for b in batch)
    assert stored == [beacon(n)["r"] for n in range(5)]
    assert buffer.status()["claims"] == 0


def test_a_live_claim_is_left_alone_until_its_lease_expires(buffer):
    buffer.push(beacon(1))
    buffer.claim(batch=3, lease_until=time.time() + 60)
    assert buffer.reclaim() == 0
    assert buffer.reclaim(now=time.time() + 61) == 1
    assert buffer.status()["waiting"] == 1


def test_a_failed_store_gives_the_beacons_back_at_once(buffer):
    for n in range(4):
        buffer.push(beacon(n))
    buffer.store.fail = DatabaseError("server closed the connection")
    with pytest.raises(DatabaseError):
        buffer.drain(max_seconds=5)
    assert buffer.status() == {"waiting": 4, "claims": 0, "expired_claims": 0}
    buffer.store.fail = None
    assert buffer.drain(max_seconds=5) == 4


def test_unreachable_redis_is_refused(settings):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.TAGMANAGER = {
        "INGEST_BUFFER": "tagmanager.ingest.redis_buffer.RedisBuffer",
        "INGEST_REDIS_URL": f"redis://127.0.0.1:{port}/0",
    }
    buf = get_buffer(store=Store(), bury=Bury())
    assert isinstance(buf, RedisBuffer)
    with pytest.raises(BufferUnavailable, match="Redis: "):
        buf.push(beacon(1))


@pytest.mark.django_db
def test_dispatch_then_drain_stores_through_the_real_service(buffer, settings):
    from tagmanager.models import FireEvent
    from tagmanager.services.demo import demo_container_ensure
    from tagmanager.services.ingestion import fire_events_dispatch, fire_events_drain

    demo = demo_container_ensure()
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
    assert buffer.drain(max_seconds=5) == 1
    assert buffer.store.batches == [[beacon(1)]]


def test_a_push_after_redis_cut_its_connection_goes_through(counted):
    counted.push(beacon(1))
    clients_kill(counted.admin, COUNTED_DB)  # as a Redis restart, or its idle timeout, would
    # The idle connection is found closed before it is used: every push goes through.
    for n in range(2, 5):
        counted.push(beacon(n))
    assert counted.client.llen(counted.buffer) == 4


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
    assert buffer.drain(max_seconds=5) == 2
    assert buffer.store.batches == [
        [{"c": 7, "e": events, "r": 1_700_000_000_000, "v": 3}, beacon(1)]
    ]


@pytest.mark.django_db
def test_collect_through_the_redis_buffer_stores_exactly_what_was_posted(buffer, settings):
    from django.test import Client

    from tagmanager.models import FireEvent
    from tagmanager.services.demo import demo_container_ensure
    from tagmanager.services.ingestion import fire_events_drain

    demo = demo_container_ensure()  # allows the demo site's origin
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


def test_a_buffer_of_ones_own_with_push_alone_still_takes_collect_bodies(settings):
    from tagmanager.ingest import IngestBuffer
    from tagmanager.services import ingestion

    class Mine(IngestBuffer):
        taken = []

        def push(self, beacon):
            self.taken.append(beacon)

    settings.TAGMANAGER = {"INGEST_BUFFER": f"{__name__}.MINE"}
    globals()["MINE"] = Mine
    events = [{"event_id": "x1"}]
    ingestion.fire_events_dispatch(
        container_id=1, events=events, body=json.dumps({"events": events}).encode()
    )
    assert [b["e"] for b in Mine.taken] == [events]


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


@pytest.mark.django_db
def test_an_undecodable_item_goes_to_the_dead_letters_and_holds_up_nothing(buffer):
    from tagmanager.models import DeadLetter
    from tagmanager.services.ingestion import fire_undecodable_bury

    buffer.bury = fire_undecodable_bury  # the service's own
    buffer.push(beacon(1))
    buffer.client.rpush(buffer.buffer, b'{"c":1,"r":0}\n{"events": [', b"\xff\x00 not json")
    buffer.client.rpush(buffer.buffer, b"[1, 2]", b'{"c":1,"r":0}\n{"events": 5}')
    buffer.push(beacon(2))
    assert buffer.drain(max_seconds=5) == 6
    assert buffer.store.batches == [[beacon(1)], [beacon(2)]]  # batches of 3 items, 4 bad
    assert buffer.status() == {"waiting": 0, "claims": 0, "expired_claims": 0}
    letters = sorted(DeadLetter.objects.all(), key=lambda d: d.payload["buffered"])
    assert [d.payload["buffered"] for d in letters] == [
        "[1, 2]",
        "\\xff\\x00 not json",  # bytes that are not UTF-8 escaped, NUL as text
        '{"c":1,"r":0}\n{"events": 5}',
        '{"c":1,"r":0}\n{"events": [',
    ]
    assert all(d.reason.startswith("Undecodable buffered beacon: ") for d in letters)


@pytest.mark.django_db
def test_an_item_buried_before_a_failed_store_is_not_buried_again(buffer):
    from tagmanager.models import DeadLetter
    from tagmanager.services.ingestion import fire_undecodable_bury

    buffer.bury = fire_undecodable_bury
    buffer.push(beacon(1))
    buffer.client.rpush(buffer.buffer, b"not json")
    buffer.store.fail = DatabaseError("server closed the connection")
    with pytest.raises(DatabaseError):
        buffer.drain(max_seconds=5)
    assert buffer.status()["waiting"] == 1  # the good beacon came back, the buried one did not
    buffer.store.fail = None
    assert buffer.drain(max_seconds=5) == 1
    assert DeadLetter.objects.count() == 1


def test_a_push_after_an_error_reply_reads_its_own_answers(buffer):
    # An error reply to the RPUSH leaves the SET's answer unread on that connection: reused,
    # the next push would take it for its own. The connection is dropped instead.
    buffer.client.set(buffer.buffer, "not a list")
    with pytest.raises(BufferUnavailable, match="WRONGTYPE"):
        buffer.push(beacon(1))
    buffer.client.delete(buffer.buffer, buffer.awake)
    for n in range(2, 6):
        buffer.push(beacon(n))
    # Each push read its own RPUSH's count: a wake-up at the first (nobody awake) and at every
    # full batch (3) waiting, nothing else.
    assert buffer.wakes == [1, 3]
    assert buffer.status()["waiting"] == 4


def test_eight_threads_pushing_at_once_lose_nothing(counted):
    barrier = threading.Barrier(8)
    failures = []

    def pusher(n):
        try:
            barrier.wait(timeout=60)
            for m in range(100):
                counted.push(beacon(1000 * n + m))
        except Exception as exc:  # pragma: no cover (reported below)
            failures.append(exc)

    threads = [threading.Thread(target=pusher, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # A load test: every push answered and kept, and no connection opened per push. (That no
    # two pushes share a connection is shown by the next test, which this one cannot show.)
    assert failures == []
    assert counted.client.llen(counted.buffer) == 800
    assert len(clients_on(counted.admin, COUNTED_DB)) <= 8 + 1  # + the client's own (llen)


def test_pushes_in_flight_at_once_each_have_a_connection_of_their_own(counted):
    counted.push(beacon(0))  # one idle connection now
    # Redis holds every write for a second: the three pushes are all in flight at once.
    counted.admin.client_pause(1000, all=False)
    failures = []

    def push(n):
        try:
            counted.push(beacon(n))
        except Exception as exc:  # pragma: no cover (reported below)
            failures.append(exc)

    threads = [threading.Thread(target=push, args=(n,)) for n in range(1, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    # One took the idle connection, the other two made their own.
    assert len(clients_on(counted.admin, COUNTED_DB)) == 3
    assert counted.client.llen(counted.buffer) == 4


def test_a_thread_per_request_reuses_the_idle_connection(counted):
    # An ASGI server runs each request's sync code on a thread of its own: the pushes of one
    # thread after another still share one connection rather than open one each.
    for n in range(20):
        thread = threading.Thread(target=counted.push, args=(beacon(n),))
        thread.start()
        thread.join()
    assert len(clients_on(counted.admin, COUNTED_DB)) == 1
    assert counted.client.llen(counted.buffer) == 20


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_forked_process_pushes_on_a_connection_of_its_own(counted):
    import os
    import select

    counted.push(beacon(1))  # the parent now holds an idle connection
    assert len(clients_on(counted.admin, COUNTED_DB)) == 1
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: push, then report how many connections Redis sees
        code = 1
        try:
            counted.push(beacon(2))
            os.write(write, str(len(clients_on(counted.admin, COUNTED_DB))).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    ready, _, _ = select.select([read], [], [], 120)
    seen = os.read(read, 100) if ready else b""
    os.close(read)
    if not ready:
        os.kill(pid, 9)
    assert os.waitpid(pid, 0)[1] == 0
    # The child did not write on the parent's socket: it made a connection of its own.
    assert seen == b"2"
    counted.push(beacon(3))
    assert counted.client.llen(counted.buffer) == 3
