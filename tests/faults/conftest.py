"""Fault injection: the real web app (gunicorn) and real Celery workers as subprocesses, against
brokers and databases that die, hang or restart under them.

Everything a test starts (processes, throwaway Redis / PostgreSQL, a hung fake broker) is
registered with the ``stack`` fixture and torn down by it, whatever the outcome of the test.
Every process is started in a session (process group) of its own, so its children go with it.
"""

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import ROOT, port_open, skip_or_fail, wait_for

ORIGIN = "http://localhost:8000"
BATCH = 20
# Generous: 2 cores shared by the web app, the worker(s), the databases and the test itself.
SETTLE = 120.0

_SUCCEEDED = re.compile(r"tagmanager\.fire_events_ingest\[([0-9a-f-]+)\] succeeded")


@pytest.fixture(autouse=True)
def _fault_prerequisites(request):
    """Only in the service run (CELERY_BROKER_URL set), and only against PostgreSQL."""
    from django.conf import settings

    request.getfixturevalue("broker_url")  # skips (or fails) without a reachable broker
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        skip_or_fail("fault-injection tests need DATABASE_URL to be a PostgreSQL database")


# --- small helpers --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_events(n: int) -> list[dict]:
    now = int(time.time() * 1000)
    return [
        {
            "event_id": uuid.uuid4().hex,
            "event": "page_view",
            "url": "https://shop.example/",
            "ts": now,
        }
        for _ in range(n)
    ]


def batches(events: list[dict], size: int = BATCH) -> list[list[dict]]:
    return [events[i : i + size] for i in range(0, len(events), size)]


def post_batch(port: int, events: list[dict], *, timeout: float = 30.0) -> tuple[int, float]:
    """POST one batch the way the loader does; (HTTP status or 0 on a client error, seconds)."""
    body = json.dumps({"key": "demo", "events": events}).encode()
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(
            "POST",
            "/tm/collect",
            body=body,
            headers={"Content-Type": "text/plain", "Origin": ORIGIN},
        )
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        conn.close()
    return status, time.monotonic() - start


def _connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=3)


def stored_counts(url: str) -> tuple[int, int] | None:
    """(rows, distinct event ids) in ``tagmanager_fireevent``; None while the database is down."""
    import psycopg

    try:
        with _connect(url) as conn:
            row = conn.execute(
                "SELECT count(*), count(DISTINCT event_id) FROM tagmanager_fireevent"
            ).fetchone()
            return int(row[0]), int(row[1])
    except psycopg.OperationalError:
        return None


def stored_count(url: str) -> int:
    counts = stored_counts(url)
    return counts[0] if counts else -1


def stored_ids(url: str) -> set[str]:
    with _connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT event_id FROM tagmanager_fireevent")}


def dead_letters(url: str) -> int:
    with _connect(url) as conn:
        return conn.execute("SELECT count(*) FROM tagmanager_deadletter").fetchone()[0]


def wait_stored(url: str, expected: int, *, timeout: float = SETTLE) -> int:
    wait_for(lambda: stored_count(url) >= expected, timeout=timeout, interval=0.2)
    return stored_count(url)


def waiting(stack: "Stack", redis_url: str) -> int:
    """Beacons the Redis buffer still holds (waiting, or claimed by a drainer); -1 if Redis
    cannot be asked."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        claims = client.zrange(f"{stack.queue}:leases", 0, -1)
        return client.llen(f"{stack.queue}:buffer") + sum(client.llen(c) for c in claims)
    except redis.RedisError:
        return -1
    finally:
        client.close()


def settled(stack: "Stack", redis_url: str, workers: list, beacons: int) -> bool:
    """Everything accepted has gone through: every task succeeded (Celery buffer), or the
    Redis buffer is empty with no claim left (Redis buffer)."""
    if stack.buffer == "celery":
        return len(succeeded_task_ids(*(w.log for w in workers))) >= beacons
    return waiting(stack, redis_url) == 0


def duplicates_counted(url: str) -> int:
    with _connect(url) as conn:
        row = conn.execute("SELECT coalesce(sum(duplicates), 0) FROM tagmanager_fireduplicatedaily")
        return int(row.fetchone()[0])


def succeeded_task_ids(*logs: Path) -> set[str]:
    """Ids of the ingest tasks the worker(s) reported as succeeded (from their INFO logs)."""
    ids = set()
    for log in logs:
        with contextlib.suppress(FileNotFoundError):
            ids.update(_SUCCEEDED.findall(log.read_text(errors="replace")))
    return ids


def children(pid: int) -> list[int]:
    """Live direct children of a process, from /proc (no psutil needed); zombies left out."""
    pids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            pids += [int(p) for p in (task / "children").read_text().split()]
    live = []
    for child in pids:
        with contextlib.suppress(OSError):
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state not in ("Z", "X"):
                live.append(child)
    return live


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


# --- the things a test starts ---------------------------------------------------------------


class Proc:
    def __init__(self, name: str, popen: subprocess.Popen, log: Path):
        self.name, self.popen, self.log = name, popen, log

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self, sig=signal.SIGKILL) -> None:
        """Signal the whole process group (the process and every child it forked)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, grace: float = 10.0) -> None:
        if self.alive():
            self.kill(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=grace)
        # Whatever is left in the group (a wedged child, a forked grandchild) goes too.
        self.kill(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)


class Redis:
    def __init__(self, proc: Proc, port: int):
        self.proc, self.port = proc, port
        self.url = f"redis://127.0.0.1:{port}/0"

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)


class HungBroker:
    """Accepts connections and reads whatever is sent, never answers: a wedged broker."""

    def __init__(self):
        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.settimeout(None)
                with contextlib.suppress(OSError):
                    while self.request.recv(65536):
                        pass

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Postgres:
    """A throwaway PostgreSQL cluster in a temp dir, owned by the ``postgres`` OS user."""

    def __init__(self, bindir: Path, root: Path, port: int, as_postgres: list[str]):
        self.bindir, self.root, self.port, self.as_postgres = bindir, root, port, as_postgres
        self.data = root / "data"
        self.log = root / "postgres.log"
        self.url = f"postgres://postgres@127.0.0.1:{port}/postgres"

    def _pg_ctl(self, *args: str, timeout: float = 90.0) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.as_postgres, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def init(self) -> None:
        subprocess.run(
            [
                *self.as_postgres,
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            capture_output=True,
            check=True,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        result = self._pg_ctl("-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        assert result.returncode == 0, result.stdout + result.stderr + _tail(self.log)

    def stop(self, mode: str = "fast") -> None:
        result = self._pg_ctl("-m", mode, "-w", "-t", "60", "stop")
        assert result.returncode == 0, result.stdout + result.stderr + _tail(self.log)

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("-m", "immediate", "-w", "-t", "30", "stop")
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():  # pg_ctl could not stop it: make sure it is gone
            with contextlib.suppress(ValueError, OSError):
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


def _postgres_bindir() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.insert(0, Path(out.stdout.strip()))
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    return None


def _gunicorn_has(setting: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(s.name == setting for s in KNOWN_SETTINGS)


def _die_with_parent() -> None:
    """In the child before exec: be killed if the test process dies without tearing down."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Stack:
    """Starts processes and services for one test and tears all of them down afterwards."""

    def __init__(self, tmp_path: Path, queue: str, buffer: str):
        self.tmp = tmp_path
        self.queue = queue
        self.buffer = buffer
        self._cleanups = []
        self.procs: list[Proc] = []
        self._n = 0

    def _spawn(self, name: str, argv: list[str], env: dict | None = None) -> Proc:
        self._n += 1
        log = self.tmp / f"{self._n:02d}-{name}.log"
        with open(log, "wb") as out:
            popen = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: killpg takes the children along
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        self._cleanups.append(proc.stop)
        return proc

    # services

    def redis(self) -> Redis:
        binary = shutil.which("redis-server")
        if not binary:
            skip_or_fail("redis-server is not installed: cannot start a throwaway Redis")
        port = free_port()
        argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        argv += ["--appendonly", "no", "--daemonize", "no"]
        proc = self._spawn("redis", argv)
        assert wait_for(lambda: port_open("127.0.0.1", port), timeout=20), _tail(proc.log)
        return Redis(proc, port)

    def hung_broker(self) -> HungBroker:
        broker = HungBroker()
        self._cleanups.append(broker.close)
        return broker

    def postgres(self) -> Postgres:
        bindir = _postgres_bindir()
        if bindir is None:
            skip_or_fail("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        root = Path(tempfile.mkdtemp(prefix="tm-faults-pg-"))
        as_postgres = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            import pwd

            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(root, ignore_errors=True)
                skip_or_fail("running as root and there is no 'postgres' OS user for initdb")
            os.chown(root, user.pw_uid, user.pw_gid)
            as_postgres = ["runuser", "-u", "postgres", "--"]
        pg = Postgres(bindir, root, free_port(), as_postgres)
        self._cleanups.append(pg.destroy)
        pg.init()
        pg.start()
        return pg

    # the application

    def env(self, *, database_url: str, broker_url: str, **extra: str) -> dict:
        env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
        env.update(
            DJANGO_SETTINGS_MODULE="project.settings",
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=broker_url,
            CELERY_TASK_DEFAULT_QUEUE=self.queue,
            TAGMANAGER_INGEST_BUFFER=self.buffer,
            # The Redis buffer's keys are private to the test, like its Celery queue.
            TAGMANAGER_INGEST_REDIS_KEY=self.queue,
            TAGMANAGER_DRAIN_EVERY="1",
            # Posters here are one client sending as fast as they can; not what is tested.
            TAGMANAGER_RATE_LIMIT_COLLECT_CLIENT="off",
            SECRET_KEY="tm-faults-not-secret",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def manage(self, *args: str, env: dict) -> None:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    def web(self, env: dict) -> "Web":
        port = free_port()
        argv = [sys.executable, "-m", "gunicorn", "project.wsgi:application"]
        argv += ["-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}"]
        argv += ["--graceful-timeout", "5", "--timeout", "120"]
        if _gunicorn_has("control_socket_disable"):  # gunicorn >= 25: no shared ~/.gunicorn
            argv.append("--no-control-socket")
        proc = self._spawn("web", argv, env)
        web = Web(proc, port)

        def answering():
            if not proc.alive():
                raise AssertionError("web app exited:\n" + _tail(proc.log))
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", "/tm/collect")  # 405: the app is loaded, nothing touched
                return conn.getresponse().status == 405
            except OSError:
                return False
            finally:
                conn.close()

        assert wait_for(answering, timeout=60, interval=0.2), _tail(proc.log)
        return web

    def worker(self, env: dict, *, concurrency: int = 1, name: str = "worker") -> Proc:
        argv = [sys.executable, "-m", "celery", "-A", "project", "worker"]
        argv += ["--pool=prefork", f"--concurrency={concurrency}", "--loglevel=INFO"]
        argv += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
        argv += [f"--queues={self.queue}", f"--hostname={self.queue}-{uuid.uuid4().hex[:6]}@%h"]
        # Embedded beat: the periodic drain that picks up what a dead drainer left behind.
        argv += ["--beat", f"--schedule={self.tmp / f'beat-{uuid.uuid4().hex[:6]}'}"]
        proc = self._spawn(name, argv, env)
        ready = wait_for(
            lambda: not proc.alive() or " ready." in proc.log_text(), timeout=90, interval=0.2
        )
        assert ready and proc.alive(), "worker did not start:\n" + _tail(proc.log)
        return proc

    def close(self, failed: bool) -> None:
        if failed:
            for proc in self.procs:
                print(f"----- {proc.name} ({proc.log.name}) -----\n{_tail(proc.log)}")
        while self._cleanups:
            cleanup = self._cleanups.pop()
            try:
                cleanup()
            except Exception as exc:  # keep tearing down the rest
                print(f"teardown: {cleanup!r} failed: {exc!r}")


class Web:
    def __init__(self, proc: Proc, port: int):
        self.proc, self.port = proc, port

    def post(self, events: list[dict], **kwargs) -> tuple[int, float]:
        return post_batch(self.port, events, **kwargs)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def queue() -> str:
    """A Celery queue private to one test (web and worker get it via CELERY_TASK_DEFAULT_QUEUE)."""
    return f"tm-faults-{os.getpid()}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=["redis", "celery"])
def buffer(request) -> str:
    """Each fault test runs with both ingestion buffers: the Redis list drained in bulk, and
    one Celery task per beacon."""
    return request.param


@pytest.fixture
def stack(request, tmp_path, queue, buffer):
    """Request it after ``test_db`` / ``shared_redis`` so that it is torn down before them."""
    stack = Stack(tmp_path, queue, buffer)
    yield stack
    report = getattr(request.node, "rep_call", None)
    stack.close(failed=report is None or report.failed)


@pytest.fixture
def shared_redis(broker_url, queue):
    """The CI broker, with a queue private to this test; its keys are removed afterwards."""
    import redis

    client = redis.Redis.from_url(broker_url, socket_timeout=5)
    yield broker_url
    with contextlib.suppress(redis.RedisError):
        keys = list(client.scan_iter(match=f"*{queue}*", count=1000))
        if keys:
            client.delete(*keys)
    client.close()


@pytest.fixture
def test_db(transactional_db):
    """The shared PostgreSQL test database, committed (the subprocesses see it), with the demo
    container; returns its URL."""
    from django.core.cache import cache
    from django.db import connection

    from tagmanager.services.demo import demo_container_ensure
    from tests.conftest import database_url

    cache.clear()
    demo_container_ensure()
    return database_url(connection.settings_dict)
