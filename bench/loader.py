"""Loader size, and loader throughput against a static file of the same size."""

import gzip
from pathlib import Path

from bench.common import Processes, check_wrk, gunicorn, median, wrk

BUDGET_GZIP = 7000  # bytes: runtime + banner + CSS + config


def served_payload():
    """The demo container's loader exactly as the server builds and caches it."""
    from tagmanager.loader.serve import loader_payload_build
    from tagmanager.models import Container

    return loader_payload_build(Container.objects.get(key="demo").live_version.config)


def loader_size(ctx) -> None:
    import brotli

    from tagmanager.loader.build import runtime_parts

    payload = served_payload()
    head, tail = runtime_parts()
    runtime = (head + tail).encode()
    config = payload.body[len(head.encode()) : len(payload.body) - len(tail.encode())]
    rows = [
        ("runtime + banner + CSS (minified, no config)", runtime),
        ("demo configuration (JSON string as served)", config),
        ("**loader for the demo container, as served**", payload.body),
    ]
    print("| what | raw | gzip -9 | brotli -q 11 |\n|---|---:|---:|---:|")
    for name, data in rows:
        print(
            f"| {name} | {len(data):,} B | {len(gzip.compress(data, 9)):,} B "
            f"| {len(brotli.compress(data, quality=11)):,} B |"
        )
    wire = len(payload.gzipped)
    verdict = "met" if wire <= BUDGET_GZIP else "MISSED"
    print(
        f"\nOn the wire with `Accept-Encoding: gzip` (the cached gzip body): {wire:,} B; "
        f"budget {BUDGET_GZIP:,} B: {verdict} ({BUDGET_GZIP - wire:+,} B to spare)."
    )


def loader_throughput(ctx) -> None:
    """Same server, alternating rounds: loader (fast path), loader (Django view), static file.

    Run once with the per-process cache and once with Redis as the cache (production).
    """
    check_wrk()
    payload = served_payload()
    static = Path(ctx.var_dir) / "static.js"
    static.write_bytes(payload.body)
    caches = {"local memory": "locmemcache://bench"}
    if ctx.database_url:
        caches["Redis"] = ctx.cache_url
        ctx.redis_flush()
    seconds, rounds = ctx.seconds, ctx.rounds
    paths = {
        "static": "/bench/static.js",
        "fast": "/tm/demo.js",
        "view": "/plain/tm/demo.js",
    }
    results = {(c, p): [] for c in caches for p in paths}
    errors = 0
    with Processes(ctx.var_dir) as processes:
        bases = {}
        for index, (name, url) in enumerate(caches.items()):
            env = ctx.env(BENCH_STATIC_FILE=str(static), CACHE_URL=url)
            bases[name] = gunicorn(
                processes,
                f"loader-web-{index}",
                app="bench.wsgi:application",
                workers=2,
                env=env,
                ready_path="/tm/demo.js",
            )
            wrk(bases[name] + "/tm/demo.js", 2, 8)  # warm both workers' caches
        for _ in range(rounds):  # alternate, so drift in machine load hits all alike
            for cache in caches:
                for key, path in paths.items():
                    run = wrk(bases[cache] + path, seconds, 16)
                    errors += run["non2xx"] + run["errors"]
                    results[cache, key].append(run["rps"])

    print(
        f"gunicorn, 2 sync workers per server, wrk -t2 -c16, {rounds} alternating rounds of "
        f"{seconds} s; body {len(payload.body):,} B uncompressed (wrk sends no Accept-Encoding); "
        f"medians. Ratio = median over rounds of (loader / static file) in the same round.\n"
    )
    print("| cache | endpoint | requests/s | vs static file |\n|---|---|---:|---:|")
    for cache in caches:
        static_rps = results[cache, "static"]
        print(f"| {cache} | static file of the same size | {median(static_rps):,.0f} | 1.00 |")
        for key, label in (
            ("fast", "`/tm/demo.js`, project WSGI app (LoaderFastPath)"),
            ("view", "`/tm/demo.js`, Django view alone (no wrapper)"),
        ):
            ratio = median([a / b for a, b in zip(results[cache, key], static_rps, strict=True)])
            print(f"| {cache} | {label} | {median(results[cache, key]):,.0f} | **{ratio:.2f}** |")
    if errors:
        print(f"\nWARNING: {errors} non-2xx responses or socket errors; numbers are suspect.")
