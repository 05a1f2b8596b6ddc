"""The pixel endpoint against a trivial Django view, in the same gunicorn server and run."""

from bench.common import Processes, check_wrk, gunicorn, median, wrk

QUERY = "?e=email_open&r=rcpt-0001&utm_source=newsletter&utm_campaign=bench"


def pixel_throughput(ctx) -> None:
    """Production settings (PostgreSQL, Redis cache and broker), no Celery worker running: this
    measures what the request costs; the logged events pile up in the broker and are dropped."""
    check_wrk()
    ctx.redis_flush()
    seconds, rounds = ctx.seconds, ctx.rounds
    workers = ctx.options.web_workers
    pixel, trivial, errors = [], [], 0
    with Processes(ctx.var_dir) as processes:
        base = gunicorn(
            processes,
            "pixel-web",
            app="bench.wsgi:application",
            workers=workers,
            env=ctx.env(),
            ready_path="/bench/pixel.gif",
        )
        urls = {
            "pixel": f"{base}/tm/p/demo.gif{QUERY}",
            "trivial": f"{base}/bench/pixel.gif{QUERY}",
        }
        for url in urls.values():
            wrk(url, 2, 8)  # warm up: caches, connections to Redis
        for _ in range(rounds):  # alternate, so drift in machine load hits both alike
            for name, results in (("pixel", pixel), ("trivial", trivial)):
                run = wrk(urls[name], seconds, 16)
                errors += run["non2xx"] + run["errors"]
                results.append(run["rps"])
            ctx.redis_flush()  # nobody drains the queued events
    ratio = median([a / b for a, b in zip(pixel, trivial, strict=True)])
    print(
        f"gunicorn, {workers} sync workers, wrk -t2 -c16, {rounds} alternating rounds of "
        f"{seconds} s, medians; PostgreSQL + Redis (cache and broker) as in production, no "
        "worker draining the queue. Ratio = median over rounds of (pixel / trivial view).\n"
    )
    print("| endpoint | requests/s | vs trivial view |\n|---|---:|---:|")
    print(f"| trivial Django view answering the same GIF | {median(trivial):,.0f} | 1.00 |")
    print(f"| `GET /tm/p/demo.gif` (logs an event) | {median(pixel):,.0f} | **{ratio:.2f}** |")
    print(
        f"\nPer round, pixel / trivial: {', '.join(f'{a / b:.2f}' for a, b in zip(pixel, trivial, strict=True))}"
    )
    if errors:
        print(f"\nWARNING: {errors} non-2xx responses or socket errors; numbers are suspect.")
