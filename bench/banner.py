"""The consent banner in headless Chromium: tagmanager's loader against vanilla-cookieconsent v3,
first visit, CPU slowed 4x, interleaved rounds."""

import http.server
import json
import statistics
import subprocess
import threading
from pathlib import Path

from bench.browser import CHROMIUM_ARGS

NODE_DIR = Path(__file__).resolve().parent / ".node"  # git-ignored: never the project's npm tree
CC_DIST = NODE_DIR / "node_modules" / "vanilla-cookieconsent" / "dist"
CPU_SLOWDOWN = 4
MARK = "tm-bench-banner-visible"
SETTLE_MS = 500

SHOWN = """(el) => {
  const style = getComputedStyle(el), box = el.getBoundingClientRect();
  return style.display !== "none" && style.visibility !== "hidden" &&
    parseFloat(style.opacity) > 0 && box.width > 0 && box.height > 0;
}"""
BANNERS = "[data-tm-banner], #cc-main .cm"
# The same watcher on both pages: after each DOM change, look in the next frame whether either
# banner is shown: displayed, not visibility:hidden, not fully transparent (cookieconsent fades
# its modal in from opacity 0), with a box. Reading style and layout in a frame's callback makes
# the browser compute them there, in script time: 5-40 ms a page here, more for cookieconsent's
# (its modal sits hidden for 100 ms and is built in many steps). So script time is measured on
# other visits, without it.
WATCHER = """(() => {
  const shown = %s;
  let pending = false, done = false;
  const check = () => {
    pending = false;
    const el = document.querySelector("%s");
    if (!el) return;
    if (shown(el)) {
      done = true;
      observer.disconnect();
      console.debug("%s " + performance.now());
    } else schedule();  // there but not shown yet (a transition to start): next frame
  };
  const schedule = () => {
    if (!pending && !done) { pending = true; requestAnimationFrame(check); }
  };
  const observer = new MutationObserver(schedule);
  observer.observe(document, {childList: true, subtree: true, attributes: true,
                              attributeFilter: ["class", "hidden", "style"]});
})();""" % (SHOWN, BANNERS, MARK)

BODY = "<body><h1>Benchmark page</h1>" + "<p>text</p>" * 200 + "</body></html>"
HEAD = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>'
TM_PAGE = (  # the snippet the template tag renders
    HEAD + '<script>window.tm=window.tm||[];</script><script async src="/tm/demo.js"></script>'
    "</head>" + BODY
)
CC_PAGE = (  # as cookieconsent's guide has it: CSS, then the deferred script and its set-up
    HEAD + '<link rel="stylesheet" href="/cc/cookieconsent.css">'
    '<script defer src="/cc/cookieconsent.umd.js"></script>'
    '<script defer src="/cc/init.js"></script></head>' + BODY
)
# Cookie names ending in * (the demo's "_ga_*") become the prefix patterns cookieconsent takes.
CC_INIT = """var config = %s;
Object.keys(config.categories).forEach(function (slug) {
  var clear = config.categories[slug].autoClear;
  if (clear) clear.cookies = clear.cookies.map(function (name) {
    return {name: /\\*$/.test(name) ? new RegExp("^" + name.slice(0, -1)) : name};
  });
});
CookieConsent.run(config);
"""


def cookieconsent_install() -> str:
    """vanilla-cookieconsent v3 from the npm registry into bench/.node; its version."""
    package = CC_DIST.parent / "package.json"
    if not package.exists():
        subprocess.run(
            ["npm", "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund"]
            + ["--prefix", str(NODE_DIR), "vanilla-cookieconsent@3"],
            check=True,
            stdout=subprocess.DEVNULL,  # npm's errors (no registry ...) still show
        )
    return json.loads(package.read_text())["version"]


def cookieconsent_config(consent: dict) -> dict:
    """cookieconsent's configuration with the container's categories and English texts."""
    texts = consent["texts"]["en"]
    categories, sections = {}, [{"title": texts["title"], "description": texts["description"]}]
    for category in consent["categories"]:
        required = bool(category.get("required"))
        categories[category["slug"]] = {"enabled": required, "readOnly": required}
        if category["cookies"]:
            categories[category["slug"]]["autoClear"] = {"cookies": category["cookies"]}
        sections.append(
            {
                "title": category["names"]["en"],
                "description": category["descriptions"]["en"],
                "linkedCategory": category["slug"],
            }
        )
    modal = {
        "title": texts["title"],
        "acceptAllBtn": texts["accept_all"],
        "acceptNecessaryBtn": texts["reject_all"],
    }
    first = {"description": texts["description"], "showPreferencesBtn": texts["preferences"]}
    english = {
        "consentModal": modal | first,
        "preferencesModal": modal | {"savePreferencesBtn": texts["save"], "sections": sections},
    }
    return {
        "hideFromBots": False,  # Playwright sets navigator.webdriver, which it would hide from
        "revision": consent["revision"],
        "cookie": {"expiresAfterDays": consent["lifetimeDays"]},
        "categories": categories,
        "language": {"default": "en", "translations": {"en": english}},
    }


def site(files: dict[str, tuple[str, bytes]]) -> http.server.ThreadingHTTPServer:
    """One local server for pages and scripts of both sides; POSTs (/tm/consent, /tm/collect)
    get 204."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, for the side with more files too

        def do_GET(self):
            content_type, body = files.get(self.path, ("text/plain", b""))
            self.send_response(200 if self.path in files else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def visit(browser, url: str, *, watched: bool) -> float:
    """One first visit in a fresh context. Watched: ms from navigation start to the banner
    shown. Not: the page's main-thread script time (Chromium's ScriptDuration) in ms, read once
    the page has loaded and the last timers of the banners' set-up have run."""
    context = browser.new_context()
    page = context.new_page()
    if watched:
        page.add_init_script(WATCHER)
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    cdp.send("Performance.enable")
    if watched:
        with page.expect_console_message(lambda m: m.text.startswith(MARK)) as seen:
            page.goto(url)
        result = float(seen.value.text.split()[1])
    else:
        page.goto(url, wait_until="load")
        # cookieconsent starts its fade-in 100 ms after it shows the modal; nothing else waits.
        page.wait_for_timeout(SETTLE_MS)
        metrics = cdp.send("Performance.getMetrics")["metrics"]
        result = next(m["value"] for m in metrics if m["name"] == "ScriptDuration") * 1000
        # Checked after the reading, so that it is not counted.
        if not page.evaluate(f"() => [...document.querySelectorAll('{BANNERS}')].some({SHOWN})"):
            raise RuntimeError(f"{url}: no banner shown {SETTLE_MS} ms after load")
    context.close()
    return result


def quartiles(values: list[float]) -> tuple[float, float, float]:
    return tuple(statistics.quantiles(values, n=4, method="inclusive"))


def banner_vs_cookieconsent(ctx) -> None:
    from playwright.sync_api import sync_playwright

    from bench.loader import served_payload
    from tagmanager.loader.build import runtime_fingerprint
    from tagmanager.models import Container

    version = cookieconsent_install()
    loader = served_payload().body  # built now, from the runtime files as they are
    consent = Container.objects.get(key="demo").live_version.config["consent"]
    cc_init = (CC_INIT % json.dumps(cookieconsent_config(consent), indent=1)).encode()
    html, js = "text/html; charset=utf-8", "text/javascript"
    cc_js, cc_css = ((CC_DIST / f"cookieconsent.{ext}").read_bytes() for ext in ("umd.js", "css"))
    files = {
        "/tm.html": (html, TM_PAGE.encode()),
        "/cc.html": (html, CC_PAGE.encode()),
        "/tm/demo.js": (js, loader),
        "/cc/init.js": (js, cc_init),
        "/cc/cookieconsent.umd.js": (js, cc_js),
        "/cc/cookieconsent.css": ("text/css", cc_css),
    }
    server = site(files)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rounds = ctx.options.banner_rounds
    kinds = {"banner": True, "script": False}  # what a visit measures: watched or not
    results = {(kind, side): [] for kind in kinds for side in ("tm", "cc")}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            chromium = browser.version
            for kind, side in results:  # a visit of each, not counted: the browser warms up
                visit(browser, f"{base}/{side}.html", watched=kinds[kind])
            for number in range(rounds):
                order = ("tm", "cc") if number % 2 == 0 else ("cc", "tm")
                for kind, watched in kinds.items():
                    for side in order:
                        url = f"{base}/{side}.html"
                        results[kind, side].append(visit(browser, url, watched=watched))
            browser.close()
    finally:
        server.shutdown()

    print(
        f"Headless Chromium {chromium} (Playwright), CPU slowed {CPU_SLOWDOWN}x (DevTools "
        f"throttling), a fresh context per visit (first visit: the banner shows); {rounds} "
        "interleaved rounds of four visits (banner time, then script time, of each side; which "
        "side goes first alternates), after one uncounted visit of each kind. Pages and scripts "
        "from one local HTTP server, uncompressed. tagmanager: the demo container's loader as "
        f"served ({len(loader):,} B, runtime `{runtime_fingerprint()}`), `async` in `<head>` as "
        f"the snippet has it. cookieconsent: vanilla-cookieconsent {version} from npm, UMD "
        f"build + CSS ({len(cc_js) + len(cc_css):,} B) and a set-up script, `defer`, the same "
        "four categories and English texts. Banner visible: navigation start → first frame in "
        "which the banner is displayed, not visibility:hidden, not transparent, with a box (a "
        "MutationObserver + requestAnimationFrame watcher in the page). Script time: "
        "Chromium's `ScriptDuration` (CDP `Performance.getMetrics`) on visits without the "
        f"watcher, read {SETTLE_MS} ms after `load`.\n"
    )
    print(
        "| measure | tagmanager median (p25–p75) | cookieconsent median (p25–p75) "
        "| tm / cc |\n|---|---:|---:|---:|"
    )
    medians = {}
    for kind, label in (
        ("banner", "navigation start → banner visible"),
        ("script", "main-thread script time"),
    ):
        cells = []
        for side in ("tm", "cc"):
            low, medians[kind, side], high = quartiles(results[kind, side])
            cells.append(f"{medians[kind, side]:.1f} ms ({low:.1f}–{high:.1f})")
        ratio = medians[kind, "tm"] / medians[kind, "cc"]
        print(f"| {label} | {cells[0]} | {cells[1]} | {ratio:.2f} |")
    print()
    for kind, what, holds in (
        ("banner", "banner visible sooner than cookieconsent's", lambda t, c: t < c),
        ("script", "script time at most cookieconsent's", lambda t, c: t <= c),
    ):
        pairs = zip(results[kind, "tm"], results[kind, "cc"], strict=True)
        wins = sum(holds(t, c) for t, c in pairs)
        verdict = "PASS" if holds(medians[kind, "tm"], medians[kind, "cc"]) else "FAIL"
        print(
            f"- {verdict}: {what} ({medians[kind, 'tm']:.1f} ms against "
            f"{medians[kind, 'cc']:.1f} ms, medians; held in {wins} of {rounds} rounds)."
        )
