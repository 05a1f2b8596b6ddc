"""Property: whatever arrives beside them, good events are stored exactly once, every bad item
becomes a dead letter with its reason, and the buffer is left empty. On each buffer's path."""

import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagmanager.models import DeadLetter, FireEvent
from tagmanager.services import ingestion
from tagmanager.services.demo import demo_container_ensure
from tagmanager.services.ingestion import beacon_make, fire_beacons_store
from tests.conftest import port_open, skip_or_fail

pytestmark = pytest.mark.django_db
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any JSON value Python can hold, and then some: NaN and infinities, integers far past 64 bits,
# NUL, lone surrogates, nesting.
leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**80), max_value=10**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(exclude_categories=()), max_size=12)
)
any_json = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(st.characters(exclude_categories=()), max_size=6), inner, max_size=4
        )
    ),
    max_leaves=12,
)
# Values that pass for JSON but that no event may hold; each names its event with a valid id.
poisons = st.sampled_from(
    [
        {"value": "1e1000000"},
        {"value": float("nan")},
        {"value": float("inf")},
        {"value": 10**100},
        {"url": "https://x.example/\ud800"},
        {"event": "a\x00"},
        {"tag": "²"},
        {"ts": -5},
    ]
)
bad_event = any_json.map(lambda v: {**v, "event_id": "bad id!"} if isinstance(v, dict) else v) | (
    poisons.map(lambda p: {"event_id": uuid.uuid4().hex, **p})
)
# An item of a batch: True is a good event (made fresh at run time), anything else is bad.
items = st.lists(st.just(True) | bad_event, min_size=1, max_size=6)
batches = st.lists(items, min_size=1, max_size=5)
not_beacons = st.lists(any_json, max_size=2)


def _build(container_id, batch):
    beacons, good = [], []
    for events in batch:
        made = []
        for item in events:
            if item is True:
                item = {"event_id": uuid.uuid4().hex, "event": "page_view"}
                good.append(item["event_id"])
            made.append(item)
        beacons.append(beacon_make(container_id=container_id, events=made))
    bad = sum(1 for events in batch for item in events if item is not True)
    return beacons, good, bad


def _counts() -> tuple[int, int]:
    return FireEvent.objects.count(), DeadLetter.objects.count()


def _check(good, before, bad):
    """Each good event stored, nothing else stored, one dead letter with a reason per bad
    item."""
    events_before, letters_before = before
    assert FireEvent.objects.filter(event_id__in=good).count() == len(good)
    assert FireEvent.objects.count() - events_before == len(good)
    assert DeadLetter.objects.count() - letters_before == bad
    assert not DeadLetter.objects.filter(reason="").exists()


@pytest.fixture
def demo():
    return demo_container_ensure()


@PROPERTY
@given(batch=batches, strangers=not_beacons)
def test_bulk_store_isolates_every_bad_item(demo, batch, strangers):
    beacons, good, bad = _build(demo.pk, batch)
    before = _counts()
    mixed = beacons + strangers  # what is not a beacon at all: one dead letter each
    fire_beacons_store(beacons=mixed)
    _check(good, before, bad + len(strangers))


@PROPERTY
@given(batch=batches)
def test_direct_buffer_path_isolates_every_bad_item(demo, settings, batch):
    settings.TAGMANAGER = {"INGEST_BUFFER": "tagmanager.ingest.direct.DirectBuffer"}
    beacons, good, bad = _build(demo.pk, batch)
    before = _counts()
    for beacon in beacons:
        ingestion.fire_events_dispatch(container_id=demo.pk, events=beacon["e"])
    _check(good, before, bad)


@PROPERTY
@given(batch=batches)
def test_celery_task_path_isolates_every_bad_item(demo, batch):
    from tagmanager.tasks import fire_events_ingest

    beacons, good, bad = _build(demo.pk, batch)
    before = _counts()
    for beacon in beacons:
        # The task's own code, as a worker runs it for each message.
        fire_events_ingest.run(beacon["c"], beacon["e"], beacon["r"], None)
    _check(good, before, bad)


@PROPERTY
@given(batch=batches, raw=st.lists(st.binary(max_size=40), max_size=3))
def test_redis_buffer_path_isolates_every_bad_item(demo, redis_buffer, batch, raw):
    beacons, good, bad = _build(demo.pk, batch)
    before = _counts()
    for beacon in beacons:
        redis_buffer.push(beacon)
    # Bytes in the buffer that are no beacon at all (another writer, a half-written item).
    redis_buffer.client.rpush(redis_buffer.buffer, *raw) if raw else None
    redis_buffer.drain(max_seconds=30)
    _check(good, before, bad + len(raw))
    assert redis_buffer.status() == {"waiting": 0, "claims": 0, "expired_claims": 0}


@pytest.fixture
def redis_buffer(settings, monkeypatch):
    from tagmanager.ingest.redis_buffer import RedisBuffer

    if not port_open("127.0.0.1", 6379):
        skip_or_fail("no Redis on 127.0.0.1:6379")
    prefix = f"tm-test-{uuid.uuid4().hex[:10]}"
    settings.TAGMANAGER = {
        "INGEST_BUFFER": "tagmanager.ingest.redis_buffer.RedisBuffer",
        "INGEST_REDIS_URL": "redis://127.0.0.1:6379/3",
        "INGEST_REDIS_KEY": prefix,
        "INGEST_DRAIN_BATCH": 4,
        "INGEST_DRAIN_LINGER": 0,
    }
    monkeypatch.setattr(RedisBuffer, "wake", lambda self: None)  # this test drains itself
    buffer = ingestion.ingest_buffer()
    yield buffer
    keys = list(buffer.client.scan_iter(match=f"{prefix}:*"))
    if keys:
        buffer.client.delete(*keys)


@PROPERTY
@given(batch=batches, refused=st.sets(st.integers(min_value=0, max_value=30), max_size=4))
def test_events_the_database_refuses_are_found_by_splitting(demo, monkeypatch, batch, refused):
    """Whatever the database refuses (here: rows chosen at random), the split finds exactly
    those events; every other good event is stored once."""
    beacons, good, bad = _build(demo.pk, batch)
    victims = {good[i] for i in refused if i < len(good)}
    real = ingestion.rows_insert
    event_id = ingestion.COLUMN["event_id"]

    def picky(rows):
        if any(row[event_id] in victims for row in rows):
            from django.db import DataError

            raise DataError("value refused by the database")
        return real(rows)

    monkeypatch.setattr(ingestion, "rows_insert", picky)
    before = DeadLetter.objects.count()
    fire_beacons_store(beacons=beacons)
    stored = [g for g in good if g not in victims]
    assert FireEvent.objects.filter(event_id__in=stored).count() == len(stored)
    assert not FireEvent.objects.filter(event_id__in=victims).exists()
    assert DeadLetter.objects.count() - before == bad + len(victims)
    assert DeadLetter.objects.filter(reason__contains="DataError").count() >= len(victims)


def test_a_database_that_cannot_be_written_now_keeps_the_batch(demo, monkeypatch):
    """Not a poison: the batch is not split or buried, the error goes up (the buffer keeps
    the beacons and tries again)."""
    from django.db import OperationalError

    def down(rows):
        raise OperationalError("database is locked")

    monkeypatch.setattr(ingestion, "rows_insert", down)
    beacons, _, _ = _build(demo.pk, [[True, True], [True]])
    with pytest.raises(OperationalError):
        fire_beacons_store(beacons=beacons)
    assert not DeadLetter.objects.exists()


def test_dead_letter_payloads_are_json_any_database_keeps(demo):
    nasty = [
        {"event_id": "bad id!", "v": float("nan"), "k\x00": "\ud800", "n": 10**5000},
        [[[[[[["deep"]]]]]]],
        "x" * 100_000,
    ]
    fire_beacons_store(beacons=[beacon_make(container_id=demo.pk, events=nasty)])
    for letter in DeadLetter.objects.all():
        text = json.dumps(letter.payload, allow_nan=False)  # finite numbers only
        text.encode("utf-8")  # no lone surrogates
        assert "\\u0000" not in text and len(text) < 5000


def test_the_database_going_away_halfway_through_a_split_keeps_nothing(demo, monkeypatch):
    """A poisoned event makes the batch split; the database then fails: nothing of the batch
    is kept (no half stored, no dead letter), so trying it again stores each event once and
    buries the poison once, counting no duplicates."""
    from django.db import DataError, OperationalError

    from tagmanager.models import FireDuplicateDaily

    beacons, good, _ = _build(demo.pk, [[True, True], [True, True]])
    poison, later = good[1], good[3]
    real = ingestion.rows_insert
    event_id = ingestion.COLUMN["event_id"]
    state = {"down": True}

    def failing(rows):
        ids = {row[event_id] for row in rows}
        if poison in ids:
            raise DataError("value refused by the database")
        if later in ids and state["down"]:
            raise OperationalError("server closed the connection unexpectedly")
        return real(rows)

    monkeypatch.setattr(ingestion, "rows_insert", failing)
    with pytest.raises(OperationalError):
        fire_beacons_store(beacons=beacons)
    assert not FireEvent.objects.exists() and not DeadLetter.objects.exists()
    state["down"] = False
    assert fire_beacons_store(beacons=beacons).stored == 3
    assert DeadLetter.objects.count() == 1
    assert not FireDuplicateDaily.objects.exists()


def test_an_error_that_is_not_the_datas_keeps_the_batch_whole(demo, monkeypatch):
    """Code ahead of its migrations, say: splitting would bury every event; the batch goes
    back to be tried again instead."""
    from django.db import ProgrammingError

    def broken(rows):
        raise ProgrammingError('column "utm" does not exist')

    monkeypatch.setattr(ingestion, "rows_insert", broken)
    beacons, _, _ = _build(demo.pk, [[True, True], [True]])
    with pytest.raises(ProgrammingError):
        fire_beacons_store(beacons=beacons)
    assert not DeadLetter.objects.exists()
