"""Loader timing in headless Chromium: loader start → first consented tag, and long tasks."""

import http.server
import socketserver
import statistics
import threading
import time
import uuid

from bench.common import Processes, gunicorn

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
// Long animation frames name the scripts that ran in them: the loader's share of any long frame.
window.__loaderInLongFrames = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (frame) {
    (frame.scripts || []).forEach(function (s) {
      if (s.sourceURL.indexOf("/tm/") >= 0) window.__loaderInLongFrames.push(s.duration);
    });
  });
}).observe({type: "long-animation-frame", buffered: true});
window.tm = window.tm || [];
// When the runtime replaces the queue with its API object, it has parsed and set itself up.
(function () {
  var queue = window.tm;
  Object.defineProperty(window, "tm", {
    configurable: true,
    get: function () { return queue; },
    set: function (v) { if (v && v.consent) window.__tmReady = performance.now(); queue = v; }
  });
})();
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


MEASURE = """() => {
  const entries = performance.getEntriesByType('resource');
  const loader = entries.find(e => e.name.includes('/tm/demo.js'));
  const tags = entries.filter(e => %s.some(h => e.name.includes(h)));
  const nav = performance.getEntriesByType('navigation')[0];
  return {loaderStart: loader.startTime, loaderEnd: loader.responseEnd,
          first: Math.min(...tags.map(e => e.startTime)), longTasks: window.__longTasks,
          dcl: nav.domContentLoadedEventStart, ready: window.__tmReady,
          loaderLong: window.__loaderInLongFrames};
}""" % list(VENDOR_HOSTS)


def _context(browser, site_url: str):
    """A fresh visitor who already consented to everything (cookie), vendors stubbed."""
    context = browser.new_context()
    consent = (
        f"1.{uuid.uuid4()}.1.necessary-preferences-analytics-marketing.{int(time.time())}.banner"
    )
    context.add_cookies([{"name": "tm_consent", "value": consent, "url": site_url}])
    context.route(
        lambda url: any(h in url for h in VENDOR_HOSTS),
        lambda route: route.fulfill(status=200, body="", content_type="text/javascript"),
    )
    return context


def loader_tasks(trace: dict) -> list[float]:
    """Durations (ms) of main-thread tasks in which the loader's code ran (compile, evaluate,
    or a function of it called back), from a Chromium trace."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    main = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("name") == "thread_name" and e.get("args", {}).get("name") == "CrRendererMain"
    }
    tasks, marks = [], []
    for e in events:
        if (e.get("pid"), e.get("tid")) not in main or e.get("ph") != "X":
            continue
        if e["name"] == "RunTask":
            tasks.append((e["ts"], e["ts"] + e.get("dur", 0)))
        data = e.get("args", {}).get("data", {})
        if "/tm/demo.js" in str(data.get("url", "")) or "/tm/demo.js" in str(
            data.get("stackTrace", "")
        ):
            marks.append(e["ts"])
    return [(end - start) / 1000 for start, end in tasks if any(start <= m <= end for m in marks)]


def bench_loader_timing(ctx, runs: int = 15, traced_runs: int = 5) -> None:
    import json

    from playwright.sync_api import sync_playwright

    from tagmanager.models import Container

    first_fire, start_fire, long_tasks, dcl, ready, ready_fire, loader_long = ([] for _ in range(7))
    traced = {1: [], 4: []}  # CPU slowdown factor: loader task durations
    with Processes(ctx.var_dir) as processes:
        base = gunicorn(
            processes,
            "timing-web",
            app="project.wsgi:application",
            workers=1,
            env=ctx.env(),
            ready_path="/tm/demo.js",
        )
        holder: list = []
        site = _site(holder, f"{base}/tm/demo.js")
        site_url = f"http://127.0.0.1:{holder[0]}/"
        # The page's origin may send beacons (allowed origins are read through a short cache).
        Container.objects.filter(key="demo").update(allowed_origins=[site_url.rstrip("/")])
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
                )
                for _ in range(runs):
                    context = _context(browser, site_url)
                    page = context.new_page()
                    page.goto(site_url, wait_until="load")
                    page.wait_for_timeout(300)
                    timing = page.evaluate(MEASURE)
                    first_fire.append(timing["first"] - timing["loaderEnd"])
                    start_fire.append(timing["first"] - timing["loaderStart"])
                    dcl.append(timing["dcl"] - timing["loaderEnd"])
                    ready.append(timing["ready"] - timing["loaderEnd"])
                    ready_fire.append(timing["first"] - timing["ready"])
                    long_tasks.extend(timing["longTasks"])
                    loader_long.extend(timing["loaderLong"])
                    context.close()
                # Traced loads (tracing slows the page, so they are kept apart): every task the
                # loader ran in, however short, on a normal and on a 4x slowed CPU.
                for slowdown, durations in traced.items():
                    for _ in range(traced_runs):
                        context = _context(browser, site_url)
                        page = context.new_page()
                        cdp = context.new_cdp_session(page)
                        cdp.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
                        browser.start_tracing(
                            page=page,
                            categories=[
                                "devtools.timeline",
                                "disabled-by-default-devtools.timeline",
                                "v8.execute",
                            ],
                        )
                        page.goto(site_url, wait_until="load")
                        page.wait_for_timeout(500 * slowdown)
                        trace = json.loads(browser.stop_tracing())
                        durations.append(max(loader_tasks(trace), default=0.0))
                        context.close()
                browser.close()
        finally:
            site.shutdown()

    def row(label, values, unit="ms"):
        print(f"| {label} | {statistics.median(values):.1f} {unit} | {max(values):.1f} {unit} |")

    print(
        f"Headless Chromium, {runs} page loads (plus {traced_runs} traced per CPU speed), "
        "consent already given (cookie), vendors stubbed, loader from gunicorn on localhost.\n"
    )
    print("| measure | median | max |\n|---|---:|---:|")
    row("loader request start → first consented tag request", start_fire)
    row("loader downloaded → first consented tag request", first_fire)
    row("loader downloaded → runtime set up (parsed, run, API in place)", ready)
    row("runtime set up → first consented tag request", ready_fire)
    row("(for scale) loader downloaded → page's DOMContentLoaded", dcl)
    row("longest main-thread task the loader ran in (trace)", traced[1])
    row("same, CPU slowed 4x (DevTools throttling)", traced[4])
    worst = max(long_tasks) if long_tasks else 0
    print(
        f"| long tasks (> 50 ms) on the main thread, any cause | {len(long_tasks)} in all | {worst:.0f} ms |"
    )
    mine = max(loader_long) if loader_long else 0
    print(
        f"| loader script time inside long animation frames (> 50 ms) | "
        f"{len(loader_long)} in all | {mine:.0f} ms |"
    )
