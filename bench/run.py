"""Benchmarks. Usage: python bench/run.py [NAME ...] [options]   (no NAME: all, in this order)

  loader-size         loader bytes: raw, gzip -9, brotli
  loader-throughput   GET /tm/demo.js vs a static file of the same size, same gunicorn
  loader-timing       headless Chromium: loader → first consented tag, long tasks
  banner-vs-cookieconsent  first visit, CPU 4x slower: banner and script time vs cookieconsent v3
  pixel-throughput    GET /tm/p/<key>.gif vs a trivial Django view, same gunicorn
  consent-writes      consent_record_create in-process, and POST /tm/consent under gunicorn
  consent-seal        consent_chains_seal: rows sealed per second
  consent-export      export_stream of 100,000 and 1,000,000 records: time and peak memory
  ingest-e2e          HTTP → broker → Celery worker → PostgreSQL: events/s and events lost
  collect-latency     POST /tm/collect latency at fixed rates (open loop)
  collect-ratio       POST /tm/collect vs a trivial Django POST view in the same server, Celery
                      worker running: the highest rate the view holds with p99 < 50 ms (of
                      --sweep-rates), then at that rate the p99 ratio (target <= 2) and the
                      gunicorn CPU per request ratio (target <= 1.3)
  collect-cost        POST /tm/collect: CPU per beacon in one process, Redis time per push

`python -m bench.run NAME ...` works the same. Each prints Markdown tables for BENCHMARKS.md.
Loader benchmarks alone run on a throwaway SQLite database; the others use PostgreSQL
(--database-url, created and migrated if missing) and two Redis databases (--broker-url,
--cache-url) that the benchmarks EMPTY: give numbers nothing else uses. Servers bind free
ports; every process started is stopped at the end.
"""

import argparse
import importlib
import os
import shlex
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# name: (module, function, needs PostgreSQL + Redis)
BENCHMARKS = {
    "loader-size": ("bench.loader", "loader_size", False),
    "loader-throughput": ("bench.loader", "loader_throughput", False),
    "loader-timing": ("bench.browser", "bench_loader_timing", False),
    "banner-vs-cookieconsent": ("bench.banner", "banner_vs_cookieconsent", False),
    "pixel-throughput": ("bench.pixel", "pixel_throughput", True),
    "consent-writes": ("bench.consent", "consent_writes", True),
    "consent-seal": ("bench.consent", "consent_seal", True),
    "consent-export": ("bench.export", "consent_export", True),
    "ingest-e2e": ("bench.ingest", "ingest_e2e", True),
    "collect-latency": ("bench.ingest", "collect_latency", True),
    "collect-ratio": ("bench.collect", "collect_ratio", True),
    "collect-cost": ("bench.ingest", "collect_cost", True),
}


@dataclass
class Context:
    """What every benchmark gets: where to put files, which services, how long to run."""

    var_dir: str
    database_url: str | None
    broker_url: str | None
    cache_url: str | None
    seconds: int
    rounds: int
    options: argparse.Namespace
    queue: str = "tm_bench"

    def env(self, **extra) -> dict:
        """Environment for servers and workers: the host project configured as in production."""
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "TAGMANAGER_VAR_DIR": self.var_dir,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        # One load generator is one client sending one container's traffic: rate limits stay
        # on (their counting is part of what is measured) but far above what it can send.
        for door in ("COLLECT", "CONSENT", "PIXEL"):
            for scope in ("CLIENT", "CONTAINER"):
                env.setdefault(f"TAGMANAGER_RATE_LIMIT_{door}_{scope}", "100000000/minute")
        if self.database_url:
            env.update(
                DATABASE_URL=self.database_url,
                CELERY_BROKER_URL=self.broker_url,
                CACHE_URL=self.cache_url,
                CELERY_TASK_DEFAULT_QUEUE=self.queue,
            )
        env.update(extra)
        return env

    def redis_flush(self) -> None:
        """Empty the benchmark's own broker and cache databases (never anything else)."""
        import redis

        for url in (self.broker_url, self.cache_url):
            redis.Redis.from_url(url).flushdb()


def database_ensure(url: str, *, fresh: bool) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            if "bench" not in name:
                sys.exit(f"--fresh drops the database: refusing for {name!r} (no 'bench' in it)")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(ctx: Context) -> None:
    os.environ.update({k: v for k, v in ctx.env().items() if k not in ("PYTHONPATH",)})
    if not ctx.database_url:
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("CELERY_BROKER_URL", None)
        os.environ.pop("CACHE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("tagmanager_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("which", nargs="*", metavar="NAME", help="benchmarks to run")
    parser.add_argument("--seconds", type=int, default=5, help="length of one measurement")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (medians)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tm_bench"),
    )
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument(
        "--broker-url", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/10")
    )
    parser.add_argument(
        "--cache-url", default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/11")
    )
    parser.add_argument(
        "--web-workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn sync workers of the pixel, consent and ingestion benchmarks (default: "
        "2 x cores + 1, as gunicorn's documentation recommends)",
    )
    parser.add_argument("--celery-concurrency", type=int, default=2, help="Celery worker -c")
    parser.add_argument("--ingest-seconds", type=int, default=20, help="ingest-e2e load time")
    parser.add_argument("--rates", default="100,500,2000", help="collect-latency requests/s")
    parser.add_argument(
        "--sweep-rates",
        default="250,500,750,1000,1250,1500,1750,2000,2250,2500,2750,3000",
        help="collect-ratio: requests/s tried with the trivial POST view alone",
    )
    parser.add_argument(
        "--compare-seconds",
        type=int,
        default=2,
        help="collect-ratio: length of one round of the comparison at the rate the view holds",
    )
    parser.add_argument(
        "--compare-rounds",
        type=int,
        default=15,
        help="collect-ratio: rounds of each endpoint in that comparison (interleaved)",
    )
    parser.add_argument(
        "--worker-in-rounds",
        choices=["paused", "running"],
        default="paused",
        help="collect-ratio: whether the Celery worker (and beat) may store during collect's "
        "rounds; paused (SIGSTOP) measures the request path against the view on equal terms, "
        "and the worker drains between rounds; running shares the cores with it, as one "
        "machine for everything would",
    )
    parser.add_argument(
        "--banner-rounds",
        type=int,
        default=15,
        help="banner-vs-cookieconsent: interleaved rounds (per side: a visit for the banner time, "
        "one for the script time)",
    )
    parser.add_argument("--export-sizes", default="100000,1000000", help="consent-export sizes")
    parser.add_argument("--seal-rows", type=int, default=50000, help="consent-seal rows")
    parser.add_argument(
        "--loop",
        choices=["uvloop", "asyncio"],
        default="uvloop",
        help="event loop of the load generator (bench/loadgen.py) for POST benchmarks; uvloop "
        "took about half the CPU of asyncio's own (measured with streams), CPU the server then has",
    )
    args = parser.parse_args()
    from bench import loadgen

    try:
        loadgen.use_loop(args.loop)
    except ImportError:
        sys.exit("uvloop is not installed: pip install -e '.[bench]', or pass --loop asyncio")
    which = args.which or list(BENCHMARKS)
    unknown = [name for name in which if name not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; see --help")
    services = any(BENCHMARKS[name][2] for name in which)
    if services:
        database_ensure(args.database_url, fresh=args.fresh)
    ctx = Context(
        var_dir=tempfile.mkdtemp(prefix="tm-bench-"),
        database_url=args.database_url if services else None,
        broker_url=args.broker_url,
        cache_url=args.cache_url,
        seconds=args.seconds,
        rounds=args.rounds,
        options=args,
    )
    setup_django(ctx)
    from bench.common import machine

    command = shlex.join(["python", "bench/run.py", *sys.argv[1:]])
    print(f"Command: `{command}`  ")
    print(f"Date: {time.strftime('%Y-%m-%d %H:%M %Z')}  ")
    print(
        f"Machine: {machine(database_url=ctx.database_url, redis_url=ctx.broker_url if services else None)}\n"
    )
    for name in which:
        module, function, _ = BENCHMARKS[name]
        print(f"### {name}\n", flush=True)
        started = time.monotonic()
        getattr(importlib.import_module(module), function)(ctx)
        # Other work on the machine skews absolute numbers (ratios within a run less so).
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"\n({name}: {time.monotonic() - started:.0f} s; load average after: {load})\n",
            flush=True,
        )


if __name__ == "__main__":
    main()
