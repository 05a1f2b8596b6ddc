"""Consent records (list, filters, streamed export) and fire events (list, filters, cursor)."""

import base64
import csv
import io
import json
import uuid
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.http import StreamingHttpResponse

from tagmanager.models import ConsentRecord, FireEvent
from tests.api.conftest import client_for, decide
from tests.factories import FireEventFactory, user_with
from tests.helpers import append_only_bypassed

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 3, 10, 12, 0, tzinfo=dt_timezone.utc)


def aged(record: ConsentRecord, when: datetime) -> ConsentRecord:
    with append_only_bypassed():
        ConsentRecord.objects.filter(pk=record.pk).update(created_at=when)
    record.refresh_from_db()
    return record


@pytest.fixture
def client(viewer):
    return client_for(viewer)


@pytest.fixture
def visitor(shop):
    """One visitor's three decisions (linked by previous_consent_id), and somebody else's."""
    first = aged(decide(shop), DAY)
    second = aged(
        decide(shop, previous=str(first.consent_id), action="custom"), DAY + timedelta(days=1)
    )
    third = aged(
        decide(shop, previous=str(second.consent_id), action="withdraw"), DAY + timedelta(days=2)
    )
    stranger = aged(decide(shop, action="reject_all"), DAY + timedelta(days=1, hours=1))
    return first, second, third, stranger


# Consent records


def test_consent_record_list_and_detail(client, visitor):
    first, second, third, stranger = visitor
    body = client.get("/tm/api/consent-records/").json()
    ids = [r["consent_id"] for r in body["results"]]
    assert ids == [str(third.consent_id), str(stranger.consent_id), str(second.consent_id)] + [
        str(first.consent_id)
    ]
    row = client.get(f"/tm/api/consent-records/{first.pk}/").json()
    assert row["container"] == "demo" and row["action"] == "accept_all"
    assert row["categories"] == {
        "necessary": True,
        "preferences": False,
        "analytics": True,
        "marketing": False,
    }
    assert row["ip_truncated"] == "203.0.113.0"
    assert row["notice"]["locale"] == "en" and len(row["notice"]["sha256"]) == 64
    assert row["notice"]["texts"]["banner"]["accept_all"] == "Accept all"


def test_consent_record_filters(client, visitor):
    first, second, third, stranger = visitor

    def ids(**query):
        response = client.get("/tm/api/consent-records/", query)
        assert response.status_code == 200, response.json()
        return {r["consent_id"] for r in response.json()["results"]}

    assert ids(consent_id=str(second.consent_id)) == {str(second.consent_id)}
    assert ids(action="withdraw") == {str(third.consent_id)}
    assert ids(source="banner", container="demo") == {
        str(r.consent_id) for r in (first, second, third, stranger)
    }
    assert ids(since="2026-03-11", until="2026-03-12") == {
        str(second.consent_id),
        str(stranger.consent_id),
    }
    assert ids(since="2026-03-11T12:30:00+00:00") == {
        str(third.consent_id),
        str(stranger.consent_id),
    }
    assert ids(gpc="true") == set()


@pytest.mark.parametrize(
    "query,field",
    [
        ({"consent_id": "nope"}, "consent_id"),
        ({"action": "maybe"}, "action"),
        ({"source": "carrier"}, "source"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-13-45"}, "until"),
        ({"cursor": "garbage"}, "cursor"),
        # Valid ISO 8601 that no database takes as it is, or that overflows in UTC.
        ({"since": "2026-01-01T00:00:00+16:00"}, None),
        ({"until": "9999-12-31T23:00:00-10:00"}, "until"),
    ],
)
def test_bad_consent_record_filters_are_400(client, visitor, query, field):
    response = client.get("/tm/api/consent-records/", query)
    if field is None:  # fine once in UTC
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert field in response.json()


def test_consent_records_page_by_cursor(client, visitor):
    first = client.get("/tm/api/consent-records/", {"page_size": 3}).json()
    assert len(first["results"]) == 3 and first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    seen = [r["id"] for r in first["results"] + second["results"]]
    assert len(set(seen)) == 4


# Export


def test_export_by_consent_id_follows_linked_ids_as_csv(client, visitor):
    first, second, third, stranger = visitor
    response = client.get(
        "/tm/api/consent-records/export/",
        {"container": "demo", "consent_id": str(second.consent_id)},
    )
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="consent-records-demo.csv"'
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["consent_id"] for r in rows] == [
        str(first.consent_id),
        str(second.consent_id),
        str(third.consent_id),
    ]
    assert [r["action"] for r in rows] == ["accept_all", "custom", "withdraw"]
    assert rows[1]["previous_consent_id"] == str(first.consent_id)
    assert [r["previous_proven"] for r in rows] == ["False", "True", "True"]
    assert json.loads(rows[0]["notice_texts"])["banner"]["reject_all"] == "Reject all"


def test_export_by_consent_id_ignores_a_forged_link(client, visitor):
    """Somebody posts a decision naming a visitor's consent id as their previous one, without
    the secret only that visitor's browser holds: neither export shows the other's records."""
    first, second, third, stranger = visitor
    cache.clear()  # the consent endpoint's container metadata of earlier tests' containers
    forged_id = str(uuid.uuid4())
    body = {
        "key": "demo",
        "consent_id": forged_id,
        "previous_consent_id": str(second.consent_id),
        "previous_secret": "a guess",
        "categories": {"analytics": True},
        "action": "custom",
        "source": "api",
    }
    posted = client.post(
        "/tm/consent",
        data=json.dumps(body),
        content_type="text/plain",
        HTTP_ORIGIN="http://localhost:8000",
        HTTP_USER_AGENT="attacker",
    )
    assert posted.status_code == 201

    def exported(consent_id) -> list[dict]:
        query = {"container": "demo", "consent_id": consent_id, "format": "json"}
        response = client.get("/tm/api/consent-records/export/", query)
        return json.loads(b"".join(response.streaming_content))

    attacker = exported(forged_id)
    assert [r["consent_id"] for r in attacker] == [forged_id]
    assert attacker[0]["previous_consent_id"] == str(second.consent_id)
    assert attacker[0]["previous_proven"] is False
    assert "pytest" not in json.dumps(attacker)  # the visitor's user agent
    victim = exported(str(second.consent_id))
    assert [r["consent_id"] for r in victim] == [str(r.consent_id) for r in (first, second, third)]


def test_export_by_date_range_as_json(client, visitor):
    first, second, third, stranger = visitor
    response = client.get(
        "/tm/api/consent-records/export/",
        {"container": "demo", "since": "2026-03-11", "until": "2026-03-12", "format": "json"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(b"".join(response.streaming_content))
    assert [r["consent_id"] for r in data] == [str(second.consent_id), str(stranger.consent_id)]
    assert data[0]["created_at"] == "2026-03-11T12:00:00+00:00"


def test_export_format_by_accept_header_and_empty_result(client, visitor):
    response = client.get(
        "/tm/api/consent-records/export/",
        {"container": "demo", "consent_id": str(uuid.uuid4())},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert json.loads(b"".join(response.streaming_content)) == []


def test_export_streams_in_pieces(client, shop):
    for _ in range(5):
        decide(shop)
    response = client.get("/tm/api/consent-records/export/", {"container": "demo"})
    pieces = list(response.streaming_content)
    assert len(pieces) == 6  # a header, then one piece per record: never the whole file at once


@pytest.mark.parametrize(
    "query,field",
    [
        ({}, "container"),
        ({"container": "demo", "consent_id": "x"}, "consent_id"),
        ({"container": "demo", "since": "someday"}, "since"),
        ({"container": "demo", "since": "2026-03-12", "until": "2026-03-11"}, "until"),
        ({"container": "demo", "format": "xml"}, "format"),
    ],
)
def test_export_bad_input_is_json_400(client, visitor, query, field):
    response = client.get("/tm/api/consent-records/export/", query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert field in response.json()


def test_export_needs_view_permission(shop):
    user = user_with("no-records", perms=["tagmanager.view_tag"], containers=[shop])
    response = client_for(user).get("/tm/api/consent-records/export/", {"container": "demo"})
    assert response.status_code == 403
    assert "tagmanager.view_consentrecord" in response.json()["detail"]


# Fire events


@pytest.fixture
def fires(shop):
    meta = shop.tags.get(name="Meta Pixel")
    ga = shop.tags.get(name="Google Analytics 4")
    rows = [
        FireEventFactory(container=shop, tag_id=meta.pk, event_name="page_view"),
        FireEventFactory(
            container=shop,
            tag_id=meta.pk,
            event_name="purchase",
            value=Decimal("149.00"),
            currency="USD",
            utm={"utm_campaign": "spring"},
        ),
        FireEventFactory(container=shop, tag_id=ga.pk, event_name="page_view"),
        FireEventFactory(container=shop, tag_id=ga.pk, event_name="page_view"),
    ]
    for index, row in enumerate(rows):
        FireEvent.objects.filter(pk=row.pk).update(server_time=DAY + timedelta(days=index))
    return meta, ga, rows


def test_fire_event_filters(client, fires):
    meta, ga, rows = fires

    def ids(**query):
        response = client.get("/tm/api/fire-events/", query)
        assert response.status_code == 200, response.json()
        return [r["id"] for r in response.json()["results"]]

    assert ids(tag=meta.pk) == [rows[1].pk, rows[0].pk]
    assert ids(event="purchase") == [rows[1].pk]
    assert ids(tag=ga.pk, event="page_view") == [rows[3].pk, rows[2].pk]
    assert ids(since="2026-03-11", until="2026-03-13") == [rows[2].pk, rows[1].pk]
    assert ids(container="demo", tag=999) == []


def test_fire_event_fields(client, fires):
    meta, ga, rows = fires
    row = client.get(f"/tm/api/fire-events/{rows[1].pk}/").json()
    assert row["value"] == "149.0000" and row["currency"] == "USD"
    assert row["utm"] == {"utm_campaign": "spring"}
    assert row["tag_id"] == meta.pk and row["container"] == "demo"
    assert row["server_time"].startswith("2026-03-11T12:00:00")


@pytest.mark.parametrize(
    "query,field",
    [
        ({"tag": "meta"}, "tag"),
        ({"tag": "1.5"}, "tag"),
        ({"tag": str(2**70)}, "tag"),
        ({"since": "noon"}, "since"),
        ({"consent_id": "1234"}, "consent_id"),
        ({"container": "other!"}, "container"),
    ],
)
def test_bad_fire_event_filters_are_400(client, fires, query, field):
    response = client.get("/tm/api/fire-events/", query)
    assert response.status_code == 400
    assert field in response.json()


def test_fire_events_page_by_cursor_newest_first(client, fires):
    meta, ga, rows = fires
    seen = []
    url = "/tm/api/fire-events/?page_size=1"
    while url:
        body = client.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert seen == [r.pk for r in reversed(rows)]


def test_tampered_cursor_is_400(client, fires):
    cursor = base64.b64encode(b"p=not-a-time").decode()
    response = client.get("/tm/api/fire-events/", {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()
    # A hand-made position with an offset PostgreSQL refuses is read in UTC.
    cursor = base64.b64encode(urlencode({"p": "2026-03-12 00:00:00+16:00"}).encode()).decode()
    response = client.get("/tm/api/fire-events/", {"cursor": cursor})
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [fires[2][0].pk]
