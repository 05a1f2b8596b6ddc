"""Browser harness: Debian's Chromium driven by Playwright, a Django live server publishing real
containers, and a separate "customer website" origin that embeds the loader snippet.

Nothing leaves the machine: vendor hosts are answered locally (empty script, 1x1 GIF), any other
outside host is aborted. Every request the browser makes is recorded, so tests assert on what
the page sent (hosts, counts, beacon bodies), not on server state.
"""

import json
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
VENDOR_HOSTS = {
    "www.googletagmanager.com",
    "connect.facebook.net",
    "analytics.tiktok.com",
    "snap.licdn.com",
    "px.ads.linkedin.com",
    "px.example.net",  # image pixels of the test containers
    "cdn.example.net",  # script tags of the test containers
}
BROKEN_HOST = "broken.example.net"  # answers 404
OUTSIDE = re.compile(r"^https?://(?!(127\.0\.0\.1|localhost)[:/])")

# --- the browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("TAGMANAGER_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread, and Django then refuses ORM
    # calls from the test. A test-only concession, for the browser tests' lifetime: no ORM call
    # runs inside that loop, they merely share the thread.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# --- the customer's website, on its own origin ----------------------------------------------------


class Site:
    """A tiny threaded web server for the pages tests write; a path may carry its own headers."""

    def __init__(self):
        self.pages: dict[str, tuple[str, dict]] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body, headers = site.pages.get(urlsplit(self.path).path, ("not found", None))
                data = body.encode()
                self.send_response(200 if headers is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, path: str, html: str, headers: dict | None = None) -> str:
        self.pages[path] = (html, headers or {})
        return self.origin + path

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def site():
    server = Site()
    yield server
    server.close()


def page_html(loader_url: str, *, body: str = "", before: str = "", nonce: str = "") -> str:
    """The snippet exactly as a website pastes it; ``before`` runs ahead of the loader."""
    n = f' nonce="{nonce}"' if nonce else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>shop</title>'
        f"<script{n}>window.tm = window.tm || [];{before}</script>"
        f'<script async{n} src="{loader_url}"></script>'
        f"</head><body>{body}</body></html>"
    )


# --- containers, published through the real services ---------------------------------------------

CATEGORY_COOKIES = {"analytics": ["_ga", "_ga_*"], "marketing": ["_fbp", "_gcl_au"]}

# Like the demo container: analytics = GA4, marketing = Meta, an image pixel, a Google Ads
# conversion on purchase.
STANDARD = {
    "triggers": {
        "pv": {"trigger_type": "page_view"},
        "purchase": {"trigger_type": "custom_event", "parameters": {"event_name": "purchase"}},
    },
    "tags": [
        {
            "name": "GA4",
            "tag_type": "ga4",
            "parameters": {"measurement_id": "G-TEST12345"},
            "categories": ["analytics"],
            "triggers": ["pv"],
        },
        {
            "name": "Meta",
            "tag_type": "meta_pixel",
            "parameters": {"pixel_id": "123456789012345"},
            "categories": ["marketing"],
            "triggers": ["pv", "purchase"],
        },
        {
            "name": "Ad pixel",
            "tag_type": "image",
            "parameters": {"url": "https://px.example.net/ad.gif?e={{event}}&u={{page_url}}"},
            "categories": ["marketing"],
            "triggers": ["pv"],
            "fire_limit": "page",
        },
        {
            "name": "Ads purchase",
            "tag_type": "google_ads",
            "parameters": {"conversion_id": "AW-123456789", "conversion_label": "buy123"},
            "categories": ["marketing"],
            "triggers": ["purchase"],
            "priority": 10,
        },
    ],
}


@dataclass
class Published:
    container: object
    key: str
    tags: dict = field(default_factory=dict)  # tag name -> id
    triggers: dict = field(default_factory=dict)  # trigger name -> id


class Containers:
    """Builds containers from compact specs with the app's own services, and publishes them."""

    def __init__(self, live_server_url: str, site: Site):
        self.server = live_server_url
        self.site = site

    def create(self, spec: dict | None = None, **container_fields) -> Published:
        from tagmanager.services.containers import container_create

        container = container_create(
            name="Browser test shop",
            key=f"t{uuid.uuid4().hex[:12]}",
            allowed_origins=[self.site.origin],
        )
        for category in container.categories.all():
            if category.slug in CATEGORY_COOKIES:
                category.cookies = CATEGORY_COOKIES[category.slug]
                category.save(update_fields=["cookies"])
        for name, value in container_fields.items():
            setattr(container, name, value)
        container.save()
        published = Published(container=container, key=container.key)
        self._define(published, spec if spec is not None else STANDARD)
        self.publish(published)
        return published

    def _define(self, published: Published, spec: dict) -> None:
        from tagmanager.services.tags import tag_save, trigger_save, variable_save

        container = published.container
        for name, definition in spec.get("variables", {}).items():
            variable_save(container=container, name=name, **definition)
        for name, definition in spec.get("triggers", {}).items():
            published.triggers[name] = trigger_save(container=container, name=name, **definition)
        categories = {c.slug: c for c in container.categories.all()}
        for tag in spec.get("tags", []):
            saved = tag_save(
                container=container,
                name=tag["name"],
                tag_type=tag["tag_type"],
                parameters=tag.get("parameters", {}),
                categories=[categories[s] for s in tag["categories"]],
                firing_triggers=[published.triggers[t] for t in tag["triggers"]],
                blocking_triggers=[published.triggers[t] for t in tag.get("blocking", [])],
                fire_limit=tag.get("fire_limit", "unlimited"),
                priority=tag.get("priority", 0),
            )
            published.tags[tag["name"]] = saved.pk
        published.triggers = {name: t.pk for name, t in published.triggers.items()}

    def publish(self, published: Published) -> None:
        from tagmanager.services.publishing import container_publish

        container_publish(container=published.container, notes="browser test")

    def loader_url(self, key: str) -> str:
        return f"{self.server}/tm/{key}.js"

    def page(self, published: Published, path: str = "", headers: dict | None = None, **html):
        """Put a page embedding the container's snippet on the website; return its URL."""
        path = path or f"/{published.key}/shop"
        return self.site.add(path, page_html(self.loader_url(published.key), **html), headers)


@pytest.fixture
def containers(transactional_db, live_server, site):
    return Containers(live_server.url, site)


# --- one browser context per test, recording every request ----------------------------------------


@dataclass
class Sent:
    url: str
    method: str
    body: str | None

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def query(self) -> dict:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.url).query).items()}

    def json(self):
        return json.loads(self.body or "null")


class Visit:
    """A browser context with its page, the requests it made, and waits on them."""

    def __init__(self, context):
        self.context = context
        self.requests: list[Sent] = []
        self.errors: list[str] = []
        # Stub vendor scripts: {(host, path): JS body}; other vendor scripts are empty.
        self.stubs: dict[tuple[str, str], str] = {}
        context.on("request", self._record)
        context.route(OUTSIDE, self._outside)
        self.page = context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _record(self, request):
        try:
            body = request.post_data
        except Exception:  # binary bodies: not ours
            body = None
        self.requests.append(Sent(request.url, request.method, body))

    def _outside(self, route):
        host = urlsplit(route.request.url).hostname
        stub = self.stubs.get((host, urlsplit(route.request.url).path))
        if stub is not None:
            route.fulfill(status=200, content_type="application/javascript", body=stub)
        elif host == BROKEN_HOST:
            route.fulfill(status=404, content_type="text/plain", body="not found")
        elif host in VENDOR_HOSTS:
            if route.request.resource_type == "image" or "/collect" in route.request.url:
                route.fulfill(status=200, content_type="image/gif", body=GIF)
            else:
                route.fulfill(status=200, content_type="application/javascript", body="")
        else:
            route.abort()

    # what the page sent

    def to(self, host: str, contains: str = "") -> list[Sent]:
        return [r for r in self.requests if r.host == host and contains in r.url]

    def vendor(self) -> list[Sent]:
        return [r for r in self.requests if r.host in VENDOR_HOSTS | {BROKEN_HOST}]

    def consents(self) -> list[dict]:
        return [
            r.json() for r in self.requests if r.method == "POST" and r.url.endswith("/consent")
        ]

    def collected(self) -> list[dict]:
        return [
            event
            for r in self.requests
            if r.method == "POST" and r.url.endswith("/collect")
            for event in r.json()["events"]
        ]

    # navigation and waits

    def open(self, url: str, *, banner: bool | None = True):
        self.page.goto(url)
        self.ready(banner)

    def reload(self, *, banner: bool | None = False):
        self.page.reload()
        self.ready(banner)

    def ready(self, banner: bool | None):
        """Wait until the runtime ran: the banner shows, or the settings control does."""
        self.page.wait_for_function("window.tm && !Array.isArray(window.tm)")
        if banner is True:
            self.page.wait_for_selector("[data-tm-banner]", state="visible")
        elif banner is False:
            self.page.wait_for_selector("[data-tm-settings]", state="visible")

    def until(self, predicate, timeout: float = 5.0, message: str = "condition"):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {message}")
            self.page.wait_for_timeout(50)

    def wait_delivered(self) -> None:
        """Until the runtime has read the server's answer to every decision it sent (its outbox
        is empty): a reload before that resends what is still waiting, by design."""
        self.until(
            lambda: (
                not self.js(
                    "Object.keys(localStorage).some(k => k.startsWith('tm_consent_outbox.'))"
                )
            ),
            message="consent outbox empty",
        )

    def wait_consent(self, action: str, count: int = 1) -> dict:
        self.until(
            lambda: len([c for c in self.consents() if c["action"] == action]) >= count,
            message=f"consent POST {action}",
        )
        return [c for c in self.consents() if c["action"] == action][-1]

    def wait_collected(self, predicate, count: int = 1) -> list[dict]:
        return self.until(
            lambda: (
                (found := [e for e in self.collected() if predicate(e)])
                and len(found) >= count
                and found
            ),
            message="collect beacon",
        )

    def settle(self, ms: int = 400):
        """Give a wrong request time to show up before asserting that there is none."""
        self.page.wait_for_timeout(ms)

    def click(self, action: str):
        self.page.click(f'[data-tm-banner] [data-tm-action="{action}"]')

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def grant(self, origin: str, slugs: str = "necessary-analytics", revision: int = 1):
        """Store a decision (the consent cookie) as an earlier visit would have."""
        value = f"1.{uuid.uuid4()}.{revision}.{slugs}.{int(time.time()) - 60}.banner"
        self.context.add_cookies([{"name": "tm_consent", "value": value, "url": origin}])
        return value

    def cookies(self) -> dict:
        return {c["name"]: c["value"] for c in self.context.cookies()}


@pytest.fixture
def visit(browser):
    contexts = []

    def make(**options) -> Visit:
        context = browser.new_context(**options)
        contexts.append(context)
        return Visit(context)

    yield make
    for context in contexts:
        # Closing fires pagehide, and the runtime flushes its beacon then: keep that from
        # reaching the live server while the database is being emptied for the next test.
        context.route(re.compile(r"/tm/(collect|consent)$"), lambda route: route.abort())
        context.close()
    # A request already in the live server is waited for before the flush (tests/conftest.py).


# --- the admin, as a signed-in user; screenshots kept as test artifacts ---------------------------

ARTIFACTS = Path(
    os.environ.get("TAGMANAGER_ARTIFACTS_DIR") or Path(__file__).parents[2] / "test-artifacts"
)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot in test-artifacts/ (kept after the run); return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def admin_page(browser, live_server, transactional_db):
    """``admin_page(user, password="pw")``: a page signed in to the admin of the live server."""
    contexts = []

    def login(user, password: str = "pw"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        context.route(OUTSIDE, lambda route: route.abort())
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_selector("#user-tools")
        return page

    yield login
    for context in contexts:
        context.close()
