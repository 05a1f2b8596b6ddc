import csv
import io
import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tagmanager.models import ConsentRecord, FireEvent, FireEventDaily
from tagmanager.payloads import consent_parse
from tagmanager.services.consent import consent_record_create
from tagmanager.services.demo import demo_container_ensure
from tagmanager.services.retention import consent_records_purge, fire_events_purge
from tagmanager.services.sealing import consent_chain_verify, consent_chains_seal
from tests.factories import FireEventFactory
from tests.helpers import append_only_bypassed, consent_proof

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seal_at_once(settings):
    """These tests seal records they have just written (no grace period to wait out)."""
    settings.TAGMANAGER = {"SEAL_GRACE_SECONDS": 0}


@pytest.fixture
def container():
    return demo_container_ensure()


def decide(container, previous=None, action="accept_all"):
    """A decision of the browser that made ``previous`` (a consent id; the link is proven)."""
    consent_id = str(uuid.uuid4())
    data = consent_parse(
        {
            "consent_id": consent_id,
            "previous_consent_id": previous,
            **consent_proof(consent_id, previous),
            "categories": {"analytics": True},
            "action": action,
            "source": "banner",
        }
    )
    return consent_record_create(container=container, data=data, ip="192.0.2.1", user_agent="u")


def export(*args) -> str:
    out = io.StringIO()
    call_command("tagmanager_export_consent", "demo", *args, stdout=out)
    return out.getvalue()


def test_export_one_visitor_follows_their_consent_ids(container):
    first = decide(container)
    second = decide(container, previous=str(first.consent_id), action="withdraw")
    decide(container)  # somebody else
    rows = list(csv.DictReader(io.StringIO(export("--consent-id", str(second.consent_id)))))
    assert [r["consent_id"] for r in rows] == [str(first.consent_id), str(second.consent_id)]
    assert rows[1]["action"] == "withdraw"
    assert json.loads(rows[0]["notice_texts"])["banner"]["reject_all"] == "Reject all"


def test_export_json_by_date_range(container):
    old = decide(container)
    with append_only_bypassed():
        ConsentRecord.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - timedelta(days=10)
        )
    recent = decide(container)
    today = timezone.now().date().isoformat()
    data = json.loads(export("--format", "json", "--since", today))
    assert [r["consent_id"] for r in data] == [str(recent.consent_id)]
    assert data[0]["ip_truncated"] == "192.0.2.0"
    assert json.loads(export("--format", "json", "--until", "2000-01-01")) == []


def test_export_command_errors(container):
    with pytest.raises(CommandError, match="Not a consent id"):
        export("--consent-id", "x")
    with pytest.raises(CommandError, match="Not a date"):
        export("--since", "yesterday")


def test_admin_export_action_streams(admin_client, container):
    record = decide(container)
    response = admin_client.post(
        reverse("admin:tagmanager_consentrecord_changelist"),
        {"action": "export_json", "_selected_action": [record.pk]},
    )
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content)
    assert json.loads(body)[0]["consent_id"] == str(record.consent_id)


def test_fire_events_are_rolled_up_then_purged(container, settings):
    settings.TAGMANAGER = {**settings.TAGMANAGER, "FIRE_EVENT_RETENTION_DAYS": 30}
    old_day = timezone.now() - timedelta(days=40)
    for value in ("10", "5.5"):
        FireEventFactory(container=container, tag_id=7, event_name="purchase", value=value)
    FireEventFactory(container=container, tag_id=7, event_name="purchase", consent_violation=True)
    FireEventFactory(container=container, tag_id=8, event_name="page_view")
    FireEvent.objects.update(server_time=old_day)
    FireEventFactory(container=container, event_name="page_view")  # recent: kept
    assert fire_events_purge() == 4
    assert FireEvent.objects.count() == 1
    purchase = FireEventDaily.objects.get(tag_id=7)
    assert (purchase.day, purchase.fires, purchase.value_total, purchase.consent_violations) == (
        old_day.date(),
        3,
        Decimal("15.5"),
        1,
    )
    assert FireEventDaily.objects.get(tag_id=8).fires == 1
    assert fire_events_purge() == 0  # idempotent


def test_consent_records_purged_after_retention_and_chain_still_verifies(container, settings):
    settings.TAGMANAGER = {**settings.TAGMANAGER, "CONSENT_RECORD_RETENTION_DAYS": 30}
    records = [decide(container) for _ in range(4)]
    consent_chains_seal()
    expired = timezone.now() - timedelta(days=31)
    with append_only_bypassed():
        ConsentRecord.objects.filter(pk__in=[r.pk for r in records[:2]]).update(expires_at=expired)
    assert consent_records_purge() == 2
    remaining = ConsentRecord.objects.order_by("seal_index").values_list("seal_index", flat=True)
    assert list(remaining) == [2, 3]
    container.refresh_from_db()
    assert consent_chain_verify(container=container) == (2, None)
    decide(container)
    consent_chains_seal()
    assert consent_chain_verify(container=container) == (3, None)


def test_late_events_of_a_purged_day_are_added_to_its_rollups(container, settings):
    settings.TAGMANAGER = {**settings.TAGMANAGER, "FIRE_EVENT_RETENTION_DAYS": 30}
    old_day = timezone.now() - timedelta(days=40)
    for _ in range(10):
        FireEventFactory(container=container, tag_id=7, event_name="purchase", value="2")
    FireEvent.objects.update(server_time=old_day)
    assert fire_events_purge() == 10
    # One more event of that day arrives late (a backlog drained after the purge) ...
    late = FireEventFactory(container=container, tag_id=7, event_name="purchase", value="2")
    FireEvent.objects.filter(pk=late.pk).update(server_time=old_day)
    # ... and neither a recomputation of the day nor the next purge may lose the ten.
    from tagmanager.services.rollups import rollup_day_compute

    rollup_day_compute(day=old_day.date(), container=container)
    assert FireEventDaily.objects.get(tag_id=7).fires == 10
    assert fire_events_purge() == 1
    daily = FireEventDaily.objects.get(tag_id=7)
    assert (daily.fires, daily.value_total) == (11, Decimal("22"))


def test_dead_letters_are_kept_for_a_while_then_purged(container, settings):
    from tagmanager.models import DeadLetter
    from tagmanager.services.retention import dead_letters_purge
    from tagmanager.tasks import retention_run

    settings.TAGMANAGER = {**settings.TAGMANAGER, "DEAD_LETTER_RETENTION_DAYS": 30}
    old, recent = (DeadLetter.objects.create(payload={}, reason=r) for r in ("old", "recent"))
    DeadLetter.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=31))
    assert dead_letters_purge() == 1
    assert list(DeadLetter.objects.values_list("reason", flat=True)) == ["recent"]
    assert retention_run.apply().get() == {
        "fire_events": 0,
        "consent_records": 0,
        "dead_letters": 0,
    }


def test_one_failing_part_of_retention_does_not_stop_the_others(container, monkeypatch):
    from tagmanager.services import retention
    from tagmanager.tasks import retention_run

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(retention, "fire_events_purge", broken)
    assert retention_run.apply().get() == {
        "fire_events": None,
        "consent_records": 0,
        "dead_letters": 0,
    }
