import json
import uuid

import pytest
from django.core.cache import cache

from tagmanager.models import DeadLetter, FireEvent
from tagmanager.services.demo import demo_container_ensure

pytestmark = pytest.mark.django_db
ORIGIN = "http://localhost:8000"


@pytest.fixture(autouse=True)
def demo():
    cache.clear()
    return demo_container_ensure()


def event(**fields):
    return {"event_id": uuid.uuid4().hex, "event": "page_view", **fields}


def post(client, body, *, origin=ORIGIN, raw=False):
    data = body if raw else json.dumps(body)
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post("/tm/collect", data=data, content_type="text/plain", **headers)


def test_batch_is_stored_and_answered_204(client, demo):
    tag = demo.tags.get(name="Google Analytics 4")
    batch = [
        event(tag=tag.pk, categories=["necessary", "analytics"], value=1.5, currency="EUR")
        for _ in range(20)
    ]
    response = post(client, {"key": "demo", "events": batch})
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert FireEvent.objects.count() == 20
    assert not FireEvent.objects.filter(consent_violation=True).exists()


def test_same_batch_twice_is_stored_once(client):
    batch = [event() for _ in range(10)]
    for _ in range(3):
        assert post(client, {"key": "demo", "events": batch}).status_code == 204
    assert FireEvent.objects.count() == 10


def test_fire_without_its_categories_is_flagged(client, demo):
    tag = demo.tags.get(name="Meta Pixel")
    post(client, {"key": "demo", "events": [event(tag=tag.pk, categories=["necessary"])]})
    assert FireEvent.objects.get().consent_violation is True


def test_malformed_events_go_to_dead_letters_the_rest_is_stored(client):
    batch = [event(), {"event_id": "bad"}, event(value="lots"), event()]
    assert post(client, {"key": "demo", "events": batch}).status_code == 204
    assert FireEvent.objects.count() == 2
    reasons = sorted(DeadLetter.objects.values_list("reason", flat=True))
    assert len(reasons) == 2 and "'event_id'" in reasons[0] + reasons[1]


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ("not json", 400, "not valid JSON"),
        ("[1, 2]", 400, "JSON object"),
        ('{"key": "demo"}', 400, "'events'"),
        ('{"key": "demo", "events": []}', 400, "non-empty"),
        ('{"key": 5, "events": [{}]}', 400, "'key'"),
        ('{"key": "nope", "events": [{}]}', 404, "No container"),
    ],
)
def test_bad_batches_get_a_reason(client, body, status, reason):
    response = post(client, body, raw=True)
    assert response.status_code == status
    assert reason in response.json()["error"]
    assert not FireEvent.objects.exists()


def test_too_many_events(client, settings):
    settings.TAGMANAGER = {"COLLECT_MAX_EVENTS": 3}
    response = post(client, {"key": "demo", "events": [event() for _ in range(4)]})
    assert response.status_code == 400 and "At most 3" in response.json()["error"]


def test_body_over_64_kib_is_413(client):
    big = {"key": "demo", "events": [event(url="https://a.example/" + "x" * 70000)]}
    assert post(client, big).status_code == 413


@pytest.mark.parametrize("origin", ["https://evil.example", ""])
def test_origin_must_be_allowed(client, origin):
    response = post(client, {"key": "demo", "events": [event()]}, origin=origin)
    assert response.status_code == 403
    assert not FireEvent.objects.exists()


def test_only_post(client):
    assert client.get("/tm/collect").status_code == 405


def test_deeply_nested_json_is_a_400_not_a_crash(client):
    body = "[" * 30_000 + "]" * 30_000
    response = post(client, body, raw=True)
    assert response.status_code == 400
    assert "nested deeper than 32 levels" in response.json()["error"]


def test_a_bad_version_number_is_a_400(client):
    response = post(client, {"key": "demo", "version": "3", "events": [event()]})
    assert response.status_code == 400 and "'version'" in response.json()["error"]


def test_unstorable_text_in_one_event_loses_none_of_the_others(client):
    batch = [event(), event(url="https://shop.example/\x00")]
    assert post(client, {"key": "demo", "events": batch}).status_code == 204
    assert FireEvent.objects.count() == 1 and DeadLetter.objects.count() == 1


def test_no_database_is_a_503_with_a_reason(client, monkeypatch):
    from django.db import OperationalError

    from tagmanager import endpoints

    def down(**kwargs):
        raise OperationalError("the database system is starting up")

    monkeypatch.setattr(endpoints, "fire_events_dispatch", down)
    response = post(client, {"key": "demo", "events": [event()]})
    assert response.status_code == 503 and "retry" in response.json()["error"]
