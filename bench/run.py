"""Benchmarks. Usage: python bench/run.py [loader-size] [loader-throughput] [loader-timing]

Each prints a Markdown table to paste into BENCHMARKS.md. Runs on a throwaway SQLite database
under a temporary folder, with the demo container published.
"""

import argparse
import gzip
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(var_dir: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.environ["TAGMANAGER_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("tagmanager_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def loader_body() -> bytes:
    from tagmanager.loader.build import loader_source
    from tagmanager.models import Container

    return loader_source(Container.objects.get(key="demo").live_version.config).encode()


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def bench_loader_size() -> None:
    import brotli

    body = loader_body()
    from tagmanager.loader.build import runtime_parts

    head, tail = runtime_parts()
    runtime = (head + tail).encode()
    rows = [("runtime + CSS (no config)", runtime), ("loader for the demo container", body)]
    print("| what | raw | gzip -9 | brotli -q 11 |\n|---|---:|---:|---:|")
    for name, data in rows:
        print(
            f"| {name} | {len(data):,} B | {len(gzip.compress(data, 9)):,} B "
            f"| {len(brotli.compress(data, quality=11)):,} B |"
        )


def wrk(url: str, seconds: int, connections: int, headers=()) -> float:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        args += ["-H", header]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def bench_loader_throughput(var_dir: str, seconds: int, rounds: int) -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    body = loader_body()
    static = Path(var_dir) / "static.js"
    static.write_bytes(body)
    port = 8765
    env = {
        **os.environ,
        "BENCH_STATIC_FILE": str(static),
        "TAGMANAGER_VAR_DIR": var_dir,
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                import urllib.request

                urllib.request.urlopen(f"{base}/tm/demo.js").read()
                break
            except OSError:
                time.sleep(0.2)
        wrk(f"{base}/tm/demo.js", 2, 8)  # warm both workers' caches
        loader, baseline, plain = [], [], []
        for _ in range(rounds):  # alternate, so drift in machine load hits all alike
            loader.append(wrk(f"{base}/tm/demo.js", seconds, 16))
            baseline.append(wrk(f"{base}/bench/static.js", seconds, 16))
            plain.append(wrk(f"{base}/plain/tm/demo.js", seconds, 16))
    finally:
        server.terminate()
        server.wait()

    def median(values):
        return sorted(values)[len(values) // 2]

    lo, st, pl = median(loader), median(baseline), median(plain)
    print(f"gunicorn, 2 sync workers, wrk -t2 -c16, {rounds} alternating rounds of {seconds} s,")
    print(f"body {len(body):,} B uncompressed, medians:\n")
    print("| endpoint | requests/s | vs static |\n|---|---:|---:|")
    print(f"| static file of the same size, same server | {st:,.0f} | 1.00 |")
    print(
        f"| `/tm/demo.js`, project WSGI app (LoaderFastPath, warm cache) | {lo:,.0f} | **{lo / st:.2f}** |"
    )
    print(
        f"| `/tm/demo.js` through the Django view alone (no wrapper) | {pl:,.0f} | {pl / st:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("which", nargs="*", default=["loader-size", "loader-throughput"])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="tm-bench-")
    setup_django(var_dir)
    print(f"Machine: {machine()}; {time.strftime('%Y-%m-%d')}\n")
    for which in args.which:
        print(f"### {which}\n")
        if which == "loader-size":
            bench_loader_size()
        elif which == "loader-throughput":
            bench_loader_throughput(var_dir, args.seconds, args.rounds)
        elif which == "loader-timing":
            from bench.browser import bench_loader_timing

            bench_loader_timing(var_dir)
        else:
            sys.exit(f"unknown benchmark {which!r}")
        print()


if __name__ == "__main__":
    main()
