from datetime import datetime, time
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest

from tagmanager.models import (
    ConsentDaily,
    ContainerVersion,
    FireEvent,
    FireEventDaily,
    RollupDay,
    Tag,
)
from tagmanager.services.publishing import container_publish
from tagmanager.services.retention import fire_events_purge
from tagmanager.services.rollups import rollup_day_compute, rollups_refresh
from tagmanager.services.tags import trigger_save
from tagmanager.tasks import rollups_refresh as rollups_refresh_task
from tests.report_data import known_data, shop_create

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 20, 15, 30, tzinfo=dt_timezone.utc)
TODAY = NOW.date()


@pytest.fixture
def shop():
    return shop_create()


@pytest.fixture
def days(shop):
    return known_data(shop, TODAY)


def fire_table(shop, day) -> set[tuple]:
    names = {pk: name for name, pk in shop.tags.items()} | {0: "-"}
    return {
        (
            names[r.tag_id],
            r.event_name,
            r.utm_campaign,
            r.fires,
            r.value_total,
            r.consent_violations,
            r.outside_triggers,
        )
        for r in FireEventDaily.objects.filter(container=shop.container, day=day)
    }


def consent_table(shop, day) -> dict:
    return {
        r.action: (r.records, r.granted)
        for r in ConsentDaily.objects.filter(container=shop.container, day=day)
    }


def test_day_rollup_numbers(shop, days):
    assert rollup_day_compute(day=days["d1"], container=shop.container) == 5 + 4
    assert fire_table(shop, days["d1"]) == {
        ("GA4", "page_view", "spring", 5, Decimal("0"), 0, 2),  # 2 on a blog page
        ("Meta", "purchase", "spring", 2, Decimal("150.5"), 0, 0),
        ("Ads", "purchase", "spring", 1, Decimal("100"), 1, 0),
        ("Ads", "page_view", "", 1, Decimal("0"), 0, 1),  # not one of its triggers
        ("-", "email_open", "", 1, Decimal("0"), 0, 0),  # a pixel hit is not judged
    }
    every = {"analytics": 2, "marketing": 2, "necessary": 2, "preferences": 2}
    assert consent_table(shop, days["d1"]) == {
        "accept_all": (2, every),
        "reject_all": (1, {"necessary": 1}),
        "custom": (1, {"analytics": 1, "necessary": 1, "preferences": 1}),
        "gpc": (1, {"necessary": 1}),
    }
    assert RollupDay.objects.filter(container=shop.container).count() == 1


def test_day_rollup_counts_a_wrong_event_as_outside(shop, days):
    rollup_day_compute(day=days["d2"])
    assert fire_table(shop, days["d2"]) == {
        ("GA4", "page_view", "", 4, Decimal("0"), 0, 0),  # 23:00 UTC stays on its day
        ("Meta", "lead", "autumn", 1, Decimal("20"), 0, 1),  # purchase trigger, lead event
    }


def test_rollup_is_idempotent_and_counts_late_arrivals(shop, days):
    rollup_day_compute(day=days["d1"])
    first = fire_table(shop, days["d1"]), consent_table(shop, days["d1"])
    rollup_day_compute(day=days["d1"])
    assert (fire_table(shop, days["d1"]), consent_table(shop, days["d1"])) == first
    shop.fire(days["d1"], "GA4", "shop_pages", page="/shop/z", campaign="spring", hour=23)
    rollup_day_compute(day=days["d1"])
    assert ("GA4", "page_view", "spring", 6, Decimal("0"), 0, 2) in fire_table(shop, days["d1"])
    assert RollupDay.objects.filter(container=shop.container).count() == 1


def test_fires_are_judged_by_the_version_live_that_day(shop, days):
    """Moving GA4 to another trigger today does not turn yesterday's fires into strays."""
    container = shop.container
    container.versions.update(created_at=datetime.combine(days["d1"], time(), dt_timezone.utc))
    ga4 = Tag.objects.get(pk=shop.tags["GA4"])
    blog = trigger_save(container=container, name="Blog", trigger_type="page_view")
    ga4.firing_triggers.set([blog])
    newer = container_publish(container=container, notes="GA4 on the blog only")
    ContainerVersion.objects.filter(pk=newer.pk).update(created_at=NOW)
    rollup_day_compute(day=days["d1"], container=container)
    assert ("GA4", "page_view", "spring", 5, Decimal("0"), 0, 2) in fire_table(shop, days["d1"])
    # Today both versions were live: the /shop/c fire matched the older one.
    rollup_day_compute(day=TODAY, container=container)
    assert fire_table(shop, TODAY) == {("GA4", "page_view", "", 1, Decimal("0"), 0, 0)}


def test_rollup_never_replaces_rollups_of_a_purged_day_by_nothing(shop, days):
    rollup_day_compute(day=days["d1"])
    before = fire_table(shop, days["d1"])
    FireEvent.objects.filter(server_time__date=days["d1"]).delete()
    rollup_day_compute(day=days["d1"], container=shop.container)
    assert fire_table(shop, days["d1"]) == before


def test_refresh_rolls_up_completed_days_once_and_yesterday_again(shop, days):
    assert rollups_refresh(now=NOW) == 3  # d1, d2 and d3 (no rows, marked too); not today
    marked = set(RollupDay.objects.values_list("day", flat=True))
    assert marked == {days["d1"], days["d2"], days["d3"]}
    assert not FireEventDaily.objects.filter(day=days["d3"]).exists()
    shop.fire(days["d3"], "GA4", "shop_pages", page="/shop/late")  # a late beacon
    shop.fire(days["d1"], "GA4", "shop_pages", page="/shop/late")  # too late to count
    assert rollups_refresh(now=NOW) == 1  # only yesterday again
    assert fire_table(shop, days["d3"]) == {("GA4", "page_view", "", 1, Decimal("0"), 0, 0)}
    assert ("GA4", "page_view", "spring", 5, Decimal("0"), 0, 2) in fire_table(shop, days["d1"])


def test_refresh_with_nothing_to_do(shop):
    assert rollups_refresh(now=NOW) == 0
    assert not RollupDay.objects.exists()


def test_task_calls_the_service(shop, days):
    assert rollups_refresh_task.delay().get() >= 3
    assert RollupDay.objects.filter(day=days["d2"]).exists()


def test_retention_rolls_up_before_purging(shop, days, settings):
    settings.TAGMANAGER = {"FIRE_EVENT_RETENTION_DAYS": 2}
    assert fire_events_purge(now=NOW) == 10  # day 1: every fire of it
    assert not FireEvent.objects.filter(server_time__date=days["d1"]).exists()
    assert RollupDay.objects.filter(day=days["d1"]).exists()
    assert ("Meta", "purchase", "spring", 2, Decimal("150.5"), 0, 0) in fire_table(shop, days["d1"])
    assert consent_table(shop, days["d1"])["accept_all"][0] == 2
    assert fire_events_purge(now=NOW) == 0
    rollups_refresh(now=NOW)  # and the beat task leaves the purged day alone
    assert ("GA4", "page_view", "spring", 5, Decimal("0"), 0, 2) in fire_table(shop, days["d1"])


def test_rollup_of_one_day_for_every_container(shop, days):
    other = shop_create("other")
    other.fire(days["d1"], "GA4", "shop_pages", n=7)
    rollup_day_compute(day=days["d1"])
    assert RollupDay.objects.filter(day=days["d1"]).count() == 2
    assert ("GA4", "page_view", "", 7, Decimal("0"), 0, 0) in fire_table(other, days["d1"])
    assert len(fire_table(shop, days["d1"])) == 5


def test_beat_schedule_runs_the_refresh_at_the_configured_interval():
    from project import envconfig

    def schedule(**variables):
        conf = envconfig.celery(envconfig.make_env(variables))
        return conf["CELERY_BEAT_SCHEDULE"]["tagmanager-rollups"]

    assert schedule() == {"task": "tagmanager.rollups_refresh", "schedule": 3600.0}
    assert schedule(TAGMANAGER_ROLLUP_EVERY="600")["schedule"] == 600.0
