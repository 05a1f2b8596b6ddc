"""The broker (and the Redis buffer) dies or hangs under a running web app: batches are still
answered and stored."""

import pytest

from tests.conftest import wait_for
from tests.faults.conftest import batches, new_events, stored_count, stored_ids, wait_stored

pytestmark = pytest.mark.services

FALLBACK = "Ingest buffer unavailable"


def test_redis_stopped_batches_are_stored_synchronously(test_db, stack):
    redis = stack.redis()
    env = stack.env(database_url=test_db, broker_url=redis.url)
    web = stack.web(env)
    worker = stack.worker(env)

    # Normal path first, so the web app holds live connections to Redis when it dies.
    warm = new_events(20)
    assert web.post(warm)[0] == 204
    assert wait_stored(test_db, 20) == 20
    assert FALLBACK not in web.proc.log_text()

    redis.proc.kill()
    redis.proc.popen.wait(timeout=10)
    assert worker.alive()

    events = new_events(200)
    results = [web.post(batch) for batch in batches(events)]
    statuses = [status for status, _ in results]
    print(f"dead Redis: request seconds max={max(s for _, s in results):.3f}")
    assert statuses == [204] * len(statuses)
    # Written synchronously, before the 204: nothing to wait for.
    assert stored_count(test_db) == 220
    assert stored_ids(test_db) == {e["event_id"] for e in warm + events}
    assert web.proc.log_text().count(FALLBACK) == len(statuses)


@pytest.mark.parametrize("cache", ["local", "hung"])
def test_redis_hung_requests_give_up_fast_and_nothing_is_lost(
    test_db, stack, record_property, cache
):
    broker = stack.hung_broker()
    extra = {"CACHE_URL": broker.url.replace("/0", "/1")} if cache == "hung" else {}
    env = stack.env(database_url=test_db, broker_url=broker.url, **extra)
    web = stack.web(env)

    events = new_events(200)
    results = [web.post(batch) for batch in batches(events)]
    times = [seconds for _, seconds in results]
    record_property("max_request_seconds", round(max(times), 3))
    print(f"hung Redis ({cache} cache): request seconds max={max(times):.3f} min={min(times):.3f}")
    assert [status for status, _ in results] == [204] * len(results)
    assert max(times) < 1.5, times
    assert wait_for(lambda: stored_count(test_db) == 200, timeout=10)
    assert stored_ids(test_db) == {e["event_id"] for e in events}
