from datetime import timedelta

import pytest

from tagmanager.api.schema import api_schema
from tagmanager.services.rollups import rollups_refresh
from tests.api.conftest import VIEW, client_for
from tests.factories import user_with
from tests.report_data import known_data, shop_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_shop(db, today):
    shop = shop_create("reports")
    known_data(shop, today)
    return shop


@pytest.fixture
def member(report_shop):
    return user_with("analyst", perms=VIEW, containers=[report_shop.container])


def get(user, key, **query):
    return client_for(user).get(f"/tm/api/containers/{key}/report/", query)


def test_report_json_numbers(member, report_shop, today):
    response = get(member, "reports", days=7)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["container"] == "reports"
    assert body["start"] == (today - timedelta(days=6)).isoformat()
    assert body["end"] == today.isoformat() and len(body["days"]) == 7
    assert body["totals"] == {
        "fires": 16,
        "consent_decisions": 7,
        "conversions": 4,
        "consent_violations": 1,
        "outside_triggers": 4,
        "duplicates": 3,
        "refused": 0,
    }
    ga4 = body["fires"][0]
    assert (ga4["tag"], ga4["values"][-4:], ga4["total"]) == ("GA4", [5, 4, 0, 1], 10)
    rates = {c["slug"]: c["rate"] for c in body["consent"]["categories"]}
    assert rates == {"preferences": 0.8, "analytics": 0.6, "marketing": 0.4}
    spring = body["conversions"]["campaigns"][0]
    assert spring["campaign"] == "spring"
    assert [(t["tag"], t["conversions"], t["value"]) for t in spring["tags"]] == [
        ("Ads", 1, "100.0000"),
        ("Meta", 2, "150.5000"),
    ]
    assert [t["tag"] for t in body["audit"]["never_fired"]] == ["Silent"]
    assert body["audit"]["consent_violations"] == [
        {"tag_id": report_shop.tags["Ads"], "tag": "Ads", "count": 1}
    ]
    assert body["sources"] == {"rolled_up_days": 0, "raw_days": 7}


def test_same_json_from_rollups(member, report_shop):
    before = get(member, "reports", days=7).json()
    rollups_refresh()
    after = get(member, "reports", days=7).json()
    assert after["sources"]["rolled_up_days"] == 3
    for key in ("totals", "fires", "consent", "conversions", "audit"):
        assert after[key] == before[key]


def test_explicit_dates(member, report_shop, today):
    d2 = today - timedelta(days=2)
    body = get(member, "reports", start=d2.isoformat(), end=d2.isoformat()).json()
    assert body["days"] == [d2.isoformat()]
    assert body["totals"]["fires"] == 5


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"days": 12}, "days", "not a valid choice"),
        ({"start": "soon"}, "start", "Date has wrong format"),
        ({"start": "2025-03-10", "end": "2025-03-01"}, "non_field_errors", "after the end"),
        ({"start": "0001-01-01", "end": "9999-12-31"}, "non_field_errors", "between"),
        ({"end": "2025-03-01"}, "non_field_errors", "start date"),
    ],
)
def test_bad_query_is_400_with_the_reason(member, report_shop, query, field, message):
    response = get(member, "reports", **query)
    assert response.status_code == 400
    assert message in str(response.json()[field])


def test_needs_the_view_fireevent_permission(report_shop):
    editor = user_with(
        "no-logs", perms=["tagmanager.view_container"], containers=[report_shop.container]
    )
    response = get(editor, "reports")
    assert response.status_code == 403
    assert "tagmanager.view_fireevent" in response.json()["detail"]


def test_consent_part_needs_the_consent_record_permission(member, report_shop):
    fires_only = user_with(
        "fires-only",
        perms=["tagmanager.view_container", "tagmanager.view_fireevent"],
        containers=[report_shop.container],
    )
    response = get(fires_only, "reports", days=7)
    assert response.status_code == 200
    body = response.json()
    assert body["consent"] is None
    assert body["totals"]["consent_decisions"] is None
    full = get(member, "reports", days=7).json()
    assert full["consent"]["categories"] and full["totals"]["consent_decisions"] == 7
    # Everything else is the same.
    del body["consent"], full["consent"], body["totals"]["consent_decisions"]
    del full["totals"]["consent_decisions"]
    assert body == full


def test_another_containers_report_does_not_exist(report_shop):
    other = shop_create("elsewhere")
    outsider = user_with("outsider", perms=VIEW, containers=[other.container])
    assert get(outsider, "reports").status_code == 404
    assert get(outsider, "no-such-key").status_code == 404
    assert get(outsider, "elsewhere").json()["totals"]["fires"] == 0


@pytest.mark.parametrize("key", ["a%2Fb", "x%00y", "%F1%8D%B6%8E", "a b"])
def test_malformed_key_is_a_json_404(member, key):
    response = client_for(member).get(f"/tm/api/containers/{key}/report/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_anonymous_is_401():
    from rest_framework.test import APIClient

    assert APIClient().get("/tm/api/containers/reports/report/").status_code == 401


def test_schema_documents_the_report():
    schema = api_schema()
    operation = schema["paths"]["/tm/api/containers/{key}/report/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"key", "days", "start", "end"}
    assert set(operation["responses"]) >= {"200", "400", "401", "403", "404"}
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    report = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"totals", "fires", "consent", "conversions", "audit", "sources"} <= set(
        report["properties"]
    )
    # Null for readers without the consent record permission, and documented so.
    consent = report["properties"]["consent"]
    assert consent["nullable"] is True and "view_consentrecord" in consent["description"]
    totals = schema["components"]["schemas"]["ReportTotals"]["properties"]
    assert totals["consent_decisions"]["nullable"] is True
