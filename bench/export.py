"""Consent export: time and peak memory of export_stream at two sizes (flat memory expected).

Each export runs in a fresh subprocess (``python bench/export.py KEY FORMAT``) that reports its
peak RSS (VmHWM), so one measurement cannot inherit another's memory. Not ru_maxrss: on Linux
it survives fork + exec, so a child would report its parent's peak if that was higher.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, median


def dataset(count: int):
    """A container holding exactly ``count`` sealed records (generated once, then reused)."""
    from bench.data import consent_records_generate, container_with_notice
    from tagmanager.models import ConsentRecord

    container, notice = container_with_notice(f"export-{count}")
    have = ConsentRecord.objects.filter(container=container).count()
    if have == 0:
        seconds = consent_records_generate(
            container=container, notice=notice, count=count, sealed=True
        )
        print(f"(generated {count:,} records in {seconds:.0f} s)")
    elif have != count:
        sys.exit(f"container export-{count} holds {have} records; use --fresh")
    return container


def _memory_kib(field: str) -> int:
    """VmRSS (now) or VmHWM (peak) of this process, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _child(key: str, fmt: str) -> None:
    import django

    django.setup()
    from tagmanager.models import Container
    from tagmanager.services.export import consent_records_for_export, export_stream

    container = Container.objects.get(key=key)
    records = consent_records_for_export(container=container)
    rss_before = _memory_kib("VmHWM")
    started = time.monotonic()
    size = 0
    with open(os.devnull, "w") as sink:
        for piece in export_stream(records, fmt=fmt):
            size += len(piece)
            sink.write(piece)
    elapsed = time.monotonic() - started
    peak = _memory_kib("VmHWM")
    print(json.dumps({"seconds": elapsed, "chars": size, "rss_before": rss_before, "peak": peak}))


def consent_export(ctx) -> None:
    sizes = [int(s) for s in ctx.options.export_sizes.split(",")]
    containers = {size: dataset(size) for size in sizes}
    rounds = max(2, ctx.rounds - 1)
    results = {}
    for _ in range(rounds):  # alternate sizes and formats
        for fmt in ("csv", "json"):
            for size in sizes:
                out = subprocess.run(
                    [sys.executable, "bench/export.py", containers[size].key, fmt],
                    cwd=ROOT,
                    env=ctx.env(),
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                results.setdefault((fmt, size), []).append(json.loads(out.splitlines()[-1]))
    print(
        "PostgreSQL; `export_stream(consent_records_for_export(container=...), fmt=...)` in a "
        "fresh subprocess, output written to /dev/null; peak RSS is the process's VmHWM; "
        f"'before' is its peak after Django setup, just before exporting; {rounds} rounds, "
        "medians.\n"
    )
    print(
        "| format | records | time | records/s | output | RSS before | peak RSS | growth |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    for fmt in ("csv", "json"):
        for size in sizes:
            runs = results[fmt, size]
            seconds = median([r["seconds"] for r in runs])
            before = median([r["rss_before"] for r in runs]) / 1024
            peak = median([r["peak"] for r in runs]) / 1024
            chars = runs[0]["chars"]
            print(
                f"| {fmt} | {size:,} | {seconds:.1f} s | {size / seconds:,.0f} "
                f"| {chars / 1e6:,.0f} M chars | {before:.0f} MiB | {peak:.0f} MiB "
                f"| {peak - before:+.0f} MiB |"
            )


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
