"""PostgreSQL restarts during ingestion: batches wait in the broker, the task retries, and every
accepted event is stored exactly once when the database is back."""

import threading
import time

import pytest

from tests.conftest import wait_for
from tests.faults.conftest import (
    SETTLE,
    new_events,
    settled,
    stored_counts,
    stored_ids,
)

pytestmark = pytest.mark.services


def noticed(log: str) -> bool:
    """The worker saw the database go: a task scheduled for a retry (Celery buffer) or a drain
    that failed and gave its claim back (Redis buffer)."""
    return "] retry: " in log or ("fire_events_drain[" in log and "OperationalError" in log)


class Stream(threading.Thread):
    """Posts fresh batches of 20 until stopped; keeps every batch with its HTTP status."""

    def __init__(self, web):
        super().__init__(daemon=True)
        self.web, self.results, self.stop = web, [], threading.Event()

    def run(self):
        while not self.stop.is_set():
            batch = new_events(20)
            status, _ = self.web.post(batch)
            self.results.append((status, batch))
            self.stop.wait(0.02)  # a steady trickle rather than a flood

    def posted(self, status=None) -> int:
        return sum(1 for s, _ in self.results if status is None or s == status)


def test_postgres_restart_during_ingestion_loses_nothing(shared_redis, stack, record_property):
    pg = stack.postgres()
    env = stack.env(database_url=pg.url, broker_url=shared_redis)
    stack.manage("migrate", "--noinput", env=env)
    stack.manage(
        "shell",
        "-c",
        "from tagmanager.services.demo import demo_container_ensure; demo_container_ensure()",
        env=env,
    )
    web = stack.web(env)
    worker = stack.worker(env, concurrency=1)

    stream = Stream(web)
    stream.start()
    try:
        assert wait_for(lambda: (stored_counts(pg.url) or (0,))[0] >= 200, timeout=60)
        pg.stop(mode="fast")  # what a restart does: sessions are terminated, in-flight work too
        down_at, stopped = stream.posted(), time.monotonic()
        # Down for a few seconds, until the worker has seen it (a task failed and was scheduled
        # for a retry) and a good number of batches came in meanwhile.
        assert wait_for(
            lambda: (
                time.monotonic() - stopped >= 3
                and noticed(worker.log_text())
                and stream.posted() >= down_at + 40
            ),
            timeout=60,
            interval=0.1,
        ), "the worker never noticed the database was down"
        during, outage = stream.posted() - down_at, time.monotonic() - stopped
        pg.start()
        up_at = stream.posted()
        assert wait_for(lambda: stream.posted() >= up_at + 40, timeout=60)
    finally:
        stream.stop.set()
        stream.join(timeout=30)

    ok = [batch for status, batch in stream.results if status == 204]
    refused = [status for status, _ in stream.results if status != 204]
    record_property("status_503", refused.count(503))
    print(
        f"posted {len(stream.results)} batches ({during} while PostgreSQL was down "
        f"{outage:.1f} s): "
        f"{len(ok)} got 204, {refused.count(503)} got 503, {len(refused)} not 204 in all"
    )
    assert set(refused) <= {503}
    assert during >= 40

    # Every batch that got its 204 went to the buffer (none was stored synchronously).
    assert "Ingest buffer unavailable" not in web.proc.log_text()
    accepted = {event["event_id"] for batch in ok for event in batch}
    assert wait_for(
        lambda: (
            settled(stack, shared_redis, [worker], len(ok))
            and (stored_counts(pg.url) or (0,))[0] >= len(accepted)
        ),
        timeout=SETTLE,
        interval=0.5,
    ), f"{stored_counts(pg.url)} of {len(accepted)} stored"
    assert stored_counts(pg.url) == (len(accepted), len(accepted))
    assert stored_ids(pg.url) == accepted
