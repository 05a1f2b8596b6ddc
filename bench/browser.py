"""Loader timing in headless Chromium: loader start → first consented tag, and long tasks."""

import http.server
import os
import socketserver
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VENDOR_HOSTS = ("googletagmanager.com", "facebook.net", "example.net", "tiktok.com", "licdn.com")

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>
<script>
window.__longTasks = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { window.__longTasks.push(e.duration); });
}).observe({type: "longtask", buffered: true});
window.tm = window.tm || [];
</script>
<script async src="%(loader)s"></script></head>
<body><h1>Benchmark page</h1>%(filler)s</body></html>"""


def _site(port_holder: list, loader: str):
    body = (PAGE % {"loader": loader, "filler": "<p>text</p>" * 200}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    port_holder.append(server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def bench_loader_timing(var_dir: str, runs: int = 15) -> None:
    from playwright.sync_api import sync_playwright

    port = 8766
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "project.wsgi:application",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "TAGMANAGER_VAR_DIR": var_dir, "PYTHONPATH": str(ROOT)},
    )
    loader = f"http://127.0.0.1:{port}/tm/demo.js"
    for _ in range(100):
        try:
            urllib.request.urlopen(loader).read()
            break
        except OSError:
            time.sleep(0.2)
    holder: list = []
    site = _site(holder, loader)
    site_url = f"http://127.0.0.1:{holder[0]}/"
    first_fire, long_tasks = [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            for _ in range(runs):
                context = browser.new_context()
                consent = f"1.{uuid.uuid4()}.1.necessary-preferences-analytics-marketing.{int(time.time())}.banner"
                context.add_cookies([{"name": "tm_consent", "value": consent, "url": site_url}])
                context.route(
                    lambda url: any(h in url for h in VENDOR_HOSTS),
                    lambda route: route.fulfill(
                        status=200, body="", content_type="text/javascript"
                    ),
                )
                page = context.new_page()
                page.goto(site_url, wait_until="load")
                page.wait_for_timeout(300)
                timing = page.evaluate(
                    """() => {
                      const entries = performance.getEntriesByType('resource');
                      const loader = entries.find(e => e.name.includes('/tm/demo.js'));
                      const tags = entries.filter(e => %s.some(h => e.name.includes(h)));
                      const first = Math.min(...tags.map(e => e.startTime));
                      return {loaderEnd: loader.responseEnd, first, longTasks: window.__longTasks};
                    }"""
                    % list(VENDOR_HOSTS)
                )
                first_fire.append(timing["first"] - timing["loaderEnd"])
                long_tasks.extend(timing["longTasks"])
                context.close()
            browser.close()
    finally:
        site.shutdown()
        server.terminate()
        server.wait()
    print(
        f"Headless Chromium, {runs} page loads, consent already given (cookie), vendors stubbed.\n"
    )
    print("| measure | median | max |\n|---|---:|---:|")
    print(
        f"| loader downloaded → first consented tag request | "
        f"{statistics.median(first_fire):.1f} ms | {max(first_fire):.1f} ms |"
    )
    worst = max(long_tasks) if long_tasks else 0
    print(
        f"| long tasks (> 50 ms) on the main thread | {len(long_tasks)} in all | {worst:.0f} ms |"
    )
