"""The fire event and consent record lists at volume: filters with fixed choices (no query over
the table to build them), a period filter instead of the date hierarchy, exact searches."""

import uuid
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tagmanager.admin.log_filters import period_start
from tagmanager.models import ConsentNotice, ConsentRecord, FireEvent
from tests.factories import FireEventFactory

pytestmark = pytest.mark.django_db

FIRES = reverse("admin:tagmanager_fireevent_changelist")
RECORDS = reverse("admin:tagmanager_consentrecord_changelist")
# Days back from now of each row.
AGES = {"now": 0, "3 days": 3, "20 days": 20, "60 days": 60}


def midday(days_back: int) -> datetime:
    """Noon UTC ``days_back`` days ago, or a minute ago for today: inside today's UTC day."""
    now = timezone.now()
    if not days_back:
        return max(now - timedelta(minutes=1), period_start("today", now=now))
    return (now - timedelta(days=days_back)).replace(hour=12, minute=0)


@pytest.fixture
def fires(shop):
    rows = {}
    for label, days in AGES.items():
        consent_id = uuid.uuid4()
        event = FireEventFactory(
            container=shop,
            event_id=f"evt-{days}",
            event_name="purchase" if days == 3 else "page_view",
            consent_id=consent_id,
        )
        FireEvent.objects.filter(pk=event.pk).update(server_time=midday(days))
        rows[label] = event
    return rows


@pytest.fixture
def records(shop):
    notice = ConsentNotice.objects.create(
        container=shop, revision=1, locale="en", texts={}, sha256="0" * 64
    )
    rows, previous = {}, None
    for label, days in AGES.items():
        rows[label] = ConsentRecord.objects.create(
            container=shop,
            revision=1,
            notice=notice,
            categories={"analytics": True},
            action="accept_all",
            source="banner",
            previous_consent_id=previous,
            created_at=midday(days),
            expires_at=timezone.now() + timedelta(days=180),
        )
        previous = rows[label].consent_id
    return rows


def listed(client, url, **query) -> set[int]:
    response = client.get(url, query)
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


def pks(rows, *labels) -> set[int]:
    return {rows[label].pk for label in labels}


@pytest.mark.parametrize(("url", "rows"), [(FIRES, "fires"), (RECORDS, "records")])
def test_period_filter(as_editor, url, rows, request):
    rows = request.getfixturevalue(rows)
    assert listed(as_editor, url) == pks(rows, *AGES)
    assert listed(as_editor, url, period="today") == pks(rows, "now")
    assert listed(as_editor, url, period="7d") == pks(rows, "now", "3 days")
    assert listed(as_editor, url, period="30d") == pks(rows, "now", "3 days", "20 days")
    html = as_editor.get(url).content.decode()
    assert "Last 7 days" in html and "By period (UTC)" in html


@pytest.mark.parametrize("url", [FIRES, RECORDS])
def test_unknown_period_goes_back_to_the_whole_list(as_editor, url):
    response = as_editor.get(url, {"period": "forever"})
    assert response.status_code == 302 and response["Location"].endswith("?e=1")
    assert as_editor.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(("url", "rows"), [(FIRES, "fires"), (RECORDS, "records")])
def test_loading_the_list_reads_no_distinct_values(as_editor, url, rows, request):
    """No DISTINCT over the table (value lists, date hierarchy) on a plain load, and only
    one count: the filtered one."""
    request.getfixturevalue(rows)
    with CaptureQueriesContext(connection) as queries:
        assert as_editor.get(url).status_code == 200
    table = "tagmanager_fireevent" if url == FIRES else "tagmanager_consentrecord"
    reads = [q["sql"] for q in queries.captured_queries if table in q["sql"]]
    assert reads and not [sql for sql in reads if "DISTINCT" in sql.upper()]
    assert len([sql for sql in reads if "COUNT(" in sql.upper()]) == 1
    html = as_editor.get(url).content.decode()
    assert 'class="xfull"' not in html  # the date hierarchy's links


def test_fire_events_by_event_name_id_or_consent_id(as_editor, fires):
    assert listed(as_editor, FIRES, q="purchase") == pks(fires, "3 days")
    assert listed(as_editor, FIRES, q=" page_view ") == pks(fires, "now", "20 days", "60 days")
    assert listed(as_editor, FIRES, q="purch") == set()  # whole names only
    assert listed(as_editor, FIRES, q="evt-20") == pks(fires, "20 days")
    consent_id = str(fires["60 days"].consent_id)
    assert listed(as_editor, FIRES, q=consent_id) == pks(fires, "60 days")
    assert listed(as_editor, FIRES, q=consent_id.upper()) == pks(fires, "60 days")
    assert listed(as_editor, FIRES, q="page_view", period="7d") == pks(fires, "now")
    assert "event name (e.g. purchase)" in as_editor.get(FIRES).content.decode()


def test_consent_records_by_consent_id(as_editor, records):
    second = records["3 days"]
    # Its own id, and the record that names it as the previous one.
    assert listed(as_editor, RECORDS, q=str(second.consent_id)) == pks(records, "3 days", "20 days")
    assert listed(as_editor, RECORDS, q="not-an-id") == set()


@pytest.mark.parametrize("url", [FIRES, RECORDS])
@pytest.mark.parametrize("term", ["x" * 5000, "'", "%", "evt-%", "0" * 32])
def test_odd_search_terms_find_nothing(as_editor, fires, records, url, term):
    assert listed(as_editor, url, q=term) == set()


@pytest.mark.parametrize("url", [FIRES, RECORDS])
def test_nul_in_a_search_is_a_message_not_an_error(as_editor, fires, records, url):
    response = as_editor.get(url, {"q": "a\x00b"})
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


def test_period_start_counts_whole_utc_days():
    now = datetime(2026, 3, 10, 0, 30, tzinfo=dt_timezone(timedelta(hours=2)))  # 9 Mar UTC
    assert period_start("today", now=now) == datetime(2026, 3, 9, tzinfo=dt_timezone.utc)
    assert period_start("30d", now=now) == datetime(2026, 2, 8, tzinfo=dt_timezone.utc)
    assert period_start("year", now=now) is None
