import hashlib
import json
import uuid

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction

from tagmanager.models import ConsentNotice, ConsentRecord
from tagmanager.services.demo import demo_container_ensure

pytestmark = pytest.mark.django_db
ORIGIN = "http://localhost:8000"


@pytest.fixture(autouse=True)
def demo():
    cache.clear()
    return demo_container_ensure()


def decision(**fields):
    return {
        "key": "demo",
        "consent_id": str(uuid.uuid4()),
        "previous_consent_id": None,
        "version": 1,
        "locale": "en-GB",
        "categories": {"necessary": True, "analytics": True, "marketing": False},
        "action": "custom",
        "source": "banner",
        "gpc": False,
        "url": "https://shop.example/p?email=someone@example.org#x",
        **fields,
    }


def post(client, body, origin=ORIGIN, **extra):
    return client.post(
        "/tm/consent",
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="text/plain",
        HTTP_ORIGIN=origin,
        **extra,
    )


def test_decision_is_recorded_with_every_field(client):
    body = decision()
    response = post(client, body, REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Mozilla/5.0 test")
    assert response.status_code == 201
    record = ConsentRecord.objects.get(pk=response.json()["id"])
    assert str(record.consent_id) == body["consent_id"] == response.json()["consent_id"]
    assert record.categories == {
        "necessary": True,
        "preferences": False,  # not mentioned: denied
        "analytics": True,
        "marketing": False,
    }
    assert (record.action, record.source, record.gpc, record.revision) == (
        "custom",
        "banner",
        False,
        1,
    )
    assert record.page_url == "https://shop.example/p"
    assert record.user_agent == "Mozilla/5.0 test"
    assert record.ip_truncated == "203.0.113.0"
    assert (record.expires_at - record.created_at).days == 180
    notice = record.notice
    assert notice.locale == "en"  # en-GB falls back to en
    assert notice.texts["banner"]["accept_all"] == "Accept all"
    assert [c["name"] for c in notice.texts["categories"]] == [
        "Necessary",
        "Preferences",
        "Analytics",
        "Marketing",
    ]
    canonical = json.dumps(notice.texts, sort_keys=True, separators=(",", ":"))
    assert notice.sha256 == hashlib.sha256(canonical.encode()).hexdigest()


def test_raw_ip_is_never_stored(client):
    post(client, decision(), REMOTE_ADDR="2001:db8:1234:5678::99")
    record = ConsentRecord.objects.get()
    assert record.ip_truncated == "2001:db8:1234::"
    assert "5678" not in json.dumps(list(ConsentRecord.objects.values()), default=str)


def test_notice_is_stored_once(client):
    for _ in range(3):
        post(client, decision())
    assert ConsentRecord.objects.count() == 3
    assert ConsentNotice.objects.count() == 1


def test_required_categories_cannot_be_refused(client):
    post(client, decision(action="reject_all", categories={"necessary": False}))
    assert ConsentRecord.objects.get().categories["necessary"] is True


def test_retried_post_is_not_recorded_twice(client):
    body = decision(previous_consent_id=str(uuid.uuid4()))
    first, second = post(client, body), post(client, body)
    assert first.json() == second.json()
    assert ConsentRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"consent_id": "x"}, 400, "consent_id"),
        ({"action": "maybe"}, 400, "action"),
        ({"source": "email"}, 400, "source"),
        ({"categories": {"analytics": "yes"}}, 400, "categories"),
        ({"categories": {"ads": True}}, 400, "Unknown categories: ads"),
        ({"version": 99}, 400, "Unknown version"),
        ({"locale": "<b>"}, 400, "locale"),
        ({"key": "nope"}, 404, "No container"),
    ],
)
def test_bad_decisions_get_a_reason(client, change, status, reason):
    response = post(client, decision(**change))
    assert response.status_code == status
    assert reason in response.json()["error"]
    assert not ConsentRecord.objects.exists()


def test_origin_checked(client):
    assert post(client, decision(), origin="https://evil.example").status_code == 403
    assert post(client, "{", origin=ORIGIN).status_code == 400


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[" * 30_000 + "]" * 30_000, "nested deeper than 32 levels"),
        (json.dumps(decision(url="https://shop.example/\ud800")), "invalid Unicode"),
        (json.dumps(decision(url="https://shop.example/\x00")), "NUL"),
    ],
)
def test_hostile_bodies_are_a_400(client, body, reason):
    response = post(client, body)
    assert response.status_code == 400 and reason in response.json()["error"]
    assert not ConsentRecord.objects.exists()


def test_user_agent_text_is_kept_storable(client):
    post(client, decision(), HTTP_USER_AGENT="Bot/1.0 \x00evil")
    assert ConsentRecord.objects.get().user_agent == "Bot/1.0 evil"


def test_a_decision_racing_its_own_copy_is_one_record(client, demo):
    from tagmanager.payloads import consent_parse
    from tagmanager.services.consent import _record_create, consent_record_create

    data = consent_parse(decision())
    first = consent_record_create(container=demo, data=data, ip=None, user_agent="")
    # The copy that lost the race gets past the existence check, then meets the constraint.
    with pytest.raises(IntegrityError), transaction.atomic():
        _record_create(container=demo, data=data, ip=None, user_agent="")
    assert consent_record_create(container=demo, data=data, ip=None, user_agent="") == first
    assert ConsentRecord.objects.count() == 1


def test_no_database_is_a_503_and_a_deleted_container_a_404(client, demo, monkeypatch):
    from django.db import OperationalError

    from tagmanager import views

    def down(**kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(views, "consent_record_create", down)
    response = post(client, decision())
    assert response.status_code == 503 and "retry" in response.json()["error"]
    monkeypatch.undo()
    views.Container.objects.filter(pk=demo.pk).delete()  # its id is still cached
    assert post(client, decision()).status_code == 404
