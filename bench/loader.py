"""Loader size, and loader throughput against a static file of the same size."""

import gzip
from pathlib import Path

from bench.common import Processes, check_wrk, gunicorn, median, wrk

BUDGET_DEMO = 5000  # bytes gzip -9: the demo container's loader, all in
BUDGET_ONE_PIXEL = 3500  # bytes gzip -9: a container with one image pixel on page view


def served_payload():
    """The demo container's loader exactly as the server builds and caches it."""
    from tagmanager.loader.serve import loader_payload_build
    from tagmanager.models import Container

    return loader_payload_build(Container.objects.get(key="demo").live_version.config)


def one_pixel_config(config: dict) -> dict:
    """``config`` (a version's) with one image pixel on page view as its only tag and trigger,
    and no variables."""
    trigger = {"id": 1, "name": "All pages", "type": "page_view", "params": {}, "conditions": []}
    tag = {
        "id": 1,
        "name": "Pixel",
        "type": "image",
        "params": {"url": "https://pixel.example/p.gif?cb={{random}}"},
        "categories": [config["consent"]["categories"][-1]["slug"]],
        "triggers": [1],
        "blocking": [],
        "limit": "unlimited",
        "priority": 0,
    }
    return {**config, "tags": [tag], "triggers": [trigger], "variables": []}


def loader_size(ctx) -> None:
    import brotli

    from tagmanager.loader.build import (
        KINDS,
        banner_css,
        config_json,
        runtime_file,
        type_piece,
        types_used,
    )
    from tagmanager.loader.config import config_served
    from tagmanager.loader.serve import loader_payload_build
    from tagmanager.models import Container

    config = Container.objects.get(key="demo").live_version.config
    served = config_served(config)
    used = types_used(served)
    pieces = "".join(type_piece(k, s) or "" for k in KINDS for s in used[k])
    one_pixel = loader_payload_build(one_pixel_config(config))
    payload = served_payload()
    rows = [
        ("runtime core (live build)", runtime_file("core.js").encode()),
        (
            f"pieces of the types the demo uses ({sum(len(v) for v in used.values())})",
            pieces.encode(),
        ),
        ("banner CSS (minified)", banner_css().encode()),
        ("demo configuration (JSON as served)", config_json(served).encode()),
        ("**loader for the demo container, as served**", payload.body),
        ("**loader for one image pixel on page view, as served**", one_pixel.body),
    ]
    print("| what | raw | gzip -9 | brotli -q 11 |\n|---|---:|---:|---:|")
    for name, data in rows:
        print(
            f"| {name} | {len(data):,} B | {len(gzip.compress(data, 9)):,} B "
            f"| {len(brotli.compress(data, quality=11)):,} B |"
        )
    print()
    for name, body, budget in (
        ("demo container", payload.body, BUDGET_DEMO),
        ("one image pixel", one_pixel.body, BUDGET_ONE_PIXEL),
    ):
        wire = len(gzip.compress(body, 9))
        verdict = "met" if wire <= budget else "MISSED"
        print(
            f"- {name}: {wire:,} B gzip -9; budget {budget:,} B: {verdict} "
            f"({budget - wire:+,} B to spare)."
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
