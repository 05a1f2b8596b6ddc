"""Many nodes, no loss: two web servers and two Celery workers (each with its own beat) share
one Redis buffer under load; every acknowledged event is stored exactly once."""

import time

import pytest

from tests.conftest import wait_for
from tests.faults.conftest import SETTLE, dead_letters, stored_counts, stored_ids, waiting
from tests.faults.test_worker_faults import StreamPoster

pytestmark = pytest.mark.services
LOAD_SECONDS = 20


@pytest.fixture
def buffer() -> str:
    return "redis"  # the buffer several drainers share


def test_two_web_servers_and_two_workers_store_every_acknowledged_event_once(
    test_db, shared_redis, stack
):
    env = stack.env(database_url=test_db, broker_url=shared_redis)
    webs = [stack.web(env), stack.web(env)]
    workers = [stack.worker(env, name="worker-a"), stack.worker(env, name="worker-b")]
    posters = [StreamPoster(web) for web in webs for _ in range(2)]
    for poster in posters:
        poster.start()
    deadline = time.monotonic() + LOAD_SECONDS  # a load window, not a timing assertion
    while time.monotonic() < deadline and all(
        p.alive() for p in (*(w.proc for w in webs), *workers)
    ):
        time.sleep(0.5)
    for poster in posters:
        poster.stop.set()
    for poster in posters:
        poster.join(timeout=SETTLE)
    assert all(p.alive() for p in (*(w.proc for w in webs), *workers))

    acknowledged = {
        event["event_id"]
        for poster in posters
        for status, start in zip(poster.statuses, range(0, len(poster.events), 20), strict=False)
        if status == 204
        for event in poster.events[start : start + 20]
    }
    assert len(acknowledged) >= 1000, "too little load to show anything"
    assert wait_for(lambda: waiting(stack, shared_redis) == 0, timeout=SETTLE, interval=0.2)
    assert wait_for(
        lambda: (stored_counts(test_db) or (0, 0))[0] >= len(acknowledged),
        timeout=SETTLE,
        interval=0.2,
    )
    rows, distinct = stored_counts(test_db)
    assert rows == distinct  # nothing stored twice
    missing = acknowledged - stored_ids(test_db)
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged events lost"
    assert dead_letters(test_db) == 0
    print(f"{len(acknowledged)} events acknowledged, {rows} stored, each once")
