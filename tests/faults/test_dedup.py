"""At-least-once delivery end to end: the same events sent again are stored once."""

import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import wait_for
from tests.faults.conftest import (
    SETTLE,
    batches,
    dead_letters,
    duplicates_counted,
    new_events,
    settled,
    stored_counts,
    stored_ids,
)

pytestmark = pytest.mark.services


def test_same_10000_events_sent_three_times_are_stored_once(test_db, shared_redis, stack):
    env = stack.env(database_url=test_db, broker_url=shared_redis)
    web = stack.web(env)
    worker = stack.worker(env, concurrency=2)  # overlapping batches stored concurrently

    events = new_events(10_000)
    reshuffled = random.Random(7).sample(events, len(events))
    # Twice the same batches, then the same events regrouped into different batches.
    rounds = [batches(events), batches(events), batches(reshuffled)]
    sent = [batch for round_ in rounds for batch in round_]
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda batch: web.post(batch)[0], sent))
    assert statuses == [204] * len(sent) == [204] * 1500

    assert wait_for(
        lambda: (
            settled(stack, shared_redis, [worker], len(sent))
            and stored_counts(test_db) == (10_000, 10_000)
        ),
        timeout=SETTLE,
        interval=0.5,
    ), f"stored {stored_counts(test_db)} of 10,000"
    assert stored_counts(test_db) == (10_000, 10_000)
    assert stored_ids(test_db) == {e["event_id"] for e in events}
    assert dead_letters(test_db) == 0
    # Every event arrived three times: two of the three are counted as duplicates.
    assert duplicates_counted(test_db) == 20_000
    assert "Ingest buffer unavailable" not in web.proc.log_text()  # all of it was buffered
