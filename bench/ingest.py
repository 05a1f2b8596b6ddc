"""Ingestion as deployed: HTTP (gunicorn) → broker (Redis) → Celery → PostgreSQL.

Runs whatever the app currently does: it starts gunicorn, a Celery worker and, when the
project's settings schedule periodic tasks, celery beat, all configured through environment
variables as in README "Production" (extra variables in the environment are passed on).
"""

import json
import os
import sys
import time
import uuid

from bench import loadgen
from bench.common import CpuUse, Processes, cpu_probe, gunicorn, median
from bench.data import ORIGIN, origins_allow

EVENTS_PER_BEACON = 20
HOST = "127.0.0.1"


def _demo_tag() -> tuple[int, int]:
    from tagmanager.models import Container

    config = Container.objects.get(key="demo").live_version.config
    tag = next(t for t in config["tags"] if t["triggers"])
    return tag["id"], tag["triggers"][0]


def beacon(token: str, client: int, n: int, tag: tuple[int, int]) -> tuple[bytes, list[str]]:
    """One collect request with 20 events whose ids are unique to (run, client, request)."""
    ids = [f"{token}-{client}-{n}-{j}" for j in range(EVENTS_PER_BEACON)]
    consent = str(uuid.uuid4())
    now = int(time.time() * 1000)
    events = [
        {
            "event_id": event_id,
            "tag": tag[0],
            "trigger": tag[1],
            "event": "page_view",
            "url": "https://shop.example/products/42",
            "consent_id": consent,
            "categories": ["analytics", "marketing", "necessary", "preferences"],
            "value": 149.0,
            "currency": "USD",
            "ts": now,
            "utm": {"utm_source": "newsletter", "utm_campaign": "bench"},
        }
        for event_id in ids
    ]
    body = json.dumps({"key": "demo", "events": events}).encode()
    return loadgen.post("/tm/collect", HOST, body, {"Origin": ORIGIN}), ids


def _count(sql: str, params) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _stored(token: str) -> int:
    return _count(
        "SELECT count(*) FROM tagmanager_fireevent WHERE event_id LIKE %s", [f"{token}-%"]
    )


def _start_stack(ctx, processes: Processes, *, workers: bool) -> str:
    from django.conf import settings

    env = ctx.env()
    base = gunicorn(
        processes,
        "ingest-web",
        app="bench.wsgi:application",
        workers=ctx.options.web_workers,
        env=env,
        ready_path="/tm/demo.js",
    )
    if not workers:
        return base
    celery = [sys.executable, "-m", "celery", "-A", "project"]
    processes.start(
        "ingest-worker",
        [
            *celery,
            "worker",
            "-l",
            "warning",
            "-c",
            str(ctx.options.celery_concurrency),
            "-n",
            f"bench-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
    )
    if getattr(settings, "CELERY_BEAT_SCHEDULE", None):
        processes.start(
            "ingest-beat",
            [*celery, "beat", "-l", "warning", "-s", f"{ctx.var_dir}/beat-schedule"],
            env=env,
        )
    check = [sys.executable, "manage.py", "tagmanager_worker_check", "--timeout", "60"]
    import subprocess

    from bench.common import ROOT

    if subprocess.run(check, cwd=ROOT, env=env, capture_output=True).returncode:
        sys.exit("the Celery worker did not answer; see its log in " + ctx.var_dir)
    return base


def _round(port: int, seconds: int, clients: int, tag) -> dict:
    token = "b" + uuid.uuid4().hex[:10]
    outcome = loadgen.closed_loop(
        HOST, port, lambda c, n: beacon(token, c, n, tag), clients=clients, seconds=seconds
    )
    acked = sum(len(ids) for ids, status in outcome.results if status == 204)
    failed = [i for ids, status in outcome.results if status != 204 for i in ids]
    stored_when_load_stopped = _stored(token)
    # Wait until every acknowledged event is stored, or nothing moves for 60 s.
    last_change, last = time.monotonic(), -1
    while True:
        stored = _stored(token)
        if stored != last:
            last_change, last = time.monotonic(), stored
        if stored >= acked + _failed_stored(failed) or time.monotonic() - last_change > 60:
            break
        time.sleep(0.25)
    done = time.monotonic() if stored >= acked else last_change
    from_failed = _failed_stored(failed)
    dead = _count("SELECT count(*) FROM tagmanager_deadletter", [])
    return {
        "sent": sum(len(ids) for ids, _ in outcome.results),
        "acked": acked,
        "statuses": dict(outcome.statuses),
        "stored": stored,
        "lost": acked - (stored - from_failed),
        "accept_rate": acked / outcome.seconds,
        "e2e_rate": acked / (done - outcome.started),
        "drain": done - outcome.finished,
        # With the web tier idle, the workers alone: how fast the backlog went into the database.
        "drain_rate": (stored - stored_when_load_stopped) / max(done - outcome.finished, 1e-9),
        "dead_letters": dead,
        "load_seconds": outcome.seconds,
    }


def _drain_rate(result: dict) -> str:
    # Only meaningful when there was a backlog to store after the load stopped.
    return f"{result['drain_rate']:,.0f}" if result["drain"] >= 2 else "(no backlog)"


def _failed_stored(ids: list) -> int:
    if not ids:
        return 0
    return _count("SELECT count(*) FROM tagmanager_fireevent WHERE event_id = ANY(%s)", [ids])


def ingest_e2e(ctx) -> None:
    from django.conf import settings

    origins_allow()
    ctx.redis_flush()
    tag = _demo_tag()
    seconds, clients = ctx.options.ingest_seconds, 8
    rounds = max(2, ctx.rounds - 1)
    results = []
    with Processes(ctx.var_dir) as processes:
        base = _start_stack(ctx, processes, workers=True)
        port = int(base.rsplit(":", 1)[1])
        for _ in range(rounds):
            results.append(_round(port, seconds, clients, tag))
        worker_log = processes.log_text("ingest-worker")
    beat = "and celery beat " if getattr(settings, "CELERY_BEAT_SCHEDULE", None) else ""
    print(
        f"gunicorn {ctx.options.web_workers} sync workers, one Celery worker "
        f"(prefork, -c {ctx.options.celery_concurrency}) {beat}on the same 2 cores; Redis "
        f"broker, PostgreSQL. {clients} concurrent clients (closed loop, bench/loadgen.py) send "
        f"beacons of {EVENTS_PER_BEACON} events with unique ids for {seconds} s, then the run "
        "waits until every acknowledged event is in PostgreSQL (counted by id). "
        f"{rounds} rounds.\n"
    )
    print(
        "| round | events acknowledged (204) | stored | lost | accepted by HTTP, events/s "
        "| backlog stored after load stopped | stored/s while web idle "
        "| **end to end, events/s** |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    for index, r in enumerate(results, 1):
        print(
            f"| {index} | {r['acked']:,} | {r['stored']:,} | {r['lost']:,} "
            f"| {r['accept_rate']:,.0f} | in {r['drain']:.1f} s | {_drain_rate(r)} "
            f"| {r['e2e_rate']:,.0f} |"
        )
    print(
        f"| median | | | | {median([r['accept_rate'] for r in results]):,.0f} "
        f"| in {median([r['drain'] for r in results]):.1f} s "
        f"| {_drain_rate({k: median([r[k] for r in results]) for k in ('drain', 'drain_rate')})} "
        f"| **{median([r['e2e_rate'] for r in results]):,.0f}** |"
    )
    for r in results:
        if set(r["statuses"]) != {204} or r["dead_letters"] or r["lost"]:
            print(
                f"\nNOTE: answers {r['statuses']}, dead letters {r['dead_letters']}, "
                f"lost {r['lost']}."
            )
    errors = sum("Traceback" in line or " ERROR" in line for line in worker_log.splitlines())
    if errors:
        print(f"\nWorker log: {errors} error lines.")


_LATENCY_ENDPOINTS = (
    ("collect", "`POST /tm/collect`"),
    ("floor", "bare WSGI POST (floor)"),
    ("trivial", "trivial Django view (GET)"),
)


def _by_endpoint(rates, results):
    """(rate, label, the rounds' outcomes) in the order of the tables."""
    for rate in rates:
        for name, label in _LATENCY_ENDPOINTS:
            yield rate, label, results[name, rate]


def collect_latency(ctx) -> None:
    """Open-loop fixed rates; web tier only (no worker: the accept path is measured alone)."""
    origins_allow()
    ctx.redis_flush()
    tag = _demo_tag()
    rates = [int(r) for r in ctx.options.rates.split(",")]
    seconds = max(ctx.seconds, 10)
    rounds = max(2, ctx.rounds - 1)
    results = {}
    with Processes(ctx.var_dir) as processes:
        base = _start_stack(ctx, processes, workers=False)
        port = int(base.rsplit(":", 1)[1])
        web = next(p for p in processes.started if p.bench_name == "ingest-web")
        use = CpuUse({"web": web.pid, **_redis_trees(ctx.broker_url)})
        token = "l" + uuid.uuid4().hex[:10]
        warm = [beacon(token, 0, n, tag)[0] for n in range(200)]
        loadgen.open_loop(HOST, port, warm, rate=100)
        for _ in range(rounds):
            for rate in rates:
                count = rate * seconds
                collect = [beacon(token, rate, n, tag)[0] for n in range(count)]
                # The floor: a beacon of the same size to a bare WSGI callable, same server.
                floor = [collect[0].replace(b"/tm/collect", b"/bench/null", 1)] * count
                trivial = [loadgen.get("/bench/pixel.gif", HOST)] * count
                requests_of = {"collect": collect, "floor": floor, "trivial": trivial}
                for name, _ in _LATENCY_ENDPOINTS:
                    requests = requests_of[name]
                    before = cpu_probe()
                    use.start()
                    outcome = loadgen.open_loop(HOST, port, requests, rate=rate)
                    outcome.use = use.stop()
                    outcome.probes = [before, cpu_probe()]
                    results.setdefault((name, rate), []).append(outcome)
                    ctx.redis_flush()  # nobody drains the queued batches
                token = "l" + uuid.uuid4().hex[:10]
    loop = "uvloop" if loadgen.LOOP == "uvloop" else "asyncio's own event loop"
    print(
        f"gunicorn {ctx.options.web_workers} sync workers, Redis broker, no worker running (the "
        "accept path alone; queued batches are dropped). Open-loop load generator "
        f"(bench/loadgen.py, Python on {loop}, one connection per request as with sync "
        "workers) on the same cores: requests start on a fixed schedule and latency counts from "
        f"when each was due, so queueing shows. Beacons of {EVENTS_PER_BEACON} events; "
        f"{seconds} s per measurement, {rounds} alternating rounds, medians of the per-round "
        "percentiles and counts (max: the worst of all rounds); generator CPU is its share of "
        "one core. Floors at the same rate, same server: a beacon of the same size to a bare "
        "WSGI callable that reads the body and answers 204 (server plus generator, no app), and "
        "a trivial Django view answering a GIF to a GET (Django's request cycle).\n"
    )
    print(
        "| rate (requests/s) | endpoint | p50 | p90 | p99 | max | achieved/s "
        "| failed (no answer or not 2xx) | not sent (4,000 outstanding) "
        "| generator CPU |\n"
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    for rate, label, runs in _by_endpoint(rates, results):

        def pct(p, runs=runs):
            return median([loadgen.percentile(o.latencies, p) for o in runs]) * 1000

        achieved = median([len(o.latencies) / o.seconds for o in runs])
        bad = median([sum(n for s, n in o.statuses.items() if not 200 <= s < 300) for o in runs])
        unsent = median([o.not_started for o in runs])
        # of one core, while it was sending and waiting for the answers
        cpu = median([o.cpu / (o.ended - o.started) for o in runs])
        worst = max(max(o.latencies) for o in runs) * 1000
        print(
            f"| {rate:,} | {label} | {pct(50):.1f} ms | {pct(90):.1f} ms | {pct(99):.1f} ms "
            f"| {worst:,.0f} ms | {achieved:,.0f} | {bad:,.0f} | {unsent:,.0f} "
            f"| {cpu:.0%} |"
        )
    cores = os.cpu_count() or 1
    print(
        "\nWhere the CPU goes (`CpuUse`, from /proc): CPU time per request answered, of the "
        "gunicorn master and workers, of Redis (n/a when it is not a process of this machine) "
        "and of the load generator, and of the whole machine (every core's non-idle time, read "
        "separately: the parts may add up to some per cent more or less); and how busy all "
        f"{cores} cores were while the round ran. Medians over rounds. CPU time per request "
        "grows when the machine runs slow (see `cpu_probe` below).\n"
    )
    print(
        "| rate (requests/s) | endpoint | gunicorn | Redis | load generator | whole machine "
        "| machine busy |\n|---:|---|---:|---:|---:|---:|---:|"
    )
    for rate, label, runs in _by_endpoint(rates, results):

        def per_request(key, runs=runs):
            if key not in runs[0].use:
                return "n/a"
            return f"{median([o.use[key] / _answered(o) for o in runs]) * 1e6:,.0f} µs"

        generator = median([o.cpu / _answered(o) for o in runs]) * 1e6
        busy = median([o.use["machine"] / (o.use["wall"] * cores) for o in runs])
        print(
            f"| {rate:,} | {label} | {per_request('web')} | {per_request('redis')} "
            f"| {generator:,.0f} µs | {per_request('machine')} | {busy:.0%} |"
        )
    print(
        "\np99 per round; in brackets the machine's speed before and after it (`cpu_probe`: "
        "ms of CPU for a fixed loop, lower is faster; about 40 ms on an idle, fast machine "
        "here) and the whole machine's CPU per request answered in the round:"
    )
    for rate in rates:
        for name, _ in _LATENCY_ENDPOINTS:
            rounds = [
                f"{loadgen.percentile(o.latencies, 99) * 1000:.1f} ms "
                f"[{o.probes[0]:.0f}, {o.probes[1]:.0f}; "
                f"{o.use['machine'] / _answered(o) * 1e6:,.0f} µs]"
                for o in results[name, rate]
            ]
            print(f"- {rate:,}/s {name}: {', '.join(rounds)}")


def _answered(outcome) -> int:
    return max(1, sum(n for status, n in outcome.statuses.items() if status))


def _redis_trees(url: str) -> dict:
    """{"redis": its pid} when the broker's Redis is a process of this machine, else {}."""
    import redis

    pid = int(redis.Redis.from_url(url).info("server")["process_id"])
    try:
        with open(f"/proc/{pid}/comm") as handle:
            return {"redis": pid} if handle.read().startswith("redis") else {}
    except OSError:
        return {}


def collect_cost(ctx) -> None:
    """CPU per ``POST /tm/collect`` in one process, through the project's WSGI app (no server,
    no network but Redis), and Redis's own time per push from its command statistics. CPU time,
    not latency: it holds still on a busy machine where latencies do not."""
    import io

    import redis

    from bench.wsgi import application

    origins_allow()
    ctx.redis_flush()
    tag = _demo_tag()
    token = "c" + uuid.uuid4().hex[:10]
    count, rounds = 2000, max(3, ctx.rounds)
    bodies = [beacon(token, 0, n, tag)[0].split(b"\r\n\r\n", 1)[1] for n in range(count)]
    statuses = []

    def call(body):
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/tm/collect",
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "text/plain;charset=UTF-8",
            "HTTP_ORIGIN": ORIGIN,
            "wsgi.input": io.BytesIO(body),
            "SERVER_NAME": HOST,
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
        }
        b"".join(application(environ, lambda status, headers: statuses.append(status)))

    broker = redis.Redis.from_url(ctx.broker_url)
    for body in bodies[:200]:  # warm: metadata cache, Redis connection
        call(body)
    cpu, wall, redis_us = [], [], []
    for _ in range(rounds):
        ctx.redis_flush()
        broker.config_resetstat()
        statuses.clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        for body in bodies:
            call(body)
        cpu.append((time.process_time() - started_cpu) / count * 1e6)
        wall.append((time.perf_counter() - started) / count * 1e6)
        stats = broker.info("commandstats")
        redis_us.append(sum(v["usec"] for v in stats.values()) / count)
        if set(statuses) != {"204 No Content"}:
            sys.exit(f"collect answered {set(statuses)}")
    ctx.redis_flush()
    print(
        f"{count} beacons of {EVENTS_PER_BEACON} events ({len(bodies[0]):,} B) through "
        f"bench.wsgi:application in one process, Redis buffer; {rounds} rounds, medians. "
        "Redis: the server's own time for every command in the round (its commandstats), per "
        "beacon.\n"
    )
    print("| per beacon | CPU (this process) | wall | Redis server |\n|---|---:|---:|---:|")
    print(
        f"| `POST /tm/collect` | {median(cpu):.0f} µs | "
        f"{median(wall):.0f} µs | {median(redis_us):.1f} µs |"
    )
    print(f"\nRounds, CPU: {', '.join(f'{v:.0f} µs' for v in cpu)}")
