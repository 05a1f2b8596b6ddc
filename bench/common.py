"""Shared by the benchmarks: servers on free ports, wrk, medians, the machine description."""

import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def median(values) -> float:
    return statistics.median(values)


class Processes:
    """Subprocesses started by a benchmark; each is stopped (its own process group) on exit."""

    def __init__(self, log_dir: str):
        self.log_dir = Path(log_dir)
        self.started: list[subprocess.Popen] = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for process in reversed(self.started):
            self.stop(process)

    def start(self, name: str, args: list, *, env: dict, pass_fds=()) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115  (owned by the child)
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=pass_fds,
            start_new_session=True,  # a group of its own: stop() ends its children too
        )
        log.close()
        process.bench_name = name
        self.started.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass
        if process in self.started:
            self.started.remove(process)

    def log_text(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def gunicorn(
    processes: Processes, name: str, *, app: str, workers: int, env: dict, ready_path: str
) -> str:
    """Start gunicorn (sync workers) on a free port; return its base URL once it answers."""
    # Bind here and hand the socket over: no race for the port with other servers.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    port = sock.getsockname()[1]
    args = [sys.executable, "-m", "gunicorn", app, "-w", str(workers)]
    args += ["-b", f"fd://{sock.fileno()}", "--log-level", "warning", "--backlog", "2048"]
    process = processes.start(name, args, env=env, pass_fds=(sock.fileno(),))
    sock.close()
    base = f"http://127.0.0.1:{port}"
    wait_http(base + ready_path, process)
    return base


class CpuUse:
    """CPU time between two readings (Linux ``/proc``): of named process trees, and of the
    whole machine. Divided by the requests served in between, it shows where a request's CPU
    goes when the server, Redis and the load generator share the cores.

    A tree is a process with its children, live or reaped (a gunicorn master and its workers,
    including one that was replaced between the readings). The machine's figure is every core's
    non-idle time except steal (time the hypervisor gave elsewhere), read from ``/proc/stat``;
    the kernel counts it separately from the processes' own times, so the trees can add up to
    some per cent more or less than the machine."""

    TICK = os.sysconf("SC_CLK_TCK")  # /proc counts in clock ticks

    def __init__(self, trees: dict[str, int]):
        self.trees = trees
        self.before: dict[str, float] = {}

    @classmethod
    def tree_seconds(cls, pid: int) -> float:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0  # gone since it was listed: its parent's reaped-children time has it
        # utime + stime + cutime + cstime: its own and its reaped children's
        own = sum(int(value) for value in fields[11:15]) / cls.TICK
        return own + sum(cls.tree_seconds(child) for child in children(pid))

    @classmethod
    def machine_seconds(cls) -> float:
        with open("/proc/stat") as handle:
            user, nice, system, idle, iowait, irq, softirq = (
                int(x) for x in handle.readline().split()[1:8]
            )
        return (user + nice + system + irq + softirq) / cls.TICK  # guest time is within user

    def _read(self) -> dict[str, float]:
        reading = {name: self.tree_seconds(pid) for name, pid in self.trees.items()}
        reading["machine"] = self.machine_seconds()
        reading["wall"] = time.monotonic()
        return reading

    def start(self) -> None:
        self.before = self._read()

    def stop(self) -> dict[str, float]:
        """Seconds of CPU per tree and for the machine since ``start``, and the wall time."""
        after = self._read()
        return {name: after[name] - self.before[name] for name in after}


def children(pid: int) -> list[int]:
    """The live direct children of ``pid`` (gunicorn's workers, say)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except OSError:
                continue
    return found


def cpu_probe() -> float:
    """Milliseconds of CPU this process takes for a fixed amount of pure-Python work (about 40
    on an idle core here). The same machine varies by a factor of two from one minute to the
    next; printed beside latencies, it shows which rounds ran on a slow machine."""
    started = time.process_time()
    total = 0
    for i in range(1_000_000):
        total += i
    return (time.process_time() - started) * 1000


def wait_http(url: str, process: subprocess.Popen | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if process is not None and process.poll() is not None:
                sys.exit(f"server for {url} exited with {process.returncode}")
            if time.monotonic() > deadline:
                sys.exit(f"no answer from {url} within {timeout} s")
            time.sleep(0.2)


def wrk(url: str, seconds: int, connections: int, *, script: str | None = None) -> dict:
    """Run wrk; requests/s plus anything that makes the number meaningless (errors, non-2xx)."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        args += ["-s", script]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        # read errors are the server closing sync-worker connections; connect/timeout matter
        "errors": (int(errors.group(1)) + int(errors.group(4))) if errors else 0,
        "output": out,
    }


def check_wrk() -> None:
    if not subprocess.run(["sh", "-c", "command -v wrk"], capture_output=True).stdout:
        sys.exit("wrk is needed: apt-get install wrk")


def _first_line(args: list) -> str:
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=10).stdout
        return out.strip().splitlines()[0] if out.strip() else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine(*, database_url: str | None, redis_url: str | None) -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    ram = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            ram = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    os_name = platform.system()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    parts = [
        f"{cpu}, {os.cpu_count()} cores, {ram}",
        f"{os_name} ({platform.machine()}, Linux {platform.release()})",
        f"Python {platform.python_version()}",
    ]
    if database_url:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            parts.append(f"PostgreSQL {cursor.fetchone()[0].split()[0]}")
    if redis_url:
        import redis

        parts.append(f"Redis {redis.Redis.from_url(redis_url).info('server')['redis_version']}")
    parts.append(_first_line(["wrk", "--version"]).split(" [")[0])
    from bench import loadgen

    if loadgen.LOOP == "uvloop":
        import uvloop

        parts.append(f"load generator on uvloop {uvloop.__version__}")
    else:
        parts.append("load generator on asyncio's own event loop")
    return "; ".join(parts)
