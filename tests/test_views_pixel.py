import pytest
from django.core.cache import cache

from tagmanager.models import DeadLetter, FireEvent
from tagmanager.services.demo import demo_container_ensure
from tagmanager.views import PIXEL_GIF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo():
    cache.clear()
    return demo_container_ensure()


def test_pixel_is_the_43_byte_gif_and_logs_an_event(client):
    response = client.get(
        "/tm/p/demo.gif?e=email_open&r=cust-42&utm_campaign=bf&utm_source=news&id=mail-0001-abc"
    )
    assert response.status_code == 200
    assert response.content == PIXEL_GIF and len(response.content) == 43
    assert response["Content-Type"] == "image/gif"
    assert response["Content-Length"] == "43"
    assert "no-store" in response["Cache-Control"]
    event = FireEvent.objects.get()
    assert (event.event_name, event.recipient, event.event_id) == (
        "email_open",
        "cust-42",
        "mail-0001-abc",
    )
    assert event.utm == {"utm_campaign": "bf", "utm_source": "news"}


def test_pixel_with_the_same_id_counts_once(client):
    for _ in range(3):
        client.get("/tm/p/demo.gif?id=open-12345678")
    assert FireEvent.objects.count() == 1


def test_pixel_without_id_logs_each_hit(client):
    client.get("/tm/p/demo.gif")
    client.get("/tm/p/demo.gif")
    assert FireEvent.objects.filter(event_name="email_open").count() == 2


def test_bad_pixel_query_is_dead_lettered_but_still_an_image(client):
    response = client.get("/tm/p/demo.gif?v=lots")
    assert response.status_code == 200 and response.content == PIXEL_GIF
    assert not FireEvent.objects.exists()
    assert "'value'" in DeadLetter.objects.get().reason


def test_unknown_key_is_404_but_still_an_image_and_never_a_redirect(client):
    response = client.get("/tm/p/nope.gif?e=email_open")
    assert response.status_code == 404 and response.content == PIXEL_GIF
    assert not FireEvent.objects.exists()


def test_pixel_without_a_database_is_still_the_image(client, monkeypatch):
    from django.db import OperationalError

    from tagmanager import endpoints

    def down(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(endpoints, "fire_events_dispatch", down)
    response = client.get("/tm/p/demo.gif?e=email_open")
    assert response.status_code == 503
    assert response.content == PIXEL_GIF and response["Cache-Control"].startswith("no-store")
