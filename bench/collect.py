"""``POST /tm/collect`` against a trivial Django POST view in the same server and run.

The targets are ratios, since absolute latencies on two cores shared with the load generator
(and, here, with other work) say more about the machine than about the code:

- CPU per collect request (the gunicorn master and workers, from /proc) ≤ 1.3 × the view's;
- collect's p99 ≤ 2 × the view's p99, at the highest rate the view itself holds with a p99
  under 50 ms (found first by a sweep of the view alone).

The comparison at that rate interleaves short rounds (``--compare-seconds``, 2 s by default;
``--compare-rounds`` of each endpoint, 15 by default): collect, view, collect, view, ... The
machine's own speed drifts over tens of seconds (a fixed CPU loop took from 34 to 66 ms within
one run here), and near the rate the view can just hold that drift alone moves a p99 tenfold;
short interleaved rounds give both endpoints the same share of slow moments. The ratios are of
the pooled figures: the p99 of every collect request against the p99 of every view request,
and CPU summed over the rounds over requests answered; the median of the rounds' ratios is
printed beside them.

The view (``/bench/echo`` in bench/wsgi.py) goes through Django's whole request cycle with the
project's middleware, reads the body and answers 204. Both get beacons built alike, request
for request of the same size (the view's path is as long as collect's). The Redis buffer is
drained by a Celery worker. With ``--worker-in-rounds paused`` (the default) the worker and beat
are stopped (SIGSTOP) during collect's rounds, so that both endpoints have the server to
themselves, as with storage on other machines; with ``running`` they store meanwhile, on the
same cores. After each collect round the run waits until the buffer is empty, so that the
worker's backlog does not run into the next round.
"""

import contextlib
import os
import signal
import time
import uuid

from bench import loadgen
from bench.common import CpuUse, Processes, cpu_probe, median
from bench.ingest import EVENTS_PER_BEACON, HOST, _answered, _demo_tag, _redis_trees, _start_stack
from bench.ingest import beacon as make_beacon

P99_LIMIT = 0.050  # the view must hold the rate with a p99 under this (seconds)
P99_RATIO = 2.0  # collect's p99 / the view's p99, at most
CPU_RATIO = 1.3  # collect's gunicorn CPU per request / the view's, at most
DRAIN_LIMIT = 180  # seconds to wait for the worker to empty the buffer after a round


def _signal(processes, sig) -> None:
    """Signal each process's whole group (a Celery worker and its pool)."""
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)


def _buffer_status() -> dict:
    from tagmanager.ingest import buffer_class, buffer_path

    return buffer_class(buffer_path())(store=None, bury=None).status()


def _wait_drained() -> tuple[float, bool]:
    """Seconds until the buffer held nothing waiting or claimed; False when it never did."""
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_LIMIT:
        status = _buffer_status()
        if not status.get("waiting") and not status.get("claims"):
            return time.monotonic() - started, True
        time.sleep(0.25)
    return time.monotonic() - started, False


def _postgres_trees() -> dict:
    """{"postgres": the postmaster's pid} when PostgreSQL runs on this machine, else {}. Its
    tree holds every database's backends, other users' too."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    try:
        with open(f"/proc/{backend}/stat") as handle:
            parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        with open(f"/proc/{parent}/comm") as handle:
            return {"postgres": parent} if handle.read().startswith("postgres") else {}
    except OSError:
        return {}


class _Measure:
    def __init__(self, port: int, use: CpuUse):
        self.port, self.use = port, use

    def __call__(self, requests: list, rate: int) -> loadgen.Outcome:
        before = cpu_probe()
        self.use.start()
        outcome = loadgen.open_loop(HOST, self.port, requests, rate=rate)
        outcome.use = self.use.stop()
        outcome.probes = [before, cpu_probe()]
        return outcome


def _p99(outcome) -> float:
    return loadgen.percentile(outcome.latencies, 99)


def _pooled_p99(runs) -> float:
    """The p99 of every request of every round: one endpoint's p99 over the whole comparison."""
    return loadgen.percentile([latency for o in runs for latency in o.latencies], 99)


def _pooled_per_request(runs, key: str = "web") -> float:
    """CPU of ``key`` summed over the rounds, per request answered in them."""
    return sum(o.use[key] for o in runs) / sum(_answered(o) for o in runs)


def _per_request(outcome, key: str) -> float:
    return outcome.use[key] / _answered(outcome)


def _failed(outcome) -> int:
    return sum(n for status, n in outcome.statuses.items() if not 200 <= status < 300)


def _failed_cell(runs) -> str:
    """Median of requests failed (no answer or not 2xx), and of those never sent (the
    generator's cap on outstanding requests)."""
    unsent = median([o.not_started for o in runs])
    failed = f"{median([_failed(o) for o in runs]):,.0f}"
    return failed + (f" ({unsent:,.0f} not sent)" if unsent else "")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs"


def _verdict(ok: bool) -> str:
    return "**PASS**" if ok else "**MISS**"


def collect_ratio(ctx) -> None:
    from bench.data import origins_allow
    from tagmanager.ingest import buffer_path

    origins_allow()
    ctx.redis_flush()
    tag = _demo_tag()
    rates = sorted(int(r) for r in ctx.options.sweep_rates.split(","))
    seconds, rounds = max(ctx.seconds, 10), max(2, ctx.rounds)
    token = "r" + uuid.uuid4().hex[:10]

    def beacons(client: int, count: int, path: bytes = b"/tm/collect") -> list[bytes]:
        # The view's path has the length of collect's: the requests are the same size.
        made = (make_beacon(token, client, n, tag)[0] for n in range(count))
        return [raw.replace(b"/tm/collect", path, 1) for raw in made]

    # The view's requests: collect's beacons, built alike (the view does not mind their ids).
    view_requests = beacons(0, rates[-1] * seconds, b"/bench/echo")
    sweep, pairs, drains = {}, [], []
    with Processes(ctx.var_dir) as processes:
        base = _start_stack(ctx, processes, workers=True)
        port = int(base.rsplit(":", 1)[1])
        pids = {p.bench_name: p.pid for p in processes.started}
        trees = {"web": pids["ingest-web"], "worker": pids["ingest-worker"]}
        measure = _Measure(
            port, CpuUse({**trees, **_redis_trees(ctx.broker_url), **_postgres_trees()})
        )
        # Warm both: imports, the metadata copy, connections to Redis.
        loadgen.open_loop(HOST, port, beacons(-1, 200), rate=100)
        loadgen.open_loop(HOST, port, view_requests[:200], rate=100)
        _wait_drained()
        # a. The view alone: rates in turn within a round, rounds one after the other.
        for _ in range(rounds):
            for rate in rates:
                sweep.setdefault(rate, []).append(measure(view_requests[: rate * seconds], rate))
        held = None
        for rate in rates:
            if median([_p99(o) for o in sweep[rate]]) >= P99_LIMIT:
                break
            held = rate
        _print_sweep(ctx, rates, sweep, held, seconds, rounds, len(view_requests[0]))
        if held is None:
            print(f"\nThe view held none of the rates under {_ms(P99_LIMIT)}: nothing to compare.")
            return
        # b, c. Collect and the view at that rate, in short rounds: collect, view, collect, ...
        storers = [p for p in processes.started if p.bench_name in ("ingest-worker", "ingest-beat")]
        pause = ctx.options.worker_in_rounds == "paused"
        short = ctx.options.compare_seconds
        for index in range(max(2, ctx.options.compare_rounds)):
            if pause:  # the pushes' wake-ups wait in the broker; the buffer keeps the beacons
                _signal(storers, signal.SIGSTOP)
            try:
                outcome = measure(beacons(index + 1, held * short), held)
            finally:
                if pause:
                    _signal(storers, signal.SIGCONT)
            drains.append(_wait_drained())
            pairs.append((outcome, measure(view_requests[: held * short], held)))
        worker_log = processes.log_text("ingest-worker")
    _print_comparison(ctx, held, pairs, drains, buffer_path(), short)
    errors = sum("Traceback" in line or " ERROR" in line for line in worker_log.splitlines())
    if errors:
        print(f"\nWorker log: {errors} error lines (see {ctx.var_dir}).")


def _print_sweep(ctx, rates, sweep, held, seconds, rounds, size) -> None:
    loop = "uvloop" if loadgen.LOOP == "uvloop" else "asyncio's own event loop"
    print(
        f"One gunicorn ({ctx.options.web_workers} sync workers) serves both `POST /tm/collect` and "
        "the trivial Django POST view `/bench/echo` (CSRF-exempt, the project's middleware, reads "
        "`request.body`, answers 204). Redis buffer drained by a Celery worker (prefork, "
        f"-c {ctx.options.celery_concurrency}) and celery beat, "
        + (
            "stopped (SIGSTOP) during collect's rounds and draining between them. "
            if ctx.options.worker_in_rounds == "paused"
            else "storing during collect's rounds, on the same cores. "
        )
        + "Open-loop load "
        f"generator (bench/loadgen.py on {loop}, one connection per request) on the same cores; "
        "latency counts from when a request was due. Both endpoints get beacons of "
        f"{EVENTS_PER_BEACON} events built alike (from {size:,} B with headers), the n-th "
        "request of a round the same size for both; collect's carry ids unique to the run. "
        f"{seconds} s per measurement, {rounds} rounds.\n"
    )
    print(
        f"**a. The view alone**, rates in turn within each round; the rate it holds is the highest "
        f"whose median p99 stays under {_ms(P99_LIMIT)}, every lower rate too.\n"
    )
    print(
        "| requests/s | p99 per round | **median p99** | achieved/s | failed | gunicorn CPU "
        "per request | held |\n|---:|---|---:|---:|---:|---:|---|"
    )
    for rate in rates:
        runs = sweep[rate]
        p99 = median([_p99(o) for o in runs])
        achieved = median([len(o.latencies) / o.seconds for o in runs])
        mark = "yes" if p99 < P99_LIMIT else "no"
        if rate == held:
            mark = "**yes: the rate compared at**"
        print(
            f"| {rate:,} | {', '.join(_ms(_p99(o)) for o in runs)} | **{_ms(p99)}** "
            f"| {achieved:,.0f} | {_failed_cell(runs)} | {_us(median([_per_request(o, 'web') for o in runs]))} "
            f"| {mark} |"
        )
    if held == rates[-1]:
        print(f"\nThe view held the highest rate tried ({held:,}/s); higher rates were not tried.")
    elif held is not None and any(
        median([_p99(o) for o in sweep[r]]) < P99_LIMIT for r in rates if r > held
    ):
        print("\nA rate above the first miss came in under the limit again (noise); not used.")
    print(flush=True)


def _print_comparison(ctx, rate, pairs, drains, buffer, seconds) -> None:
    collect_runs = [c for c, _ in pairs]
    view_runs = [v for _, v in pairs]
    p99_ratios = [_p99(c) / _p99(v) for c, v in pairs]
    cpu_ratios = [_per_request(c, "web") / _per_request(v, "web") for c, v in pairs]
    collect_p99, view_p99 = _pooled_p99(collect_runs), _pooled_p99(view_runs)
    collect_cpu, view_cpu = _pooled_per_request(collect_runs), _pooled_per_request(view_runs)
    p99_ratio, cpu_ratio = collect_p99 / view_p99, collect_cpu / view_cpu
    cores = os.cpu_count() or 1
    print(
        f"\n**b, c. At {rate:,} requests/s**: collect and the view in alternating rounds (collect, "
        f"view, collect, view, ...), {len(pairs)} rounds of each, each round {seconds} s. After "
        "each collect round the run waits until the worker has emptied the buffer (the view's "
        f"rounds start with nothing waiting). Buffer: `{buffer}`. CPU per request answered: CPU "
        "time from /proc (`CpuUse`) divided by the requests answered in the round: gunicorn = "
        "master and workers; Celery worker = its pool (storing collect's events, which the view "
        "has none of); PostgreSQL = the whole server, every database on it; whole machine = "
        "every core's non-idle time, **other processes on the machine included**. In this "
        "table, medians over rounds.\n"
    )
    print(
        "| endpoint | p50 | p99 | max | achieved/s | failed | **gunicorn CPU per request** "
        "| Celery worker | Redis | PostgreSQL | load generator | whole machine | machine busy |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    for label, runs in (
        ("`POST /tm/collect`", collect_runs),
        ("trivial Django POST view", view_runs),
    ):

        def per(key, runs=runs):
            if key not in runs[0].use:
                return "n/a"
            return _us(median([_per_request(o, key) for o in runs]))

        p50 = median([loadgen.percentile(o.latencies, 50) for o in runs])
        busy = median([o.use["machine"] / (o.use["wall"] * cores) for o in runs])
        print(
            f"| {label} | {_ms(p50)} | {_ms(median([_p99(o) for o in runs]))} "
            f"| {max(max(o.latencies) for o in runs) * 1000:,.0f} ms "
            f"| {median([len(o.latencies) / o.seconds for o in runs]):,.0f} "
            f"| {_failed_cell(runs)} | **{per('web')}** | {per('worker')} "
            f"| {per('redis')} | {per('postgres')} | {_us(median([o.cpu / _answered(o) for o in runs]))} "
            f"| {per('machine')} | {busy:.0%} |"
        )
    print(
        "\n| target (same server, same run) | collect, all rounds | view, all rounds "
        "| **ratio** | median of the rounds' ratios | |\n|---|---:|---:|---:|---:|---|"
    )
    print(
        f"| gunicorn CPU per request ≤ {CPU_RATIO} × the view's | {_us(collect_cpu)} "
        f"| {_us(view_cpu)} | **{cpu_ratio:.2f}** | {median(cpu_ratios):.2f} "
        f"| {_verdict(cpu_ratio <= CPU_RATIO)} |"
    )
    print(
        f"| p99 ≤ {P99_RATIO:g} × the view's, at {rate:,}/s (the highest rate the view holds "
        f"under {_ms(P99_LIMIT)}) | {_ms(collect_p99)} | {_ms(view_p99)} | **{p99_ratio:.2f}** "
        f"| {median(p99_ratios):.2f} | {_verdict(p99_ratio <= P99_RATIO)} |"
    )
    print(
        "\nRound by round: p99 collect / view (ratio); gunicorn CPU per request collect / view "
        "(ratio); whole machine per request collect / view; `cpu_probe` before and after each "
        "(ms for a fixed loop, lower is a faster machine); the wait for the buffer to empty:\n"
    )
    for index, ((c, v), (drain, emptied)) in enumerate(zip(pairs, drains, strict=True), 1):
        waited = (
            f"buffer empty after {drain:.1f} s"
            if emptied
            else f"buffer NOT empty after {drain:.0f} s (the worker ran into the view's round)"
        )
        print(
            f"- round {index}: {_ms(_p99(c))} / {_ms(_p99(v))} ({p99_ratios[index - 1]:.2f}); "
            f"{_us(_per_request(c, 'web'))} / {_us(_per_request(v, 'web'))} "
            f"({cpu_ratios[index - 1]:.2f}); {_us(_per_request(c, 'machine'))} / "
            f"{_us(_per_request(v, 'machine'))}; probes collect [{c.probes[0]:.0f}, "
            f"{c.probes[1]:.0f}], view [{v.probes[0]:.0f}, {v.probes[1]:.0f}]; {waited}"
        )
