import os
import socket
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from datetime import timezone as dt_timezone
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent


def require_services() -> bool:
    """In CI's service run a missing service fails the test instead of skipping it."""
    return os.environ.get("TAGMANAGER_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str):
    if require_services():
        pytest.fail(reason)
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL naming the (test) database Django is connected to."""
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture(scope="session")
def broker_url():
    url = os.environ.get("CELERY_BROKER_URL")
    if not url:
        skip_or_fail("CELERY_BROKER_URL is not set: no broker to run a real worker against")
    parts = urlsplit(url)
    if not port_open(parts.hostname or "127.0.0.1", parts.port or 6379):
        skip_or_fail(f"broker at {url} is not reachable")
    return url


@pytest.fixture(autouse=True)
def tasks_in_process_unless_services(request, settings):
    """Tests not marked ``services`` run tasks in-process and store beacons in the request
    even when a broker is configured; the ``services`` ones go through the real broker to a
    real worker, with the buffer the environment configures."""
    if request.node.get_closest_marker("services") is None:
        settings.CELERY_TASK_ALWAYS_EAGER = True
        settings.TAGMANAGER = {
            **settings.TAGMANAGER,
            "INGEST_BUFFER": "tagmanager.ingest.direct.DirectBuffer",
        }


@pytest.fixture(autouse=True)
def _backends_not_written_off():
    """A test that made the cache or the ingestion buffer fail must not make the next test
    skip them (each is left alone for a few seconds after a failure)."""
    from tagmanager import cache
    from tagmanager.services.ingestion import buffer_breaker

    cache.reset()
    buffer_breaker.reset()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with fresh rate-limit counters (not the previous tests' requests)."""
    from tagmanager import ratelimit

    ratelimit.reset()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, broker_url, tmp_path_factory):
    """A real ``celery worker`` process using the test database and the real broker.

    It consumes a queue of its own, so messages left by other runs never reach this one.
    """
    from django.db import connection

    from project.celery import app

    queue = f"tm-test-{os.getpid()}-{int(time.time())}"
    app.conf.task_default_queue = queue
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": broker_url,
        "PYTHONUNBUFFERED": "1",
    }
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "project",
                "worker",
                "--pool=solo",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
                f"--queues={queue}",
                f"--hostname=tm-test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.returncode not in (0, -15):
        print(log.read_text())


def wait_for(predicate, *, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


# A test computes with this date while the code it calls reads the clock again: near the end of
# a UTC day the two could differ, so wait for the new day first (at most this long).
MIDNIGHT_MARGIN = timedelta(seconds=60)


@pytest.fixture
def today() -> date:
    """Today's UTC date, taken when the test starts and valid for the rest of it."""
    from django.utils import timezone

    now = timezone.now()
    midnight = datetime.combine(now.date() + timedelta(days=1), dt_time.min, tzinfo=dt_timezone.utc)
    if midnight - now < MIDNIGHT_MARGIN:
        time.sleep((midnight - now).total_seconds() + 0.05)
    return timezone.now().date()


class LiveServerGate:
    """Stops the live server's writers before the database is flushed.

    The live server answers in threads of its own; a beacon the browser sent at the end of a
    test (pagehide) could still be writing while the next test's flush truncates the tables
    (PostgreSQL then reports a deadlock). Between tests the gate is shut: a request arriving
    then is answered 503 without touching the database, and the flush waits until every
    request that got in has been answered to the end (the server closed its response)."""

    def __init__(self):
        self.changed = threading.Condition()
        self.open = True
        self.inflight = 0

    def enter(self) -> bool:
        with self.changed:
            if self.open:
                self.inflight += 1
            return self.open

    def leave(self) -> None:
        with self.changed:
            self.inflight -= 1
            self.changed.notify_all()

    def shut_and_wait(self, timeout: float = 120.0) -> None:
        with self.changed:
            self.open = False
            if not self.changed.wait_for(lambda: self.inflight <= 0, timeout=timeout):
                pytest.fail(f"live server still busy with {self.inflight} request(s)")

    def reopen(self) -> None:
        with self.changed:
            self.open = True


class _Answered:
    """A WSGI response that tells the gate when the server has closed it."""

    def __init__(self, response, done):
        self.response, self.done = response, done

    def __iter__(self):
        return iter(self.response)

    def close(self):
        try:
            if hasattr(self.response, "close"):
                self.response.close()
        finally:
            self.done()


@pytest.fixture(scope="session")
def _live_server_gate():
    from django.core.handlers.wsgi import WSGIHandler

    gate = LiveServerGate()
    original = WSGIHandler.__call__

    def gated(handler, environ, start_response):
        if threading.current_thread() is threading.main_thread():
            # The test itself calling a WSGI application (tests/test_wsgi.py): not gated.
            return original(handler, environ, start_response)
        if not gate.enter():
            start_response("503 Service Unavailable", [("Content-Length", "0")])
            return [b""]
        try:
            response = original(handler, environ, start_response)
        except BaseException:
            gate.leave()
            raise
        return _Answered(response, gate.leave)

    # The live server's requests pass through WSGIHandler in threads of the server's (the
    # test client has a handler of its own).
    WSGIHandler.__call__ = gated
    yield gate
    WSGIHandler.__call__ = original


@pytest.fixture(autouse=True)
def _live_server_quiet_before_flush(request):
    """For tests with a live server: set up after the database fixture, so torn down before
    its flush; shuts the gate and waits for the live server's requests to finish."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    gate = request.getfixturevalue("_live_server_gate")
    gate.reopen()
    yield
    gate.shut_and_wait()
