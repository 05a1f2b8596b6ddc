from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest
from django.core.checks import run_checks
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tagmanager.models import ContainerVersion, FireEvent, Tag
from tagmanager.reports import container_report
from tagmanager.reports.sections import ReportContext, conversions
from tagmanager.services.publishing import container_publish
from tagmanager.services.rollups import rollup_day_compute, rollups_refresh
from tagmanager.services.tags import trigger_save
from tests.report_data import known_data, shop_create


@pytest.fixture
def shop(db):
    return shop_create()


@pytest.fixture
def days(shop, today):
    return known_data(shop, today)


def report(shop, days, **kwargs):
    return container_report(
        container=shop.container, start=days["d1"] - timedelta(days=1), end=days["today"], **kwargs
    )


def summary(result) -> dict:
    """The report as comparable plain data, by tag name."""
    return {
        "days": result["days"],
        "totals": result["totals"],
        "fires": {s["tag"]: s["values"] for s in result["fires"]},
        "consent": {s["action"]: s["values"] for s in result["consent"]["actions"]},
        "acceptance": [
            (c["slug"], c["granted"], c["decisions"], c["rate"])
            for c in result["consent"]["categories"]
        ],
        "conversions": {
            c["label"]: {t["tag"]: (t["conversions"], t["value"]) for t in c["tags"]}
            for c in result["conversions"]["campaigns"]
        },
        "conversion_tags": [
            (t["tag"], t["conversions"], t["value"]) for t in result["conversions"]["tags"]
        ],
        "audit": {
            "never_fired": [t["tag"] for t in result["audit"]["never_fired"]],
            **{
                key: [(e["tag"], e["count"]) for e in result["audit"][key]]
                for key in ("outside_triggers", "duplicates", "consent_violations")
            },
        },
    }


def expected(days) -> dict:
    # Range: the day before d1 (empty), d1, d2, d3 (empty), today.
    return {
        "days": [days["d1"] - timedelta(days=1), days["d1"], days["d2"], days["d3"], days["today"]],
        "totals": {
            "fires": 16,
            "consent_decisions": 7,
            "conversions": 4,
            "consent_violations": 1,
            "outside_triggers": 4,
            "duplicates": 3,
            "refused": 0,
        },
        "fires": {
            "GA4": [0, 5, 4, 0, 1],
            "Meta": [0, 2, 1, 0, 0],
            "Ads": [0, 2, 0, 0, 0],
            "No tag (pixel hits)": [0, 1, 0, 0, 0],
        },
        "consent": {
            "accept_all": [0, 2, 0, 0, 0],
            "custom": [0, 1, 1, 0, 0],
            "reject_all": [0, 1, 0, 0, 0],
            "gpc": [0, 1, 0, 0, 0],
            "withdraw": [0, 0, 1, 0, 0],
        },
        # Of 5 choices (2 accept all, 1 reject all, 2 custom); GPC and withdrawal excluded.
        "acceptance": [
            ("preferences", 4, 5, 0.8),
            ("analytics", 3, 5, 0.6),
            ("marketing", 2, 5, 0.4),
        ],
        "conversions": {
            "spring": {"Ads": (1, Decimal("100")), "Meta": (2, Decimal("150.5"))},
            "autumn": {"Meta": (1, Decimal("20"))},
        },
        "conversion_tags": [("Meta", 3, Decimal("170.5")), ("Ads", 1, Decimal("100"))],
        "audit": {
            "never_fired": ["Silent"],
            "outside_triggers": [("GA4", 2), ("Ads", 1), ("Meta", 1)],
            "duplicates": [("Meta", 3)],
            "consent_violations": [("Ads", 1)],
        },
    }


def test_report_from_raw_rows(shop, days):
    result = report(shop, days)
    assert result["sources"] == {"rolled_up_days": 0, "raw_days": 5}
    assert summary(result) == expected(days)


def test_report_from_rollups_gives_the_same_numbers(shop, days):
    rollups_refresh()
    result = report(shop, days)
    assert result["sources"] == {"rolled_up_days": 3, "raw_days": 2}
    assert summary(result) == expected(days)


def test_report_reads_rollups_for_rolled_up_days(shop, days):
    """Once rolled up (and purged), a day's numbers come from the roll-ups only."""
    rollup_day_compute(day=days["d1"], container=shop.container)
    FireEvent.objects.filter(server_time__date=days["d1"]).delete()
    assert summary(report(shop, days))["fires"]["GA4"] == [0, 5, 4, 0, 1]
    rollup_day_compute(day=days["d2"], container=shop.container)
    shop.fire(days["d2"], "GA4", "shop_pages", n=5)  # arrived after d2 was rolled up
    assert summary(report(shop, days))["fires"]["GA4"] == [0, 5, 4, 0, 1]


def test_mixed_rollups_and_raw_days(shop, days):
    rollup_day_compute(day=days["d2"])
    result = report(shop, days)
    assert result["sources"] == {"rolled_up_days": 1, "raw_days": 4}
    assert summary(result) == expected(days)


@pytest.mark.parametrize("rolled_up", [False, True])
def test_report_without_consent(shop, days, rolled_up):
    """consent=False leaves the consent part out and does not even read it."""
    if rolled_up:
        rollups_refresh()
    full = report(shop, days)
    with CaptureQueriesContext(connection) as queries:
        result = report(shop, days, consent=False)
    read = " ".join(q["sql"] for q in queries.captured_queries).lower()
    assert "consentrecord" not in read and "consentdaily" not in read
    assert "fireevent" in read
    assert result["consent"] is None and result["totals"]["consent_decisions"] is None
    for key in ("fires", "conversions", "audit", "days", "sources"):
        assert result[key] == full[key]
    assert {k: v for k, v in result["totals"].items() if k != "consent_decisions"} == {
        k: v for k, v in full["totals"].items() if k != "consent_decisions"
    }


def test_report_of_another_container_is_empty(shop, days):
    other = shop_create("other")
    result = container_report(container=other.container, start=days["d1"], end=days["today"])
    assert result["totals"] == dict.fromkeys(expected(days)["totals"], 0)
    assert [t["tag"] for t in result["audit"]["never_fired"]] == ["Ads", "GA4", "Meta", "Silent"]


def test_conversion_events_setting(shop, days, settings):
    settings.TAGMANAGER = {"CONVERSION_EVENTS": ["lead"]}
    result = summary(report(shop, days))
    assert result["conversions"] == {"autumn": {"Meta": (1, Decimal("20"))}}


def test_unknown_tags_are_labelled(today):
    context = ReportContext(days=[today], tag_names={}, live_tags=[])
    rows = [
        {
            "day": today,
            "tag_id": 42,
            "event_name": "purchase",
            "utm_campaign": "",
            "fires": 2,
            "value_total": Decimal("9.5"),
            "consent_violations": 0,
            "outside_triggers": 0,
        }
    ]
    section = conversions(rows, context)
    assert section["campaigns"][0]["label"] == "(no campaign)"
    assert section["tags"] == [
        {"tag_id": 42, "tag": "Tag #42 (deleted)", "conversions": 2, "value": Decimal("9.5")}
    ]


def check_ids():
    return sorted(m.id for m in run_checks() if m.id and m.id.startswith("tagmanager."))


@pytest.mark.parametrize("value", ["purchase", [""], ["purchase", 3], None, ["x" * 101]])
def test_e007_conversion_events_checked(value):
    with override_settings(TAGMANAGER={"CONVERSION_EVENTS": value}):
        assert check_ids() == ["tagmanager.E007"]


def test_e007_accepts_a_list_of_names():
    with override_settings(TAGMANAGER={"CONVERSION_EVENTS": ["purchase", "sign_up"]}):
        assert "tagmanager.E007" not in check_ids()


def test_fires_are_judged_by_the_versions_live_each_day(shop, days):
    """GA4 moved off the shop pages on day 2 at noon: its shop-page fires count as outside
    from day 3 on, not before (on day 2 both versions were live)."""
    container = shop.container
    container.versions.update(
        created_at=datetime.combine(days["d1"], time(), tzinfo=dt_timezone.utc)
    )
    blog = trigger_save(container=container, name="Blog", trigger_type="page_view")
    Tag.objects.get(pk=shop.tags["GA4"]).firing_triggers.set([blog])
    moved = container_publish(container=container, notes="GA4 on the blog only")
    ContainerVersion.objects.filter(pk=moved.pk).update(
        created_at=datetime.combine(days["d2"], time(12), tzinfo=dt_timezone.utc)
    )
    shop.fire(days["d3"], "GA4", "shop_pages", page="/shop/d", campaign="spring")
    outside = {e["tag"]: e["count"] for e in report(shop, days)["audit"]["outside_triggers"]}
    assert outside == {"GA4": 2 + 1 + 1, "Ads": 1, "Meta": 1}  # d1 blog, d3, today
    rollups_refresh()
    outside = {e["tag"]: e["count"] for e in report(shop, days)["audit"]["outside_triggers"]}
    assert outside == {"GA4": 4, "Ads": 1, "Meta": 1}
