"""Reports on 1,000,000 fire events: roll-up speed, and the Reports page and JSON endpoint with
and without roll-ups. PostgreSQL only.

Usage: python bench/reports.py [--database-url postgres://postgres@127.0.0.1:5432/tm_bench_reports]
                               [--events 1000000] [--consents 200000] [--days 90] [--reuse]

The database is dropped and created again (its name must start with tm_bench), filled with raw
SQL (COPY), then migrated data is rolled up with the app's own service. Prints Markdown tables.
"""

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [f"/shop/product-{n}" for n in range(400)] + [f"/blog/post-{n}" for n in range(100)]
CAMPAIGNS = [f"campaign-{n:02d}" for n in range(15)]
ORIGIN = "https://shop.example"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/tm_bench_reports"
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--consents", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--rounds", type=int, default=9, help="timed requests per measurement")
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run")
    return parser.parse_args()


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("tm_bench"):
        sys.exit("The benchmark drops its database: give one whose name starts with tm_bench.")
    base = ["psql", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    base += ["-U", parts.username or "postgres", "-d", "postgres", "-q", "-c"]
    subprocess.run([*base, f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run([*base, f'CREATE DATABASE "{name}"'], check=True)


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("TAGMANAGER_VAR_DIR", tempfile.mkdtemp(prefix="tm-bench-reports-"))
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["DEBUG"] = "0"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()


# --- data --------------------------------------------------------------------------------------


def shop_create(now: datetime, days: int):
    """A published container with ten tags on four triggers, as if published before the data."""
    from tagmanager.models import ContainerVersion
    from tagmanager.services.containers import container_create
    from tagmanager.services.publishing import container_publish
    from tagmanager.services.tags import tag_save, trigger_save

    container = container_create(name="Bench shop", key="bench", allowed_origins=[ORIGIN])
    cats = {c.slug: c for c in container.categories.all()}
    triggers = {
        "all": trigger_save(container=container, name="All pages", trigger_type="page_view"),
        "shop": trigger_save(
            container=container,
            name="Shop pages",
            trigger_type="page_view",
            conditions=[{"variable": "page_path", "operator": "starts_with", "value": "/shop"}],
        ),
        "purchase": trigger_save(
            container=container,
            name="Purchase",
            trigger_type="custom_event",
            parameters={"event_name": "purchase"},
        ),
        "lead": trigger_save(
            container=container,
            name="Lead",
            trigger_type="custom_event",
            parameters={"event_name": "lead"},
        ),
    }
    specs = (
        [
            ("GA4", "ga4", {"measurement_id": "G-BENCH1234"}, "analytics", ["all", "purchase"]),
            (
                "Meta",
                "meta_pixel",
                {"pixel_id": "123456789012345"},
                "marketing",
                ["all", "purchase"],
            ),
            (
                "TikTok",
                "tiktok",
                {"pixel_id": "C1234567890ABCDEFGHI"},
                "marketing",
                ["all", "purchase"],
            ),
            ("LinkedIn", "linkedin", {"partner_id": "123456"}, "marketing", ["all", "lead"]),
            (
                "Ads purchase",
                "google_ads",
                {"conversion_id": "AW-123456789", "conversion_label": "buy123"},
                "marketing",
                ["purchase"],
            ),
            (
                "Ads lead",
                "google_ads",
                {"conversion_id": "AW-123456789", "conversion_label": "lead123"},
                "marketing",
                ["lead"],
            ),
        ]
        + [
            (
                f"Shop pixel {n}",
                "image",
                {"url": f"https://px.example.net/{n}.gif"},
                "marketing",
                ["shop"],
            )
            for n in range(1, 4)
        ]
        + [
            (
                "Silent pixel",
                "image",
                {"url": "https://px.example.net/s.gif"},
                "analytics",
                ["lead"],
            )
        ]
    )
    tags = {}
    for name, tag_type, parameters, category, names in specs:
        tag = tag_save(
            container=container,
            name=name,
            tag_type=tag_type,
            parameters=parameters,
            categories=[cats[category]],
            firing_triggers=[triggers[t] for t in names],
        )
        tags[name] = (tag.pk, [triggers[t].pk for t in names])
    version = container_publish(container=container, notes="benchmark")
    ContainerVersion.objects.filter(pk=version.pk).update(created_at=now - timedelta(days=days + 5))
    return container, tags, {name: t.pk for name, t in triggers.items()}


def fire_rows(container_id, tags, triggers, *, count: int, days: int, now: datetime):
    """Plausible fires: page views of every page-view tag, purchases and leads of the
    conversion tags; about 0.5% outside their triggers and 0.1% consent violations."""
    rng = random.Random(42)
    fired = {name: value for name, value in tags.items() if name != "Silent pixel"}
    views = {triggers["all"], triggers["shop"]}
    page_view_tags = [(pk, ids) for pk, ids in fired.values() if views & set(ids)]
    purchase_tags = [(pk, ids) for pk, ids in fired.values() if triggers["purchase"] in ids]
    lead_tags = [(pk, ids) for pk, ids in fired.values() if triggers["lead"] in ids]
    start = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    span = (now - start).total_seconds()
    for n in range(count):
        roll = rng.random()
        value, currency, event = None, "", "page_view"
        if roll < 0.03:
            event = "purchase"
            tag_id, ids = rng.choice(purchase_tags)
            trigger_id = triggers["purchase"]
            page = "/shop/checkout/thanks"
            value, currency = f"{rng.randint(10, 400)}.{rng.randint(0, 99):02d}", "EUR"
        elif roll < 0.04:
            event = "lead"
            tag_id, ids = rng.choice(lead_tags)
            trigger_id = triggers["lead"]
            page = "/contact"
        else:
            tag_id, ids = rng.choice(page_view_tags)
            trigger_id = next(t for t in ids if t in views)
            page = rng.choice(PAGES)
            if trigger_id == triggers["shop"] and page.startswith("/blog") and rng.random() > 0.01:
                page = page.replace("/blog/post", "/shop/product")  # mostly where they belong
        if rng.random() < 0.002:
            trigger_id = triggers["lead"]  # a stray fire
        campaign = rng.choice(CAMPAIGNS) if rng.random() < 0.6 else None
        utm = f'{{"utm_source": "ads", "utm_campaign": "{campaign}"}}' if campaign else "{}"
        when = start + timedelta(seconds=rng.random() * span)
        yield (
            f"bench-{n:09d}",
            container_id,
            tag_id,
            trigger_id,
            "[]",
            rng.random() < 0.001,
            event,
            ORIGIN + page,
            value,
            currency,
            utm,
            "",
            when,
        )


def consent_rows(container_id, notice_id, *, count: int, days: int, now: datetime):
    rng = random.Random(7)
    start = now - timedelta(days=days - 1)
    span = (now - start).total_seconds()
    choices = [
        (
            "accept_all",
            {"necessary": True, "preferences": True, "analytics": True, "marketing": True},
        ),
        (
            "reject_all",
            {"necessary": True, "preferences": False, "analytics": False, "marketing": False},
        ),
        ("custom", {"necessary": True, "preferences": True, "analytics": True, "marketing": False}),
        (
            "custom",
            {"necessary": True, "preferences": False, "analytics": True, "marketing": False},
        ),
        ("gpc", {"necessary": True, "preferences": False, "analytics": False, "marketing": False}),
        (
            "withdraw",
            {"necessary": True, "preferences": False, "analytics": False, "marketing": False},
        ),
    ]
    weights = [55, 20, 10, 8, 5, 2]
    import json

    for _ in range(count):
        action, categories = rng.choices(choices, weights)[0]
        when = start + timedelta(seconds=rng.random() * span)
        yield (
            uuid.UUID(int=rng.getrandbits(128), version=4),
            container_id,
            1,
            notice_id,
            json.dumps(categories),
            action,
            "gpc" if action == "gpc" else "banner",
            action == "gpc",
            when,
            when + timedelta(days=180),
            ORIGIN + "/",
            "Mozilla/5.0 (bench)",
            "",
        )


def generate(args, now: datetime) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from tagmanager.models import ConsentRecord, FireDuplicateDaily
    from tagmanager.payloads import consent_parse
    from tagmanager.services.consent import consent_record_create

    call_command("migrate", verbosity=0)
    container, tags, triggers = shop_create(now, args.days)
    first = consent_record_create(
        container=container,
        data=consent_parse(
            {
                "consent_id": str(uuid.uuid4()),
                "categories": {"analytics": True},
                "action": "custom",
                "source": "banner",
            }
        ),
        ip="192.0.2.1",
        user_agent="bench",
    )
    started = time.perf_counter()
    raw = connection.connection  # psycopg 3: COPY straight from Python rows
    with raw.cursor() as cursor:
        with cursor.copy(
            "COPY tagmanager_fireevent (event_id, container_id, tag_id, trigger_id, categories,"
            " consent_violation, event_name, page_url, value, currency, utm, recipient,"
            " server_time) FROM STDIN"
        ) as copy:
            for row in fire_rows(
                container.pk, tags, triggers, count=args.events, days=args.days, now=now
            ):
                copy.write_row(row)
        with cursor.copy(
            "COPY tagmanager_consentrecord (consent_id, container_id, revision, notice_id,"
            " categories, action, source, gpc, created_at, expires_at, page_url, user_agent,"
            " seal_hash) FROM STDIN"
        ) as copy:
            for row in consent_rows(
                container.pk, first.notice_id, count=args.consents - 1, days=args.days, now=now
            ):
                copy.write_row(row)
    raw.commit()
    loaded = time.perf_counter() - started
    rng = random.Random(3)
    FireDuplicateDaily.objects.bulk_create(
        FireDuplicateDaily(
            container=container,
            day=(now - timedelta(days=d)).date(),
            tag_id=pk,
            duplicates=rng.randint(1, 30),
        )
        for d in range(args.days)
        for pk, _ in list(tags.values())[:2]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assert ConsentRecord.objects.filter(container=container).count() == args.consents
    return {"load_seconds": loaded}


# --- measurements ------------------------------------------------------------------------------


def timed(function, rounds: int, warm: int = 2) -> float:
    for _ in range(warm):
        function()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def machine() -> str:
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    mem = next(
        (
            int(line.split()[1]) / 1024 / 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM; Python {platform.python_version()}, "
        f"PostgreSQL {pg.split()[0]}"
    )


def main() -> None:
    args = parse_args()
    if not args.reuse:
        recreate_database(args.database_url)
    django_setup(args.database_url)

    from django.db import transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from tagmanager.models import Container, FireEvent, RollupDay
    from tagmanager.reports import container_report
    from tagmanager.services.rollups import rollups_refresh
    from tests.factories import user_with

    now = timezone.now()
    setup = {}
    if not args.reuse:
        print(f"Generating {args.events:,} fire events and {args.consents:,} consent records ...")
        setup = generate(args, now)
    container = Container.objects.select_related("live_version").get(key="bench")
    today_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    past_rows = FireEvent.objects.filter(container=container, server_time__lt=today_start).count()
    total_rows = FireEvent.objects.filter(container=container).count()

    RollupDay.objects.filter(container=container).delete()
    started = time.perf_counter()
    rolled_days = rollups_refresh()
    rollup_seconds = time.perf_counter() - started

    from django.contrib.auth import get_user_model

    member = get_user_model().objects.filter(username="bench-member").first() or user_with(
        "bench-member",
        perms=["tagmanager.view_container", "tagmanager.view_fireevent"],
        containers=[container],
    )
    browser = Client()
    browser.force_login(member)
    page_url = reverse("admin:tagmanager_container_reports", args=[container.pk])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=member)[0].key}")

    def page(days):
        def get():
            response = browser.get(page_url, {"days": days})
            assert response.status_code == 200 and b"tm-chart-fires" in response.content

        return get

    def endpoint(days):
        def get():
            response = api.get(f"/tm/api/containers/{container.key}/report/", {"days": days})
            assert response.status_code == 200

        return get

    def selector(days):
        start = now.date() - timedelta(days=days - 1)
        return lambda: container_report(container=container, start=start, end=now.date())

    rows = []
    for days in (90, 30, 7):
        rows.append(
            (
                f"Reports page, last {days} days (roll-ups + today raw)",
                timed(page(days), args.rounds),
            )
        )
    rows.append(
        ("JSON endpoint, last 90 days (roll-ups + today raw)", timed(endpoint(90), args.rounds))
    )
    rows.append(("container_report selector alone, last 90 days", timed(selector(90), args.rounds)))
    raw_rounds = max(3, args.rounds // 3)
    with transaction.atomic():
        RollupDay.objects.filter(container=container).delete()  # every day from the raw rows
        rows.append(
            (
                "Reports page, last 90 days, raw rows only (no roll-ups)",
                timed(page(90), raw_rounds, warm=1),
            )
        )
        rows.append(
            ("JSON endpoint, last 90 days, raw rows only", timed(endpoint(90), raw_rounds, warm=1))
        )
        transaction.set_rollback(True)

    print()
    print(f"Machine: {machine()}")
    print(
        f"Data: {total_rows:,} fire events over {args.days} days ({past_rows:,} before today), "
        f"{args.consents:,} consent records, 10 tags"
        + (f"; loaded with COPY in {setup['load_seconds']:.1f} s" if setup else "")
    )
    print()
    print("| roll-up | days | raw rows | seconds | rows/s |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| `rollups_refresh` (every past day, fires + consent) | {rolled_days} | {past_rows:,} "
        f"| {rollup_seconds:.1f} | {past_rows / rollup_seconds:,.0f} |"
    )
    print()
    print(
        f"| request (signed-in member, warm, median of {args.rounds}; raw-only: {raw_rounds}) | median |"
    )
    print("|---|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds * 1000:,.0f} ms |")


if __name__ == "__main__":
    main()
