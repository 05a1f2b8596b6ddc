"""The admin's consent record Export page: one visitor's records by consent id, or a date
range, as a streamed CSV or JSON file; only the user's containers, only with view permission."""

import csv
import io
import json
import uuid
from datetime import datetime, time
from datetime import timezone as dt_timezone

import pytest
from django.urls import reverse

from tagmanager.models import ConsentRecord
from tagmanager.payloads import consent_parse
from tagmanager.services.consent import consent_record_create
from tagmanager.services.publishing import container_publish
from tests.admin.conftest import login
from tests.factories import user_with
from tests.helpers import append_only_bypassed, consent_proof

pytestmark = pytest.mark.django_db

EXPORT = reverse("admin:tagmanager_consentrecord_export")


def decide(container, day: str, *, previous=None, action="accept_all") -> ConsentRecord:
    """A decision of the browser that made ``previous`` (a record; the link is proven)."""
    consent_id, previous_id = str(uuid.uuid4()), str(previous.consent_id) if previous else None
    data = consent_parse(
        {
            "consent_id": consent_id,
            "previous_consent_id": previous_id,
            **consent_proof(consent_id, previous_id),
            "categories": {"analytics": action == "accept_all"},
            "action": action,
            "source": "banner",
        }
    )
    record = consent_record_create(container=container, data=data, ip="192.0.2.1", user_agent="t")
    when = datetime.combine(datetime.fromisoformat(day), time(9), tzinfo=dt_timezone.utc)
    with append_only_bypassed():
        ConsentRecord.objects.filter(pk=record.pk).update(created_at=when)
    return record


@pytest.fixture
def visitors(shop, blog):
    """One visitor of the shop who changed their mind twice, another shop visitor, and a
    visitor of the blog who names the shop visitor's first id as their previous one."""
    container_publish(container=shop)
    container_publish(container=blog)
    first = decide(shop, "2026-03-01")
    second = decide(shop, "2026-03-05", previous=first, action="reject_all")
    third = decide(shop, "2026-03-09", previous=second, action="withdraw")
    other = decide(shop, "2026-03-05")
    stranger = decide(blog, "2026-03-05", previous=first)
    return {"first": first, "second": second, "third": third, "other": other, "blog": stranger}


def streamed(response) -> bytes:
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content)


def csv_ids(body: bytes) -> list[str]:
    return [row["consent_id"] for row in csv.DictReader(io.StringIO(body.decode()))]


def ids(records) -> list[str]:
    return [str(r.consent_id) for r in records]


def test_one_visitors_records_by_consent_id(as_editor, shop, visitors):
    response = as_editor.post(
        EXPORT,
        {"container": shop.pk, "consent_id": str(visitors["second"].consent_id), "format": "csv"},
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="consent-records-shop.csv"'
    # Linked both ways, oldest first; not the other visitor, not the blog's record.
    assert csv_ids(streamed(response)) == ids(
        [visitors["first"], visitors["second"], visitors["third"]]
    )


def test_a_forged_link_joins_no_histories(as_editor, shop, visitors):
    """A decision naming a visitor's consent id as its previous one without that browser's
    secret: exporting either consent id never returns the other's records."""
    forged_id = str(uuid.uuid4())
    data = {
        "consent_id": forged_id,
        "previous_consent_id": str(visitors["second"].consent_id),
        "previous_secret": "a guess",
        "categories": {},
        "action": "reject_all",
        "source": "api",
    }
    consent_record_create(container=shop, data=consent_parse(data), ip=None, user_agent="x")

    def exported(consent_id: str) -> list[str]:
        body = {"container": shop.pk, "consent_id": consent_id, "format": "csv"}
        return csv_ids(streamed(as_editor.post(EXPORT, body)))

    assert exported(forged_id) == [forged_id]
    assert exported(str(visitors["second"].consent_id)) == ids(
        [visitors["first"], visitors["second"], visitors["third"]]
    )


def test_a_date_range_as_json(as_editor, shop, visitors):
    response = as_editor.post(
        EXPORT,
        {"container": shop.pk, "since": "2026-03-05", "until": "2026-03-09", "format": "json"},
    )
    assert response["Content-Type"] == "application/json; charset=utf-8"
    rows = json.loads(streamed(response))
    # Both days included, the blog's record of the same day left out.
    assert sorted(r["consent_id"] for r in rows) == sorted(
        ids([visitors["second"], visitors["other"], visitors["third"]])
    )
    assert rows[-1]["consent_id"] == str(visitors["third"].consent_id)
    assert rows[-1]["action"] == "withdraw" and rows[0]["notice_sha256"]
    one_day = as_editor.post(
        EXPORT,
        {"container": shop.pk, "since": "2026-03-01", "until": "2026-03-01", "format": "json"},
    )
    assert [r["consent_id"] for r in json.loads(streamed(one_day))] == ids([visitors["first"]])


def test_a_member_of_shop_cannot_export_the_blog(as_editor, blog, visitors):
    page = as_editor.get(EXPORT)
    assert page.status_code == 200
    offered = [value for value, _ in page.context["form"].fields["container"].choices if value]
    assert [str(v) for v in offered] == [str(visitors["first"].container_id)]
    response = as_editor.post(
        EXPORT,
        {"container": blog.pk, "since": "2026-03-01", "until": "2026-03-31", "format": "csv"},
    )
    assert response.status_code == 400
    assert "container" in response.context["form"].errors
    assert not response.streaming


def test_a_member_of_the_blog_gets_only_its_records(blog, visitors):
    member = user_with("blogger", perms=["tagmanager.view_consentrecord"], containers=[blog])
    client = login(member)

    def by_consent_id(record):
        data = {"container": blog.pk, "consent_id": str(record.consent_id), "format": "csv"}
        return csv_ids(streamed(client.post(EXPORT, data)))

    assert by_consent_id(visitors["blog"]) == ids([visitors["blog"]])
    # The blog's record names the shop visitor's id as its previous one: a link to a decision
    # of another container is never proven, so it leads nowhere, and the shop's stays hidden.
    assert by_consent_id(visitors["first"]) == []


def test_needs_view_permission_on_consent_records(shop, visitors):
    user = user_with("tags-only", perms=["tagmanager.view_tag"], containers=[shop])
    client = login(user)
    assert client.get(EXPORT).status_code == 403
    data = {"container": shop.pk, "since": "2026-03-01", "until": "2026-03-31", "format": "csv"}
    assert client.post(EXPORT, data).status_code == 403


def test_anonymous_goes_to_the_login(client):
    response = client.get(EXPORT)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_list_links_to_the_page(as_editor, visitors):
    html = as_editor.get(reverse("admin:tagmanager_consentrecord_changelist")).content.decode()
    assert f'href="{EXPORT}"' in html


BIG = str(2**70)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, None, "Give a consent id, or a date range."),
        ({"since": "2026-03-01"}, None, "Give a date range, both days."),
        ({"until": "2026-03-01"}, None, "Give a date range, both days."),
        (
            {"consent_id": "6f1c2a4e-8a3b-4c1d-9e2f-0a1b2c3d4e5f", "since": "2026-03-01"},
            None,
            "Give a consent id or a date range, not both.",
        ),
        ({"since": "2026-03-09", "until": "2026-03-01"}, "until", "before the first"),
        ({"consent_id": "nope"}, "consent_id", "valid UUID"),
        ({"since": "yesterday", "until": "2026-03-01"}, "since", "valid date"),
        ({"since": "2026-02-30", "until": "2026-03-01"}, "since", "valid date"),
        (
            {"consent_id": "6f1c2a4e-8a3b-4c1d-9e2f-0a1b2c3d4e5f", "format": "xml"},
            "format",
            "valid choice",
        ),
        (
            {"container": "abc", "since": "2026-03-01", "until": "2026-03-02"},
            "container",
            "valid choice",
        ),
        (
            {"container": BIG, "since": "2026-03-01", "until": "2026-03-02"},
            "container",
            "valid choice",
        ),
        ({"container": "", "since": "2026-03-01", "until": "2026-03-02"}, "container", "required"),
    ],
)
def test_bad_input_is_a_form_error(as_editor, shop, data, field, message):
    response = as_editor.post(EXPORT, {"container": shop.pk, "format": "csv", **data})
    assert response.status_code == 400
    errors = response.context["form"].errors.get(field or "__all__")
    assert errors and message in " ".join(errors)
    assert message in response.content.decode().replace("&#x27;", "'")


def test_the_widest_range_is_no_error(as_editor, shop, visitors):
    response = as_editor.post(
        EXPORT,
        {"container": shop.pk, "since": "0001-01-01", "until": "9999-12-31", "format": "csv"},
    )
    assert len(csv_ids(streamed(response))) == 4
