import os
import socket
import subprocess
import sys
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
