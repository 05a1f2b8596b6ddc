import datetime as dt
import time
import uuid

import pytest

from tagmanager.models import DeadLetter, FireDuplicateDaily, FireEvent
from tagmanager.services.demo import demo_container_ensure
from tagmanager.services.ingestion import (
    StoreResult,
    beacon_make,
    fire_beacons_store,
    fire_events_dispatch,
    fire_events_store,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return demo_container_ensure()


def event(**fields):
    return {"event_id": uuid.uuid4().hex, "event": "page_view", **fields}


def test_store_inserts_and_reports_what_it_did(demo):
    tag = demo.tags.get(name="Meta Pixel")
    events = [
        event(tag=tag.pk, categories=["necessary", "marketing"], value="9.5", currency="EUR"),
        event(tag=tag.pk, categories=["necessary"]),  # marketing not granted: a violation
        {"event_id": "no"},
    ]
    result = fire_events_store(container_id=demo.pk, events=events)
    assert result == StoreResult(stored=2, duplicates=0, dead=1)
    stored = {e.event_id: e for e in FireEvent.objects.all()}
    first, second = stored[events[0]["event_id"]], stored[events[1]["event_id"]]
    assert (first.value, first.currency, first.consent_violation) == (9.5, "EUR", False)
    assert second.consent_violation is True and second.categories == ["necessary"]
    assert "'event_id'" in DeadLetter.objects.get().reason


def test_server_time_is_when_the_beacon_was_received_not_when_it_was_stored(demo):
    received = time.time() - 3 * 3600  # e.g. redelivered three hours later
    fire_events_store(container_id=demo.pk, events=[event()], received=received)
    stored = FireEvent.objects.get().server_time
    assert abs(stored.timestamp() - received) < 0.002


def test_duplicates_are_skipped_and_counted_per_day_and_tag(demo):
    tag = demo.tags.get(name="Google Analytics 4")
    batch = [event(tag=tag.pk), event(tag=tag.pk), event()]
    assert fire_events_store(container_id=demo.pk, events=batch).stored == 3
    # Sent again, plus one event repeated inside the same beacon.
    again = fire_events_store(container_id=demo.pk, events=[*batch, batch[0]])
    assert again == StoreResult(stored=0, duplicates=4, dead=0)
    fresh = event(tag=tag.pk)
    assert fire_events_store(container_id=demo.pk, events=[fresh, fresh]).duplicates == 1
    today = dt.datetime.now(dt.timezone.utc).date()
    counts = dict(
        FireDuplicateDaily.objects.filter(container=demo, day=today).values_list(
            "tag_id", "duplicates"
        )
    )
    assert counts == {tag.pk: 4, 0: 1}
    assert FireEvent.objects.count() == 4


def test_many_beacons_of_several_containers_in_one_call(demo):
    from tests.factories import ContainerFactory

    other = ContainerFactory()
    beacons = [
        beacon_make(container_id=demo.pk, events=[event() for _ in range(20)]),
        beacon_make(container_id=other.pk, events=[event() for _ in range(5)]),
        beacon_make(container_id=demo.pk, events=[event() for _ in range(1200)]),  # > 1 chunk
    ]
    assert fire_beacons_store(beacons=beacons) == StoreResult(stored=1225, duplicates=0, dead=0)
    assert FireEvent.objects.filter(container=other).count() == 5


def test_dispatch_stores_at_once_with_the_default_buffer(demo, settings):
    settings.TAGMANAGER = {}  # the default: no broker needed, stored in the request
    fire_events_dispatch(container_id=demo.pk, events=[event()])
    assert FireEvent.objects.count() == 1


def test_dispatch_falls_back_to_storing_and_then_skips_the_buffer_for_a_while(
    demo, settings, monkeypatch
):
    from tagmanager.ingest import BufferUnavailable
    from tagmanager.ingest.celery import CeleryTaskBuffer
    from tagmanager.services.ingestion import buffer_breaker

    pushes = []

    def refuse(self, beacon):
        pushes.append(beacon)
        raise BufferUnavailable("broker down")

    settings.TAGMANAGER = {"INGEST_BUFFER": "tagmanager.ingest.celery.CeleryTaskBuffer"}
    monkeypatch.setattr(CeleryTaskBuffer, "push", refuse)
    fire_events_dispatch(container_id=demo.pk, events=[event(), event()])
    fire_events_dispatch(container_id=demo.pk, events=[event()])
    assert FireEvent.objects.count() == 3
    assert len(pushes) == 1  # the second request did not wait for the broker again
    buffer_breaker.reset()  # as when INGEST_RETRY_AFTER has passed
    fire_events_dispatch(container_id=demo.pk, events=[event()])
    assert len(pushes) == 2 and FireEvent.objects.count() == 4


def test_text_no_database_can_store_goes_to_the_dead_letters(demo):
    good = event(url="https://shop.example/ok")
    batch = [
        good,
        event(url="https://shop.example/\ud800"),
        event(recipient="a\x00b"),
        event(utm={"utm_campaign": "x\x00"}),
    ]
    result = fire_events_store(container_id=demo.pk, events=batch)
    assert result == StoreResult(stored=1, duplicates=0, dead=3)
    reasons = list(DeadLetter.objects.values_list("reason", flat=True))
    assert all("NUL character or invalid Unicode" in r for r in reasons)
    # The dead letters keep what was sent, as escaped text where it has to be (and the
    # recipient only as a hash).
    kept = sorted(map(str, DeadLetter.objects.values_list("payload", flat=True)))
    assert any("shop.example/\\\\ud800" in p for p in kept), kept
    assert any("x\\\\x00" in p for p in kept), kept
    assert any("'recipient': 'sha256:" in p for p in kept), kept


def test_a_beacon_the_database_refuses_is_buried_and_the_rest_stored(demo):
    fine = [beacon_make(container_id=demo.pk, events=[event() for _ in range(5)]) for _ in range(3)]
    gone = beacon_make(container_id=987654, events=[event(), event()])  # container deleted
    broken = {"not": "a beacon"}
    result = fire_beacons_store(beacons=[fine[0], gone, fine[1], broken, fine[2]])
    assert result == StoreResult(stored=15, duplicates=0, dead=3)
    assert FireEvent.objects.count() == 15
    reasons = sorted(
        DeadLetter.objects.filter(container__isnull=True).values_list("reason", flat=True)
    )
    assert reasons == [
        "Container 987654 no longer exists.",
        "Container 987654 no longer exists.",
        "Not a beacon: 'c' is not a container id",
    ]


def test_values_the_database_refuses_bury_only_their_own_beacon(demo, monkeypatch):
    from django.db import DataError

    from tagmanager.services import ingestion

    real = ingestion.rows_insert

    def picky(rows):  # as PostgreSQL refuses a value it cannot store
        if any(r[ingestion.COLUMN["page_url"]].endswith("/refused") for r in rows):
            raise DataError("invalid byte sequence for encoding UTF8")
        return real(rows)

    monkeypatch.setattr(ingestion, "rows_insert", picky)
    beacons = [
        beacon_make(container_id=demo.pk, events=[event(url="https://shop.example/fine")]),
        beacon_make(container_id=demo.pk, events=[event(url="https://shop.example/refused")]),
        beacon_make(container_id=demo.pk, events=[event(url="https://shop.example/fine")]),
    ]
    assert fire_beacons_store(beacons=beacons) == StoreResult(stored=2, duplicates=0, dead=1)
    assert "DataError" in DeadLetter.objects.get().reason


def test_the_same_event_id_in_two_containers_is_two_events(demo):
    from tests.factories import ContainerFactory

    other = ContainerFactory()
    shared = event()
    assert fire_events_store(container_id=demo.pk, events=[shared]).stored == 1
    assert fire_events_store(container_id=other.pk, events=[shared]).stored == 1
    assert fire_events_store(container_id=other.pk, events=[shared]).duplicates == 1
    assert FireEvent.objects.filter(event_id=shared["event_id"]).count() == 2


def test_consent_violations_are_judged_by_the_version_the_browser_ran(demo):
    from tagmanager.services.publishing import container_publish

    meta = demo.tags.get(name="Meta Pixel")
    v1 = demo.live_version.number
    meta.categories.set([demo.categories.get(slug="analytics")])
    container_publish(container=demo)  # the live version now needs analytics for Meta
    granted = ["necessary", "marketing"]
    old = fire_events_store(
        container_id=demo.pk, events=[event(tag=meta.pk, categories=granted)], version=v1
    )
    new = fire_events_store(container_id=demo.pk, events=[event(tag=meta.pk, categories=granted)])
    assert (old.stored, new.stored) == (1, 1)
    flags = sorted(FireEvent.objects.values_list("consent_violation", flat=True))
    assert flags == [False, True]
