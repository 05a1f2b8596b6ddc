"""Workers killed mid-stream: what they held is redelivered (Celery buffer) or reclaimed when
its lease runs out (Redis buffer), and stored exactly once."""

import os
import signal
import threading

import pytest

from tests.conftest import port_open, skip_or_fail, wait_for
from tests.faults.conftest import (
    BATCH,
    SETTLE,
    children,
    new_events,
    settled,
    stored_count,
    stored_counts,
    stored_ids,
    waiting,
)

pytestmark = pytest.mark.services

RECLAIMED = "beacons of an expired claim to the buffer"
LOST = "Task handler raised error: WorkerLostError"


class StreamPoster(threading.Thread):
    """Posts fresh batches, one after another, until told to stop; remembers every event and
    status. The stream lasts as long as the test needs it, however fast the worker drains."""

    def __init__(self, web):
        super().__init__(daemon=True)
        self.web, self.events, self.statuses = web, [], []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            batch = new_events(BATCH)
            self.events.extend(batch)
            self.statuses.append(self.web.post(batch)[0])

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.join(timeout=SETTLE)

    def more(self, beacons: int) -> None:
        """Wait until ``beacons`` more have been posted (traffic after a kill)."""
        posted = len(self.events)
        wait_for(lambda: len(self.events) >= posted + beacons * BATCH, timeout=30, interval=0.05)


KILLS = 3  # at least; more (up to MAX_KILLS) until one has landed in the middle of a task
MAX_KILLS = 8


def test_worker_child_killed_mid_batch_is_redelivered(test_db, shared_redis, stack):
    # A short lease, so that a killed drainer's claim comes back within the test.
    env = stack.env(
        database_url=test_db, broker_url=shared_redis, TAGMANAGER_INGEST_LEASE_SECONDS="3"
    )
    web = stack.web(env)
    worker = stack.worker(env, concurrency=1)  # prefork: one child runs the tasks

    killed = []
    with StreamPoster(web) as poster:
        while len(killed) < KILLS or (
            worker.log_text().count(LOST) == 0 and len(killed) < MAX_KILLS
        ):
            # Kill the child only while it is busy: once it has stored something since the last
            # kill (a freshly forked child takes a moment, and Celery notices a death within
            # ~5 s). The poster keeps the stream going meanwhile.
            before = stored_count(test_db)
            busy = wait_for(
                lambda b=before: stored_count(test_db) > b and children(worker.pid),
                timeout=60,
                interval=0.02,
            )
            assert busy, f"the worker stored nothing for 60 s after {len(killed)} kills"
            for pid in busy:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
        poster.more(10)  # traffic after the last kill, for the fresh child to take
    events = poster.events
    assert events and poster.statuses == [204] * len(poster.statuses)

    n_batches = len(poster.statuses)
    assert wait_for(
        lambda: (
            settled(stack, shared_redis, [worker], n_batches)
            and stored_count(test_db) >= len(events)
        ),
        timeout=SETTLE,
        interval=0.2,
    ), f"stored {stored_count(test_db)} of {len(events)}"
    log = worker.log_text()
    print(
        f"events: {len(events)}, child kills: {len(killed)}, "
        f"tasks lost mid-run: {log.count(LOST)}, claims reclaimed: {log.count(RECLAIMED)}"
    )
    assert len(killed) >= KILLS
    assert log.count(LOST) >= 1, "no kill landed in the middle of a task"
    if stack.buffer == "redis":
        assert log.count(RECLAIMED) >= 1, "no claim of a killed drainer was reclaimed"
    assert worker.alive()
    assert stored_counts(test_db) == (len(events), len(events))
    assert stored_ids(test_db) == {e["event_id"] for e in events}


RABBITMQ = os.environ.get("TAGMANAGER_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def test_worker_sigkilled_its_batches_come_back_to_another_worker(test_db, stack):
    """The whole worker (main process and child) SIGKILLed mid-stream.

    Redis buffer: its claims come back when their lease runs out. Celery buffer: on RabbitMQ,
    whose acknowledgements make this safe. (Not on a Redis broker: kombu's Redis transport pops
    a message before it records it as unacknowledged, and a worker killed in between loses it;
    that is why a Redis deployment uses the Redis buffer.)"""
    if stack.buffer == "redis":
        redis = stack.redis()  # throwaway: a short lease must not touch shared keys
        broker = redis.url
        leases = f"{stack.queue}:leases"
    else:
        host, port = "127.0.0.1", 5672
        if not port_open(host, port):
            skip_or_fail(f"no RabbitMQ on {host}:{port} for the Celery buffer's broker")
        broker = RABBITMQ
    env = stack.env(database_url=test_db, broker_url=broker, TAGMANAGER_INGEST_LEASE_SECONDS="5")
    web = stack.web(env)
    killed = [stack.worker(env, concurrency=1, name="worker1")]

    def held() -> int:  # claims whose drainer has not finished them (Redis buffer)
        return redis.client().zcard(leases)

    # Posting goes on until the kill has landed, and a while after.
    with StreamPoster(web) as poster:
        assert wait_for(lambda: stored_count(test_db) >= 400, timeout=SETTLE, interval=0.02)
        while True:
            worker = killed[-1]
            if stack.buffer == "redis":
                # Kill it while it holds a claim: between claims there is nothing to reclaim.
                wait_for(lambda: held() >= 1, timeout=30, interval=0.001)
            worker.kill(signal.SIGKILL)  # the main process and its child, no warm shutdown
            worker.popen.wait(timeout=10)
            if stack.buffer != "redis" or held() >= 1 or len(killed) == MAX_KILLS:
                break
            # The claim was finished just before the kill landed: again, with a fresh worker.
            killed.append(stack.worker(env, concurrency=1, name=f"worker1-{len(killed)}"))
            before = stored_count(test_db)
            assert wait_for(lambda b=before: stored_count(test_db) > b, timeout=SETTLE)
        at_kill = stored_count(test_db)
        claims = held() if stack.buffer == "redis" else None
        poster.more(10)
    events = poster.events
    assert poster.statuses == [204] * len(poster.statuses)
    print(
        f"SIGKILL at {at_kill}/{len(events)} stored, after {len(killed)} kill(s); "
        f"claims held by the dead worker: {claims}"
    )
    assert at_kill < len(events)
    if stack.buffer == "redis":
        assert claims >= 1, f"none of {len(killed)} kills landed while a claim was held"

    second = stack.worker(env, concurrency=1, name="worker2")
    n_batches = len(poster.statuses)
    assert wait_for(
        lambda: (
            settled(stack, broker, [*killed, second], n_batches)
            and stored_count(test_db) >= len(events)
        ),
        timeout=SETTLE,
        interval=0.2,
    ), f"stored {stored_count(test_db)} of {len(events)}"
    if stack.buffer == "redis":
        assert waiting(stack, broker) == 0
        assert RECLAIMED in second.log_text()
    assert stored_counts(test_db) == (len(events), len(events))
    assert stored_ids(test_db) == {e["event_id"] for e in events}
