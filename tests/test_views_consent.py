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


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def proof(secret: str, previous: str | None = None) -> dict:
    """The link-proof fields the runtime sends: its secret's hash, the previous one's secret."""
    return {"secret_sha256": sha256(secret), "previous_secret": previous}


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
    record = ConsentRecord.objects.get(consent_id=response.json()["id"])
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
    body = decision(previous_consent_id=str(uuid.uuid4()), **proof("s1", previous="s0"))
    answers = [post(client, body) for _ in range(3)]
    # The runtime resends until it reads a 2xx: each copy gets the same answer, one record.
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert answers[0].json()["id"] == body["consent_id"]
    assert ConsentRecord.objects.count() == 1


def test_response_exposes_no_sequential_id(client):
    bodies = [decision(), decision()]
    answers = [post(client, body).json() for body in bodies]
    records = [ConsentRecord.objects.get(consent_id=b["consent_id"]) for b in bodies]
    for answer, body, record in zip(answers, bodies, records, strict=True):
        assert answer == {"id": body["consent_id"], "consent_id": body["consent_id"]}
        assert not {record.pk, str(record.pk)} & set(answer.values())


@pytest.mark.parametrize(
    "change",
    [
        {"categories": {"analytics": False}},
        {"categories": {"analytics": True, "marketing": True}},
        {"action": "accept_all"},
        {"source": "preferences"},
        {"gpc": True},
        {"url": "https://shop.example/other"},
        {"previous_consent_id": str(uuid.uuid4())},
        {"secret_sha256": hashlib.sha256(b"another browser").hexdigest()},
        {"previous_secret": "another secret"},
    ],
)
def test_a_consent_id_reused_for_another_decision_is_a_409(client, change):
    body = decision(previous_consent_id=str(uuid.uuid4()), **proof("s1", previous="s0"))
    stored = post(client, body)
    response = post(client, {**body, **change})
    assert response.status_code == 409 and body["consent_id"] in response.json()["error"]
    assert response["Access-Control-Allow-Origin"] == ORIGIN  # read by the runtime: dropped
    assert list(ConsentRecord.objects.values_list("consent_id", flat=True)) == [
        uuid.UUID(stored.json()["id"])
    ]
    # The same decision, resent, is still the stored one (unknown or required categories
    # as the record has them count as the same).
    assert post(client, {**body, "categories": {**body["categories"]}}).status_code == 201
    required_refused = {**body["categories"], "necessary": False}
    assert post(client, {**body, "categories": required_refused}).status_code == 201


def test_refusals_are_readable_by_the_page(client):
    """The runtime drops a decision on a 4xx it can read (but 408 and 429) and retries what it
    cannot read: a refusal for good must carry the CORS header, also to a refused origin."""
    refused = {
        404: post(client, decision(key="nope")),
        403: post(client, decision(), origin="https://other.example"),
        400: post(client, decision(action="maybe")),
    }
    for status, response in refused.items():
        assert response.status_code == status
    assert refused[404]["Access-Control-Allow-Origin"] == ORIGIN
    assert refused[403]["Access-Control-Allow-Origin"] == "https://other.example"
    assert refused[400]["Access-Control-Allow-Origin"] == ORIGIN


def test_link_proof_is_kept_as_hashes_never_the_secret(client):
    first = decision(**proof("first secret"))
    second = decision(
        previous_consent_id=first["consent_id"], **proof("second secret", previous="first secret")
    )
    for body in (first, second):
        assert post(client, body).status_code == 201
    older, newer = (ConsentRecord.objects.get(consent_id=b["consent_id"]) for b in (first, second))
    assert older.secret_sha256 == sha256("first secret") == newer.previous_secret_sha256
    assert newer.secret_sha256 == sha256("second secret")
    stored = json.dumps(list(ConsentRecord.objects.values()), default=str)
    assert "first secret" not in stored and "second secret" not in stored


@pytest.mark.parametrize(
    ("change", "status", "previous_hash"),
    [
        ({"secret_sha256": "abc"}, 400, None),
        ({"secret_sha256": 7}, 400, None),
        # A proof that cannot be one leaves the link unproven; the decision is kept.
        ({"previous_secret": 12345}, 201, ""),
        ({"previous_secret": "x" * 257}, 201, ""),
        ({"previous_secret": "nul\x00"}, 201, ""),
        ({"previous_consent_id": None, "previous_secret": "orphan"}, 201, ""),
    ],
)
def test_link_proof_fields_are_checked(client, change, status, previous_hash):
    body = decision(**{"previous_consent_id": str(uuid.uuid4()), **change})
    response = post(client, body)
    assert response.status_code == status, response.content
    if status == 201:
        assert ConsentRecord.objects.get().previous_secret_sha256 == previous_hash
    else:
        assert "secret_sha256" in response.json()["error"]


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


def test_no_database_when_the_container_is_looked_up_is_a_503_too(client, demo):
    """A cold cache reads the container from the database: down, it is a 503 (which the
    runtime retries), never a 500."""
    from django.core.cache import cache
    from django.db import OperationalError, connection

    from tagmanager import cache as tm_cache

    def down(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    cache.clear()
    tm_cache.reset()
    with connection.execute_wrapper(down):
        response = post(client, decision())
    assert response.status_code == 503 and "retry" in response.json()["error"]
    assert response["Access-Control-Allow-Origin"]
